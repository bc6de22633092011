import os from "node:os";
import { REFERENCE_DATASETS } from "@modelworks/catalog";
import type { FastifyBaseLogger } from "fastify";
import { Redis } from "ioredis";
import type { AppDeps } from "./app.ts";
import { createJwtVerifier } from "./auth/jwt.ts";
import type { Config } from "./config.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { createMailer } from "./mail/mailer.ts";
import { memoryEditionCache, redisEditionCache } from "./reference-data/cache.ts";
import { ReferenceDataService } from "./reference-data/service.ts";
import { createRunBudget } from "./runs/budget.ts";
import { databaseCache, type ResultCache, redisCache } from "./runs/cache.ts";
import { inProcessBus, postgresBus, type RunEventBus, redisBus } from "./runs/events.ts";
import { createEnginePool } from "./runs/pool.ts";
import { RunWorker } from "./runs/runner.ts";

/**
 * Opens everything an API instance or a worker talks to — database (migrations applied), Redis,
 * the run event bus and the result cache — and closes it again. Shared by `npm start`,
 * `modelworks worker` and the tests, so all three wire the same way.
 */
export interface Runtime extends AppDeps {
  close(): Promise<void>;
}

export async function openRuntime(config: Config, database?: Database): Promise<Runtime> {
  const db =
    database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolMax: config.DATABASE_POOL_MAX,
    }));
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 }) : null;
  redis?.on("error", () => {}); // reported by /ready; ioredis reconnects on its own
  let bus: RunEventBus;
  if (redis) bus = await redisBus(redis, config.REDIS_KEY_PREFIX);
  else if (db.kind === "postgres" && config.DATABASE_URL)
    bus = await postgresBus(config.DATABASE_URL, db.pool!);
  else bus = inProcessBus();
  const fallback = databaseCache();
  const cache: ResultCache = redis
    ? redisCache(redis, config.REDIS_KEY_PREFIX, config.CACHE_TTL_SECONDS, fallback)
    : fallback;
  const mailer = createMailer(config);
  return {
    config,
    database: db,
    mailer,
    redis,
    jwt: createJwtVerifier(config),
    bus,
    cache,
    runBudget: createRunBudget(config, redis),
    referenceData: new ReferenceDataService({
      datasets: REFERENCE_DATASETS,
      urls: { austinAmiRentLimits: config.REFDATA_AMI_URL, austinTaxRates: config.REFDATA_TAX_URL },
      timeoutMs: config.REFDATA_TIMEOUT_MS,
      ttlMs: config.REFDATA_CACHE_TTL_SECONDS * 1000,
      failureTtlMs: config.REFDATA_RETRY_SECONDS * 1000,
      cache: redis ? redisEditionCache(redis, config.REDIS_KEY_PREFIX) : memoryEditionCache(),
    }),
    async close() {
      mailer.close();
      await bus.close();
      await redis?.quit().catch(() => redis.disconnect());
      await db.close();
    },
  };
}

/**
 * Engine threads per worker: one core is left to the event loop, but never fewer than two
 * threads, so on a 2-core machine a fanned-out run (Monte Carlo parts) still gets a helper and a
 * second run does not wait behind a long one; the event loop's share of a core is small.
 */
export function defaultThreads(): number {
  return Math.max(2, Math.min(4, os.availableParallelism() - 1));
}

/** Starts a worker on a runtime; stop it before closing the runtime. */
export async function startWorker(
  rt: Runtime,
  log: FastifyBaseLogger,
): Promise<{ worker: RunWorker; stop(): Promise<void> }> {
  const c = rt.config;
  const pool = createEnginePool(c.RUN_WORKER_THREADS ?? defaultThreads());
  await pool.ready();
  const worker = new RunWorker({
    db: rt.database.db,
    bus: rt.bus,
    cache: rt.cache,
    pool,
    log,
    leaseMs: c.RUN_LEASE_SECONDS * 1000,
    heartbeatMs: c.RUN_HEARTBEAT_MS,
    orgConcurrency: c.RUN_ORG_CONCURRENCY,
    pollMs: c.RUN_POLL_MS,
  });
  await worker.start();
  return {
    worker,
    async stop() {
      await worker.stop();
      await pool.close();
    },
  };
}
