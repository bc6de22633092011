/**
 * Issue 20 goal 3: a what-if that only tightens a limit the base plan still meets (here the min
 * DSCR one step up, against a plan at 1.90x) is answered by the base plan without a re-solve. The
 * answer must be what re-solving the what-if's own input gives.
 */
import { createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { DEBT_STACK_EXAMPLES, debtStackV3 } from "../../src/index.ts";

const example = DEBT_STACK_EXAMPLES.find((e) => e.name === "office-refinance-lender-minimums")!;
const run = (raw: unknown) => executeModel(debtStackV3, raw, createContext());

describe("debt-stack what-ifs implied by the base plan", () => {
  it("answers dscr-up from the base plan (one solve fewer) with what a re-solve of its input gives", async () => {
    const out = await run(example.input);
    const up = out.whatIf.find((w) => w.name === "dscr-up")!;
    expect(out.kpis!.minDscr).toBeGreaterThan(up.to as number);
    // The base plan, exactly.
    expect(up.status).toBe("optimal");
    expect(up.objective).toBe(out.kpis!.objective);
    expect(up.deltaObjective).toBe(0);
    expect(up.equity).toBe(out.kpis!.equity);
    expect(up.amounts).toEqual(
      Object.fromEntries(out.tranches.filter((t) => t.amount > 1e-6).map((t) => [t.trancheId, t.amount])),
    );
    // Base plan + 8 what-ifs, of which dscr-up is not solved: 8 solver runs, not 9.
    expect(out.whatIf).toHaveLength(8);
    expect(out.solve.solves).toBe(8);

    // The what-if's own input, solved from scratch: the same optimum.
    const raw = example.input as { targets: Record<string, unknown> };
    const direct = await run({
      ...raw,
      targets: { ...raw.targets, minDscr: up.to },
      whatIf: { enabled: false },
    });
    expect(direct.kpis!.objective).toBeCloseTo(up.objective!, 6);
    // The same plan; amounts within 1e-9 relative (decision 0057: a MIP's continuous values come
    // from the LP with its integers fixed, here a different model's, equal up to the last digits).
    expect(direct.tranches.map((t) => t.trancheId)).toEqual(out.tranches.map((t) => t.trancheId));
    direct.tranches.forEach((t, i) => {
      const base = out.tranches[i]!.amount;
      expect(Math.abs(t.amount - base), t.trancheId).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(base)));
    });
  });

  it("still re-solves a tightening what-if the base plan does not meet (ltv-down, equity-down)", async () => {
    const out = await run(example.input);
    for (const name of ["ltv-down", "equity-down"]) {
      const w = out.whatIf.find((x) => x.name === name)!;
      expect(w.status).toBe("infeasible");
    }
  });
});
