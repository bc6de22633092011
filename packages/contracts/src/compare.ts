import { z } from "zod";
import { Uuid } from "./common.ts";

export const CompareBody = z
  .object({
    runIds: z
      .array(Uuid)
      .min(2, "give at least 2 run ids")
      .max(20, "give at most 20 run ids")
      .refine((ids) => new Set(ids.map((id) => id.toLowerCase())).size === ids.length, {
        message: "must not name a run twice",
      })
      .describe("Runs of one model; the first is the baseline the others are compared with"),
  })
  .strict();

const Delta = z.object({
  absolute: z.number().nullable().describe("value − baseline; null when either is missing"),
  relative: z
    .number()
    .nullable()
    .describe("(value − baseline) / |baseline|; null when the baseline is 0 or either is missing"),
});

export const ComparisonDto = z
  .object({
    modelId: z.string(),
    modelVersion: z.string().describe("The baseline's version; tables follow its descriptors"),
    modelVersions: z.array(z.string()).describe("Each run's model version, aligned with `runs`"),
    mixedVersions: z.boolean().describe("True when the runs used different versions of the model"),
    warnings: z.array(z.string()),
    baselineRunId: Uuid,
    runs: z
      .array(Uuid)
      .describe("The compared runs, baseline first; every `values` array follows this order"),
    inputs: z
      .array(
        z.object({
          path: z.string().describe("Dotted path in the input, e.g. `terms.0.mean`"),
          values: z
            .array(z.unknown())
            .describe("Each run's value; null where the run's input lacks the field"),
          differs: z.literal(true),
        }),
      )
      .describe("Input fields whose value is not the same in every run"),
    outputs: z
      .array(
        z.object({
          path: z.string(),
          values: z.array(z.number().nullable()),
          deltas: z.array(Delta).describe("Each run against the baseline (the baseline's own is 0)"),
        }),
      )
      .describe("Every numeric output field outside the declared tables"),
    tables: z
      .array(
        z.object({
          name: z.string(),
          title: z.string(),
          rows: z
            .array(
              z.object({
                index: z.number().int().describe("Rows are aligned by position across runs"),
                key: z.string().optional().describe("The row's label, when its first column is text"),
                cells: z.array(
                  z.object({
                    column: z.string(),
                    title: z.string(),
                    unit: z.string().nullable(),
                    values: z.array(z.number().nullable()),
                    deltas: z.array(Delta),
                  }),
                ),
              }),
            )
            .describe("Numeric columns only; a run with fewer rows shows null"),
        }),
      )
      .describe("Each table the model declares, compared row by row"),
  })
  .meta({ id: "Comparison" });
