import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../src/db/schema.ts";
import type { RunEvent } from "../src/runs/events.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * The fast path (docs/decisions/0051): a `?wait` run of a warm, short model runs at once on an
 * idle pool and is stored finished in one statement, with no queue round trip — the queued path
 * publishes `running` and a final event for every run it executes; a fast run publishes none.
 * One engine thread, so "busy" is easy to arrange.
 */
let t: TestApp;
let owner: Actor & { orgId: string };
const MODEL = "test-montecarlo-sum";
const published: RunEvent[] = [];
const small = (seed: number, extra: Record<string, unknown> = {}) => ({
  terms: [{ mean: 2, sd: 1 }],
  samples: 50,
  seed,
  ...extra,
});

beforeAll(async () => {
  t = await createTestApp(
    {
      INTERNAL_MODELS: "true",
      RUN_FAST_PATH: "true",
      RUN_HEARTBEAT_MS: "100",
      RUN_POLL_MS: "200",
      RUN_WORKER_THREADS: "1",
    },
    { worker: true },
  );
  owner = await createOwner(t.app, "Fast Org");
  const bus = t.runtime.bus;
  const publish = bus.publish.bind(bus);
  bus.publish = async (e) => {
    published.push(e);
    return publish(e);
  };
}, 120_000);
afterAll(async () => t?.close());

const start = (input: unknown, query = "?wait=30&cache=false") =>
  request(t.app, owner, { method: "POST", url: `/api/v1/models/${MODEL}/runs${query}`, payload: { input } });
/** The run's statuses as published, repeats joined: a run slower than 50 ms (a loaded machine) also publishes its progress as `running`. */
const eventsOf = (id: string) =>
  published
    .filter((e) => e.runId === id)
    .map((e) => e.status)
    .filter((status, i, all) => i === 0 || all[i - 1] !== status);
const rowOf = async (id: string) => (await t.database.db.select().from(runs).where(eq(runs.id, id)))[0]!;

