/**
 * Property tax and the TIF (spec §2.3 D, H and the TIF items of J;
 * property_tax.calculate_assessed_value_schedule with AT_STABILIZATION and the TDC basis).
 */
import type { CoreInput as TifInput } from "../schema.ts";
import type { Phases } from "./schedule.ts";

export interface TaxStack {
  /** τ: Σ rates / 100 (rates are $ per $100). */
  total: number;
  /** τc: the city rate / 100, the only one in the TIF. */
  city: number;
}

export function taxStack(input: TifInput): TaxStack {
  let sum = 0;
  for (const r of Object.values(input.taxRatesPer100Usd)) sum += r;
  return { total: sum / 100, city: (input.taxRatesPer100Usd.city ?? 0) / 100 };
}

/**
 * AV of period p. Grows by MONTHLY compounding, mg = (1 + g)^(1/12) − 1 (trap 9): the existing
 * AV through L, then TDC from L + 1 (the step-up is at L + 1 while the TIF window is anchored at
 * L, trap 6).
 */
export function assessedValue(input: TifInput, ph: Phases, tdc: number, p: number): number {
  const mg = (1 + input.propertyTaxGrowthAnnual) ** (1 / 12) - 1;
  return p <= ph.L
    ? input.existingAssessedValueUsd * (1 + mg) ** (p - 1)
    : tdc * (1 + mg) ** (p - (ph.L + 1));
}

/** TIF start delay: the keyword argument, else −LU for lease-up timing and 0 for operations. */
export function tifStartDelay(input: TifInput, ph: Phases): number {
  if (input.tif.startDelayMonths !== null) return input.tif.startDelayMonths;
  return input.tifStartTiming === "leaseup" ? -ph.LU : 0;
}

export interface TifMonth {
  abatement: number;
  reimbursement: number;
}

/**
 * TIF of an operating month p > C. Window: p ≥ s and p − s < years × 12, with s = L + delay —
 * anchored at L, the last lease-up month, so an OPERATIONS-timed stream pays a tiny increment on
 * the grown existing AV in month L (trap 6).
 * - abatement: AV × τc/12 × share × aff — on the full AV, not the increment; aff is the
 *   scenario's affordable share (0 for market).
 * - stream: max(0, AV − existing AV) × τc/12 × share.
 * A lump sum changes nothing here: it only enters the levered IRR (trap 7).
 */
export function tifMonth(
  input: TifInput,
  ph: Phases,
  tax: TaxStack,
  av: number,
  p: number,
  aff: number,
  atStepUp = false,
): TifMonth {
  // tif@2 (trap 6): anchored at L + 1, the month the assessed value steps up to the TDC, so an
  // operations-timed window is the first years × 12 months of operations and a lease-up-timed one
  // starts with the first lease-up month (C + 1).
  const s = (atStepUp ? ph.L + 1 : ph.L) + tifStartDelay(input, ph);
  const t = input.tif;
  let abatement = 0;
  let reimbursement = 0;
  if (t.treatment === "abatement" && p >= s && p - s < t.abatementYears * 12) {
    abatement = ((av * tax.city) / 12) * t.abatementShare * aff;
  }
  if (t.treatment === "stream" && p >= s && p - s < t.streamYears * 12) {
    reimbursement = ((Math.max(0, av - input.existingAssessedValueUsd) * tax.city) / 12) * t.streamShare;
  }
  return { abatement, reimbursement };
}
