import { readFileSync } from "node:fs";
import path from "node:path";
import { createContext, executeModel, ModelInputError, parseInput } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { leasingMixPrototypeFormat, leasingMixV2, termFromName } from "../../src/index.ts";

const DIR = path.resolve(import.meta.dirname, "../fixtures");
interface ProtoResponse {
  mix: { package: string; units: number; share: number; wault_contrib: number }[];
  kpis: Record<string, number>;
  constraints_report: {
    binding: { name: string; slack: number }[];
    shadow_prices: { constraint: string; unit: string; marginal_value: number }[];
  };
  what_if: unknown;
  downloads: unknown;
  pydantic_validation_error: string[];
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8")) as {
    request: unknown;
    response: ProtoResponse;
  };

async function runPrototype(request: unknown) {
  const input = parseInput(leasingMixV2, leasingMixPrototypeFormat.toInput(request));
  const output = await executeModel(leasingMixV2, input, createContext());
  return { input, output, response: leasingMixPrototypeFormat.fromOutput(output, input) as ProtoResponse };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe("compatibility with the prototype (fixtures LM*)", () => {
  it.each(["LM1_frontend_default", "LM2_designed"])(
    "%s: objective, KPIs, mix, binding rows and marginals",
    async (name) => {
      const fx = fixture(name);
      const { output, response } = await runPrototype(fx.request);
      expect(output.formulation).toBe("prototype");
      expect(output.verification).toEqual({ feasible: true, violations: [] });
      // Objective (the prototype's expected_12m_ncf) and every KPI within 1e-6 relative.
      for (const k of ["wault_months", "expected_12m_ncf", "incentive_spend", "occupancy"])
        expect(rel(response.kpis[k]!, fx.response.kpis[k]!), k).toBeLessThan(1e-6);
      expect(rel(output.kpis!.objective, fx.response.kpis.expected_12m_ncf!)).toBeLessThan(1e-6);
      expect(response.mix.map((m) => [m.package, m.units, m.wault_contrib])).toEqual(
        fx.response.mix.map((m) => [m.package, m.units, m.wault_contrib]),
      );
      response.mix.forEach((m, i) => {
        expect(rel(m.share, fx.response.mix[i]!.share)).toBeLessThan(1e-6);
      });
      expect(response.constraints_report.binding.map((b) => b.name)).toEqual(
        fx.response.constraints_report.binding.map((b) => b.name),
      );
      for (const b of response.constraints_report.binding) expect(Math.abs(b.slack)).toBeLessThan(1e-6);
      expect(response.constraints_report.shadow_prices.map((s) => s.constraint)).toEqual(
        fx.response.constraints_report.shadow_prices.map((s) => s.constraint),
      );
      response.constraints_report.shadow_prices.forEach((s, i) => {
        expect(s.unit).toBe("AED");
        expect(
          Math.abs(s.marginal_value - fx.response.constraints_report.shadow_prices[i]!.marginal_value),
        ).toBeLessThan(1e-9);
      });
      expect(response.what_if).toEqual(fx.response.what_if);
      expect(response.downloads).toEqual(fx.response.downloads);
    },
  );

  it("LM2: reports the occupancy equality's dual the prototype hid (67,142.857 AED per unit) with its range", async () => {
    const { output } = await runPrototype(fixture("LM2_designed").request);
    const occ = output.shadowPrices!.rows.find((r) => r.constraint === "Occupancy target")!;
    expect(occ.pricePerUnit).toBeCloseTo(67142.857142857, 5);
    const budget = output.shadowPrices!.rows.find((r) => r.constraint === "Incentive budget")!;
    expect(budget.pricePerUnit).toBeCloseTo(0.4285714285714, 10); // HiGHS sign: +NCF per +1 AED of budget
    expect(budget.validTo).toBeCloseTo(380000, 4);
    expect(budget.objectiveAtValidTo).toBeCloseTo(3520000, 4);
    expect(output.shadowPrices!.basis).toBe("lp");
  });

  it("LM3: infeasible → the prototype's 422 body; the native output explains it by IIS and relaxation", async () => {
    const fx = fixture("LM3_designed_infeasible");
    const { output, response } = await runPrototype(fx.request);
    expect(response).toEqual(fx.response);
    expect(output.status).toBe("infeasible");
    expect(output.infeasibility?.iis?.constraints.map((c) => c.constraint).sort()).toEqual(
      ["Min WAULT 37.0m", "Occupancy target"].sort(),
    );
    expect(output.infeasibility?.summary.join(" ")).toMatch(/Min WAULT 37.0m/);
  });

  it("LM1b: the frontend payload without expected_takeup is rejected field by field, as the prototype did (422)", async () => {
    const fx = fixture("LM1b_frontend_payload_missing_takeup");
    expect(fx.response.pydantic_validation_error[0]).toMatch(/2 validation errors/);
    const err = (() => {
      try {
        leasingMixPrototypeFormat.toInput(fx.request);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ModelInputError);
    expect((err as ModelInputError).issues).toEqual([
      { path: "packages.0.expected_takeup", message: "Field required" },
      { path: "packages.1.expected_takeup", message: "Field required" },
    ]);
  });

  it("LM4 (spec table): units_needed by Python's half-to-even round, 6 units, NCF 342,000, occupancy below target", async () => {
    const { output, response } = await runPrototype({
      inventory: { units_total: 70, vacant_now: 10 },
      occupancy_target: 0.95,
      incentive_budget: 100000,
      packages: [
        { name: "12m Standard", rent: 60000, inc_cost: 3000, expected_takeup: 1 },
        { name: "24m Premium", rent: 62000, inc_cost: 6000, expected_takeup: 1 },
      ],
      constraints: { max_share_per_package: 0.5, min_wault_months: 12 },
    });
    expect(output.kpis?.unitsToTarget).toBe(6); // round(66.5) = 66 in Python, not 67
    expect(response.mix).toEqual([{ package: "12m Standard", units: 6, share: 1, wault_contrib: 12 }]);
    expect(response.kpis.expected_12m_ncf).toBeCloseTo(342000, 6);
    expect(response.kpis.incentive_spend).toBeCloseTo(18000, 6);
    expect(response.kpis.occupancy).toBeCloseTo(0.9428571428571428, 12);
  });

  it("parses the lease term from the start of the name only, as the prototype's regex did", () => {
    expect(termFromName("24m Premium")).toBe(24);
    expect(termFromName("  36M Anchor")).toBe(36);
    expect(termFromName("Premium 24m")).toBe(12);
    expect(termFromName("2y")).toBe(12);
    expect(termFromName("1 year")).toBe(12);
  });
});
