import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { HttpProblem } from "./problem.ts";

// "/*": the web app's static files (one page load fetches a dozen chunks; they are cheap and public).
const UNLIMITED_ROUTES = new Set(["/health", "/ready", "/metrics", "/*"]);

/**
 * Per-caller request budgets: by API key, else by user, else by client IP. With REDIS_URL the
 * counters live in Redis so every instance shares them; otherwise in memory. Sign-in and
 * sign-up get a tighter per-IP budget (route config `rateLimit: AUTH_RATE_LIMIT`).
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance) => {
  const { config, redis } = app.deps;
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    ...(redis ? { redis, nameSpace: `${config.REDIS_KEY_PREFIX}rl:` } : {}),
    keyGenerator: callerKey,
    // Redis trouble must not take the API down with it; requests pass unlimited meanwhile.
    skipOnError: true,
    // By matched route, not raw URL: `/health?probe=lb` is still the health check.
    allowList: (req) => UNLIMITED_ROUTES.has(req.routeOptions.url ?? ""),
    errorResponseBuilder: (_req, ctx) =>
      new HttpProblem(
        429,
        "Too Many Requests",
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
