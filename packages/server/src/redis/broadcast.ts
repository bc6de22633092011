import { randomUUID } from "node:crypto";
import pg from "pg";
import type { RedisLink } from "./link.ts";

/**
 * A tiny message channel between the instances of one deployment, for rare messages that must
 * arrive (the credential cache's "something changed": src/auth/cache.ts; the read cache's "this
 * organization was written to": src/http/read-cache.ts). Unlike the run event bus
 * (src/runs/events.ts, which picks one way) a message goes out both ways at once — Redis pub/sub
 * while the link is up AND PostgreSQL NOTIFY when the database is a server — so an instance whose
 * Redis connection is down still hears it over PostgreSQL. Receivers must tolerate duplicates
 * (each message usually arrives twice); an instance never hears its own messages.
 */
export interface Broadcast {
  publish(message: string): Promise<void>;
  onMessage(handler: (message: string) => void): void;
  close(): Promise<void>;
}

export interface BroadcastOptions {
  /** The channel's name: a Redis channel (after the key prefix) and a PostgreSQL NOTIFY channel. */
  channel: string;
  redis: { link: RedisLink; prefix: string } | null;
  postgres: { url: string; pool: { query(sql: string, values: unknown[]): Promise<unknown> } } | null;
}

interface Envelope {
  from: string;
  message: string;
}

export async function openBroadcast(o: BroadcastOptions): Promise<Broadcast> {
  if (!/^[a-z_][a-z0-9_]*$/.test(o.channel)) throw new Error(`bad broadcast channel name: ${o.channel}`);
  const self = randomUUID();
  const handlers: ((message: string) => void)[] = [];
  const receive = (raw: string) => {
    let env: Envelope;
    try {
      env = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (env.from === self || typeof env.message !== "string") return;
    for (const h of handlers) h(env.message);
  };
  const closers: (() => Promise<void>)[] = [];

  let notify: ((payload: string) => Promise<void>) | null = null;
  if (o.postgres) {
    const { url, pool } = o.postgres;
    const listener = new pg.Client({ connectionString: url });
    listener.on("error", () => {});
    await listener.connect();
    await listener.query(`listen ${o.channel}`);
    listener.on("notification", (n) => {
      if (n.channel === o.channel && n.payload) receive(n.payload);
    });
    notify = async (payload) => {
      await pool.query("select pg_notify($1, $2)", [o.channel, payload]);
    };
    closers.push(() => listener.end().catch(() => {}));
  }

  const redis = o.redis;
  const redisChannel = redis ? `${redis.prefix}${o.channel}` : "";
  if (redis) {
    const sub = redis.link.duplicate({ autoResubscribe: false });
    sub.on("ready", () => void sub.subscribe(redisChannel).catch((err) => redis.link.failed(err)));
    sub.on("message", (_c: string, msg: string) => receive(msg));
  }

  return {
    async publish(message) {
      const payload = JSON.stringify({ from: self, message } satisfies Envelope);
      const sends: Promise<unknown>[] = [];
      if (redis?.link.up) {
        sends.push(redis.link.client.publish(redisChannel, payload).catch((err) => redis.link.failed(err)));
      }
      if (notify) sends.push(notify(payload));
      await Promise.all(sends);
    },
    onMessage(handler) {
      handlers.push(handler);
    },
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}
