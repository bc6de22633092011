import { stringify } from "csv-stringify/sync";
import { zipSync } from "fflate";
import { csvValue, titleWithUnit } from "./cells.ts";
import type { ResolvedTable, RunReport } from "./report.ts";

/**
 * CSV exports: one file per declared table, headers with units, numbers at full precision,
 * text neutralized against formula injection, UTF-8 with a BOM (so Excel reads accents right).
 * One table → a .csv; several → a .zip with one `<table>.csv` each.
 */

const BOM = "\uFEFF";

export function tableCsv(t: ResolvedTable): string {
  const header = t.columns.map((c) => csvValue(titleWithUnit(c.title, c)));
  const rows = t.rows.map((row) => t.columns.map((c) => csvValue(row[c.key])));
  return BOM + stringify([header, ...rows], { record_delimiter: "\r\n" });
}

export function renderCsv(r: RunReport): { body: Buffer; zip: boolean } {
  if (r.tables.length === 1) return { body: Buffer.from(tableCsv(r.tables[0]!)), zip: false };
  const enc = new TextEncoder();
  const files: Record<string, Uint8Array> = {};
  for (const t of r.tables) files[`${t.name.replace(/[^A-Za-z0-9_-]+/g, "-")}.csv`] = enc.encode(tableCsv(t));
  return { body: Buffer.from(zipSync(files, { level: 6, mtime: new Date() })), zip: true };
}