describe("the fast path", () => {
  it("queues a model's first run, then stores a warm short model's ?wait run finished with no queue round trip", async () => {
    const first = (await start(small(1))).json();
    expect(first.status).toBe("succeeded");
    // Not yet known to be short here: it went through the queue, and so does the next (the
    // first run's time is the engine's loading, not the model's).
    expect(eventsOf(first.id)).toEqual(["running", "succeeded"]);
    const second = (await start(small(5))).json();
    expect(eventsOf(second.id)).toEqual(["running", "succeeded"]);

    const res = await start(small(2));
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(res.headers.location).toBe(`/api/v1/runs/${run.id}`);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(run).toMatchObject({
      status: "succeeded",
      progress: 1,
      attempts: 1,
      cacheHit: false,
      error: null,
    });
    expect(eventsOf(run.id)).toEqual([]);
    // The response carries the bytes stored: the same output and key result as a later read.
    const read = (await request(t.app, owner, { method: "GET", url: `/api/v1/runs/${run.id}` })).json();
    expect(read.output).toEqual(run.output);
    // Stored as the text the engine wrote (a json column, decision 0052): the same numbers to the
    // last bit and the same key order, not jsonb's.
    expect(JSON.stringify(read.output)).toBe(JSON.stringify(run.output));
    expect(run.output.analyticMean).toBe(2);
    expect(read.keyResult).toEqual(run.keyResult);
    expect(read).toMatchObject({
      status: "succeeded",
      attempts: 1,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      input: run.input,
      inputHash: run.inputHash,
    });
    const row = await rowOf(run.id);
    expect(row).toMatchObject({ status: "succeeded", leaseOwner: null, crashCount: 0, orgId: owner.orgId });
    expect(row.finishedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt!.getTime());
    // And its result serves the next identical input from the cache.
    const hit = (await start(small(2), "?wait=30")).json();
    expect(hit).toMatchObject({ cacheHit: true, cachedFromRunId: run.id });
    expect(hit.output).toEqual(run.output);
  });

  it("fast runs, one after another or eight at once, make no claim on the queue", async () => {
    // A fast run holds no row: its end frees nothing a claim waits for, so it must not wake the
    // claim loop (a statement per run on PGlite's one connection). The loop's own poll is made
    // rare here, so every claim counted is a wake-up.
    let warm = false;
    for (let i = 0; i < 40 && !warm; i++)
      warm = eventsOf((await start(small(190 + i))).json().id).length === 0;
    expect(warm).toBe(true);
    const worker = t.runtime.localWorker!.current! as unknown as {
      claim(): Promise<unknown>;
      o: { pollMs: number };
      kick(): void;
    };
    const claim = worker.claim.bind(worker);
    const pollMs = worker.o.pollMs;
    worker.o.pollMs = 600_000;
    // The loop's current wait (200 ms) ends, it claims nothing, and waits the long poll.
    await new Promise((r) => setTimeout(r, 400));
    let claims = 0;
    worker.claim = () => {
      claims++;
      return claim();
    };
    try {
      const sequential = [];
      for (let i = 0; i < 12; i++) sequential.push((await start(small(200 + i))).json());
      const together = (await Promise.all(Array.from({ length: 8 }, (_, i) => start(small(300 + i))))).map(
        (r) => r.json(),
      );
      for (const run of [...sequential, ...together]) {
        expect(run.status).toBe("succeeded");
        // Each stored finished with its own output (concurrent inserts share a statement on PGlite).
        expect(await rowOf(run.id)).toMatchObject({ status: "succeeded", output: run.output, attempts: 1 });
      }
      for (const run of sequential) expect(eventsOf(run.id)).toEqual([]);
      // Eight at once on one thread may exceed the fast path's depth on a slow machine: those
      // were queued, and a queued run is claimed (its wake-up, and the loop's turn after it ends).
      const queued = together.filter((run) => eventsOf(run.id).length > 0).length;
      expect(claims).toBeLessThanOrEqual(2 * queued);
    } finally {
      worker.claim = claim;
      worker.o.pollMs = pollMs;
      worker.kick();
    }
  });

  it("stores a run the model refuses as failed, with the model's reason", async () => {
    const res = await start(small(3, { failure: "throw" }));
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "model_error", message: "The test model was asked to fail." });
    expect(run.output).toBeNull();
    expect(eventsOf(run.id)).toEqual([]);
    expect(await rowOf(run.id)).toMatchObject({ status: "failed", attempts: 1, output: null });
  });

  it("without ?wait the run is queued and answered at once, as before", async () => {
    const res = await start(small(4), "?wait=0&cache=false");
    const run = res.json();
    // The worker publishes the final event after it stores the row: wait for both.
    const done = async () =>
      (await rowOf(run.id)).status === "succeeded" && eventsOf(run.id).includes("succeeded");
    for (let i = 0; i < 400 && !(await done()); i++) await new Promise((r) => setTimeout(r, 25));
    expect((await rowOf(run.id)).status).toBe("succeeded");
    expect(eventsOf(run.id)).toEqual(["running", "succeeded"]);
  });

  it("queues the run when the engine pool is busy with queued work", async () => {
    // One thread: the first slow run is claimed and holds it, the second waits in the queue.
    const slow = (seed: number) => small(seed, { samples: 5_000, pauseMsPerChunk: 200 });
    const a = (await start(slow(10), "?wait=0&cache=false")).json();
    const b = (await start(slow(11), "?wait=0&cache=false")).json();
    const waitFor = async (id: string, status: string) => {
      for (let i = 0; i < 200 && (await rowOf(id)).status !== status; i++)
        await new Promise((r) => setTimeout(r, 25));
    };
    await waitFor(a.id, "running");
    const res = await start(small(12), "?wait=30&cache=false");
    const run = res.json();
    expect(run.status).toBe("succeeded");
    // It waited its turn in the queue behind both.
    expect(eventsOf(run.id)).toContain("running");
    expect(new Date(run.startedAt).getTime()).toBeGreaterThanOrEqual(
      new Date((await rowOf(b.id)).startedAt!).getTime(),
    );
    for (const id of [a.id, b.id])
      await request(t.app, owner, { method: "POST", url: `/api/v1/runs/${id}/cancel` });
  }, 60_000);

  it("a crash of the shared engine process on the fast path queues the run, which then runs alone and fails as a poison run", async () => {
    // Warm again (the previous test left queued work behind; the queue drains first).
    let fast = false;
    for (let i = 0; i < 40 && !fast; i++) {
      const warm = (await start(small(100 + i))).json();
      fast = eventsOf(warm.id).length === 0;
    }
    expect(fast).toBe(true);
    const res = await start(small(20, { failure: "abort-process" }), "?wait=60&cache=false");
    const run = res.json();
    expect(run.status).toBe("failed");
    expect(run.error.code).toBe("engine_crashed");
    // Stored queued with the first crash counted, then claimed and run alone, crashing again.
    expect(eventsOf(run.id)).toContain("running");
    expect(await rowOf(run.id)).toMatchObject({ crashCount: 2, attempts: 1 });
    // The pool has a new engine process and the fast path works again.
    const next = (await start(small(21))).json();
    expect(next.status).toBe("succeeded");
  }, 120_000);
});
