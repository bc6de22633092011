/**
 * Area under the ROC curve as the Mann–Whitney statistic: the chance that a random responder
 * scores above a random non-responder, ties counting one half. Computed from mid-ranks after one
 * sort, O(n log n); equal to the trapezoid area under the ROC curve with tied scores as one step.
 */

export type Labels = ArrayLike<number>;
export type Scores = ArrayLike<number>;

/** Indices sorted by score ascending (stable: equal scores keep row order). */
export function orderByScore(p: Scores): Uint32Array {
  const idx = new Uint32Array(p.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => (p[a] as number) - (p[b] as number) || a - b);
}

/** Mid-ranks (1-based, ties get the mean of their ranks) of `values`, given their ascending order. */
export function midRanks(values: Scores, order: ArrayLike<number> = orderByScore(values)): Float64Array {
  const n = values.length;
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    const v = values[order[i] as number];
    while (j + 1 < n && values[order[j + 1] as number] === v) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = mid;
    i = j + 1;
  }
  return ranks;
}

export function checkInputs(y: Labels, p: Scores): { positives: number; negatives: number } {
  if (y.length !== p.length)
    throw new Error(`labels (${y.length}) and scores (${p.length}) differ in length`);
  let positives = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) throw new Error(`label ${i} is ${v}; labels must be 0 or 1`);
    if (Number.isNaN(p[i])) throw new Error(`score ${i} is NaN`);
    positives += v;
  }
  return { positives, negatives: y.length - positives };
}

/** AUC; NaN when one class is absent (it is undefined, not 0.5). */
export function auc(y: Labels, p: Scores): number {
  const { positives, negatives } = checkInputs(y, p);
  if (positives === 0 || negatives === 0) return Number.NaN;
  const ranks = midRanks(p);
  let rankSum = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) rankSum += ranks[i] as number;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
