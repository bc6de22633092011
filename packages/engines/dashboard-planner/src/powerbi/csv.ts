/**
 * A table's rows as the CSV its partition query reads (m-query.ts): UTF-8, comma-separated,
 * RFC 4180 quoting, a header row of source column names, numbers with "." decimals, booleans as
 * true/false, dates as ISO 8601 without a zone (UTC), empty for null. Writing the file here keeps
 * the format and the M that parses it in one place.
 */
import type { PowerBiTable } from "./spec.ts";

export type CsvValue = string | number | bigint | boolean | Date | null | undefined;

function field(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return "";
    const iso = value.toISOString();
    // Midnight dates stay dates; Power Query reads both forms as datetime.
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19);
  }
  if (typeof value === "number") {
    // Written as given: converting it (an int64 column's 2.9, say) is the partition query's job.
    return Number.isFinite(value) ? String(value) : "";
  }
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  return field(value);
}

/**
 * @param rows objects keyed by the columns' source names (`sourceColumn ?? name`), or arrays in
 *   the table's column order.
 */
export function powerBiCsv(
  table: PowerBiTable,
  rows: Iterable<Record<string, CsvValue> | CsvValue[]>,
): string {
  const sources = table.columns.map((c) => c.sourceColumn ?? c.name);
  const lines = [sources.map(field).join(",")];
  for (const row of rows) {
    const values = Array.isArray(row) ? row : sources.map((s) => row[s]);
    lines.push(table.columns.map((_, i) => cell(values[i])).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
