import type { ContentItem, FeedbackRecord } from "@modelworks/engine-content-intel";
import { and, desc, eq, gte, isNull, lt, notInArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contentFeedback, contentItems, contentPosts, contentSources, runs } from "../db/schema.ts";

/**
 * What a content-intel run draws on from the store (issue 17 item 4): the organization's items
 * that match the topic in full text (the tsvector pre-filter, best `ts_rank_cd` first), which the
 * engine then ranks by BM25 × freshness × credibility; the writer's published posts and how they
 * did, for the learning loop; and the pattern usage counts of the writer's previous run.
 */

/** Items handed to the engine per run: enough for BM25 to rank, small enough to store with the run. */
export const MAX_CANDIDATES = 400;
/** Of which at most this many are the topic's strongest matches (every word) from any date. */
export const MAX_STRONG_CANDIDATES = 100;
/** Text per item handed to the engine (BM25 and quoting need the article, not a book). */
export const MAX_ITEM_CHARS = 12_000;
/** The recent window, in half-lives: older than this an item's freshness is ≤ 0.25 (half-life model). */
export const RECENT_HALF_LIVES = 2;
const DEFAULT_HALF_LIFE_HOURS = 168;
const MAX_QUERY_WORDS = 32;

/** The topic's words, raw input for to_tsquery ('english' stems them and drops stop words). */
function topicWords(topic: string): string[] {
  return [...new Set(topic.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [])].slice(0, MAX_QUERY_WORDS);
}

/** The topic as an OR of its words for to_tsquery, or null. */
export function topicTsQuery(topic: string): string | null {
  const words = topicWords(topic);
  return words.length ? words.join(" | ") : null;
}

/** The topic as an AND of its words (items with every word), or null under two words. */
export function topicTsQueryAll(topic: string): string | null {
  const words = topicWords(topic);
  return words.length > 1 ? words.join(" & ") : null;
}

export interface CandidateOptions {
  limit?: number;
  /** The run's "now" (the recent window ends here). */
  asOf?: Date;
  /** The run's freshness half-life: the recent window is RECENT_HALF_LIVES of it. */
  halfLifeHours?: number;
}

/**
 * The items a run ranks. Ranking every full-text match by `ts_rank_cd` reads every matching row
 * (a broad topic over 100k items matches ~10k), so candidates come from two narrower sets, each
 * a GIN bitmap scan plus a cheap filter:
 * - strong: items with every word of the topic, of any date, best `ts_rank_cd` first
 *   (≤ MAX_STRONG_CANDIDATES) — an old article squarely on the topic stays in reach;
 * - recent: items with any word published within RECENT_HALF_LIVES half-lives (the engine
 *   multiplies relevance by freshness, so older partial matches rarely reach the top 15), best
 *   `ts_rank_cd` × freshness first — the engine's order with ts_rank_cd standing in for BM25
 *   (by `ts_rank_cd` alone, a day-old item with only the topic's rarest word fell behind week-old
 *   items with two common ones: ts_rank_cd knows no IDF). Only when that window holds fewer than
 *   `limit` matches are older ones ranked too, so a small or quiet store gives what it gave before.
 * Sources are read once (an organization has tens to hundreds) and joined here: joined in SQL,
 * the planner looped over sources with one bitmap scan each (0.8 s for 1k matches on PostgreSQL).
 */
