/**
 * Records as the platform hands them to the model (JSON objects of one customer each, as a mapped
 * upload or the CLI's `--data` gives them) turned into the column-wise `RawTable` the engine reads,
 * and a fingerprint of the data a model was fitted on.
 */
import type { RawTable } from "./types.ts";

export type CellValue = string | number | boolean | null;
export type CustomerRecord = Record<string, CellValue | undefined>;

/** A cell as the file would hold it: numbers in their shortest form, booleans as true/false, "" → missing. */
export function cellText(v: CellValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  const text = typeof v === "string" ? v : String(v);
  return text === "" ? null : text;
}

/**
 * Columns in first-seen key order; a key absent from a record is missing there. `fields` are
 * always present (all-missing when no record has them): a scoring batch may hold no value of a field.
 */
export function recordsToTable(records: readonly CustomerRecord[], fields: readonly string[] = []): RawTable {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of [...records, Object.fromEntries(fields.map((f) => [f, null]))])
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
  const columns: RawTable["columns"] = {};
  for (const name of names) columns[name] = records.map((r) => cellText(r[name]));
  return { names, columns, rowCount: records.length };
}

/** The rows `rows` of a table (in that order), columns copied. */
export function subsetTable(table: RawTable, rows: ArrayLike<number>): RawTable {
  const columns: RawTable["columns"] = {};
  for (const name of table.names) {
    const src = table.columns[name] ?? [];
    const out: (string | null)[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = src[rows[i] as number] ?? null;
    columns[name] = out;
  }
  return { names: [...table.names], columns, rowCount: rows.length };
}

/**
 * Simple CSV text (no quoted cells, the prototype fixtures' form) → records with text values;
 * empty cells are left out. For the committed example data only: real files go through the
 * platform's parser (or the CLI's csv-parse).
 */
export function simpleCsvRecords(text: string): Record<string, string>[] {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((l) => l !== "");
  const header = (lines[0] ?? "").split(",");
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    const r: Record<string, string> = {};
    header.forEach((h, j) => {
      const c = cells[j] ?? "";
      if (c !== "") r[h] = c;
    });
    return r;
  });
}

/**
 * A fingerprint of the table (names, row count, every cell): 64 bits of FNV-1a as hex. Not a
 * cryptographic hash — it tells a data processor whether a file is the one the model was fitted
 * on, and is cheap and pure.
 */
export function tableFingerprint(table: RawTable): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  const feed = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x000193a7) ^ (h2 >>> 15);
    }
    h1 = Math.imul(h1 ^ 0x1f, 0x01000193);
    h2 = Math.imul(h2 ^ 0x1f, 0x000193a7);
  };
  feed(String(table.rowCount));
  for (const name of table.names) {
    feed(name);
    for (const cell of table.columns[name] ?? []) feed(cell ?? "\u0000");
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
  return `fnv64:${hex(h1)}${hex(h2)}`;
}
