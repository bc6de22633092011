/**
 * Scalar metrics on (y ∈ {0,1}, p = predicted probability), each as the reference tool defines it:
 * Gini = 2·AUC − 1; KS = max over thresholds of TPR − FPR (tied scores move together);
 * average precision as scikit-learn's `average_precision_score` (Σ (Rₖ − Rₖ₋₁)·Pₖ over distinct
 * thresholds, no interpolation); log loss as scikit-learn's `log_loss` (p clipped to
 * [ε, 1 − ε], ε = 2.22e-16, the float64 machine epsilon); Brier = mean (p − y)².
 */
import { auc } from "./auc.ts";
import { checkInputs, type Labels, type ScoreBlocks, type Scores, scoreBlocks } from "./blocks.ts";
import { assignBins } from "./ranks.ts";

export const EPSILON = 2.220446049250313e-16;

export function gini(y: Labels, p: Scores): number {
  return 2 * auc(y, p) - 1;
}

/** KS and the score where it is reached (null when no threshold separates at all). */
export function ksFromBlocks(b: ScoreBlocks): { ks: number; threshold: number | null } {
  if (b.positives === 0 || b.negatives === 0) return { ks: Number.NaN, threshold: null };
  let tp = 0;
  let fp = 0;
  let best = 0;
  let threshold: number | null = null;
  for (let k = 0; k < b.score.length; k++) {
    tp += b.pos[k] as number;
    fp += b.neg[k] as number;
    const d = tp / b.positives - fp / b.negatives;
    if (d > best) {
      best = d;
      threshold = b.score[k] as number;
    }
  }
  return { ks: best, threshold };
}

export function ks(y: Labels, p: Scores): { ks: number; threshold: number | null } {
  return ksFromBlocks(scoreBlocks(y, p));
}

export function averagePrecisionFromBlocks(b: ScoreBlocks): number {
  if (b.positives === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let k = 0; k < b.score.length; k++) {
    const pos = b.pos[k] as number;
    tp += pos;
    seen += pos + (b.neg[k] as number);
    ap += (pos / b.positives) * (tp / seen);
  }
  return ap;
}

export function averagePrecision(y: Labels, p: Scores): number {
  return averagePrecisionFromBlocks(scoreBlocks(y, p));
}

export function logLoss(y: Labels, p: Scores): number {
  checkInputs(y, p);
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - EPSILON, Math.max(EPSILON, p[i] as number));
    s -= y[i] === 1 ? Math.log(q) : Math.log1p(-q);
  }
  return s / y.length;
}

export function brier(y: Labels, p: Scores): number {
  checkInputs(y, p);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += ((p[i] as number) - (y[i] as number)) ** 2;
  return s / y.length;
}

export interface CalibrationRow {
  bin: number;
  lower: number;
  upper: number;
  count: number;
  responders: number;
  meanPredicted: number;
  observedRate: number;
}

/**
 * Predicted vs observed by bin. `quantile` (default): 10 bins of equal row count by the decile
 * rule of `decileTable` — at a 1 % response rate equal-width bins would put nearly every row in
 * the first bin; `uniform`: [0, 0.1), [0.1, 0.2) … [0.9, 1] as scikit-learn's `calibration_curve`
 * (empty bins omitted).
 */
export function calibrationTable(
  y: Labels,
  p: Scores,
  options: { bins?: number; strategy?: "quantile" | "uniform" } = {},
): CalibrationRow[] {
  checkInputs(y, p);
  const bins = options.bins ?? 10;
  const n = y.length;
  const binOf = new Int32Array(n);
  if ((options.strategy ?? "quantile") === "uniform") {
    for (let i = 0; i < n; i++) binOf[i] = Math.min(bins - 1, Math.floor((p[i] as number) * bins));
  } else {
    binOf.set(assignBins(p, bins));
    for (let i = 0; i < n; i++) binOf[i] = (binOf[i] as number) - 1;
  }
  const rows: CalibrationRow[] = Array.from({ length: bins }, (_, b) => ({
    bin: b + 1,
    lower: Number.POSITIVE_INFINITY,
    upper: Number.NEGATIVE_INFINITY,
    count: 0,
    responders: 0,
    meanPredicted: 0,
    observedRate: 0,
  }));
  for (let i = 0; i < n; i++) {
    const row = rows[binOf[i] as number] as CalibrationRow;
    const s = p[i] as number;
    row.count++;
    row.responders += y[i] as number;
    row.meanPredicted += s;
    row.lower = Math.min(row.lower, s);
    row.upper = Math.max(row.upper, s);
  }
  return rows
    .filter((r) => r.count > 0)
    .map((r) => ({ ...r, meanPredicted: r.meanPredicted / r.count, observedRate: r.responders / r.count }));
}
