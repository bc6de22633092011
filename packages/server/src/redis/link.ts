import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";

/**
 * Redis is an accelerator, not a dependency (docs/decisions/0015-redis-accelerator.md): rate
 * limits, the result cache, the reference-data cache and run events use it while it answers and
 * fall back (in-process counters, the runs table, process memory, PostgreSQL LISTEN/NOTIFY) while
 * it does not. The link is the one place that decides which: `up` is read before every use.
 *
 * Commands fail fast instead of waiting for a connection — no offline queue, no retries of a
 * command in flight when the connection drops, a command timeout — and a failure opens a breaker:
 * Redis is left alone for `breakerMs`, then probed with a PING (when its connections are ready),
 * and used again as soon as that answers. ioredis keeps reconnecting in the background, so
 * recovery needs no restart. An outage is logged once when it starts and once when it ends.
 */
export interface RedisLinkOptions {
  url: string;
  /** A command (or the probe) not answered within this fails. */
  commandTimeoutMs: number;
  /** After a failure, how long Redis is not used before it is probed again. */
  breakerMs: number;
  log: Logger;
}

export class RedisLink {
  /** The command connection. Every use goes through `up` first; report failures with `failed()`. */
  readonly client: Redis;
  private readonly clients: Redis[] = [];
  private readonly listeners = new Set<(up: boolean) => void>();
  private isUp = false;
  /** The link has been up at least once: the first connect is not an outage. */
  private everUp = false;
  private openUntil = 0;
  private probing = false;
  private closing = false;
  private outageCount = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: RedisLinkOptions) {
    this.client = this.watch(
      new Redis(o.url, {
        // No command waits for a connection: while Redis is away it fails at once and the caller
        // falls back. (ioredis's default queues it and retries: the 6–11 s stalls of issue 19.)
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: o.commandTimeoutMs,
        connectTimeout: Math.max(1000, o.commandTimeoutMs * 2),
        // Keep reconnecting for ever, at least every breaker period, so recovery needs no restart.
        retryStrategy: (times) => Math.min(50 * 2 ** times, o.breakerMs),
      }),
    );
    // While down, look every half breaker period whether Redis is back.
    this.timer = setInterval(() => this.evaluate(), Math.max(100, o.breakerMs / 2));
    this.timer.unref();
  }

  /** True while Redis answers and no failure was seen within the last breaker period. */
  get up(): boolean {
    return this.isUp;
  }

  /** Outages since start (the first connect failing counts as one). */
  get outages(): number {
    return this.outageCount;
  }

  /**
   * A second connection with the same fail-fast options (pub/sub needs its own), watched as part
   * of the link: the link is up only while all its connections are.
   */
  duplicate(override: Partial<RedisOptions> = {}): Redis {
    return this.watch(this.client.duplicate(override));
  }

  /** Reports a failed command: Redis is not used for the next breaker period. */
  failed(err: unknown): void {
    this.openUntil = Date.now() + this.o.breakerMs;
    this.setUp(false, (err as Error)?.message ?? String(err));
  }

  /** Called with the new state on every change (down at an outage, up at recovery). */
  onChange(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Resolves once up, or after `timeoutMs` (then the instance starts degraded). */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.isUp) return true;
    const up = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.onChange((u) => {
        if (!u) return;
        clearTimeout(t);
        off();
        resolve(true);
      });
      this.evaluate();
    });
    if (!up && !this.everUp && this.outageCount === 0) this.startOutage("no connection at start");
    return up;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    this.listeners.clear();
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private watch(c: Redis): Redis {
    this.clients.push(c);
    c.on("ready", () => this.evaluate());
    // "error" fires on every failed reconnect attempt: setUp logs only the transition. A lost
    // connection needs no breaker (commands fail at once without one); the next "ready" probes.
    c.on("error", (err: Error) => this.setUp(false, err.message));
    c.on("close", () => this.setUp(false, "connection closed"));
    return c;
  }

  /** Down → up when every connection is ready, the breaker period is over and a PING answers. */
  private evaluate(): void {
    if (this.isUp || this.probing || this.closing) return;
    if (Date.now() < this.openUntil) return;
    if (!this.clients.every((c) => c.status === "ready")) return;
    this.probing = true;
    this.client
      .ping()
      .then(
        () => this.setUp(true),
        (err) => this.failed(err),
      )
      .finally(() => {
        this.probing = false;
      });
  }

  private setUp(up: boolean, reason = ""): void {
    if (this.closing || up === this.isUp) return;
    this.isUp = up;
    if (up) {
      if (this.everUp || this.outageCount > 0) {
        this.o.log.info(
          { outages: this.outageCount },
          "Redis is back: rate limits, caches and run events use it again",
        );
      }
      this.everUp = true;
    } else {
      this.startOutage(reason);
    }
    for (const l of [...this.listeners]) l(up);
  }

  private startOutage(reason: string): void {
    this.outageCount++;
    // Once per outage, not per request. The reason is ioredis's message: it may name the host and
    // port, never the password.
    this.o.log.warn(
      { reason },
      "Redis unavailable: running degraded (rate limits per instance, result cache from the database, run events in-process or over PostgreSQL) until it answers again",
    );
  }
}
