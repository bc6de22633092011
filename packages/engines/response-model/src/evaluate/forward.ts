/**
 * Forward selection in importance order, the prototype's `variable_combinations.csv`: step k
 * refits with the first k groups (a source field, or an encoded column as the prototype did) and
 * records the holdout AUC. Each step's share of the best performance is
 * (AUC − 0.5) / (AUC_max − 0.5) — the sales page's "top 15 fields give 87 %". Step 1 is compared
 * with the null model (AUC 0.5; top-decile response = the overall rate when given).
 *
 * With a cost per group (a data-append price), the cumulative cost and the return per cost
 * unit (share gained ÷ that step's cost) show which fields pay for themselves.
 */

export interface SelectionGroup {
  /** What is added at this step (a source field, or one encoded column). */
  name: string;
  /** The source field it comes from. */
  baseField: string;
  importance?: number;
  /** % of rows with a value. */
  matchRatePct?: number;
  costPerField?: number;
}

export interface SelectionScore {
  auc: number;
  /** Response rate of the top decile, as the caller reports it (the prototype: percent). */
  topDecileResponse?: number;
}

export interface SelectionRow {
  n_variables: number;
  added_variable: string;
  added_variable_importance: number | null;
  added_variable_match_rate: number | null;
  base_variable: string;
  cost_per_variable: number;
  cumulative_cost: number;
  auc_score: number;
  top_decile_response: number | null;
  incremental_auc: number;
  incremental_response: number | null;
  /** Share gained at this step per cost unit (null without costs). */
  roi_metric: number | null;
  /** (AUC − 0.5) / (AUC_max − 0.5). */
  share_of_best: number;
}

export interface ForwardSelectionResult {
  rows: SelectionRow[];
  bestAuc: number;
  /** The smallest step reaching the best AUC. */
  bestStep: number;
}

export async function forwardSelection(
  groups: SelectionGroup[],
  evaluate: (names: string[], step: number) => SelectionScore | number | Promise<SelectionScore | number>,
  options: { overallTopDecileResponse?: number; signal?: AbortSignal } = {},
): Promise<ForwardSelectionResult> {
  const scores: SelectionScore[] = [];
  for (let k = 1; k <= groups.length; k++) {
    options.signal?.throwIfAborted();
    const s = await evaluate(
      groups.slice(0, k).map((g) => g.name),
      k,
    );
    scores.push(typeof s === "number" ? { auc: s } : s);
  }
  return selectionRows(groups, scores, options.overallTopDecileResponse);
}

/** The rows from scores already computed (one per step). */
export function selectionRows(
  groups: SelectionGroup[],
  scores: SelectionScore[],
  overallTopDecileResponse?: number,
): ForwardSelectionResult {
  if (scores.length !== groups.length) throw new Error(`${groups.length} groups but ${scores.length} scores`);
  if (scores.length === 0) return { rows: [], bestAuc: Number.NaN, bestStep: 0 };
  const bestAuc = Math.max(...scores.map((s) => s.auc));
  const bestStep = scores.findIndex((s) => s.auc === bestAuc) + 1;
  // No step better than chance: there is no "best performance" to share.
  const share = (a: number) => (bestAuc <= 0.5 ? 0 : (a - 0.5) / (bestAuc - 0.5));
  const hasCosts = groups.some((g) => g.costPerField !== undefined);
  let cumulative = 0;
  let prevAuc = 0.5;
  let prevResponse: number | null = overallTopDecileResponse ?? null;
  const rows = groups.map((g, i): SelectionRow => {
    const s = scores[i] as SelectionScore;
    const cost = g.costPerField ?? 1;
    cumulative += cost;
    const response = s.topDecileResponse ?? null;
    const gained = share(s.auc) - share(prevAuc);
    const row: SelectionRow = {
      n_variables: i + 1,
      added_variable: g.name,
      added_variable_importance: g.importance ?? null,
      added_variable_match_rate: g.matchRatePct ?? null,
      base_variable: g.baseField,
      cost_per_variable: cost,
      cumulative_cost: cumulative,
      auc_score: s.auc,
      top_decile_response: response,
      incremental_auc: s.auc - prevAuc,
      incremental_response: response !== null && prevResponse !== null ? response - prevResponse : null,
      roi_metric: hasCosts && cost > 0 ? gained / cost : null,
      share_of_best: share(s.auc),
    };
    prevAuc = s.auc;
    prevResponse = response;
    return row;
  });
  return { rows, bestAuc, bestStep };
}
