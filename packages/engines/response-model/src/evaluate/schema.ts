/**
 * zod schemas of the evaluation outputs, for a model's output declaration (the platform validates
 * every result against it). They mirror the TypeScript interfaces exactly — test/schemas.test.ts
 * checks both directions at compile time and parses real outputs.
 */
import { z } from "zod";

const Threshold = z.number().nullable();

export const AucWithCiOutput = z.object({
  auc: z.number(),
  variance: z.number(),
  standardError: z.number(),
  lower: z.number(),
  upper: z.number(),
  level: z.number(),
});

export const CalibrationRowOutput = z.object({
  bin: z.number(),
  lower: z.number(),
  upper: z.number(),
  count: z.number(),
  responders: z.number(),
  meanPredicted: z.number(),
  observedRate: z.number(),
});

export const RocPointOutput = z.object({ fpr: z.number(), tpr: z.number(), threshold: Threshold });
export const PrPointOutput = z.object({ recall: z.number(), precision: z.number(), threshold: z.number() });
export const GainsPointOutput = z.object({
  depth: z.number(),
  capture: z.number(),
  lift: z.number().nullable(),
});

export const DecileRowOutput = z.object({
  decile: z.number(),
  count: z.number(),
  responders: z.number(),
  rate: z.number(),
  lift: z.number(),
  cumulativeCapturePct: z.number(),
  cumulativeLift: z.number(),
  avgScore: z.number(),
  minScore: z.number(),
  maxScore: z.number(),
});

export const ResponseRatesRowOutput = z.object({
  decile: z.string(),
  count: z.number(),
  response_rate: z.number(),
  avg_score: z.number(),
  lift: z.number(),
});

export const GateOutput = z.object({
  pass: z.boolean(),
  topDecileLift: z.number(),
  minTopDecileLift: z.number(),
  topDecileRate: z.number(),
  overallRate: z.number(),
  message: z.string(),
});

export const EvaluationOutput = z.object({
  rows: z.number(),
  responders: z.number(),
  responseRate: z.number(),
  auc: AucWithCiOutput,
  gini: z.number(),
  ks: z.number(),
  averagePrecision: z.number(),
  logLoss: z.number(),
  brier: z.number(),
  calibration: z.array(CalibrationRowOutput),
  roc: z.array(RocPointOutput),
  precisionRecall: z.array(PrPointOutput),
  gains: z.array(GainsPointOutput),
  deciles: z.array(DecileRowOutput),
  responseRates: z.array(ResponseRatesRowOutput),
  gate: GateOutput,
});

const MailingEconomics = {
  pieces: z.number(),
  costUsd: z.number(),
  expectedResponses: z.number(),
  responseRate: z.number(),
  lift: z.number().nullable(),
  costPerResponseUsd: z.number().nullable(),
  revenueUsd: z.number(),
  profitUsd: z.number(),
  roi: z.number().nullable(),
};

export const MailingDepthRowOutput = z.object({
  depthPct: z.number(),
  ...MailingEconomics,
  withinBudget: z.boolean(),
});

export const MailingPlanOutput = z.object({
  rows: z.array(MailingDepthRowOutput),
  bestDepth: MailingDepthRowOutput.nullable(),
  bestDepthWithinBudget: MailingDepthRowOutput.nullable(),
  tiers: z.array(z.object({ name: z.string(), fromPct: z.number(), toPct: z.number(), ...MailingEconomics })),
});

export const SelectionRowOutput = z.object({
  n_variables: z.number(),
  added_variable: z.string(),
  added_variable_importance: z.number().nullable(),
  added_variable_match_rate: z.number().nullable(),
  base_variable: z.string(),
  cost_per_variable: z.number(),
  cumulative_cost: z.number(),
  auc_score: z.number(),
  top_decile_response: z.number().nullable(),
  incremental_auc: z.number(),
  incremental_response: z.number().nullable(),
  roi_metric: z.number().nullable(),
  share_of_best: z.number(),
});

export const ForwardSelectionOutput = z.object({
  rows: z.array(SelectionRowOutput),
  bestAuc: z.number(),
  bestStep: z.number(),
});
