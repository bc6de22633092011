/**
 * The hosted model's input and output schemas (zod): bounds on every number, list and map from
 * model-kit's fields.ts (the catalog test fails on any unbounded one), and the output the platform
 * validates after every run.
 */
import {
  countField,
  finiteField,
  moneyField,
  rateField,
  ratioField,
  recordField,
} from "@modelworks/model-kit";
import { z } from "zod";
import { DataReportOutput } from "./data/schema.ts";
import { EvaluationOutput, ForwardSelectionOutput, MailingPlanOutput } from "./evaluate/schema.ts";
import { SAMPLE_DATA_NAMES } from "./examples/sample-names.ts";

/**
 * Rows of one fit through a JSON input (the API, the CLI). Bigger files are fitted on a sample and
 * scored in full (`scoreRecords`, `modelworks score`, the SQL export); a 100k-row list would also
 * outlast the fuzz suite's 90 s per case.
 */
export const MAX_RECORDS = 50_000;
/** Fields of one record (the issue: 20–200 appended fields). */
export const MAX_FIELDS = 300;
const MAX_TEXT = 500;

const FieldName = z.string().min(1, "a field name cannot be empty").max(200);
const Cell = z.union([z.string().max(MAX_TEXT), finiteField(), z.boolean(), z.null()]);

const FieldOverride = z.object({
  kind: z.enum(["numeric", "ordinal", "nominal"]).optional(),
  /** ordinal: levels best first. */
  order: z.array(z.string().max(MAX_TEXT)).max(1000).optional(),
  direction: z.enum(["higher-is-better", "lower-is-better"]).optional(),
});

const FieldEnds = z.object({
  field: FieldName,
  /** The best value (sample_data_meta.csv's High). */
  high: z.string().min(1).max(MAX_TEXT),
  /** The worst value (Low). */
  low: z.string().min(1).max(MAX_TEXT),
});

const Tier = z.object({ name: z.string().min(1).max(60), sharePct: ratioField({ min: 0.1, max: 100 }) });

export const ResponseModelInput = z
  .object({
    /** One object per customer: field → value (text, number, true/false or null for missing). */
    records: z
      .array(recordField(FieldName, Cell, MAX_FIELDS))
      .min(1)
      .max(MAX_RECORDS, `at most ${MAX_RECORDS.toLocaleString("en-US")} records per fit`)
      .optional(),
    /**
     * Instead of `records`: a sample file bundled with the engine (`campaigniq`, the prototype's
     * 2,500 customers), so an example names its data rather than carrying 1 MB of it.
     */
    sampleData: z.enum(SAMPLE_DATA_NAMES).optional(),
    /** The response flag (yes/true/1/y/t = responded). */
    target: FieldName,
    /** The customer ID, carried to scored files and never a predictor. */
    idField: FieldName.optional(),
    /** Fields to leave out before the checks. */
    ignoreFields: z.array(FieldName).max(MAX_FIELDS).default([]),
    /** Type, order or direction per field, over the inferred type. */
    fieldOverrides: recordField(FieldName, FieldOverride, MAX_FIELDS).default({}),
    /** Best (High) and worst (Low) value per field: the prototype's sample_data_meta.csv. */
    fieldEnds: z.array(FieldEnds).max(MAX_FIELDS).default([]),
    /** Fields flagged as leakage, identifier or high cardinality that the user keeps anyway. */
    keepFlaggedFields: z.array(FieldName).max(MAX_FIELDS).default([]),
    /** Add a "was missing" column per numeric and ordinal field. */
    missingIndicators: z.boolean().default(false),
    /** Pool nominal levels seen on fewer training rows into OTHER (0 = none). */
    minLevelCount: countField({ max: 100_000 }).default(0),
    /** Elastic-net mixing: 1 = lasso, 0 = ridge. */
    alpha: ratioField({ min: 0, max: 1 }).default(1),
    folds: countField({ min: 3, max: 20 }).default(10),
    /** Length of the lambda path (glmnet nlambda). */
    lambdaCount: countField({ min: 5, max: 200 }).default(100),
    /** `1se` (cv.glmnet's lambda.1se, the default), `min` or `fixed` (then `lambda`). */
    lambdaRule: z.enum(["1se", "min", "fixed"]).default("1se"),
    lambda: ratioField({ min: 0, max: 1000 }).optional(),
    seed: countField({ max: 2_147_483_647 }).default(42),
    /** Share of rows held out (stratified) for evaluation. */
    holdoutShare: ratioField({ min: 0.05, max: 0.5 }).default(0.2),
    /** The deployment gate: top-decile lift at least this. */
    gateTopDecileLift: ratioField({ min: 1, max: 20 }).default(2),
    /** Forward selection: at most this many fields (each step is a refit). 0 = skip. */
    selectionMaxSteps: countField({ max: 50 }).default(15),
    /** Data-append price per field, for the return per field. */
    costPerFieldUsd: moneyField("the cost per field").optional(),
    mailing: z
      .object({
        fileSize: countField({ min: 1 }).default(100_000),
        costPerPieceUsd: moneyField("the cost per piece", {
          positive: "the cost per piece must be more than 0",
        }).default(0.65),
        valuePerResponseUsd: moneyField("the value per response").default(45),
        budgetUsd: moneyField("the budget").optional(),
        /** Response rate expected on the mailed file (default: the training file's). */
        expectedResponseRate: rateField({ min: 0, max: 1 }).optional(),
        tiers: z
          .array(Tier)
          .min(1)
          .max(10)
          .default([
            { name: "Priority 1", sharePct: 15 },
            { name: "Priority 2", sharePct: 25 },
          ]),
      })
      .default({
        fileSize: 100_000,
        costPerPieceUsd: 0.65,
        valuePerResponseUsd: 45,
        tiers: [
          { name: "Priority 1", sharePct: 15 },
          { name: "Priority 2", sharePct: 25 },
        ],
      }),
    /** The points-to-double-the-odds scorecard: basePoints at odds baseOdds, +pdo doubles the odds. */
    scorecard: z
      .object({
        basePoints: ratioField({ min: 0, max: 100_000 }).default(600),
        baseOdds: ratioField({ min: 0.0001, max: 10_000 }).default(1),
        pdo: ratioField({ min: 1, max: 1000 }).default(20),
      })
      .default({ basePoints: 600, baseOdds: 1, pdo: 20 }),
    /** Table name(s) the SQL export reads, e.g. ["crm", "customers"]. */
    sqlTable: z.array(z.string().min(1).max(120)).min(1).max(3).default(["customers"]),
  })
  .superRefine((v, ctx) => {
    if ((v.records === undefined) === (v.sampleData === undefined))
      ctx.addIssue({
        code: "custom",
        path: ["records"],
        message: "give the records, or name a bundled sample in sampleData (not both)",
      });
    if (v.lambdaRule === "fixed" && v.lambda === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["lambda"],
        message: "give the lambda to fit at when lambdaRule is fixed",
      });
    const share = v.mailing.tiers.reduce((s, t) => s + t.sharePct, 0);
    if (share > 100 + 1e-9)
      ctx.addIssue({
        code: "custom",
        path: ["mailing", "tiers"],
        message: `the tiers cover ${share} % of the file; at most 100`,
      });
  });
