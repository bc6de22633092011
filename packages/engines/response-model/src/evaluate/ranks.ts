/**
 * Equal-frequency bins (deciles) by rank, as pandas `qcut(s.rank(method = "first"), bins)`:
 * rows ranked by score ascending, equal scores by row order; ranks cut at 1 + k(n − 1)/bins,
 * intervals closed on the right. Computed without a comparator sort: the scores are sorted once
 * natively, a row's rank is (rows scoring below it, by binary search) + (earlier rows with its
 * score) + 1.
 */
import type { Scores } from "./blocks.ts";

/** The bin (1-based) of rank r (1 … n). */
export function quantileBin(rank: number, n: number, bins: number): number {
  for (let k = 1; k < bins; k++) if (rank <= 1 + (k * (n - 1)) / bins) return k;
  return bins;
}

/** The bin (1 … bins) of every row. */
export function assignBins(p: Scores, bins: number): Uint8Array | Uint16Array {
  const n = p.length;
  const sorted = Float64Array.from(p).sort();
  const seen = new Uint32Array(n);
  const out = bins < 256 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const s = p[i] as number;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as number) < s) lo = mid + 1;
      else hi = mid;
    }
    const rank = lo + (seen[lo] as number) + 1;
    seen[lo] = (seen[lo] as number) + 1;
    out[i] = quantileBin(rank, n, bins);
  }
  return out;
}
