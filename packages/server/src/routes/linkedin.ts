import { IdParams } from "@modelworks/contracts/common";
import {
  CreatePublicationBody,
  DraftCheckBody,
  DraftCheckDto,
  LinkedInCallbackQuery,
  LinkedInConnectionDto,
  LinkedInConnectResult,
  PublicationDto,
  PublicationList,
  PublicationListQuery,
} from "@modelworks/contracts/linkedin";
import { and, desc, eq, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalUserId } from "../auth/principal.ts";
import { draftFlaggedError, linkedinLimitErrors, loadRunDraft } from "../content/draft-check.ts";
import { contentPublications, type DraftFlagRow } from "../db/schema.ts";
import { inOrg } from "../db/scope.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { type PublicationRow, PublishFailure } from "../linkedin/service.ts";

const tags = ["content"];
/** Where the browser lands after the callback (the web app's content page). */
const WEB_PAGE = "/content/ask";

/**
 * The creation time to the microsecond, as PostgreSQL keeps it (a JavaScript Date keeps
 * milliseconds: a cursor cut there would skip rows created within the same millisecond).
 */
const createdAtMicros = sql<string>`to_char(${contentPublications.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const encodeCursor = (at: string, id: string) => Buffer.from(`${at}|${id}`).toString("base64url");

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !id || rest.length || !CURSOR_AT.test(at) || !UUID.test(id))
    throw unprocessable([{ path: "query.cursor", message: "must be a nextCursor from the previous page" }]);
  return { at, id };
}

export function publicationDto(p: PublicationRow) {
  return {
    id: p.id,
    userId: p.userId,
    runId: p.runId,
    variantKind: p.variantKind,
    text: p.text,
    status: p.status,
    scheduledAt: p.scheduledAt?.toISOString() ?? null,
    publishedAt: p.publishedAt?.toISOString() ?? null,
    urn: p.urn,
    postId: p.postId,
    attempts: p.attempts,
    error: p.error,
    flags: p.flags ?? null,
    createdAt: p.createdAt.toISOString(),
  };
}

/**
 * LinkedIn publishing (issue 17 item 5; decision 0044): connect (three-legged OAuth 2.0), the
 * callback, the connection's status, disconnect; publish a draft now or at a time, list and
 * cancel. Each person connects their own account per organization; nobody else in the
 * organization sees or uses it.
 */
export async function linkedinRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const li = app.deps.linkedin;

  r.post(
    "/content/linkedin/connect",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Start connecting the caller's LinkedIn account: the authorization URL",
        description:
          "Scope `openid profile w_member_social`; the URL's `state` is single-use, bound to the caller and this organization, and expires in 10 minutes.",
        response: { 200: LinkedInConnectResult },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const { authorizeUrl, expiresAt } = await li.startConnect(actor.orgId, actor.userId);
      return { authorizeUrl, expiresAt: expiresAt.toISOString() };
    },
  );

  r.get(
    "/content/linkedin/callback",
    {
      config: { access: "user" },
      schema: {
        tags,
        summary: "LinkedIn's redirect back: exchanges the code and stores the connection",
        description:
          "Registered as the app's redirect URL. The signed-in person must be the one who started connecting. " +
          "A browser (Accept: text/html) is sent back to the content page (303, `linkedin=connected`, or " +
          "`linkedin=failed&code=…`); other callers get the connection (200) or the problem.",
        querystring: LinkedInCallbackQuery,
        response: { 200: LinkedInConnectionDto, 303: z.undefined() },
      },
    },
    async (req, reply) => {
      const userId = principalUserId(req.principal ?? null)!;
      const { code, state, error, error_description } = req.query;
      // LinkedIn sends the person's browser here: it goes back to the page; API callers get JSON.
      const browser = (req.headers.accept ?? "").includes("text/html");
      try {
        if (error || !code || !state)
          throw new DomainError(
            "linkedin_state_invalid",
            error
              ? `LinkedIn did not authorize: ${error_description ?? error}.`
              : "The callback carries no code or state.",
            [
              {
                path: error ? "query.error" : !code ? "query.code" : "query.state",
                message: error ?? "required",
              },
            ],
          );
        const { orgId } = await li.completeConnect(userId, state, code);
        await recordAudit(db, req, {
          action: "linkedin.connected",
          orgId,
          targetType: "user",
          targetId: userId,
        });
        if (browser)
          return reply.code(303).header("location", `${WEB_PAGE}?linkedin=connected`).send(undefined);
        return reply.code(200).send(await li.status(orgId, userId));
      } catch (err) {
        if (err instanceof DomainError && browser)
          return reply
            .code(303)
            .header("location", `${WEB_PAGE}?linkedin=failed&code=${err.code}`)
            .send(undefined);
        throw err;
      }
    },
  );

  r.get(
    "/content/linkedin",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "The caller's LinkedIn connection in this organization",
        response: { 200: LinkedInConnectionDto },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return li.status(actor.orgId, actor.userId);
    },
  );

  r.delete(
    "/content/linkedin",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Disconnect the caller's LinkedIn account (its tokens are deleted)",
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (await li.disconnect(actor.orgId, actor.userId))
        await recordAudit(db, req, {
          action: "linkedin.disconnected",
          orgId: actor.orgId,
          targetType: "user",
          targetId: actor.userId,
        });
      return reply.code(204).send();
    },
  );

  r.post(
    "/content/drafts/check",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Check an edited draft of a run: claims against its cited items, voice and LinkedIn limits",
        description:
          "The same check the run applied to its own drafts: every number, percentage, date and quote must " +
          "appear in an item the variant cites; the writer's voice (length, hashtags, banned words) holds. " +
          "Each problem is a flag with its character offsets in the text. Nothing is stored.",
        body: DraftCheckBody,
        response: { 200: DraftCheckDto },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const draft = await loadRunDraft(db, actor.orgId, req.body.runId, req.body.variantKind, {
        runId: "body.runId",
        variantKind: "body.variantKind",
      });
      return draft.check(req.body.text);
    },
  );

  r.post(
    "/content/linkedin/publications",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Publish a draft to LinkedIn now, or schedule it",
        description:
          "The text (or the run's variant of `variantKind`) must fit LinkedIn's 3,000 characters and 10 hashtags. " +
          "With `runId`, the text as sent — usually the writer's edit — is checked again against the variant's " +
          "cited items and the writer's voice: a flagged draft is refused (422 `draft_flagged`, each span named) " +
          "unless `acceptFlags`, and the flags are kept with the publication. Without " +
          "`scheduledAt` it is posted now (201, `published`, with the post's URN and the content post recorded " +
          "for feedback); with it, 202 `scheduled`, and the publisher posts it once when due.",
        body: CreatePublicationBody,
        response: { 201: PublicationDto, 202: PublicationDto },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const b = req.body;
      li.requireConfigured();
      // The text published is the writer's (edited) text when given, else the run's variant.
      let text = b.text;
      let textPath = "body.text";
      let predicted: number | null = null;
      let domains = b.domains;
      let flags: DraftFlagRow[] | null = null;
      if (b.runId) {
        const draft = await loadRunDraft(db, actor.orgId, b.runId, b.variantKind, {
          runId: "body.runId",
          variantKind: "body.variantKind",
        });
        if (text === undefined) {
          text = draft.original;
          textPath = "body.variantKind";
        }
        // LinkedIn's limits first: no acknowledgement overrides them.
        const limits = linkedinLimitErrors(text, textPath);
        if (limits.length) throw unprocessable(limits);
        // Re-checked as sent: an edit may add a figure no cited item holds (or remove one that did).
        const check = draft.check(text);
        if (!check.clean && !b.acceptFlags) throw draftFlaggedError(check.flags, textPath);
        flags = check.flags;
        predicted = draft.predicted;
        domains ??= draft.domains;
      }
      const limits = b.runId ? [] : linkedinLimitErrors(text!, textPath);
      if (limits.length) throw unprocessable(limits);
      const now = new Date();
      if (b.scheduledAt && Date.parse(b.scheduledAt) <= now.getTime())
        throw unprocessable([{ path: "body.scheduledAt", message: "must be in the future" }]);
      // A post may be scheduled before connecting (it fails at its time if still not connected).
      if (!b.scheduledAt && !(await li.connection(actor.orgId, actor.userId)))
        throw new DomainError("linkedin_not_connected", "Connect LinkedIn before publishing.");
      const [row] = await db
        .insert(contentPublications)
        .values({
          orgId: actor.orgId,
          userId: actor.userId,
          runId: b.runId ?? null,
          variantKind: b.variantKind,
          text: text!,
          domains: domains ?? [],
          hourLocal: b.hourLocal ?? null,
          predicted,
          flags,
          ...(b.scheduledAt
            ? { status: "scheduled" as const, scheduledAt: new Date(b.scheduledAt) }
            : {
                status: "publishing" as const,
                leaseUntil: new Date(now.getTime() + 10 * 60_000),
                attempts: 1,
              }),
        })
        .returning();
      await recordAudit(db, req, {
        action: b.scheduledAt ? "linkedin.post_scheduled" : "linkedin.post_published",
        orgId: actor.orgId,
        targetType: "content_publication",
        targetId: row!.id,
        metadata: { runId: row!.runId, variantKind: row!.variantKind },
      });
      reply.header("location", `/api/v1/content/linkedin/publications/${row!.id}`);
      if (b.scheduledAt) return reply.code(202).send(publicationDto(row!));
      try {
        return reply.code(201).send(publicationDto(await li.publish(row!)));
      } catch (err) {
        if (err instanceof PublishFailure) throw err.error;
        throw err;
      }
    },
  );

  r.get(
    "/content/linkedin/publications",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "The caller's LinkedIn publications (newest first)",
        querystring: PublicationListQuery,
        response: { 200: PublicationList },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const after = req.query.cursor ? decodeCursor(req.query.cursor) : null;
      const rows = await db
        .select({ row: contentPublications, at: createdAtMicros })
        .from(contentPublications)
        .where(
          and(
            eq(contentPublications.orgId, actor.orgId),
            eq(contentPublications.userId, actor.userId),
            req.query.status ? eq(contentPublications.status, req.query.status) : undefined,
            after
              ? sql`(${contentPublications.createdAt}, ${contentPublications.id}) < (${after.at}::timestamp at time zone 'UTC', ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(contentPublications.createdAt), desc(contentPublications.id))
        .limit(req.query.limit + 1);
      const page = rows.slice(0, req.query.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => publicationDto(r.row)),
        nextCursor: rows.length > req.query.limit && last ? encodeCursor(last.at, last.row.id) : null,
      };
    },
  );

  r.post(
    "/content/linkedin/publications/:id/cancel",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Cancel a scheduled publication",
        params: IdParams,
        response: { 200: PublicationDto },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const [row] = await db
        .select()
        .from(contentPublications)
        .where(inOrg(contentPublications, actor.orgId, req.params.id));
      if (!row || row.userId !== actor.userId)
        throw new DomainError("not_found", `Publication ${req.params.id} not found.`, [
          { path: "params.id", message: "no such publication of yours in this organization" },
        ]);
      // Only while still scheduled: the publisher's claim moves it on in one statement.
      const [cancelled] = await db
        .update(contentPublications)
        .set({ status: "cancelled", updatedAt: new Date() })
        .where(and(eq(contentPublications.id, row.id), eq(contentPublications.status, "scheduled")))
        .returning();
      if (!cancelled)
        throw new DomainError(
          "publication_state_conflict",
          `Publication ${row.id} is ${row.status}; only a scheduled one can be cancelled.`,
        );
      await recordAudit(db, req, {
        action: "linkedin.post_cancelled",
        orgId: actor.orgId,
        targetType: "content_publication",
        targetId: row.id,
      });
      return publicationDto(cancelled);
    },
  );
}
