import { describe, expect, it, vi } from "vitest";
import type { Db } from "../src/db/client.ts";
import type { Logger } from "../src/domain/actor.ts";
import type { LlmService } from "../src/llm/service.ts";
import type { ResultCache } from "../src/runs/cache.ts";
import type { RunEventBus } from "../src/runs/events.ts";
import type { EnginePool } from "../src/runs/pool.ts";
import { FAST_DEPTH_PER_THREAD, type FastRunRequest, RunWorker } from "../src/runs/runner.ts";
import type { ThreadResult, ThreadTask } from "../src/runs/thread.ts";

/**
 * The fast path's admission and its language-model lookup (docs/decisions/0051), on a worker
 * whose engine pool is a fake: which runs may run at once, and when the organization's provider
 * is looked up, are decisions of `RunWorker` alone. Nothing here touches a database (a fast run
 * is only inserted by its caller).
 */
type Task = Omit<ThreadTask, "port" | "helpers">;

const log: Logger = { info() {}, warn() {}, error() {}, debug() {}, child: () => log };
const MODEL = { modelId: "m", modelVersion: "1.0.0" };
const request = (orgId = "org-a"): FastRunRequest => ({
  orgId,
  ...MODEL,
  input: { x: 1 },
  data: {},
  timeoutMs: 10_000,
});

function workerWith(
  answer: (task: Task) => Promise<ThreadResult>,
  opts: { threads?: number; llm?: Pick<LlmService, "available">; db?: Db; bus?: RunEventBus } = {},
) {
  const tasks: Task[] = [];
  const pool: EnginePool = {
    threads: opts.threads ?? 1,
    lent: { helpers: 0, parts: 0 },
    async run(task, o) {
      tasks.push(task);
      o.onStart?.();
      return answer(task);
    },
    ready: async () => {},
    close: async () => {},
  };
  const worker = new RunWorker({
    db: opts.db ?? ({} as Db),
    bus: opts.bus ?? ({} as RunEventBus),
    cache: {} as ResultCache,
    pool,
    log,
    ...(opts.llm ? { llm: opts.llm as LlmService } : {}),
    leaseMs: 15_000,
    heartbeatMs: 1000,
    orgConcurrency: 64,
    pollMs: 1000,
  });
  return { worker, tasks };
}

const succeeded = (extra: Partial<Extract<ThreadResult, { ok: true }>> = {}): ThreadResult => ({
  ok: true,
  output: null,
  json: { output: '{"y":2}', keyResult: null },
  engineMs: 1,
  ...extra,
});

/** Two runs teach the worker the model (the first only proves it warm): as queued runs would. */
async function warm(worker: RunWorker, ms = 1) {
  const learn = (worker as unknown as { learn(key: string, ms: number): void }).learn.bind(worker);
  learn("m@1.0.0", ms);
  learn("m@1.0.0", ms);
}

