/**
 * The AUC's variance and 95 % confidence interval by DeLong, DeLong & Clarke-Pearson (1988),
 * computed the fast way of Sun & Xu (2014, IEEE Signal Processing Letters 21(11)): the structural
 * components come from three mid-rank vectors instead of the m × n comparison matrix, O(n log n).
 *
 * For m responders X and n non-responders Y, with Tz the mid-ranks in all scores, Tx within X and
 * Ty within Y:  V10ᵢ = (Tzᵢ − Txᵢ)/n,  V01ⱼ = 1 − (Tzⱼ − Tyⱼ)/m,  AUC = mean V10 = mean V01,
 * Var(AUC) = S10/m + S01/n with S the sample variances (divisor m − 1, n − 1). Computed over
 * tie blocks (`aucDeLongFromBlocks`), which is the same arithmetic grouped. The interval is
 * AUC ± z·√Var, clipped to [0, 1] as pROC's `ci.auc(method = "delong")` does.
 */
import { type Labels, type ScoreBlocks, type Scores, scoreBlocks } from "./blocks.ts";

export interface AucWithCi {
  auc: number;
  variance: number;
  standardError: number;
  lower: number;
  upper: number;
  /** Confidence level, 0.95 by default. */
  level: number;
}

/** Standard normal quantile by Acklam's rational approximation (|relative error| < 1.15e-9: ample for an interval). */
export function normalQuantile(prob: number): number {
  if (!(prob > 0 && prob < 1)) throw new Error(`probability ${prob} must be in (0, 1)`);
  const [a0, a1, a2, a3, a4, a5] = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const [b0, b1, b2, b3, b4] = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const [c0, c1, c2, c3, c4, c5] = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const [d0, d1, d2, d3] = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  const lowTail = 0.02425;
  let x: number;
  if (prob < lowTail) x = tail(Math.sqrt(-2 * Math.log(prob)));
  else if (prob > 1 - lowTail) x = -tail(Math.sqrt(-2 * Math.log(1 - prob)));
  else {
    const q = prob - 0.5;
    const r = q * q;
    x =
      ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
      (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
  }
  return x;
}

/**
 * DeLong from tie blocks. Sun & Xu's V10ᵢ = (Tzᵢ − Txᵢ)/n is the number of non-responders scoring
 * below responder i plus half those tied with it, over n — the same for every responder of a
 * block — and likewise V01ⱼ = (responders above + half tied)/m; so the sums over rows become sums
 * over blocks weighted by their counts.
 */
export function aucDeLongFromBlocks(b: ScoreBlocks, level = 0.95): AucWithCi {
  const m = b.positives;
  const n = b.negatives;
  if (m === 0 || n === 0) throw new Error("DeLong needs both responders and non-responders");
  const blocks = b.score.length;
  const v10 = new Float64Array(blocks);
  const v01 = new Float64Array(blocks);
  let negBelow = b.negatives;
  let posAbove = 0;
  for (let k = 0; k < blocks; k++) {
    const pos = b.pos[k] as number;
    const neg = b.neg[k] as number;
    negBelow -= neg;
    v10[k] = (negBelow + neg / 2) / n;
    v01[k] = (posAbove + pos / 2) / m;
    posAbove += pos;
  }
  let auc = 0;
  for (let k = 0; k < blocks; k++) auc += (b.pos[k] as number) * (v10[k] as number);
  auc /= m;
  let s10 = 0;
  let s01 = 0;
  for (let k = 0; k < blocks; k++) {
    s10 += (b.pos[k] as number) * ((v10[k] as number) - auc) ** 2;
    s01 += (b.neg[k] as number) * ((v01[k] as number) - auc) ** 2;
  }
  s10 = m > 1 ? s10 / (m - 1) : 0;
  s01 = n > 1 ? s01 / (n - 1) : 0;
  const variance = s10 / m + s01 / n;
  const standardError = Math.sqrt(variance);
  const zq = normalQuantile(1 - (1 - level) / 2);
  return {
    auc,
    variance,
    standardError,
    lower: Math.max(0, auc - zq * standardError),
    upper: Math.min(1, auc + zq * standardError),
    level,
  };
}

export function aucDeLong(y: Labels, p: Scores, level = 0.95): AucWithCi {
  return aucDeLongFromBlocks(scoreBlocks(y, p), level);
}
