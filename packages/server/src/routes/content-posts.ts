import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  ContentFeedbackBody,
  ContentPostDto,
  ContentPostListQuery,
  ContentPostPage,
  CreateContentPostBody,
  CreateContentRunBody,
  ImportContentFeedbackBody,
  ImportContentFeedbackResult,
} from "@modelworks/contracts/content";
import { CreateRunQuery, RunDto } from "@modelworks/contracts/runs";
import { and, asc, count, desc, eq, isNotNull } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { draftFlaggedError, loadRunDraft } from "../content/draft-check.ts";
import { externalKey, latestFeedback, postDto } from "../content/posts.ts";
import { candidateItems, feedbackHistory, patternUsage } from "../content/retrieve.ts";
import { isUniqueViolation } from "../db/errors.ts";
import {
  contentFeedback,
  contentPosts,
  type DraftFlagRow,
  fieldMappings,
  files,
  projects,
} from "../db/schema.ts";
import { inOrg } from "../db/scope.ts";
import { runDto } from "../dto/runs.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { readRows } from "../files/duck.ts";
import { applyMapping, type ColumnMapping } from "../files/mapping.ts";
import { standardTable } from "../files/standard.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { findModel } from "../models/find.ts";
import { createRun, TERMINAL, validateInput, waitForRun, wakeWorkers } from "../runs/service.ts";
import { withRunBudget } from "../runs/with-budget.ts";

const tags = ["content"];
const MODEL_ID = "content-intel";
const ANALYTICS_SCHEMA = "linkedin-post-analytics" as const;

/** A 404 that names the field which pointed at nothing (the problem's `errors`). */
const missing = (what: string, path: string, id: string) =>
  new DomainError("not_found", `${what} ${id} not found.`, [
    { path, message: `no such ${what.toLowerCase()} in this organization` },
  ]);

/**
 * Content-intel on stored data (issue 17 items 4 and 5): runs whose evidence is the
 * organization's stored items, the posts a person published, and how they did — recorded by hand
 * or imported from a LinkedIn analytics export through the platform's field mapping — which
 * every later run of that person feeds to the engine's learning loop.
 */
