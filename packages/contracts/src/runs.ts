import { CHART_KINDS } from "@modelworks/model-kit/descriptors";
import { z } from "zod";
import { FieldError, listQuery, page, Timestamp, Uuid } from "./common.ts";
import { ResolvedDatasetDto } from "./reference-data.ts";
import { RUN_ERROR_CODES, RUN_STATUSES } from "./run-status.ts";

export const FormatName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,40}$/, "must be a format name such as prototype");

export const ModelIdParams = z
  .object({ id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, "must be a model id such as deal-picker") })
  .strict();
export const Semver = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, "must be a version such as 1.0.0");

const Column = z.object({
  key: z.string(),
  title: z.string(),
  unit: z.string().optional(),
  format: z.string().optional(),
  decimals: z.number().optional(),
});
export const TableDescriptorDto = z.object({
  name: z.string(),
  title: z.string(),
  rows: z.string(),
  columns: z.array(Column),
  focus: z
    .object({ key: z.string(), label: z.string() })
    .optional()
    .describe("rows whose `key` is true are the ones that matter: shown first, the rest on request"),
});
export const ChartDescriptorDto = z.object({
  name: z.string(),
  title: z.string(),
  kind: z.enum(CHART_KINDS).describe("gantt: y = [first period, last period], one bar per row"),
  table: z.string(),
  x: z.string(),
  y: z.array(z.string()),
});

export const KpiDescriptorDto = z.object({
  path: z.string().describe("Dotted path of the value in the output"),
  title: z.string(),
  unit: z.string().optional(),
  format: z.string().optional(),
  decimals: z.number().optional(),
});
export const ModelDocumentDto = z.object({
  name: z.string().describe("`report` (every model) or an engine's own document, e.g. `term-sheet`"),
  title: z.string(),
  summary: z.string(),
  formats: z.array(z.string()).describe("Values of `format` in GET /runs/{id}/export?document=<name>"),
});

export const FormLayoutDto = z
  .object({
    at: z
      .string()
      .optional()
      .describe('Dotted path of the input object the sections lay out ("" or absent = the input)'),
    title: z.string().optional().describe("Title of that object's block when it is nested"),
    sections: z.array(z.object({ id: z.string(), title: z.string(), fields: z.array(z.string()) })),
  })
  .describe(
    'Sections (tabs) of the input form, in order; fields no section names belong in a last "Other" section',
  )
  .meta({ id: "FormLayout" });
export const ResultView = z
  .string()
  .describe(
    "The result view to show runs with: `generic` (KPIs, charts, tables), `optimizer` (plus the shared explanation panels) or a dedicated view's name; unknown names fall back to `generic`",
  );

const OutcomeValueDto = z.object({ label: z.string(), tone: z.enum(["good", "caution", "bad"]) });
export const OutcomeDescriptorDto = z
  .object({
    path: z.string().describe("Dotted path of the output field holding the outcome code, e.g. `status`"),
    values: z.record(z.string(), OutcomeValueDto).describe("How each outcome code reads"),
    empty: OutcomeValueDto.extend({
      path: z.string().describe("Dotted path of the plan's list (e.g. `selection`)"),
      whenCode: z.string().describe("The code (e.g. `optimal`) under which an empty list reads as this"),
    })
      .optional()
      .describe("The reading of a plan that holds nothing"),
  })
  .describe(
    "What a succeeded run's answer was (a plan, no feasible plan, an empty plan), shown as a badge beside its status; null = the model declares none",
  )
  .meta({ id: "OutcomeDescriptor" });

export const ModelSummaryDto = z
  .object({
    id: z.string(),
    version: z.string(),
    versions: z.array(z.string()).describe("All hosted versions, newest first"),
    title: z.string(),
    summary: z.string(),
    heavy: z.boolean(),
  })
  .meta({ id: "ModelSummary" });
export const ModelDto = ModelSummaryDto.extend({
  inputSchema: z.record(z.string(), z.unknown()).describe("JSON Schema (2020-12) of the input"),
  outputSchema: z.record(z.string(), z.unknown()).describe("JSON Schema (2020-12) of the output"),
  examples: z.array(z.object({ name: z.string(), title: z.string(), input: z.unknown() })),
  tables: z.array(TableDescriptorDto),
  charts: z.array(ChartDescriptorDto),
  kpis: z.array(KpiDescriptorDto).describe("Headline outputs, first in reports and exports"),
  documents: z.array(ModelDocumentDto).describe("What GET /runs/{id}/export can produce for this model"),
  layout: FormLayoutDto.nullable().describe(
    "How the model's author lays out its input form; null = schema order",
  ),
  view: ResultView,
  outcome: OutcomeDescriptorDto.nullable(),
  timeoutSeconds: z.number(),
  formats: z
    .array(z.object({ name: z.string(), title: z.string() }))
    .describe("Other formats the model reads and writes, e.g. the original prototype's JSON"),
}).meta({ id: "Model" });
export const ModelQuery = z.object({ version: Semver.optional() }).strict();

