import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import pg from "pg";
import type { RunStatus } from "../db/schema.ts";
import type { RedisLink } from "../redis/link.ts";

/** What subscribers to a run hear: progress while it runs, then its final status. */
export interface RunEvent {
  runId: string;
  status: RunStatus;
  progress: number;
  message?: string | null;
  /** Text a language model is writing for the run, as it streams (issue 14): a delta, not the whole. */
  text?: string;
}

/**
 * Run events across instances (progress for SSE and `?wait`, queue wake-ups for workers).
 * Subscribers are multiplexed over one connection per instance.
 */
export interface RunEventBus {
  publish(event: RunEvent): Promise<void>;
  subscribe(runId: string, handler: (event: RunEvent) => void): Promise<() => void>;
  close(): Promise<void>;
}

const CHANNEL = "mw_run_events";

class LocalFanout {
  readonly emitter = new EventEmitter().setMaxListeners(0);
  deliver(event: RunEvent) {
    this.emitter.emit(event.runId, event);
  }
  on(runId: string, handler: (e: RunEvent) => void) {
    this.emitter.on(runId, handler);
    return () => void this.emitter.off(runId, handler);
  }
}

/** What travels between instances: the event and the instance that published it. */
interface Envelope {
  from: string;
  event: RunEvent;
}

export interface RunEventBusOptions {
  /** Redis pub/sub while the link is up. */
  redis: { link: RedisLink; prefix: string } | null;
  /** PostgreSQL LISTEN/NOTIFY: the way between instances while Redis is down (or not configured). */
  postgres: { url: string; pool: { query(sql: string, values: unknown[]): Promise<unknown> } } | null;
}

/**
 * The run event bus of one instance. A published event reaches this instance's subscribers at
 * once, in-process, whatever Redis does; other instances get it over Redis pub/sub while Redis is
 * up, else over PostgreSQL NOTIFY (when the database is a server; the embedded one serves a single
 * process, which the in-process path already covers). Every instance listens on both channels, so
 * an instance that lost Redis still reaches the others. Each event carries its publisher's id,
 * and an instance skips its own events coming back, so no subscriber hears one twice.
 * Why this shape: docs/decisions/0015-redis-accelerator.md.
 */
export async function openRunEventBus(o: RunEventBusOptions): Promise<RunEventBus> {
  const self = randomUUID();
  const fan = new LocalFanout();
  const receive = (raw: string) => {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    // An instance of an older release publishes the bare event.
    const env = (msg as Envelope).event ? (msg as Envelope) : { from: "", event: msg as RunEvent };
    if (env.from !== self) fan.deliver(env.event);
  };
  const closers: (() => Promise<void>)[] = [];

  let notify: ((payload: string) => Promise<void>) | null = null;
  if (o.postgres) {
    const { url, pool } = o.postgres;
    const listener = new pg.Client({ connectionString: url });
    listener.on("error", () => {});
    await listener.connect();
    await listener.query(`listen ${CHANNEL}`);
    listener.on("notification", (n) => {
      if (n.channel === CHANNEL && n.payload) receive(n.payload);
    });
    notify = async (payload) => {
      await pool.query("select pg_notify($1, $2)", [CHANNEL, payload]);
    };
    closers.push(() => listener.end().catch(() => {}));
  }

  const redis = o.redis;
  const channel = redis ? `${redis.prefix}${CHANNEL}` : "";
  if (redis) {
    // Subscribed on every (re)connect, including one that first succeeds long after start.
    const sub = redis.link.duplicate({ autoResubscribe: false });
    sub.on("ready", () => void sub.subscribe(channel).catch((err) => redis.link.failed(err)));
    sub.on("message", (_c: string, msg: string) => receive(msg));
  }

  return {
    async publish(e) {
      fan.deliver(e);
      const payload = JSON.stringify({ from: self, event: e } satisfies Envelope);
      if (redis?.link.up) {
        try {
          await redis.link.client.publish(channel, payload);
          return;
        } catch (err) {
          redis.link.failed(err);
        }
      }
      await notify?.(payload);
    },
    subscribe: async (runId, h) => fan.on(runId, h),
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}
