import type { Broadcast } from "../redis/broadcast.ts";

/**
 * Hot list reads answered from memory (issue 20 goal 2, docs/decisions/0053-org-read-cache.md).
 * An authenticated `GET /projects?limit=10` spent most of its CPU beyond /health's on the query:
 * the pg protocol, Drizzle's row mapping, the DTOs and the JSON. This cache keeps the encoded
 * answer of such a read per organization and query, for at most `ttlMs`.
 *
 * Correctness is by a write generation per organization, not by finding entries: every committed
 * write to a cached table calls `changed(orgId)`, which bumps that organization's generation here
 * at once (so this instance's next read sees the write) and tells the other instances over the
 * broadcast channel (Redis pub/sub and PostgreSQL NOTIFY) to bump theirs. A read stores what it
 * loaded only if its organization's generation did not move while it loaded, so a read that raced
 * a write never stores what it read before the commit. `changed(null)` (users or organizations
 * deleted, access changed: the credential cache's flushes) empties everything. The TTL bounds what
 * a lost message could leave stale elsewhere (a process killed between commit and publish, both
 * transports down).
 *
 * What is cached must not depend on who asks beyond the organization: the access check runs
 * before the handler, on every request, from the credential cache.
 */
export interface ReadCacheOptions {
  /** How long an entry is served; 0 turns the cache off (every read queries the database). */
  ttlMs: number;
  /** At most this many entries over all organizations; past it the oldest go first. */
  maxEntries: number;
}

interface Entry {
  body: Buffer;
  generation: number;
  expiresAtMs: number;
}

/** Messages on the shared broadcast channel (the credential cache's; it ignores these). */
const ALL = "reads:*";
const ORG = "reads:org:";

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  /** Per organization; a missing organization is at generation `epoch`. */
  private readonly generations = new Map<string, number>();
  /** Raised by `flush()`: every generation below it is void. */
  private epoch = 0;
  private broadcast: Broadcast | null = null;

  constructor(
    private readonly o: ReadCacheOptions,
    private readonly onPublishError: (err: unknown) => void = () => {},
  ) {}

  /** Connects to the other instances: their writes invalidate here too. */
  connect(broadcast: Broadcast): void {
    this.broadcast = broadcast;
    broadcast.onMessage((m) => {
      if (m === ALL) this.flush();
      else if (m.startsWith(ORG)) this.bump(m.slice(ORG.length));
    });
  }

  get enabled(): boolean {
    return this.o.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The organization's current write generation (read it before loading, pass it to `set`). */
  generation(orgId: string): number {
    return this.generations.get(orgId) ?? this.epoch;
  }

  /** The stored answer of `key` in `orgId`, if it is still that organization's latest. */
  get(orgId: string, key: string): Buffer | undefined {
    if (this.o.ttlMs <= 0) return undefined;
    const k = `${orgId}|${key}`;
    const hit = this.entries.get(k);
    if (!hit) return undefined;
    if (hit.generation === this.generation(orgId) && hit.expiresAtMs > Date.now()) return hit.body;
    this.entries.delete(k);
    return undefined;
  }

  /** Stores `body` unless `orgId` was written to since `generation` was read. */
  set(orgId: string, key: string, generation: number, body: Buffer): void {
    if (this.o.ttlMs <= 0 || generation !== this.generation(orgId)) return;
    const k = `${orgId}|${key}`;
    this.entries.delete(k);
    if (this.entries.size >= this.o.maxEntries) {
      // Map iteration is insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(k, { body, generation, expiresAtMs: Date.now() + this.o.ttlMs });
  }

  /** Voids this instance's entries of one organization (their generation no longer matches). */
  private bump(orgId: string): void {
    this.generations.set(orgId, this.generation(orgId) + 1);
  }

  /** Empties this instance's cache; loads in flight store nothing. */
  flush(): void {
    // Above every generation handed out so far, so no earlier `set` can match again.
    let top = this.epoch;
    for (const g of this.generations.values()) if (g > top) top = g;
    this.epoch = top + 1;
    this.generations.clear();
    this.entries.clear();
  }

  /**
   * Call after a committed write to a cached table of `orgId` (null: anything, in any
   * organization), before answering the writer: this instance sees the write at once and the
   * others when the message arrives. Never throws (the write is committed; the TTL bounds a lost
   * message).
   */
  async changed(orgId: string | null): Promise<void> {
    if (orgId === null) this.flush();
    else this.bump(orgId);
    try {
      await this.broadcast?.publish(orgId === null ? ALL : `${ORG}${orgId}`);
    } catch (err) {
      this.onPublishError(err);
    }
  }
}
