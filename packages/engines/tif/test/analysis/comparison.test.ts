import { createContext, executeModel, ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  calculateDealV2,
  fromPrototypeCase,
  pmt,
  TifV2Input,
  type TifV2InputRaw,
  tifComparisonModel,
} from "../../src/index.ts";
import golden from "../fixtures/golden_cases.json" with { type: "json" };

/** Market vs mixed income: every number checked against direct engine runs or the golden cases. */
const compare = (input: unknown) => executeModel(tifComparisonModel, input, createContext());
const v2 = (raw: TifV2InputRaw) => calculateDealV2(TifV2Input.parse(raw));
const goldenCase = (name: string) => golden.cases.find((c) => c.name === name)!;
const CITY = 0.574 / 100;

/** A golden case's inputs as the analyses' `project` (without what they set per scenario). */
function projectOf(name: string) {
  const {
    scenario: _s,
    idcLeaseupMonths: _i,
    selectedTier: _t,
    affordableShare: _a,
    amiLevel: _m,
    tif: _tif,
    ...project
  } = fromPrototypeCase(goldenCase(name)) as Record<string, unknown>;
  return project;
}

describe("tif@2 (default): tier 2 with the fee waiver and the TIF lump sum", () => {
  it("equals two direct tif@2 runs, the lump sum sized by the calculator on the mixed TDC", async () => {
    const out = await compare({});
    const market = v2({});
    const mixedNoTif = v2({ scenario: "mixed_income", incentives: { tier: 2, smartFeeWaiver: true } });
    const lump = ((mixedNoTif.sourcesUses.tdcUsd - 5_000_000) * CITY) / 0.095;
    const mixed = v2({
      scenario: "mixed_income",
      incentives: { tier: 2, smartFeeWaiver: true },
      tif: { treatment: "lump_sum", lumpSumUsd: lump },
    });
    expect(out.market.leveredIrr).toBe(market.returns.leveredIrr);
    expect(out.mixedIncome.leveredIrr).toBe(mixed.returns.leveredIrr);
    expect(out.incentives.tifLumpSumRequestedUsd).toBeCloseTo(lump, 6);
    expect(out.incentives.tifLumpSumSource).toBe("calculator");
    expect(out.mixedIncome.smartFeeWaiverUsd).toBe(700_000); // 40 affordable units × 17,500
    expect(out.mixedIncome.affordableUnits).toBe(40);
    const gap = (mixed.returns.leveredIrr! - market.returns.leveredIrr!) * 10_000;
    expect(out.gap.leveredIrrGapBps).toBeCloseTo(gap, 9);
    expect(out.gap.leveredIrrGapBpsRounded).toBe(Math.round(gap));
    expect(out.gap.meetsTarget).toBe(gap >= 150);
    expect(out.gap.shortfallBps).toBeCloseTo(Math.max(0, 150 - gap), 9);
    // Pinned (tif@2 2.2.0 on the defaults): market 5.8471%, mixed 1.1690%, −467.8 bps.
    expect(out.market.leveredIrr! * 100).toBeCloseTo(5.8471, 4);
    expect(out.mixedIncome.leveredIrr! * 100).toBeCloseTo(1.169, 4);
  });

  it("rolls both deals' monthly flows up by project year: each year is the sum of its 12 direct months", async () => {
    const out = await compare({
      mixedIncome: { incentives: { tier: 1, smartFeeWaiver: false, tif: "stream" } },
    });
    const market = v2({});
    const periods = market.periods;
    expect(out.yearly).toHaveLength(Math.ceil(periods.length / 12));
    const sum = (rows: typeof periods, f: (r: (typeof periods)[number]) => number) =>
      rows.reduce((s, r) => s + f(r), 0);
    // Year 3 of the market deal, from the direct run's months 25–36.
    const y3 = periods.slice(24, 36);
    expect(out.yearly[2]!.marketLeveredCfUsd).toBeCloseTo(
      sum(y3, (r) => r.leveredCf),
      6,
    );
    expect(out.yearly[2]!.marketNoiUsd).toBeCloseTo(
      sum(y3, (r) => r.noi),
      6,
    );
    // The cumulative flow ends at the whole flow; the difference column is mixed − market.
    const last = out.yearly.at(-1)!;
    expect(last.marketCumulativeLeveredCfUsd).toBeCloseTo(
      sum(periods, (r) => r.leveredCf),
      4,
    );
    for (const y of out.yearly)
      expect(y.leveredCfDifferenceUsd).toBeCloseTo(y.mixedIncomeLeveredCfUsd - y.marketLeveredCfUsd, 6);
    // The TIF stream reaches the mixed deal only, and only once it operates.
    expect(out.yearly.every((y) => y.marketTifUsd === 0)).toBe(true);
    expect(out.yearly.reduce((s, y) => s + y.mixedIncomeTifUsd, 0)).toBeGreaterThan(0);
    expect(out.yearly[0]!.mixedIncomeTifUsd).toBe(0);
  });

  it("sources equal uses in both scenarios, the lump sum and the fee waiver in their rows", async () => {
    const out = await compare({});
    const row = (item: string) => out.sourcesUses.find((r) => r.item.startsWith(item))!;
    for (const side of ["marketUsd", "mixedIncomeUsd"] as const) {
      expect(row("Total sources")[side]).toBeCloseTo(row("Total development cost")[side], 6);
      expect(
        row("Land")[side] + row("Hard costs")[side] + row("Soft costs")[side] + row("Interest during")[side],
      ).toBeCloseTo(row("Total development cost")[side], 6);
    }
    expect(row("TIF lump sum").marketUsd).toBe(0);
    expect(row("TIF lump sum").mixedIncomeUsd).toBeCloseTo(out.incentives.tifLumpSumRequestedUsd, 6);
    expect(row("SMART fee waiver").mixedIncomeUsd).toBe(700_000);
    const irr = out.keyMetrics.find((r) => r.metric === "Levered IRR")!;
    expect(irr.difference).toBeCloseTo(out.mixedIncome.leveredIrr! - out.market.leveredIrr!, 15);
    expect(out.returns.map((r) => r.scenario)).toEqual(["Market rate", "Mixed income"]);
  });

  it("takes the target as an input", async () => {
    const out = await compare({ targetIrrGapBps: -1000 });
    expect(out.gap.targetBps).toBe(-1000);
    expect(out.gap.meetsTarget).toBe(true);
    expect(out.gap.shortfallBps).toBe(0);
  });
});

