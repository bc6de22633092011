/**
 * Chart curves — ROC, precision–recall, cumulative gains and lift — computed at every distinct
 * score (tied scores move together, one step), then thinned to at most `maxPoints` (200) for
 * charts. Thinning keeps the first and last points and evenly spaced ones in between, so
 * the ends (0,0)/(1,1) of ROC and gains stay exact.
 */
import type { Labels, Scores } from "./auc.ts";
import { tieBlocks } from "./metrics.ts";

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Rows scoring ≥ threshold are "selected"; Infinity for the (0,0) start. */
  threshold: number;
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

export function rocCurve(y: Labels, p: Scores, maxPoints = 200): RocPoint[] {
  const blocks = tieBlocks(y, p);
  const pos = blocks.reduce((s, b) => s + b.responders, 0);
  const neg = y.length - pos;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY }];
  let tp = 0;
  let fp = 0;
  for (const b of blocks) {
    tp += b.responders;
    fp += b.count - b.responders;
    points.push({ fpr: fp / neg, tpr: tp / pos, threshold: b.score });
  }
  return thin(points, maxPoints);
}

/** Precision–recall at each distinct threshold, highest threshold first (recall rising). */
export function prCurve(y: Labels, p: Scores, maxPoints = 200): PrPoint[] {
  const blocks = tieBlocks(y, p);
  const pos = blocks.reduce((s, b) => s + b.responders, 0);
  const points: PrPoint[] = [];
  let tp = 0;
  let seen = 0;
  for (const b of blocks) {
    tp += b.responders;
    seen += b.count;
    points.push({ recall: tp / pos, precision: tp / seen, threshold: b.score });
  }
  return thin(points, maxPoints);
}

/**
 * Cumulative gains and lift at `steps` + 1 evenly spaced depths (0, 1/steps, … 1). Inside a block of
 * tied scores the responders are spread evenly (the expected capture of a random order among
 * equals), the same convention as the ROC's diagonal tie segments.
 */
export function gainsCurve(y: Labels, p: Scores, steps = 100): GainsPoint[] {
  const blocks = tieBlocks(y, p);
  const n = y.length;
  const pos = blocks.reduce((s, b) => s + b.responders, 0);
  const points: GainsPoint[] = [];
  let b = 0;
  let rowsBefore = 0;
  let respBefore = 0;
  for (let k = 0; k <= steps; k++) {
    const depthRows = (k / steps) * n;
    while (b < blocks.length && rowsBefore + (blocks[b]?.count ?? 0) <= depthRows) {
      rowsBefore += blocks[b]?.count ?? 0;
      respBefore += blocks[b]?.responders ?? 0;
      b++;
    }
    const block = blocks[b];
    const partial = block ? ((depthRows - rowsBefore) / block.count) * block.responders : 0;
    const captured = respBefore + partial;
    const capture = pos === 0 ? Number.NaN : captured / pos;
    points.push({ depth: k / steps, capture, lift: k === 0 ? null : capture / (k / steps) });
  }
  return points;
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
