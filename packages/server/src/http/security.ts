import type { IncomingMessage, ServerResponse } from "node:http";
import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import helmet, { type HelmetOptions } from "helmet";

/** Cookies, security headers and the CORS allowlist (CORS_ORIGINS; empty means same-origin only). */
export const securityPlugin = fp(async (app: FastifyInstance) => {
  const { config } = app.deps;
  await app.register(cookie);
  const headers = securityHeaders({
    // Swagger UI at /docs loads its own scripts and styles from this server only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: config.COOKIE_SECURE ? undefined : false,
  });
  // The same headers on every answer, set before any route runs (a route may still override one).
  app.addHook("onRequest", (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
  await app.register(cors, {
    origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false,
    credentials: true,
    allowedHeaders: ["content-type", "authorization", "x-csrf-token", "x-organization-id", "x-request-id"],
    exposedHeaders: ["x-request-id", "retry-after", "location"],
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
  });
});

/**
 * Helmet's headers for these options, computed once. @fastify/helmet ran `helmet(options)` — which
 * parses the CSP directives and builds a dozen middlewares — on every request (~15 % of a
 * `/health` request's CPU, issue 20). Our options hold no per-request values (no CSP nonces, no
 * directive functions), so the headers never differ: run Helmet once against a recording response.
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    // Helmet removes X-Powered-By (Express's); Fastify never sets it.
    removeHeader() {},
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  // Helmet's middlewares are synchronous; if a future version is not, fail at start-up, not per request.
  if (!finished) throw new Error("helmet did not finish synchronously");
  return headers;
}
