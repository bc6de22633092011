import pino from "pino";
import { afterAll, beforeAll } from "vitest";
import { type App, buildApp } from "../src/app.ts";
import { openRuntime, type Runtime } from "../src/runtime.ts";
import { createTestApp, type TestApp } from "./harness.ts";

/**
 * Two API instances on one database (and Redis, when REDIS_URL is set): `a` a test app, `b` a
 * second app on `a`'s config, as a second server process would be. Call from a `describe`; PGlite
 * serves one process, so the caller skips without DATABASE_URL. Each test takes them with
 * `const { a, b } = two();`.
 */
export function useTwoInstances(env: Record<string, string>): () => { a: TestApp; b: App } {
  let a: TestApp | undefined;
  let bRuntime: Runtime | undefined;
  let b: App | undefined;
  beforeAll(async () => {
    a = await createTestApp(env);
    bRuntime = await openRuntime(a.runtime.config, undefined, { log: pino({ level: "silent" }) });
    b = await buildApp(bRuntime);
    await b.ready();
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await bRuntime?.close();
    await a?.close();
  });
  return () => {
    if (!a || !b) throw new Error("the two instances are not up (call useTwoInstances in a describe)");
    return { a, b };
  };
}

/**
 * Setting up (creating an organization, a key, an invitation) flushes caches too, and those
 * flushes reach the other instance a moment later — over Redis and again over PostgreSQL. Let them
 * land before showing what the other instance caches.
 */
export const settle = () => new Promise((r) => setTimeout(r, 500));
