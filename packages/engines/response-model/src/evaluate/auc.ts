/**
 * Area under the ROC curve as the Mann–Whitney statistic: the chance that a random responder
 * scores above a random non-responder, ties counting one half; O(n log n) through tie blocks.
 * Equal to the trapezoid area under the ROC curve with tied scores as one diagonal step.
 */
import { type Labels, type ScoreBlocks, type Scores, scoreBlocks } from "./blocks.ts";

export { checkInputs, type Labels, type Scores } from "./blocks.ts";

/** AUC from blocks; NaN when one class is absent (it is undefined, not 0.5). */
export function aucFromBlocks(b: ScoreBlocks): number {
  if (b.positives === 0 || b.negatives === 0) return Number.NaN;
  // Walk from the lowest score up: each responder beats the non-responders below, ties half.
  let negBelow = 0;
  let wins = 0;
  for (let k = b.score.length - 1; k >= 0; k--) {
    const pos = b.pos[k] as number;
    const neg = b.neg[k] as number;
    wins += pos * (negBelow + neg / 2);
    negBelow += neg;
  }
  return wins / (b.positives * b.negatives);
}

export function auc(y: Labels, p: Scores): number {
  return aucFromBlocks(scoreBlocks(y, p));
}
