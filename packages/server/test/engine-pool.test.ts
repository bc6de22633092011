import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnginePool, EngineCrashedError, type EnginePool } from "../src/runs/pool.ts";
import type { ThreadResult } from "../src/runs/thread.ts";

/**
 * The engine pool's isolation (docs/decisions/0017): engines run in threads inside an engine
 * host process. A process-killing engine bug (V8 fatal error, `process.abort()`) takes down the
 * host, never this process; the tasks in flight there reject with EngineCrashedError and a new
 * host serves the next task. A heap-hungry engine loses only its thread, with a final answer.
 */
const MODEL = { modelId: "test-montecarlo-sum", modelVersion: "1.0.0", data: {} };
const input = (extra: Record<string, unknown> = {}) => ({
  terms: [{ mean: 3, sd: 1 }],
  samples: 1_000,
  seed: 5,
  ...extra,
});

let pool: EnginePool;
const exits: { code: number | null; signal: string | null; inFlight: number }[] = [];
beforeAll(async () => {
  pool = createEnginePool(2, { maxHeapMb: 48, onHostExit: (e) => exits.push(e) });
  await pool.ready();
});
afterAll(async () => pool?.close());

const run = (raw: unknown, opts: { isolated?: boolean; progress?: number[]; posted?: boolean } = {}) =>
  pool.run(
    { ...MODEL, input: raw, ...(opts.posted === false ? { progress: false } : {}) },
    {
      abort: new AbortController().signal,
      isolated: opts.isolated ?? false,
      onMessage: (m) => {
        if (m.type === "progress") opts.progress?.push(m.fraction);
      },
    },
  );

const mean = (r: ThreadResult) => (r.ok ? (r.output as { analyticMean: number }).analyticMean : null);

describe("engine host process", () => {
  it("contains a process abort: every task in that host rejects as a crash, the next task runs in a new host", async () => {
    expect(mean(await run(input()))).toBe(3);
    const progress: number[] = [];
    // An innocent run, mid-way (paused between chunks) when its neighbour aborts the process.
    const innocent = run(input({ samples: 200_000, pauseMsPerChunk: 200 }), { progress });
    while (progress.length === 0) await new Promise((r) => setTimeout(r, 10));
    const poison = run(input({ failure: "abort-process" }));
    const [p, i] = await Promise.allSettled([poison, innocent]);
    for (const settled of [p, i]) {
      expect(settled.status).toBe("rejected");
      const err = (settled as PromiseRejectedResult).reason;
      expect(err).toBeInstanceOf(EngineCrashedError);
      expect(err.signal).toBe("SIGABRT");
      expect(err.message).toBe("The engine process stopped unexpectedly (signal SIGABRT).");
    }
    expect(exits).toEqual([{ code: null, signal: "SIGABRT", inFlight: 2 }]);
    // The pool replaced its host; the same innocent input now completes.
    expect(mean(await run(input({ samples: 20_000, pauseMsPerChunk: 1 })))).toBe(3);
  }, 60_000);

  it("runs an isolated task in a one-shot process of its own: its crash leaves the shared host alone", async () => {
    const before = exits.length;
    const alone = run(input({ failure: "abort-process" }), { isolated: true });
    const shared = run(input({ samples: 50_000 }));
    await expect(alone).rejects.toBeInstanceOf(EngineCrashedError);
    expect(mean(await shared)).toBe(3);
    // One-shot hosts are not restarted and not reported as the pool's host dying.
    expect(exits.length).toBe(before);
    // An isolated innocent run completes and its host goes away.
    expect(mean(await run(input(), { isolated: true }))).toBe(3);
  }, 60_000);

  it("posts no progress for a task that asks for none (the fast path), yet notes its phases", async () => {
    // Chunks 60 ms apart: the host's 50 ms coalescing passes each one on.
    const slow = input({ samples: 30_000, pauseMsPerChunk: 60 });
    const posted: number[] = [];
    const withProgress = await run(slow, { progress: posted });
    expect(posted.length).toBeGreaterThan(0);
    const none: number[] = [];
    const without = await run(slow, { progress: none, posted: false });
    expect(none).toEqual([]);
    expect(mean(without)).toBe(3);
    // The phase marks are the thread's, with or without messages.
    expect(without.marks?.map((m) => m.message)).toEqual(withProgress.marks?.map((m) => m.message));
    expect(without.marks?.length).toBeGreaterThan(0);
  }, 60_000);

  it("stops a thread that reaches its heap limit with a final resource answer; the host lives on", async () => {
    const before = exits.length;
    const r = await run(input({ failure: "exhaust-heap" }));
    expect(r).toMatchObject({ ok: false, kind: "resource" });
    expect(!r.ok && r.message).toMatch(/heap limit of 48 MB/);
    expect(exits.length).toBe(before);
    expect(mean(await run(input()))).toBe(3);
  }, 60_000);
});
