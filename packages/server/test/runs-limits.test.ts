import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../src/db/schema.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Failure semantics and limits of runs: timeouts, which failures are retried, the per-org
 * concurrency limit and the per-user run rate limit.
 */
const MODEL = "test-montecarlo-sum";
const slow = (samples: number, pause: number, seed = 1) => ({
  terms: [{ mean: 0, sd: 1 }],
  samples,
  seed,
  pauseMsPerChunk: pause,
});

let t: TestApp;
let a: Actor & { orgId: string };

beforeAll(async () => {
  t = await createTestApp(
    {
      INTERNAL_MODELS: "true",
      RUN_HEARTBEAT_MS: "100",
      RUN_POLL_MS: "100",
      RUN_TIMEOUT_SECONDS: "1",
      RUN_ORG_CONCURRENCY: "1",
      RUN_WORKER_THREADS: "3",
      RUN_MAX_ATTEMPTS: "2",
      RUN_RATE_LIMIT_PER_HOUR: "1000",
    },
    { worker: true },
  );
  a = await createOwner(t.app, "Limits A");
});
afterAll(async () => t?.close());

const start = (as: Actor, input: unknown) =>
  request(t.app, as, { method: "POST", url: `/api/v1/models/${MODEL}/runs?cache=false`, payload: { input } });

async function settle(as: Actor, id: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = (await request(t.app, as, { method: "GET", url: `/api/v1/runs/${id}` })).json();
    if (["succeeded", "failed", "canceled"].includes(run.status) || Date.now() > until) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("failures", () => {
  it("stops a run at its time limit and fails it with a message the user can act on", async () => {
    const id = (await start(a, slow(2_000_000, 200))).json().id;
    const run = await settle(a, id);
    expect(run.status).toBe("failed");
    expect(run.error.code).toBe("timeout");
    expect(run.error.message).toMatch(/exceeded its time limit of 1 s/);
    expect(run.attempts).toBe(1);
  });

  it("does not retry a model's own error", async () => {
    const id = (await start(a, { ...slow(10, 0), failure: "throw" })).json().id;
    const run = await settle(a, id);
    expect(run).toMatchObject({ status: "failed", attempts: 1 });
    expect(run.error).toEqual({ code: "model_error", message: "The test model was asked to fail." });
  });

  it("retries an infrastructure failure with backoff, then fails with the reason", async () => {
    const id = (await start(a, { ...slow(10, 0), failure: "exit-thread" })).json().id;
    const run = await settle(a, id);
    expect(run.status).toBe("failed");
    expect(run.attempts).toBe(2);
    expect(run.error.code).toBe("infrastructure");
    expect(run.error.message).toMatch(/could not be completed after 2 attempts/);
    // The first retry waited out its backoff (2^0 s) before the second attempt.
    expect(new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime()).toBeGreaterThanOrEqual(
      1000,
    );
  });
});

describe("per-organization concurrency", () => {
  // An app of its own: the 1 s time limit above would fail these runs on a loaded machine,
  // and this test is about how many run at once, not how long they take.
  let c: TestApp;
  let ca: Actor & { orgId: string };
  let cb: Actor & { orgId: string };
  beforeAll(async () => {
    c = await createTestApp(
      {
        INTERNAL_MODELS: "true",
        RUN_HEARTBEAT_MS: "100",
        RUN_POLL_MS: "100",
        RUN_TIMEOUT_SECONDS: "120",
        RUN_ORG_CONCURRENCY: "1",
        RUN_WORKER_THREADS: "3",
        RUN_RATE_LIMIT_PER_HOUR: "1000",
      },
      { worker: true },
    );
    ca = await createOwner(c.app, "Concurrency A");
    cb = await createOwner(c.app, "Concurrency B");
  });
  afterAll(async () => c?.close());

  const startIn = (as: Actor, input: unknown) =>
    request(c.app, as, {
      method: "POST",
      url: `/api/v1/models/${MODEL}/runs?cache=false`,
      payload: { input },
    });

  it("runs at most RUN_ORG_CONCURRENCY of one organization at once, while another organization proceeds", async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(async (seed) => (await startIn(ca, slow(40_000, 60, seed))).json().id),
    );
    const other = (await startIn(cb, slow(40_000, 60, 9))).json().id;
    let maxRunningA = 0;
    let sawBRunningWithA = false;
    const until = Date.now() + 100_000;
    while (Date.now() < until) {
      const rows = await c.database.db
        .select({ id: runs.id, orgId: runs.orgId, status: runs.status })
        .from(runs);
      const runningA = rows.filter((r) => r.orgId === ca.orgId && r.status === "running").length;
      const runningB = rows.filter((r) => r.orgId === cb.orgId && r.status === "running").length;
      maxRunningA = Math.max(maxRunningA, runningA);
      if (runningA > 0 && runningB > 0) sawBRunningWithA = true;
      if (
        [...ids, other].every((id) => ["succeeded", "failed"].includes(rows.find((r) => r.id === id)!.status))
      )
        break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(maxRunningA).toBe(1);
    expect(sawBRunningWithA).toBe(true);
    for (const id of [...ids, other]) {
      const [row] = await c.database.db.select().from(runs).where(eq(runs.id, id));
      expect(row!.status).toBe("succeeded");
    }
  }, 120_000);
});

describe("per-user run rate limit", () => {
  it("answers 429 with Retry-After once a user's hourly run budget is spent, counting sweep points", async () => {
    const limited = await createTestApp({ INTERNAL_MODELS: "true", RUN_RATE_LIMIT_PER_HOUR: "3" });
    try {
      const u = await createOwner(limited.app, "Rate");
      const post = (url: string, payload: unknown) =>
        request(limited.app, u, { method: "POST", url, payload });
      const sweep = (values: number[]) =>
        post(`/api/v1/models/${MODEL}/sweeps`, {
          input: slow(10, 0, 2),
          parameters: [{ path: "seed", values }],
        });
      // A sweep larger than the whole hourly budget is refused outright, and spends nothing.
      const tooBig = await sweep([1, 2, 3, 4]);
      expect(tooBig.statusCode).toBe(429);
      expect(tooBig.json().detail).toBe("This would start 4 runs, more than the 3 per hour allowed.");
      // One run plus a two-point sweep spend the budget of three: runs and sweeps share it.
      expect((await post(`/api/v1/models/${MODEL}/runs`, { input: slow(10, 0, 1) })).statusCode).toBe(202);
      expect((await sweep([5, 6])).statusCode).toBe(202);
      const refused = await post(`/api/v1/models/${MODEL}/runs`, { input: slow(10, 0, 4) });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers["content-type"]).toMatch(/problem\+json/);
      expect(refused.json().detail).toMatch(
        /^Run limit of 3 per hour reached \(3 used\); the next run is allowed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (\d+ s|1 minute|\d+ minutes)\)\.$/,
      );
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(3000);
      expect(await limited.database.db.select().from(runs)).toHaveLength(3);
      // Reading is not limited by the run budget.
      expect((await request(limited.app, u, { method: "GET", url: "/api/v1/runs" })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
