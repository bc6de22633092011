import type { RedisLink } from "../redis/link.ts";

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
 * Shared by every instance and worker, so one fetch per TTL serves them all. While Redis is down
 * (or a command fails) this process's `fallback` memory serves instead: a table fetched during an
 * outage is kept for its TTL rather than fetched again for every run, and a Redis error is never
 * a failed run.
 */
export function redisEditionCache(
  link: RedisLink,
  prefix: string,
  fallback: EditionCache = memoryEditionCache(),
): EditionCache {
  const key = (connector: string) => `${prefix}refdata:${connector}`;
  return {
    async get(connector) {
      if (link.up) {
        try {
          const raw = await link.client.get(key(connector));
          return raw ? (JSON.parse(raw) as CachedEdition) : null;
        } catch (err) {
          link.failed(err);
        }
      }
      return fallback.get(connector);
    },
    async set(connector, value, ttlMs) {
      if (link.up) {
        try {
          await link.client.set(key(connector), JSON.stringify(value), "PX", Math.max(1, Math.round(ttlMs)));
          return;
        } catch (err) {
          link.failed(err);
        }
      }
      await fallback.set(connector, value, ttlMs);
    },
  };
}
