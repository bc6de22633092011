import { type App, buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { startContentIngestor } from "./content/ingest.ts";
import { startLinkedinPublisher } from "./linkedin/publisher.ts";
import { startRetentionSweeper } from "./retention/sweep.ts";
import type { RunWorker } from "./runs/runner.ts";
import { openRuntime, type Runtime, startWorker } from "./runtime.ts";
import { seedDemo } from "./seed.ts";
import { createFetchDeps } from "./sources/index.ts";

/**
 * `npm start`: the API and (unless RUN_EMBEDDED_WORKER=false) an engine worker in one process.
 * Closing the app stops the worker (letting running engines finish), then closes connections.
 */
export async function startServer(config: Config): Promise<App> {
  const rt = await openRuntime(config);
  if (config.SEED_DEMO) await seedDemo(rt.database.db);
  const app = await buildApp(rt);
  if (config.RUN_EMBEDDED_WORKER) registerRunWorker(app, rt);
  // Retention (files, runs, share links past each org's policy); every instance runs one, the
  // sweep's advisory lock lets one at a time do the work.
  app.background.register("retention-sweep", () =>
    startRetentionSweeper({
      db: rt.database.db,
      store: app.fileStore,
      intervalMinutes: config.RETENTION_SWEEP_MINUTES,
      contentItemsDays: config.CONTENT_ITEMS_RETENTION_DAYS,
      log: app.log.child({ component: "retention" }),
    }),
  );
  // Followed content sources (issue 17): every instance ticks; claims with SKIP LOCKED and a
  // lease let each due source be fetched by one instance, once per its interval.
  app.background.register("content-ingest", () =>
    startContentIngestor({
      db: rt.database.db,
      deps: createFetchDeps(),
      intervalSeconds: config.CONTENT_INGEST_SECONDS,
      log: app.log.child({ component: "content-ingest" }),
    }),
  );
  // Scheduled LinkedIn posts (issue 17 item 5): every instance ticks; a due post is claimed and
  // moved to `publishing` in one SKIP LOCKED statement, so it goes out once across instances.
  app.background.register("linkedin-publish", () =>
    startLinkedinPublisher(
      rt.linkedin,
      config.LINKEDIN_PUBLISH_SECONDS,
      app.log.child({ component: "linkedin" }),
    ),
  );
  // onClose hooks run last-added first: this one runs before app.ts's, so it stops the
  // background tasks itself (stopping twice is a no-op) before the connections close.
  app.addHook("onClose", async () => {
    await app.background.stop();
    await rt.close();
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  return app;
}

/**
 * The engine worker as the app's background task "run-worker": it starts when the app is ready
 * and stops, letting running engines finish, when the app closes (before the connections).
 * The server and the test harness (`createTestApp({ worker: true })`) both start it here.
 * Call before `app.ready()`. `worker` is the running worker, null before the start.
 */
export function registerRunWorker(app: App, rt: Runtime): { readonly worker: RunWorker | null } {
  const ref: { worker: RunWorker | null } = { worker: null };
  app.background.register("run-worker", async () => {
    const started = await startWorker(rt, app.log.child({ component: "worker" }));
    ref.worker = started.worker;
    return started;
  });
  return ref;
}
