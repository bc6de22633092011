import os from "node:os";
import path from "node:path";
import { REFERENCE_DATASETS } from "@modelworks/catalog";
import { SCORING_RUN_MODEL } from "@modelworks/contracts/model-artifacts";
import { POWERBI_PUBLISH_MODEL } from "@modelworks/contracts/powerbi";
import type { FastifyBaseLogger } from "fastify";
import pino, { type Logger } from "pino";
import { AuthCache } from "./auth/cache.ts";
import { createJwtVerifier } from "./auth/jwt.ts";
import type { Config } from "./config.ts";
import { type Database, openDatabase } from "./db/client.ts";
import type { AppDeps } from "./deps.ts";
import { configureDuck } from "./files/duck.ts";
import { createFileStore, scratchDir } from "./files/store.ts";
import { ReadCache } from "./http/read-cache.ts";
import { LinkedInService, linkedinClientFromConfig } from "./linkedin/service.ts";
import { createLlmService } from "./llm/setup.ts";
import { createMailer } from "./mail/mailer.ts";
import { scoringTask } from "./model-artifacts/scoring.ts";
import { publishTask } from "./powerbi/publish.ts";
import { openBroadcast } from "./redis/broadcast.ts";
import { RedisLink } from "./redis/link.ts";
import { memoryEditionCache, redisEditionCache } from "./reference-data/cache.ts";
import { ReferenceDataService } from "./reference-data/service.ts";
import { createRunBudget } from "./runs/budget.ts";
import { databaseCache, type ResultCache, redisCache } from "./runs/cache.ts";
import { openRunEventBus } from "./runs/events.ts";
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

export interface RuntimeOptions {
  /** Where the Redis link reports outages; a pino logger at LOG_LEVEL by default. */
  log?: Logger;
}

