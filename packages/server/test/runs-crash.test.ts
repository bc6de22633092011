import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../src/db/schema.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Poison runs (issue 19): a run in flight when its engine process or its whole worker died may be
 * the cause. It gets crash_count + 1 and runs again alone; if it brings that down too, it fails
 * with `engine_crashed` and is never handed out again. (The real-process version, with the
 * server's health checked throughout: test/process/engine-crash.test.ts.)
 */
const MODEL = "test-montecarlo-sum";

let t: TestApp;
let a: Actor & { orgId: string };

beforeAll(async () => {
  t = await createTestApp(
    {
      INTERNAL_MODELS: "true",
      RUN_HEARTBEAT_MS: "100",
      RUN_POLL_MS: "100",
      RUN_WORKER_THREADS: "2",
      RUN_MAX_ATTEMPTS: "3",
      RUN_RATE_LIMIT_PER_HOUR: "1000",
      // Small, so the heap test below does not take a gigabyte from the shared machine.
      ENGINE_MAX_HEAP_MB: "96",
    },
    { worker: true },
  );
  a = await createOwner(t.app, "Crash A");
});
afterAll(async () => t?.close());

const start = async (input: unknown): Promise<string> => {
  const res = await request(t.app, a, {
    method: "POST",
    url: `/api/v1/models/${MODEL}/runs?cache=false`,
    payload: { input },
  });
  expect(res.statusCode).toBe(202);
  return res.json().id;
};

const row = async (id: string) => (await t.database.db.select().from(runs).where(eq(runs.id, id)))[0]!;

async function until(id: string, ok: (r: Awaited<ReturnType<typeof row>>) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await row(id);
    if (ok(r)) return r;
    if (Date.now() > deadline) throw new Error(`run ${id}: ${r.status}, attempts ${r.attempts}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** What a worker's death looks like from the database: someone else's lease, run out. */
const killWorkerOf = (id: string) =>
  t.database.db.execute(sql`
    update runs set lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 second'
    where id = ${id}`);

describe("poison runs", () => {
  it("fails a run that kills its engine process twice — once shared, once alone — and never retries it again", async () => {
    const id = await start({ terms: [{ mean: 1, sd: 1 }], samples: 10, failure: "abort-process" });
    const failed = await until(id, (r) => r.status === "failed");
    expect(failed.attempts).toBe(2);
    expect(failed.crashCount).toBe(2);
    expect(failed.error).toMatchObject({ code: "engine_crashed" });
    expect((failed.error as { message: string }).message).toMatch(
      new RegExp(
        `^The model test-montecarlo-sum@1.0.0 crashed while running this input: .*signal SIGABRT.*Quote run id ${id}`,
      ),
    );
    // The worker is healthy: the next run succeeds on the replacement engine process.
    const ok = await start({ terms: [{ mean: 6, sd: 1 }], samples: 100 });
    const done = await until(ok, (r) => r.status === "succeeded");
    expect(done.crashCount).toBe(0);
    expect((done.output as { analyticMean: number }).analyticMean).toBe(6);
    expect((await row(id)).attempts).toBe(2);
  }, 90_000);

  it("counts a lost worker as a crash: the run goes on alone, and a second loss while alone fails it", async () => {
    const slow = { terms: [{ mean: 2, sd: 1 }], samples: 1_000_000, seed: 4, pauseMsPerChunk: 100 };
    const id = await start(slow);
    await until(id, (r) => r.status === "running" && r.progress > 0);
    await killWorkerOf(id);
    await t.worker!.recoverExpired();
    // Requeued with the crash counted, then claimed again (alone in a one-shot engine process).
    const second = await until(id, (r) => r.status === "running" && r.attempts === 2);
    expect(second.crashCount).toBe(1);
    await until(id, (r) => r.progress > 0);
    await killWorkerOf(id);
    await t.worker!.recoverExpired();
    const failed = await row(id);
    expect(failed.status).toBe("failed");
    expect(failed.crashCount).toBe(2);
    expect(failed.error).toMatchObject({ code: "engine_crashed" });
    expect((failed.error as { message: string }).message).toContain(
      "stopped unexpectedly 2 times, the last time with this run alone",
    );
    expect((failed.error as { message: string }).message).toContain(`Quote run id ${id}`);
    // It stays failed: the sweep does not hand it out again.
    await t.worker!.recoverExpired();
    await new Promise((r) => setTimeout(r, 300));
    expect(await row(id)).toMatchObject({ status: "failed", attempts: 2 });
  }, 90_000);

  it("fails a run that fills its thread's heap with resource_limit, without a retry", async () => {
    const id = await start({ terms: [{ mean: 1, sd: 1 }], samples: 10, failure: "exhaust-heap" });
    const failed = await until(id, (r) => r.status === "failed");
    expect(failed.attempts).toBe(1);
    expect(failed.crashCount).toBe(0);
    expect(failed.error).toMatchObject({ code: "resource_limit" });
    expect((failed.error as { message: string }).message).toMatch(/heap limit of 96 MB.*not retried/);
  }, 90_000);
});
