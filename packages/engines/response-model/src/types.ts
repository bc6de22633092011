/**
 * The shapes the response model's parts hand each other. A customer file arrives as text columns
 * (what a CSV holds); `null` is a missing value. Everything downstream — checks, preparation,
 * fitting, evaluation, scorecards, SQL — reads these.
 */

/** A customer file column by column, values as the file holds them; `null` = missing/empty. */
export interface RawTable {
  /** Column names in file order (after normalisation, see `normalizeFieldName`). */
  names: string[];
  /** One array per name, all of length `rowCount`. */
  columns: Record<string, (string | null)[]>;
  rowCount: number;
}

/**
 * How one source field enters the model.
 * - `numeric`: text cleaned of `$ , %`, direction applied, missing → median.
 * - `ordinal`: categories ranked by `order` (best first); unknown/missing handled by preparation.
 * - `nominal`: one 0/1 column per level (none dropped), missing → level "MISSING".
 */
export type FieldKind = "numeric" | "ordinal" | "nominal";

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** `ordinal` only: the levels from best to worst (sample_data_meta.csv gives the two ends). */
  order?: string[];
  /** `numeric` only: whether larger raw values are better (the prototype inverts lower-is-better). */
  direction?: "higher-is-better" | "lower-is-better";
}
