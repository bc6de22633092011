/**
 * Everything the results page shows for one set of scores — run it on the holdout and on all
 * rows (issue 15 item 4). Each part is also exported on its own.
 */
import { type Labels, type Scores, scoreBlocks } from "./blocks.ts";
import {
  type GainsPoint,
  gainsFromBlocks,
  type PrPoint,
  prFromBlocks,
  type RocPoint,
  rocFromBlocks,
} from "./curves.ts";
import {
  type DecileRow,
  decileTable,
  deploymentGate,
  type GateResult,
  type ResponseRatesRow,
  responseRatesRows,
} from "./deciles.ts";
import { type AucWithCi, aucDeLongFromBlocks } from "./delong.ts";
import {
  averagePrecisionFromBlocks,
  brier,
  type CalibrationRow,
  calibrationTable,
  ksFromBlocks,
  logLoss,
} from "./metrics.ts";

export interface Evaluation {
  rows: number;
  responders: number;
  responseRate: number;
  auc: AucWithCi;
  gini: number;
  ks: number;
  averagePrecision: number;
  logLoss: number;
  brier: number;
  calibration: CalibrationRow[];
  roc: RocPoint[];
  precisionRecall: PrPoint[];
  /** Cumulative gains and lift by 1 % of depth (101 points). */
  gains: GainsPoint[];
  deciles: DecileRow[];
  responseRates: ResponseRatesRow[];
  gate: GateResult;
}

export function evaluateScores(
  y: Labels,
  p: Scores,
  options: { minTopDecileLift?: number; maxPoints?: number; confidenceLevel?: number } = {},
): Evaluation {
  const blocks = scoreBlocks(y, p);
  const positives = blocks.positives;
  const maxPoints = options.maxPoints ?? 200;
  const auc = aucDeLongFromBlocks(blocks, options.confidenceLevel ?? 0.95);
  const deciles = decileTable(y, p);
  return {
    rows: y.length,
    responders: positives,
    responseRate: positives / y.length,
    auc,
    gini: 2 * auc.auc - 1,
    ks: ksFromBlocks(blocks).ks,
    averagePrecision: averagePrecisionFromBlocks(blocks),
    logLoss: logLoss(y, p),
    brier: brier(y, p),
    calibration: calibrationTable(y, p),
    roc: rocFromBlocks(blocks, maxPoints),
    precisionRecall: prFromBlocks(blocks, maxPoints),
    gains: gainsFromBlocks(blocks, Math.min(100, maxPoints - 1)),
    deciles,
    responseRates: responseRatesRows(deciles),
    gate: deploymentGate(deciles, options.minTopDecileLift ?? 2),
  };
}

/** A gains curve at 0, 10 %, … 100 % from a decile table (for a mailing plan when only deciles are kept). */
export function gainsFromDeciles(rows: DecileRow[]): GainsPoint[] {
  const best = [...rows].sort((a, b) => b.decile - a.decile);
  const total = best.reduce((s, r) => s + r.count, 0);
  const points: GainsPoint[] = [{ depth: 0, capture: 0, lift: null }];
  let count = 0;
  for (const r of best) {
    count += r.count;
    const capture = r.cumulativeCapturePct / 100;
    points.push({ depth: count / total, capture, lift: capture / (count / total) });
  }
  return points;
}
