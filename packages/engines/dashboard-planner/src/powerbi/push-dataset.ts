/**
 * A project spec as a Power BI *push dataset* (REST "Push Datasets - Datasets PostDatasetInGroup",
 * `defaultMode: "Push"`) and its rows as the "Datasets PostRowsInGroup" body expects them. Pure:
 * the server sends what this returns. Push datasets have a smaller vocabulary than a TMDL model:
 * five column types (Int64, Double, Boolean, Datetime, String), measures as DAX expressions on a
 * table, single-column relationships — and no Power Query, no report pages (those only travel in
 * the .pbip download; the Imports API takes .pbix, not .pbip).
 */
import { measureDax } from "./dax.ts";
import type { PowerBiDataType, PowerBiProjectSpec, PowerBiTable } from "./spec.ts";

/** Data types a push dataset column may have (Microsoft: "Power BI REST API dataset properties"). */
export const PUSH_DATA_TYPES = ["Int64", "Double", "Boolean", "Datetime", "String"] as const;
export type PushDataType = (typeof PUSH_DATA_TYPES)[number];

/** Published push-dataset limits (learn.microsoft.com, "Push semantic model limitations"). */
export const PUSH_LIMITS = {
  tables: 75,
  columnsPerTable: 75,
  relationships: 75,
  rowsPerPost: 10_000,
  rowsPerHour: 1_000_000,
  postsPerMinute: 120,
  stringChars: 4_000,
  rowsPerTable: 5_000_000,
} as const;

/** A TMDL type as the push type that holds it: decimal has no push twin, Double holds it. */
export const PUSH_TYPE: Record<PowerBiDataType, PushDataType> = {
  string: "String",
  int64: "Int64",
  double: "Double",
  decimal: "Double",
  boolean: "Boolean",
  dateTime: "Datetime",
};

/** PutTableInGroup's documented pattern for a table name (1–100 allowed characters). */
const TABLE_NAME =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: tab, LF and CR are in Microsoft's documented pattern
  /^[\x09\x0A\x0D\x20\x23\x2D\x30-\x39\x40-\x5A\x5E-\x5F\x61-\x7A\x7E-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]{1,100}$/u;

export interface PushColumn {
  name: string;
  dataType: PushDataType;
  formatString?: string;
}
export interface PushMeasure {
  name: string;
  expression: string;
  formatString?: string;
}
export interface PushTable {
  name: string;
  columns: PushColumn[];
  measures?: PushMeasure[];
}
export interface PushRelationship {
  name: string;
  fromTable: string;
  fromColumn: string;
  toTable: string;
  toColumn: string;
  crossFilteringBehavior: "OneDirection";
}
export interface PushDataset {
  name: string;
  defaultMode: "Push";
  tables: PushTable[];
  relationships?: PushRelationship[];
}

export interface PushIssue {
  path: string;
  message: string;
}

/** The dataset definition, or the reasons the spec does not fit a push dataset (never throws). */
export function pushDataset(
  spec: PowerBiProjectSpec,
): { ok: true; dataset: PushDataset } | { ok: false; issues: PushIssue[] } {
  const issues: PushIssue[] = [];
  if (spec.tables.length > PUSH_LIMITS.tables)
    issues.push({ path: "tables", message: `a push dataset holds at most ${PUSH_LIMITS.tables} tables` });
  if (spec.relationships.length > PUSH_LIMITS.relationships)
    issues.push({
      path: "relationships",
      message: `a push dataset holds at most ${PUSH_LIMITS.relationships} relationships`,
    });
  const tables: PushTable[] = spec.tables.map((t, i) => {
    if (!TABLE_NAME.test(t.name))
      issues.push({ path: `tables.${i}.name`, message: "not a name Power BI accepts for a push table" });
    if (t.columns.length > PUSH_LIMITS.columnsPerTable)
      issues.push({
        path: `tables.${i}.columns`,
        message: `a push table holds at most ${PUSH_LIMITS.columnsPerTable} columns`,
      });
    const measures = spec.measures
      .filter((m) => m.table === t.name)
      .map((m): PushMeasure => {
        const column = t.columns.find((c) => c.name === m.column)!;
        return {
          name: m.name,
          expression: measureDax(m.aggregation, t.name, column),
          ...(m.formatString ? { formatString: m.formatString } : {}),
        };
      });
    return {
      name: t.name,
      columns: t.columns.map((c) => ({
        name: c.name,
        dataType: PUSH_TYPE[c.dataType],
        ...(c.formatString ? { formatString: c.formatString } : {}),
      })),
      ...(measures.length ? { measures } : {}),
    };
  });
  if (issues.length) return { ok: false, issues };
  const relationships = spec.relationships.map(
    (r): PushRelationship => ({
      name: `${r.from.table}.${r.from.column} → ${r.to.table}.${r.to.column}`.slice(0, 200),
      fromTable: r.from.table,
      fromColumn: r.from.column,
      toTable: r.to.table,
      toColumn: r.to.column,
      crossFilteringBehavior: "OneDirection",
    }),
  );
  return {
    ok: true,
    dataset: {
      name: spec.name,
      defaultMode: "Push",
      tables,
      ...(relationships.length ? { relationships } : {}),
    },
  };
}

export type PushValue = string | number | boolean | null;

/**
 * One source row (keyed by the columns' source names, as the stored Parquet copy reads) as a push
 * row keyed by column name: Int64 as a whole number (a fraction is rounded, as the .pbip's Power
 * Query type conversion does), Double as a number, Boolean, Datetime as ISO 8601, String as text
 * cut to the service's 4,000 characters. Values that cannot be the column's type become null.
 */
export function pushRow(table: PowerBiTable, row: Record<string, unknown>): Record<string, PushValue> {
  const out: Record<string, PushValue> = {};
  for (const c of table.columns) {
    const v = row[c.sourceColumn ?? c.name];
    out[c.name] = pushValue(PUSH_TYPE[c.dataType], v);
  }
  return out;
}

function pushValue(type: PushDataType, v: unknown): PushValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "Int64": {
      const n = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : Number(v);
      return Number.isFinite(n) ? Math.round(n) : null;
    }
    case "Double": {
      const n = typeof v === "number" ? v : Number(v);
      return Number.isFinite(n) ? n : null;
    }
    case "Boolean":
      if (typeof v === "boolean") return v;
      if (v === "true" || v === 1) return true;
      if (v === "false" || v === 0) return false;
      return null;
    case "Datetime": {
      const d =
        v instanceof Date
          ? v
          : new Date(typeof v === "string" && v.length === 10 ? `${v}T00:00:00Z` : String(v));
      return Number.isNaN(d.getTime()) ? null : d.toISOString();
    }
    case "String": {
      const s = v instanceof Date ? v.toISOString() : String(v);
      return s.length > PUSH_LIMITS.stringChars ? s.slice(0, PUSH_LIMITS.stringChars) : s;
    }
  }
}
