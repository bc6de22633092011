import type { ContentItem, FeedbackRecord } from "@modelworks/engine-content-intel";
import { and, desc, eq, isNull, or, sql } from "drizzle-orm";
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
/** Text per item handed to the engine (BM25 and quoting need the article, not a book). */
export const MAX_ITEM_CHARS = 12_000;
const MAX_QUERY_WORDS = 32;

/** The topic as an OR of its words for to_tsquery ('english' stems and drops stop words), or null. */
export function topicTsQuery(topic: string): string | null {
  const words = [...new Set(topic.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [])].slice(0, MAX_QUERY_WORDS);
  return words.length ? words.join(" | ") : null;
}

/** Sources a person draws from: the organization's and their own. */
const visibleTo = (orgId: string, userId: string | null) =>
  and(
    eq(contentSources.orgId, orgId),
    userId
      ? or(isNull(contentSources.ownerUserId), eq(contentSources.ownerUserId, userId))
      : isNull(contentSources.ownerUserId),
  );

export async function candidateItems(
  db: Db,
  orgId: string,
  userId: string | null,
  topic: string,
  limit = MAX_CANDIDATES,
): Promise<ContentItem[]> {
  const q = topicTsQuery(topic);
  if (!q) return [];
  const query = sql`to_tsquery('english', ${q})`;
  const rows = await db
    .select({
      id: contentItems.id,
      title: contentItems.title,
      url: contentItems.url,
      canonicalUrl: contentItems.canonicalUrl,
      text: contentItems.text,
      publishedAt: contentItems.publishedAt,
      sourceId: contentSources.id,
      sourceName: contentSources.name,
      domains: contentSources.domains,
      credibility: contentSources.credibility,
    })
    .from(contentItems)
    .innerJoin(contentSources, eq(contentSources.id, contentItems.sourceId))
    .where(
      and(
        eq(contentItems.orgId, orgId),
        visibleTo(orgId, userId),
        isNull(contentItems.duplicateOfId),
        sql`${contentItems.search} @@ ${query}`,
      ),
    )
    .orderBy(desc(sql`ts_rank_cd(${contentItems.search}, ${query})`), desc(contentItems.publishedAt))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    title: r.title.slice(0, 500),
    url: r.url,
    ...(r.canonicalUrl ? { canonicalUrl: r.canonicalUrl } : {}),
    sourceId: r.sourceId,
    sourceName: r.sourceName.slice(0, 200),
    domains: r.domains.slice(0, 20),
    credibility: r.credibility,
    publishedAt: r.publishedAt.toISOString(),
    text: r.text.slice(0, MAX_ITEM_CHARS),
  }));
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
