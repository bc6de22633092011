/**
 * The prototype's direction file (`sample_data_meta.csv`: `Field,High,Low`): for each field the
 * best ("High") and worst ("Low") value, blank when the field has no order. It feeds step 2 of
 * the prototype's Configure page; here it becomes a numeric direction or an ordinal order.
 *
 * - Both ends numeric on a numerical field → a direction: High=1, Low=5 (recency) means lower
 *   is better.
 * - Otherwise → an ordinal order over the levels actually present, sorted naturally and read
 *   from High towards Low: CREDIT_RATING A/H → A, B, …, H (best first). Levels beyond the
 *   stated ends keep the same direction and are reported: the sample's HOME_VALUE says A/H but
 *   holds I…U too.
 */
import type { FieldSpec, RawTable } from "../types.ts";
import { normalizeFieldName } from "./normalize.ts";
import { compareLevels, isMissing, parseNumeric } from "./values.ts";

export interface DirectionHint {
  /** Normalised field name. */
  field: string;
  high: string;
  low: string;
}

export interface DirectionMetaResult {
  hints: DirectionHint[];
  /** Fields listed with no High/Low (no order), normalised. */
  unordered: string[];
  /** Rows that could not be used, with the reason (one-sided ends, High = Low). */
  problems: { field: string; message: string }[];
}

/** Reads a `Field,High,Low` table (header case and spacing ignored). */
export function readDirectionMeta(table: RawTable): DirectionMetaResult {
  const col = (want: string) => {
    const name = table.names.find((n) => normalizeFieldName(n) === want);
    if (name === undefined) throw new Error(`direction file has no "${want}" column`);
    return table.columns[name] ?? [];
  };
  const fields = col("field");
  const highs = col("high");
  const lows = col("low");
  const result: DirectionMetaResult = { hints: [], unordered: [], problems: [] };
  for (let i = 0; i < table.rowCount; i++) {
    const raw = fields[i];
    if (isMissing(raw ?? null)) continue;
    const field = normalizeFieldName(raw as string);
    const high = highs[i] ?? null;
    const low = lows[i] ?? null;
    if (isMissing(high) && isMissing(low)) result.unordered.push(field);
    else if (isMissing(high) || isMissing(low)) {
      result.problems.push({ field, message: "High and Low must both be given (or both blank)" });
    } else if (high.trim() === low.trim()) {
      result.problems.push({ field, message: `High and Low are the same value "${high.trim()}"` });
    } else result.hints.push({ field, high: high.trim(), low: low.trim() });
  }
  return result;
}

export type DirectionDecision =
  | { kind: "numeric"; direction: NonNullable<FieldSpec["direction"]> }
  | { kind: "ordinal"; order: string[]; beyondEnds: string[] };

/**
 * Turns a hint into a direction (numerical fields with numeric ends) or an order over `levels`
 * (the distinct non-missing values of the field).
 */
export function decideDirection(
  hint: DirectionHint,
  fieldIsNumerical: boolean,
  levels: readonly string[],
): DirectionDecision {
  const hi = parseNumeric(hint.high);
  const lo = parseNumeric(hint.low);
  if (fieldIsNumerical && hi !== null && lo !== null) {
    return { kind: "numeric", direction: hi > lo ? "higher-is-better" : "lower-is-better" };
  }
  const bestFirst = compareLevels(hint.high, hint.low) < 0 ? 1 : -1;
  const order = [...levels].sort((a, b) => bestFirst * compareLevels(a, b));
  const [minEnd, maxEnd] = bestFirst > 0 ? [hint.high, hint.low] : [hint.low, hint.high];
  const beyondEnds = order.filter(
    (v) => compareLevels(v, minEnd) < 0 || compareLevels(v, maxEnd) > 0,
  );
  return { kind: "ordinal", order, beyondEnds };
}