export type ResponseModelInput = z.output<typeof ResponseModelInput>;

// ---- the stored preparation and fitted artifact ----

const PreparationOutput = z.object({
  version: z.literal(1),
  fields: z.array(
    z.discriminatedUnion("kind", [
      z.object({
        kind: z.literal("numeric"),
        field: z.string(),
        direction: z.enum(["higher-is-better", "lower-is-better"]),
        flipAbout: z.number().nullable(),
        fill: z.number(),
        missingIndicator: z.boolean(),
      }),
      z.object({
        kind: z.literal("ordinal"),
        field: z.string(),
        levels: z.array(z.string()),
        fill: z.number(),
        missingIndicator: z.boolean(),
      }),
      z.object({
        kind: z.literal("nominal"),
        field: z.string(),
        levels: z.array(z.string()),
        pooled: z.array(z.string()),
      }),
    ]),
  ),
  columns: z.array(
    z.object({
      name: z.string(),
      field: z.string(),
      role: z.enum(["value", "level", "missing"]),
      level: z.string().optional(),
    }),
  ),
  options: z.object({
    missingIndicators: z.boolean(),
    minLevelCount: z.number(),
    maxNonNumericShare: z.number(),
    maxLevels: z.number(),
  }),
});

const ScorecardRuleOutput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("base"), points: z.number(), text: z.string() }),
  z.object({
    kind: z.literal("category"),
    field: z.string(),
    labels: z.array(z.string()),
    missing: z.boolean(),
    points: z.number(),
    text: z.string(),
  }),
  z.object({
    kind: z.literal("linear"),
    field: z.string(),
    pointsPerUnit: z.number(),
    reference: z.number(),
    missingPoints: z.number(),
    text: z.string(),
  }),
]);

export const ScorecardOutput = z.object({
  scale: z.union([
    z.object({ kind: z.literal("prototype") }),
    z.object({ kind: z.literal("pdo"), basePoints: z.number(), baseOdds: z.number(), pdo: z.number() }),
  ]),
  factor: z.number(),
  offset: z.number(),
  interceptOutsidePoints: z.number(),
  rules: z.array(ScorecardRuleOutput),
  maxRoundingPoints: z.number(),
});

