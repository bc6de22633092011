import { z } from "zod";
import { listQuery, Name, page, Timestamp, Uuid } from "./common.ts";
import { CreateShareLinkBody } from "./exports.ts";
import { NumberStyleDto } from "./number-style.ts";
import { RevisionNumber } from "./scenarios.ts";

/**
 * Dashboard conversations (issue 16): messages with attached files, the dashboard-planner runs
 * they start, the plan's revisions, live queries of a revision's visuals and its Power BI project.
 * The plan itself is the engine's `DashboardPlan` (engine-dashboard-planner `plan/schema.ts`),
 * validated there; here it is carried as an object.
 */

/** Most files one conversation reads (the planner's limit on tables). */
export const CONVERSATION_MAX_FILES = 10;
/** The planner reads a goal or an instruction of at most 2,000 characters (engine `DashboardPlannerInput`). */
export const MESSAGE_MAX_CHARS = 2000;

export const ProjectConversationsParams = z.object({ projectId: Uuid }).strict();
export const ConversationRevisionParams = z.object({ id: Uuid, revision: RevisionNumber }).strict();

const Title = Name(200);

export const CreateConversationBody = z
  .object({ title: Title.optional().describe('Default: "New dashboard"; renamed freely later') })
  .strict();
export const UpdateConversationBody = z.object({ title: Title }).strict();
export const ConversationListQuery = listQuery(["lastActivityAt", "createdAt", "title"] as const, {});

export const MessageRole = z.enum(["user", "assistant", "system"]);
export const MessageStatus = z.enum(["done", "pending", "failed"]);

export const PostMessageBody = z
  .object({
    content: z
      .string()
      .trim()
      .min(1, "must not be blank")
      .max(MESSAGE_MAX_CHARS, `must be at most ${MESSAGE_MAX_CHARS} characters`),
    fileIds: z
      .array(Uuid)
      .max(CONVERSATION_MAX_FILES, `at most ${CONVERSATION_MAX_FILES} files per conversation`)
      .default([])
      .describe("Uploaded files (POST /files) to attach; the conversation keeps them for later messages"),
    visualId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a visual id of the plan")
      .optional()
      .describe("The visual the message is about, when the user pointed at one"),
    planner: z
      .enum(["auto", "built-in"])
      .default("auto")
      .describe("auto: the organization's language model when configured, else the built-in rules"),
  })
  .strict();

export const ConversationFileDto = z
  .object({
    fileId: Uuid,
    table: z.string().describe("How the plan and its queries name the file"),
    name: z.string(),
    rowCount: z.number().int(),
    columnCount: z.number().int(),
    attachedAt: Timestamp,
  })
  .meta({ id: "ConversationFile" });

export const MessageDto = z
  .object({
    id: Uuid,
    seq: z.number().int(),
    role: MessageRole,
    content: z.string(),
    status: MessageStatus.describe("pending: the reply's run is still planning; failed: it did not finish"),
    runId: Uuid.nullable(),
    fileIds: z.array(Uuid),
    planRevision: z.number().int().nullable().describe("The plan revision this reply made"),
    createdAt: Timestamp,
  })
  .meta({ id: "ConversationMessage" });

const conversationFields = {
  id: Uuid,
  projectId: Uuid,
  title: z.string(),
  currentRevision: z
    .number()
    .int()
    .nullable()
    .describe("The plan revision shown; null before the first plan"),
  messageCount: z.number().int(),
  createdBy: Uuid.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastActivityAt: Timestamp,
};
export const ConversationSummaryDto = z.object(conversationFields).meta({ id: "ConversationSummary" });
export const ConversationPage = page(ConversationSummaryDto);
export const ConversationDto = z
  .object({
    ...conversationFields,
    files: z.array(ConversationFileDto),
    messages: z.array(MessageDto),
  })
  .meta({ id: "Conversation" });

export const PostMessageResult = z
  .object({
    message: MessageDto.describe("The user's message"),
    reply: MessageDto.describe("The assistant's reply: pending until its run finishes"),
    runId: Uuid.describe("Follow it at /runs/{id}/events (progress 10 → 30 → 50 → 90 → 100)"),
  })
  .meta({ id: "PostMessageResult" });

/** One changed value; `from` is absent for an added value, `to` for a removed one. */
export const PlanChangeDto = z.object({
  path: z.string(),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
});

const revisionFields = {
  conversationId: Uuid,
  revision: z.number().int(),
  baseRevision: z.number().int().nullable().describe("The revision this one was made from"),
  note: z.string(),
  runId: Uuid.nullable(),
  createdAt: Timestamp,
  diff: z.array(PlanChangeDto).describe("Every value changed from the base revision"),
};
export const PlanRevisionSummaryDto = z.object(revisionFields).meta({ id: "PlanRevisionSummary" });
export const PlanRevisionDto = z
  .object({
    ...revisionFields,
    plan: z.record(z.string(), z.unknown()).describe("The DashboardPlan (engine schema)"),
    tables: z
      .array(
        z.object({
          table: z.string(),
          fileId: Uuid,
          columns: z
            .array(z.object({ name: z.string(), type: z.string() }))
            .describe("The table's columns and types, as the plan was checked against them"),
        }),
      )
      .describe("What each plan table reads"),
  })
  .meta({ id: "PlanRevision" });
export const PlanRevisionList = z.object({ items: z.array(PlanRevisionSummaryDto) });

export const PlanDiffQuery = z
  .object({ against: RevisionNumber.describe("The revision to compare with (the older side)") })
  .strict();
