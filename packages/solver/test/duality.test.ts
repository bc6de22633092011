import { afterAll, describe, expect, it } from "vitest";
import { createSolverPool } from "../src/index.ts";
import { close, independentCheck, randomLp } from "./helpers.ts";

const pool = createSolverPool({ threads: 2 });
afterAll(() => pool.close());

const SEEDS = Array.from({ length: 30 }, (_, k) => 1000 + k);

describe("LP duality on random feasible LPs (seeded)", () => {
  it.each(SEEDS)(
    "seed %i: primal feasible (checked outside the solver), strong duality, complementary slackness, dual feasibility",
    async (seed) => {
      const spec = randomLp(seed);
      const res = await pool.solve(spec);
      expect(res.status).toBe("optimal");
      expect(independentCheck(spec, res)).toEqual([]);
      const d = res.duals!;
      const x = res.primal;
      const sgn = spec.sense === "max" ? 1 : -1;
      const y = new Map(d.constraints.map((c) => [c.constraint, c]));

      // Stationarity: c = Aᵀy + d, with y = price per +1 of the limit, d = reduced cost.
      const aty = spec.variables.map(() => 0);
      spec.constraints.forEach((c) => {
        const yi = y.get(c.name)?.pricePerUnit ?? 0;
        c.vars.forEach((j, k) => {
          aty[j]! += c.coefs[k]! * yi;
        });
      });
      spec.variables.forEach((v, j) => {
        expect(close(v.cost, aty[j]! + d.variables[j]!.reducedCost, 1e-7), `stationarity ${v.name}`).toBe(
          true,
        );
      });

      // Strong duality: cᵀx = Σ price·limit + Σ reducedCost·active bound.
      let dualObj = spec.objectiveOffset;
      for (const c of d.constraints) dualObj += c.pricePerUnit * c.limitValue;
      d.variables.forEach((v, j) => {
        const col = spec.variables[j]!;
        if (v.position === "at_lower" || v.position === "fixed") dualObj += v.reducedCost * col.lower;
        else if (v.position === "at_upper") dualObj += v.reducedCost * col.upper;
        else expect(v.reducedCost).toBe(0);
      });
      expect(close(res.objective!, dualObj, 1e-7), `primal ${res.objective} vs dual ${dualObj}`).toBe(true);

      // Complementary slackness: a priced row is tight; a column with a reduced cost sits at a bound.
      spec.constraints.forEach((c, i) => {
        const yi = y.get(c.name)!;
        const act = c.vars.reduce((s, j, k) => s + c.coefs[k]! * x[j]!, 0);
        expect(Math.abs(yi.pricePerUnit * (act - yi.limitValue))).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(act)),
        );
        expect(res.constraints[i]!.binding || yi.pricePerUnit === 0).toBe(true);
      });
      spec.variables.forEach((v, j) => {
        const rc = d.variables[j]!.reducedCost;
        const dist = Math.min(Math.abs(x[j]! - v.lower), Math.abs(v.upper - x[j]!));
        expect(Math.abs(rc * dist)).toBeLessThan(1e-6);
      });

      // Dual feasibility (signs): relaxing a limit can never hurt. Raising an upper limit helps a
      // max problem (price ≥ 0) and lowers a min problem's cost (price ≤ 0); lower limits mirror.
      for (const c of d.constraints) {
        if (c.limit === "upper") expect(sgn * c.pricePerUnit).toBeGreaterThanOrEqual(-1e-9);
        if (c.limit === "lower") expect(sgn * c.pricePerUnit).toBeLessThanOrEqual(1e-9);
      }
      for (const v of d.variables) {
        if (v.position === "at_upper") expect(sgn * v.reducedCost).toBeGreaterThanOrEqual(-1e-9);
        if (v.position === "at_lower") expect(sgn * v.reducedCost).toBeLessThanOrEqual(1e-9);
      }
    },
  );
});
