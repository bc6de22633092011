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
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    ...(redisLink ? { store: linkedStore(redisLink, `${config.REDIS_KEY_PREFIX}rl:`) } : {}),
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
 */
function linkedStore(link: RedisLink, nameSpace: string) {
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
  // The plugin constructs the store with `new Store(globalParams)` (its typings leave out the
  // continueExceeding and exponentialBackoff it passes).
  return function LinkedStore(params: RouteLimitOptions): Store {
    return make(
      new RedisStore(params.continueExceeding, params.exponentialBackoff, link.client, nameSpace),
      new LocalStore(params.continueExceeding, params.exponentialBackoff),
    );
  } as unknown as FastifyRateLimitStoreCtor;
}
