import { afterAll, describe, expect, it } from "vitest";
import { createSolverPool, ModelBuilder } from "../src/index.ts";
import { independentCheck, rng } from "./helpers.ts";

const pool = createSolverPool({ threads: 2 });
afterAll(() => pool.close());

// Problem P01 of the KNAPSACK_01 data set (J. Burkardt, Florida State University):
// capacity 165, optimum profit 309 with items 1, 2, 3, 4, 6.
const P01 = {
  capacity: 165,
  weights: [23, 31, 29, 44, 53, 38, 63, 85, 89, 82],
  profits: [92, 57, 49, 68, 60, 43, 67, 84, 87, 72],
  optimum: 309,
  selection: [1, 1, 1, 1, 0, 1, 0, 0, 0, 0],
};

function knapsack() {
  const m = new ModelBuilder("max", { objectiveUnit: "AED" });
  const x = P01.profits.map((p, j) => m.variable({ name: `item ${j + 1}`, binary: true, cost: p }));
  m.le(
    "capacity",
    x.map((v, j) => [v, P01.weights[j]!] as const),
    P01.capacity,
    "kg",
  );
  return m;
}

/** A multi-dimensional 0-1 knapsack (100 items × 10 rows) that HiGHS cannot close in seconds. */
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
  return m;
}

describe("MIP", () => {
  it("0-1 knapsack P01: the published optimum, confirmed by enumeration", async () => {
    let best = 0;
    for (let mask = 0; mask < 1 << 10; mask++) {
      let w = 0;
      let p = 0;
      for (let j = 0; j < 10; j++)
        if (mask & (1 << j)) {
          w += P01.weights[j]!;
          p += P01.profits[j]!;
        }
      if (w <= P01.capacity) best = Math.max(best, p);
    }
    expect(best).toBe(P01.optimum);
    const res = await pool.solve(knapsack());
    expect(res.status).toBe("optimal");
    expect(res.kind).toBe("mip");
    expect(res.objective).toBe(309);
    expect(res.primal).toEqual(P01.selection);
    expect(res.mip!.gap).toBeLessThanOrEqual(1e-4);
    expect(res.duals).toBeNull(); // no LP duals for a MIP unless asked for the fixed LP
    expect(res.binding).toEqual(["capacity"]);
    expect(independentCheck(knapsack().build(), res)).toEqual([]);
  });

  it("honours the MIP gap: stops once the incumbent is within mipRelGap of the bound", async () => {
    const spec = hardMip(7, 50, 5).build();
    const res = await pool.solve(spec, { mipRelGap: 0.05, timeLimitSeconds: 30 });
    expect(res.status).toBe("optimal"); // HiGHS reports a gap-limited stop as optimal
    expect(res.mip!.gap).toBeLessThanOrEqual(0.05);
    expect((res.mip!.bestBound! - res.objective!) / res.objective!).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(independentCheck(spec, res)).toEqual([]);
  });

  it("honours the time limit: a hard MIP returns time_limit with its best incumbent and gap", async () => {
    const spec = hardMip().build();
    const t0 = performance.now();
    const res = await pool.solve(spec, { timeLimitSeconds: 0.3 });
    const ms = performance.now() - t0;
    expect(res.status).toBe("time_limit");
    expect(res.hasSolution).toBe(true);
    expect(res.mip!.gap).toBeGreaterThan(0);
    expect(res.mip!.bestBound).toBeGreaterThan(res.objective!);
    expect(independentCheck(spec, res)).toEqual([]);
    expect(ms).toBeLessThan(5_000); // generous: the limit is 0.3 s, the rest is thread start-up under load
  });

  it("starts from a given plan: a feasible start is kept as the incumbent, an infeasible one is ignored", async () => {
    const spec = hardMip().build();
    const first = await pool.solve(spec, { timeLimitSeconds: 1 });
    expect(first.hasSolution).toBe(true);
    // A limit far too short to find such a plan again: the start must come back at least as good.
    const again = await pool.solve(spec, { timeLimitSeconds: 0.001, start: first.values });
    expect(again.hasSolution).toBe(true);
    expect(again.objective!).toBeGreaterThanOrEqual(first.objective! - 1e-9);
    expect(independentCheck(spec, again)).toEqual([]);
    // Every item taken breaks the capacity: HiGHS rejects the start and still finds the optimum.
    const all = Object.fromEntries(P01.profits.map((_, j) => [`item ${j + 1}`, 1]));
    const res = await pool.solve(knapsack().build(), { start: all });
    expect(res.objective).toBe(P01.optimum);
  });

  it("optionally reports duals of the LP with integers fixed, labelled as such", async () => {
    // Open a plant (fixed cost 100) to make x ≥ 7 units at 2 AED each, x ≤ 10·open.
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
    const res = await pool.solve(m, { mipFixedDuals: true });
    expect(res.objective).toBe(114);
    expect(res.duals!.basis).toBe("mip-integers-fixed");
    expect(res.duals!.constraints.find((c) => c.constraint === "demand")).toMatchObject({
      pricePerUnit: 2,
      limit: "lower",
      validFrom: 0,
      validTo: 10,
    });
  });
});
