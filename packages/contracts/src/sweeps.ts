import { z } from "zod";
import { listQuery, page, Timestamp, Uuid } from "./common.ts";
import { RunError, RunStatus, Semver } from "./runs.ts";

/** Most runs one sweep may start (the size of its grid). */
export const SWEEP_MAX_RUNS = 200;

/** A dotted path into a model's input or output: `terms.0.mean`. */
export const FieldPath = z
  .string()
  .max(200, "must be at most 200 characters")
  .regex(/^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/, "must be a dotted path such as terms.0.mean");

const SweepValue = z.union([z.number().finite(), z.string().max(200), z.boolean()]);

export const SweepParameterBody = z
  .object({
    path: FieldPath.describe("The input field to vary, e.g. `terms.0.mean`; it must exist in the base input"),
    values: z
      .array(SweepValue)
      .min(1, "give at least 1 value")
      .max(SWEEP_MAX_RUNS, `give at most ${SWEEP_MAX_RUNS} values`)
      .optional()
      .describe("The values to try; or give from, to and steps"),
    from: z.number().finite().optional().describe("First value of an evenly spaced range"),
    to: z.number().finite().optional().describe("Last value of the range (included)"),
    steps: z
      .number()
      .int()
      .min(2, "must be at least 2")
      .max(SWEEP_MAX_RUNS, `must be at most ${SWEEP_MAX_RUNS}`)
      .optional()
      .describe("How many values, both ends included"),
  })
  .strict()
  .superRefine((p, ctx) => {
    const range = [p.from, p.to, p.steps].filter((v) => v !== undefined).length;
    if (p.values !== undefined) {
      if (range > 0) ctx.addIssue({ code: "custom", message: "give either values or from, to and steps" });
      return;
    }
    if (range === 0) ctx.addIssue({ code: "custom", message: "give values, or from, to and steps" });
    for (const key of ["from", "to", "steps"] as const) {
      if (range > 0 && p[key] === undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: "is required with a range" });
      }
    }
    if (p.from !== undefined && p.from === p.to) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must differ from from" });
    }
  });

export const CreateSweepBody = z
  .object({
    input: z.unknown().optional().describe("The base input every point starts from; or give scenarioId"),
    scenarioId: Uuid.optional().describe("Start from the scenario's current revision"),
    projectId: Uuid.optional().describe(
      "File the sweep and its runs under a project (implied by scenarioId)",
    ),
    version: Semver.optional().describe("Model version; the newest when omitted"),
    parameters: z
      .array(SweepParameterBody)
      .min(1, "give 1 or 2 parameters")
      .max(2, "give 1 or 2 parameters")
      .refine((ps) => new Set(ps.map((p) => p.path)).size === ps.length, {
        message: "the parameters must vary different fields",
      })
      .describe(`One input field, or a grid of two (every combination); at most ${SWEEP_MAX_RUNS} runs`),
    outputs: z
      .array(FieldPath)
      .min(1, "give at least 1 output")
      .max(20, "give at most 20 outputs")
      .refine((os) => new Set(os).size === os.length, { message: "must not name an output twice" })
      .optional()
      .describe(
        "Numeric output fields to collect; the model's key results (its numeric KPIs) when omitted, else its top-level numeric fields",
      ),
  })
  .strict()
  .refine((b) => (b.input === undefined) !== (b.scenarioId === undefined), {
    message: "give exactly one of input or scenarioId",
  });

export const SWEEP_STATUSES = ["running", "succeeded", "partial", "failed", "canceled"] as const;
export const SweepStatus = z
  .enum(SWEEP_STATUSES)
  .describe(
    "running: some runs are unfinished; succeeded: all succeeded; partial: some succeeded, some did not; " +
      "canceled: none succeeded and some were canceled; failed: all failed",
  );

const Counts = z.object({
  total: z.number().int().describe("Points in the grid"),
  queued: z.number().int(),
  running: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  canceled: z.number().int(),
  deleted: z.number().int().describe("Points whose run record was deleted"),
});

export const SweepSummaryDto = z
  .object({
    id: Uuid,
    modelId: z.string(),
    modelVersion: z.string(),
    projectId: Uuid.nullable(),
    parameters: z.array(z.object({ path: z.string(), values: z.array(SweepValue) })),
    outputs: z.array(z.string()),
    status: SweepStatus,
    counts: Counts,
    createdBy: Uuid.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "SweepSummary" });

const Cell = z.number().nullable();
export const SensitivityTable = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("one-way"),
      parameter: z.string(),
      outputs: z.array(z.string()),
      rows: z
        .array(z.object({ value: SweepValue, cells: z.array(Cell).describe("Aligned with `outputs`") }))
        .describe("One row per value of the parameter"),
    }),
    z.object({
      kind: z.literal("two-way"),
      output: z.string().describe("The output shown in the matrix"),
      rowParameter: z.string(),
      rowValues: z.array(SweepValue),
      columnParameter: z.string(),
      columnValues: z.array(SweepValue),
      cells: z.array(z.array(Cell)).describe("cells[i][j]: the output at rowValues[i] and columnValues[j]"),
    }),
  ])
  .describe("Null cells: the point has not succeeded, or its output lacks the field");

export const SweepDto = SweepSummaryDto.extend({
  points: z.array(
    z.object({
      index: z.number().int(),
      values: z.record(z.string(), SweepValue).describe("The parameter values of this point"),
      runId: Uuid,
      status: z.union([RunStatus, z.literal("deleted")]),
      cacheHit: z.boolean(),
      outputs: z.record(z.string(), Cell),
      error: RunError.nullable(),
    }),
  ),
  table: SensitivityTable,
}).meta({ id: "Sweep" });

export const SweepQuery = z
  .object({
    output: FieldPath.optional().describe(
      "The output of a two-way table; the first of `outputs` when omitted",
    ),
  })
  .strict();

export const SweepListQuery = listQuery(["createdAt"], {
  modelId: z.string().max(41).optional(),
  projectId: Uuid.optional(),
});
export const SweepPage = page(SweepSummaryDto);
