import { describe, expect, it } from "vitest";
import { ModelBuilder, type ModelSpec, solveInThisThread } from "../src/index.ts";
import { searchIntegerModel } from "../src/search.ts";
import { enumerate, independentCheck, randomIntegerModel, rng } from "./helpers.ts";

/**
 * The search of small pure-integer models (search.ts), which reduced-cost fixing uses instead of
 * HiGHS's MIP: the optimum of enumeration and of HiGHS, the same plan wherever the optimum is
 * unique, and HiGHS's path whenever the search does not apply or cannot finish.
 */

/** Whole-deal knapsack with a few cap rows, like Deal Picker's (no ties: real-valued costs). */
function knapsack(seed: number, n: number, caps: number): ModelSpec {
  const r = rng(seed);
  const m = new ModelBuilder("max", { objectiveUnit: "AED/yr" });
  const cost = Array.from({ length: n }, () => Math.round(5e6 * 16 ** r()));
  const x = cost.map((c, j) =>
    m.variable({ name: `x${j}`, binary: true, cost: Math.round(c * (0.05 + 0.05 * r()) * 100) / 100 }),
  );
  const total = cost.reduce((a, b) => a + b, 0);
  m.le(
    "budget",
    x.map((v, j) => [v, cost[j]!] as const),
    Math.round(total * (0.15 + 0.3 * r())),
  );
  for (let k = 0; k < caps; k++) {
    // A sector cap as a share of capital deployed: Σ_S cost·x − α·Σ cost·x ≤ 0 (mixed signs).
    const alpha = 0.2 + 0.3 * r();
    m.le(
      `cap ${k}`,
      x.map((v, j) => [v, ((j % (caps + 1)) - k === 0 ? 1 - alpha : -alpha) * cost[j]!] as const),
      0,
    );
  }
  return m.build();
}

describe("search of small integer models", () => {
  it("equals enumeration on 120 random integer models (≤ 14 variables, general integers, every row type)", async () => {
    let searched = 0;
    let feasible = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const spec = randomIntegerModel(9000 + seed, 4 + (seed % 11));
      const best = enumerate(spec);
      const res = await solveInThisThread(spec, { mipRelGap: 0, reducedCostFixing: true });
      if (best === null) {
        expect(res.hasSolution, `seed ${seed}`).toBe(false);
        continue;
      }
      feasible++;
      expect(res.status, `seed ${seed}`).toBe("optimal");
      expect(independentCheck(spec, res), `seed ${seed}`).toEqual([]);
      expect(res.objective, `seed ${seed}`).toBe(best);
      const rep = res.mip?.reducedCostFixing;
      if (rep?.searchNodes !== undefined) {
        searched++;
        expect(res.mip!.bestBound).toBe(res.objective);
        expect(res.mip!.gap).toBe(0);
        expect(res.mip!.nodes).toBe(rep.searchNodes);
        expect(rep.restrictedWasFinal).toBe(true);
        expect(rep.fixed + rep.free).toBeLessThanOrEqual(rep.integers);
      }
    }
    expect(feasible).toBeGreaterThan(60);
    // Every feasible model whose LP solves is searched (the others go to HiGHS's MIP).
    expect(searched).toBeGreaterThan(0.9 * feasible);
  });

  it("gives HiGHS's plan on 40 knapsacks with cap rows (12–60 binaries)", async () => {
    let searched = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const spec = knapsack(seed, 12 + ((seed * 7) % 49), seed % 4);
      const highs = await solveInThisThread(spec, {
        mipRelGap: 0,
        reducedCostFixing: { search: false },
      });
      const res = await solveInThisThread(spec, { mipRelGap: 0, reducedCostFixing: true });
      expect(res.status, `seed ${seed}`).toBe(highs.status);
      if (!highs.hasSolution) continue;
      // Searched within its node limit, or handed over to HiGHS: the same answer either way.
      if (res.mip?.reducedCostFixing?.searchNodes !== undefined) searched++;
      expect(independentCheck(spec, res), `seed ${seed}`).toEqual([]);
      expect(
        Math.abs(res.objective! - highs.objective!),
        `seed ${seed}: ${res.objective} vs ${highs.objective}`,
      ).toBeLessThanOrEqual(1e-9 * Math.abs(highs.objective!));
      // Real-valued yields: the optimum is unique, so the plan is HiGHS's to the last digit.
      expect(res.primal, `seed ${seed}`).toEqual(highs.primal);
      expect(res.constraints, `seed ${seed}`).toEqual(highs.constraints);
    }
    expect(searched).toBeGreaterThanOrEqual(30);
  });

  it("leaves an integer-infeasible model (feasible LP) to HiGHS, which diagnoses it", async () => {
    const m = new ModelBuilder("max");
    const a = m.variable({ name: "a", binary: true, cost: 1 });
    const b = m.variable({ name: "b", binary: true, cost: 2 });
    m.constraint({
      name: "half",
      terms: [
        [a, 2],
        [b, 2],
      ],
      lower: 1,
      upper: 1,
    });
    const res = await solveInThisThread(m.build(), { reducedCostFixing: true });
    expect(res.status).toBe("infeasible");
    expect(res.mip?.reducedCostFixing).toBeUndefined();
    expect(res.infeasibility).not.toBeNull();
  });

  it("does not search models with a continuous variable or past 64 integers", async () => {
    const m = new ModelBuilder("max");
    const open = m.variable({ name: "open", binary: true, cost: -5 });
    const y = m.variable({ name: "made", upper: 10, cost: 1 });
    m.le(
      "link",
      [
        [y, 1],
        [open, -10],
      ],
      0,
    );
    const mixed = await solveInThisThread(m.build(), { reducedCostFixing: true });
    expect(mixed.objective).toBe(5);
    expect(mixed.mip?.reducedCostFixing?.searchNodes).toBeUndefined();
    const big = await solveInThisThread(knapsack(7, 70, 1), { reducedCostFixing: true });
    expect(big.status).toBe("optimal");
    expect(big.mip?.reducedCostFixing?.searchNodes).toBeUndefined();
  });

  it("gives up (null) at its node limit, and searches to the end without one", () => {
    // Equal costs, and a row no plan meets: nothing prunes by bound, only the end proves it.
    const n = 18;
    const m = new ModelBuilder("max");
    const x = Array.from({ length: n }, (_, j) => m.variable({ name: `x${j}`, binary: true, cost: 1 }));
    m.constraint({ name: "odd", terms: x.map((v) => [v, 2] as const), lower: 9, upper: 9 });
    const spec = m.build();
    const input = {
      s: 1,
      bound: n,
      d: new Float64Array(n),
      xLp: new Float64Array(n).fill(0.25),
      deadline: Number.POSITIVE_INFINITY,
    };
    expect(searchIntegerModel(spec, { ...input, maxNodes: 1_000 })).toBeNull();
    // Row intervals alone close most of the tree: far fewer than 2^18 nodes.
    const full = searchIntegerModel(spec, { ...input, maxNodes: 1e7 });
    expect(full?.primal).toBeNull();
    expect(full!.nodes).toBeGreaterThan(1_000);
  });
});
