import { applyPreparation } from "../prepare/prepare.ts";
import type { Preparation } from "../prepare/types.ts";
import type { RawTable } from "../types.ts";

/**
 * What scoring needs from a fitted model: the stored preparation and the coefficients of one
 * lambda, one per design column (original scale). Scorecards and SQL are built from this.
 */
export interface ScoringModel {
  preparation: Preparation;
  intercept: number;
  /** One per `preparation.columns`, in that order. */
  coefficients: number[];
}

/**
 * Log-odds of every row of a raw table: intercept + Σ coefficient × design value, summed in
 * column order (the SQL export sums its terms in the same order).
 */
export function scoreLogOdds(model: ScoringModel, table: RawTable): Float64Array {
  const { design } = applyPreparation(model.preparation, table);
  const n = design.rowCount;
  const z = new Float64Array(n).fill(model.intercept);
  model.coefficients.forEach((c, j) => {
    if (c === 0) return;
    for (let i = 0; i < n; i++) z[i]! += c * design.x[j * n + i]!;
  });
  return z;
}

export function scoreProbability(model: ScoringModel, table: RawTable): Float64Array {
  const z = scoreLogOdds(model, table);
  for (let i = 0; i < z.length; i++) z[i] = 1 / (1 + Math.exp(-z[i]!));
  return z;
}
