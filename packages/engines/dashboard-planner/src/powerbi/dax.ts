/**
 * DAX for the model's measures and histogram bins. Table names are always quoted ('Sales') and
 * column names bracketed ([Amount]), escaping ' and ] by doubling, so any name round-trips.
 */
import type { Aggregation, PowerBiColumn } from "./spec.ts";

export const daxTable = (table: string) => `'${table.replaceAll("'", "''")}'`;
export const daxColumn = (table: string, column: string) =>
  `${daxTable(table)}[${column.replaceAll("]", "]]")}]`;

const FUNCTION: Record<Aggregation, string> = {
  sum: "SUM",
  average: "AVERAGE",
  min: "MIN",
  max: "MAX",
  count: "COUNT",
  distinctcount: "DISTINCTCOUNT",
  median: "MEDIAN",
};

/** `SUM('Sales'[Amount])` and friends. COUNT skips booleans in DAX; COUNTA counts them. */
export function measureDax(aggregation: Aggregation, table: string, column: PowerBiColumn): string {
  const fn = aggregation === "count" && column.dataType === "boolean" ? "COUNTA" : FUNCTION[aggregation];
  return `${fn}(${daxColumn(table, column.name)})`;
}

/**
 * Lower edge of the bin a value falls in. INT rounds toward minus infinity, so -0.5 lands in
 * [-w, 0) like any histogram; blanks stay blank instead of joining the bin at zero.
 */
export function binDax(table: string, column: string, binWidth: number): string {
  const ref = daxColumn(table, column);
  return `IF(ISBLANK(${ref}), BLANK(), INT(${ref} / ${binWidth}) * ${binWidth})`;
}

/**
 * The aggregation function number of Power BI's semantic query (semanticQuery schema,
 * QueryAggregateFunction), used where the report must aggregate a column itself: the top-N
 * filter's ranking, which Power BI Desktop cannot evaluate over a measure reference.
 */
export const QUERY_AGGREGATE_FUNCTION: Record<Aggregation, number> = {
  sum: 0,
  average: 1,
  distinctcount: 2,
  min: 3,
  max: 4,
  count: 5,
  median: 6,
};
