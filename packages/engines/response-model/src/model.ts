/**
 * `response-model@1`: the hosted model (issue 15). The platform validates the input, runs
 * `runResponseModel` on its worker pool with progress and cancel, stores the output, and exports
 * the declared tables — named and shaped as the prototype's original CSVs — charts and KPIs.
 */
import { defineModel } from "@modelworks/model-kit";
import {
  CV_DEVIANCE_PART,
  CV_FOLD_PART,
  type CvDevianceShared,
  type CvFoldShared,
  cvDeviance,
  cvFold,
} from "./cv-parts.ts";
import { sampleFieldEnds } from "./examples/samples.ts";
import { ResponseModelInput, ResponseModelOutput } from "./model-schema.ts";
import { MODEL_ID, MODEL_VERSION, runResponseModel } from "./pipeline.ts";

// The examples name the bundled sample rather than carry it: GET /models/response-model stays
// small (the file is ~1 MB as JSON records) and "run the first example" still fits 2,500 rows.
const sampleInput = {
  sampleData: "campaigniq" as const,
  target: "TARGET",
  fieldEnds: sampleFieldEnds(),
  // The sample is enriched (28 % responders); a real mailing file responds at a few percent.
  mailing: {
    fileSize: 100_000,
    costPerPieceUsd: 0.65,
    valuePerResponseUsd: 45,
    expectedResponseRate: 0.03,
  },
};

const pct = { format: "percent" as const, decimals: 1 };
const num = (decimals: number) => ({ format: "number" as const, decimals });

