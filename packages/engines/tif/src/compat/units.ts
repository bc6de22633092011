/**
 * Unit allocation and gross potential rent (units.allocate_units, revenue.calculate_gpr; spec
 * §2.3 B).
 */

import type { AmiLimits } from "../reference-data/index.ts";
import type { CoreInput as TifInput } from "../schema.ts";
import { AMI_RENT_LIMITS } from "./lookups.ts";
import { pyInt, pyRound } from "./rounding.ts";

export interface UnitAllocation {
  unitType: TifInput["unitMix"][number]["unitType"];
  grossSqft: number;
  netSqft: number;
  totalUnits: number;
  marketUnits: number;
  affordableUnits: number;
  marketRentMonthlyUsd: number;
  affordableRentMonthlyUsd: number;
  amiTier: string;
}

export interface UnitsAndGpr {
  allocation: UnitAllocation[];
  totalUnits: number;
  affordableUnits: number;
  /** Monthly GPR of the market-rate units, of the affordable units, and their sum (GPR0). */
  gprMarket: number;
  gprAffordable: number;
  gpr0: number;
}

/**
 * `aff` is 0 for the market scenario, else the affordable share (spec A).
 *
 * Quirks reproduced:
 * - Python `round` is half-to-even (trap 1): A = round(units × aff), n = round(units × alloc),
 *   n_aff = round(A × alloc), so the types need not add up to target_units.
 * - A missing NSF falls back to `int(gsf × 0.82)`, truncated on the float product:
 *   600 × 0.82 = 491.99999999999994 → 491.
 */
export function allocateUnits(
  input: TifInput,
  aff: number,
  netToGrossEfficiency: number | null = null,
  amiLimits: AmiLimits = AMI_RENT_LIMITS,
): UnitsAndGpr {
  const units = input.targetUnits;
  const A = pyRound(units * aff);
  const allocation: UnitAllocation[] = [];
  let gprMarket = 0;
  let gprAffordable = 0;
  for (const e of input.unitMix) {
    const n = pyRound(units * e.allocationShare);
    const nAff = pyRound(A * e.allocationShare);
    const nMkt = n - nAff;
    // tif@2: gsf × the construction type's efficiency (no truncation) instead of int(gsf × 0.82).
    const nsf =
      e.netSqft > 0
        ? e.netSqft
        : netToGrossEfficiency !== null
          ? e.grossSqft * netToGrossEfficiency
          : pyInt(e.grossSqft * 0.82);
    const rentMkt =
      e.marketRentMonthlyUsd > 0
        ? e.marketRentMonthlyUsd
        : nsf *
          (e.rentPerNetSqftMonthlyUsd > 0
            ? e.rentPerNetSqftMonthlyUsd
            : input.marketRentPerNetSqftMonthlyUsd);
    const tier = e.amiTier || input.amiLevel;
    const rentAff = nAff > 0 ? amiLimits[tier][e.unitType] : 0;
    gprMarket += rentMkt * nMkt;
    gprAffordable += rentAff * nAff;
    allocation.push({
      unitType: e.unitType,
      grossSqft: e.grossSqft,
      netSqft: nsf,
      totalUnits: n,
      marketUnits: nMkt,
      affordableUnits: nAff,
      marketRentMonthlyUsd: rentMkt,
      affordableRentMonthlyUsd: rentAff,
      amiTier: tier,
    });
  }
  return {
    allocation,
    totalUnits: allocation.reduce((s, a) => s + a.totalUnits, 0),
    affordableUnits: allocation.reduce((s, a) => s + a.affordableUnits, 0),
    gprMarket,
    gprAffordable,
    gpr0: gprMarket + gprAffordable,
  };
}
