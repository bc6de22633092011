import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  ContentFetchListQuery,
  ContentFetchPage,
  ContentItemListQuery,
  ContentItemPage,
  ContentSourceDto,
  ContentSourceListQuery,
  ContentSourcePage,
  CreateContentSourceBody,
  ImportContentSourcesBody,
  ImportContentSourcesResult,
  UpdateContentSourceBody,
} from "@modelworks/contracts/content";
import { parseSourcesYaml } from "@modelworks/engine-content-intel";
import { and, asc, count, desc, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { ZodError, z } from "zod";
import { itemCounts } from "../content/ingest.ts";
import { topicTsQuery } from "../content/retrieve.ts";
import { hostOf, kindFor, type SourceRow, sourceDto } from "../content/sources.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { contentFetches, contentItems, contentSources } from "../db/schema.ts";
import { firstOr404 } from "../db/scope.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";

const tags = ["content"];

const duplicateUrl = (url: string) =>
  new DomainError("source_already_followed", `This organization already follows ${url}.`, [
    { path: "body.url", message: "already followed" },
  ]);

/**
 * Followed sources (issue 17 item 1): CRUD, the prototype's YAML import, health and fetch
 * history, and the stored items with full-text search. A source is the organization's, or one
 * person's (`personal`): another member's personal source is a 404 like another org's.
 */
export async function contentSourceRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  /** Sources the caller sees: the organization's and their own. */
  const visible = (req: FastifyRequest): SQL =>
    and(
      eq(contentSources.orgId, orgOf(req).id),
      or(isNull(contentSources.ownerUserId), eq(contentSources.ownerUserId, actorOf(req).userId)),
    )!;
  const loadSource = async (req: FastifyRequest, id: string) =>
    firstOr404(
      await db
        .select()
        .from(contentSources)
        .where(and(visible(req), eq(contentSources.id, id))),
      "Content source",
    );
  const withCount = async (row: SourceRow) =>
    sourceDto(row, (await itemCounts(db, [row.id])).get(row.id) ?? 0);

  r.post(
    "/content/sources",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Follow a source (RSS, Atom, JSON Feed, sitemap or page)",
        description: "It is fetched by the scheduled ingestion at once and then every `intervalMinutes`.",
        body: CreateContentSourceBody,
        response: { 201: ContentSourceDto },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const { personal, kind, ...rest } = req.body;
      const row = await db
        .transaction(async (tx) => {
          const [created] = await tx
            .insert(contentSources)
            .values({
              ...rest,
              orgId: actor.orgId,
              ownerUserId: personal ? actor.userId : null,
              kind: kindFor(rest.url, kind),
              host: hostOf(rest.url),
              createdBy: actor.userId,
            })
            .returning();
          await recordAudit(tx, req, {
            action: "content_source.created",
            orgId: actor.orgId,
            targetType: "content_source",
            targetId: created!.id,
            metadata: { name: created!.name, url: created!.url },
          });
          return created!;
        })
        .catch((err) => {
          throw isUniqueViolation(err) ? duplicateUrl(req.body.url) : err;
        });
      return reply.code(201).header("location", `/api/v1/content/sources/${row.id}`).send(sourceDto(row, 0));
    },
  );

  r.post(
    "/content/sources/import",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Import the prototype's sources file (prosora_sources.yaml)",
        description:
          "A bad entry is a 422 naming its field (`body.yaml.premium_sources.3.credibility`) and nothing is imported. " +
          "Entries that cannot be fetched over HTTP (e-mail newsletters, social accounts) are listed as skipped; " +
          "sources already followed (same URL) are left as they are.",
        body: ImportContentSourcesBody,
        response: { 200: ImportContentSourcesResult },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      let parsed: ReturnType<typeof parseSourcesYaml>;
      try {
        parsed = parseSourcesYaml(req.body.yaml, { includeExperimental: req.body.includeExperimental });
      } catch (err) {
        if (err instanceof ZodError)
          throw unprocessable(
            err.issues.map((i) => ({
              path: ["body.yaml", ...i.path.map(String)].join("."),
              message: i.message,
            })),
            "The sources file has invalid entries; nothing was imported.",
          );
        throw unprocessable([
          { path: "body.yaml", message: `is not valid YAML: ${(err as Error).message.split("\n")[0]}` },
        ]);
      }
      const ownerUserId = req.body.personal ? actor.userId : null;
      return db.transaction(async (tx) => {
        const existingRows = parsed.sources.length
          ? await tx
              .select({ name: contentSources.name, url: contentSources.url })
              .from(contentSources)
              .where(
                and(
                  eq(contentSources.orgId, actor.orgId),
                  inArray(
                    contentSources.url,
                    parsed.sources.map((s) => s.url),
                  ),
                ),
              )
          : [];
        const existingUrls = new Set(existingRows.map((e) => e.url));
        const fresh = parsed.sources.filter((s) => !existingUrls.has(s.url));
        const created = fresh.length
          ? await tx
              .insert(contentSources)
              .values(
                fresh.map((s) => ({
                  orgId: actor.orgId,
                  ownerUserId,
                  name: s.name,
                  url: s.url,
                  kind: s.kind,
                  host: hostOf(s.url),
                  domains: s.domains,
                  credibility: s.credibility,
                  tier: s.tier,
                  intervalMinutes: s.intervalMinutes,
                  createdBy: actor.userId,
                })),
              )
              .onConflictDoNothing()
              .returning()
          : [];
        await recordAudit(tx, req, {
          action: "content_source.imported",
          orgId: actor.orgId,
          targetType: "content_source",
          metadata: {
            created: created.length,
            existing: existingRows.length,
            skipped: parsed.skipped.length,
          },
        });
        return {
          created: created.map((c) => sourceDto(c, 0)),
          existing: existingRows,
          skipped: parsed.skipped,
        };
      });
    },
  );

  r.get(
    "/content/sources",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "List followed sources with their health (failing ones included)",
        querystring: ContentSourceListQuery,
        response: { 200: ContentSourcePage },
      },
    },
    async (req) => {
      const { limit, offset, sort, status } = req.query;
      const where = and(visible(req), status ? eq(contentSources.status, status) : undefined);
      const { field, descending } = parseSort<"createdAt" | "name" | "nextAttemptAt">(sort);
      const column = {
        createdAt: contentSources.createdAt,
        name: contentSources.name,
        nextAttemptAt: contentSources.nextAttemptAt,
      }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(contentSources)
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(contentSources.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(contentSources).where(where),
      ]);
      const counts = await itemCounts(
        db,
        rows.map((r) => r.id),
      );
      return {
        items: rows.map((r) => sourceDto(r, counts.get(r.id) ?? 0)),
        total: total?.n ?? 0,
        limit,
        offset,
      };
    },
  );

  r.get(
    "/content/sources/:id",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Get a source and its health",
        params: IdParams,
        response: { 200: ContentSourceDto },
      },
    },
    async (req) => withCount(await loadSource(req, req.params.id)),
  );

  r.patch(
    "/content/sources/:id",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Change a source (re-enabling a failing source makes it due at once)",
        params: IdParams,
        body: UpdateContentSourceBody,
        response: { 200: ContentSourceDto },
      },
    },
    async (req) => {
      const before = await loadSource(req, req.params.id);
      const changes = req.body;
      const [row] = await db.transaction(async (tx) => {
        const updated = await tx
          .update(contentSources)
          .set({
            ...changes,
            updatedAt: new Date(),
            ...(changes.enabled === true && !before.enabled ? { nextAttemptAt: new Date() } : {}),
          })
          .where(eq(contentSources.id, before.id))
          .returning();
        await recordAudit(tx, req, {
          action: "content_source.updated",
          orgId: before.orgId,
          targetType: "content_source",
          targetId: before.id,
          metadata: { fields: Object.keys(changes) },
        });
        return updated;
      });
      return withCount(row!);
    },
  );

  r.delete(
    "/content/sources/:id",
    {
      config: { access: "projects:delete" },
      schema: {
        tags,
        summary: "Stop following a source (its items and fetch history go with it)",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const row = await loadSource(req, req.params.id);
      await db.transaction(async (tx) => {
        await tx.delete(contentSources).where(eq(contentSources.id, row.id));
        await recordAudit(tx, req, {
          action: "content_source.deleted",
          orgId: row.orgId,
          targetType: "content_source",
          targetId: row.id,
          metadata: { name: row.name, url: row.url },
        });
      });
      return reply.code(204).send();
    },
  );

  r.post(
    "/content/sources/:id/fetch",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Fetch a source now (the ingestion job takes it on its next tick)",
        description:
          "Makes the source due now. A failing source keeps its backoff (the answer's nextAttemptAt says when) and " +
          "the fetcher's per-host politeness still applies. 409 `fetch_in_progress` while a fetch of it is running; " +
          "409 `conflict` for a paused source.",
        params: IdParams,
        response: { 202: ContentSourceDto },
      },
    },
    async (req, reply) => {
      const row = await loadSource(req, req.params.id);
      if (!row.enabled)
        throw new DomainError("conflict", "The source is paused; enable it to fetch it.", [
          { path: "params.id", message: "paused" },
        ]);
      // One statement: not while leased (a fetch is running), and never earlier than a failing source's backoff.
      const [updated] = await db
        .update(contentSources)
        .set({
          nextAttemptAt: sql`case when ${contentSources.status} = 'failing' then greatest(${contentSources.nextAttemptAt}, now()) else now() end`,
        })
        .where(
          and(
            eq(contentSources.id, row.id),
            or(isNull(contentSources.leaseUntil), sql`${contentSources.leaseUntil} <= now()`),
          ),
        )
        .returning();
      if (!updated)
        throw new DomainError("fetch_in_progress", "The source is being fetched right now.", [
          { path: "params.id", message: "a fetch is running" },
        ]);
      await recordAudit(db, req, {
        action: "content_source.fetch_requested",
        orgId: row.orgId,
        targetType: "content_source",
        targetId: row.id,
        metadata: {},
      });
      return reply.code(202).send(await withCount(updated));
    },
  );

  r.get(
    "/content/sources/:id/fetches",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "A source's fetch history, newest first",
        params: IdParams,
        querystring: ContentFetchListQuery,
        response: { 200: ContentFetchPage },
      },
    },
    async (req) => {
      const source = await loadSource(req, req.params.id);
      const { limit, offset, sort } = req.query;
      const where = eq(contentFetches.sourceId, source.id);
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(contentFetches)
          .where(where)
          .orderBy(sort.startsWith("-") ? desc(contentFetches.startedAt) : asc(contentFetches.startedAt))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(contentFetches).where(where),
      ]);
      return {
        items: rows.map((f) => ({
          id: f.id,
          startedAt: f.startedAt.toISOString(),
          durationMs: f.durationMs,
          outcome: f.outcome,
          error: f.error,
          itemsNew: f.itemsNew,
          itemsDuplicate: f.itemsDuplicate,
          itemsNearDuplicate: f.itemsNearDuplicate,
          skipped: f.skipped,
        })),
        total: total?.n ?? 0,
        limit,
        offset,
      };
    },
  );

  r.get(
    "/content/items",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Stored items, newest first or by full-text rank (`q`)",
        querystring: ContentItemListQuery,
        response: { 200: ContentItemPage },
      },
    },
    async (req) => {
      const { limit, offset, sort, q, sourceId, includeDuplicates } = req.query;
      const tsq = q ? topicTsQuery(q) : null;
      if (q && !tsq) throw unprocessable([{ path: "query.q", message: "give at least one word" }]);
      const query = tsq ? sql`to_tsquery('english', ${tsq})` : null;
      const rank = query ? sql<number>`ts_rank_cd(${contentItems.search}, ${query})` : sql<null>`null`;
      const where = and(
        visible(req),
        sourceId ? eq(contentItems.sourceId, sourceId) : undefined,
        includeDuplicates ? undefined : isNull(contentItems.duplicateOfId),
        query ? sql`${contentItems.search} @@ ${query}` : undefined,
      );
      const { field, descending } = parseSort<"publishedAt" | "fetchedAt">(sort);
      const column = { publishedAt: contentItems.publishedAt, fetchedAt: contentItems.fetchedAt }[field];
      const order = descending ? desc(column) : asc(column);
      const base = db
        .select({
          item: {
            id: contentItems.id,
            sourceId: contentItems.sourceId,
            title: contentItems.title,
            url: contentItems.url,
            canonicalUrl: contentItems.canonicalUrl,
            author: contentItems.author,
            publishedAt: contentItems.publishedAt,
            fetchedAt: contentItems.fetchedAt,
            excerpt: sql<string>`left(${contentItems.text}, 300)`,
            duplicateOfId: contentItems.duplicateOfId,
          },
          sourceName: contentSources.name,
          rank,
        })
        .from(contentItems)
        .innerJoin(contentSources, eq(contentSources.id, contentItems.sourceId))
        .where(where);
      const [rows, [total]] = await Promise.all([
        base
          .orderBy(...(query ? [desc(rank), order] : [order]), asc(contentItems.id))
          .limit(limit)
          .offset(offset),
        db
          .select({ n: count() })
          .from(contentItems)
          .innerJoin(contentSources, eq(contentSources.id, contentItems.sourceId))
          .where(where),
      ]);
      const nowMs = Date.now();
      return {
        items: rows.map(({ item, sourceName, rank }) => ({
          ...item,
          sourceName,
          publishedAt: item.publishedAt.toISOString(),
          fetchedAt: item.fetchedAt.toISOString(),
          ageHours: Math.max(0, Math.round(((nowMs - item.publishedAt.getTime()) / 3600_000) * 10) / 10),
          rank: rank === null ? null : Math.round(Number(rank) * 1e4) / 1e4,
        })),
        total: total?.n ?? 0,
        limit,
        offset,
      };
    },
  );
}
