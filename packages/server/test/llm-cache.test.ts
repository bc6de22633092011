import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlmCache } from "../src/llm/cache.ts";
import { RedisLink } from "../src/redis/link.ts";
import { createOwner, createTestApp, type TestApp } from "./harness.ts";
import { type Child, freePort, startChild } from "./process/spawn.ts";

/**
 * The LLM answer cache on Redis (a private redis-server, never the shared one) and the database:
 * per organization, served by Redis while it answers, by the database when it does not.
 */
const HAS_REDIS_SERVER = spawnSync("redis-server", ["--version"]).status === 0;

describe.skipIf(!HAS_REDIS_SERVER)("LLM cache", () => {
  let t: TestApp;
  let redis: Child;
  let url: string;
  let link: RedisLink;
  let orgA: string;
  let orgB: string;
  const prefix = `mwllm${randomBytes(3).toString("hex")}:`;

  beforeAll(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = startChild(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { env: {} },
    );
    await redis.waitForLine(/Ready to accept connections/, 10_000);
    t = await createTestApp();
    link = new RedisLink({ url, commandTimeoutMs: 300, breakerMs: 60_000, log: pino({ level: "silent" }) });
    expect(await link.ready(3000)).toBe(true);
    orgA = (await createOwner(t.app, "Cache A")).orgId;
    orgB = (await createOwner(t.app, "Cache B")).orgId;
  });
  afterAll(async () => {
    await link?.close();
    await t?.close();
    await redis?.stop("SIGKILL");
  });

  const answer = { value: { label: "relevant" }, usage: { inputTokens: 12, outputTokens: 7 } };

  it("stores per organization in Redis and the database; another organization never hits", async () => {
    const cache = createLlmCache(t.database.db, 3600, { link, prefix });
    await cache.set(orgA, "h1", answer);
    const peek = new Redis(url, { maxRetriesPerRequest: 0 });
    try {
      expect(JSON.parse((await peek.get(`${prefix}llm:${orgA}:h1`))!)).toEqual(answer);
      expect(await peek.get(`${prefix}llm:${orgB}:h1`)).toBeNull();
      // Served from Redis: the database row is gone, the answer is not.
      await t.database.db.execute(sql`delete from llm_cache where prompt_hash = 'h1'`);
      expect(await cache.get(orgA, "h1")).toEqual(answer);
    } finally {
      peek.disconnect();
    }
    expect(await cache.get(orgB, "h1")).toBeNull();
  });

  it("answers from the database while Redis is away, and not after the TTL", async () => {
    const cache = createLlmCache(t.database.db, 3600, { link, prefix });
    await cache.set(orgA, "h2", answer);
    link.failed(new Error("test outage")); // the breaker is open: Redis is not asked
    expect(link.up).toBe(false);
    expect(await cache.get(orgA, "h2")).toEqual(answer);
    expect(await cache.get(orgB, "h2")).toBeNull();
    await t.database.db.execute(
      sql`update llm_cache set created_at = now() - interval '2 hours' where prompt_hash = 'h2'`,
    );
    expect(await cache.get(orgA, "h2")).toBeNull();
  });
});
