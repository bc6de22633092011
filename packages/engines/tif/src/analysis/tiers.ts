/**
 * The Austin affordability program by tier (spec §2.2; the prototype's src/models/incentives.py):
 * what a tier requires and what each of its incentives is worth. The SMART waiver and buydown
 * amounts are tif@2's own table (v2/incentives.ts), so both read one source.
 */
import type { AMI_LEVELS } from "../schema.ts";
import { TIERS } from "../v2/incentives.ts";

export type TierNumber = 1 | 2 | 3;

export interface TierProgram {
  /** Affordability requirement: share of units, AMI level, compliance term. */
  affordableShare: number;
  amiLevel: (typeof AMI_LEVELS)[number];
  affordabilityTermYears: number;
  smartWaiverPerAffordableUnitUsd: number;
  /** City tax abatement on the affordable units' share: term and share abated. */
  abatementYears: number;
  abatementShare: number;
  /** TIF: term, escalation of the increment (build-up schedule only) and the capitalization rate. */
  tifTermYears: number;
  tifEscalationAnnual: number;
  tifCapRate: number;
  buydownBps: number;
}

export const TIER_PROGRAM: Record<TierNumber, TierProgram> = {
  1: {
    affordableShare: 0.05,
    amiLevel: "30%",
    affordabilityTermYears: 10,
    smartWaiverPerAffordableUnitUsd: TIERS[1].smartWaiverPerAffordableUnitUsd,
    abatementYears: TIERS[1].abatementYears,
    abatementShare: TIERS[1].abatementShare,
    tifTermYears: TIERS[1].tifTermYears,
    tifEscalationAnnual: 0,
    tifCapRate: TIERS[1].tifCapRate,
    buydownBps: TIERS[1].buydownBps,
  },
  2: {
    affordableShare: 0.2,
    amiLevel: "50%",
    affordabilityTermYears: 20,
    smartWaiverPerAffordableUnitUsd: TIERS[2].smartWaiverPerAffordableUnitUsd,
    abatementYears: TIERS[2].abatementYears,
    abatementShare: TIERS[2].abatementShare,
    tifTermYears: TIERS[2].tifTermYears,
    tifEscalationAnnual: 0.02,
    tifCapRate: TIERS[2].tifCapRate,
    buydownBps: TIERS[2].buydownBps,
  },
  3: {
    affordableShare: 0.1,
    amiLevel: "50%",
    affordabilityTermYears: 20,
    smartWaiverPerAffordableUnitUsd: TIERS[3].smartWaiverPerAffordableUnitUsd,
    abatementYears: TIERS[3].abatementYears,
    abatementShare: TIERS[3].abatementShare,
    tifTermYears: TIERS[3].tifTermYears,
    tifEscalationAnnual: 0.04,
    tifCapRate: TIERS[3].tifCapRate,
    buydownBps: TIERS[3].buydownBps,
  },
};
