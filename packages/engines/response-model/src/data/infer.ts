/**
 * Type inference exactly as the prototype's `infer_column_types` (spec C.3), then the suggested
 * `FieldSpec`. Counts are over non-missing cells:
 * - more than 95 % numeric (after removing `$ , %`):
 *   all integers, 0 ≤ min, max ≤ 10 and ≤ 10 distinct → numerical / rating_scale (0.9);
 *   else any decimal or range > 10 → numerical / continuous (0.9); else numerical / discrete (0.8);
 * - otherwise unique ratio < 5 % or ≤ 10 distinct → categorical / nominal (0.8), else
 *   categorical / high_cardinality (0.6);
 * - no value at all → categorical / empty (confidence 1: there is nothing to doubt).
 */
import type { FieldSpec } from "../types.ts";
import { isMissing, parseNumeric } from "./values.ts";

export type InferredType = "numerical" | "categorical";
export type InferredSubtype =
  | "rating_scale"
  | "continuous"
  | "discrete"
  | "nominal"
  | "high_cardinality"
  | "empty";

export interface FieldProfile {
  field: string;
  type: InferredType;
  subtype: InferredSubtype;
  /** The prototype's confidence in the guess, 0–1. */
  confidence: number;
  rowCount: number;
  nonMissingCount: number;
  missingCount: number;
  /** % of rows with a value: the `original_match_rates.csv` "match_rate" (data-append coverage). */
  completionPct: number;
  uniqueCount: number;
  /** Share of non-missing cells that read as numbers. */
  numericShare: number;
  /** Numerical fields: range of the numeric cells. */
  min?: number;
  max?: number;
  /** Up to three distinct values in file order, for the preview. */
  samples: string[];
}

const NUMERIC_SHARE = 0.95;
const MAX_RATING = 10;
const NOMINAL_UNIQUE_RATIO = 0.05;
const NOMINAL_MAX_LEVELS = 10;

export function profileField(field: string, cells: readonly (string | null)[]): FieldProfile {
  const distinct = new Set<string>();
  const samples: string[] = [];
  let nonMissing = 0;
  let numeric = 0;
  let allIntegers = true;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const numericDistinct = new Set<number>();
  for (const cell of cells) {
    if (isMissing(cell)) continue;
    nonMissing++;
    if (!distinct.has(cell)) {
      distinct.add(cell);
      if (samples.length < 3) samples.push(cell);
    }
    const x = parseNumeric(cell);
    if (x === null) continue;
    numeric++;
    numericDistinct.add(x);
    if (!Number.isInteger(x)) allIntegers = false;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const rowCount = cells.length;
  const base = {
    field,
    rowCount,
    nonMissingCount: nonMissing,
    missingCount: rowCount - nonMissing,
    completionPct: rowCount === 0 ? 0 : (100 * nonMissing) / rowCount,
    uniqueCount: distinct.size,
    numericShare: nonMissing === 0 ? 0 : numeric / nonMissing,
    samples,
  };
  if (nonMissing === 0) return { ...base, type: "categorical", subtype: "empty", confidence: 1 };
  if (numeric / nonMissing > NUMERIC_SHARE) {
    const range = { min, max };
    if (allIntegers && min >= 0 && max <= MAX_RATING && numericDistinct.size <= MAX_RATING) {
      return { ...base, ...range, type: "numerical", subtype: "rating_scale", confidence: 0.9 };
    }
    if (!allIntegers || max - min > MAX_RATING) {
      return { ...base, ...range, type: "numerical", subtype: "continuous", confidence: 0.9 };
    }
    return { ...base, ...range, type: "numerical", subtype: "discrete", confidence: 0.8 };
  }
  if (distinct.size / nonMissing < NOMINAL_UNIQUE_RATIO || distinct.size <= NOMINAL_MAX_LEVELS) {
    return { ...base, type: "categorical", subtype: "nominal", confidence: 0.8 };
  }
  return { ...base, type: "categorical", subtype: "high_cardinality", confidence: 0.6 };
}

/** What the user may change about a field before fitting. */
export interface FieldOverride {
  kind?: FieldSpec["kind"];
  order?: string[];
  direction?: FieldSpec["direction"];
}

/** The spec a profile suggests: numerical → numeric (higher is better until told otherwise), categorical → nominal. */
export function suggestFieldSpec(profile: FieldProfile, override: FieldOverride = {}): FieldSpec {
  const kind = override.kind ?? (profile.type === "numerical" ? "numeric" : "nominal");
  const spec: FieldSpec = { name: profile.field, kind };
  if (kind === "numeric") spec.direction = override.direction ?? "higher-is-better";
  if (kind === "ordinal") spec.order = override.order ?? [];
  return spec;
}
