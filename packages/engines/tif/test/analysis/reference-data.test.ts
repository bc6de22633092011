import { type AnyModel, createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  tifComparisonModel,
  tifIncentiveMatrixModel,
  tifLumpSumModel,
  tifSolveModel,
} from "../../src/analysis/index.ts";
import {
  type AmiRentLimitsTable,
  calculateDealV2,
  PROTOTYPE_AMI_RENT_LIMITS,
  PROTOTYPE_TAX_RATES,
  type TaxRateStackTable,
  TifV2Input,
  tifMonteCarlo,
} from "../../src/index.ts";

/**
 * The analyses and the Monte Carlo declare the same reference data as tif@2 (AMI rent limits and
 * the tax-rate stack) and run on what the platform puts in ctx.data, else the shipped editions.
 */

// Every 50% AMI limit $100 higher; the city rate 0.674 instead of 0.574.
const AMI_PLUS_100: AmiRentLimitsTable = {
  ...PROTOTYPE_AMI_RENT_LIMITS,
  version: "test-plus-100",
  source: "test",
  rows: PROTOTYPE_AMI_RENT_LIMITS.rows.map((r) =>
    r.amiLevel === "50%"
      ? {
          amiLevel: "50%",
          studio: r.studio + 100,
          "1br": r["1br"] + 100,
          "2br": r["2br"] + 100,
          "3br": r["3br"] + 100,
          "4br": r["4br"] + 100,
        }
      : r,
  ),
};
const CITY_0674: TaxRateStackTable = {
  ...PROTOTYPE_TAX_RATES,
  version: "test-city-0674",
  source: "test",
  rows: PROTOTYPE_TAX_RATES.rows.map((r) => (r.unit === "city" ? { ...r, ratePer100Usd: 0.674 } : r)),
};
const DATA = { austinAmiRentLimits: AMI_PLUS_100, austinTaxRates: CITY_0674 };
const TABLES = { ami: AMI_PLUS_100, tax: CITY_0674 };

// biome-ignore lint/suspicious/noExplicitAny: outputs of several models
const run = async (model: AnyModel, input: object, data = {}): Promise<any> =>
  executeModel(model, input, createContext({ data }));

describe("declared data", () => {
  it("every analysis and the Monte Carlo ask for the tables tif@2 reads", () => {
    for (const m of [tifComparisonModel, tifIncentiveMatrixModel, tifSolveModel, tifMonteCarlo])
      expect(m.data).toEqual(["austinAmiRentLimits", "austinTaxRates"]);
    expect(tifLumpSumModel.data).toEqual(["austinTaxRates"]);
  });
});

describe("tif-comparison on the platform's tables", () => {
  it("affordable rents from the AMI table: 40 units at 50% AMI, +$100 each, +$48,000 a year of GPR", async () => {
    const shipped = await run(tifComparisonModel, {});
    const upstream = await run(tifComparisonModel, {}, { austinAmiRentLimits: AMI_PLUS_100 });
    expect(upstream.mixedIncome.affordableUnits).toBe(40);
    expect(upstream.mixedIncome.gprAnnualUsd - shipped.mixedIncome.gprAnnualUsd).toBeCloseTo(48_000, 6);
    // The market deal has no affordable units: unchanged.
    expect(upstream.market.leveredIrr).toBe(shipped.market.leveredIrr);
  });

  it("omitted project tax rates come from the tax table: the lump sum scales with the city rate", async () => {
    const shipped = await run(tifComparisonModel, {});
    const upstream = await run(tifComparisonModel, {}, DATA);
    // The calculator's lump sum = (TDC − base AV) × τc / 9.5%; the TDC does not depend on taxes.
    expect(upstream.mixedIncome.tdcUsd).toBe(shipped.mixedIncome.tdcUsd);
    expect(
      upstream.incentives.tifLumpSumRequestedUsd / shipped.incentives.tifLumpSumRequestedUsd,
    ).toBeCloseTo(0.674 / 0.574, 12);
    // Each side equals a direct tif@2 run on the same tables.
    const market = calculateDealV2(TifV2Input.parse({}), TABLES);
    expect(upstream.market.leveredIrr).toBe(market.returns.leveredIrr);
  });

  it("explicit project tax rates win over the table", async () => {
    const rates = { city: 0.574, county: 0.3758, isd: 0.9252, hospital: 0.098, acc: 0.1034 };
    const shipped = await run(tifComparisonModel, {});
    const given = await run(
      tifComparisonModel,
      { project: { taxRatesPer100Usd: rates } },
      { austinTaxRates: CITY_0674 },
    );
    expect(given.incentives.tifLumpSumRequestedUsd).toBe(shipped.incentives.tifLumpSumRequestedUsd);
    expect(given.gap.leveredIrrGapBps).toBe(shipped.gap.leveredIrrGapBps);
  });

  it("tif@1 keeps the prototype's tables whatever the platform supplies", async () => {
    const input = { engine: "tif@1", mixedIncome: { incentives: { smartFeeWaiver: false } } };
    const shipped = await run(tifComparisonModel, input);
    const upstream = await run(tifComparisonModel, input, DATA);
    expect(upstream.gap.leveredIrrGapBps).toBe(shipped.gap.leveredIrrGapBps);
    expect(upstream.incentives.tifLumpSumRequestedUsd).toBe(shipped.incentives.tifLumpSumRequestedUsd);
  });
});

