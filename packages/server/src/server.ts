import { Redis } from "ioredis";
import { type App, buildApp } from "./app.ts";
import { createJwtVerifier } from "./auth/jwt.ts";
import type { Config } from "./config.ts";
import { openDatabase } from "./db/client.ts";
import { seedDemo } from "./seed.ts";

/**
 * Opens everything a running server needs (database with migrations applied, Redis when
 * configured), builds the app and ties closing the app to closing them.
 */
export async function startServer(config: Config): Promise<App> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolMax: config.DATABASE_POOL_MAX,
  });
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false })
    : null;
  redis?.on("error", () => {}); // reported by /ready; ioredis reconnects on its own
  if (config.SEED_DEMO) await seedDemo(database.db);
  const app = await buildApp({ config, database, redis, jwt: createJwtVerifier(config) });
  app.addHook("onClose", async () => {
    await redis?.quit().catch(() => redis.disconnect());
    await database.close();
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  return app;
}