export const responseModel = defineModel({
  id: MODEL_ID,
  version: MODEL_VERSION,
  title: "Direct-mail response model",
  summary:
    "From a customer file to a checked, cross-validated penalized logistic model (glmnet's objective): holdout AUC with CI, deciles (10 = best), lift and gains, the deployment gate, importance by field, scorecards, a mailing plan with ROI by depth, a scoring artifact and SQL for four warehouses.",
  input: ResponseModelInput,
  output: ResponseModelOutput,
  heavy: true,
  timeoutMs: 10 * 60_000,
  examples: [
    {
      name: "sample",
      title: "CampaignIQ sample file (2,500 customers, leakage left out)",
      input: sampleInput,
    },
    {
      name: "sample-ridge-min",
      title: "The same file, elastic net (alpha 0.5) at lambda.min, $10k budget",
      input: {
        ...sampleInput,
        alpha: 0.5,
        lambdaRule: "min",
        mailing: {
          fileSize: 50_000,
          costPerPieceUsd: 0.72,
          valuePerResponseUsd: 38,
          budgetUsd: 10_000,
          expectedResponseRate: 0.03,
        },
      },
    },
  ],
  layout: {
    sections: [
      { id: "data", title: "Data", fields: ["records", "sampleData", "target", "idField", "ignoreFields"] },
      {
        id: "fields",
        title: "Field types and leakage",
        fields: ["fieldOverrides", "fieldEnds", "keepFlaggedFields", "missingIndicators", "minLevelCount"],
      },
      {
        id: "fitting",
        title: "Fitting",
        fields: ["alpha", "folds", "lambdaCount", "lambdaRule", "lambda", "seed", "holdoutShare"],
      },
      {
        id: "results",
        title: "Gate, selection and scorecard",
        fields: ["gateTopDecileLift", "selectionMaxSteps", "costPerFieldUsd", "scorecard"],
      },
      { id: "mailing", title: "Mailing plan", fields: ["mailing"] },
      { id: "export", title: "Export", fields: ["sqlTable"] },
    ],
  },
  kpis: [
    { path: "kpis.holdoutAuc", title: "Holdout AUC", ...num(3) },
    { path: "kpis.topDecileLift", title: "Top-decile lift (holdout)", ...num(2) },
    { path: "kpis.gate", title: "Deployment gate", format: "text" },
    { path: "kpis.bestDepthPct", title: "Best mailing depth", unit: "%", ...num(0) },
    { path: "kpis.bestDepthRoi", title: "ROI at the best depth", format: "percent", decimals: 0 },
  ],
  tables: [
    {
      name: "deciles",
      title: "Deciles on the holdout (10 = best)",
      rows: "holdout.deciles",
      columns: [
        { key: "decile", title: "Decile", format: "integer" },
        { key: "count", title: "Customers", format: "integer" },
        { key: "responders", title: "Responders", format: "integer" },
        { key: "rate", title: "Response rate", ...pct },
        { key: "lift", title: "Lift", ...num(2) },
        { key: "cumulativeCapturePct", title: "Cumulative capture", unit: "%", ...num(1) },
      ],
    },
    {
      name: "roc",
      title: "ROC curve (holdout)",
      rows: "holdout.roc",
      columns: [
        { key: "fpr", title: "False positive rate", ...num(3) },
        { key: "tpr", title: "True positive rate", ...num(3) },
      ],
    },
    {
      name: "gains",
      title: "Cumulative gains (holdout)",
      rows: "holdout.gains",
      columns: [
        { key: "depth", title: "Depth", ...pct },
        { key: "capture", title: "Responders captured", ...pct },
        { key: "lift", title: "Lift", ...num(2) },
      ],
    },
    {
      name: "cv-path",
      title: "Cross-validation: deviance by lambda",
      rows: "crossValidation.path",
      columns: [
        { key: "logLambda", title: "log(lambda)", ...num(3) },
        { key: "cvDeviance", title: "CV deviance", ...num(4) },
        { key: "cvDevianceLower", title: "− 1 SE", ...num(4) },
        { key: "cvDevianceUpper", title: "+ 1 SE", ...num(4) },
        { key: "nonZero", title: "Non-zero columns", format: "integer" },
      ],
    },
    {
      name: "importance",
      title: "Importance by source field",
      rows: "importance",
      columns: [
        { key: "field", title: "Field", format: "text" },
        { key: "importance", title: "Importance (Σ |standardized coef.|)", ...num(4) },
        { key: "sharePct", title: "Share", unit: "%", ...num(1) },
        { key: "activeColumns", title: "Active columns", format: "integer" },
        { key: "matchRatePct", title: "Completion", unit: "%", ...num(1) },
      ],
    },
    {
      name: "coefficients",
      title: "Coefficients",
      rows: "coefficients",
      columns: [
        { key: "column", title: "Column", format: "text" },
        { key: "field", title: "Field", format: "text" },
        { key: "coefficient", title: "Coefficient (original units)", ...num(6) },
        { key: "standardized", title: "Standardized", ...num(6) },
        { key: "oddsRatio", title: "Odds ratio", ...num(4) },
      ],
    },
    {
      name: "mailing-plan",
      title: "Mailing plan by depth",
      rows: "mailingPlan.rows",
      columns: [
        { key: "depthPct", title: "Depth", unit: "%", ...num(0) },
        { key: "pieces", title: "Pieces", format: "integer" },
        { key: "costUsd", title: "Cost", unit: "USD", format: "currency", decimals: 0 },
        { key: "expectedResponses", title: "Expected responses", ...num(0) },
        { key: "responseRate", title: "Response rate", ...pct },
        {
          key: "costPerResponseUsd",
          title: "Cost per response",
          unit: "USD",
          format: "currency",
          decimals: 2,
        },
        { key: "profitUsd", title: "Profit", unit: "USD", format: "currency", decimals: 0 },
        { key: "roi", title: "ROI", format: "percent", decimals: 0 },
      ],
    },
    {
      name: "mailing-tiers",
      title: "Priority tiers",
      rows: "mailingPlan.tiers",
      columns: [
        { key: "name", title: "Tier", format: "text" },
        { key: "fromPct", title: "From", unit: "%", ...num(0) },
        { key: "toPct", title: "To", unit: "%", ...num(0) },
        { key: "pieces", title: "Pieces", format: "integer" },
        { key: "expectedResponses", title: "Expected responses", ...num(0) },
        { key: "costUsd", title: "Cost", unit: "USD", format: "currency", decimals: 0 },
        { key: "roi", title: "ROI", format: "percent", decimals: 0 },
      ],
    },
    // ---- the prototype's original CSVs: names and headers exactly as its files (spec C.5) ----
    {
      name: "response_rates",
      title: "response_rates",
      rows: "original.response_rates",
      columns: ["decile", "count", "response_rate", "avg_score", "lift"].map((key) => ({ key, title: key })),
    },
    {
      name: "feature_analysis",
      title: "feature_analysis",
      rows: "original.feature_analysis",
      columns: FEATURE_COLUMNS().map((key) => ({ key, title: key })),
    },
    {
      name: "report_metrics",
      title: "report_metrics",
      rows: "original.report_metrics",
      columns: [...FEATURE_COLUMNS(), "recommendation"].map((key) => ({ key, title: key })),
    },
    {
      name: "variable_combinations",
      title: "variable_combinations",
      rows: "original.variable_combinations",
      columns: [
        "n_variables",
        "added_variable",
        "added_variable_importance",
        "added_variable_match_rate",
        "base_variable",
        "cost_per_variable",
        "cumulative_cost",
        "auc_score",
        "top_decile_response",
        "incremental_auc",
        "incremental_response",
        "roi_metric",
      ].map((key) => ({ key, title: key })),
    },
    {
      name: "scoring_rules",
      title: "scoring_rules",
      rows: "original.scoring_rules",
      columns: ["variable", "condition", "adjustment"].map((key) => ({ key, title: key })),
    },
    {
      name: "scored_results_sample",
      title: "scored_results_sample",
      rows: "original.scored_results_sample",
      columns: ["INDIVIDUALID", "SCORE", "TARGET"].map((key) => ({ key, title: key })),
    },
    {
      name: "original_match_rates",
      title: "original_match_rates",
      rows: "original.original_match_rates",
      // The prototype wrote a pandas Series: the index column has no header.
      columns: [
        { key: "field", title: "" },
        { key: "match_rate", title: "match_rate" },
      ],
    },
    {
      name: "model_features",
      title: "model_features",
      rows: "original.model_features",
      // A pandas Series written without a name: its header is "0".
      columns: [{ key: "feature", title: "0" }],
    },
  ],
  charts: [
    { name: "roc", title: "ROC curve (holdout)", kind: "line", table: "roc", x: "fpr", y: ["tpr"] },
    {
      name: "lift",
      title: "Lift by decile (holdout)",
      kind: "bar",
      table: "deciles",
      x: "decile",
      y: ["lift"],
    },
    {
      name: "gains",
      title: "Cumulative gains (holdout)",
      kind: "line",
      table: "gains",
      x: "depth",
      y: ["capture"],
    },
    {
      name: "cv-curve",
      title: "Cross-validated deviance by log(lambda)",
      kind: "line",
      table: "cv-path",
      x: "logLambda",
      y: ["cvDeviance", "cvDevianceLower", "cvDevianceUpper"],
    },
    {
      name: "importance",
      title: "Importance by field",
      kind: "bar",
      table: "importance",
      x: "field",
      y: ["sharePct"],
    },
    {
      name: "roi",
      title: "Profit by mailing depth",
      kind: "line",
      table: "mailing-plan",
      x: "depthPct",
      y: ["profitUsd"],
    },
  ],
  parts: {
    [CV_FOLD_PART]: (shared: CvFoldShared, item: number) => cvFold(shared, item),
    [CV_DEVIANCE_PART]: (shared: CvDevianceShared, fold: number) => cvDeviance(shared, fold),
  },
  run: (input, ctx) =>
    runResponseModel(input, {
      progress: ctx.progress,
      signal: ctx.signal,
      llm: ctx.llm,
      ...(ctx.fanOut ? { fanOut: ctx.fanOut } : {}),
    }),
});

function FEATURE_COLUMNS() {
  return [
    "variable",
    "importance",
    "coefficient",
    "cost",
    "lift",
    "match_rate",
    "base_variable",
    "expected_lift",
    "cost_effectiveness",
  ];
}
