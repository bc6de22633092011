import { afterAll, describe, expect, it } from "vitest";
import { createSolverPool, ModelBuilder, type ModelSpec, type SolveResult } from "../src/index.ts";
import { enumerate, independentCheck, randomIntegerModel, rng } from "./helpers.ts";

/**
 * Reduced-cost fixing (`reducedCostFixing`) must be exact: same optimum as the plain MIP and as
 * enumeration. `freeIntegers` is set small so that the restricted MIP really is restricted and the
 * proof (not the restriction) decides — both the "restriction was final" and the "solve the proven
 * problem" paths are required to occur.
 */

const pool = createSolverPool({ threads: 2 });
afterAll(() => pool.close());

/** Multi-dimensional 0-1 knapsack with a few continuous "top-up" columns: tight LP, many binaries. */
function knapsackWithTopUps(seed: number, n: number, rows: number): ModelSpec {
  const r = rng(seed);
  const m = new ModelBuilder("max", { objectiveUnit: "AED" });
  const w = Array.from({ length: rows }, () => Array.from({ length: n }, () => 1 + Math.floor(r() * 1000)));
  const x = Array.from({ length: n }, (_, j) =>
    m.variable({
      name: `x${j}`,
      binary: true,
      cost: Math.round(w.reduce((s, row) => s + row[j]!, 0) / rows + r() * 400),
    }),
  );
  const topUp = m.variable({ name: "top-up", upper: 50, cost: 3 });
  w.forEach((row, i) => {
    m.le(
      `cap${i}`,
      [...x.map((v, j) => [v, row[j]!] as const), [topUp, 10] as const],
      Math.floor(row.reduce((s, v) => s + v, 0) / 3),
    );
  });
  return m.build();
}

const report = (res: SolveResult) => res.mip?.reducedCostFixing;

