/**
 * Offline validation against Microsoft's published Power BI JSON schemas. The copies under
 * test/fixtures/powerbi-json-schemas are byte-identical to ../shared/reference/powerbi-json-schemas
 * (checked by schema-validation.test.ts when that folder is present; CI checks the repository out
 * without it), plus `upstream/` with the .pbip and .platform schemas from the same snapshot of
 * github.com/microsoft/json-schemas, which the reference folder lacks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { sharedPath } from "../../../../../test-support/shared-dir.ts";

export const SCHEMA_DIR = fileURLToPath(new URL("../fixtures/powerbi-json-schemas", import.meta.url));
/** The repository's root; ../shared sits beside it, as the other tests' fixtures note. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));
export const REFERENCE_DIR = sharedPath("reference", "powerbi-json-schemas");

const BASE = "https://developer.microsoft.com/json-schemas/fabric";

export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** The URL a schema file answers to: where the other schemas' relative $refs point. */
function urlOf(file: string): string {
  const path = relative(SCHEMA_DIR, file).split(sep).join("/");
  return path.startsWith("upstream/") ? `${BASE}/${path.slice("upstream/".length)}` : `${BASE}/item/${path}`;
}

export interface SchemaSet {
  urls: string[];
  validator(url: string): ValidateFunction | undefined;
}

export function loadSchemas(): SchemaSet {
  // The schemas are draft-07 (their own $schema), which is Ajv's default draft; `strict: false`
  // because they use keywords Ajv's strict mode flags (e.g. `description` beside `$ref`).
  const ajv = new Ajv({ strict: false, allErrors: true });
  const urls: string[] = [];
  for (const file of listFiles(SCHEMA_DIR).filter((f) => f.endsWith(".json"))) {
    const schema = JSON.parse(readFileSync(file, "utf8"));
    const url = urlOf(file);
    // The embedded schemas' own $id says `schema.embedded.json`, while every $ref to them says
    // `schema-embedded.json` (the file name); they are registered under the name refs use.
    schema.$id = url;
    ajv.addSchema(schema, url);
    urls.push(url);
  }
  return { urls, validator: (url) => ajv.getSchema(url) };
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`)
    .join("\n");
}
