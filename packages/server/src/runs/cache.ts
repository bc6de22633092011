import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { runs } from "../db/schema.ts";
import type { RedisLink } from "../redis/link.ts";

/** Where a cached result came from, and the result itself. */
export interface CachedResult {
  runId: string;
  output: unknown;
}

export interface CacheKey {
  orgId: string;
  modelId: string;
  modelVersion: string;
  inputHash: string;
  /** Fingerprint of the reference tables the run read (null: none): a new edition recomputes. */
  referenceDataKey: string | null;
}

/**
 * Results of identical runs (same organization, model, version and canonical input). Scoped to
 * the organization: a hit must not reveal what another organization has run.
 */
export interface ResultCache {
  /**
   * `db` is the caller's executor — pass the open transaction when there is one: on embedded
   * PGlite a query outside an open transaction waits for it to end.
   */
  get(key: CacheKey, db: Db): Promise<CachedResult | null>;
  /** Records that the succeeded run `runId` (already stored) holds the result for `key`. */
  set(key: CacheKey, runId: string): Promise<void>;
  /** Drops an entry whose run was deleted, so a deleted result is never served again. */
  forget(key: CacheKey): Promise<void>;
}

/** Without Redis the runs table is the cache: the newest succeeded run with the same key. */
export function databaseCache(): ResultCache {
  return {
    async get(k, db) {
      const [hit] = await db
        .select({ runId: runs.id, output: runs.output })
        .from(runs)
        .where(
          and(
            eq(runs.orgId, k.orgId),
            eq(runs.modelId, k.modelId),
            eq(runs.modelVersion, k.modelVersion),
            eq(runs.inputHash, k.inputHash),
            k.referenceDataKey === null
              ? isNull(runs.referenceDataKey)
              : eq(runs.referenceDataKey, k.referenceDataKey),
            eq(runs.status, "succeeded"),
            eq(runs.cacheHit, false),
          ),
        )
        .orderBy(desc(runs.finishedAt))
        .limit(1);
      return hit ? { runId: hit.runId, output: hit.output } : null;
    },
    async set() {
      // The succeeded run row already is the entry.
    },
    async forget() {
      // Deleting the run row removed the entry.
    },
  };
}

/**
 * With Redis, an entry shared by every instance names the run that holds the result, expiring
 * after `ttlSeconds`; the output is read from that run's row (one primary-key lookup), so it is
 * stored once, in the runs table — not written to Redis again for every run (a tif output is
 * 51 KB). The lookup also confirms the hit: an entry whose run was deleted while Redis could not
 * be told (`forget` during an outage, or retention deleting old runs) is never served. While
 * Redis is down (`link.up` false, or a command fails) the runs table answers instead, so a run
 * never waits for Redis and never fails because of it.
 */
export function redisCache(
  link: RedisLink,
  prefix: string,
  ttlSeconds: number,
  fallback: ResultCache,
): ResultCache {
  const keyOf = (k: CacheKey) =>
    `${prefix}cache:${k.orgId}:${k.modelId}@${k.modelVersion}:${k.inputHash}` +
    (k.referenceDataKey === null ? "" : `:${k.referenceDataKey}`);
  const attempt = async <T>(command: () => Promise<T>): Promise<T | null> => {
    if (!link.up) return null;
    try {
      return await command();
    } catch (err) {
      link.failed(err);
      return null;
    }
  };
  const set = async (k: CacheKey, runId: string) => {
    await attempt(() => link.client.set(keyOf(k), JSON.stringify({ runId }), "EX", ttlSeconds));
  };
  return {
    async get(k, db) {
      const raw = await attempt(() => link.client.get(keyOf(k)));
      // Entries written before they became pointers also carry an output: only the id is used.
      const runId = raw ? (JSON.parse(raw) as { runId?: unknown }).runId : undefined;
      if (typeof runId === "string") {
        const [still] = await db
          .select({ runId: runs.id, output: runs.output })
          .from(runs)
          .where(and(eq(runs.id, runId), eq(runs.orgId, k.orgId), eq(runs.status, "succeeded")));
        if (still) return still;
      }
      if (raw) await attempt(() => link.client.del(keyOf(k)));
      const hit = await fallback.get(k, db);
      if (hit) await set(k, hit.runId);
      return hit;
    },
    set,
    async forget(k) {
      await attempt(() => link.client.del(keyOf(k)));
    },
  };
}