/** What scoring needs, as JSON: `modelworks score model.json` reads exactly this. */
export const ModelArtifact = z.object({
  format: z.literal("modelworks.response-model/1"),
  model: z.object({ id: z.string(), version: z.string() }),
  target: z.string(),
  idField: z.string().nullable(),
  dataFingerprint: z.string(),
  trainedRows: z.number(),
  preparation: PreparationOutput,
  intercept: z.number(),
  coefficients: z.array(z.number()),
  alpha: z.number(),
  lambda: z.number(),
  lambdaRule: z.enum(["1se", "min", "fixed"]),
  /** Lowest probability of deciles 1…10 over all fitted rows (10 = best): a score ≥ cut-off k is at least decile k. */
  decileCutoffs: z.array(z.number()),
  /** Mailing tiers by probability: a record at or above `minProbability` (and below the previous tier's) is in the tier. */
  tiers: z.array(z.object({ name: z.string(), minProbability: z.number() })),
  /** The prototype-scale scorecard (points column of scored files). */
  scorecard: ScorecardOutput,
  metrics: z.object({
    holdoutAuc: z.number(),
    holdoutTopDecileLift: z.number(),
    gatePass: z.boolean(),
    responseRate: z.number(),
  }),
});
export type ModelArtifact = z.output<typeof ModelArtifact>;

// ---- the result ----

const CoefficientRow = z.object({
  column: z.string(),
  field: z.string(),
  level: z.string().nullable(),
  role: z.enum(["value", "level", "missing"]),
  coefficient: z.number(),
  standardized: z.number(),
  oddsRatio: z.number(),
});

const ImportanceRow = z.object({
  field: z.string(),
  importance: z.number(),
  sharePct: z.number(),
  activeColumns: z.number(),
  matchRatePct: z.number().nullable(),
});

const CvRow = z.object({
  lambda: z.number(),
  logLambda: z.number(),
  cvDeviance: z.number(),
  cvDevianceLower: z.number(),
  cvDevianceUpper: z.number(),
  nonZero: z.number(),
});

const FeatureAnalysisRow = z.object({
  variable: z.string(),
  importance: z.number(),
  coefficient: z.number(),
  cost: z.number(),
  lift: z.number(),
  match_rate: z.number().nullable(),
  base_variable: z.string(),
  expected_lift: z.number(),
  cost_effectiveness: z.number().nullable(),
});

export const ResponseModelOutput = z.object({
  kpis: z.object({
    holdoutAuc: z.number(),
    holdoutAucLower: z.number(),
    holdoutAucUpper: z.number(),
    topDecileLift: z.number(),
    gatePass: z.boolean(),
    gate: z.string(),
    bestDepthPct: z.number().nullable(),
    bestDepthRoi: z.number().nullable(),
    lambda: z.number(),
    activeColumns: z.number(),
  }),
  dataReport: DataReportOutput,
  split: z.object({
    trainRows: z.number(),
    holdoutRows: z.number(),
    seed: z.number(),
    holdoutShare: z.number(),
  }),
  preparationReport: z.array(
    z.object({
      field: z.string(),
      missing: z.number(),
      nonNumeric: z.number(),
      unseenLevels: z.number(),
      examples: z.array(z.string()),
    }),
  ),
  crossValidation: z.object({
    folds: z.number(),
    lambdaMin: z.number(),
    lambda1se: z.number(),
    chosenLambda: z.number(),
    lambdaRule: z.enum(["1se", "min", "fixed"]),
    path: z.array(CvRow),
  }),
  holdout: EvaluationOutput,
  allRows: EvaluationOutput,
  coefficients: z.array(CoefficientRow),
  intercept: z.number(),
  importance: z.array(ImportanceRow),
  forwardSelection: ForwardSelectionOutput,
  scorecards: z.object({ prototype: ScorecardOutput, pdo: ScorecardOutput }),
  mailingPlan: MailingPlanOutput,
  executiveSummary: z.object({
    text: z.string(),
    generatedBy: z.union([z.literal("built-in"), z.object({ provider: z.string(), model: z.string() })]),
    fallbackReason: z.string().optional(),
  }),
  artifact: ModelArtifact,
  sql: z.object({ postgresql: z.string(), duckdb: z.string(), snowflake: z.string(), bigquery: z.string() }),
  /** The prototype's "original output" CSVs (spec C.5), row for row. */
  original: z.object({
    response_rates: z.array(
      z.object({
        decile: z.string(),
        count: z.number(),
        response_rate: z.number(),
        avg_score: z.number(),
        lift: z.number(),
      }),
    ),
    feature_analysis: z.array(FeatureAnalysisRow),
    report_metrics: z.array(FeatureAnalysisRow.extend({ recommendation: z.string() })),
    variable_combinations: ForwardSelectionOutput.shape.rows,
    scoring_rules: z.array(z.object({ variable: z.string(), condition: z.string(), adjustment: z.number() })),
    scored_results_sample: z.array(
      z.object({ INDIVIDUALID: z.string(), SCORE: z.number(), TARGET: z.number() }),
    ),
    original_match_rates: z.array(z.object({ field: z.string(), match_rate: z.number() })),
    model_features: z.array(z.object({ feature: z.string() })),
  }),
});
export type ResponseModelOutput = z.output<typeof ResponseModelOutput>;
