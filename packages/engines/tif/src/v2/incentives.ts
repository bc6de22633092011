/**
 * The Austin incentive tiers and construction types (spec §2.2; the prototype's
 * src/models/incentives.py and lookups.py), as tif@2 applies them.
 */
import type { CONSTRUCTION_TYPES } from "../schema.ts";

export interface Tier {
  /** SMART housing fee waiver per affordable unit, $. */
  smartWaiverPerAffordableUnitUsd: number;
  /** Permanent-loan interest buydown, basis points. */
  buydownBps: number;
  /** City tax abatement on the affordable share: term (years) and share abated. */
  abatementYears: number;
  abatementShare: number;
  /** TIF: term (years) of the stream and the cap rate that capitalizes the increment into a lump sum. */
  tifTermYears: number;
  tifCapRate: number;
}

export const TIERS: Record<1 | 2 | 3, Tier> = {
  1: {
    smartWaiverPerAffordableUnitUsd: 35_000,
    buydownBps: 300,
    abatementYears: 12,
    abatementShare: 1,
    tifTermYears: 20,
    tifCapRate: 0.095,
  },
  2: {
    smartWaiverPerAffordableUnitUsd: 17_500,
    buydownBps: 150,
    abatementYears: 15,
    abatementShare: 1,
    tifTermYears: 15,
    tifCapRate: 0.095,
  },
  3: {
    smartWaiverPerAffordableUnitUsd: 7_500,
    buydownBps: 75,
    abatementYears: 20,
    abatementShare: 1,
    tifTermYears: 10,
    tifCapRate: 0.095,
  },
};

/**
 * The prototype's TIF lump sum (tif_calculator.calculate_tif_lump_sum_from_tier, spec §2.5): the
 * city's share of the tax increment capitalized at the tier's cap rate,
 * max(0, new AV − base AV) × τc / cap, with the new AV = the deal's TDC.
 */
export function tierLumpSumUsd(
  tdcUsd: number,
  baseAssessedValueUsd: number,
  cityRate: number,
  capRate: number,
) {
  return (Math.max(0, tdcUsd - baseAssessedValueUsd) * cityRate) / capRate;
}

/** Net-to-gross efficiency by construction type (the prototype's table; units/acre are not used). */
export const CONSTRUCTION_EFFICIENCY: Record<(typeof CONSTRUCTION_TYPES)[number], number> = {
  garden: 0.805,
  small_courtyard: 0.93,
  corridor: 0.86,
  podium_midrise_5over1: 0.85,
  wrap: 0.76,
  highrise: 0.73,
};
