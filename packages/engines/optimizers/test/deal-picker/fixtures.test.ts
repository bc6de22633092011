import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  DealPickerInput,
  dealPickerPrototypeFormat,
  dealPickerV2,
  type PrototypeResponse,
  runDealPicker,
} from "../../src/index.ts";

/**
 * The prototype's own request/response pairs (../shared/fixtures/optimizers/DP*.json), run through
 * the `prototype` format: objective (Σ NOI·x) and KPIs within 1e-6 relative, binding rows and
 * SciPy-signed marginals. DP4 is degenerate (A and C both yield 6 %): the number of assets is not
 * unique there, only the objective and capital are (fixtures README).
 */
const DIR = path.resolve(import.meta.dirname, "../fixtures");
const files = readdirSync(DIR).filter((f) => /^DP\d.*\.json$/.test(f));

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

async function runPrototype(request: unknown) {
  const input = DealPickerInput.parse(dealPickerPrototypeFormat.toInput(request));
  const output = await runDealPicker(input);
  return { input, output, proto: dealPickerPrototypeFormat.fromOutput(output, input) as PrototypeResponse };
}

describe("deal-picker prototype format on the prototype fixtures", () => {
  it("finds every DP fixture", () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(dealPickerV2.formats?.prototype).toBe(dealPickerPrototypeFormat);
  });

  for (const file of files) {
    const fx = JSON.parse(readFileSync(path.join(DIR, file), "utf8"));
    if (fx.response.pydantic_validation_error) {
      it(`${fx.name}: rejected field by field, like the prototype's 422`, () => {
        let err: unknown;
        try {
          dealPickerPrototypeFormat.toInput(fx.request);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ModelInputError);
        expect((err as ModelInputError).issues).toEqual([
          { path: "objective", message: "String should match pattern '^(cash_yield|risk_adjusted)$'" },
        ]);
      });
      continue;
    }
    it(`${fx.name}: objective and KPIs within 1e-6`, async () => {
      const { proto, output } = await runPrototype(fx.request);
      const want = fx.response;
      const wantObjective = want.asset_allocations.reduce(
        (s: number, a: { expected_noi: number }) => s + a.expected_noi,
        0,
      );
      expect(rel(output.kpis!.noi, wantObjective)).toBeLessThan(1e-6);
      expect(rel(output.kpis!.objective, wantObjective)).toBeLessThan(1e-6);
      for (const k of ["capital_used", "cash_yield", "risk_adjusted_yield"] as const)
        expect(rel(proto.portfolio_summary[k], want.portfolio_summary[k])).toBeLessThan(1e-6);
      if (fx.name !== "DP4_docs_test_basic")
        expect(proto.portfolio_summary.num_assets_selected).toBe(want.portfolio_summary.num_assets_selected);
      expect(proto.constraints_report.binding.map((b) => b.name)).toEqual(
        want.constraints_report.binding.map((b: { name: string }) => b.name),
      );
      expect(proto.constraints_report.shadow_prices.map((s) => s.constraint)).toEqual(
        want.constraints_report.shadow_prices.map((s: { constraint: string }) => s.constraint),
      );
      proto.constraints_report.shadow_prices.forEach((s, i) => {
        expect(
          Math.abs(s.marginal_value - want.constraints_report.shadow_prices[i].marginal_value),
        ).toBeLessThan(1e-9);
        expect(s.unit).toBe("AED");
      });
      // Where the allocation is unique (not DP4/DP5), every deal's capital and NOI match too.
      if (!/DP4|DP5/.test(fx.name)) {
        expect(proto.asset_allocations.map((a) => a.deal_id)).toEqual(
          want.asset_allocations.map((a: { deal_id: string }) => a.deal_id),
        );
        proto.asset_allocations.forEach((a, i) => {
          const w = want.asset_allocations[i];
          expect(rel(a.capital, w.capital)).toBeLessThan(1e-6);
          expect(rel(a.expected_noi, w.expected_noi)).toBeLessThan(1e-6);
          expect(rel(a.weight, w.weight)).toBeLessThan(1e-6);
        });
      }
      expect(output.check.feasible).toBe(true);
      // The prototype's what-if was a constant; ours is re-solved, in the same shape.
      expect(proto.what_if[0]?.change).toBe("Increase budget +1,000,000 AED");
    });
  }

  it("DP8 (spec §1.1: DP7 risk-adjusted, λ = 0.004) reproduces capital, yield and marginals", async () => {
    const fx = JSON.parse(readFileSync(path.join(DIR, "DP7_designed_cash_yield.json"), "utf8"));
    const { proto } = await runPrototype({
      ...fx.request,
      objective: "risk_adjusted",
      risk_penalty_per_point: 0.004,
    });
    expect(rel(proto.portfolio_summary.capital_used, 39_200_000)).toBeLessThan(1e-6);
    expect(rel(proto.portfolio_summary.cash_yield, 0.0758545918367347)).toBeLessThan(1e-6);
    expect(proto.constraints_report.binding).toHaveLength(3);
    const m = proto.constraints_report.shadow_prices.map((s) => s.marginal_value);
    for (const [i, v] of [-0.05925, -0.0075, -0.00125].entries())
      expect(Math.abs(m[i]! - v)).toBeLessThan(1e-9);
  });

  it("DP7 with whole deals (the v2 default) buys D3, D4, D5, D6 for 2,826,250 (spec §1.1)", async () => {
    const fx = JSON.parse(readFileSync(path.join(DIR, "DP7_designed_cash_yield.json"), "utf8"));
    const raw = dealPickerPrototypeFormat.toInput(fx.request) as Record<string, unknown>;
    const input = DealPickerInput.parse({ ...raw, selection: "whole", solver: { mipRelGap: 0 } });
    const out = await runDealPicker(input);
    expect(out.kpis!.objective).toBeCloseTo(2_826_250, 4);
    expect(out.kpis!.capitalUsed).toBeCloseTo(39_000_000, 4);
    expect(out.selection.map((s) => s.id)).toEqual(["D3", "D4", "D5", "D6"]);
    expect(out.shadowPrices.basis).toBe("mip-integers-fixed");
  });
});
