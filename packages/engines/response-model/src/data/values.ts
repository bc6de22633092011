/**
 * Reading one cell as the prototype does before deciding a field's type: `$`, `,` and `%` are
 * removed, leading and trailing spaces trimmed, then the text must be a plain decimal number
 * (sign, digits, one point, optional exponent). The same rule as preparation's
 * `parseNumericText` (src/prepare), so the checks judge exactly what will be fitted and scored.
 */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a cell holds, or `null` when it is missing or not numeric. */
export function parseNumeric(cell: string | null): number | null {
  if (cell === null) return null;
  const text = cell.replace(/[$,%]/g, "").replace(/^ +| +$/g, "");
  if (!NUMBER.test(text)) return null;
  const x = Number(text);
  return Number.isFinite(x) ? x : null;
}

/** A cell is missing when null or empty, as preparation reads it (a cell of spaces is a value). */
export function isMissing(cell: string | null): cell is null {
  return cell === null || cell === "";
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
