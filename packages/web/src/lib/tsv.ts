import { parseEntry } from "./number-entry.ts";
import { defaultsOf, type Field, type JsonSchema } from "./schema.ts";

// Cells typed or pasted from a spreadsheet, turned into what the input schema expects.

export type Row = Record<string, unknown>;

export interface Column {
  key: string;
  title: string;
  field: Field;
  unit?: string;
}

/**
 * A typed or pasted cell as the schema wants it: "1,250,000" → 1250000, "5%" → 0.05, "" → absent;
 * in a percent column (unit fraction) "20" → 0.2.
 */
export function coerce(raw: string, column: Column): unknown {
  const t = raw.trim();
  const kind = column.field.kind;
  if (t === "") return column.field.nullable ? null : undefined;
  if (kind === "number") {
    // In a percent column (unit fraction) 20 and 20% are both 0.2, as the grid shows 20.00.
    const entry = parseEntry(t, column.unit);
    return entry.ok ? entry.value : t; // kept as typed: validation names the cell
  }
  if (kind === "boolean") return /^(true|yes|y|1|x)$/i.test(t);
  if (kind === "enum")
    return (column.field.options ?? []).find((o) => String(o).toLowerCase() === t.toLowerCase()) ?? t;
  if (kind === "json" || kind === "numbers" || kind === "strings") {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  }
  return t;
}

/**
 * Pastes a tab-separated block at (row, col), adding rows as needed. When the first line names
 * columns (by key or title, any case), it maps the block's columns to those instead.
 */
export function pasteTsv(
  rows: Row[],
  columns: Column[],
  r0: number,
  c0: number,
  text: string,
  itemSchema: JsonSchema,
): Row[] {
  const lines = text
    .replace(/\r\n?/g, "\n")
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => l.split("\t"));
  const norm = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "");
  const byName = new Map(columns.flatMap((c) => [[norm(c.key), c] as const, [norm(c.title), c] as const]));
  let mapping: (Column | undefined)[] = lines[0]!.map((_, i) => columns[c0 + i]);
  let data = lines;
  const header = lines[0]!.map((h) => byName.get(norm(h)));
  if (header.filter(Boolean).length >= Math.max(1, Math.ceil(lines[0]!.length / 2))) {
    mapping = header;
    data = lines.slice(1);
  }
  const next = rows.slice();
  data.forEach((cells, i) => {
    const r = r0 + i;
    const row: Row = { ...(next[r] ?? defaultsOf(itemSchema)) };
    cells.forEach((cell, j) => {
      const col = mapping[j];
      if (!col) return;
      const v = coerce(cell, col);
      if (v === undefined) delete row[col.key];
      else row[col.key] = v;
    });
    next[r] = row;
  });
  return next;
}
