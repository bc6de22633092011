import type { TableDescriptor } from "../types.ts";

type Row = Record<string, unknown>;
type Col = TableDescriptor["columns"][number];

/** Sum only what adds up: money and counts, not rates, ratios, balances or labels. */
export function isSummable(c: Col): boolean {
  const u = c.unit ?? "";
  if (c.format === "percent" || c.format === "text" || c.format === "date") return false;
  if (/^(fraction|x|%|months|years)/.test(u) || /per /.test(u) || /\/unit/.test(u)) return false;
  // Balances, per-unit prices and areas describe a row; adding them across rows means nothing.
  if (
    /Eop$|Balance$|balance$|^occupancy|Year$|^period$|^month$|^year$|Rent|rent|PerUnit|perUnit|Sqft|sqft/.test(
      c.key,
    )
  )
    return false;
  return /^(USD|AED|currency|units)/.test(u) || c.format === "currency";
}

/**
 * Whether a table's rows are parts of one whole (deals bought, months, tranches) rather than
 * alternatives or diagnostics (what-ifs, shadow prices, constraint rows, per-year coverage),
 * whose sum would add unrelated numbers.
 */
export function addsUp(t: TableDescriptor): boolean {
  return !/what-?if|shadow|price|constraint|coverage|amortization|scenario|sensitivity/i.test(t.name);
}

export type Period = "monthly" | "quarterly" | "annual";

/**
 * Monthly rows rolled up to quarters or years: flows add up, balances and rates take the
 * period's last month (a quarter's closing balance is its third month's).
 */
export function rollUp(descriptor: TableDescriptor, rows: Row[], period: Period): Row[] {
  if (period === "monthly") return rows;
  const size = period === "quarterly" ? 3 : 12;
  const out: Row[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const agg: Row = {};
    for (const c of descriptor.columns) {
      if (isSummable(c))
        agg[c.key] = chunk.reduce((s, r) => s + (typeof r[c.key] === "number" ? (r[c.key] as number) : 0), 0);
      else agg[c.key] = chunk[chunk.length - 1]![c.key];
    }
    const first = descriptor.columns[0]!.key;
    agg[first] = period === "quarterly" ? `Q${i / 3 + 1}` : `Year ${i / 12 + 1}`;
    out.push(agg);
  }
  return out;
}

/**
 * The rows a table shows at first when it declares which matter (`focus`: the binding rows of a
 * constraint table): only those, unless asked for all; asked for all, those first and the rest
 * after, each in its own order. A table without a focus, or with no focused row, shows every row.
 */
export function focusRows<R extends Row>(
  t: Pick<TableDescriptor, "focus">,
  rows: R[],
  showAll: boolean,
): { rows: R[]; focused: number; total: number } {
  const key = t.focus?.key;
  if (!key) return { rows, focused: rows.length, total: rows.length };
  const hit = rows.filter((r) => r[key] === true);
  if (hit.length === 0) return { rows, focused: 0, total: rows.length };
  return {
    rows: showAll ? [...hit, ...rows.filter((r) => r[key] !== true)] : hit,
    focused: hit.length,
    total: rows.length,
  };
}
