import { z } from "zod";
import { listQuery, Name, page, Timestamp, Uuid } from "./common.ts";
import { ModelIdParams, Semver } from "./runs.ts";

export const SCENARIO_EXPORT_FORMAT = "modelworks.scenario/v1" as const;

const ModelId = ModelIdParams.shape.id;
const Description = z.string().trim().max(2000, "must be at most 2000 characters");
const Note = z
  .string()
  .trim()
  .max(500, "must be at most 500 characters")
  .describe("Why this revision was made; shown in the history");
/** A model input: any JSON value here; the model's own schema checks it (422 at `body.input.…`). */
const ModelInput = z
  .unknown()
  .refine((v) => v !== undefined, "is required")
  .describe("The model input; validated against the model's input schema, stored with defaults filled in");
/** A revision number in a path or query string: 1, 2, … */
export const RevisionNumber = z
  .string()
  .regex(/^[1-9][0-9]{0,8}$/, "must be a revision number (1, 2, …)")
  .transform(Number);

export const ProjectScenariosParams = z.object({ projectId: Uuid }).strict();
export const RevisionParams = z.object({ id: Uuid, revision: RevisionNumber }).strict();

const scenarioFields = {
  id: Uuid,
  projectId: Uuid,
  modelId: z.string(),
  name: z.string(),
  description: z.string(),
  revision: z.number().int().describe("The current revision"),
  modelVersion: z.string().describe("The model version of the current revision"),
  inputHash: z.string().describe("SHA-256 of the canonical (RFC 8785) current input"),
  createdBy: Uuid.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};
export const ScenarioSummaryDto = z.object(scenarioFields).meta({ id: "ScenarioSummary" });
export const ScenarioDto = z
  .object({ ...scenarioFields, input: z.unknown().describe("The current revision's validated input") })
  .meta({ id: "Scenario" });

const revisionFields = {
  scenarioId: Uuid,
  revision: z.number().int(),
  modelVersion: z.string(),
  inputHash: z.string(),
  note: z.string(),
  createdBy: Uuid.nullable(),
  createdAt: Timestamp,
};
export const ScenarioRevisionSummaryDto = z.object(revisionFields).meta({ id: "ScenarioRevisionSummary" });
export const ScenarioRevisionDto = z
  .object({ ...revisionFields, input: z.unknown() })
  .meta({ id: "ScenarioRevision" });

export const CreateScenarioBody = z
  .object({
    name: Name(120),
    description: Description.default(""),
    modelId: ModelId,
    modelVersion: Semver.optional().describe("The newest hosted version when omitted"),
    input: ModelInput,
    note: Note.default(""),
  })
  .strict();

const REVISING = ["input", "modelVersion"] as const;
export const UpdateScenarioBody = z
  .object({
    name: Name(120).optional(),
    description: Description.optional(),
    input: ModelInput.optional().describe(
      "A new input: saved as the next revision (validated against modelVersion, else the current revision's)",
    ),
    modelVersion: Semver.optional().describe("Move the scenario to this model version: a new revision"),
    note: Note.optional().describe("Note of the new revision; only with input or modelVersion"),
    baseRevision: z
      .number({ message: "must be a revision number" })
      .int("must be a revision number")
      .min(1, "must be a revision number")
      .optional()
      .describe("The revision this edit is based on: 409 if the scenario has moved on since"),
  })
  .strict()
  .superRefine((b, ctx) => {
    const changes = ["name", "description", ...REVISING] as const;
    if (!changes.some((k) => b[k] !== undefined)) {
      ctx.addIssue({ code: "custom", message: `give at least one of ${changes.join(", ")}` });
    }
    if (b.note !== undefined && !REVISING.some((k) => b[k] !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["note"],
        message: "describes a new revision: give it with input or modelVersion",
      });
    }
  });

export const DuplicateScenarioBody = z
  .object({
    name: Name(120)
      .optional()
      .describe('The copy\'s name; "<name> (copy)", "<name> (copy 2)", … when omitted'),
  })
  .strict();

export const ScenarioListQuery = listQuery(["updatedAt", "name", "createdAt"], {
  modelId: z.string().max(41, "must be at most 41 characters").optional(),
  q: z.string().trim().max(120).optional().describe("Case-insensitive match anywhere in the name"),
});
export const ScenarioPage = page(ScenarioSummaryDto);
export const RevisionListQuery = listQuery(["revision"], {});
export const RevisionPage = page(ScenarioRevisionSummaryDto);

export const DiffQuery = z.object({ from: RevisionNumber, to: RevisionNumber }).strict();
export const JsonChangeDto = z
  .object({
    path: z.string().describe("Dotted path with array indices, e.g. `terms.0.sd`"),
    kind: z.enum(["changed", "added", "removed"]),
    before: z.unknown().optional().describe("Absent when added"),
    after: z.unknown().optional().describe("Absent when removed"),
  })
  .meta({ id: "JsonChange" });
export const ScenarioDiffDto = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    modelVersion: z.object({ from: z.string(), to: z.string() }),
    changes: z.array(JsonChangeDto).describe("Changes to the input from `from` to `to`"),
  })
  .meta({ id: "ScenarioDiff" });

/** The portable form of a scenario: what export writes and import reads back. */
export const ScenarioExportDto = z
  .object({
    format: z.literal(SCENARIO_EXPORT_FORMAT),
    modelId: z.string(),
    modelVersion: z.string(),
    name: z.string(),
    description: z.string(),
    input: z.unknown(),
    exportedAt: Timestamp,
  })
  .meta({ id: "ScenarioExport" });
/** Exactly the export document, checked field by field; the input then against the model. */
export const ImportScenarioBody = z
  .object({
    format: z.literal(SCENARIO_EXPORT_FORMAT, { message: `must be "${SCENARIO_EXPORT_FORMAT}"` }),
    modelId: ModelId,
    modelVersion: Semver,
    name: Name(120),
    description: Description,
    input: ModelInput,
    exportedAt: Timestamp,
  })
  .strict();
