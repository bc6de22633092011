/**
 * Development costs, reserves, and sources & uses with the interest-during-construction fixed
 * point (spec §2.3 C, E, F; sources_uses.calculate_sources_uses + draw_schedule.generate_draw_schedule).
 */
import type { CoreInput as TifInput } from "../schema.ts";
import { oneDrawSchedule } from "./debt.ts";
import type { Phases } from "./schedule.ts";
import { sCurveWeights } from "./schedule.ts";

export interface Costs {
  land: number;
  /** Hard costs including contingency: units × hcpu × (1 + hc_cont). */
  hard: number;
  /** Soft costs: hard × s_eff, where s_eff includes predev, developer fee and reserves. */
  soft: number;
  softShareEffective: number;
  reserves: number;
  /** Monthly opex ex-tax, unescalated: (utilities + maintenance + misc) × units / 12. */
  monthlyOpex: number;
  display: { hardContingency: number; softContingency: number; predev: number; devFee: number };
}

/**
 * Spec C and E. The reserves (operating months of opex plus a lease-up shortfall that is 0 in
 * every realistic case) are folded into the soft-cost share: s_eff += res / hard.
 */
export function developmentCosts(input: TifInput, ph: Phases, gpr0: number, softCostWaiverUsd = 0): Costs {
  const units = input.targetUnits;
  const hardBase = units * input.hardCostPerUnitUsd;
  const hard = hardBase * (1 + input.hardCostContingencyShare);
  let sEff =
    input.softCostShareOfHard * (1 + input.softCostContingencyShare) +
    input.predevelopmentCostShareOfHard +
    input.developerFeeShareOfHard;
  const opexPerUnit =
    input.opexUtilitiesPerUnitAnnualUsd +
    input.opexMaintenancePerUnitAnnualUsd +
    input.opexMiscPerUnitAnnualUsd;
  const monthlyOpex = (opexPerUnit * units) / 12;
  const leaseupOcc = Math.min(input.leaseupPacePerMonth * ph.LU, input.maxOccupancy);
  const reserves =
    monthlyOpex * input.operatingReserveMonths +
    Math.max(0, monthlyOpex - (gpr0 * leaseupOcc) / 2) * input.leaseupReserveMonths;
  // hard is 0 only with a zero hard cost; the prototype would divide by zero there, we keep 0.
  if (hard > 0) sEff += reserves / hard;
  let soft = hard * sEff;
  // tif@2: the SMART fee waiver removes city fees from the soft costs, dollar for dollar (never below 0).
  if (softCostWaiverUsd > 0) {
    soft = Math.max(0, soft - softCostWaiverUsd);
    if (hard > 0) sEff = soft / hard;
  }
  const softBase = hard * input.softCostShareOfHard;
  return {
    land: input.landCostUsd,
    hard,
    soft,
    softShareEffective: sEff,
    reserves,
    monthlyOpex,
    display: {
      hardContingency: hardBase * input.hardCostContingencyShare,
      softContingency: softBase * input.softCostContingencyShare,
      predev: hard * input.predevelopmentCostShareOfHard,
      devFee: hard * input.developerFeeShareOfHard,
    },
  };
}

export interface SourcesUses {
  idc: number;
  tdc: number;
  constructionLoan: number;
  equity: number;
  iterations: number;
}

const IDC_TOLERANCE = 100;
const IDC_MAX_ITERATIONS = 50;

/**
 * Spec F: IDC as a fixed point. Start at idc = 0; each pass sizes the loan on
 * tdc = land + soft + hard + idc, simulates the S&U draw schedule and takes its interest as the
 * next idc; stop when it moves by less than $100 (at most 50 passes, else the prototype raises
 * ValueError).
 *
 * This S&U schedule is NOT the cash-flow schedule (trap 3; see constructionDrawSchedule in
 * debt.ts): land and soft costs are drawn over predevelopment, the IDC itself is drawn as a
 * construction cost, and lease-up interest counts into IDC.
 */
export function sourcesAndUses(input: TifInput, ph: Phases, costs: Costs): SourcesUses {
  const { land, soft, hard } = costs;
  const ltc = input.constructionLtc;
  const rc = input.constructionRateAnnual / 12;
  const wPre = sCurveWeights(ph.P);
  const wCon = sCurveWeights(ph.Cm);
  let idc = 0;
  for (let it = 1; it <= IDC_MAX_ITERATIONS; it++) {
    const tdc = land + soft + hard + idc;
    const loan = tdc * ltc;
    const eq = tdc - loan;
    let eqRem = eq;
    let bal = 0;
    let newIdc = 0;
    // Predevelopment: equity first; a debt portion (only when equity runs out) accrues interest
    // on the opening balance, capitalized but not counted in IDC.
    for (const w of wPre) {
      const draw = (land + soft) * w;
      const eqPart = Math.min(draw, eqRem);
      eqRem -= eqPart;
      const debt = draw - eqPart;
      if (debt > 0) {
        const interest = bal * rc;
        bal += debt + interest;
      }
    }
    // Construction: (hard + idc) drawn on the S-curve, equity first, mid-month interest.
    for (const w of wCon) {
      const draw = (hard + idc) * w;
      const eqPart = Math.min(draw, eqRem);
      eqRem -= eqPart;
      const debt = draw - eqPart;
      const interest = (bal + debt / 2) * rc;
      bal += debt + interest;
      newIdc += interest;
    }
    // Lease-up: interest accrues on the balance and counts into IDC.
    for (let i = 0; i < ph.LU; i++) {
      const interest = bal * rc;
      bal += interest;
      newIdc += interest;
    }
    if (Math.abs(newIdc - idc) < IDC_TOLERANCE) {
      const finalTdc = land + soft + hard + newIdc;
      const finalLoan = finalTdc * ltc;
      return {
        idc: newIdc,
        tdc: finalTdc,
        constructionLoan: finalLoan,
        equity: finalTdc - finalLoan,
        iterations: it,
      };
    }
    idc = newIdc;
  }
  throw new Error(
    `IDC did not converge within ${IDC_MAX_ITERATIONS} iterations (the prototype raises ValueError)`,
  );
}

/** tif@2's IDC fixed point stops when the interest moves by less than a cent (the prototype: $100). */
const ONE_SCHEDULE_TOLERANCE = 0.01;

/**
 * tif@2 (trap 3): the IDC fixed point on the one draw schedule of the rows (debt.ts
 * oneDrawSchedule): idc = the schedule's interest when equity = (land + soft + hard + idc) ×
 * (1 − LTC). At the fixed point the construction payoff at L + 1 equals the loan.
 */
export function sourcesAndUsesOneSchedule(input: TifInput, ph: Phases, costs: Costs): SourcesUses {
  const { land, soft, hard } = costs;
  const ltc = input.constructionLtc;
  let idc = 0;
  for (let it = 1; it <= IDC_MAX_ITERATIONS; it++) {
    const tdc = land + soft + hard + idc;
    const newIdc = oneDrawSchedule(input, ph, costs, tdc - tdc * ltc, 0, false).interest;
    if (Math.abs(newIdc - idc) < ONE_SCHEDULE_TOLERANCE) {
      const finalTdc = land + soft + hard + newIdc;
      const finalLoan = finalTdc * ltc;
      return {
        idc: newIdc,
        tdc: finalTdc,
        constructionLoan: finalLoan,
        equity: finalTdc - finalLoan,
        iterations: it,
      };
    }
    idc = newIdc;
  }
  throw new Error(`IDC did not converge within ${IDC_MAX_ITERATIONS} iterations`);
}