describe("tif@1 (the prototype) reproduces the prototype's own comparison numbers", () => {
  it("spec fixture, no incentives: −734 bps, target not met (golden spec_fixture_comparison)", async () => {
    const out = await compare({
      engine: "tif@1",
      project: projectOf("spec_fixture_market"),
      mixedIncome: { incentives: { smartFeeWaiver: false, tif: "none" } },
    });
    expect(out.gap.leveredIrrGapBpsRounded).toBe(golden.spec_fixture_comparison.irr_difference_bps);
    expect(out.gap.meetsTarget).toBe(golden.spec_fixture_comparison.meets_target);
    expect(
      Math.abs(out.market.leveredIrr! - goldenCase("spec_fixture_market").outputs.levered_irr),
    ).toBeLessThan(1e-9);
  });

  it("defaults, tier 2 lump sum: the mixed IRR of golden case defaults_mixed_tif_lump_sum", async () => {
    const out = await compare({ engine: "tif@1", mixedIncome: { incentives: { smartFeeWaiver: false } } });
    const lumpCase = goldenCase("defaults_mixed_tif_lump_sum");
    expect(
      Math.abs(out.incentives.tifLumpSumRequestedUsd - lumpCase.calculate_deal_kwargs.tif_lump_sum!),
    ).toBeLessThan(0.01);
    expect(Math.abs(out.mixedIncome.leveredIrr! - lumpCase.outputs.levered_irr)).toBeLessThan(1e-9);
    expect(Math.abs(out.market.leveredIrr! - goldenCase("defaults_market").outputs.levered_irr)).toBeLessThan(
      1e-9,
    );
    // On tif@1 the lump sum is no source of funds: equity is the S&U equity.
    expect(out.sourcesUses.find((r) => r.item === "TIF lump sum")!.mixedIncomeUsd).toBe(0);
  });

  it("defaults, tier 2 stream of 100% for 15 years: golden case defaults_mixed_tif_stream_operations", async () => {
    const out = await compare({
      engine: "tif@1",
      mixedIncome: { incentives: { smartFeeWaiver: false, tif: "stream" } },
    });
    const c = goldenCase("defaults_mixed_tif_stream_operations");
    expect(out.incentives.tifStreamYears).toBe(15);
    expect(Math.abs(out.mixedIncome.leveredIrr! - c.outputs.levered_irr)).toBeLessThan(1e-9);
  });
});

