/**
 * How text in a numeric field becomes a number — one definition that the engine and every SQL
 * dialect apply identically (src/sql builds the same steps), so a warehouse scores what we score.
 *
 * A value is missing when it is `null` or the empty string. Otherwise `$`, `,` and `%` are removed,
 * leading and trailing spaces are trimmed, and what remains must match NUMBER_PATTERN (plain
 * decimal or scientific notation). JavaScript's `Number()` alone would also accept "0x1f",
 * "Infinity" or "1_0"-free oddities that no SQL cast reads the same way, hence the pattern.
 */
export const NUMBER_PATTERN_SOURCE = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$";
const NUMBER_PATTERN = new RegExp(NUMBER_PATTERN_SOURCE);

/** The characters removed before parsing (currency, thousands separators, percent signs). */
export const NUMERIC_STRIP_CHARS = ["$", ",", "%"] as const;

export function isMissingText(value: string | null | undefined): boolean {
  return value === null || value === undefined || value === "";
}

/** Cleans numeric text as documented above; `undefined` when it is not a number. */
export function parseNumericText(value: string): number | undefined {
  let s = value;
  for (const c of NUMERIC_STRIP_CHARS) s = s.split(c).join("");
  s = s.replace(/^ +| +$/g, "");
  if (!NUMBER_PATTERN.test(s)) return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? x : undefined;
}

/** The median of the values (mean of the middle two for an even count), as pandas computes it. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