export async function openRuntime(
  config: Config,
  database?: Database,
  opts: RuntimeOptions = {},
): Promise<Runtime> {
  const db =
    database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolMax: config.DATABASE_POOL_MAX,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    }));
  const log = opts.log ?? pino({ level: config.LOG_LEVEL });
  // Before anything reads a file: the API, a worker (Power BI pushes, planning samples) and the
  // tests all get the configured cap and a spill directory, whichever of them touches DuckDB first.
  await configureDuck({
    memoryMb: config.FILES_DUCKDB_MEMORY_MB,
    tempDir: path.join(scratchDir(config), "duckdb"),
  });
  // Redis accelerates (shared counters, caches, pub/sub) but is never waited for: see RedisLink.
  const link = config.REDIS_URL
    ? new RedisLink({
        url: config.REDIS_URL,
        commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
        breakerMs: config.REDIS_BREAKER_MS,
        log: log.child({ component: "redis" }),
      })
    : null;
  // A Redis that does not answer at start is an outage like any other: start degraded.
  await link?.ready(Math.max(1000, config.REDIS_COMMAND_TIMEOUT_MS * 4));
  const bus = await openRunEventBus({
    redis: link ? { link, prefix: config.REDIS_KEY_PREFIX } : null,
    postgres:
      db.kind === "postgres" && config.DATABASE_URL ? { url: config.DATABASE_URL, pool: db.pool! } : null,
  });
  // Credential changes reach every instance over Redis and PostgreSQL both (src/redis/broadcast.ts).
  const authBroadcast = await openBroadcast({
    channel: "mw_auth_changed",
    redis: link ? { link, prefix: config.REDIS_KEY_PREFIX } : null,
    postgres:
      db.kind === "postgres" && config.DATABASE_URL ? { url: config.DATABASE_URL, pool: db.pool! } : null,
  });
  const authCache = new AuthCache({ ttlMs: config.AUTH_CACHE_TTL_MS, maxEntries: 50_000 }, (err) =>
    log.warn({ err }, "could not tell other instances of a credential change; their caches expire it"),
  );
  authCache.connect(authBroadcast);
  // While this instance's Redis link was down it may have missed a flush sent only over Redis (by
  // an instance without PostgreSQL NOTIFY): start afresh at every change of the link.
  link?.onChange(() => authCache.flush());
  // Hot list reads (decision 0053): writes invalidate their organization on every instance, over
  // the credential cache's channel (one listener per process; each cache ignores the other's
  // messages); any flush of the credential cache (access changed, users or organizations
  // deleted, the Redis link changing) empties it too.
  const readCache = new ReadCache({ ttlMs: config.READ_CACHE_TTL_MS, maxEntries: 20_000 }, (err) =>
    log.warn({ err }, "could not tell other instances of a write; their cached reads expire it"),
  );
  readCache.connect(authBroadcast);
  authCache.onFlush(() => readCache.flush());
  const fallback = databaseCache();
  const cache: ResultCache = link
    ? redisCache(link, config.REDIS_KEY_PREFIX, config.CACHE_TTL_SECONDS, fallback)
    : fallback;
  const mailer = createMailer(config);
  const runBudget = createRunBudget(config, link);
  // Language models (issue 14): keys, budgets, cache and metering live in the main process.
  const llm = createLlmService(config, db.db, link, log.child({ component: "llm" }));
  // LinkedIn tokens are sealed with the same keyring as the organizations' LLM keys.
  const linkedin = new LinkedInService({
    db: db.db,
    client: linkedinClientFromConfig(config),
    ring: llm.keyring,
    retryMaxWaitMs: config.LINKEDIN_RETRY_MAX_WAIT_MS,
    log: log.child({ component: "linkedin" }),
  });
  return {
    llm,
    localWorker: { current: null },
    linkedin,
    config,
    database: db,
    redis: link?.client ?? null,
    redisLink: link,
    mailer,
    jwt: createJwtVerifier(config),
    authCache,
    readCache,
    bus,
    cache,
    runBudget,
    referenceData: new ReferenceDataService({
      datasets: REFERENCE_DATASETS,
      urls: { austinAmiRentLimits: config.REFDATA_AMI_URL, austinTaxRates: config.REFDATA_TAX_URL },
      timeoutMs: config.REFDATA_TIMEOUT_MS,
      ttlMs: config.REFDATA_CACHE_TTL_SECONDS * 1000,
      failureTtlMs: config.REFDATA_RETRY_SECONDS * 1000,
      cache: link ? redisEditionCache(link, config.REDIS_KEY_PREFIX) : memoryEditionCache(),
    }),
    async close() {
      mailer.close();
      await bus.close();
      await authBroadcast.close();
      // Before the link closes: unspent leases go back to the shared budget.
      await runBudget.close();
      await link?.close();
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
  const pool = createEnginePool(c.RUN_WORKER_THREADS ?? defaultThreads(), {
    maxHeapMb: c.ENGINE_MAX_HEAP_MB,
    onHostExit: ({ code, signal, inFlight }) =>
      log.error(
        { exitCode: code, signal, runsInFlight: inFlight },
        "engine process stopped unexpectedly; its runs are retried alone, a new one is starting",
      ),
  });
  await pool.ready();
  const worker = new RunWorker({
    db: rt.database.db,
    bus: rt.bus,
    cache: rt.cache,
    llm: rt.llm,
    pool,
    log,
    leaseMs: c.RUN_LEASE_SECONDS * 1000,
    heartbeatMs: c.RUN_HEARTBEAT_MS,
    orgConcurrency: c.RUN_ORG_CONCURRENCY,
    pollMs: c.RUN_POLL_MS,
    platformTasks: new Map([
      [SCORING_RUN_MODEL.id, scoringTask({ db: rt.database.db, store: createFileStore(c), config: c, log })],
      [
        POWERBI_PUBLISH_MODEL.id,
        publishTask({
          db: rt.database.db,
          store: createFileStore(c),
          config: c,
          keyring: () => rt.llm.keyring,
          log,
        }),
      ],
    ]),
  });
  await worker.start();
  if (rt.localWorker) rt.localWorker.current ??= worker;
  return {
    worker,
    async stop() {
      if (rt.localWorker?.current === worker) rt.localWorker.current = null;
      await worker.stop();
      await pool.close();
    },
  };
}
