/**
 * Stratified, seeded holdout split: each class is shuffled on its own and the same share of each
 * goes to the holdout, so train and holdout keep the file's response rate.
 *
 * PRNG: xoroshiro128+ from `pure-rand` (the generator tif-montecarlo uses, docs/decisions/0010),
 * seeded with `xoroshiro128plus(seed)`; the shuffle is Fisher–Yates drawing with `uniformInt`.
 * Same seed and same labels → same split, on every platform (integer arithmetic only).
 * Holdout size per class = round(share × class size), at least 1 of each class when the class has
 * 2 or more rows, so a holdout AUC always exists.
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { Labels } from "./auc.ts";

export interface HoldoutSplit {
  /** Row indices, ascending. */
  train: Uint32Array;
  holdout: Uint32Array;
}

export function stratifiedHoldout(
  y: Labels,
  options: { holdoutShare?: number; seed?: number } = {},
): HoldoutSplit {
  const share = options.holdoutShare ?? 0.2;
  if (!(share > 0 && share < 1)) throw new Error(`holdout share ${share} must be between 0 and 1`);
  const rng = xoroshiro128plus(options.seed ?? 42);
  const byClass: number[][] = [[], []];
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) throw new Error(`label ${i} is ${v}; labels must be 0 or 1`);
    (byClass[v] as number[]).push(i);
  }
  const train: number[] = [];
  const holdout: number[] = [];
  for (const rows of byClass) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = uniformInt(rng, 0, i);
      const t = rows[i] as number;
      rows[i] = rows[j] as number;
      rows[j] = t;
    }
    let take = Math.round(share * rows.length);
    if (rows.length >= 2) take = Math.min(rows.length - 1, Math.max(1, take));
    holdout.push(...rows.slice(0, take));
    train.push(...rows.slice(take));
  }
  return {
    train: Uint32Array.from(train).sort(),
    holdout: Uint32Array.from(holdout).sort(),
  };
}