describe("reduced-cost fixing", () => {
  it("equals enumeration on 80 random integer models (≤ 12 variables, min and max, mixed rows)", async () => {
    let fixedTotal = 0;
    let restrictedFinal = 0;
    let provenSolved = 0;
    let feasible = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const spec = randomIntegerModel(500 + seed, 6 + (seed % 7));
      const best = enumerate(spec);
      // HiGHS's restricted and proven MIPs (the search of small models is search.test.ts's).
      const res = await pool.solve(spec, {
        mipRelGap: 0,
        reducedCostFixing: { freeIntegers: 2, search: false },
      });
      if (best === null) {
        expect(res.hasSolution, `seed ${seed}`).toBe(false);
        continue;
      }
      feasible++;
      expect(res.status, `seed ${seed}`).toBe("optimal");
      expect(independentCheck(spec, res), `seed ${seed}`).toEqual([]);
      expect(
        Math.abs(res.objective! - best),
        `seed ${seed}: ${res.objective} vs ${best}`,
      ).toBeLessThanOrEqual(1e-6);
      const rep = report(res);
      if (rep) {
        fixedTotal += rep.fixed;
        if (rep.restrictedWasFinal) restrictedFinal++;
        else provenSolved++;
        // The bound from the LP duals bounds every plan, the returned one included.
        if (spec.sense === "max") expect(rep.lpBound).toBeGreaterThanOrEqual(res.objective! - 1e-6);
        else expect(rep.lpBound).toBeLessThanOrEqual(res.objective! + 1e-6);
        expect(Math.abs(rep.lpBound - rep.lpObjective)).toBeLessThanOrEqual(
          1e-6 * Math.max(1, Math.abs(rep.lpObjective)),
        );
      }
    }
    expect(feasible).toBeGreaterThan(40);
    expect(fixedTotal).toBeGreaterThan(0);
    expect(restrictedFinal).toBeGreaterThan(0);
    expect(provenSolved).toBeGreaterThan(0);
  });

  it("gives the plain MIP's optimum on 8 random knapsacks with a continuous column (50–120 binaries)", async () => {
    let fixedTotal = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const spec = knapsackWithTopUps(seed, 40 + 10 * seed, 1 + (seed % 2));
      const plain = await pool.solve(spec, { mipRelGap: 0, timeLimitSeconds: 60 });
      for (const freeIntegers of [5, 40]) {
        const fixedRes = await pool.solve(spec, {
          mipRelGap: 0,
          timeLimitSeconds: 60,
          reducedCostFixing: { freeIntegers },
        });
        expect(plain.status).toBe("optimal");
        expect(fixedRes.status).toBe("optimal");
        expect(independentCheck(spec, fixedRes)).toEqual([]);
        expect(
          Math.abs(fixedRes.objective! - plain.objective!),
          `seed ${seed} free ${freeIntegers}`,
        ).toBeLessThanOrEqual(1e-9 * Math.abs(plain.objective!));
        expect(fixedRes.mip!.bestBound!).toBeGreaterThanOrEqual(fixedRes.objective! - 1e-6);
        fixedTotal += report(fixedRes)!.fixed;
      }
    }
    expect(fixedTotal).toBeGreaterThan(100);
  }, 180_000);

  it("stops at the requested gap against the LP bound, and says what it fixed", async () => {
    const spec = knapsackWithTopUps(3, 2_000, 2);
    const res = await pool.solve(spec, { mipRelGap: 1e-3, reducedCostFixing: true });
    expect(res.status).toBe("optimal");
    expect(independentCheck(spec, res)).toEqual([]);
    const rep = report(res)!;
    expect(rep.integers).toBe(2_000);
    expect(rep.restrictedFree).toBe(100); // max(100, 5 % of 2,000)
    // Within 0.1 % of the LP bound already: the restricted MIP's plan is returned as it stands.
    expect(rep.free).toBe(100);
    expect((res.mip!.bestBound! - res.objective!) / res.objective!).toBeLessThanOrEqual(1e-3 + 1e-12);
    expect(res.mip!.gap!).toBeLessThanOrEqual(1e-3 + 1e-12);
    expect(res.mip!.bestBound!).toBeLessThanOrEqual(rep.lpBound + 1e-6);
  });

  it("reports duals of the LP with integers fixed, as the plain MIP does", async () => {
    const m = new ModelBuilder("min", { objectiveUnit: "AED" });
    const open = m.variable({ name: "open", binary: true, cost: 100 });
    const x = m.variable({ name: "made", cost: 2, unit: "units" });
    m.ge("demand", [[x, 1]], 7, "units");
    m.le(
      "capacity",
      [
        [x, 1],
        [open, -10],
      ],
      0,
      "units",
    );
    const plain = await pool.solve(m, { mipFixedDuals: true });
    const res = await pool.solve(m, { mipFixedDuals: true, reducedCostFixing: { freeIntegers: 0 } });
    expect(res.objective).toBe(114);
    expect(res.mip!.reducedCostFixing).toBeDefined();
    expect(res.duals).toEqual(plain.duals);
    expect(res.constraints).toEqual(plain.constraints);
  });

  it("falls back to the plain MIP when it cannot apply: an infeasible model is still diagnosed", async () => {
    const m = new ModelBuilder("max");
    const a = m.variable({ name: "a", binary: true, cost: 1 });
    const b = m.variable({ name: "b", binary: true, cost: 1 });
    m.ge(
      "both",
      [
        [a, 1],
        [b, 1],
      ],
      3,
    );
    const res = await pool.solve(m, { reducedCostFixing: true });
    expect(res.status).toBe("infeasible");
    expect(res.mip?.reducedCostFixing).toBeUndefined();
    expect(res.infeasibility?.iis?.constraints.map((c) => c.constraint)).toEqual(["both"]);
  });

  it("honours the time limit with a plan and a valid bound", async () => {
    // 100 items × 10 rows: a weak LP bound that HiGHS cannot close in seconds.
    const r = rng(42);
    const m = new ModelBuilder("max");
    const w = Array.from({ length: 10 }, () => Array.from({ length: 100 }, () => 1 + Math.floor(r() * 1000)));
    const x = Array.from({ length: 100 }, (_, j) =>
      m.variable({
        name: `x${j}`,
        binary: true,
        cost: Math.round(w.reduce((s, row) => s + row[j]!, 0) / 10 + r() * 500),
      }),
    );
    w.forEach((row, i) => {
      m.le(
        `cap${i}`,
        x.map((v, j) => [v, row[j]!] as const),
        Math.floor(row.reduce((s, v) => s + v, 0) / 2),
      );
    });
    const spec = m.build();
    const res = await pool.solve(spec, { timeLimitSeconds: 0.5, reducedCostFixing: { freeIntegers: 60 } });
    expect(res.hasSolution).toBe(true);
    expect(["time_limit", "optimal"]).toContain(res.status);
    expect(independentCheck(spec, res)).toEqual([]);
    expect(res.mip!.bestBound!).toBeGreaterThanOrEqual(res.objective!);
    if (res.status === "time_limit") expect(res.mip!.gap!).toBeGreaterThan(0);
  });
});
