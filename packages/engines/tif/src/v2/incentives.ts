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
}

export const TIERS: Record<1 | 2 | 3, Tier> = {
  1: { smartWaiverPerAffordableUnitUsd: 35_000, buydownBps: 300 },
  2: { smartWaiverPerAffordableUnitUsd: 17_500, buydownBps: 150 },
  3: { smartWaiverPerAffordableUnitUsd: 7_500, buydownBps: 75 },
};

/** Net-to-gross efficiency by construction type (the prototype's table; units/acre are not used). */
export const CONSTRUCTION_EFFICIENCY: Record<(typeof CONSTRUCTION_TYPES)[number], number> = {
  garden: 0.805,
  small_courtyard: 0.93,
  corridor: 0.86,
  podium_midrise_5over1: 0.85,
  wrap: 0.76,
  highrise: 0.73,
};
