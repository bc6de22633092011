/**
 * Timing: phase boundaries, the S-curve draw weights and the escalation year (spec §2.3 notation,
 * F.4 and J).
 */

export interface Phases {
  /** Predevelopment, construction, lease-up, operations lengths in months. */
  P: number;
  Cm: number;
  LU: number;
  O: number;
  /** Construction end C = P + Cm. */
  C: number;
  /** Lease-up end L = C + LU (the last lease-up month). */
  L: number;
  /** Total periods T = L + O + 1; the reversion is period T. */
  T: number;
}

export function phases(P: number, Cm: number, LU: number, O: number): Phases {
  const C = P + Cm;
  const L = C + LU;
  return { P, Cm, LU, O, C, L, T: L + O + 1 };
}

/**
 * Normalized logistic S-curve, steepness 4 (draw_schedule.py; spec §2.3 F.4):
 * cum_i = 1/(1 + e^(−4(2i/n − 1))), i = 0..n; w_i = (cum_(i+1) − cum_i) / Σ. n = 1 gives [1].
 */
export function sCurveWeights(n: number): number[] {
  if (n <= 0) return [];
  if (n === 1) return [1];
  const cum: number[] = [];
  for (let i = 0; i <= n; i++) cum.push(1 / (1 + Math.exp(-4 * ((2 * i) / n - 1))));
  const diffs: number[] = [];
  for (let i = 0; i < n; i++) diffs.push(cum[i + 1]! - cum[i]!);
  let total = 0;
  for (const d of diffs) total += d;
  return diffs.map((d) => d / total);
}

/**
 * Escalation year of period p (1-based): 0 through C + 12, then floor((p − C − 1)/12), so rents
 * and opex step up at C + 13, C + 25, … — annual steps anchored at the start of lease-up
 * (spec J and "Parity traps" 9), not at the start of operations.
 */
export function escalationYear(p: number, C: number): number {
  return p <= C + 12 ? 0 : Math.floor((p - C - 1) / 12);
}
