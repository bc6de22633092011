import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RedisLink } from "../redis/link.ts";

const Check = z.object({
  status: z
    .enum(["ok", "degraded", "error"])
    .describe("degraded: not answering, and the instance works without it (Redis)"),
  latencyMs: z.number(),
  // A generic reason (`timed out`, `unavailable`): the endpoint is public; details are logged.
  error: z.string().optional(),
  queuedRuns: z.number().int().optional().describe("Runs waiting for a worker"),
  oldestQueuedSeconds: z.number().optional().describe("How long the oldest waiting run has waited"),
});

const Readiness = z.object({
  status: z.enum(["ok", "degraded", "error"]),
  checks: z.record(z.string(), Check),
});

/** Liveness (the process answers) and readiness (its dependencies answer), for load balancers. */
export async function healthRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/health",
    {
      config: { access: "public" },
      schema: {
        tags: ["operations"],
        summary: "Liveness",
        response: { 200: z.object({ status: z.literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  r.get(
    "/ready",
    {
      config: { access: "public" },
      schema: {
        tags: ["operations"],
        summary: "Readiness: database, run queue, and Redis when configured",
        description:
          "503 when the database or the run queue does not answer. Redis is an accelerator: without it " +
          "the instance still serves (200, status degraded) — rate limits per instance, result cache " +
          "from the database, run events in-process or over PostgreSQL — until Redis answers again.",
        response: {
          200: Readiness,
          503: Readiness,
        },
      },
    },
    async (req, reply) => {
      const { database, redisLink } = app.deps;
      // The endpoint is public: a failing check shows a generic reason, the error itself is logged.
      const timed = (name: string, check: () => Promise<unknown>) =>
        timedCheck(check, (err) => req.log.warn({ err, check: name }, "readiness check failed"));
      const checks: Record<string, z.infer<typeof Check>> = {
        database: await timed("database", () => database.ping()),
      };
      let queue = { queuedRuns: 0, oldestQueuedSeconds: 0 };
      checks.queue = await timed("queue", async () => {
        const res = await database.db.execute(sql`
          select count(*)::int as n, coalesce(extract(epoch from now() - min(created_at)), 0)::float as oldest
          from runs where status = 'queued'`);
        const row = (res as unknown as { rows: { n: number; oldest: number }[] }).rows[0]!;
        queue = { queuedRuns: row.n, oldestQueuedSeconds: Math.round(row.oldest * 10) / 10 };
      });
      if (checks.queue.status === "ok") Object.assign(checks.queue, queue);
      if (redisLink) checks.redis = await redisCheck(redisLink, (check) => timed("redis", check));
      const states = Object.values(checks).map((c) => c.status);
      const status = states.includes("error") ? "error" : states.includes("degraded") ? "degraded" : "ok";
      return reply.code(status === "error" ? 503 : 200).send({ status, checks });
    },
  );
}

/**
 * Redis answers, or the instance runs without it. The message is fixed text: ioredis's own names
 * the address, which a public probe has no business revealing.
 */
async function redisCheck(
  link: RedisLink,
  timed: (check: () => Promise<unknown>) => Promise<z.infer<typeof Check>>,
): Promise<z.infer<typeof Check>> {
  if (link.up) {
    const c = await timed(() => link.client.ping());
    if (c.status === "ok") return c;
    link.failed(new Error(`readiness ping ${c.error}`));
    return { status: "degraded", latencyMs: c.latencyMs, error: DEGRADED };
  }
  return { status: "degraded", latencyMs: 0, error: DEGRADED };
}

const DEGRADED =
  "Redis is not answering; running without it (rate limits per instance, result cache from the database, run events in-process or over PostgreSQL)";

async function timedCheck(
  check: () => Promise<unknown>,
  log: (err: unknown) => void,
): Promise<z.infer<typeof Check>> {
  const start = performance.now();
  try {
    await withTimeout(check(), CHECK_TIMEOUT_MS);
    return { status: "ok", latencyMs: round(performance.now() - start) };
  } catch (err) {
    log(err);
    const error = err instanceof CheckTimeout ? "timed out" : "unavailable";
    return { status: "error", latencyMs: round(performance.now() - start), error };
  }
}

const CHECK_TIMEOUT_MS = 2000;
class CheckTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new CheckTimeout(`no answer within ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

const round = (ms: number) => Math.round(ms * 100) / 100;
