/**
 * Scores grouped into tie blocks — one block per distinct score, best first, with its count of
 * responders and non-responders. Every ranked metric (AUC, DeLong, KS, AP, ROC, PR, gains) is a
 * pass over these blocks, and a block treats tied rows alike, which is exactly how each metric
 * defines ties. Built by sorting the responders' and non-responders' scores separately with the
 * native typed-array sort (no comparator callback: ~10× faster than sorting indices at 1M rows)
 * and merging.
 */

export type Labels = ArrayLike<number>;
export type Scores = ArrayLike<number>;

export interface ScoreBlocks {
  /** Distinct scores, descending. */
  score: Float64Array;
  /** Responders per block. */
  pos: Float64Array;
  /** Non-responders per block. */
  neg: Float64Array;
  positives: number;
  negatives: number;
}

/** Validates y ∈ {0,1}, p not NaN, equal lengths; returns the class counts. */
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

export function scoreBlocks(y: Labels, p: Scores): ScoreBlocks {
  const { positives, negatives } = checkInputs(y, p);
  const xs = new Float64Array(positives);
  const zs = new Float64Array(negatives);
  let a = 0;
  let b = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) xs[a++] = p[i] as number;
    else zs[b++] = p[i] as number;
  }
  xs.sort();
  zs.sort();
  const score = new Float64Array(y.length);
  const pos = new Float64Array(y.length);
  const neg = new Float64Array(y.length);
  let k = -1;
  let i = positives - 1;
  let j = negatives - 1;
  while (i >= 0 || j >= 0) {
    const s =
      j < 0 || (i >= 0 && (xs[i] as number) >= (zs[j] as number)) ? (xs[i] as number) : (zs[j] as number);
    k++;
    score[k] = s;
    let np = 0;
    let nn = 0;
    while (i >= 0 && xs[i] === s) {
      np++;
      i--;
    }
    while (j >= 0 && zs[j] === s) {
      nn++;
      j--;
    }
    pos[k] = np;
    neg[k] = nn;
  }
  return {
    score: score.slice(0, k + 1),
    pos: pos.slice(0, k + 1),
    neg: neg.slice(0, k + 1),
    positives,
    negatives,
  };
}

/**
 * Blocks from counts already grouped by score (a field's levels scored by their response rate,
 * a numeric field's distinct values) — the leakage check's single-field AUC.
 */
export function blocksFromCounts(groups: { score: number; pos: number; neg: number }[]): ScoreBlocks {
  const sorted = [...groups].sort((a, b) => b.score - a.score);
  const merged: { score: number; pos: number; neg: number }[] = [];
  for (const g of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.score === g.score) {
      last.pos += g.pos;
      last.neg += g.neg;
    } else merged.push({ ...g });
  }
  return {
    score: Float64Array.from(merged, (g) => g.score),
    pos: Float64Array.from(merged, (g) => g.pos),
    neg: Float64Array.from(merged, (g) => g.neg),
    positives: merged.reduce((s, g) => s + g.pos, 0),
    negatives: merged.reduce((s, g) => s + g.neg, 0),
  };
}
