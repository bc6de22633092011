import { createRequire } from "node:module";
import rateLimit, { type FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Redis } from "ioredis";
import { DomainError } from "../errors/domain-error.ts";
import type { RedisLink } from "../redis/link.ts";

// "/*": the web app's static files (one page load fetches a dozen chunks; they are cheap and public).
const UNLIMITED_ROUTES = new Set(["/health", "/ready", "/metrics", "/*"]);

/**
 * Per-caller request budgets: by API key, else by user, else by client IP. With REDIS_URL the
 * counters live in Redis so every instance shares them — while Redis answers; meanwhile each
 * instance counts in memory (see linkedStore). Without Redis, in memory. Sign-in and sign-up get
 * a tighter per-IP budget (route config `rateLimit: AUTH_RATE_LIMIT`).
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance) => {
  const { config, redisLink } = app.deps;
  // The batched counter's sync timer stops with the app (tests build and close many apps).
  const batched =
    redisLink && config.RATE_LIMIT_SYNC_MS > 0
      ? new BatchedCounter(redisLink, `${config.REDIS_KEY_PREFIX}rl:`, config.RATE_LIMIT_SYNC_MS)
      : null;
  if (batched) app.addHook("onClose", async () => batched.close());
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    ...(redisLink ? { store: linkedStore(redisLink, `${config.REDIS_KEY_PREFIX}rl:`, batched) } : {}),
    keyGenerator: callerKey,
    // Never expected (the linked store falls back to memory), but a store error lets the request through.
    skipOnError: true,
    // By matched route, not raw URL: `/health?probe=lb` is still the health check.
    allowList: (req) => UNLIMITED_ROUTES.has(req.routeOptions.url ?? ""),
    errorResponseBuilder: (_req, ctx) =>
      new DomainError(
        "rate_limited",
        `Rate limit of ${ctx.max} requests exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s.`,
      ),
  });
});

export function authRateLimit(app: FastifyInstance) {
  return {
    max: app.deps.config.AUTH_RATE_LIMIT_MAX,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => `auth:${req.ip}`,
  };
}

function callerKey(req: FastifyRequest): string {
  const p = req.principal;
  if (p?.kind === "api_key") return `key:${p.apiKeyId}`;
  if (p) return `user:${p.userId}`;
  return `ip:${req.ip}`;
}

// The plugin's own stores (CommonJS, untyped): Redis keys and counting stay exactly the plugin's.
type StoreCallback = (err: Error | null, res: { current: number; ttl: number } | null) => void;
interface Store {
  incr(key: string, cb: StoreCallback, timeWindow: number, max: number): void;
  read(key: string, cb: StoreCallback, timeWindow: number, max: number): void;
  child(routeOptions: RouteLimitOptions): Store;
}
interface RouteLimitOptions {
  continueExceeding: boolean;
  exponentialBackoff: boolean;
}
const require = createRequire(import.meta.url);
const RedisStore = require("@fastify/rate-limit/store/RedisStore.js") as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
  key: string,
) => Store;
const LocalStore = require("@fastify/rate-limit/store/LocalStore.js") as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
) => Store;

/**
 * A rate-limit store that counts in Redis while the link is up and in this process's memory while
 * it is not (a failed command counts the request in memory too, and opens the link's breaker).
 * During an outage a caller's budget is per instance; back on Redis, the shared counter resumes.
 * Identified callers' global budgets (`key:…`, `user:…`) go through the BatchedCounter when
 * one is given (RATE_LIMIT_SYNC_MS > 0): no round trip per request. Anonymous (`ip:…`) and route budgets (sign-in) stay
 * exact: they guard against guessing, so another instance's attempts must count at once.
 */
function linkedStore(link: RedisLink, nameSpace: string, batched: BatchedCounter | null) {
  const pick =
    (shared: Store, local: Store, method: "incr" | "read") =>
    (key: string, cb: StoreCallback, timeWindow: number, max: number) => {
      if (!link.up) return local[method](key, cb, timeWindow, max);
      shared[method](
        key,
        (err, res) => {
          if (!err) return cb(null, res);
          link.failed(err);
          local[method](key, cb, timeWindow, max);
        },
        timeWindow,
        max,
      );
    };
  const make = (shared: Store, local: Store): Store => ({
    incr: pick(shared, local, "incr"),
    read: pick(shared, local, "read"),
    child: (routeOptions) => make(shared.child(routeOptions), local.child(routeOptions)),
  });
  const identified = (key: string) => key.startsWith("key:") || key.startsWith("user:");
  // The plugin constructs the store with `new Store(globalParams)` (its typings leave out the
  // continueExceeding and exponentialBackoff it passes).
  return function LinkedStore(params: RouteLimitOptions): Store {
    const exact = make(
      new RedisStore(params.continueExceeding, params.exponentialBackoff, link.client, nameSpace),
      new LocalStore(params.continueExceeding, params.exponentialBackoff),
    );
    if (!batched) return exact;
    return {
      incr: (key, cb, timeWindow, max) =>
        identified(key) ? batched.incr(key, cb, timeWindow) : exact.incr(key, cb, timeWindow, max),
      read: (key, cb, timeWindow, max) =>
        identified(key) ? batched.read(key, cb) : exact.read(key, cb, timeWindow, max),
      child: exact.child,
    };
  } as unknown as FastifyRateLimitStoreCtor;
}

