import { z } from "zod";

/**
 * Realistic bounds for engine inputs, in one place (issue 19). A number no real user could need
 * (a $1e308 loan, a 1e15-year amortization) is a field-level 422 before any engine code runs:
 * engines iterate, bracket and sum over these values, and a number near the end of the doubles
 * overflows to ±Infinity halfway through a calculation. Each limit is far beyond any real deal,
 * so raising one is a deliberate change here, not an engine's local choice.
 */
export const LIMITS = {
  /** Any amount of money, in any currency: ±1e12 (a trillion; the largest real deals are ~1e10). */
  moneyAbs: 1e12,
  /** An amount that must be more than 0 (a price, a budget) is at least one cent. */
  moneyMinPositive: 0.01,
  /** An annual rate, return or growth, as a fraction: within ±10 (±1,000%). */
  rateAbs: 10,
  /** A count of things (units, deals, iterations, samples): at most 1e7. */
  count: 10_000_000,
  /** A duration in years: at most 100. */
  years: 100,
  /** A duration or a point in time in months: at most 1,200 (100 years). */
  months: 1_200,
  /** An area (square feet or metres): at most 1e9. */
  area: 1e9,
  /** A plain ratio or multiple (DSCR, a coverage, a weight, a score): within ±1e6. */
  ratioAbs: 1e6,
  /** Items in any list of an input, unless the field says fewer: 100,000. */
  arrayItems: 100_000,
} as const;

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * An amount of money: 0 … 1e12 by default; `{ positive: message }`: 0.01 … 1e12, with that
 * message for 0 and below; `{ negative: true }`: −1e12 … 1e12. `what` names the amount in the
 * messages ("the land cost cannot be negative").
 */
export function moneyField(what: string, opts: { negative?: boolean; positive?: string } = {}) {
  const max = z.number().max(LIMITS.moneyAbs, `${what} is at most ${fmt(LIMITS.moneyAbs)} (1e12)`);
  // At least a cent: a price of 1e-308 is "more than 0", and NOI / price overflowed to ∞ (issue 19).
  if (opts.positive !== undefined)
    return max
      .positive({ error: opts.positive, abort: true })
      .min(LIMITS.moneyMinPositive, `${what} is at least 0.01 (one cent)`);
  return opts.negative
    ? max.min(-LIMITS.moneyAbs, `${what} is at least −${fmt(LIMITS.moneyAbs)} (−1e12)`)
    : max.min(0, `${what} cannot be negative`);
}

/**
 * An annual rate, return or growth as a fraction (0.05 = 5%). Default range [0, 1]; engines pass
 * their own narrower range (`{ min: -1, max: 1 }`) but never a wider one than ±LIMITS.rateAbs.
 */
export function rateField(opts: { min?: number; max?: number } = {}) {
  const min = Math.max(opts.min ?? 0, -LIMITS.rateAbs);
  const max = Math.min(opts.max ?? 1, LIMITS.rateAbs);
  return z
    .number()
    .min(min, min === 0 ? "cannot be negative" : `must be at least ${min} (${min * 100}%)`)
    .max(max, `must be at most ${max} (${max * 100}%; give 0.05 for 5%)`);
}

/** A whole count: `min` (default 0) … `max` (default LIMITS.count). */
export function countField(opts: { min?: number; max?: number } = {}) {
  const min = opts.min ?? 0;
  const max = Math.min(opts.max ?? LIMITS.count, LIMITS.count);
  return z
    .number()
    .int("must be a whole number")
    .min(min, `must be at least ${fmt(min)}`)
    .max(max, `must be at most ${fmt(max)}`);
}

/** A whole number of years: `min` (default 0) … LIMITS.years. */
export function yearsField(opts: { min?: number; max?: number } = {}) {
  const min = opts.min ?? 0;
  const max = Math.min(opts.max ?? LIMITS.years, LIMITS.years);
  return z
    .number()
    .int("must be whole years")
    .min(min, `must be at least ${min} year${min === 1 ? "" : "s"}`)
    .max(max, `at most ${max} years`);
}

/** A whole number of months: `min` (default 0) … LIMITS.months. */
export function monthsField(opts: { min?: number; max?: number } = {}) {
  const min = opts.min ?? 0;
  const max = Math.min(opts.max ?? LIMITS.months, LIMITS.months);
  return z
    .number()
    .int("must be a whole number of months")
    .min(min, `must be at least ${min} month${min === 1 ? "" : "s"}`)
    .max(max, `at most ${fmt(max)} months`);
}