export const PlanDiffDto = z.object({
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(["changed", "added", "removed"]),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
});

const SqlValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
export const SlicerStateBody = z.union([
  z.object({ values: z.array(SqlValue).max(1000) }).strict(),
  z.object({ range: z.tuple([SqlValue, SqlValue]) }).strict(),
]);
export const SelectionBody = z
  .object({
    field: z.object({ table: z.string().min(1).max(200), column: z.string().min(1).max(200) }).strict(),
    values: z.array(SqlValue).min(1).max(1000),
    timeGrain: z.enum(["year", "quarter", "month", "week", "day"]).optional(),
    sourceVisualId: z.string().max(64).optional(),
  })
  .strict();
export const DashboardQueryBody = z
  .object({
    visualIds: z
      .array(z.string().min(1).max(64))
      .max(100)
      .optional()
      .describe("The visuals to run; default: every visual of the plan"),
    slicers: z.record(z.string().max(64), SlicerStateBody).default({}).describe("Slicer states by slicer id"),
    selections: z.array(SelectionBody).max(20).default([]).describe("Cross-filter selections"),
  })
  .strict();
export const VisualResultDto = z.object({
  visualId: z.string(),
  columns: z.array(z.object({ name: z.string(), role: z.string(), binding: z.number().int().optional() })),
  rows: z.array(z.record(z.string(), z.unknown())),
});
export const DashboardQueryResult = z
  .object({ revision: z.number().int(), visuals: z.array(VisualResultDto) })
  .meta({ id: "DashboardQueryResult" });

/** A slicer of a plan revision: the path of its values route. */
export const ConversationSlicerParams = z
  .object({ id: Uuid, revision: RevisionNumber, slicerId: z.string().min(1).max(64) })
  .strict();
/** At most this many values per answer: a list to pick from, not an export. */
export const SLICER_VALUES_MAX = 1000;
export const SlicerValuesBody = z
  .object({
    prefix: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("Only values whose text starts with this, ignoring case (a search box)"),
    order: z
      .enum(["value", "frequency"])
      .default("value")
      .describe("By value (ascending, missing last) or by row count (most first, ties by value)"),
    limit: z.number().int().min(1).max(SLICER_VALUES_MAX).default(100).describe("At most this many values"),
    slicers: z
      .record(z.string().max(64), SlicerStateBody)
      .default({})
      .describe("The other slicers' states (this slicer's own state never narrows its values)"),
    selections: z.array(SelectionBody).max(20).default([]).describe("Cross-filter selections"),
  })
  .strict();
export const SlicerValuesResult = z
  .object({
    revision: z.number().int(),
    slicerId: z.string(),
    values: z.array(z.object({ value: z.unknown(), count: z.number().int() })),
    /** More values match than `limit`: narrow with `prefix`. */
    truncated: z.boolean(),
  })
  .meta({ id: "SlicerValuesResult" });

/** An attached file of a conversation: the path of its replace route. */
export const ConversationFileParams = z.object({ id: Uuid, fileId: Uuid }).strict();
export const ReplaceFileBody = z
  .object({ fileId: Uuid.describe("The uploaded file that is the new version of the attached one") })
  .strict();
export const ReplaceFileResult = z
  .object({
    sameColumns: z.boolean().describe("The new version has the same column names and types"),
    revision: z
      .number()
      .int()
      .nullable()
      .describe(
        "The plan revision that reads the new data; null when no visual fits it (the plan is unchanged)",
      ),
    unfit: z
      .array(
        z.object({
          visualId: z.string(),
          title: z.string(),
          issues: z.array(z.object({ path: z.string(), message: z.string() })),
        }),
      )
      .describe(
        "Visuals and slicers of the plan that no longer fit the new columns (left out of the new revision)",
      ),
    repairs: z.array(z.object({ path: z.string(), message: z.string() })),
    message: MessageDto.describe("The system message that tells the conversation what happened"),
  })
  .meta({ id: "ReplaceFileResult" });

/** A read-only, live link to a conversation's dashboard: like a run's link, without `compareWith`. */
export const CreateDashboardShareLinkBody = CreateShareLinkBody.omit({ compareWith: true }).strict();

/**
 * What a dashboard share link's recipient reads: the conversation's current plan (without the
 * words it was asked in) and when it last changed. Nothing else of the conversation: no messages,
 * no file names or ids, no revisions other than the current one.
 */
export const SharedDashboardDto = z
  .object({
    link: z.object({ label: z.string(), expiresAt: Timestamp }),
    revision: z.number().int().describe("The plan revision shown now; a later read may show a newer one"),
    updatedAt: Timestamp.describe("When the dashboard last changed"),
    plan: z.record(z.string(), z.unknown()).describe("The DashboardPlan (engine schema), without `goal`"),
    numberStyle: NumberStyleDto.describe("How the sharing organization writes negative numbers"),
  })
  .meta({ id: "SharedDashboard" });

/** The public query of a shared dashboard: slicers and selections, never a revision (always the current one). */
export const SharedDashboardQueryBody = DashboardQueryBody;
/** The public slicer-values query of a shared dashboard (always the current revision). */
export const SharedSlicerParams = z
  .object({ token: z.string().max(200), slicerId: z.string().min(1).max(64) })
  .strict();

/** The JSON Schema (draft 2020-12) of the visual form's body, from the engine's `VisualEdit`. */
export const VisualEditSchemaDto = z
  .object({ schema: z.record(z.string(), z.unknown()) })
  .meta({ id: "VisualEditSchema" });
