/**
 * The prototype's "original output" CSVs (spec C.5) from a fit, with their exact column sets, so
 * the platform's CSV export of the declared tables gives files an existing user of the prototype
 * can reconcile. What changed is only what was wrong: names resolved from the structured design
 * columns (`BUBBLES=Senior Discount`, never split at "_"), deciles labelled 10 = best.
 */
import type { ResponseRatesRow } from "./evaluate/deciles.ts";
import type { SelectionRow } from "./evaluate/forward.ts";
import { MISSING_LEVEL } from "./prepare/types.ts";
import type { Scorecard } from "./scorecard/scorecard.ts";

/** report_metrics.csv's tiers by importance (= |coefficient|), thresholds read off the prototype's file. */
export const RECOMMENDATION_TIERS = [
  { minImportance: 0.15, name: "Premium Variables (Very High Impact)" },
  { minImportance: 0.05, name: "High-Value Variables (Strong Impact)" },
  { minImportance: Number.NEGATIVE_INFINITY, name: "Supplementary Variables (Moderate to Low Impact)" },
] as const;

export interface PrototypeTablesInput {
  coefficients: { column: string; field: string; coefficient: number }[];
  /** % of rows with a value, by source field. */
  completion: Map<string, number>;
  /** The overall response rate (0–1): expected_lift = importance × it. */
  responseRate: number;
  costPerFieldUsd: number | undefined;
  responseRates: ResponseRatesRow[];
  selection: SelectionRow[];
  scorecard: Scorecard;
  scoredSample: { INDIVIDUALID: string; SCORE: number; TARGET: number }[];
  matchRates: { field: string; match_rate: number }[];
  features: string[];
}

export function prototypeTables(t: PrototypeTablesInput) {
  const cost = t.costPerFieldUsd ?? 1;
  const featureAnalysis = t.coefficients
    .filter((c) => c.coefficient !== 0)
    .map((c) => {
      const importance = Math.abs(c.coefficient);
      return {
        variable: c.column,
        importance,
        coefficient: c.coefficient,
        cost,
        lift: importance,
        match_rate: t.completion.get(c.field) ?? null,
        base_variable: c.field,
        expected_lift: importance * t.responseRate,
        // Blank in the prototype; filled when a data-append price is given.
        cost_effectiveness: t.costPerFieldUsd !== undefined && cost > 0 ? importance / cost : null,
      };
    })
    .sort((a, b) => b.importance - a.importance || a.variable.localeCompare(b.variable));
  const reportMetrics = featureAnalysis.map((r) => ({
    ...r,
    recommendation: (
      RECOMMENDATION_TIERS.find((tier) => r.importance >= tier.minImportance) ?? RECOMMENDATION_TIERS[2]
    ).name,
  }));
  const scoringRules = t.scorecard.rules.flatMap((rule) => {
    if (rule.kind === "base") return [{ variable: "BASE", condition: "always", adjustment: rule.points }];
    if (rule.kind === "category") {
      const condition = rule.missing
        ? "missing"
        : rule.labels.length === 0
          ? "any other value"
          : rule.labels.map((l) => (l === MISSING_LEVEL ? "missing" : l)).join(" | ");
      return [{ variable: rule.field, condition, adjustment: rule.points }];
    }
    return [
      {
        variable: rule.field,
        condition: rule.reference ? `per unit of (value − ${rule.reference})` : "per unit of value",
        adjustment: rule.pointsPerUnit,
      },
      { variable: rule.field, condition: "missing", adjustment: rule.missingPoints },
    ];
  });
  return {
    response_rates: t.responseRates,
    feature_analysis: featureAnalysis,
    report_metrics: reportMetrics,
    variable_combinations: t.selection,
    scoring_rules: scoringRules,
    scored_results_sample: t.scoredSample,
    original_match_rates: t.matchRates,
    model_features: t.features.map((feature) => ({ feature })),
  };
}
