import { createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { type DealPickerInputRaw, DealPickerV3Output, dealPickerV2, dealPickerV3 } from "../../src/index.ts";

/**
 * deal-picker@3 solves exactly as deal-picker@2 and reports the explanation in the optimizers'
 * shared shapes. Each case runs both versions through the platform's own path (input and output
 * validated) and checks v3's numbers against v2's, then the hand-checked values directly.
 */
const M = 1_000_000;
const noCosts = { transactionCostRate: 0, vacancyHaircut: 0 };
const ctx = () => createContext({ signal: new AbortController().signal });
const both = async (raw: DealPickerInputRaw) => {
  const input = { whatIf: { enabled: false }, solver: { mipRelGap: 0 }, ...raw };
  const [v2, v3] = await Promise.all([
    executeModel(dealPickerV2, input, ctx()),
    executeModel(dealPickerV3, input, ctx()),
  ]);
  return { v2, v3 };
};

/** The plan, KPIs and every constraint's and price's numbers of v3 equal v2's. */
function expectSameNumbers({ v2, v3 }: Awaited<ReturnType<typeof both>>) {
  expect(v3.selection).toEqual(v2.selection);
  expect(v3.kpis).toEqual(v2.kpis);
  expect(v3.deals).toEqual(v2.deals);
  expect(v3.whatIf).toEqual(v2.whatIf);
  expect(v3.binding).toEqual(v2.binding);
  expect(v3.mip).toEqual(v2.mip);
  expect(v3.constraints).toHaveLength(v2.constraints.length);
  v2.constraints.forEach((c, i) => {
    const row = v3.constraints[i]!;
    expect(row).toMatchObject({
      constraint: c.constraint,
      kind: c.kind,
      activity: c.activity,
      slack: c.slack,
    });
    expect(c.sense === "<=" ? row.upper : row.lower).toBe(c.limit);
    expect(row.limit).toBe(c.sense === "<=" ? "upper" : "lower");
  });
  const priced = v2.constraints.filter((c) => c.shadowPrice !== null);
  expect(v3.shadowPrices?.rows.map((r) => [r.constraint, r.pricePerUnit, r.validFrom, r.validTo])).toEqual(
    v2.shadowPrices.basis === null
      ? undefined
      : priced.map((c) => [c.constraint, c.shadowPrice, c.validFrom, c.validTo]),
  );
}

describe("deal-picker@3: the numbers of deal-picker@2 in the shared explanation", () => {
  const ABC: DealPickerInputRaw["deals"] = [
    { id: "A", askPrice: 6 * M, noi: 600_000, sector: "Office", city: "Downtown" },
    { id: "B", askPrice: 5 * M, noi: 450_000, sector: "Residential", city: "Marina" },
    { id: "C", askPrice: 5 * M, noi: 450_000, sector: "Residential", city: "JVC" },
  ];

  it("whole deals: B + C = 900,000, proven optimal, re-checked", async () => {
    const r = await both({ budget: 10 * M, deals: ABC, assumptions: noCosts });
    expectSameNumbers(r);
    expect(r.v3.selection.map((s) => s.id)).toEqual(["B", "C"]);
    expect(r.v3.kpis!.noi).toBeCloseTo(900_000, 6);
    expect(r.v3.status).toBe("optimal");
    expect(r.v3.verification).toMatchObject({ feasible: true, violations: [] });
  });

  it("fractional: budget price 0.09 per AED over 6M … 11M, with the objective at both ends", async () => {
    const r = await both({ budget: 10 * M, deals: ABC, assumptions: noCosts, selection: "fractional" });
    expectSameNumbers(r);
    expect(r.v3.kpis!.noi).toBeCloseTo(960_000, 6);
    const budget = r.v3.shadowPrices!.rows.find((p) => p.constraint === "Budget")!;
    expect(r.v3.shadowPrices!.basis).toBe("lp");
    expect(budget).toMatchObject({
      limit: "upper",
      limitValue: 10 * M,
      binding: true,
      objectiveUnit: "AED/yr",
    });
    expect(budget.pricePerUnit).toBeCloseTo(0.09, 12);
    expect(budget.validFrom).toBeCloseTo(6 * M, 3);
    expect(budget.validTo).toBeCloseTo(11 * M, 3);
    // At 6M only A fits (600,000); at 11M A and 5M of a 9 % deal (1,050,000).
    expect(budget.objectiveAtValidFrom).toBeCloseTo(600_000, 3);
    expect(budget.objectiveAtValidTo).toBeCloseTo(1_050_000, 3);
    expect(budget.meaning).toMatch(/\+0\.09 AED\/yr/);
  });

  it("explains an infeasible request by the solver's IIS and relaxation, as rows", async () => {
    const r = await both({
      budget: 10 * M,
      assumptions: noCosts,
      deals: [
        { id: "TOWER", askPrice: 12 * M, noi: 900_000, sector: "Office", city: "DIFC", mustBuy: true },
        { id: "SHOP", askPrice: 3 * M, noi: 240_000, sector: "Retail", city: "JLT" },
      ],
    });
    expectSameNumbers(r);
    expect(r.v3.status).toBe("infeasible");
    expect(r.v3.kpis).toBeNull();
    expect(r.v3.verification).toBeNull();
    expect(r.v3.shadowPrices).toBeNull();
    const inf = r.v3.infeasibility!;
    expect(inf.iis!.constraints.map((c) => c.constraint)).toContain("Budget");
    expect(inf.relaxation).toHaveLength(1);
    expect(inf.relaxation![0]).toMatchObject({ constraint: "Budget", limit: "upper", current: 10 * M });
    expect(inf.relaxation![0]!.required).toBeCloseTo(12 * M, 3);
    expect(inf.relaxation![0]!.explanation).toBe(r.v2.infeasibility!.relaxation[0]!.text);
    expect(inf.summary[0]).toBe(r.v2.infeasibility!.summary);
  });

  it("min assets after exclusions: a lower limit relaxed downwards", async () => {
    const r = await both({
      budget: 100 * M,
      minAssets: 2,
      deals: [
        { id: "A", askPrice: 5 * M, noi: 400_000, sector: "Office", city: "DIFC" },
        { id: "B", askPrice: 5 * M, noi: 400_000, sector: "Office", city: "DIFC", excluded: true },
      ],
    });
    expect(r.v3.status).toBe("infeasible");
    expect(r.v3.infeasibility!.relaxation![0]).toMatchObject({
      constraint: "Min assets",
      current: 2,
      required: 1,
    });
  });

  it.each(dealPickerV2.examples.map((e) => [e.name, e.input] as const))(
    "example %s: the same plan, prices and what-ifs",
    async (_name, input) => {
      const r = await both({ ...input, whatIf: { enabled: true } });
      expectSameNumbers(r);
      expect(r.v3.whatIf.length).toBeGreaterThan(0);
      expect(DealPickerV3Output.safeParse(r.v3).success).toBe(true);
    },
    60_000,
  );

  it("answers the prototype format exactly as v2 does", async () => {
    const ex = dealPickerV2.examples[0]!;
    const r = await both({ ...ex.input, whatIf: { enabled: true } });
    const v2 = dealPickerV2.formats!.prototype!.fromOutput(r.v2, ex.input as never);
    const v3 = dealPickerV3.formats!.prototype!.fromOutput(r.v3, ex.input as never);
    expect(v3).toEqual(v2);
  }, 60_000);

  it("is hosted beside v2, each with the optimizer view", () => {
    expect(dealPickerV3.version).toBe("3.0.0");
    expect(dealPickerV2.version).toBe("2.0.0");
    expect([dealPickerV2.view, dealPickerV3.view]).toEqual(["optimizer", "optimizer"]);
  });
});