describe("the other analyses and the Monte Carlo on the platform's tables", () => {
  it("tif-incentive-matrix: the tier 2 rows see the AMI table (tiers 1 at 30% AMI do not)", async () => {
    const shipped = await run(tifIncentiveMatrixModel, { tiers: [1, 2] });
    const upstream = await run(
      tifIncentiveMatrixModel,
      { tiers: [1, 2] },
      { austinAmiRentLimits: AMI_PLUS_100 },
    );
    const byName = (o: { rows: { name: string; mixedLeveredIrr: number }[] }, name: string) =>
      o.rows.find((r) => r.name === name)!.mixedLeveredIrr;
    expect(byName(upstream, "T2-Fee")).toBeGreaterThan(byName(shipped, "T2-Fee"));
    expect(byName(upstream, "T1-Fee")).toBe(byName(shipped, "T1-Fee"));
  });

  it("tif-solve: the market side is the direct tif@2 run on the same tables", async () => {
    const out = await run(
      tifSolveModel,
      { lever: "marketRentScale", mixedIncome: { incentives: { tif: "none" } } },
      DATA,
    );
    expect(out.market.leveredIrr).toBe(calculateDealV2(TifV2Input.parse({}), TABLES).returns.leveredIrr);
  });

  it("tif-lump-sum: the city rate from the tax table unless given", async () => {
    const a = await run(tifLumpSumModel, { newAssessedValueUsd: 63_000_000 }, { austinTaxRates: CITY_0674 });
    expect(a.lumpSumUsd).toBeCloseTo((58_000_000 * 0.00674) / 0.095, 6);
    const b = await run(tifLumpSumModel, { newAssessedValueUsd: 63_000_000 });
    expect(b.lumpSumUsd).toBeCloseTo((58_000_000 * 0.00574) / 0.095, 6);
  });

  it("tif-montecarlo: the base deal and every iteration run on the tables", async () => {
    const deal = { scenario: "mixed_income" };
    const input = {
      deal,
      iterations: 100,
      seed: 3,
      variables: { exitCapRate: { kind: "uniform", min: 0.05, max: 0.06 } },
    };
    const shipped = await run(tifMonteCarlo, input);
    const upstream = await run(tifMonteCarlo, input, DATA);
    expect(upstream.base.leveredIrr).toBe(calculateDealV2(TifV2Input.parse(deal), TABLES).returns.leveredIrr);
    expect(upstream.base.leveredIrr).not.toBe(shipped.base.leveredIrr);
    // Same seed, same draws: only the tables differ, so the mean IRR moves with the base.
    expect(upstream.summary.leveredIrr.mean).not.toBe(shipped.summary.leveredIrr.mean);
  });
});
