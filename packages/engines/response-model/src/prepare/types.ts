/**
 * The serialisable preparation (stored with a fitted model as JSON) and the dense design matrix it
 * produces. Everything a scorer needs to turn a raw record into model inputs is in `Preparation`.
 */

export const MISSING_LEVEL = "MISSING";
export const OTHER_LEVEL = "OTHER";

export interface PreparationOptions {
  /** Add a 0/1 "was missing" column for each numeric and ordinal field (nominal fields have a MISSING level). */
  missingIndicators?: boolean;
  /** Nominal levels seen on fewer training rows than this are pooled into "OTHER"; 0 = no pooling. */
  minLevelCount?: number;
  /**
   * A numeric field whose non-missing training values are not numbers in a larger share than this
   * is refused (an input error naming the field); below it they are treated as missing and counted.
   */
  maxNonNumericShare?: number;
  /**
   * A nominal field with more levels than this (after pooling) is refused, naming the field: one
   * design column per level would make the matrix rows × levels (a 100k-level ID-like field).
   */
  maxLevels?: number;
}

export const DEFAULT_PREPARATION_OPTIONS: Required<PreparationOptions> = {
  missingIndicators: false,
  minLevelCount: 0,
  // The prototype calls a column numeric when > 95 % of its values parse (spec C.3); the same share here.
  maxNonNumericShare: 0.05,
  maxLevels: 1000,
};

export interface NumericPreparation {
  kind: "numeric";
  field: string;
  direction: "higher-is-better" | "lower-is-better";
  /** lower-is-better: values become `flipAbout − x` (the training maximum), as the prototype's `max − x`. */
  flipAbout: number | null;
  /** Missing (and non-numeric) values take this, the training median after the direction is applied. */
  fill: number;
  missingIndicator: boolean;
}

export interface OrdinalPreparation {
  kind: "ordinal";
  field: string;
  /** Best first; level i has rank `levels.length − 1 − i`, so the best level has the highest rank. */
  levels: string[];
  /** Missing and unknown levels take this, the training median rank. */
  fill: number;
  missingIndicator: boolean;
}

export interface NominalPreparation {
  kind: "nominal";
  field: string;
  /** One 0/1 design column per level, in this order (may include MISSING and OTHER). */
  levels: string[];
  /** Raw labels that were pooled into OTHER (rare at training time). */
  pooled: string[];
}

export type FieldPreparation = NumericPreparation | OrdinalPreparation | NominalPreparation;

/** One design column, structured so that nobody has to parse `name` to find its source field. */
export interface DesignColumn {
  /** `FIELD` (numeric, ordinal), `FIELD=level` (nominal), `FIELD[missing]` (indicator). */
  name: string;
  field: string;
  role: "value" | "level" | "missing";
  /** role "level": the original label (or MISSING / OTHER). */
  level?: string;
}

export interface Preparation {
  version: 1;
  fields: FieldPreparation[];
  columns: DesignColumn[];
  options: Required<PreparationOptions>;
}

/** A dense design matrix, column-major: the value of row i, column j is `x[j * rowCount + i]`. */
export interface Design {
  rowCount: number;
  columnCount: number;
  x: Float64Array;
  columns: DesignColumn[];
}

/** What preparation met in one field: counted, never silently absorbed. */
export interface FieldReport {
  field: string;
  missing: number;
  /** Numeric fields: non-missing text that is not a number (scored as missing). */
  nonNumeric: number;
  /** Nominal/ordinal: values not known to the preparation (all-zero dummies / median rank). */
  unseenLevels: number;
  /** Up to five distinct unseen or non-numeric values, to show the user. */
  examples: string[];
}
