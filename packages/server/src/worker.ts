import pino from "pino";
import { Background } from "./background.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { openRuntime, startWorker } from "./runtime.ts";

/**
 * `modelworks worker`: an engine worker with no HTTP server, to scale execution apart from the
 * API. It needs a shared database (DATABASE_URL): an embedded PGlite belongs to one process.
 */
export async function runWorkerProcess(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  if (config.embedded) {
    console.error(
      "modelworks worker: set DATABASE_URL to the PostgreSQL server the API uses; the embedded database serves only `npm start`, which already runs a worker.",
    );
    return 2;
  }
  const log = pino({ level: config.LOG_LEVEL, base: { component: "worker", pid: process.pid } });
  const rt = await openRuntime(config, undefined, { log });
  const background = new Background(log);
  background.register("run-worker", async () => {
    const worker = await startWorker(rt, log);
    log.info({ owner: worker.worker.owner }, "worker started");
    return worker;
  });
  await background.start();
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  log.info("worker stopping: finishing running engines");
  const force = setTimeout(() => {
    log.error("worker stop timed out; exiting (its runs will be recovered when their leases expire)");
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  force.unref();
  await background.stop();
  await rt.close();
  log.info("worker stopped");
  return 0;
}
