/**
 * Reading one cell as the prototype does before deciding a field's type: `$`, `,` and `%` are
 * removed, surrounding blanks ignored, then the text must be a plain decimal number (as
 * `pd.to_numeric` accepts: sign, digits, one point, optional exponent).
 */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a cell holds, or `null` when it is missing or not numeric. */
export function parseNumeric(cell: string | null): number | null {
  if (cell === null) return null;
  const text = cell.replace(/[$,%]/g, "").trim();
  if (!NUMBER.test(text)) return null;
  const x = Number(text);
  return Number.isFinite(x) ? x : null;
}

/** A cell counts as missing when null or blank (a CSV cell of spaces is as empty as ""). */
export function isMissing(cell: string | null): cell is null {
  return cell === null || cell.trim() === "";
}

/** Natural order for level labels: digits compare as numbers ("2" < "10"), text ignores case. */
export function compareLevels(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true, sensitivity: "base" });
}

/** Every cell as a number, NaN where missing or not numeric. */
export function numericValues(cells: readonly (string | null)[]): Float64Array {
  const out = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) out[i] = parseNumeric(cells[i] ?? null) ?? Number.NaN;
  return out;
}
