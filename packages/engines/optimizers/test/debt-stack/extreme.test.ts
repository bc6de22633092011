import { createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { pmt } from "../../src/debt-stack/schedule.ts";
import { debtStackV3 } from "../../src/index.ts";

/**
 * Issue 19, found by a soak of every valid fuzz substitution: a fixed rate of 1e-308 (allowed:
 * rates run from −5% to 100%) made the annuity 0/0 and the model refused its own coefficients
 * ("Cost of amount[senior] must be a number").
 */
describe("debt-stack on a negligible rate", () => {
  it("pays the rate-0 amount b/n when 1 + i rounds to 1", () => {
    expect(pmt(1e-308 / 12, 240, 1_000_000)).toBe(1_000_000 / 240);
    expect(pmt(0, 240, 1_000_000)).toBe(1_000_000 / 240);
    // A real rate still takes the annuity formula: 6%/yr over 20 years on 1,000,000.
    expect(pmt(0.06 / 12, 240, 1_000_000)).toBeCloseTo(7164.310585, 5);
  });

  it("solves an example with tranche 0 at a fixed rate of 1e-308", async () => {
    const ex = debtStackV3.examples.find((e) => e.name === "marina-tower-expected")!;
    const input = structuredClone(ex.input) as { tranches: Record<string, unknown>[] };
    input.tranches[0]!.fixedRate = 1e-308;
    const out = (await executeModel(debtStackV3, input, createContext())) as { status: string };
    expect(["optimal", "infeasible", "time-limit"]).toContain(out.status);
  }, 60_000);
});
