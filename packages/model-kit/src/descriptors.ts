/**
 * What an engine asks the platform to show and export, beside its raw output: tables (rows
 * taken from an array in the output) and charts drawn from those tables. Units travel with the
 * columns so every number a user sees says what it is.
 */
export type ColumnFormat = "text" | "integer" | "number" | "percent" | "currency" | "date";

export interface ColumnDescriptor {
  /** Property of each row object. */
  key: string;
  title: string;
  /** e.g. "USD", "AED", "months", "fraction" (0–1), "%/yr". */
  unit?: string;
  format?: ColumnFormat;
  /** Decimal places to show (exports keep full precision). */
  decimals?: number;
}

export interface TableDescriptor {
  name: string;
  title: string;
  /** Dotted path of the array of row objects in the output, e.g. "schedule.monthly". */
  rows: string;
  columns: ColumnDescriptor[];
}

export interface ChartDescriptor {
  name: string;
  title: string;
  kind: "line" | "bar" | "stacked-bar" | "area" | "scatter" | "pie";
  /** Name of the table the chart draws from. */
  table: string;
  x: string;
  y: string[];
}

/** Reads a dotted path (`a.b.c`) from a value; undefined when any step is missing. */
export function valueAtPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
