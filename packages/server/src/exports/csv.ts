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

/** Rows stringified between yields to the event loop, so one big export does not stall other requests. */
const ROWS_PER_SLICE = 5_000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const options = { record_delimiter: "\r\n" } as const;

export async function tableCsv(t: ResolvedTable): Promise<string> {
  const parts = [BOM, stringify([t.columns.map((c) => csvValue(titleWithUnit(c.title, c)))], options)];
  for (let start = 0; start < t.rows.length; start += ROWS_PER_SLICE) {
    if (start > 0) await yieldToEventLoop();
    const slice = t.rows.slice(start, start + ROWS_PER_SLICE);
    parts.push(
      stringify(
        slice.map((row) => t.columns.map((c) => csvValue(row[c.key]))),
        options,
      ),
    );
  }
  return parts.join("");
}

export async function renderCsv(r: RunReport): Promise<{ body: Buffer; zip: boolean }> {
  if (r.tables.length === 1) return { body: Buffer.from(await tableCsv(r.tables[0]!)), zip: false };
  const enc = new TextEncoder();
  const files: Record<string, Uint8Array> = {};
  for (const t of r.tables)
    files[`${t.name.replace(/[^A-Za-z0-9_-]+/g, "-")}.csv`] = enc.encode(await tableCsv(t));
  return { body: Buffer.from(zipSync(files, { level: 6, mtime: new Date() })), zip: true };
}
