import { describe, expect, it } from "vitest";
import { solveInThisThread } from "../src/index.ts";
import { randomKnapsack } from "./helpers.ts";

/**
 * Small MIPs run without HiGHS's feasibility-jump heuristic by default (run.ts,
 * SMALL_MIP_COLUMNS): it changes how fast the optimum is found, never which one — the same plan,
 * objective, bound and status as with the heuristic, on random knapsacks with side constraints,
 * general integers and equality rows.
 */
const randomMip = (seed: number) => randomKnapsack(seed, { columns: [5, 49], minUpper: 3 });

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
