/**
 * IRRs and derived metrics (spec §2.3 K and L).
 */
import { irrRoots } from "../financial.ts";
import type { CoreInput as TifInput } from "../schema.ts";
import type { Row } from "./cashflow.ts";
import type { Corrections } from "./corrections.ts";
import { PROTOTYPE } from "./corrections.ts";
import type { Phases } from "./schedule.ts";

export interface Irr {
  /** Annualized (1 + m)^12 − 1; NaN when no IRR exists. */
  annual: number;
  monthly: number;
  monthlyRoots: number[];
}

/**
 * numpy_financial 1.0.0 `irr` (smallest |monthly rate| among the real roots with 1 + r > 0,
 * trap 2), annualized as (1 + m)^12 − 1. The prototype turns exceptions into 0.0, but with
 * validated finite inputs np.roots cannot raise; NaN (no IRR) stays NaN.
 */
export function annualIrr(values: readonly number[]): Irr {
  const roots = irrRoots(values);
  if (roots.length === 0) return { annual: Number.NaN, monthly: Number.NaN, monthlyRoots: [] };
  let m = roots[0]!;
  for (const r of roots) if (Math.abs(r) < Math.abs(m)) m = r;
  return { annual: (1 + m) ** 12 - 1, monthly: m, monthlyRoots: roots };
}

/**
 * Spec K. Fills the adjusted columns of the rows in place and returns the IRRs.
 * - Unlevered: land is added back at period 1 and the S&U IDC spread evenly over construction
 *   (adjU[i] += IDC/Cm, i = P…C−1 zero-based) — the prototype's `exclude_land_from_irr` and
 *   `exclude_idc_from_irr`.
 * - Levered: with a lump-sum TIF, adjL[0] += min(lump, S&U equity). This is the ONLY place the
 *   lump sum enters (trap 7): not TDC, equity, per-period levered CF, equity multiple or NPV.
 */
export function irrs(
  input: TifInput,
  ph: Phases,
  rows: Row[],
  land: number,
  idc: number,
  equity: number,
  fix: Pick<Corrections, "interestPaidOnce" | "lumpSumIsSource" | "landInUnleveredIrr"> = PROTOTYPE,
) {
  const adjU = rows.map((r) => r.unleveredCf);
  const adjL = rows.map((r) => r.leveredCf);
  // tif@2: the land is a cost of the project like any other (its value is in the exit price).
  if (!fix.landInUnleveredIrr) adjU[0]! += land;
  // tif@2: the unlevered CF carries no interest any more (trap 4), so there is none to add back.
  if (!fix.interestPaidOnce) for (let i = ph.P; i < ph.C; i++) adjU[i]! += idc / ph.Cm;
  const lump = lumpSumApplied(input, equity);
  // tif@2: the lump sum is already in the levered CF as a source of funds (trap 7).
  if (!fix.lumpSumIsSource) adjL[0]! += lump;
  rows.forEach((r, i) => {
    r.adjustedUnleveredCfForIrr = adjU[i]!;
    r.adjustedLeveredCfForIrr = adjL[i]!;
  });
  return { levered: annualIrr(adjL), unlevered: annualIrr(adjU), lumpSumApplied: lump };
}

/** The lump sum that counts: min(lump, S&U equity) with the lump-sum treatment, else 0. */
export function lumpSumApplied(input: TifInput, equity: number): number {
  return input.tif.treatment === "lump_sum" && input.tif.lumpSumUsd > 0
    ? Math.min(input.tif.lumpSumUsd, equity)
    : 0;
}

/** Σ(levered CF > 0) / |Σ(levered CF < 0)| over the unadjusted periods; null with no outflow. */
export function equityMultiple(rows: Row[]): number | null {
  let pos = 0;
  let neg = 0;
  for (const r of rows) {
    if (r.leveredCf > 0) pos += r.leveredCf;
    else if (r.leveredCf < 0) neg += r.leveredCf;
  }
  return neg === 0 ? null : pos / Math.abs(neg);
}

/** The sidebar NPV: Σ levered_i / (1 + m)^i from i = 0, m = (1 + annual)^(1/12) − 1. */
export function sidebarNpv(rows: Row[], annualRate: number): number {
  const m = (1 + annualRate) ** (1 / 12) - 1;
  let total = 0;
  rows.forEach((r, i) => {
    total += r.leveredCf / (1 + m) ** i;
  });
  return total;
}
