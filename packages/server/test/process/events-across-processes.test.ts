import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  killAll,
  postJson,
  REPO_ROOT,
  sessionBody,
  sessionCookie,
  signUpVerified,
  startChild,
  startServer,
  waitForReady,
} from "./spawn.ts";

/**
 * A run's live events reach an API instance that is not the one executing it: the API runs no
 * worker, a separate `modelworks worker` process executes the engine, and the browser's SSE
 * stream on the API still sees every progress step and the final status. Over PostgreSQL
 * LISTEN/NOTIFY, and over Redis pub/sub when REDIS_URL is set.
 */
const ADMIN_URL = process.env.DATABASE_URL;
const CLI = path.join(REPO_ROOT, "packages/cli/bin/modelworks.js");
afterAll(async () => killAll());

const buses = [
  { bus: "PostgreSQL LISTEN/NOTIFY", redis: undefined },
  ...(process.env.REDIS_URL ? [{ bus: "Redis pub/sub", redis: process.env.REDIS_URL }] : []),
];

describe.skipIf(!ADMIN_URL).each(buses)("run events across processes via $bus", ({ redis }) => {
  it("streams progress and the final status from a separate worker process", async () => {
    const name = `mw_events_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const u = new URL(ADMIN_URL!);
    u.pathname = `/${name}`;
    const env: Record<string, string> = {
      DATABASE_URL: u.toString(),
      SESSION_SECRET: "events-test-session-secret-0123456789",
      COOKIE_SECURE: "false",
      SEED_DEMO: "false",
      LOG_LEVEL: "info",
      INTERNAL_MODELS: "true",
      RUN_EMBEDDED_WORKER: "false",
      RUN_WORKER_THREADS: "1",
      RUN_POLL_MS: "60000", // prove the wake-up travels over the bus too, not the poll
      ...(redis ? { REDIS_URL: redis, REDIS_KEY_PREFIX: `mwev${randomBytes(3).toString("hex")}:` } : {}),
    };
    try {
      const api = await startServer(env);
      await waitForReady(`${api.url}/ready`, api);
      const worker = startChild(process.execPath, [CLI, "worker"], { env });
      await worker.waitForLine(/worker started/);

      const signUp = await signUpVerified(api.url, api, {
        email: `events-${randomBytes(4).toString("hex")}@example.com`,
        password: "correct horse battery staple",
        name: "Events",
      });
      const headers = {
        cookie: sessionCookie(signUp),
        "x-csrf-token": (await sessionBody(signUp)).csrfToken,
      };
      await postJson(`${api.url}/api/v1/orgs`, { name: "Events Org" }, headers);
      const started = Date.now();
      const res = await postJson(
        `${api.url}/api/v1/models/test-montecarlo-sum/runs?cache=false`,
        { input: { terms: [{ mean: 1, sd: 1 }], samples: 100_000, pauseMsPerChunk: 60 } },
        headers,
      );
      const { id } = (await res.json()) as { id: string };
      const stream = await fetch(`${api.url}/api/v1/runs/${id}/events`, {
        headers: { cookie: headers.cookie },
      });
      const events = (await stream.text())
        .split("\n\n")
        .filter((b) => b.startsWith("event:"))
        .map((b) => ({ event: /event: (\w+)/.exec(b)![1], data: JSON.parse(/data: (.*)/.exec(b)![1]!) }));
      const progress = events.filter((e) => e.event === "progress" && e.data.status === "running");
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.map((e) => e.data.progress)).toEqual(
        [...progress.map((e) => e.data.progress)].sort((a, b) => a - b),
      );
      expect(events.at(-1)).toMatchObject({
        event: "status",
        data: { runId: id, status: "succeeded", progress: 1 },
      });
      // Claimed through the bus wake-up, not the 60 s poll.
      expect(Date.now() - started).toBeLessThan(30_000);
      await worker.stop();
      await api.stop();
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 120_000);
});
