/**
 * The `$schema` of every JSON file we write: Microsoft's published schemas, at the newest version
 * in ../shared/reference/powerbi-json-schemas (snapshot of github.com/microsoft/json-schemas,
 * 2026-08-19). `.pbip` and `.platform` use two schemas from the same snapshot that the reference
 * folder lacks; the tests carry copies of both (docs/decisions/0024-powerbi-project-writer.md).
 */
const BASE = "https://developer.microsoft.com/json-schemas/fabric";

export const SCHEMA_URL = {
  pbip: `${BASE}/pbip/pbipProperties/1.0.0/schema.json`,
  platform: `${BASE}/gitIntegration/platformProperties/2.0.0/schema.json`,
  definitionPbir: `${BASE}/item/report/definitionProperties/2.0.0/schema.json`,
  definitionPbism: `${BASE}/item/semanticModel/definitionProperties/1.0.0/schema.json`,
  version: `${BASE}/item/report/definition/versionMetadata/1.0.0/schema.json`,
  report: `${BASE}/item/report/definition/report/3.3.0/schema.json`,
  pages: `${BASE}/item/report/definition/pagesMetadata/1.1.0/schema.json`,
  page: `${BASE}/item/report/definition/page/2.1.0/schema.json`,
  visualContainer: `${BASE}/item/report/definition/visualContainer/2.9.0/schema.json`,
} as const;

/** File-format versions inside the files (not schema versions), as Power BI Desktop writes them. */
export const FORMAT_VERSION = {
  pbip: "1.0",
  platform: "2.0",
  /** 4.0 or above: the report may be stored as PBIR (a definition/ folder). */
  pbir: "4.0",
  pbism: "4.2",
  /** PBIR's own version (definition/version.json). */
  pbirDefinition: "2.0.0",
} as const;