export async function contentPostRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.post(
    "/content/runs",
    {
      config: { access: "runs:execute" },
      schema: {
        tags,
        summary: "Run content-intel on a topic over the organization's stored items",
        description:
          "Candidates are the stored items matching the topic in full text (the sources the caller follows, " +
          "near-duplicates left out), which the engine ranks by BM25 × freshness × credibility; the caller's " +
          "posts with recorded feedback feed its learning loop. Answers like POST /models/content-intel/runs.",
        querystring: CreateRunQuery,
        body: CreateContentRunBody,
        response: { 200: RunDto, 202: RunDto },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const model = findModel(app, MODEL_ID);
      if (req.body.projectId) {
        const [p] = await db
          .select({ id: projects.id })
          .from(projects)
          .where(inOrg(projects, actor.orgId, req.body.projectId));
        if (!p) throw missing("Project", "body.projectId", req.body.projectId);
      }
      const now = new Date();
      const [items, history, usage] = await Promise.all([
        candidateItems(db, actor.orgId, actor.userId, req.body.topic, {
          asOf: now,
          ...(req.body.halfLifeHours ? { halfLifeHours: req.body.halfLifeHours } : {}),
        }),
        feedbackHistory(db, actor.orgId, actor.userId),
        patternUsage(db, actor.orgId, actor.userId),
      ]);
      const { projectId, ...asked } = req.body;
      const input = validateInput(
        model,
        { ...asked, asOf: now.toISOString(), items, history, patternUsage: usage },
        "body",
      );
      const run = await withRunBudget(app.deps, actor, req.log, model, 1, () =>
        createRun(app.deps, db, actor, req.log, {
          model,
          input,
          projectId: projectId ?? null,
          useCache: req.query.cache,
        }),
      );
      if (run.status === "queued") await wakeWorkers(app.deps);
      const latest = TERMINAL.has(run.status)
        ? run
        : await waitForRun(app.deps, actor.orgId, run.id, req.query.wait);
      reply.header("location", `/api/v1/runs/${run.id}`);
      return reply.code(TERMINAL.has(latest.status) ? 200 : 202).send(runDto(latest));
    },
  );

  r.post(
    "/content/posts",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Record a published post (a draft of a run, or written elsewhere)",
        description:
          "With `runId`, domains and the predicted engagement default to the run's analysis and the variant's prediction, " +
          "and the text as sent — usually the writer's edit — gets the same check as publishing to LinkedIn: every " +
          "number, percentage, date and quote must appear in an item the variant cites, and the writer's voice holds. " +
          "A flagged text is refused (422 `draft_flagged`, each span named) unless `acceptFlags`; the flags are kept " +
          "with the post. LinkedIn's sending limits are not applied: the post already exists.",
        body: CreateContentPostBody,
        response: { 201: ContentPostDto },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const b = req.body;
      let fromRun: { domains?: string[]; predicted?: number } = {};
      let flags: DraftFlagRow[] | null = null;
      if (b.runId) {
        const draft = await loadRunDraft(db, actor.orgId, b.runId, b.variantKind, {
          runId: "body.runId",
          variantKind: "body.variantKind",
        });
        // Checked as recorded, like Publish: a hand-posted edit may carry a figure no cited item holds.
        const check = draft.check(b.text);
        if (!check.clean && !b.acceptFlags) throw draftFlaggedError(check.flags, "body.text");
        flags = check.flags;
        fromRun = {
          ...(draft.domains ? { domains: draft.domains } : {}),
          ...(draft.predicted !== null ? { predicted: draft.predicted } : {}),
        };
      }
      const row = await db
        .transaction(async (tx) => {
          const [created] = await tx
            .insert(contentPosts)
            .values({
              orgId: actor.orgId,
              userId: actor.userId,
              runId: b.runId ?? null,
              variantKind: b.variantKind,
              text: b.text,
              domains: b.domains ?? fromRun.domains ?? [],
              publishedAt: new Date(b.publishedAt),
              hourLocal: b.hourLocal ?? null,
              externalId: b.externalId ? externalKey(b.externalId) : null,
              predicted: b.predicted ?? fromRun.predicted ?? null,
              flags,
            })
            .returning();
          await recordAudit(tx, req, {
            action: "content_post.recorded",
            orgId: actor.orgId,
            targetType: "content_post",
            targetId: created!.id,
            metadata: { runId: created!.runId, variantKind: created!.variantKind },
          });
          return created!;
        })
        .catch((err) => {
          if (isUniqueViolation(err))
            throw new DomainError("post_already_recorded", `A post ${b.externalId} is already recorded.`, [
              { path: "body.externalId", message: "already recorded" },
            ]);
          throw err;
        });
      return reply
        .code(201)
        .header("location", `/api/v1/content/posts/${row.id}`)
        .send(postDto(row, undefined));
    },
  );

  r.get(
    "/content/posts",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "The caller's published posts with their latest feedback",
        querystring: ContentPostListQuery,
        response: { 200: ContentPostPage },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const { limit, offset, sort } = req.query;
      const where = and(eq(contentPosts.orgId, actor.orgId), eq(contentPosts.userId, actor.userId));
      const { field, descending } = parseSort<"publishedAt" | "createdAt">(sort);
      const column = { publishedAt: contentPosts.publishedAt, createdAt: contentPosts.createdAt }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(contentPosts)
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(contentPosts.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(contentPosts).where(where),
      ]);
      const fb = await latestFeedback(
        db,
        rows.map((p) => p.id),
      );
      return { items: rows.map((p) => postDto(p, fb.get(p.id))), total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/content/posts/:id",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "A published post and its latest feedback",
        params: IdParams,
        response: { 200: ContentPostDto },
      },
    },
    async (req) => {
      const [row] = await db
        .select()
        .from(contentPosts)
        .where(inOrg(contentPosts, orgOf(req).id, req.params.id));
      if (!row) throw missing("Post", "params.id", req.params.id);
      return postDto(row, (await latestFeedback(db, [row.id])).get(row.id));
    },
  );

  r.post(
    "/content/feedback",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Record how a published post did (impressions, reactions, comments, reposts)",
        description:
          "The latest record of a post counts; a post that does not exist is a 404 naming `body.postId`.",
        body: ContentFeedbackBody,
        response: { 201: ContentPostDto },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const { postId, ...counts } = req.body;
      const [post] = await db
        .select()
        .from(contentPosts)
        .where(inOrg(contentPosts, actor.orgId, postId));
      if (!post) throw missing("Post", "body.postId", postId);
      const fb = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(contentFeedback)
          .values({ orgId: actor.orgId, postId, ...counts, origin: "manual", recordedBy: actor.userId })
          .returning();
        await recordAudit(tx, req, {
          action: "content_feedback.recorded",
          orgId: actor.orgId,
          targetType: "content_post",
          targetId: postId,
          metadata: { origin: "manual" },
        });
        return created!;
      });
      return reply.code(201).send(postDto(post, fb));
    },
  );

  r.post(
    "/content/feedback/import",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Import a LinkedIn analytics export (an uploaded file) through a field mapping",
        description:
          "The file (POST /files) is mapped onto the `linkedin-post-analytics` standard schema (POST, IMPRESSIONS, " +
          "REACTIONS, COMMENTS, REPOSTS) by `columns` or a saved mapping. Rows that do not validate are a 422; a POST " +
          "that names no recorded post is a 404 naming its row. Either way nothing is recorded.",
        body: ImportContentFeedbackBody,
        response: { 200: ImportContentFeedbackResult },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const [file] = await db
        .select()
        .from(files)
        .where(inOrg(files, actor.orgId, req.body.fileId));
      if (!file) throw missing("File", "body.fileId", req.body.fileId);
      let columns = req.body.columns as ColumnMapping[] | undefined;
      if (req.body.mappingId) {
        const [saved] = await db
          .select()
          .from(fieldMappings)
          .where(inOrg(fieldMappings, actor.orgId, req.body.mappingId));
        if (!saved) throw missing("Field mapping", "body.mappingId", req.body.mappingId);
        if (saved.schema !== ANALYTICS_SCHEMA)
          throw unprocessable([
            {
              path: "body.mappingId",
              message: `maps onto ${saved.schema ?? saved.field}, not ${ANALYTICS_SCHEMA}`,
            },
          ]);
        columns = saved.columns as ColumnMapping[];
      }
      const maxRows = app.deps.config.FILES_MAP_MAX_ROWS;
      if (file.rowCount > maxRows)
        throw unprocessable([
          { path: "body.fileId", message: `the file has ${file.rowCount} rows; at most ${maxRows}` },
        ]);
      const source = await readRows(await app.fileStore.localPath(file.dataKey), 0, file.rowCount);
      const mapped = applyMapping(
        standardTable(ANALYTICS_SCHEMA),
        columns!,
        source,
        (file.profile as { name: string }[]).map((c) => c.name),
      );
      if (mapped.problemCount > 0)
        throw unprocessable(
          mapped.problems.slice(0, 100).map((p) => ({
            path: p.row === null ? `body.columns.${p.column ?? ""}` : `file.rows.${p.row}.${p.column ?? ""}`,
            message: p.problem,
          })),
          `${mapped.problemCount} problem(s) in the mapped file; nothing was recorded.`,
        );
      const rows = mapped.rows as {
        POST: string;
        IMPRESSIONS: number;
        REACTIONS: number;
        COMMENTS: number;
        REPOSTS: number;
      }[];
      const posts = await db
        .select()
        .from(contentPosts)
        .where(and(eq(contentPosts.orgId, actor.orgId), isNotNull(contentPosts.externalId)));
      const byKey = new Map(posts.map((p) => [p.externalId!, p]));
      const unknown = rows
        .map((row, i) => ({ row: i + 1, value: row.POST, post: byKey.get(externalKey(row.POST)) }))
        .filter((x) => !x.post);
      if (unknown.length)
        throw new DomainError(
          "not_found",
          `${unknown.length} row(s) name a post that is not recorded in this organization; nothing was recorded.`,
          unknown
            .slice(0, 100)
            .map((u) => ({ path: `file.rows.${u.row}.POST`, message: `no recorded post ${u.value}` })),
        );
      const touched = await db.transaction(async (tx) => {
        const values = rows.map((row) => ({
          orgId: actor.orgId,
          postId: byKey.get(externalKey(row.POST))!.id,
          impressions: row.IMPRESSIONS,
          reactions: row.REACTIONS,
          comments: row.COMMENTS,
          reposts: row.REPOSTS,
          origin: "import" as const,
          fileId: file.id,
          recordedBy: actor.userId,
        }));
        if (values.length) await tx.insert(contentFeedback).values(values);
        await recordAudit(tx, req, {
          action: "content_feedback.imported",
          orgId: actor.orgId,
          targetType: "file",
          targetId: file.id,
          metadata: { rows: values.length },
        });
        return [...new Set(values.map((v) => v.postId))];
      });
      const fb = await latestFeedback(db, touched);
      const touchedPosts = posts.filter((p) => touched.includes(p.id));
      return { recorded: rows.length, posts: touchedPosts.map((p) => postDto(p, fb.get(p.id))) };
    },
  );
}
