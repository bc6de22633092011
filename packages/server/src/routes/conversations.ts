import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  ConversationDto,
  ConversationFileParams,
  ConversationListQuery,
  ConversationPage,
  ConversationRevisionParams,
  ConversationSlicerParams,
  ConversationSummaryDto,
  CreateConversationBody,
  DashboardQueryBody,
  DashboardQueryResult,
  PlanDiffDto,
  PlanDiffQuery,
  PlanRevisionDto,
  PlanRevisionList,
  PostMessageBody,
  PostMessageResult,
  ProjectConversationsParams,
  ReplaceFileBody,
  ReplaceFileResult,
  SlicerValuesBody,
  SlicerValuesResult,
  UpdateConversationBody,
  VisualEditSchemaDto,
} from "@modelworks/contracts/conversations";
import {
  applyLayoutPatch,
  applyVisualEdit,
  LayoutPatch,
  VisualEdit,
} from "@modelworks/engine-dashboard-planner";
import { asc, count, desc, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { renderDashboard } from "../conversations/export.ts";
import { saveManualRevision } from "../conversations/manual.ts";
import { postMessage, settleConversation, settleWhenFinished, undoPlan } from "../conversations/messages.ts";
import { powerBiZip } from "../conversations/powerbi.ts";
import { queryRevision, slicerValues } from "../conversations/query.ts";
import { replaceFile } from "../conversations/refresh.ts";
import {
  conversationFilesOf,
  conversationSummaryDto,
  DEFAULT_TITLE,
  loadConversation,
  loadRevision,
  messageCount,
  messageDto,
  messagesOf,
  revisionDto,
  revisionSummaryDto,
} from "../conversations/store.ts";
import { conversationMessages, conversations, planRevisions } from "../db/schema.ts";
import { deleteInOrgAndAudit } from "../domain/delete-in-org.ts";
import { notFound } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf, attributionOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { contentDisposition } from "../http/content-disposition.ts";
import { findModel } from "../models/find.ts";
import { diffJson } from "../runs/json-diff.ts";
import { assertProject } from "../scenarios/store.ts";

const tags = ["conversations"];

const BaseRevision = z
  .number()
  .int()
  .min(1)
  .describe("The revision shown when the edit was made; 409 `revision_conflict` when the plan moved on");
const LayoutBody = LayoutPatch.extend({ baseRevision: BaseRevision }).strict();
const VisualEditBody = z.object({ baseRevision: BaseRevision, visual: VisualEdit }).strict();
const DashboardExportQuery = z
  .object({
    format: z
      .enum(["pdf", "png"])
      .describe("pdf: the pictures and every visual's numbers; png: the pictures"),
  })
  .strict();
const VisualParams = IdParams.extend({ visualId: z.string().min(1).max(64) }).strict();
const PLANNER = "dashboard-planner";
/** Computed once: the schema is the engine's, fixed for the process. */
const visualEditJsonSchema = z.toJSONSchema(VisualEdit, { io: "input" }) as Record<string, unknown>;

/**
 * Dashboard conversations (issue 16): messages with attached files, each user message a
 * dashboard-planner run whose reply and plan revision are stored when it finishes; plan revisions
 * with undo and diffs; live queries of a revision's visuals; its Power BI project as a zip.
 */
export async function conversationRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const sendDashboard = async (
    reply: import("fastify").FastifyReply,
    rev: import("../conversations/store.ts").PlanRevisionRow,
    orgId: string,
    format: "pdf" | "png",
  ) => {
    const { body, title } = await renderDashboard(db, app.fileStore, orgId, rev, format);
    return reply
      .type(format === "pdf" ? "application/pdf" : "image/png")
      .header(
        "content-disposition",
        contentDisposition(title, { extension: `.${format}`, fallback: "dashboard", maxLength: 100 }),
      )
      .send(body);
  };
  const { db } = app.deps.database;
  const deps = { ...app.deps, fileStore: app.fileStore };

  const full = async (orgId: string, id: string) => {
    await settleConversation(app.deps, orgId, id, app.log);
    const c = await loadConversation(db, orgId, id);
    const [links, messages] = await Promise.all([conversationFilesOf(db, id), messagesOf(db, id)]);
    return {
      ...conversationSummaryDto(c, messages.length),
      files: links.map(({ link, file }) => ({
        fileId: file.id,
        table: link.tableName,
        name: file.name,
        rowCount: file.rowCount,
        columnCount: (file.profile as unknown[]).length,
        attachedAt: link.createdAt.toISOString(),
      })),
      messages: messages.map(messageDto),
    };
  };

  r.post(
    "/projects/:projectId/conversations",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Start a dashboard conversation in a project",
        params: ProjectConversationsParams,
        body: CreateConversationBody,
        response: { 201: ConversationDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await assertProject(db, orgId, req.params.projectId);
      const created = await db.transaction(async (tx) => {
        const [c] = await tx
          .insert(conversations)
          .values({
            orgId,
            projectId: req.params.projectId,
            title: req.body.title ?? DEFAULT_TITLE,
            createdBy: actorOf(req).userId,
          })
          .returning();
        await recordAudit(tx, req, {
          action: "conversation.created",
          orgId,
          targetType: "conversation",
          targetId: c!.id,
          metadata: { projectId: c!.projectId, title: c!.title },
        });
        return c!;
      });
      return reply
        .code(201)
        .header("location", `/api/v1/conversations/${created.id}`)
        .send({ ...conversationSummaryDto(created, 0), files: [], messages: [] });
    },
  );

  r.get(
    "/projects/:projectId/conversations",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "A project's conversations, most recently active first",
        params: ProjectConversationsParams,
        querystring: ConversationListQuery,
        response: { 200: ConversationPage },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      await assertProject(db, orgId, req.params.projectId);
      const { limit, offset, sort } = req.query;
      const { field, descending } = parseSort<"lastActivityAt" | "createdAt" | "title">(sort);
      const column = {
        lastActivityAt: conversations.lastActivityAt,
        createdAt: conversations.createdAt,
        title: conversations.title,
      }[field];
      const where = eq(conversations.projectId, req.params.projectId);
      const messages = db
        .select({ conversationId: conversationMessages.conversationId, n: count().as("n") })
        .from(conversationMessages)
        .groupBy(conversationMessages.conversationId)
        .as("m");
      const [rows, [total]] = await Promise.all([
        db
          .select({ c: conversations, n: messages.n })
          .from(conversations)
          .leftJoin(messages, eq(messages.conversationId, conversations.id))
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(conversations.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(conversations).where(where),
      ]);
      return {
        items: rows.map((x) => conversationSummaryDto(x.c, Number(x.n ?? 0))),
        total: total?.n ?? 0,
        limit,
        offset,
      };
    },
  );

  r.get(
    "/conversations/:id",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "A conversation with its files and messages",
        description:
          "Replies whose runs have finished are stored before answering (a reply is `pending` until then).",
        params: IdParams,
        response: { 200: ConversationDto },
      },
    },
    async (req) => full(orgOf(req).id, req.params.id),
  );

  r.patch(
    "/conversations/:id",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Rename a conversation",
        params: IdParams,
        body: UpdateConversationBody,
        response: { 200: ConversationSummaryDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      return db.transaction(async (tx) => {
        const before = await loadConversation(tx, orgId, req.params.id, true);
        const [after] = await tx
          .update(conversations)
          .set({ title: req.body.title, updatedAt: new Date() })
          .where(eq(conversations.id, before.id))
          .returning();
        await recordAudit(tx, req, {
          action: "conversation.renamed",
          orgId,
          targetType: "conversation",
          targetId: before.id,
          metadata: { before: before.title, after: req.body.title },
        });
        return conversationSummaryDto(after!, await messageCount(tx, before.id));
      });
    },
  );

  r.delete(
    "/conversations/:id",
    {
      config: { access: "projects:delete" },
      schema: {
        tags,
        summary: "Delete a conversation, its messages and plan revisions",
        description:
          "The uploaded files it read stay as files of the organization and follow its retention policy; runs keep their records.",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await db.transaction((tx) =>
        deleteInOrgAndAudit(
          tx,
          attributionOf(req),
          conversations,
          { orgId, id: req.params.id },
          {
            label: "Conversation",
            action: "conversation.deleted",
            targetType: "conversation",
            metadata: (gone) => ({ title: gone.title, projectId: gone.projectId }),
          },
        ),
      );
      return reply.code(204).send();
    },
  );

  r.post(
    "/conversations/:id/messages",
    {
      config: { access: "runs:execute" },
      schema: {
        tags,
        summary: "Send a message: attaches its files and starts the dashboard-planner run that answers it",
        description:
          "Up to 10 files per conversation (`conversation_file_limit`, nothing stored). With no plan yet, or with " +
          "new files, the run plans a dashboard from the message; otherwise it edits the current plan as asked " +
          "(`visualId`: the visual meant). The whole history goes with it. 202 with the pending reply; follow " +
          "`/runs/{runId}/events`, then read the conversation. One message at a time (`conversation_busy`).",
        params: IdParams,
        body: PostMessageBody,
        response: { 202: PostMessageResult },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const model = findModel(app, PLANNER);
      const posted = await postMessage(deps, model, actorOf(req), req.log, req.params.id, req.body);
      await settleWhenFinished(app.deps, orgId, req.params.id, posted.run.id, app.log);
      return reply.code(202).send({
        message: messageDto(posted.message),
        reply: messageDto(posted.reply),
        runId: posted.run.id,
      });
    },
  );

  r.post(
    "/conversations/:id/files/:fileId/replace",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Replace an attached file by a new version: the dashboard refreshes over the new data",
        description:
          "The conversation reads the uploaded `fileId` from now on, under the attached file's table name. With the " +
          "same columns (names and types) the plan is kept and a new revision records the data refresh. With other " +
          "columns the plan is re-checked: repaired where it can be, the visuals that no longer fit are named " +
          "(`unfit`) and left out of the new revision; when none fits, the plan stays as it was (`revision: null`). " +
          "A system message tells the conversation. One transaction; `conversation_busy` while a reply is planned.",
        params: ConversationFileParams,
        body: ReplaceFileBody,
        response: { 200: ReplaceFileResult },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const out = await replaceFile(
        deps,
        actorOf(req),
        req.log,
        req.params.id,
        req.params.fileId,
        req.body.fileId,
      );
      await recordAudit(db, req, {
        action: "conversation.file_replaced",
        orgId,
        targetType: "conversation",
        targetId: req.params.id,
        metadata: {
          from: req.params.fileId,
          to: req.body.fileId,
          sameColumns: out.sameColumns,
          revision: out.revision,
          unfit: out.unfit.map((u) => u.visualId),
        },
      });
      return { ...out, message: messageDto(out.message) };
    },
  );

  r.get(
    "/conversations/:id/plan-revisions",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "The conversation's plan revisions, oldest first, with each one's diff",
        params: IdParams,
        response: { 200: PlanRevisionList },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      await settleConversation(app.deps, orgId, req.params.id, app.log);
      const c = await loadConversation(db, orgId, req.params.id);
      const rows = await db
        .select()
        .from(planRevisions)
        .where(eq(planRevisions.conversationId, c.id))
        .orderBy(asc(planRevisions.revision));
      return { items: rows.map(revisionSummaryDto) };
    },
  );

  r.get(
    "/conversations/:id/plan-revisions/:revision",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "One plan revision: the plan and the files its tables read",
        params: ConversationRevisionParams,
        response: { 200: PlanRevisionDto },
      },
    },
    async (req) => {
      const c = await loadConversation(db, orgOf(req).id, req.params.id);
      return revisionDto(await loadRevision(db, c.id, req.params.revision));
    },
  );

  r.get(
    "/conversations/:id/plan-revisions/:revision/diff",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "What changed between two plan revisions (`against` is the older side)",
        params: ConversationRevisionParams,
        querystring: PlanDiffQuery,
        response: { 200: PlanDiffDto },
      },
    },
    async (req) => {
      const c = await loadConversation(db, orgOf(req).id, req.params.id);
      const [a, b] = await Promise.all([
        loadRevision(db, c.id, req.query.against),
        loadRevision(db, c.id, req.params.revision),
      ]);
      return { from: a.revision, to: b.revision, changes: diffJson(a.plan, b.plan) };
    },
  );

  r.post(
    "/conversations/:id/undo",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Undo: the revision the current plan was made from becomes current again",
        description:
          "Revisions are never deleted; undo only moves which one is shown (`nothing_to_undo` at the first).",
        params: IdParams,
        response: { 200: ConversationSummaryDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const { conversation, from, to } = await undoPlan(app.deps, orgId, req.params.id, req.log);
      await recordAudit(db, req, {
        action: "conversation.plan_undone",
        orgId,
        targetType: "conversation",
        targetId: conversation.id,
        metadata: { from, to },
      });
      return conversationSummaryDto(conversation, await messageCount(db, conversation.id));
    },
  );

  r.post(
    "/conversations/:id/layout",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Move or resize tiles: the current plan with a layout patch becomes the next revision",
        description:
          "Each tile (a visual or a slicer, by id) takes its new place on the 12-column grid; the others stay. " +
          "Checked by the plan schema and `checkPlan`, never repaired: a tile past the grid's edge is a 422 at " +
          "`body.tiles.N.w`, one overlapping another at `body.tiles.N`, an unknown id at `body.tiles.N.id`. " +
          "The new revision carries the diff and is undone like any other.",
        params: IdParams,
        body: LayoutBody,
        response: { 201: PlanRevisionDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const { baseRevision, tiles } = req.body;
      const row = await saveManualRevision(
        app.deps,
        orgId,
        actorOf(req).userId,
        req.params.id,
        {
          baseRevision,
          bodyPath: "body",
          apply: (plan, tables) => applyLayoutPatch(plan, { tiles }, tables),
          note: `Layout: ${tiles.map((t) => `${t.id} to (${t.x}, ${t.y}) ${t.w}×${t.h}`).join(", ")}`,
        },
        req.log,
      );
      await recordAudit(db, req, {
        action: "conversation.plan_edited",
        orgId,
        targetType: "conversation",
        targetId: row.conversationId,
        metadata: { revision: row.revision, baseRevision, edit: "layout" },
      });
      return reply.code(201).send(revisionDto(row));
    },
  );

  r.get(
    "/dashboard-plans/visual-edit-schema",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary:
          "The JSON Schema of a visual edit (the body's `visual` of PUT /conversations/{id}/visuals/{visualId})",
        description:
          "The engine's plan schema, so a form offers exactly its kinds, aggregations, channels, time grains, " +
          "number formats, sort directions and top-N bounds. The same for every organization.",
        response: { 200: VisualEditSchemaDto },
      },
    },
    async () => ({ schema: visualEditJsonSchema }),
  );

  r.put(
    "/conversations/:id/visuals/:visualId",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Edit a visual by form: its kind, title, fields, aggregations, formats, sort and top-N",
        description:
          "Replaces those fields of the visual in the current plan (an optional one left out is removed) and " +
          "saves the next revision. Checked against the data by `checkPlan` and never repaired: an unknown " +
          "column, a SUM of an identifier or a kind the fields cannot draw is a 422 at `body.visual.…`.",
        params: VisualParams,
        body: VisualEditBody,
        response: { 201: PlanRevisionDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const { baseRevision, visual } = req.body;
      const { visualId } = req.params;
      const row = await saveManualRevision(
        app.deps,
        orgId,
        actorOf(req).userId,
        req.params.id,
        {
          baseRevision,
          bodyPath: "body.visual",
          apply: (plan, tables) => {
            const known = plan.pages.some((p) => p.visuals.some((v) => v.id === visualId));
            if (!known) throw notFound(`Visual ${visualId}`);
            return applyVisualEdit(plan, visualId, visual, tables);
          },
          note: `Edited "${visual.title}" (${visualId}) by form`,
        },
        req.log,
      );
      await recordAudit(db, req, {
        action: "conversation.plan_edited",
        orgId,
        targetType: "conversation",
        targetId: row.conversationId,
        metadata: { revision: row.revision, baseRevision, edit: "visual", visualId },
      });
      return reply.code(201).send(revisionDto(row));
    },
  );

  r.post(
    "/conversations/:id/plan-revisions/:revision/query",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Run a plan revision's visuals (all, or `visualIds`) over the conversation's files",
        description:
          "Each visual runs the read-only, parameterized DuckDB SELECT the plan compiles to — never model-written " +
          "SQL. Slicer states and cross-filter selections are checked against the plan (422 per field) and passed " +
          "as parameters. 410 when a file the plan reads is no longer stored.",
        params: ConversationRevisionParams,
        body: DashboardQueryBody,
        response: { 200: DashboardQueryResult },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const c = await loadConversation(db, orgId, req.params.id);
      const rev = await loadRevision(db, c.id, req.params.revision);
      const visuals = await queryRevision(db, app.fileStore, orgId, rev, req.body as never);
      return { revision: rev.revision, visuals };
    },
  );

  r.post(
    "/conversations/:id/plan-revisions/:revision/slicers/:slicerId/values",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary:
          "A list slicer's choices: its field's distinct values with row counts, searchable and bounded",
        description:
          "Under the page's filters, the other slicers' states and the selections in the body (never the slicer's " +
          "own state), optionally only values starting with `prefix` (ignoring case), ordered by value or by " +
          "frequency, at most `limit` (`truncated` says more matched). Compiled from the plan to a parameterized " +
          "DuckDB SELECT like the visuals' queries. A POST because the filter state is a structured body; it " +
          "changes nothing. 422 per field for a slicer, selection or value that does not fit the plan.",
        params: ConversationSlicerParams,
        body: SlicerValuesBody,
        response: { 200: SlicerValuesResult },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const c = await loadConversation(db, orgId, req.params.id);
      const rev = await loadRevision(db, c.id, req.params.revision);
      const out = await slicerValues(db, app.fileStore, orgId, rev, req.params.slicerId, req.body as never);
      return { revision: rev.revision, slicerId: req.params.slicerId, ...out };
    },
  );

  r.get(
    "/conversations/:id/plan-revisions/:revision/export",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Download a plan revision as a PDF or PNG, drawn from its live query results",
        description:
          "The visuals' queries run now (no slicers or selections) and are drawn on the server on the plan's " +
          "12-column grid (ECharts SVG; the PDF as vectors with the bundled font). The PDF ends with each " +
          "visual's result as a table of exact values. 410 when a file the plan reads is no longer stored.",
        params: ConversationRevisionParams,
        querystring: DashboardExportQuery,
        produces: ["application/pdf", "image/png"],
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const c = await loadConversation(db, orgId, req.params.id);
      const rev = await loadRevision(db, c.id, req.params.revision);
      return sendDashboard(reply, rev, orgId, req.query.format);
    },
  );

  r.get(
    "/conversations/:id/plan-revisions/:revision/powerbi",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary:
          "Download the plan revision as a Power BI project (.pbip, PBIR + TMDL) with its data as CSV, zipped",
        params: ConversationRevisionParams,
        produces: ["application/zip"],
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const c = await loadConversation(db, orgId, req.params.id);
      const rev = await loadRevision(db, c.id, req.params.revision);
      const { name, zip } = await powerBiZip(db, app.fileStore, orgId, rev);
      return reply
        .type("application/zip")
        .header(
          "content-disposition",
          contentDisposition(name, {
            extension: ".pbip.zip",
            fallback: "dashboard",
            maxLength: 100,
            exactName: true,
          }),
        )
        .send(zip);
    },
  );
}
