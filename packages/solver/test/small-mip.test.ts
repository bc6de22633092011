import { describe, expect, it } from "vitest";
import { ModelBuilder, type ModelSpec, solveInThisThread } from "../src/index.ts";
import { rng } from "./helpers.ts";

/**
 * Small MIPs run without HiGHS's feasibility-jump heuristic by default (run.ts,
 * SMALL_MIP_COLUMNS): it changes how fast the optimum is found, never which one — the same plan,
 * objective, bound and status as with the heuristic, on random knapsacks with side constraints,
 * general integers and equality rows.
 */
function randomMip(seed: number): ModelSpec {
  const r = rng(seed);
  const n = 5 + Math.floor(r() * 45);
  const m = new ModelBuilder(r() < 0.5 ? "max" : "min");
  const x = Array.from({ length: n }, (_, j) =>
    r() < 0.7
      ? m.variable({ name: `b${j}`, binary: true, cost: Math.round(100 * r()) - 20 })
      : m.variable({
          name: `i${j}`,
          integer: true,
          upper: 3 + Math.floor(r() * 5),
          cost: Math.round(50 * r()) - 10,
        }),
  );
  const rows = 1 + Math.floor(r() * 4);
  for (let i = 0; i < rows; i++) {
    const terms = x.filter(() => r() < 0.6).map((v) => [v, 1 + Math.round(20 * r())] as const);
    if (terms.length === 0) continue;
    const total = terms.reduce((s, [, a]) => s + a, 0);
    if (m.sense === "max") m.le(`cap${i}`, terms, Math.round(total * (0.2 + 0.5 * r())));
    else m.ge(`need${i}`, terms, Math.round(total * (0.1 + 0.3 * r())));
  }
  return m.build();
}

describe("small MIPs without feasibility jump", () => {
  it("give the plans and numbers of the solve with it", async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const spec = randomMip(seed);
      const { solveMs: _a, ...byDefault } = await solveInThisThread(spec, {
        mipRelGap: 0,
        // HiGHS's MIP both times (not the branch and bound for few integers, branch.ts).
        branchAndBound: false,
      });
      const { solveMs: _b, ...withJump } = await solveInThisThread(spec, {
        mipRelGap: 0,
        feasibilityJump: true,
        branchAndBound: false,
      });
      expect(byDefault.status, `seed ${seed}`).toBe(withJump.status);
      expect(byDefault.objective, `seed ${seed}`).toBe(withJump.objective);
      expect(byDefault.values, `seed ${seed}`).toEqual(withJump.values);
    }
  });
});
