/**
 * The tif@2 inputs a Monte Carlo may vary — those the prototype's Monte Carlo varies (spec,
 * "🎲 Monte Carlo": hard costs, soft %, exit cap, rent growth, vacancy, permanent and construction
 * rates, construction and lease-up months) — with the range each may take in tif@2 and how a
 * draw is written into the deal. The order here is the order of the uniforms in every
 * iteration's stream: append, never reorder (it would change every seeded result).
 */
import { TIERS } from "../v2/incentives.ts";
import type { TifV2Input } from "../v2/schema.ts";

export interface Variable {
  key: VariableKey;
  label: string;
  unit: string;
  /** Draws are clamped into [min, max] (after rounding, for whole-month inputs). */
  min: number;
  max: number;
  /** Whole months: draws are rounded half up to the nearest month. */
  integer: boolean;
  /** The deal's own value (the tornado's base). */
  baseOf(deal: TifV2Input): number;
  /** Writes a value into a deal (a copy the caller owns). */
  set(deal: TifV2Input, value: number): void;
}

export const VARIABLE_KEYS = [
  "hardCostPerUnitUsd",
  "softCostShareOfHard",
  "exitCapRate",
  "marketRentGrowthAnnual",
  "vacancyRate",
  "permRateAnnual",
  "constructionRateAnnual",
  "constructionMonths",
  "leaseupMonths",
] as const;
export type VariableKey = (typeof VARIABLE_KEYS)[number];

const plain = (
  key: VariableKey,
  label: string,
  unit: string,
  min: number,
  max: number,
  integer = false,
): Variable => ({
  key,
  label,
  unit,
  min,
  max,
  integer,
  baseOf: (deal) => deal[key],
  set: (deal, value) => {
    deal[key] = value;
  },
});

export const VARIABLES: Record<VariableKey, Variable> = {
  hardCostPerUnitUsd: plain("hardCostPerUnitUsd", "Hard cost per unit", "USD", 0, 10_000_000),
  softCostShareOfHard: plain("softCostShareOfHard", "Soft costs, share of hard", "fraction", 0, 5),
  exitCapRate: plain("exitCapRate", "Exit cap rate", "fraction", 0.001, 0.99),
  marketRentGrowthAnnual: plain("marketRentGrowthAnnual", "Market rent growth", "fraction/yr", -0.99, 0.99),
  vacancyRate: {
    ...plain("vacancyRate", "Stabilized vacancy", "fraction", 0, 0.99),
    // In tif@2 vacancyRate only sizes the permanent loan and the monthly rows use maxOccupancy
    // (spec trap 8); a varied vacancy sets both, occupancy = 1 − vacancy, as the defaults do
    // (6% ↔ 94%), so that it moves the income and not the loan alone.
    set: (deal, value) => {
      deal.vacancyRate = value;
      deal.maxOccupancy = 1 - value;
    },
  },
  permRateAnnual: plain("permRateAnnual", "Permanent loan rate", "fraction/yr", 0, 0.99),
  constructionRateAnnual: plain("constructionRateAnnual", "Construction loan rate", "fraction/yr", 0, 0.99),
  constructionMonths: plain("constructionMonths", "Construction", "months", 1, 600, true),
  leaseupMonths: plain("leaseupMonths", "Lease-up", "months", 0, 600, true),
};

/**
 * The range a distribution's support must lie in for a variable: whole-month inputs accept half
 * a month beyond their limits (a draw of 0.6 rounds to 1), the permanent rate stays above the
 * interest buydown (which tif@2 refuses to take to 0 or below).
 */
export function allowedRange(v: Variable, deal: TifV2Input): { min: number; max: number } {
  let { min, max } = v;
  if (v.integer) {
    min -= 0.5;
    max += 0.5;
  }
  if (v.key === "permRateAnnual") min = Math.max(min, buydownRate(deal) + 0.0001);
  return { min, max };
}

function buydownRate(deal: TifV2Input): number {
  const inc = deal.incentives;
  if (!inc?.interestBuydown) return 0;
  return TIERS[inc.tier].buydownBps / 10_000;
}

/** A raw draw → the value the deal gets (rounded for months, clamped) and whether it was clamped. */
export function settle(v: Variable, range: { min: number; max: number }, raw: number): [number, boolean] {
  const lo = v.integer ? Math.ceil(range.min) + 0 : range.min; // + 0: no −0 from ceil(−0.5)
  const hi = v.integer ? Math.floor(range.max) : range.max;
  const x = v.integer ? Math.floor(raw + 0.5) : raw;
  if (x < lo) return [lo, true];
  if (x > hi) return [hi, true];
  return [x, false];
}
