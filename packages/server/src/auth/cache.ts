import type { Broadcast } from "../redis/broadcast.ts";

/**
 * The credential cache (issue 20 goal 2, docs/decisions/0040-credential-cache.md): API-key,
 * session and membership lookups kept in this process for at most `ttlMs`, so an authenticated
 * read does not cost two or three database queries before its own.
 *
 * Revocation is by flushing, not by finding the right entry: every change to a credential, a
 * membership, a user or an organization calls `changed()` after its transaction commits. That
 * empties this instance's cache at once and tells every other instance (src/redis/broadcast.ts:
 * Redis pub/sub and PostgreSQL NOTIFY) to empty theirs. Such changes are rare next to reads, so
 * emptying everything costs little and leaves no entry to miss. A generation counter keeps a
 * lookup that started before a flush from storing what it read. Only found credentials are
 * cached (an unknown token is looked up every time), so creating one never needs a flush. The
 * TTL bounds what a lost message could leave stale (a process killed between commit and publish,
 * both transports down).
 */
export interface AuthCacheOptions {
  /** How long an entry is trusted; 0 turns the cache off (every request reads the database). */
  ttlMs: number;
  /** At most this many entries; past it the oldest go first. */
  maxEntries: number;
}

interface Entry {
  value: unknown;
  expiresAtMs: number;
}

const FLUSH = "flush";

export class AuthCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private broadcast: Broadcast | null = null;
  private readonly onPublishError: (err: unknown) => void;
  private readonly flushListeners: (() => void)[] = [];

  constructor(
    private readonly o: AuthCacheOptions,
    onPublishError: (err: unknown) => void = () => {},
  ) {
    this.onPublishError = onPublishError;
  }

  /** Connects the cache to the other instances: their flushes empty this one too. */
  connect(broadcast: Broadcast): void {
    this.broadcast = broadcast;
    broadcast.onMessage((m) => {
      if (m === FLUSH) this.flush();
    });
  }

  /**
   * Called at every flush of this instance (its own changes, other instances' and Redis link
   * changes): caches of what depends on access (src/http/read-cache.ts) empty with this one.
   */
  onFlush(listener: () => void): void {
    this.flushListeners.push(listener);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The cached value for `key`, else `load()`'s (stored when not null and no flush happened while
   * it loaded). Callers must treat the value as shared: change it only to record what they wrote.
   */
  async get<T extends object>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    if (this.o.ttlMs <= 0) return load();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAtMs > now) return hit.value as T;
    if (hit) this.entries.delete(key);
    const generation = this.generation;
    const value = await load();
    if (value !== null && generation === this.generation) {
      if (this.entries.size >= this.o.maxEntries) {
        // Map iteration is insertion order: the first key is the oldest entry.
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(key, { value, expiresAtMs: now + this.o.ttlMs });
    }
    return value;
  }

  /** Empties this instance's cache (and makes lookups in flight not store what they read). */
  flush(): void {
    this.generation++;
    this.entries.clear();
    for (const l of this.flushListeners) l();
  }

  /**
   * Call after a committed change to credentials, memberships, users or organizations: empties
   * this cache and every other instance's. Never throws (the change is already committed; a lost
   * message is bounded by the TTL).
   */
  async changed(): Promise<void> {
    this.flush();
    try {
      await this.broadcast?.publish(FLUSH);
    } catch (err) {
      this.onPublishError(err);
    }
  }
}
