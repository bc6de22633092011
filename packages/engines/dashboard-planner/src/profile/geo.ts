import { COUNTRIES, US_STATES } from "./regions.ts";
import type { GeoKind } from "./types.ts";

const key = (s: string) => s.trim().toLowerCase();
const STATE_KEYS = new Set(US_STATES.flatMap(([name, code]) => [key(name), key(code)]));
const COUNTRY_KEYS = new Set(COUNTRIES.flatMap((names) => names.map(key)));

/**
 * Which region list the text values belong to: at least 90 % of them, and at least three distinct
 * matches (or all, when fewer exist), so a column of one-letter codes or a yes/no flag never
 * passes for geography by chance. US states are tried first: "Georgia" is both.
 */
export function regionKindOf(values: readonly string[]): GeoKind | null {
  const distinct = [...new Set(values.map(key).filter((v) => v !== ""))];
  if (distinct.length === 0) return null;
  const need = Math.min(3, distinct.length);
  for (const [kind, keys] of [
    ["us-state", STATE_KEYS],
    ["country", COUNTRY_KEYS],
  ] as const) {
    const hits = distinct.filter((v) => keys.has(v)).length;
    if (hits >= need && hits >= 0.9 * distinct.length && distinct.some((v) => v.length > 1)) return kind;
  }
  return null;
}
