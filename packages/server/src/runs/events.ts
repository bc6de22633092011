import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import pg from "pg";
import type { RunStatus } from "../db/schema.ts";

/** What subscribers to a run hear: progress while it runs, then its final status. */
export interface RunEvent {
  runId: string;
  status: RunStatus;
  progress: number;
  message?: string | null;
}

/**
 * Run events across instances. Redis pub/sub when REDIS_URL is set; PostgreSQL LISTEN/NOTIFY
 * when the database is a server; in-process otherwise (the embedded database serves one
 * process). Subscribers are multiplexed over one connection per instance.
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

export function inProcessBus(): RunEventBus {
  const fan = new LocalFanout();
  return {
    publish: async (e) => fan.deliver(e),
    subscribe: async (runId, h) => fan.on(runId, h),
    close: async () => {},
  };
}

export async function redisBus(redis: Redis, prefix: string): Promise<RunEventBus> {
  const fan = new LocalFanout();
  const sub = redis.duplicate();
  sub.on("error", () => {});
  const channel = `${prefix}${CHANNEL}`;
  await sub.subscribe(channel);
  sub.on("message", (_c, msg) => fan.deliver(JSON.parse(msg) as RunEvent));
  return {
    publish: async (e) => {
      await redis.publish(channel, JSON.stringify(e));
    },
    subscribe: async (runId, h) => fan.on(runId, h),
    close: async () => {
      await sub.quit().catch(() => sub.disconnect());
    },
  };
}

export async function postgresBus(
  url: string,
  pool: { query(sql: string, values: unknown[]): Promise<unknown> },
): Promise<RunEventBus> {
  const fan = new LocalFanout();
  const listener = new pg.Client({ connectionString: url });
  listener.on("error", () => {});
  await listener.connect();
  await listener.query(`listen ${CHANNEL}`);
  listener.on("notification", (n) => {
    if (n.channel === CHANNEL && n.payload) fan.deliver(JSON.parse(n.payload) as RunEvent);
  });
  return {
    publish: async (e) => {
      await pool.query("select pg_notify($1, $2)", [CHANNEL, JSON.stringify(e)]);
    },
    subscribe: async (runId, h) => fan.on(runId, h),
    close: async () => {
      await listener.end().catch(() => {});
    },
  };
}
