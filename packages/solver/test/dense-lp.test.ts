import { describe, expect, it } from "vitest";
import { denseFits, denseLp, lagrangianBound, provesInfeasible, solveDense } from "../src/dense-lp.ts";
import { ModelBuilder, type ModelSpec, solveInThisThread } from "../src/index.ts";
import { randomLp, rng } from "./helpers.ts";

/**
 * The dense simplex of decision 0060 against HiGHS, and the two checks that make its answers safe
 * to use: the Lagrangian bound (valid for any multipliers) and the Farkas proof (never "proves" a
 * feasible model).
 */

const boxOf = (spec: ModelSpec) => ({
  lower: spec.variables.map((v) => v.lower),
  upper: spec.variables.map((v) => v.upper),
});
const objectiveOf = (spec: ModelSpec, x: ArrayLike<number>) =>
  spec.variables.reduce((a, v, j) => a + v.cost * x[j]!, spec.objectiveOffset);
const near = (a: number, b: number, rel = 1e-7) =>
  Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

/** A row of the model pushed beyond what its own columns can reach: infeasible by construction. */
function beyondReach(spec: ModelSpec, seed: number): ModelSpec {
  const r = rng(seed);
  const i = Math.floor(r() * spec.constraints.length);
  const c = spec.constraints[i]!;
  let most = 0;
  let least = 0;
  c.vars.forEach((j, k) => {
    const v = spec.variables[j]!;
    most += Math.max(c.coefs[k]! * v.lower, c.coefs[k]! * v.upper);
    least += Math.min(c.coefs[k]! * v.lower, c.coefs[k]! * v.upper);
  });
  const above = r() < 0.5;
  const constraints = spec.constraints.map((row, k) =>
    k !== i
      ? row
      : above
        ? { ...row, lower: most + 1 + 10 * r(), upper: Number.POSITIVE_INFINITY }
        : { ...row, lower: Number.NEGATIVE_INFINITY, upper: least - 1 - 10 * r() },
  );
  return { ...spec, constraints };
}

/**
 * The objective as a row, required to beat the optimum by `by` (1: infeasible only through the
 * other rows together, the harder case for a proof; negative: feasible, but only near the optimum).
 */
function beyondOptimum(spec: ModelSpec, optimum: number, by = 1): ModelSpec {
  const s = spec.sense === "max" ? 1 : -1;
  const vars = spec.variables.map((_, j) => j);
  const coefs = spec.variables.map((v) => s * v.cost);
  const limit = s * (optimum - spec.objectiveOffset) + by;
  const row = { name: "better", vars, coefs, lower: limit, upper: Number.POSITIVE_INFINITY };
  return { ...spec, constraints: [...spec.constraints, row] };
}

