import { tifMonteCarlo } from "@modelworks/engine-tif";
import { createContext, executeModel } from "@modelworks/model-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnginePool, type EnginePool } from "../src/runs/pool.ts";
import type { ThreadMessage } from "../src/runs/thread.ts";
import { createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Fan-out (model-kit `runParts`): a run borrows the pool's other threads for its model's parts.
 * The answer must not depend on it: same output with 1 thread, 2 threads, or in this process.
 */
const input = {
  variables: {
    hardCostPerUnitUsd: { kind: "lognormal", mean: 175_000, sd: 17_500 },
    exitCapRate: { kind: "normal", mean: 0.055, sd: 0.005, min: 0.04, max: 0.075 },
    constructionMonths: { kind: "pert", min: 20, mode: 24, max: 32 },
  },
  iterations: 3_000,
  seed: 2026,
};

let two: EnginePool;
let one: EnginePool;
beforeAll(async () => {
  two = createEnginePool(2);
  one = createEnginePool(1);
  await Promise.all([two.ready(), one.ready()]);
});
afterAll(async () => {
  await Promise.all([two?.close(), one?.close()]);
});

const runIn = (pool: EnginePool, raw: unknown, abort = new AbortController().signal) => {
  const messages: Exclude<ThreadMessage, { type: "parts" }>[] = [];
  const result = pool.run(
    { modelId: "tif-montecarlo", modelVersion: "1.1.0", input: raw, data: {} },
    { abort, onMessage: (m) => messages.push(m) },
  );
  return { result, messages };
};

describe("fan-out over the engine pool", () => {
  it("gives the same output with a helper thread, with one thread and in this process", async () => {
    const here = await executeModel(tifMonteCarlo, input, createContext());
    const before = two.lent.parts;
    const a = await runIn(two, input).result;
    const b = await runIn(one, input).result;
    expect(a.ok && b.ok).toBe(true);
    // Structured clone and JSON agree on these numbers (no NaN in the output: missing is null).
    expect(a.ok && a.output).toEqual(here);
    expect(b.ok && b.output).toEqual(here);
    expect(two.lent.parts).toBeGreaterThan(before); // the helper did some of the 30 chunks
    expect(one.lent.helpers).toBe(0);
  });

  it("stops the run and its helper when aborted, and the pool keeps working", async () => {
    const controller = new AbortController();
    const { result, messages } = runIn(two, { ...input, iterations: 100_000 }, controller.signal);
    const progress = () =>
      messages.filter((m) => m.type === "progress").map((m) => (m as { fraction: number }).fraction);
    while (!progress().some((f) => f > 0.02)) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const r = await result;
    expect(r).toMatchObject({ ok: false, kind: "canceled" });
    expect(Math.max(...progress())).toBeLessThan(0.5);
    // Both threads are free again: a short run completes.
    const after = await runIn(two, { ...input, iterations: 200 }).result;
    expect(after.ok).toBe(true);
  });
});

/** Paths where two JSON values differ (numbers: by more than 1e-12 relative). */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a === "number" && typeof b === "number")
    return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)) ? [] : [`${path}: ${a} ≠ ${b}`];
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`),
    );
  }
  return a === b ? [] : [`${path}: ${String(a)} ≠ ${String(b)}`];
}

describe("tif-montecarlo through the API", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKER_THREADS: "2" }, { worker: true });
  });
  afterAll(async () => t?.close());

  it("runs in the worker pool and returns percentiles, histogram, tornado", async () => {
    const owner = await createOwner(t.app, "MC Org");
    const res = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/models/tif-montecarlo/runs?wait=60",
      payload: { input: { ...input, iterations: 500 } },
    });
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run.status).toBe("succeeded");
    // Equal within 1e-12 relative: until decision 0052 the stored output went through jsonb, which
    // could change a double's last bit (it is now stored as the text the engine wrote).
    const here = await executeModel(tifMonteCarlo, { ...input, iterations: 500 }, createContext());
    expect(differences(run.output, here)).toEqual([]);
    expect(run.output.percentiles.map((p: { percentile: number }) => p.percentile)).toEqual([
      5, 10, 25, 50, 75, 90, 95,
    ]);

    const bad = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/models/tif-montecarlo/runs?wait=10",
      payload: {
        input: { variables: { exitCapRate: { kind: "triangular", min: 0.05, mode: 0.08, max: 0.06 } } },
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toContainEqual({
      path: "body.input.variables.exitCapRate.mode",
      message: "must lie between min and max (0.05 … 0.06)",
    });
  });
});
