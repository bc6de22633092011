import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  CreatedShareLinkDto,
  CreateShareLinkBody,
  SharedExportQuery,
  SharedResultDto,
  SharedTokenParams,
  ShareLinkListQuery,
  ShareLinkPage,
} from "@modelworks/contracts/exports";
import { DEFAULT_NUMBER_STYLE } from "@modelworks/contracts/number-style";
import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lte, type SQL, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { organizations, runs, shareLinks } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { createShareLink, openShareToken, shareLinkDto } from "../domain/share-links.ts";
import { DomainError, notFound, unprocessable } from "../errors/domain-error.ts";
import { documentsOf } from "../exports/documents.ts";
import { EXPORT_DESCRIPTION, exportAndAudit, modelOfRun } from "../exports/run-export.ts";
import { orgOf } from "../http/access.ts";
import { actorOf, attributionOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { sendFile } from "../http/send-file.ts";
import { publicRateLimitOf } from "../http/share-rate-limit.ts";
import { compareRuns } from "../runs/compare.ts";

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Share links: an organization's read-only, expiring, revocable links to a run's results (or
 * a comparison of runs), and the public routes that serve them to people without an account.
 * Recipients see the model, the runs' inputs and outputs and the exports — never who made them
 * nor anything else of the organization.
 */
export async function shareLinkRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const { config } = app.deps;
  const publicRateLimit = publicRateLimitOf(config.SHARE_RATE_LIMIT_MAX);

  r.post(
    "/runs/:id/share-links",
    {
      config: { access: "runs:execute" },
      schema: {
        tags: ["share-links"],
        summary: "Create a read-only link to a run's results (or a comparison) for people without an account",
        description:
          "Returns the token once (only its hash is stored). The link expires after `expiresInHours` and can be revoked. " +
          "`compareWith` adds other succeeded runs of the same model, shown as a comparison against this one. " +
          "409 if a run has not succeeded; 422 for runs of another model.",
        params: IdParams,
        body: CreateShareLinkBody,
        response: { 201: CreatedShareLinkDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const { expiresInHours, label, compareWith } = req.body;
      const ids = [req.params.id, ...compareWith].map((id) => id.toLowerCase());
      const seen = new Set<string>();
      for (const [i, id] of ids.entries()) {
        if (seen.has(id)) {
          throw unprocessable([
            { path: `body.compareWith.${i - 1}`, message: "repeats a run already in the link" },
          ]);
        }
        seen.add(id);
      }
      const rows = await db
        .select({ id: runs.id, modelId: runs.modelId, status: runs.status })
        .from(runs)
        .where(and(eq(runs.orgId, orgId), inArray(runs.id, ids)));
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id);
        if (!row) throw notFound(`Run ${id}`);
        if (row.status !== "succeeded")
          throw new DomainError(
            "run_not_succeeded",
            `Only succeeded runs can be shared: run ${id} is ${row.status}.`,
          );
      }
      const modelId = byId.get(ids[0]!)!.modelId;
      for (const [i, id] of ids.slice(1).entries()) {
        const other = byId.get(id)!.modelId;
        if (other !== modelId) {
          throw unprocessable([
            {
              path: `body.compareWith.${i}`,
              message: `is a run of ${other}; a comparison needs runs of ${modelId}`,
            },
          ]);
        }
      }
      const { link, token } = await createShareLink(
        db,
        actorOf(req),
        config.SESSION_SECRET,
        { runIds: ids },
        { label, expiresInHours },
      );
      const url = `${config.PUBLIC_URL}/api/v1/shared/${token}`;
      return reply.code(201).send({
        ...shareLinkDto(link),
        token,
        url,
        pageUrl: `${config.PUBLIC_URL}/shared/${token}`,
        exportUrl: `${url}/export`,
      });
    },
  );

  r.get(
    "/share-links",
    {
      config: { access: "runs:read" },
      schema: {
        tags: ["share-links"],
        summary: "List your organization's share links, newest first",
        querystring: ShareLinkListQuery,
        response: { 200: ShareLinkPage },
      },
    },
    async (req) => {
      const { limit, offset, sort, runId, conversationId, status } = req.query;
      const now = new Date();
      const byStatus: Record<string, SQL | undefined> = {
        active: and(isNull(shareLinks.revokedAt), gt(shareLinks.expiresAt, now)),
        expired: and(isNull(shareLinks.revokedAt), lte(shareLinks.expiresAt, now)),
        revoked: isNotNull(shareLinks.revokedAt),
      };
      const where = and(
        eq(shareLinks.orgId, orgOf(req).id),
        runId ? sql`${shareLinks.runIds} @> ${JSON.stringify([runId.toLowerCase()])}::jsonb` : undefined,
        conversationId ? eq(shareLinks.conversationId, conversationId.toLowerCase()) : undefined,
        status ? byStatus[status] : undefined,
      );
      const { descending } = parseSort<"createdAt">(sort);
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(shareLinks)
          .where(where)
          .orderBy(descending ? desc(shareLinks.createdAt) : asc(shareLinks.createdAt), asc(shareLinks.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(shareLinks).where(where),
      ]);
      return { items: rows.map(shareLinkDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.delete(
    "/share-links/:id",
    {
      config: { access: "runs:execute" },
      schema: {
        tags: ["share-links"],
        summary: "Revoke a share link (it answers 410 from then on)",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await db.transaction(async (tx) => {
        const link = firstOr404(
          await tx
            .select()
            .from(shareLinks)
            .where(inOrg(shareLinks, orgId, req.params.id))
            .for("update"),
          "Share link",
        );
        if (link.revokedAt) throw new DomainError("already_revoked", "This share link is already revoked.");
        await tx.update(shareLinks).set({ revokedAt: new Date() }).where(eq(shareLinks.id, link.id));
        await recordAudit(tx, req, {
          action: "share_link.revoked",
          orgId,
          targetType: "share_link",
          targetId: link.id,
          metadata: link.conversationId ? { conversationId: link.conversationId } : { runIds: link.runIds },
        });
      });
      return reply.code(204).send();
    },
  );

  /**
   * A run link behind a token, counted as used — or 404 (not a genuine token, or a dashboard's
   * link), 410 (revoked, expired, or its run deleted since). Returns the link's runs in its order.
   */
  async function openLink(token: string) {
    const link = await openShareToken(db, config.SESSION_SECRET, token);
    if (link.runIds.length === 0)
      throw new DomainError(
        "not_found",
        "This share link shares a dashboard, not run results: open it at /shared/dashboards/{token}.",
      );
    const rows = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, link.orgId), inArray(runs.id, link.runIds)));
    const byId = new Map(rows.map((row) => [row.id, row]));
    const ordered = link.runIds.map((id) => byId.get(id));
    if (ordered.some((row) => row?.status !== "succeeded")) {
      throw new DomainError(
        "share_link_run_deleted",
        "A run this link shares has been deleted, so the link no longer works.",
      );
    }
    return { link, runs: ordered.map((row) => row!) };
  }

  r.get(
    "/shared/:token",
    {
      config: { access: "public", rateLimit: publicRateLimit },
      schema: {
        tags: ["share-links"],
        summary: "A shared run's (or comparison's) results, without an account",
        description:
          "The model (with its tables, charts and documents), each shared run's input and output and, for several " +
          "runs, their comparison. 404 for a token that is not genuine, 410 once it is revoked or expired. " +
          "Rate-limited per client IP.",
        params: SharedTokenParams,
        response: { 200: SharedResultDto },
      },
    },
    async (req) => {
      const { link, runs: shared } = await openLink(req.params.token);
      const baseline = shared[0]!;
      const model = modelOfRun(baseline);
      // The recipient reads negatives as the sharing org writes them, in the page as in its exports.
      const [style] = await db
        .select({ negatives: organizations.negativeNumbers, red: organizations.negativesRed })
        .from(organizations)
        .where(eq(organizations.id, link.orgId));
      return {
        numberStyle: style ?? DEFAULT_NUMBER_STYLE,
        link: { label: link.label, expiresAt: link.expiresAt.toISOString() },
        model: {
          id: model.id,
          version: model.version,
          title: model.title,
          summary: model.summary,
          tables: model.tables ?? [],
          charts: model.charts ?? [],
          kpis: model.kpis ?? [],
          documents: documentsOf(model),
          view: model.view ?? "generic",
          outcome: model.outcome ?? null,
        },
        runs: shared.map((run) => ({
          id: run.id,
          modelId: run.modelId,
          modelVersion: run.modelVersion,
          status: run.status,
          input: run.input,
          output: run.output ?? null,
          createdAt: run.createdAt.toISOString(),
          finishedAt: iso(run.finishedAt),
        })),
        comparison: shared.length > 1 ? compareRuns({ tables: model.tables }, shared) : null,
      };
    },
  );

  r.get(
    "/shared/:token/export",
    {
      config: { access: "public", rateLimit: publicRateLimit },
      schema: {
        tags: ["share-links"],
        summary: "Download a shared run's results as XLSX, CSV, PDF or Word, without an account",
        description: `${EXPORT_DESCRIPTION} For a shared comparison, \`runId\` picks the run (default: the first).`,
        params: SharedTokenParams,
        querystring: SharedExportQuery,
        response: { 200: z.any().describe("The file, as an attachment") },
      },
    },
    async (req, reply) => {
      const { link, runs: shared } = await openLink(req.params.token);
      const { runId, format, document } = req.query;
      const run = runId ? shared.find((x) => x.id === runId.toLowerCase()) : shared[0];
      if (!run)
        throw unprocessable([{ path: "query.runId", message: "is not one of the runs this link shares" }]);
      const file = await exportAndAudit(app.deps, attributionOf(req), {
        orgId: link.orgId,
        run,
        format,
        document,
        shareLinkId: link.id,
      });
      return sendFile(reply, file);
    },
  );
}
