import { IdParams } from "@modelworks/contracts/common";
import {
  CreateDashboardShareLinkBody,
  DashboardQueryResult,
  SharedDashboardDto,
  SharedDashboardQueryBody,
  SharedSlicerParams,
  SlicerValuesBody,
  SlicerValuesResult,
} from "@modelworks/contracts/conversations";
import { CreatedShareLinkDto, SharedTokenParams } from "@modelworks/contracts/exports";
import { DEFAULT_NUMBER_STYLE } from "@modelworks/contracts/number-style";
import { eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { renderDashboard } from "../conversations/export.ts";
import { settleConversation } from "../conversations/messages.ts";
import { queryRevision, slicerValues } from "../conversations/query.ts";
import { loadConversation, loadRevision } from "../conversations/store.ts";
import { organizations } from "../db/schema.ts";
import { createShareLink, openShareToken, shareLinkDto } from "../domain/share-links.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { contentDisposition } from "../http/content-disposition.ts";
import { publicRateLimitOf } from "../http/share-rate-limit.ts";

const tags = ["share-links"];
const SharedDashboardExportQuery = z
  .object({
    format: z
      .enum(["pdf", "png"])
      .describe("pdf: the pictures and every visual's numbers; png: the pictures"),
  })
  .strict();

/**
 * Share links to a dashboard (issue 16 item 5a): a read-only, expiring, revocable link to a
 * conversation's dashboard for people without an account. The link names the conversation, not
 * a revision, so it is live: every read serves the plan current at that moment (a new revision,
 * an undo or a file replaced shows up) and runs its visuals through the same compiled,
 * parameterized DuckDB queries as the signed-in dashboard. Recipients get the plan and the
 * visuals' answers — never the messages, the files' names or ids, other revisions, nor who made it.
 * Revoked with the run links' DELETE /share-links/{id}.
 */
export async function dashboardShareLinkRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const { config } = app.deps;
  const publicRateLimit = publicRateLimitOf(config.SHARE_RATE_LIMIT_MAX);

  r.post(
    "/conversations/:id/share-links",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Create a read-only, live link to a conversation's dashboard for people without an account",
        description:
          "Returns the token once (only its hash is stored). The link always shows the conversation's current plan " +
          "revision and its live query results; it expires after `expiresInHours` and can be revoked " +
          "(DELETE /share-links/{id}). 422 at `params.id` while the conversation has no dashboard yet.",
        params: IdParams,
        body: CreateDashboardShareLinkBody,
        response: { 201: CreatedShareLinkDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const { expiresInHours, label } = req.body;
      await settleConversation(app.deps, orgId, req.params.id, app.log);
      const c = await loadConversation(db, orgId, req.params.id);
      if (c.currentRevision === null)
        throw unprocessable(
          [{ path: "params.id", message: "the conversation has no dashboard yet" }],
          "There is no dashboard to share yet: send a message with a file first.",
        );
      const { link, token } = await createShareLink(
        db,
        actorOf(req),
        config.SESSION_SECRET,
        { conversationId: c.id },
        { label, expiresInHours },
      );
      const url = `${config.PUBLIC_URL}/api/v1/shared/${token}/dashboard`;
      return reply.code(201).send({
        ...shareLinkDto(link),
        token,
        url,
        pageUrl: `${config.PUBLIC_URL}/shared/dashboards/${token}`,
        exportUrl: `${url}/export`,
      });
    },
  );

  /**
   * The dashboard behind a token (counted as used when `count`): the link (404/410 as for run
   * links, 404 for a run link), its conversation's current revision — settled first, so a reply that finished shows — and its org.
   */
  async function openDashboard(token: string, count = true) {
    const link = await openShareToken(db, config.SESSION_SECRET, token, { count });
    if (!link.conversationId)
      throw new DomainError(
        "not_found",
        "This share link shares run results, not a dashboard: open it at /shared/{token}.",
      );
    await settleConversation(app.deps, link.orgId, link.conversationId, app.log);
    const c = await loadConversation(db, link.orgId, link.conversationId);
    if (c.currentRevision === null) throw new DomainError("not_found", "This dashboard has no plan.");
    const rev = await loadRevision(db, c.id, c.currentRevision);
    return { link, conversation: c, rev };
  }

  r.get(
    "/shared/:token/dashboard",
    {
      config: { access: "public", rateLimit: publicRateLimit },
      schema: {
        tags,
        summary: "A shared dashboard's current plan, without an account",
        description:
          "Always the conversation's current plan revision (live). 404 for a token that is not genuine or shares " +
          "runs, 410 once it is revoked or expired. Rate-limited per client IP.",
        params: SharedTokenParams,
        response: { 200: SharedDashboardDto },
      },
    },
    async (req) => {
      const { link, conversation, rev } = await openDashboard(req.params.token);
      const [style] = await db
        .select({ negatives: organizations.negativeNumbers, red: organizations.negativesRed })
        .from(organizations)
        .where(eq(organizations.id, link.orgId));
      // The goal is the words a member typed into the conversation: not part of what is shared.
      const { goal: _goal, ...plan } = rev.plan as Record<string, unknown>;
      const updatedAt = rev.createdAt > conversation.updatedAt ? rev.createdAt : conversation.updatedAt;
      return {
        link: { label: link.label, expiresAt: link.expiresAt.toISOString() },
        revision: rev.revision,
        updatedAt: updatedAt.toISOString(),
        plan,
        numberStyle: style ?? DEFAULT_NUMBER_STYLE,
      };
    },
  );

  r.post(
    "/shared/:token/dashboard/query",
    {
      config: { access: "public", rateLimit: publicRateLimit },
      schema: {
        tags,
        summary:
          "Run a shared dashboard's visuals (all, or `visualIds`) over its current data, without an account",
        description:
          "The same read-only, parameterized DuckDB SELECTs as the organization's own dashboard, on the current " +
          "plan revision (`revision` in the answer: a client showing another one reloads the plan). Slicer states " +
          "and selections are checked against the plan (422 per field). 410 when a file the plan reads is gone.",
        params: SharedTokenParams,
        body: SharedDashboardQueryBody,
        response: { 200: DashboardQueryResult },
      },
    },
    async (req) => {
      // One page view is one use: its queries do not count again.
      const { link, rev } = await openDashboard(req.params.token, false);
      const visuals = await queryRevision(db, app.fileStore, link.orgId, rev, req.body as never);
      return { revision: rev.revision, visuals };
    },
  );

  r.post(
    "/shared/:token/dashboard/slicers/:slicerId/values",
    {
      config: { access: "public", rateLimit: publicRateLimit },
      schema: {
        tags,
        summary: "A shared dashboard's list slicer choices, without an account",
        description:
          "As POST /conversations/{id}/plan-revisions/{revision}/slicers/{slicerId}/values, on the current revision.",
        params: SharedSlicerParams,
        body: SlicerValuesBody,
        response: { 200: SlicerValuesResult },
      },
    },
    async (req) => {
      const { link, rev } = await openDashboard(req.params.token, false);
      const out = await slicerValues(
        db,
        app.fileStore,
        link.orgId,
        rev,
        req.params.slicerId,
        req.body as never,
      );
      return { revision: rev.revision, slicerId: req.params.slicerId, ...out };
    },
  );

  r.get(
    "/shared/:token/dashboard/export",
    {
      config: { access: "public", rateLimit: publicRateLimit },
      schema: {
        tags,
        summary: "Download a shared dashboard as a PDF or PNG, without an account",
        description:
          "The current revision drawn from its live query results, as the organization's export does.",
        params: SharedTokenParams,
        querystring: SharedDashboardExportQuery,
        produces: ["application/pdf", "image/png"],
      },
    },
    async (req, reply) => {
      const { link, rev } = await openDashboard(req.params.token);
      const { format } = req.query;
      const { body, title } = await renderDashboard(db, app.fileStore, link.orgId, rev, format);
      return reply
        .type(format === "pdf" ? "application/pdf" : "image/png")
        .header(
          "content-disposition",
          contentDisposition(title, { extension: `.${format}`, fallback: "dashboard", maxLength: 100 }),
        )
        .send(body);
    },
  );
}
