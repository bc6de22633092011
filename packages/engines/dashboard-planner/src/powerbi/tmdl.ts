/**
 * The semantic model in TMDL (Tabular Model Definition Language), the text format Power BI
 * Desktop saves in a project's `definition/` folder. Grammar as documented at
 * learn.microsoft.com/analysis-services/tmdl/tmdl-overview: one tab per level, `object name`
 * declarations, `property: value` lines, default properties after `=`, multi-line expressions one
 * level deeper than the properties, `///` descriptions, names quoted when they hold . = : ' or
 * whitespace. Layout (order of properties, annotations) follows what Desktop itself writes.
 */
import { binDax, measureDax } from "./dax.ts";
import { objectName, stableGuid } from "./ids.ts";
import { DATA_FOLDER_PARAMETER, dataFolderParameterM, partitionM } from "./m-query.ts";
import {
  binColumnName,
  NUMERIC_TYPES,
  type PowerBiColumn,
  type PowerBiProjectSpec,
  type PowerBiTable,
} from "./spec.ts";

const TAB = "\t";

/**
 * An object name as TMDL writes it. The docs require quotes for . = : ' and whitespace; we quote
 * anything beyond letters, digits and _ too (quotes are always allowed), doubling inner quotes.
 */
export function tmdlName(name: string): string {
  const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !TMDL_KEYWORDS.has(name.toLowerCase());
  return bare ? name : `'${name.replaceAll("'", "''")}'`;
}

/** Object types and keywords: a name spelled like one is quoted, so it never reads as one. */
const TMDL_KEYWORDS = new Set(
  [
    "annotation",
    "column",
    "culture",
    "cultureInfo",
    "database",
    "dataSource",
    "expression",
    "extendedProperty",
    "hierarchy",
    "level",
    "measure",
    "model",
    "partition",
    "perspective",
    "ref",
    "relationship",
    "role",
    "table",
  ].map((k) => k.toLowerCase()),
);

/**
 * A text property value. Values are single-line; surrounding double quotes are optional and
 * stripped on read, so a value with edge whitespace or its own edge quote is enclosed in quotes
 * with inner quotes doubled.
 */
export function tmdlText(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`TMDL property values are single-line: ${JSON.stringify(value)}`);
  return value !== value.trim() || value.startsWith('"') || value.endsWith('"') || value === ""
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}

function description(text: string | undefined, indent: string): string[] {
  if (!text) return [];
  return text.split(/\r?\n/).map((line) => `${indent}/// ${line}`.trimEnd());
}

/** A multi-line expression placed `depth` tabs deep, as Desktop indents partition sources. */
function expressionLines(expression: string, depth: number): string[] {
  return expression.split("\n").map((line) => (line.trim() === "" ? "" : TAB.repeat(depth) + line));
}

const defaultSummarize = (c: PowerBiColumn) =>
  c.summarizeBy ?? (NUMERIC_TYPES.includes(c.dataType) ? "sum" : "none");

export interface BinColumn {
  table: string;
  column: string;
  binWidth: number;
  name: string;
}

/** The binned columns the report's histograms need, one per (table, column, width). */
export function binColumns(spec: PowerBiProjectSpec): BinColumn[] {
  const bins = new Map<string, BinColumn>();
  for (const page of spec.pages)
    for (const v of page.visuals) {
      const x = v.bindings.X?.[0];
      if (v.kind !== "histogram" || !x || !("column" in x) || v.binWidth === undefined) continue;
      const table = spec.tables.find((t) => t.name.toLowerCase() === x.table.toLowerCase())!;
      const column = table.columns.find((c) => c.name.toLowerCase() === x.column.toLowerCase())!;
      const name = binColumnName(column.name, v.binWidth);
      bins.set(`${table.name}\u0000${name}`, {
        table: table.name,
        column: column.name,
        binWidth: v.binWidth,
        name,
      });
    }
  return [...bins.values()];
}