interface Tally {
  /** The shared count Redis last answered (this instance's requests sent so far included). */
  shared: number;
  /** Requests counted here and not yet sent to Redis. */
  pending: number;
  /** Requests sent in the INCRBY now in flight. */
  inFlight: number;
  resetAtMs: number;
}

// INCRBY, starting the window on the first increment; answers the count and the window's rest.
const INCR_BY_LUA = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {v, ttl}`;

/**
 * Counts a caller's requests here at once and sends them to Redis in one INCRBY per caller at
 * most every `syncMs` (the first request of a window at once); a request is judged by the shared
 * count last heard plus this instance's unsent ones. Other instances' requests are seen at most
 * `syncMs` (plus a round trip) late, so a caller spreading requests over N instances can exceed
 * the budget by what they send the other N − 1 in that time — for a budget of hundreds per
 * minute and 100 ms, a handful. Same Redis keys as the exact store, so the two agree.
 */
export class BatchedCounter {
  private readonly tallies = new Map<string, Tally>();
  private readonly timer: NodeJS.Timeout;
  private readonly offLink: () => void;

  constructor(
    private readonly link: RedisLink,
    private readonly nameSpace: string,
    syncMs: number,
  ) {
    if (!link.client.rlIncrBy) link.client.defineCommand("rlIncrBy", { numberOfKeys: 1, lua: INCR_BY_LUA });
    this.timer = setInterval(() => this.syncAll(), syncMs);
    this.timer.unref();
    // Back on Redis: send what was counted here during the outage and learn the shared counts at
    // once, not at the next tick (a caller's whole burst can fit in one tick).
    this.offLink = link.onChange((up) => {
      if (up) this.syncAll();
    });
  }

  incr(key: string, cb: StoreCallback, timeWindowMs: number): void {
    const now = Date.now();
    let t = this.tallies.get(key);
    const fresh = !t || t.resetAtMs <= now;
    if (!t || fresh) {
      t = { shared: 0, pending: 0, inFlight: 0, resetAtMs: now + timeWindowMs };
      this.tallies.set(key, t);
    }
    t.pending++;
    // The first request of a window learns the shared count at once (for the next requests).
    if (fresh) this.sync(key, t, timeWindowMs);
    cb(null, { current: t.shared + t.inFlight + t.pending, ttl: t.resetAtMs - now });
  }

  read(key: string, cb: StoreCallback): void {
    const t = this.tallies.get(key);
    const now = Date.now();
    if (!t || t.resetAtMs <= now) cb(null, { current: 0, ttl: 0 });
    else cb(null, { current: t.shared + t.inFlight + t.pending, ttl: t.resetAtMs - now });
  }

  private syncAll(): void {
    const now = Date.now();
    for (const [key, t] of this.tallies) {
      if (t.resetAtMs <= now) this.tallies.delete(key);
      else if (t.pending > 0) this.sync(key, t, t.resetAtMs - now);
    }
  }

  private sync(key: string, t: Tally, windowMs: number): void {
    if (t.inFlight > 0 || !this.link.up) return; // one INCRBY at a time per caller; none while down
    const n = t.pending;
    t.pending = 0;
    t.inFlight = n;
    this.link.client.rlIncrBy(this.nameSpace + key, n, Math.max(1, Math.round(windowMs))).then(
      ([count, ttlMs]: [number, number]) => {
        t.shared = count;
        t.inFlight = 0;
        t.resetAtMs = Date.now() + ttlMs;
      },
      (err: unknown) => {
        // Not counted in Redis: count them here again, and go local until the link is back.
        t.pending += t.inFlight;
        t.inFlight = 0;
        this.link.failed(err);
      },
    );
  }

  close(): void {
    clearInterval(this.timer);
    this.offLink();
  }
}

declare module "ioredis" {
  interface RedisCommander {
    rlIncrBy(key: string, by: number, windowMs: number): Promise<[number, number]>;
  }
}
