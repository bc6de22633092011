/** The vocabulary the spec, its checks and the writers share. */

export const DATA_TYPES = ["string", "int64", "double", "decimal", "boolean", "dateTime"] as const;
export type PowerBiDataType = (typeof DATA_TYPES)[number];
export const NUMERIC_TYPES: readonly PowerBiDataType[] = ["int64", "double", "decimal"];

export const AGGREGATIONS = ["sum", "average", "min", "max", "count", "distinctcount", "median"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** The column a histogram bins into: one per (table, column, bin width). */
export function binColumnName(column: string, binWidth: number): string {
  return `${column} (bins of ${binWidth})`;
}
