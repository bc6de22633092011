import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { llmCache } from "../db/schema.ts";
import type { RedisLink } from "../redis/link.ts";

/**
 * Answers of deterministic model calls (temperature 0), per organization: the key is the org id
 * and the prompt hash (provider, model, prompt, schema), so one org's cache never answers
 * another's call. Redis serves while it answers (RedisLink pattern: never waited for); the
 * database always holds the entry too, so an outage or a restart loses nothing.
 */
export interface CachedAnswer {
  value: unknown;
  usage: { inputTokens: number; outputTokens: number };
}

export interface LlmCache {
  get(orgId: string, promptHash: string): Promise<CachedAnswer | null>;
  set(orgId: string, promptHash: string, answer: CachedAnswer): Promise<void>;
}

export function createLlmCache(
  db: Db,
  ttlSeconds: number,
  redis: { link: RedisLink; prefix: string } | null,
): LlmCache {
  const keyOf = (orgId: string, h: string) => `${redis?.prefix ?? ""}llm:${orgId}:${h}`;
  const attempt = async <T>(command: (link: RedisLink) => Promise<T>): Promise<T | null> => {
    if (!redis?.link.up) return null;
    try {
      return await command(redis.link);
    } catch (err) {
      redis.link.failed(err);
      return null;
    }
  };
  return {
    async get(orgId, h) {
      const raw = await attempt((l) => l.client.get(keyOf(orgId, h)));
      if (raw) return JSON.parse(raw) as CachedAnswer;
      const [row] = await db
        .select({ value: llmCache.value })
        .from(llmCache)
        .where(
          and(
            eq(llmCache.orgId, orgId),
            eq(llmCache.promptHash, h),
            gt(llmCache.createdAt, new Date(Date.now() - ttlSeconds * 1000)),
          ),
        );
      if (!row) return null;
      await attempt((l) => l.client.set(keyOf(orgId, h), JSON.stringify(row.value), "EX", ttlSeconds));
      return row.value as CachedAnswer;
    },
    async set(orgId, h, answer) {
      await db
        .insert(llmCache)
        .values({ orgId, promptHash: h, value: answer })
        .onConflictDoUpdate({
          target: [llmCache.orgId, llmCache.promptHash],
          set: { value: answer, createdAt: new Date() },
        });
      await attempt((l) => l.client.set(keyOf(orgId, h), JSON.stringify(answer), "EX", ttlSeconds));
    },
  };
}