describe("the city's cost of a package, in closed form", () => {
  it("stream: the city increment for the tier's term, growing at the property-tax growth", async () => {
    const out = await compare({ mixedIncome: { incentives: { smartFeeWaiver: false, tif: "stream" } } });
    const inc = (out.mixedIncome.tdcUsd - 5_000_000) * CITY;
    let expected = 0;
    for (let y = 0; y < 15; y++) expected += inc * 1.01 ** y;
    expect(out.incentives.cityCost.tifStreamUsd).toBeCloseTo(expected, 4);
    expect(out.incentives.cityCost.totalUsd).toBeCloseTo(expected, 4);
    // Discounted at 5%: each year's amount over 1.05^y.
    const d = await compare({
      cityDiscountRateAnnual: 0.05,
      mixedIncome: { incentives: { smartFeeWaiver: false, tif: "stream" } },
    });
    let pv = 0;
    for (let y = 1; y <= 15; y++) pv += (inc * 1.01 ** (y - 1)) / 1.05 ** y;
    expect(d.incentives.cityCost.tifStreamUsd).toBeCloseTo(pv, 4);
  });

  it("abatement and buydown", async () => {
    const out = await compare({
      mixedIncome: {
        incentives: {
          tier: 3,
          smartFeeWaiver: false,
          tif: "none",
          taxAbatement: true,
          interestBuydown: true,
        },
      },
    });
    const first = out.mixedIncome.tdcUsd * CITY * 1 * 0.1; // tier 3: 10% affordable, 100% abated
    let abatement = 0;
    for (let y = 0; y < 20; y++) abatement += first * 1.01 ** y;
    expect(out.incentives.abatementYears).toBe(20);
    expect(out.incentives.cityCost.taxAbatementUsd).toBeCloseTo(abatement, 4);
    const loan = out.mixedIncome.permLoanUsd;
    const diff = pmt(0.06 / 12, 240, -loan) - pmt(0.0525 / 12, 240, -loan); // tier 3: 75 bps
    expect(out.incentives.cityCost.interestBuydownUsd).toBeCloseTo(diff * 240, 4);
  });
});

describe("tier requirement", () => {
  it("null affordability takes the tier's; a smaller share is flagged", async () => {
    const t1 = await compare({ mixedIncome: { incentives: { tier: 1 } } });
    expect(t1.mixedIncome.amiLevel).toBe("30%");
    // round(200 × 5%) = 10, but allocated per type with half-to-even rounding: 1 + 2 + 4 + 2 + 0.
    expect(t1.mixedIncome.affordableUnits).toBe(9);
    expect(t1.tierRequirement.metByThisDeal).toBe(true);
    const short = await compare({ mixedIncome: { affordableShare: 0.1 } });
    expect(short.tierRequirement.metByThisDeal).toBe(false);
  });
});

describe("bad input: field errors before any run", () => {
  it.each([
    [
      "abatement with a TIF",
      { mixedIncome: { incentives: { taxAbatement: true } } },
      "mixedIncome.incentives.taxAbatement",
      /exclusive/,
    ],
    [
      "the fee waiver on tif@1",
      { engine: "tif@1" },
      "mixedIncome.incentives.smartFeeWaiver",
      /tif@1.*ignores/,
    ],
    [
      "a lump sum with a stream",
      { mixedIncome: { tifLumpSumUsd: 1e6, incentives: { tif: "stream" } } },
      "mixedIncome.tifLumpSumUsd",
      /no effect/,
    ],
    [
      "a stream share without a stream",
      { mixedIncome: { tifStreamShare: 0.5 } },
      "mixedIncome.tifStreamShare",
      /no effect/,
    ],
    [
      "a buydown below a 0% rate",
      { project: { permRateAnnual: 0.02 }, mixedIncome: { incentives: { tier: 1, interestBuydown: true } } },
      "mixedIncome.incentives.interestBuydown",
      /0 or below/,
    ],
    [
      "an affordable share of 0",
      { mixedIncome: { affordableShare: 0 } },
      "mixedIncome.affordableShare",
      /more than 0/,
    ],
    ["zero units", { project: { targetUnits: 0 } }, "project.targetUnits", /at least 1 unit/],
    ["NaN land cost", { project: { landCostUsd: Number.NaN } }, "project.landCostUsd", /number/i],
    ["a scenario inside the project", { project: { scenario: "market" } }, "project", /scenario/],
    ["an unknown engine", { engine: "tif@3" }, "engine", /./],
    ["a target of 20,000 bps", { targetIrrGapBps: 20_000 }, "targetIrrGapBps", /10,000/],
  ])("%s → %s", async (_what, input, path, message) => {
    const err = await compare(input).catch((e) => e);
    expect(err).toBeInstanceOf(ModelInputError);
    const issue = (err as ModelInputError).issues.find((i) => i.path === path);
    expect(issue?.message, JSON.stringify((err as ModelInputError).issues)).toMatch(message);
  });
});
