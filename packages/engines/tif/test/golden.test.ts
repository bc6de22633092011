import { createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { fromPrototypeCase, SERIES, tifV1 } from "../src/index.ts";
import type { TifOutput } from "../src/schema.ts";
import golden from "./fixtures/golden_cases.json" with { type: "json" };

/**
 * tif@1 against the prototype's own outputs (test/fixtures/golden_cases.json, a copy of
 * ../shared/fixtures/tif/golden_cases.json: calculate_deal at HewwoWewwow/1bedrock@7487e90,
 * numpy 1.24.2, numpy_financial 1.0.0). Tolerances from issue 4: every per-period series within
 * $0.01 at every period, IRRs within 1e-9, dollar outputs within $0.01; ratios within 1e-9.
 */
const MONEY = 0.01;
const RATIO = 1e-9;

type GoldenCase = (typeof golden.cases)[number];
const results = new Map<string, TifOutput>();
async function run(c: GoldenCase): Promise<TifOutput> {
  let out = results.get(c.name);
  if (!out) {
    out = (await executeModel(tifV1, fromPrototypeCase(c), createContext())) as TifOutput;
    results.set(c.name, out);
  }
  return out;
}

type Pick = (o: TifOutput) => number | string | null;
const su = (o: TifOutput) => o.sourcesUses;
/** Golden scalar output (dotted into nested objects) → [how to read ours, tolerance]. */
const SCALARS: Record<string, [Pick, number]> = {
  gpr_market_monthly: [(o) => o.units.gprMarketMonthlyUsd, MONEY],
  gpr_affordable_monthly: [(o) => o.units.gprAffordableMonthlyUsd, MONEY],
  gpr_total_annual: [(o) => o.units.gprTotalAnnualUsd, MONEY],
  total_units: [(o) => o.units.totalUnits, 0],
  affordable_units: [(o) => o.units.affordableUnits, 0],
  "sources_uses.land": [(o) => su(o).landUsd, MONEY],
  "sources_uses.hard_costs_incl_contingency": [(o) => su(o).hardCostsInclContingencyUsd, MONEY],
  "sources_uses.soft_costs_incl_reserves_predev_devfee": [
    (o) => su(o).softCostsInclReservesPredevDevFeeUsd,
    MONEY,
  ],
  "sources_uses.soft_cost_pct_effective": [(o) => su(o).softCostShareEffective, RATIO],
  "sources_uses.reserves": [(o) => su(o).reservesUsd, MONEY],
  "sources_uses.idc": [(o) => su(o).idcUsd, MONEY],
  "sources_uses.tdc": [(o) => su(o).tdcUsd, MONEY],
  "sources_uses.construction_loan": [(o) => su(o).constructionLoanUsd, MONEY],
  "sources_uses.equity": [(o) => su(o).equityUsd, MONEY],
  "sources_uses.hard_cost_contingency(display)": [(o) => su(o).hardCostContingencyUsd, MONEY],
  "sources_uses.soft_cost_contingency(display)": [(o) => su(o).softCostContingencyUsd, MONEY],
  "sources_uses.predevelopment_costs(display)": [(o) => su(o).predevelopmentCostsUsd, MONEY],
  "sources_uses.developer_fee(display)": [(o) => su(o).developerFeeUsd, MONEY],
  perm_loan_amount_funded: [(o) => o.permanentLoan.fundedUsd, MONEY],
  perm_loan_sizing_trace_value: [(o) => o.permanentLoan.sizingMaxUsd, MONEY],
  perm_loan_binding_constraint: [(o) => `Binding constraint: ${o.permanentLoan.bindingConstraint}`, 0],
  perm_monthly_payment: [(o) => o.permanentLoan.monthlyPaymentUsd, MONEY],
  construction_loan_payoff_at_conversion: [(o) => o.permanentLoan.constructionPayoffAtConversionUsd, MONEY],
  stabilized_noi_for_sizing: [(o) => o.permanentLoan.stabilizedNoiForSizingUsd, MONEY],
  stabilized_value_for_ltv: [(o) => o.permanentLoan.stabilizedValueForLtvUsd, MONEY],
  levered_irr: [(o) => o.returns.leveredIrr, 1e-9],
  unlevered_irr: [(o) => o.returns.unleveredIrr, 1e-9],
  levered_irr_recomputed_from_adjusted_array: [(o) => o.returns.leveredIrr, 1e-9],
  unlevered_irr_recomputed_from_adjusted_array: [(o) => o.returns.unleveredIrr, 1e-9],
  tif_lump_sum_applied: [(o) => o.returns.tifLumpSumAppliedUsd, MONEY],
  "metrics.noi_annual(first_ops_month_x12)": [(o) => o.metrics.noiAnnualUsd, MONEY],
  "metrics.yield_on_cost": [(o) => o.metrics.yieldOnCost, RATIO],
  "metrics.equity_multiple": [(o) => o.returns.equityMultiple, RATIO],
  "metrics.equity_required(=sources_uses.equity)": [(o) => o.metrics.equityRequiredUsd, MONEY],
  "metrics.debt_amount(=construction_loan)": [(o) => o.metrics.debtAmountUsd, MONEY],
  total_equity_invested: [(o) => o.totals.totalEquityInvestedUsd, MONEY],
  total_noi: [(o) => o.totals.totalNoiUsd, MONEY],
  total_debt_service: [(o) => o.totals.totalDebtServiceUsd, MONEY],
  reversion_value_net: [(o) => o.totals.reversionValueNetUsd, MONEY],
  npv_levered_at_15pct_sidebar_method: [(o) => o.returns.npvLeveredUsd, MONEY],
  "phase_ends.predevelopment_end": [(o) => o.phaseEnds.predevelopmentEnd, 0],
  "phase_ends.construction_end": [(o) => o.phaseEnds.constructionEnd, 0],
  "phase_ends.leaseup_end": [(o) => o.phaseEnds.leaseupEnd, 0],
  "phase_ends.operations_end": [(o) => o.phaseEnds.operationsEnd, 0],
  "phase_ends.total_periods": [(o) => o.phaseEnds.totalPeriods, 0],
};

function goldenValue(outputs: Record<string, unknown>, path: string): unknown {
  if (path in outputs) return outputs[path];
  const [head, ...rest] = path.split(".");
  return (outputs[head!] as Record<string, unknown> | undefined)?.[rest.join(".")];
}

describe.each(golden.cases.map((c) => [c.name, c] as const))("golden case %s", (_name, c) => {
  it.each(Object.entries(SERIES))("series %s matches at every period within $0.01", async (snake, camel) => {
    const out = await run(c);
    const expected = (c.periods as Record<string, number[]>)[snake]!;
    expect(out.periods).toHaveLength(expected.length);
    const bad: string[] = [];
    expected.forEach((e, i) => {
      const got = out.periods[i]![camel];
      if (!(Math.abs(got - e) <= MONEY)) bad.push(`period ${i + 1}: got ${got}, prototype ${e}`);
    });
    expect(bad).toEqual([]);
  });

  it.each(Object.keys(SCALARS))("output %s matches", async (name) => {
    const out = await run(c);
    const [pick, tol] = SCALARS[name]!;
    const got = pick(out);
    const expected = goldenValue(c.outputs as Record<string, unknown>, name);
    if (typeof expected === "string" || tol === 0) expect(got).toBe(expected);
    else expect(Math.abs((got as number) - (expected as number))).toBeLessThanOrEqual(tol);
  });

  it("unit allocation matches, type by type", async () => {
    const out = await run(c);
    expect(
      out.units.allocation.map((a) => ({
        unit_type: a.unitType,
        gsf: a.grossSqft,
        nsf: a.netSqft,
        total_units: a.totalUnits,
        market_units: a.marketUnits,
        affordable_units: a.affordableUnits,
        market_rent_monthly: a.marketRentMonthlyUsd,
        affordable_rent_monthly: a.affordableRentMonthlyUsd,
        ami_tier: a.amiTier,
      })),
    ).toEqual(c.unit_allocation);
  });
});

describe("spec cross-checks beyond the fixture", () => {
  it("spec fixture mixed vs market: −734 bps (spec_fixture_comparison, half-even rounding)", async () => {
    const spec = golden.cases.find((x) => x.name === "spec_fixture_market")!;
    const market = await run(spec);
    const mixed = (await executeModel(
      tifV1,
      fromPrototypeCase({ ...spec, scenario: "mixed_income" }),
      createContext(),
    )) as TifOutput;
    const bps = Math.round((mixed.returns.leveredIrr! - market.returns.leveredIrr!) * 10_000);
    expect(bps).toBe(golden.spec_fixture_comparison.irr_difference_bps);
  });

  it("defaults stream case with LEASEUP timing: levered IRR 0.039184% (spec §3)", async () => {
    const c = golden.cases.find((x) => x.name === "defaults_mixed_tif_stream_operations")!;
    const out = (await executeModel(
      tifV1,
      fromPrototypeCase({ ...c, inputs: { ...c.inputs, tif_start_timing: "leaseup" } }),
      createContext(),
    )) as TifOutput;
    expect(out.returns.leveredIrr! * 100).toBeCloseTo(0.039184, 6);
  });
});