describe("fast-path admission", () => {
  it("lets FAST_DEPTH_PER_THREAD runs of a 1 ms model per free thread wait in the pool, and queues the next", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { worker } = workerWith(async () => {
      await gate;
      return succeeded();
    });
    await warm(worker);
    const inFlight = Array.from({ length: FAST_DEPTH_PER_THREAD }, () => worker.runNow(request(), 50));
    // The pool holds 8 already (one running, seven in its queue): the ninth goes to the queue.
    expect(await worker.runNow(request(), 50)).toBeNull();
    release();
    const outcomes = await Promise.all(inFlight);
    expect(outcomes.map((o) => o?.kind)).toEqual(Array(FAST_DEPTH_PER_THREAD).fill("finished"));
    expect(outcomes[0]).toMatchObject({ status: "succeeded", outputJson: '{"y":2}' });
  });

  it("counts queued runs against the threads only while their task is with the pool, not during their database writes", async () => {
    const { worker } = workerWith(async () => succeeded());
    await warm(worker);
    const internals = worker as unknown as { active: number; queuedInPool: number };
    // Two queued runs claimed, both writing to the database (start, finish): no thread is held.
    internals.active = 2;
    expect((await worker.runNow(request(), 50))?.kind).toBe("finished");
    // One of them hands its task to the one-thread pool: fast runs now queue behind it.
    internals.queuedInPool = 1;
    expect(await worker.runNow(request(), 50)).toBeNull();
    internals.queuedInPool = 0;
    internals.active = 0;
  });

  it("lets fewer wait behind a slower model: a fast run waits about RUN_FAST_PATH_MAX_MS at most", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { worker } = workerWith(async () => {
      await gate;
      return succeeded({ engineMs: 20 });
    });
    await warm(worker, 20);
    // 50 ms ÷ 20 ms: two per thread.
    const two = [worker.runNow(request(), 50), worker.runNow(request(), 50)];
    expect(await worker.runNow(request(), 50)).toBeNull();
    release();
    expect((await Promise.all(two)).map((o) => o?.kind)).toEqual(["finished", "finished"]);
  });

  it("judges a model by the thread's own time, not by the wait in the pool's queue", async () => {
    const { worker } = workerWith(async () => {
      await new Promise((r) => setTimeout(r, 120)); // a long wait for a thread
      return succeeded({ engineMs: 2 });
    });
    await warm(worker, 2);
    expect((await worker.runNow(request(), 50))?.kind).toBe("finished");
    // Still short: the 120 ms were not the model's.
    expect((await worker.runNow(request(), 50))?.kind).toBe("finished");
  });

  it("stops running a model at once when the thread says it took longer than the limit", async () => {
    const { worker } = workerWith(async () => succeeded({ engineMs: 400 }));
    await warm(worker, 2);
    expect((await worker.runNow(request(), 50))?.kind).toBe("finished");
    // The moving average is now 2 + 0.3 × 398 ≈ 121 ms: no longer short.
    expect(await worker.runNow(request(), 50)).toBeNull();
  });
});

describe("the fast path and the claim loop", () => {
  it("a fast run makes the started worker issue no statement (no claim after it: no queued run waits for it)", async () => {
    // A database that has no runs to claim or recover, and counts what it is asked.
    const statements: unknown[] = [];
    const db = {
      execute: async (q: unknown) => {
        statements.push(q);
        return { rows: [] };
      },
    } as unknown as Db;
    const bus = { subscribe: async () => () => {}, publish: async () => {} } as unknown as RunEventBus;
    const { worker } = workerWith(async () => succeeded(), { db, bus });
    await worker.start();
    // Start-up: the lease sweep and a first claim, then the loop sleeps (pollMs).
    await new Promise((r) => setTimeout(r, 20));
    const atStart = statements.length;
    expect(atStart).toBe(2);
    await warm(worker);
    for (let i = 0; i < 3; i++) expect((await worker.runNow(request(), 50))?.kind).toBe("finished");
    await new Promise((r) => setTimeout(r, 20));
    expect(statements.length).toBe(atStart);
    // A kick (a queued run's wake-up) still claims.
    worker.kick();
    await new Promise((r) => setTimeout(r, 20));
    expect(statements.length).toBe(atStart + 1);
    await worker.stop();
  });
});

describe("the language-model lookup on the fast path", () => {
  it("is skipped for a model never seen reading ctx.llm", async () => {
    const available = vi.fn(async () => true);
    const { worker, tasks } = workerWith(async () => succeeded({ llmRead: false }), { llm: { available } });
    await warm(worker);
    expect((await worker.runNow(request(), 50))?.kind).toBe("finished");
    expect(available).not.toHaveBeenCalled();
    expect(tasks[0]).toMatchObject({ llm: false, inputParsed: true, serialize: true, progress: false });
  });

  it("a run that reads ctx.llm without the lookup is queued, not answered; later runs look it up", async () => {
    const available = vi.fn(async () => true);
    const { worker, tasks } = workerWith(async () => succeeded({ llmRead: true }), {
      llm: { available },
    });
    await warm(worker);
    // Told "no model" without anyone asking: the result may be wrong, so the queue takes it.
    expect(await worker.runNow(request(), 50)).toEqual({
      kind: "queue",
      crashed: false,
      reason: "the model reads ctx.llm",
    });
    expect(tasks[0]!.llm).toBe(false);
    // From now on its runs carry the organization's answer.
    expect((await worker.runNow(request("org-b"), 50))?.kind).toBe("finished");
    expect(available).toHaveBeenCalledWith("org-b");
    expect(tasks[1]!.llm).toBe(true);
  });
});
