import { type App, buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { startRetentionSweeper } from "./retention/sweep.ts";
import { openRuntime, startWorker } from "./runtime.ts";
import { seedDemo } from "./seed.ts";

/**
 * `npm start`: the API and (unless RUN_EMBEDDED_WORKER=false) an engine worker in one process.
 * Closing the app stops the worker (letting running engines finish), then closes connections.
 */
export async function startServer(config: Config): Promise<App> {
  const rt = await openRuntime(config);
  if (config.SEED_DEMO) await seedDemo(rt.database.db);
  const app = await buildApp(rt);
  const worker = config.RUN_EMBEDDED_WORKER
    ? await startWorker(rt, app.log.child({ component: "worker" }))
    : null;
  // Retention (files, runs, share links past each org's policy); every instance runs one, the
  // sweep's advisory lock lets one at a time do the work.
  const sweeper = startRetentionSweeper({
    db: rt.database.db,
    store: app.fileStore,
    intervalMinutes: config.RETENTION_SWEEP_MINUTES,
    log: app.log.child({ component: "retention" }),
  });
  app.addHook("onClose", async () => {
    await sweeper?.stop();
    await worker?.stop();
    await rt.close();
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  return app;
}