/** A plain ratio, multiple, score or weight: `min` (default 0) … `max` (default LIMITS.ratioAbs). */
export function ratioField(opts: { min?: number; max?: number } = {}) {
  const min = Math.max(opts.min ?? 0, -LIMITS.ratioAbs);
  const max = Math.min(opts.max ?? LIMITS.ratioAbs, LIMITS.ratioAbs);
  return z
    .number()
    .min(min, `must be at least ${fmt(min)}`)
    .max(max, `must be at most ${fmt(max)}`);
}

/**
 * Any number whose unit another field decides (a Monte Carlo distribution's min or sd, a solver's
 * bound on a chosen lever): within ±LIMITS.moneyAbs, the widest bound of all.
 */
export function finiteField() {
  return z
    .number()
    .min(-LIMITS.moneyAbs, `must be at least −${fmt(LIMITS.moneyAbs)} (−1e12)`)
    .max(LIMITS.moneyAbs, `must be at most ${fmt(LIMITS.moneyAbs)} (1e12)`);
}

/** An area in square feet or metres: more than 0 … LIMITS.area. */
export function areaField() {
  return z
    .number()
    .positive("must be more than 0")
    .max(LIMITS.area, `must be at most ${fmt(LIMITS.area)}`);
}

/**
 * A map (`{ city: 0.57, county: 0.38 }`) of at most `maxKeys` entries; the bound is published in
 * the JSON Schema as maxProperties.
 */
export function recordField<K extends z.ZodType<string, string>, V extends z.ZodType>(
  key: K,
  value: V,
  maxKeys: number,
) {
  return z
    .record(key, value)
    .refine((r) => Object.keys(r).length <= maxKeys, `at most ${fmt(maxKeys)} entries`)
    .meta({ maxProperties: maxKeys });
}

type Json = { [k: string]: unknown };

/**
 * The places in a model's input where a number, a list or a map has no upper and lower bound, as
 * dotted paths of its input JSON Schema (`tranches[].rateAnnual`, `monthlyCashCap[]` for a list
 * with no maxItems, `caps.sector{}` for a map with no maxProperties). A bound beyond ±1e12 (the
 * widest limit, money) counts as none. The catalog test asserts that every hosted model has none: a new engine that
 * forgets a bound fails CI instead of a user's process.
 */
export function unboundedInputFields(input: z.ZodType): string[] {
  const root = z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as Json;
  const defs = (root.$defs ?? root.definitions ?? {}) as Record<string, Json>;
  const out: string[] = [];
  const seen = new Set<Json>();
  const walk = (s: unknown, path: string): void => {
    if (!s || typeof s !== "object") return;
    let node = s as Json;
    if (typeof node.$ref === "string") {
      const name = node.$ref.replace(/^#\/(\$defs|definitions)\//, "");
      const target = defs[name];
      if (!target || seen.has(target)) return;
      seen.add(target);
      node = target;
    }
    const type = node.type;
    const types = Array.isArray(type) ? type : [type];
    const fixed = node.const !== undefined || node.enum !== undefined; // a literal: bounded by itself
    if ((types.includes("number") || types.includes("integer")) && !fixed) {
      const lo = node.minimum !== undefined || node.exclusiveMinimum !== undefined;
      const hi = node.maximum !== undefined || node.exclusiveMaximum !== undefined;
      const bounds = [node.minimum, node.exclusiveMinimum, node.maximum, node.exclusiveMaximum];
      const wide = bounds.some((b) => typeof b === "number" && Math.abs(b) > LIMITS.moneyAbs);
      if (!lo || !hi || wide) out.push(path || "(root)");
    }
    if (types.includes("array") && node.items !== undefined && node.maxItems === undefined)
      out.push(`${path}[]`);
    if (
      types.includes("object") &&
      node.additionalProperties &&
      typeof node.additionalProperties === "object"
    ) {
      if (node.maxProperties === undefined) out.push(`${path}{}`);
      walk(node.additionalProperties, `${path}{}`);
    }
    for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, unknown>))
      walk(v, path ? `${path}.${k}` : k);
    if (node.items) walk(node.items, `${path}[]`);
    for (const key of ["anyOf", "oneOf", "allOf"] as const)
      for (const sub of (node[key] ?? []) as unknown[]) walk(sub, path);
  };
  walk(root, "");
  return [...new Set(out)];
}
