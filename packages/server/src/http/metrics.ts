import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics at /metrics: request counts and latency by route template and status,
 * plus Node's process metrics. Routes are labelled by template (`/api/v1/projects/:id`), never
 * by raw URL, so label cardinality stays bounded.
 */
export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ["method", "route", "status_code"] as const;
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests served, by method, route template and status code.",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency in seconds, by method, route template and status code.",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.decorate("metrics", registry);
  // Language-model calls, tokens, latency and errors (src/llm/service.ts).
  for (const m of app.deps.llm?.metrics ?? []) registry.registerMetric(m);
  const link = app.deps.redisLink;
  if (link) {
    // Redis is optional at run time (src/redis/link.ts): these say whether it is in use now.
    new Gauge({
      name: "redis_up",
      help: "1 while Redis answers and is used; 0 while this instance runs degraded without it.",
      registers: [registry],
      collect() {
        this.set(link.up ? 1 : 0);
      },
    });
    new Counter({
      name: "redis_outages_total",
      help: "Times Redis stopped answering (or did not answer at start) since the process started.",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(link.outages);
      },
    });
  }

  app.addHook("onResponse", async (req, reply) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? "unmatched",
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get("/metrics", { schema: { hide: true }, config: { access: "public" } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
});

declare module "fastify" {
  interface FastifyInstance {
    metrics: Registry;
  }
}
