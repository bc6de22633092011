/**
 * Are two models' AUCs on the same rows different? DeLong, DeLong & Clarke-Pearson (1988), the
 * paired test: with each row's structural component under both models (V10 for responders, V01
 * for non-responders — see delong.ts), Var(AUC_B − AUC_A) = (S10_AA + S10_BB − 2·S10_AB)/m +
 * (S01_AA + S01_BB − 2·S01_AB)/n, z = difference / √Var, two-sided p = erfc(|z|/√2). This is
 * pROC's `roc.test(method = "delong")`. Use it to ask whether a forward-selection step, or a kept
 * leakage field, really adds anything.
 */
import { type Labels, type ScoreBlocks, type Scores, scoreBlocks } from "./blocks.ts";
import { normalQuantile } from "./delong.ts";

export interface AucComparison {
  aucA: number;
  aucB: number;
  /** AUC_B − AUC_A. */
  difference: number;
  standardError: number;
  z: number;
  /** Two-sided. */
  pValue: number;
  /** Confidence interval of the difference. */
  lower: number;
  upper: number;
  level: number;
}

/** Each row's DeLong component: V10 for a responder, V01 for a non-responder. */
export function delongComponentsByRow(
  y: Labels,
  p: Scores,
): { components: Float64Array; blocks: ScoreBlocks } {
  const b = scoreBlocks(y, p);
  const k = b.score.length;
  const v10 = new Float64Array(k);
  const v01 = new Float64Array(k);
  let negBelow = b.negatives;
  let posAbove = 0;
  for (let j = 0; j < k; j++) {
    const pos = b.pos[j] as number;
    const neg = b.neg[j] as number;
    negBelow -= neg;
    v10[j] = (negBelow + neg / 2) / b.negatives;
    v01[j] = (posAbove + pos / 2) / b.positives;
    posAbove += pos;
  }
  const components = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    // Blocks are in descending score order: find this row's block by binary search.
    const s = p[i] as number;
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b.score[mid] as number) > s) lo = mid + 1;
      else hi = mid;
    }
    components[i] = y[i] === 1 ? (v10[lo] as number) : (v01[lo] as number);
  }
  return { components, blocks: b };
}

/**
 * erfc(x) to ~1e-13 relative (1 − erf loses digits near x = 2): for x < 2, 1 − erf by the all-positive series
 * erf x = (2/√π) e^(−x²) Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)); beyond, the continued fraction
 * erfc x = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))) by Lentz's method.
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

export function compareAucDeLong(y: Labels, pA: Scores, pB: Scores, level = 0.95): AucComparison {
  if (pA.length !== pB.length) throw new Error("the two score sets differ in length");
  const a = delongComponentsByRow(y, pA);
  const b = delongComponentsByRow(y, pB);
  const m = a.blocks.positives;
  const n = a.blocks.negatives;
  if (m < 2 || n < 2)
    throw new Error("the paired DeLong test needs at least 2 responders and 2 non-responders");
  let aucA = 0;
  let aucB = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    aucA += a.components[i] as number;
    aucB += b.components[i] as number;
  }
  aucA /= m;
  aucB /= m;
  // Sample (co)variances of the components, responders and non-responders apart; both means are the AUCs.
  let s10 = 0;
  let s01 = 0;
  for (let i = 0; i < y.length; i++) {
    const d = (b.components[i] as number) - (a.components[i] as number) - (aucB - aucA);
    if (y[i] === 1) s10 += d * d;
    else s01 += d * d;
  }
  const variance = s10 / (m - 1) / m + s01 / (n - 1) / n;
  const standardError = Math.sqrt(variance);
  const difference = aucB - aucA;
  const z = standardError === 0 ? 0 : difference / standardError;
  const zq = normalQuantile(1 - (1 - level) / 2);
  return {
    aucA,
    aucB,
    difference,
    standardError,
    z,
    pValue: standardError === 0 ? 1 : erfc(Math.abs(z) / Math.SQRT2),
    lower: difference - zq * standardError,
    upper: difference + zq * standardError,
    level,
  };
}
