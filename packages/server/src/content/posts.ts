import { desc, inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contentFeedback, type contentPosts } from "../db/schema.ts";

export type PostRow = typeof contentPosts.$inferSelect;

/**
 * The key a published post is found by when feedback arrives: the LinkedIn URN inside a URN or
 * a post URL (`…/feed/update/urn:li:activity:7123…/`), else the trimmed, lower-cased text — so the
 * URL an analytics export gives and the URN stored at publishing name the same post.
 */
export function externalKey(raw: string): string {
  const urn = raw.match(/urn:li:[a-z]+:[0-9]+/i)?.[0];
  return urn ? urn.toLowerCase() : raw.trim().toLowerCase();
}

/** (reactions + comments + reposts) / impressions — the engine's engagement rate. */
export const engagementRate = (f: {
  impressions: number;
  reactions: number;
  comments: number;
  reposts: number;
}) => (f.reactions + f.comments + f.reposts) / f.impressions;

/** The latest recorded feedback of each post. */
export async function latestFeedback(db: Db, postIds: string[]) {
  if (!postIds.length) return new Map<string, typeof contentFeedback.$inferSelect>();
  const rows = await db
    .selectDistinctOn([contentFeedback.postId])
    .from(contentFeedback)
    .where(inArray(contentFeedback.postId, postIds))
    .orderBy(contentFeedback.postId, desc(contentFeedback.recordedAt), desc(contentFeedback.id));
  return new Map(rows.map((r) => [r.postId, r]));
}

export function postDto(p: PostRow, f: typeof contentFeedback.$inferSelect | undefined) {
  return {
    id: p.id,
    userId: p.userId,
    runId: p.runId,
    variantKind: p.variantKind,
    text: p.text,
    domains: p.domains,
    publishedAt: p.publishedAt.toISOString(),
    hourLocal: p.hourLocal,
    externalId: p.externalId,
    predicted: p.predicted,
    flags: p.flags ?? null,
    feedback: f
      ? {
          impressions: f.impressions,
          reactions: f.reactions,
          comments: f.comments,
          reposts: f.reposts,
          engagementRate: Math.round(engagementRate(f) * 1e6) / 1e6,
          origin: f.origin,
          recordedAt: f.recordedAt.toISOString(),
        }
      : null,
    createdAt: p.createdAt.toISOString(),
  };
}