export function tableTmdl(spec: PowerBiProjectSpec, table: PowerBiTable, bins: BinColumn[]): string {
  const tag = (...key: string[]) => stableGuid(spec.name, "lineage", table.name, ...key);
  const out: string[] = [
    ...description(table.description, ""),
    `table ${tmdlName(table.name)}`,
    `${TAB}lineageTag: ${tag()}`,
  ];
  for (const m of spec.measures.filter((m) => m.table.toLowerCase() === table.name.toLowerCase())) {
    const column = table.columns.find((c) => c.name.toLowerCase() === m.column.toLowerCase())!;
    out.push(
      "",
      ...description(m.description, TAB),
      `${TAB}measure ${tmdlName(m.name)} = ${measureDax(m.aggregation, table.name, column)}`,
    );
    if (m.formatString !== undefined) out.push(`${TAB}${TAB}formatString: ${tmdlText(m.formatString)}`);
    out.push(`${TAB}${TAB}lineageTag: ${tag("measure", m.name)}`);
  }
  for (const c of table.columns) {
    out.push("", `${TAB}column ${tmdlName(c.name)}`, `${TAB}${TAB}dataType: ${c.dataType}`);
    if (c.isHidden) out.push(`${TAB}${TAB}isHidden`);
    if (c.formatString !== undefined) out.push(`${TAB}${TAB}formatString: ${tmdlText(c.formatString)}`);
    out.push(`${TAB}${TAB}lineageTag: ${tag("column", c.name)}`);
    if (c.dataCategory) out.push(`${TAB}${TAB}dataCategory: ${c.dataCategory}`);
    out.push(
      `${TAB}${TAB}summarizeBy: ${defaultSummarize(c)}`,
      `${TAB}${TAB}sourceColumn: ${tmdlText(c.sourceColumn ?? c.name)}`,
    );
    out.push("", `${TAB}${TAB}annotation SummarizationSetBy = ${c.summarizeBy ? "User" : "Automatic"}`);
  }
  for (const bin of bins.filter((b) => b.table === table.name)) {
    out.push(
      "",
      `${TAB}column ${tmdlName(bin.name)} = ${binDax(table.name, bin.column, bin.binWidth)}`,
      `${TAB}${TAB}dataType: double`,
      `${TAB}${TAB}lineageTag: ${tag("column", bin.name)}`,
      `${TAB}${TAB}summarizeBy: none`,
    );
  }
  out.push(
    "",
    `${TAB}partition ${tmdlName(table.name)} = m`,
    `${TAB}${TAB}mode: import`,
    `${TAB}${TAB}source =`,
    ...expressionLines(partitionM(table), 4),
    "",
    `${TAB}annotation PBI_ResultType = Table`,
  );
  return `${out.join("\n")}\n`;
}

export function databaseTmdl(): string {
  return `database\n${TAB}compatibilityLevel: 1600\n`;
}

export function modelTmdl(spec: PowerBiProjectSpec): string {
  const queries = [DATA_FOLDER_PARAMETER, ...spec.tables.map((t) => t.name)];
  return [
    "model Model",
    `${TAB}culture: en-US`,
    `${TAB}defaultPowerBIDataSourceVersion: powerBI_V3`,
    `${TAB}sourceQueryCulture: en-US`,
    `${TAB}dataAccessOptions`,
    `${TAB}${TAB}legacyRedirects`,
    `${TAB}${TAB}returnErrorValuesAsNull`,
    "",
    // Off: an automatic date table per date column would add hidden tables the plan never asked for.
    "annotation __PBI_TimeIntelligenceEnabled = 0",
    "",
    `annotation PBI_QueryOrder = ${JSON.stringify(queries)}`,
    "",
    ...spec.tables.map((t) => `ref table ${tmdlName(t.name)}`),
    "",
  ].join("\n");
}

/** Where the user unzipped the data folder; the placeholder tells them to change it. */
export const DEFAULT_DATA_FOLDER = "C:\\Modelworks\\<project>\\data\\";

export function expressionsTmdl(spec: PowerBiProjectSpec): string {
  const folder = spec.dataFolder ?? DEFAULT_DATA_FOLDER.replace("<project>", spec.name);
  return [
    "/// Full path of the unzipped data folder of this project (Transform data > Edit parameters).",
    `expression ${DATA_FOLDER_PARAMETER} = ${dataFolderParameterM(folder)}`,
    `${TAB}lineageTag: ${stableGuid(spec.name, "lineage", "expression", DATA_FOLDER_PARAMETER)}`,
    "",
    `${TAB}annotation PBI_ResultType = Text`,
    "",
  ].join("\n");
}

const qualified = (table: string, column: string) => `${tmdlName(table)}.${tmdlName(column)}`;

export function relationshipsTmdl(spec: PowerBiProjectSpec): string {
  const canonical = (table: string, column: string) => {
    const t = spec.tables.find((x) => x.name.toLowerCase() === table.toLowerCase())!;
    return [t.name, t.columns.find((c) => c.name.toLowerCase() === column.toLowerCase())!.name] as const;
  };
  return spec.relationships
    .map((r) => {
      const from = canonical(r.from.table, r.from.column);
      const to = canonical(r.to.table, r.to.column);
      // fromCardinality many / toCardinality one and single-direction filtering are TMDL's defaults.
      return [
        `relationship ${stableGuid(spec.name, "relationship", ...from, ...to)}`,
        `${TAB}fromColumn: ${qualified(...from)}`,
        `${TAB}toColumn: ${qualified(...to)}`,
        "",
      ].join("\n");
    })
    .join("\n");
}

/** The file name of a table's TMDL document; Desktop uses the table name as is. */
export function tableFileName(table: PowerBiTable): string {
  // Characters Windows forbids in file names; a table name may legally hold them.
  return /[<>:"/\\|?*]/.test(table.name) ? `${objectName("table", table.name)}.tmdl` : `${table.name}.tmdl`;
}
