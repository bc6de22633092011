/**
 * What the engine reads about a table: the platform's file profile (server `ColumnProfileDto`)
 * maps onto these shapes field for field, plus an optional sample of rows, which grain detection,
 * relationship overlap and measure correlation use when present.
 */
export type ColumnType = "integer" | "number" | "boolean" | "date" | "datetime" | "time" | "string";
export type ValuePattern = "percent" | "currency" | "email" | "identifier" | null;
export type CellValue = string | number | boolean | null;

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  pattern?: ValuePattern;
  /** Non-empty values. */
  count: number;
  missing: number;
  distinct: number;
  min: number | string | null;
  max: number | string | null;
  mean?: number | null;
  /** A few distinct values, as the profiler saw them first. */
  examples: (string | number | boolean)[];
}

export interface TableProfile {
  /** The table's name in plans and queries (for a file: its name without the extension). */
  name: string;
  rowCount: number;
  columns: ColumnProfile[];
  /** Up to a few thousand rows (all of a small file), keyed by column name. */
  sampleRows?: Record<string, CellValue>[];
}

export type SemanticRole = "measure" | "dimension" | "time" | "geography" | "identifier" | "text";
export type GeoKind =
  | "us-state"
  | "country"
  | "us-county"
  | "city"
  | "postal-code"
  | "latitude"
  | "longitude";
export type ColumnGrain = "year" | "quarter" | "month" | "week" | "day" | "hour";

export interface ColumnRole {
  column: string;
  type: ColumnType;
  role: SemanticRole;
  /** Geography only: what kind of region the values name. */
  geo?: GeoKind;
  /** Time only: the finest grain the values carry (a year column is "year"). */
  grain?: ColumnGrain;
  /** Measures only: how a total is formed — sum for counts and amounts, avg for rates and levels. */
  defaultAggregation?: "sum" | "avg";
  /** Measures only: the values are percent points (12.5 means 12.5 %). */
  percent?: boolean;
  /** Dimensions, geography, identifiers: distinct values. */
  cardinality: number;
  /** Why, in words (shown to the user and to the language-model planner). */
  reasons: string[];
}

export interface TableAnalysis {
  name: string;
  rowCount: number;
  columns: ColumnRole[];
  /** Columns whose values together make rows unique; null when no key was found. */
  grain: { columns: string[]; evidence: string } | null;
  /** The time columns' ranges, as ISO text or years. */
  dateRange: { column: string; min: string; max: string; grain: ColumnGrain } | null;
}

export interface Relationship {
  /** The many side (facts). */
  from: { table: string; column: string };
  /** The one side (a key of its table). */
  to: { table: string; column: string };
  cardinality: "many-to-one" | "one-to-one" | "many-to-many";
  /** Share of the from-side's distinct sampled values found on the to-side, 0–1. */
  overlap: number;
  reasons: string[];
}
