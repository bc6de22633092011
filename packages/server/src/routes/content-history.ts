import { parseSort } from "@modelworks/contracts/common";
import {
  ContentAnalyticsDto,
  ContentAnalyticsQuery,
  ContentRunListQuery,
  ContentRunPage,
} from "@modelworks/contracts/content";
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { computeAnalytics, loadPostFacts, loadRunFacts } from "../content/analytics.ts";
import { engagementRate, latestFeedback } from "../content/posts.ts";
import { contentPosts, runs } from "../db/schema.ts";
import { actorOf } from "../http/actor.ts";

const tags = ["content"];
const MODEL_ID = "content-intel";

/**
 * The writer's content history and the prototype's three analytics views (issue 17 item 6), both
 * read from what is stored: the caller's content-intel runs in the active organization, the posts
 * published from them and the latest results recorded for those posts.
 */
export async function contentHistoryRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.get(
    "/content/runs",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary:
          "The caller's content-intel runs: topic, date, variants, which were published and how they did",
        querystring: ContentRunListQuery,
        response: { 200: ContentRunPage },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const { limit, offset, sort } = req.query;
      const { descending } = parseSort<"createdAt">(sort);
      const where = and(
        eq(runs.orgId, actor.orgId),
        eq(runs.createdBy, actor.userId),
        eq(runs.modelId, MODEL_ID),
      );
      // Only the few output fields shown: a run stores its items and four drafts, which a list must not carry.
      const [rows, [total]] = await Promise.all([
        db
          .select({
            id: runs.id,
            status: runs.status,
            createdAt: runs.createdAt,
            startedAt: runs.startedAt,
            finishedAt: runs.finishedAt,
            topic: sql<string | null>`${runs.input}->>'topic'`,
            recommended: sql<string | null>`${runs.output}->>'recommendedVariant'`,
            predictions: sql<
              { variant: string; enhanced: number }[] | null
            >`${runs.output}->'tables'->'predictions'`,
            sourcesUsed: sql<number | string | null>`${runs.output}->'metrics'->'sourcesUsed'`,
          })
          .from(runs)
          .where(where)
          .orderBy(descending ? desc(runs.createdAt) : asc(runs.createdAt), asc(runs.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(runs).where(where),
      ]);
      const posts = rows.length
        ? await db
            .select()
            .from(contentPosts)
            .where(
              and(
                eq(contentPosts.orgId, actor.orgId),
                inArray(
                  contentPosts.runId,
                  rows.map((x) => x.id),
                ),
              ),
            )
            .orderBy(asc(contentPosts.publishedAt), asc(contentPosts.id))
        : [];
      const fb = await latestFeedback(
        db,
        posts.map((p) => p.id),
      );
      const items = rows.map((x) => ({
        id: x.id,
        topic: x.topic ?? "",
        status: x.status,
        createdAt: x.createdAt.toISOString(),
        finishedAt: x.finishedAt?.toISOString() ?? null,
        durationMs:
          x.startedAt && x.finishedAt ? Math.max(0, x.finishedAt.getTime() - x.startedAt.getTime()) : null,
        recommendedVariant: x.recommended,
        variants: (Array.isArray(x.predictions) ? x.predictions : []).map((p) => ({
          kind: p.variant,
          enhanced: p.enhanced,
        })),
        sourcesUsed: x.sourcesUsed === null ? null : Number(x.sourcesUsed),
        published: posts
          .filter((p) => p.runId === x.id)
          .map((p) => {
            const f = fb.get(p.id);
            return {
              postId: p.id,
              variantKind: p.variantKind,
              publishedAt: p.publishedAt.toISOString(),
              predicted: p.predicted,
              feedback: f
                ? {
                    impressions: f.impressions,
                    reactions: f.reactions,
                    comments: f.comments,
                    reposts: f.reposts,
                    engagementRate: engagementRate(f),
                    recordedAt: f.recordedAt.toISOString(),
                  }
                : null,
            };
          }),
      }));
      return { items, total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/content/analytics",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary:
          "Phase comparison, learning analytics and predicted vs actual, from the caller's stored runs and posts",
        description:
          "Phase comparison: each of the latest finished runs' phase results (clarity, evidence, insights, claims, " +
          "engagement potential, boost) and duration, with averages. Learning analytics: the patterns the latest run " +
          "knows, each with its confidence run by run, usage counts and the boost trend. Predicted vs actual: each " +
          "published post with a prediction and recorded results; actual is its percentile of engagement rate among " +
          "them, with Pearson's r and the mean absolute error.",
        querystring: ContentAnalyticsQuery,
        response: { 200: ContentAnalyticsDto },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const [runFacts, postFacts] = await Promise.all([
        loadRunFacts(db, actor.orgId, actor.userId, req.query.runs),
        loadPostFacts(db, actor.orgId, actor.userId),
      ]);
      return computeAnalytics(runFacts, postFacts);
    },
  );
}
