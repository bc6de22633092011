import { z } from "zod";
import { listQuery, Name, page, Timestamp, Uuid } from "./common.ts";

/**
 * Fitted models as versioned, immutable artifacts of an organization (issue 15 item 8): made from
 * a succeeded response-model run, approved by an admin (refused when the deployment gate failed,
 * unless overridden with a reason), retired when no longer to be used. Every transition audited.
 */
export const ARTIFACT_STATES = ["draft", "approved", "retired"] as const;
export const ArtifactState = z.enum(ARTIFACT_STATES);
export type ArtifactState = z.infer<typeof ArtifactState>;

/** The warehouses the SQL export writes for (the engine's dialects). */
export const SQL_DIALECT_NAMES = ["postgresql", "duckdb", "snowflake", "bigquery"] as const;

export const ModelArtifactDto = z
  .object({
    id: Uuid,
    name: z.string(),
    version: z.number().int().describe("1, 2, … per name in the organization"),
    state: ArtifactState,
    modelId: z.string(),
    modelVersion: z.string(),
    sourceRunId: Uuid.describe("The fit run it was made from (kept even if that run is deleted)"),
    dataFingerprint: z.string().describe("FNV-1a 64 of the training file's names and cells"),
    trainedRows: z.number().int(),
    target: z.string(),
    idField: z.string().nullable(),
    metrics: z.object({
      holdoutAuc: z.number(),
      holdoutTopDecileLift: z.number(),
      gatePass: z.boolean(),
      responseRate: z.number(),
    }),
    gateOverrideReason: z.string().nullable().describe("Why it was approved although the gate failed"),
    createdBy: Uuid.nullable(),
    createdAt: Timestamp,
    approvedBy: Uuid.nullable(),
    approvedAt: Timestamp.nullable(),
    retiredBy: Uuid.nullable(),
    retiredAt: Timestamp.nullable(),
  })
  .meta({ id: "ModelArtifact" });

export const CreateModelArtifactBody = z
  .object({
    runId: Uuid.describe("A succeeded response-model run of this organization"),
    name: Name(120).describe("The model's name; each new artifact of a name gets the next version"),
  })
  .strict();

export const ApproveModelArtifactBody = z
  .object({
    overrideReason: z
      .string()
      .trim()
      .min(10, "say why, in at least 10 characters")
      .max(2000)
      .optional()
      .describe("Required when the deployment gate failed: why it may be used anyway"),
  })
  .strict();

export const ModelArtifactListQuery = listQuery(["createdAt", "name"], {
  name: z.string().max(120).optional(),
  state: ArtifactState.optional(),
});
export const ModelArtifactPage = page(ModelArtifactDto);

export const ArtifactSqlQuery = z
  .object({
    dialect: z.enum(SQL_DIALECT_NAMES),
    table: z
      .string()
      .regex(
        /^[^.\s]{1,120}(\.[^.\s]{1,120}){0,2}$/,
        "a table name, optionally with schema and database: a.b.c",
      )
      .default("customers")
      .describe("The raw table the SELECT reads"),
  })
  .strict();

/** Scoring runs: a run of this id scores a stored file with an artifact (platform-side, streamed). */
export const SCORING_RUN_MODEL = { id: "response-model-score", version: "1.0.0" } as const;

export const CreateScoringRunBody = z
  .object({
    fileId: Uuid.describe("The stored file to score (POST /files or an upload)"),
    mappingId: Uuid.optional().describe(
      "A saved field mapping for the file: its columns filled through it, the others passed through",
    ),
    allowDraft: z.boolean().default(false).describe("Score with a draft artifact (never a retired one)"),
  })
  .strict();

/** The run input a scoring run records. */
export const ScoringRunInput = CreateScoringRunBody.extend({ artifactId: Uuid });
export type ScoringRunInput = z.infer<typeof ScoringRunInput>;

/** What a scoring run returns: the scored file and what was seen on the way. */
export const ScoringRunOutput = z.object({
  artifactId: Uuid,
  artifact: z.object({ name: z.string(), version: z.number().int(), state: ArtifactState }),
  fileId: Uuid,
  scoredFileId: Uuid.describe("The stored CSV: customer_id, probability, points, decile, tier"),
  rows: z.number().int(),
  byDecile: z.array(z.number().int()).describe("Rows per decile 1…10 (10 = best) by the fit's cut-offs"),
  byTier: z.record(z.string(), z.number().int()),
  fields: z
    .array(
      z.object({
        field: z.string(),
        missing: z.number().int(),
        nonNumeric: z.number().int(),
        unseenLevels: z.number().int().describe("Values the fit never saw: scored as all-zero dummies"),
        examples: z.array(z.string()),
      }),
    )
    .describe("Per model field, only those with missing, non-numeric or unseen values"),
  unseenLevels: z.number().int().describe("Cells with a level the fit never saw, over all fields"),
});
export type ScoringRunOutput = z.infer<typeof ScoringRunOutput>;
