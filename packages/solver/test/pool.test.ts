import { afterAll, describe, expect, it } from "vitest";
import {
  closeDefaultPool,
  createSolverPool,
  ModelBuilder,
  type ModelSpec,
  SolveAbortedError,
  type SolveResult,
  solve,
  solveInThisThread,
} from "../src/index.ts";
import { randomLp, rng } from "./helpers.ts";

const pool = createSolverPool({ threads: 4 });
afterAll(async () => {
  await pool.close();
  await closeDefaultPool();
});

function hardMip(seed = 42, n = 100, rows = 10) {
  const r = rng(seed);
  const m = new ModelBuilder("max");
  const w = Array.from({ length: rows }, () => Array.from({ length: n }, () => 1 + Math.floor(r() * 1000)));
  const x = Array.from({ length: n }, (_, j) =>
    m.variable({
      name: `x${j}`,
      binary: true,
      cost: Math.round(w.reduce((s, row) => s + row[j]!, 0) / rows + r() * 500),
    }),
  );
  w.forEach((row, i) => {
    m.le(
      `cap${i}`,
      x.map((v, j) => [v, row[j]!] as const),
      Math.floor(row.reduce((s, v) => s + v, 0) / 2),
    );
  });
  return m.build();
}

/** A small knapsack-like MIP built from a random LP: the same rows, integer columns. */
function randomMip(seed: number): ModelSpec {
  const spec = randomLp(seed);
  for (const v of spec.variables) v.integer = true;
  return spec;
}

const comparable = ({ solveMs: _ms, ...rest }: SolveResult) => rest;

describe("solver pool", () => {
  it("abort terminates the thread running the solve and rejects; the pool keeps working", async () => {
    await pool.ready();
    const controller = new AbortController();
    const t0 = performance.now();
    const running = pool.solve(hardMip(), { signal: controller.signal, timeLimitSeconds: 60 });
    setTimeout(() => controller.abort(new Error("user cancelled")), 300);
    await expect(running).rejects.toThrow(SolveAbortedError);
    await expect(running).rejects.toThrow(/user cancelled/);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2_000); // the 60 s solve did not run on
    const after = await pool.solve(randomLp(1));
    expect(after.status).toBe("optimal");
    // An already aborted signal rejects without starting.
    await expect(pool.solve(randomLp(1), { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it("many concurrent solves give exactly the answers of sequential solves", async () => {
    const specs = Array.from({ length: 40 }, (_, k) =>
      k % 4 === 3 ? randomMip(3000 + k) : randomLp(3000 + k),
    );
    const sequential: SolveResult[] = [];
    for (const s of specs) sequential.push(await solveInThisThread(s));
    const concurrent = await Promise.all(specs.map((s) => pool.solve(s)));
    expect(concurrent.map(comparable)).toEqual(sequential.map(comparable));
    // Random integer versions of the LPs are sometimes infeasible: diagnoses must agree too.
    expect(concurrent.filter((r) => r.status === "optimal").length).toBeGreaterThan(30);
  });

  it("solve() uses a process-wide pool", async () => {
    const res = await solve(randomLp(7));
    expect(res.status).toBe("optimal");
  });
});