export const RunStatus = z.enum(RUN_STATUSES);
export const RunError = z.object({
  // The runner writes only these (run-status.ts); published as an enum so clients can branch on them.
  code: z.enum(RUN_ERROR_CODES),
  message: z.string(),
  issues: z.array(FieldError).optional(),
});

export const KeyResultDto = z
  .object({
    label: z.string().describe("What the number is, e.g. Levered IRR"),
    value: z.number(),
    unit: z.string().nullable().describe("fraction, fraction/yr, USD, x… as the model declares it"),
    format: z.string().nullable().describe("percent, currency, number, integer"),
    decimals: z.number().int().nullable(),
  })
  .meta({ id: "KeyResult" });
export type KeyResultDto = z.output<typeof KeyResultDto>;

/** One phase of a run as the worker saw it: a progress message, from when it came to the next one (or the end). */
export const PhaseTimingDto = z
  .object({
    message: z.string().describe("The engine's progress message that opened the phase"),
    startedAt: Timestamp,
    endedAt: Timestamp,
    durationMs: z.number().min(0),
  })
  .meta({ id: "PhaseTiming" });
export type PhaseTimingDto = z.output<typeof PhaseTimingDto>;

export const RunSummaryDto = z
  .object({
    id: Uuid,
    modelId: z.string(),
    modelVersion: z.string(),
    projectId: Uuid.nullable(),
    scenarioId: Uuid.nullable(),
    scenarioRevision: z.number().int().nullable(),
    sweepId: Uuid.nullable(),
    status: RunStatus,
    progress: z.number().min(0).max(1),
    progressMessage: z.string().nullable(),
    inputHash: z.string().describe("SHA-256 of the canonical (RFC 8785) validated input"),
    cacheHit: z.boolean(),
    cachedFromRunId: Uuid.nullable(),
    error: RunError.nullable(),
    attempts: z.number().int(),
    createdBy: Uuid.nullable(),
    createdByApiKey: Uuid.nullable(),
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    durationMs: z.number().nullable(),
    cancelRequestedAt: Timestamp.nullable(),
    referenceData: z
      .array(ResolvedDatasetDto)
      .nullable()
      .describe(
        "the reference-data editions the run used and where each came from; null: the model reads none",
      ),
    keyResult: KeyResultDto.nullable().describe(
      "The model's key result (its declared key output), stored when the run succeeded; null otherwise",
    ),
  })
  .meta({ id: "RunSummary" });
export const RunDto = RunSummaryDto.extend({
  input: z.unknown().describe("The validated input the run used (defaults filled in)"),
  phaseTimings: z
    .array(PhaseTimingDto)
    .nullable()
    .describe(
      "When each phase the engine reported started and ended (worker clock; engines have none). Null for cached runs and engines that report no phases",
    ),
  output: z.unknown().nullable(),
}).meta({ id: "Run" });

/** A stored file as the rows of a run input's table (issue 15 item 1). */
export const RunFileData = z
  .object({
    fileId: Uuid.describe("A stored file of the organization (POST /files or an upload)"),
    mappingId: Uuid.optional().describe(
      "A saved field mapping: its columns are filled through it, the file's other columns pass through",
    ),
    field: z.string().min(1).max(200).default("records").describe("The input's table to fill"),
  })
  .strict();

export const CreateRunBody = z
  .object({
    input: z.unknown().optional().describe("The model input; or give scenarioId"),
    scenarioId: Uuid.optional().describe("Run the scenario's current revision"),
    projectId: Uuid.optional().describe("File the run under a project (implied by scenarioId)"),
    version: Semver.optional().describe("Model version; the newest when omitted"),
    format: FormatName.optional().describe(
      "The `input` is written in this format of the model (see its `formats`)",
    ),
    data: RunFileData.optional().describe(
      "Fill one of the input's tables (response-model's `records`) from a stored file, through a saved field mapping",
    ),
  })
  .strict()
  .refine((b) => (b.input === undefined) !== (b.scenarioId === undefined), {
    message: "give exactly one of input or scenarioId",
  });
export const CreateRunQuery = z
  .object({
    wait: z.coerce
      .number()
      .min(0, "must be 0 or more")
      .max(60, "must be at most 60")
      .default(0)
      .describe("Seconds to wait for the run to finish before answering 202"),
    cache: z
      .enum(["true", "false"], { message: "must be true or false" })
      .default("true")
      .transform((v) => v === "true")
      .describe("false: compute even if an identical run exists"),
  })
  .strict();

export const RunListQuery = listQuery(["createdAt", "finishedAt"], {
  modelId: z.string().max(41).optional(),
  status: RunStatus.optional(),
  projectId: Uuid.optional(),
  scenarioId: Uuid.optional(),
  sweepId: Uuid.optional(),
  createdBy: Uuid.optional(),
});
export const RunPage = page(RunSummaryDto);

export const RunOutputQuery = z
  .object({ format: FormatName.optional().describe("Write the output in this format of the model") })
  .strict();
