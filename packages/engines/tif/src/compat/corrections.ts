import type { CoreInput } from "../schema.ts";

/**
 * The switches that turn the prototype's calculation (tif@1) into the corrected one (tif@2).
 * tif@1 runs with PROTOTYPE (every defect kept); tif@2 builds its Corrections from its input
 * (src/v2/deal.ts). Each switch names the defect it fixes ("Parity traps" in the spec).
 */
export interface Corrections {
  /** Trap 4: construction interest is capitalized into the loan only, not also paid from equity. */
  interestPaidOnce: boolean;
  /** Trap 5: the reversion month pays the payment and the balance left after it, not the opening balance. */
  lastPrincipalOnce: boolean;
  /** Trap 5: mezzanine and preferred equity are funded at period 1, paid monthly from period 2 and repaid at the reversion. */
  mezzanineAndPreferredFunded: boolean;
  /** Trap 10: `reversionNoiBasis: "trailing"` capitalizes the 12 months of NOI before the reversion month. */
  trailingExitApplies: boolean;
  /** Trap 7: the TIF lump sum is a source of funds drawn before equity, not an IRR-only adjustment. */
  lumpSumIsSource: boolean;
  /** SMART housing fee waiver, $: subtracted from soft costs (0 = none). */
  softCostWaiverUsd: number;
  /** Net-to-gross efficiency for unit types without a net area (null = the prototype's int(gsf × 0.82)). */
  netToGrossEfficiency: number | null;
  /**
   * Trap 3: one draw schedule. The IDC fixed point simulates the cash flow's own schedule (land and
   * soft costs over predevelopment, hard costs over construction, equity first, then debt, interest
   * capitalized), so the S&U IDC is the interest the rows accrue and the payoff equals the loan.
   */
  oneDrawSchedule: boolean;
  /** Trap 6: the TIF window starts at the assessed value's step-up month L + 1 (+ delay), not at L. */
  tifWindowAtStepUp: boolean;
  /**
   * Trap 8: the permanent loan is sized on the conversion month's (L + 1) row — trended rents and
   * opex, tax on that month's assessed value net of abatement, TIF reimbursement — at the lender's
   * underwriting vacancy, less replacement reserves; not on unescalated rents and a TDC tax.
   */
  sizingOnConversionRow: boolean;
  /** The unlevered IRR counts the land (the prototype adds it back at period 1 while the exit value includes it). */
  landInUnleveredIrr: boolean;
  /**
   * The TIF terms once the TDC is known (incentives driven by the tier: the lump sum is the
   * calculator's amount on the TDC). null = the input's `tif` as given.
   */
  tifFromTdc: ((tdcUsd: number) => CoreTif) | null;
}

type CoreTif = CoreInput["tif"];

export const PROTOTYPE: Corrections = {
  interestPaidOnce: false,
  lastPrincipalOnce: false,
  mezzanineAndPreferredFunded: false,
  trailingExitApplies: false,
  lumpSumIsSource: false,
  softCostWaiverUsd: 0,
  netToGrossEfficiency: null,
  oneDrawSchedule: false,
  tifWindowAtStepUp: false,
  sizingOnConversionRow: false,
  landInUnleveredIrr: false,
  tifFromTdc: null,
};
