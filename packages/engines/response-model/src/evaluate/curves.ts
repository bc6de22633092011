/**
 * Chart curves — ROC, precision–recall, cumulative gains and lift — computed at every distinct
 * score (tied scores move together, one step), then thinned to at most `maxPoints` (200) for
 * charts. Thinning keeps the first and last points and evenly spaced ones in between, so
 * the ends (0,0)/(1,1) of ROC and gains stay exact.
 */
import { type Labels, type ScoreBlocks, type Scores, scoreBlocks } from "./blocks.ts";

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Rows scoring ≥ threshold are "selected"; null for the (0,0) start (nothing selected). */
  threshold: number | null;
}

export interface PrPoint {
  recall: number;
  precision: number;
  threshold: number;
}

export interface GainsPoint {
  /** Share of the file selected, best-scored first, 0–1. */
  depth: number;
  /** Share of all responders among the selected, 0–1. */
  capture: number;
  /** Response rate of the selected / overall rate; null at depth 0 (nothing selected). */
  lift: number | null;
}

export function thin<T>(points: T[], maxPoints = 200): T[] {
  if (points.length <= maxPoints) return points;
  const out: T[] = [];
  for (let k = 0; k < maxPoints; k++)
    out.push(points[Math.round((k * (points.length - 1)) / (maxPoints - 1))] as T);
  return out;
}

export function rocFromBlocks(b: ScoreBlocks, maxPoints = 200): RocPoint[] {
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < b.score.length; k++) {
    tp += b.pos[k] as number;
    fp += b.neg[k] as number;
    points.push({ fpr: fp / b.negatives, tpr: tp / b.positives, threshold: b.score[k] as number });
  }
  return thin(points, maxPoints);
}

export function rocCurve(y: Labels, p: Scores, maxPoints = 200): RocPoint[] {
  return rocFromBlocks(scoreBlocks(y, p), maxPoints);
}

/** Precision–recall at each distinct threshold, highest threshold first (recall rising). */
export function prFromBlocks(b: ScoreBlocks, maxPoints = 200): PrPoint[] {
  const points: PrPoint[] = [];
  let tp = 0;
  let seen = 0;
  for (let k = 0; k < b.score.length; k++) {
    tp += b.pos[k] as number;
    seen += (b.pos[k] as number) + (b.neg[k] as number);
    points.push({ recall: tp / b.positives, precision: tp / seen, threshold: b.score[k] as number });
  }
  return thin(points, maxPoints);
}

export function prCurve(y: Labels, p: Scores, maxPoints = 200): PrPoint[] {
  return prFromBlocks(scoreBlocks(y, p), maxPoints);
}

/**
 * Cumulative gains and lift at `steps` + 1 evenly spaced depths (0, 1/steps, … 1). Inside a block of
 * tied scores the responders are spread evenly (the expected capture of a random order among
 * equals), the same convention as the ROC's diagonal tie segments.
 */
export function gainsFromBlocks(b: ScoreBlocks, steps = 100): GainsPoint[] {
  const n = b.positives + b.negatives;
  const points: GainsPoint[] = [];
  let k = 0;
  let rowsBefore = 0;
  let respBefore = 0;
  const size = (j: number) => (b.pos[j] as number) + (b.neg[j] as number);
  for (let step = 0; step <= steps; step++) {
    const depthRows = (step / steps) * n;
    while (k < b.score.length && rowsBefore + size(k) <= depthRows) {
      rowsBefore += size(k);
      respBefore += b.pos[k] as number;
      k++;
    }
    const partial = k < b.score.length ? ((depthRows - rowsBefore) / size(k)) * (b.pos[k] as number) : 0;
    const capture = b.positives === 0 ? Number.NaN : (respBefore + partial) / b.positives;
    points.push({ depth: step / steps, capture, lift: step === 0 ? null : capture / (step / steps) });
  }
  return points;
}

export function gainsCurve(y: Labels, p: Scores, steps = 100): GainsPoint[] {
  return gainsFromBlocks(scoreBlocks(y, p), steps);
}

/** Capture (0–1) at any depth (0–1), by linear interpolation in a gains curve. */
export function captureAt(curve: GainsPoint[], depth: number): number {
  if (depth <= 0) return 0;
  for (let k = 1; k < curve.length; k++) {
    const a = curve[k - 1] as GainsPoint;
    const b = curve[k] as GainsPoint;
    if (depth <= b.depth)
      return a.capture + ((b.capture - a.capture) * (depth - a.depth)) / (b.depth - a.depth);
  }
  return (curve[curve.length - 1] as GainsPoint).capture;
}
