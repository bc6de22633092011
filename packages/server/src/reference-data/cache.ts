import type { Redis } from "ioredis";

/** What the resolver remembers per dataset: a validated upstream table, or a recent failure. */
export type CachedEdition =
  | { ok: true; table: unknown; fetchedAt: string }
  | { ok: false; reason: string; failedAt: string };

export interface EditionCache {
  get(connector: string): Promise<CachedEdition | null>;
  set(connector: string, value: CachedEdition, ttlMs: number): Promise<void>;
}

/** One process's memory; `now` is injectable so expiry can be tested without waiting. */
export function memoryEditionCache(now: () => number = Date.now): EditionCache {
  const entries = new Map<string, { value: CachedEdition; expiresAt: number }>();
  return {
    async get(connector) {
      const e = entries.get(connector);
      if (!e) return null;
      if (e.expiresAt <= now()) {
        entries.delete(connector);
        return null;
      }
      return e.value;
    },
    async set(connector, value, ttlMs) {
      entries.set(connector, { value, expiresAt: now() + ttlMs });
    },
  };
}

/**
 * Shared by every instance and worker, so one fetch per TTL serves them all. A Redis error is
 * treated as a miss (the table is fetched again), never as a failed run.
 */
export function redisEditionCache(redis: Redis, prefix: string): EditionCache {
  const key = (connector: string) => `${prefix}refdata:${connector}`;
  return {
    async get(connector) {
      const raw = await redis.get(key(connector)).catch(() => null);
      return raw ? (JSON.parse(raw) as CachedEdition) : null;
    },
    async set(connector, value, ttlMs) {
      await redis
        .set(key(connector), JSON.stringify(value), "PX", Math.max(1, Math.round(ttlMs)))
        .catch(() => {});
    },
  };
}
