import { readFileSync } from "node:fs";
import path from "node:path";
import { createContext, executeModel, ModelInputError, parseInput } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { checkDebtStackPlan, debtStackPrototypeFormat, debtStackV3 } from "../../src/index.ts";

const DIR = path.resolve(import.meta.dirname, "../fixtures");
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8")) as {
    request: unknown;
    response: Record<string, unknown>;
  };

interface ProtoResponse {
  stack_summary: { ltv: number; total_debt: number; weighted_cost: number; min_dscr: number };
  tranche_allocations: {
    name: string;
    amount: number;
    rate: number | null;
    spread: number | null;
    io_months: number;
  }[];
  constraints_report: {
    binding: { name: string }[];
    shadow_prices: { constraint: string; unit: string; marginal_value: number }[];
  };
}

async function runPrototype(request: unknown) {
  const input = parseInput(debtStackV3, debtStackPrototypeFormat.toInput(request));
  const output = await executeModel(debtStackV3, input, createContext());
  return { input, output, response: debtStackPrototypeFormat.fromOutput(output, input) as ProtoResponse };
}

describe("prototype requests (fixtures DS*) run through the correct model", () => {
  it("DS1 (frontend defaults, percent rates): funds the purchase — senior 16.25M at its cap, mezz 1.25M, equity 7.5M", async () => {
    const fx = fixture("DS1_frontend_default_as_is");
    // The prototype answered zero debt; we do not reproduce that (no compatibility mode).
    expect((fx.response.stack_summary as { total_debt: number }).total_debt).toBe(0);
    const { input, output, response } = await runPrototype(fx.request);
    expect(input.tranches[0]!.fixedRate).toBeCloseTo(0.055, 12); // 5.5 read as percent
    expect(input.tranches[1]!.spread).toBeCloseTo(0.08, 12);
    expect(output.notes.join(" ")).toMatch(/read as percent/);
    expect(output.status).toBe("optimal");
    expect(output.kpis!.equity).toBeCloseTo(7_500_000, 4);
    expect(output.tranches.map((t) => Math.round(t.amount))).toEqual([16_250_000, 1_250_000]);
    expect(output.verification).toEqual({ feasible: true, violations: [] });
    expect(
      checkDebtStackPlan(input, {
        amounts: Object.fromEntries(output.tranches.map((t) => [t.trancheId, t.amount])),
        equity: output.kpis!.equity,
        notionals: {},
      }),
    ).toEqual([]);
    // The prototype's response shape with our numbers.
    expect(response.stack_summary.total_debt).toBeCloseTo(17_500_000, 4);
    expect(response.stack_summary.ltv).toBeCloseTo(0.7, 9);
    expect(response.stack_summary.min_dscr).toBeGreaterThanOrEqual(1.25 - 1e-9);
    expect(response.tranche_allocations.map((t) => [t.name, t.io_months])).toEqual([
      ["Senior Bank", 12],
      ["Mezzanine", 0],
    ]);
    expect(response.constraints_report.binding.map((b) => b.name)).toContain("Max share senior-bank");
  });

  it("DS2 (decimal rates, base/stress SOFR): every year and scenario meets DSCR 1.25 on amortizing debt service", async () => {
    const { input, output, response } = await runPrototype(fixture("DS2_decimal_rates").request);
    expect(input.rateScenarios.map((s) => [s.indexRate, s.weight])).toEqual([
      [0.05, 0.6],
      [0.07, 0.4],
    ]);
    expect(output.status).toBe("optimal");
    expect(output.byYearScenario).toHaveLength(3 * 2);
    for (const r of output.byYearScenario) expect(r.dscr!).toBeGreaterThanOrEqual(1.25 - 1e-7);
    expect(output.kpis!.totalDebt).toBeCloseTo(17_500_000, 4);
    expect(output.verification!.feasible).toBe(true);
    expect(response.stack_summary.weighted_cost).toBeGreaterThan(0.05);
    expect(response.constraints_report.shadow_prices.length).toBe(output.constraints.length);
  });

  it("DS3 (fixed tranche without a rate): a field-level error instead of the prototype's 500", () => {
    const fx = fixture("DS3_fixed_tranche_without_rate");
    expect(fx.response.python_exception).toMatch(/TypeError/);
    try {
      debtStackPrototypeFormat.toInput(fx.request);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelInputError);
      expect((e as ModelInputError).issues).toEqual([
        { path: "tranches.0.rate", message: "a fixed tranche needs a rate" },
      ]);
    }
  });

  it("a request without NOI is rejected field by field (the prototype silently dropped its DSCR row)", () => {
    const req = fixture("DS1_frontend_default_as_is").request as Record<string, unknown>;
    expect(() => debtStackPrototypeFormat.toInput({ ...req, noi_schedule: {} })).toThrow(ModelInputError);
  });
});
