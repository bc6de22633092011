import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Cookies, security headers and the CORS allowlist (CORS_ORIGINS; empty means same-origin only). */
export const securityPlugin = fp(async (app: FastifyInstance) => {
  const { config } = app.deps;
  await app.register(cookie);
  await app.register(helmet, {
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
  await app.register(cors, {
    origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false,
    credentials: true,
    allowedHeaders: ["content-type", "authorization", "x-csrf-token", "x-organization-id", "x-request-id"],
    exposedHeaders: ["x-request-id", "retry-after", "location"],
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
  });
});