describe("dense simplex (dense-lp.ts)", () => {
  it("finds HiGHS's optimum on 400 random LPs, with duals whose Lagrangian bound equals it", async () => {
    for (let seed = 1; seed <= 400; seed++) {
      const spec = randomLp(seed);
      expect(denseFits(spec)).toBe(true);
      const { lower, upper } = boxOf(spec);
      const out = solveDense(denseLp(spec), lower, upper);
      const highs = await solveInThisThread(spec, { iis: false, relaxation: false });
      expect(highs.status, `seed ${seed}`).toBe("optimal");
      expect(out.status, `seed ${seed}`).toBe("optimal");
      if (out.status !== "optimal") continue;
      const z = objectiveOf(spec, out.x);
      expect(near(z, highs.objective!), `seed ${seed}: ${z} vs ${highs.objective}`).toBe(true);
      // Feasible, re-checked here.
      spec.variables.forEach((v, j) => {
        expect(out.x[j]!).toBeGreaterThanOrEqual(v.lower - 1e-9);
        expect(out.x[j]!).toBeLessThanOrEqual(v.upper + 1e-9);
      });
      for (const c of spec.constraints) {
        const a = c.vars.reduce((acc, j, k) => acc + c.coefs[k]! * out.x[j]!, 0);
        expect(a).toBeGreaterThanOrEqual(c.lower - 1e-7 * Math.max(1, Math.abs(c.lower)));
        expect(a).toBeLessThanOrEqual(c.upper + 1e-7 * Math.max(1, Math.abs(c.upper)));
      }
      // Strong duality: the bound of its duals is the optimum.
      const s = spec.sense === "max" ? 1 : -1;
      const certified = lagrangianBound(spec, out.y, lower, upper);
      expect(certified).not.toBeNull();
      expect(near(s * certified!.bound, z), `seed ${seed}: bound ${s * certified!.bound} vs ${z}`).toBe(true);
    }
  });

  it("proves infeasibility with a Farkas vector on 400 infeasible LPs, as HiGHS finds them", async () => {
    let proved = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const base = randomLp(seed);
      const optimum = (await solveInThisThread(base, { iis: false, relaxation: false })).objective!;
      for (const spec of [beyondReach(base, seed), beyondOptimum(base, optimum)]) {
        const { lower, upper } = boxOf(spec);
        const out = solveDense(denseLp(spec), lower, upper);
        const highs = await solveInThisThread(spec, { iis: false, relaxation: false });
        expect(highs.status, `seed ${seed}`).toBe("infeasible");
        expect(out.status, `seed ${seed}`).toBe("infeasible");
        if (out.status === "infeasible" && provesInfeasible(spec, out.y, lower, upper)) proved++;
      }
    }
    expect(proved).toBe(400);
  });

  it("from a parent's basis (a branch's narrowed bounds): the same verdict and optimum as a cold start, on 300 LPs", async () => {
    let warmer = 0;
    let infeasible = 0;
    for (let seed = 1; seed <= 300; seed++) {
      // Half of them must keep the objective within 10 of its optimum, so that narrowing columns
      // away from the optimum often leaves no plan: the warm start's Farkas proofs are exercised.
      const base = randomLp(seed);
      const optimum = (await solveInThisThread(base, { iis: false, relaxation: false })).objective!;
      const spec = seed % 2 ? base : beyondOptimum(base, optimum, -10);
      const { lower, upper } = boxOf(spec);
      const lp = denseLp(spec);
      const parent = solveDense(lp, lower, upper);
      expect(parent.status).toBe("optimal");
      if (parent.status !== "optimal") continue;
      // Narrow one column below or above its LP value, as a branch does (sometimes to empty rows).
      const r = rng(5000 + seed);
      const lo = lower.slice();
      const hi = upper.slice();
      for (let t = 0; t < 3; t++) {
        const j = Math.floor(r() * spec.variables.length);
        if (r() < 0.5) hi[j] = Math.max(lo[j]!, Math.floor(parent.x[j]! - 1 - 15 * r()));
        else lo[j] = Math.min(hi[j]!, Math.ceil(parent.x[j]! + 1 + 15 * r()));
      }
      const cold = solveDense(lp, lo, hi);
      const warm = solveDense(lp, lo, hi, { from: parent.basis });
      expect(warm.status, `seed ${seed}`).toBe(cold.status);
      if (warm.status === "optimal" && cold.status === "optimal") {
        expect(near(objectiveOf(spec, warm.x), objectiveOf(spec, cold.x)), `seed ${seed}`).toBe(true);
        const certified = lagrangianBound(spec, warm.y, lo, hi)!;
        const s = spec.sense === "max" ? 1 : -1;
        expect(near(s * certified.bound, objectiveOf(spec, warm.x)), `seed ${seed}`).toBe(true);
      }
      if (warm.status === "infeasible") {
        infeasible++;
        expect(provesInfeasible(spec, warm.y, lo, hi), `seed ${seed}`).toBe(true);
      }
      if (warm.iterations < cold.iterations) warmer++;
    }
    // The point of a warm start: fewer pivots than from the logical basis, mostly.
    expect(warmer).toBeGreaterThan(150);
    expect(infeasible).toBeGreaterThan(50);
    expect(infeasible).toBeLessThan(250);
  });

  it("the Lagrangian bound of any multipliers is never below the optimum; no multipliers prove a feasible LP infeasible", async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const spec = randomLp(seed);
      const { lower, upper } = boxOf(spec);
      const highs = await solveInThisThread(spec, { iis: false, relaxation: false });
      const s = spec.sense === "max" ? 1 : -1;
      const r = rng(1000 + seed);
      for (let t = 0; t < 20; t++) {
        const y = spec.constraints.map(() => (r() < 0.3 ? 0 : (r() - 0.5) * 20));
        const got = lagrangianBound(spec, y, lower, upper);
        if (got) expect(got.bound, `seed ${seed}`).toBeGreaterThanOrEqual(s * highs.objective! - 1e-9);
        expect(provesInfeasible(spec, y, lower, upper), `seed ${seed}`).toBe(false);
      }
    }
  });

  it("Beale's cycling example: the optimum, through degenerate pivots", () => {
    // min −3/4 x4 + 20 x5 − 1/2 x6 + 6 x7, rows at 0 (Dantzig's rule without care cycles).
    const m = new ModelBuilder("min");
    const x4 = m.variable({ name: "x4", cost: -0.75 });
    const x5 = m.variable({ name: "x5", cost: 20 });
    const x6 = m.variable({ name: "x6", cost: -0.5 });
    const x7 = m.variable({ name: "x7", cost: 6 });
    m.le(
      "r1",
      [
        [x4, 0.25],
        [x5, -8],
        [x6, -1],
        [x7, 9],
      ],
      0,
    );
    m.le(
      "r2",
      [
        [x4, 0.5],
        [x5, -12],
        [x6, -0.5],
        [x7, 3],
      ],
      0,
    );
    m.le("r3", [[x6, 1]], 1);
    const spec = m.build();
    const { lower, upper } = boxOf(spec);
    const out = solveDense(denseLp(spec), lower, upper);
    expect(out.status).toBe("optimal");
    if (out.status !== "optimal") return;
    expect(objectiveOf(spec, out.x)).toBeCloseTo(-1.25, 9);
  });

  it("gives up (for HiGHS to answer) on an unbounded LP and on an empty column box", () => {
    const m = new ModelBuilder("max");
    const a = m.variable({ name: "a", cost: 1 });
    const b = m.variable({ name: "b", lower: Number.NEGATIVE_INFINITY, cost: 0 });
    m.le(
      "r",
      [
        [a, 1],
        [b, 1],
      ],
      4,
    );
    const spec = m.build();
    const { lower, upper } = boxOf(spec);
    expect(solveDense(denseLp(spec), lower, upper).status).toBe("failed");
    expect(solveDense(denseLp(spec), [2, 0], [1, 0]).status).toBe("failed");
  });

  it("free columns: the optimum of a model with a column unbounded both ways", () => {
    const m = new ModelBuilder("min");
    const f = m.variable({ name: "f", lower: Number.NEGATIVE_INFINITY, cost: 1 });
    const g = m.variable({ name: "g", upper: 3, cost: -2 });
    m.ge(
      "r",
      [
        [f, 1],
        [g, 2],
      ],
      -5,
    );
    const spec = m.build();
    const { lower, upper } = boxOf(spec);
    const out = solveDense(denseLp(spec), lower, upper);
    expect(out.status).toBe("optimal");
    if (out.status !== "optimal") return;
    // g = 3 (cost −2), f = −5 − 6 = −11: objective −17.
    expect(objectiveOf(spec, out.x)).toBeCloseTo(-17, 9);
  });
});
