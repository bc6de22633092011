/** One finding of the data checks, as the user reads it before fitting. */
export type IssueCode =
  | "too_few_rows"
  | "few_rows"
  | "too_few_fields"
  | "target_absent"
  | "target_not_binary"
  | "target_missing"
  | "target_one_class"
  | "all_missing"
  | "constant"
  | "low_completion"
  | "text_in_numeric"
  | "high_cardinality"
  | "identifier"
  | "high_correlation"
  | "leakage";

export interface DataIssue {
  /** The field the issue is about; `null` only for whole-table issues (row count). */
  field: string | null;
  code: IssueCode;
  /** `error` stops the fit; `warning` is shown; an excluded field is listed in `excluded`. */
  severity: "error" | "warning";
  message: string;
  /** The numbers behind the message, for tests, the UI and exports. */
  counts?: Record<string, number>;
  /** A second field, for pair issues (high correlation). */
  otherField?: string;
}