export async function candidateItems(
  db: Db,
  orgId: string,
  userId: string | null,
  topic: string,
  opts: CandidateOptions = {},
): Promise<ContentItem[]> {
  const limit = opts.limit ?? MAX_CANDIDATES;
  const any = topicTsQuery(topic);
  if (!any || limit <= 0) return [];
  const sources = await db
    .select({
      id: contentSources.id,
      ownerUserId: contentSources.ownerUserId,
      name: contentSources.name,
      domains: contentSources.domains,
      credibility: contentSources.credibility,
    })
    .from(contentSources)
    .where(eq(contentSources.orgId, orgId));
  // A person draws from the organization's sources and their own.
  const visible = new Map(
    sources.filter((s) => s.ownerUserId === null || s.ownerUserId === userId).map((s) => [s.id, s]),
  );
  if (!visible.size) return [];
  // Other people's own sources: usually none, so usually no filter at all.
  const hidden = sources.filter((s) => !visible.has(s.id)).map((s) => s.id);
  const asOf = opts.asOf ?? new Date();
  const recentFrom = new Date(
    asOf.getTime() - RECENT_HALF_LIVES * (opts.halfLifeHours ?? DEFAULT_HALF_LIFE_HOURS) * 3_600_000,
  );

  const halfLifeHours = opts.halfLifeHours ?? DEFAULT_HALF_LIFE_HOURS;
  const pick = (tsq: string, extra: SQL | undefined, n: number, order: "rank" | "fresh-rank" = "rank") => {
    const query = sql`to_tsquery('english', ${tsq})`;
    return db
      .select({
        id: contentItems.id,
        title: contentItems.title,
        url: contentItems.url,
        canonicalUrl: contentItems.canonicalUrl,
        text: contentItems.text,
        publishedAt: contentItems.publishedAt,
        sourceId: contentItems.sourceId,
      })
      .from(contentItems)
      .where(
        and(
          eq(contentItems.orgId, orgId),
          isNull(contentItems.duplicateOfId),
          sql`${contentItems.search} @@ ${query}`,
          hidden.length ? notInArray(contentItems.sourceId, hidden) : undefined,
          extra,
        ),
      )
      .orderBy(
        desc(
          order === "rank"
            ? sql`ts_rank_cd(${contentItems.search}, ${query})`
            : // The engine's relevance × freshness, with ts_rank_cd standing in for BM25.
              sql`ts_rank_cd(${contentItems.search}, ${query}) * power(0.5, extract(epoch from (${asOf.toISOString()}::timestamptz - ${contentItems.publishedAt})) / ${halfLifeHours * 3600})`,
        ),
        desc(contentItems.publishedAt),
      )
      .limit(n);
  };

  const every = topicTsQueryAll(topic);
  const inWindow = gte(contentItems.publishedAt, recentFrom);
  const [strong, recent] = await Promise.all([
    every ? pick(every, undefined, Math.min(MAX_STRONG_CANDIDATES, limit)) : [],
    pick(any, inWindow, limit, "fresh-rank"),
  ]);
  const rows = [...strong];
  const seen = new Set(rows.map((r) => r.id));
  const add = (more: typeof rows) => {
    for (const r of more) {
      if (rows.length >= limit) return;
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      rows.push(r);
    }
  };
  add(recent);
  if (recent.length < limit && rows.length < limit)
    add(await pick(any, lt(contentItems.publishedAt, recentFrom), limit - rows.length + strong.length));

  return rows.map((r) => {
    const src = visible.get(r.sourceId)!;
    return {
      id: r.id,
      title: r.title.slice(0, 500),
      url: r.url,
      ...(r.canonicalUrl ? { canonicalUrl: r.canonicalUrl } : {}),
      sourceId: r.sourceId,
      sourceName: src.name.slice(0, 200),
      domains: src.domains.slice(0, 20),
      credibility: src.credibility,
      publishedAt: r.publishedAt.toISOString(),
      text: r.text.slice(0, MAX_ITEM_CHARS),
    };
  });
}

/** The writer's published posts with their latest recorded results, as the engine's feedback records. */
export async function feedbackHistory(db: Db, orgId: string, userId: string): Promise<FeedbackRecord[]> {
  const rows = await db
    .selectDistinctOn([contentPosts.id], {
      postId: contentPosts.id,
      publishedAt: contentPosts.publishedAt,
      hourLocal: contentPosts.hourLocal,
      variantKind: contentPosts.variantKind,
      text: contentPosts.text,
      domains: contentPosts.domains,
      predicted: contentPosts.predicted,
      impressions: contentFeedback.impressions,
      reactions: contentFeedback.reactions,
      comments: contentFeedback.comments,
      reposts: contentFeedback.reposts,
    })
    .from(contentPosts)
    .innerJoin(contentFeedback, eq(contentFeedback.postId, contentPosts.id))
    .where(and(eq(contentPosts.orgId, orgId), eq(contentPosts.userId, userId)))
    .orderBy(contentPosts.id, desc(contentFeedback.recordedAt), desc(contentFeedback.id));
  return rows
    .sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime())
    .slice(-5_000)
    .map((r) => ({
      postId: r.postId,
      publishedAt: r.publishedAt.toISOString(),
      ...(r.hourLocal !== null ? { hourLocal: r.hourLocal } : {}),
      variantKind: r.variantKind,
      text: r.text,
      domains: r.domains,
      impressions: r.impressions,
      reactions: r.reactions,
      comments: r.comments,
      reposts: r.reposts,
      ...(r.predicted !== null ? { predicted: r.predicted } : {}),
    }));
}

/** Pattern usage counts after the writer's latest finished content-intel run (the engine returns them). */
export async function patternUsage(db: Db, orgId: string, userId: string): Promise<Record<string, number>> {
  const [last] = await db
    .select({ output: runs.output })
    .from(runs)
    .where(
      and(
        eq(runs.orgId, orgId),
        eq(runs.createdBy, userId),
        eq(runs.modelId, "content-intel"),
        eq(runs.status, "succeeded"),
      ),
    )
    .orderBy(desc(runs.finishedAt))
    .limit(1);
  const usage = (last?.output as { learning?: { patternUsage?: Record<string, number> } } | null)?.learning
    ?.patternUsage;
  return usage && typeof usage === "object" ? usage : {};
}
