/**
 * zod schema of the data-check report, for a model's output declaration. Mirrors `DataReport`
 * exactly (test/schemas.test.ts checks both directions at compile time and parses a real report).
 */
import { z } from "zod";

const IssueCodeOutput = z.enum([
  "too_few_rows",
  "few_rows",
  "too_few_fields",
  "target_absent",
  "target_not_binary",
  "target_missing",
  "target_one_class",
  "all_missing",
  "constant",
  "low_completion",
  "text_in_numeric",
  "high_cardinality",
  "identifier",
  "high_correlation",
  "leakage",
]);

export const DataIssueOutput = z.object({
  field: z.string().nullable(),
  code: IssueCodeOutput,
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  counts: z.record(z.string(), z.number()).optional(),
  otherField: z.string().optional(),
});

const FieldSpecOutput = z.object({
  name: z.string(),
  kind: z.enum(["numeric", "ordinal", "nominal"]),
  order: z.array(z.string()).optional(),
  direction: z.enum(["higher-is-better", "lower-is-better"]).optional(),
});

export const FieldProfileOutput = z.object({
  field: z.string(),
  type: z.enum(["numerical", "categorical"]),
  subtype: z.enum(["rating_scale", "continuous", "discrete", "nominal", "high_cardinality", "empty"]),
  confidence: z.number(),
  rowCount: z.number(),
  nonMissingCount: z.number(),
  missingCount: z.number(),
  completionPct: z.number(),
  uniqueCount: z.number(),
  numericShare: z.number(),
  min: z.number().optional(),
  max: z.number().optional(),
  samples: z.array(z.string()),
});

const LeakageSplitOutput = z.object({
  field: z.string(),
  condition: z.string(),
  rows: z.number(),
  responders: z.number(),
  predicts: z.union([z.literal(0), z.literal(1)]),
  purity: z.number(),
  log10PValue: z.number(),
});

const ExcludedFieldOutput = z.object({ field: z.string(), reasons: z.array(IssueCodeOutput) });

export const DataReportOutput = z.object({
  ok: z.boolean(),
  rowCount: z.number(),
  target: z
    .object({
      field: z.string(),
      positives: z.number(),
      negatives: z.number(),
      rate: z.number(),
      values: z.array(z.object({ value: z.string(), count: z.number(), as: z.union([z.literal(0), z.literal(1)]) })),
    })
    .nullable(),
  profiles: z.array(FieldProfileOutput),
  completion: z.array(z.object({ field: z.string(), nonMissing: z.number(), completionPct: z.number() })),
  issues: z.array(DataIssueOutput),
  correlations: z.array(z.object({ field: z.string(), otherField: z.string(), r: z.number(), rows: z.number() })),
  leakage: z.array(
    z.object({
      field: z.string(),
      splits: z.array(LeakageSplitOutput),
      fieldAuc: z.number().nullable(),
      byFieldAuc: z.boolean(),
    }),
  ),
  leakageSplitsTested: z.number(),
  specs: z.array(FieldSpecOutput),
  excluded: z.array(ExcludedFieldOutput),
  kept: z.array(ExcludedFieldOutput),
  levelsBeyondEnds: z.record(z.string(), z.array(z.string())),
});
