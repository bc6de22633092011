import { createContext, executeModel, ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  fromPrototypeCase,
  tifLumpSum,
  tifLumpSumModel,
  tifV1,
  toPrototypeLumpSum,
} from "../../src/index.ts";
import golden from "../fixtures/golden_cases.json" with { type: "json" };

/**
 * The TIF lump-sum calculator against the prototype's own result (golden case
 * defaults_mixed_tif_lump_sum, outputs.tif_lump_sum_calc: calculate_tif_lump_sum_from_tier at
 * HewwoWewwow/1bedrock@7487e90), to $0.01.
 */
const lumpCase = golden.cases.find((c) => c.name === "defaults_mixed_tif_lump_sum")!;
const expected = (lumpCase.outputs as unknown as { tif_lump_sum_calc: Record<string, unknown> })
  .tif_lump_sum_calc;
const run = (input: unknown) => executeModel(tifLumpSumModel, input, createContext());

/** Every leaf of `exp` found in `got` within `tol` (numbers) or equal (the rest). */
function compareLeaves(got: unknown, exp: unknown, path: string, tol: number, bad: string[]) {
  if (typeof exp === "number") {
    if (!(typeof got === "number" && Math.abs(got - exp) <= tol))
      bad.push(`${path}: got ${got}, prototype ${exp}`);
  } else if (exp && typeof exp === "object") {
    for (const [k, v] of Object.entries(exp))
      compareLeaves((got as Record<string, unknown>)?.[k], v, `${path}.${k}`, tol, bad);
  } else if (got !== exp) bad.push(`${path}: got ${got}, prototype ${exp}`);
}

describe("golden: the prototype's tif_lump_sum_calc", () => {
  it("the new assessed value is the market deal's TDC as tif@1 computes it", async () => {
    const market = golden.cases.find((c) => c.name === "defaults_market")!;
    const out = await executeModel(tifV1, fromPrototypeCase(market), createContext());
    expect(Math.abs(out.sourcesUses.tdcUsd - (expected.new_assessed_value as number))).toBeLessThanOrEqual(
      0.01,
    );
  });

  it("reproduces every field and both build-up schedules within $0.01 (prototype format)", async () => {
    const fmt = tifLumpSumModel.formats!.prototype!;
    const input = fmt.toInput({
      new_assessed_value: expected.new_assessed_value,
      base_assessed_value: expected.base_assessed_value,
      tier: expected.tier,
      affordable_units: expected.affordable_units,
    });
    const out = await run(input);
    const written = fmt.fromOutput(out, input as never) as Record<string, unknown>;
    expect(Object.keys(written).sort()).toEqual(Object.keys(expected).sort());
    const bad: string[] = [];
    compareLeaves(written, expected, "tif_lump_sum_calc", 0.01, bad);
    expect(bad).toEqual([]);
    // The rates and the per-unit figure are tighter than a cent.
    expect(written.city_rate_decimal).toBe(expected.city_rate_decimal);
    expect(written.total_rate_decimal).toBeCloseTo(expected.total_rate_decimal as number, 15);
    expect(out.lumpSumUsd).toBeCloseTo(3_504_581.92, 2);
    expect(out.perAffordableUnitUsd).toBeCloseTo(87_614.548, 3);
  });

  it("is the lump sum the prototype passed to calculate_deal in the golden case", () => {
    const r = tifLumpSum({
      newAssessedValueUsd: expected.new_assessed_value as number,
      baseAssessedValueUsd: 5_000_000,
      tier: 2,
      affordableUnits: 40,
      taxRatesPer100Usd: { city: 0.574, county: 0.3758, isd: 0.9252, hospital: 0.098, acc: 0.1034 },
    });
    expect(Math.abs(r.lumpSumUsd - lumpCase.calculate_deal_kwargs.tif_lump_sum!)).toBeLessThanOrEqual(0.01);
  });
});

describe("closed form", () => {
  const rates = { city: 0.5, county: 0.5 };
  it("tier 1 (0% escalation, 20 years): nominal = real = n × the increment; lump = increment / 9.5%", () => {
    const r = tifLumpSum({
      newAssessedValueUsd: 25e6,
      baseAssessedValueUsd: 5e6,
      tier: 1,
      affordableUnits: 10,
      taxRatesPer100Usd: rates,
    });
    expect(r.annualCityIncrementUsd).toBeCloseTo(100_000, 8); // 20M × 0.5%
    expect(r.annualTotalIncrementUsd).toBeCloseTo(200_000, 8);
    expect(r.lumpSumUsd).toBeCloseTo(100_000 / 0.095, 6);
    expect(r.perAffordableUnitUsd).toBeCloseTo(100_000 / 0.095 / 10, 6);
    expect(r.schedule).toHaveLength(20);
    expect(r.schedule[19]!.cumulativeNominalUsd).toBeCloseTo(2_000_000, 6);
    expect(r.schedule[19]!.cumulativeRealUsd).toBeCloseTo(2_000_000, 6);
  });

  it("tier 3 (4%, 10 years): nominal is the geometric sum; overrides replace the tier's terms", () => {
    const r = tifLumpSum({
      newAssessedValueUsd: 25e6,
      baseAssessedValueUsd: 5e6,
      tier: 3,
      affordableUnits: 0,
      taxRatesPer100Usd: rates,
    });
    expect(r.schedule.at(-1)!.cumulativeNominalUsd).toBeCloseTo((100_000 * (1.04 ** 10 - 1)) / 0.04, 6);
    expect(r.perAffordableUnitUsd).toBe(0);
    const o = tifLumpSum({
      newAssessedValueUsd: 25e6,
      baseAssessedValueUsd: 5e6,
      tier: 3,
      affordableUnits: 0,
      taxRatesPer100Usd: rates,
      capRate: 0.05,
      termYears: 3,
      escalationAnnual: 0.1,
    });
    expect(o.lumpSumUsd).toBeCloseTo(2_000_000, 6);
    const increments = o.schedule.map((s) => s.cityIncrementUsd);
    for (const [k, v] of [100_000, 110_000, 121_000].entries()) expect(increments[k]).toBeCloseTo(v, 6);
  });

  it("a new value below the base gives no increment and no lump sum", () => {
    const r = tifLumpSum({
      newAssessedValueUsd: 4e6,
      baseAssessedValueUsd: 5e6,
      tier: 2,
      affordableUnits: 1,
      taxRatesPer100Usd: rates,
    });
    expect(r.incrementalValueUsd).toBe(0);
    expect(r.lumpSumUsd).toBe(0);
  });
});

describe("bad input", () => {
  it.each([
    ["a cap rate of 0", { capRate: 0 }, "capRate", /more than 0/],
    ["a cap rate of 100%", { capRate: 1 }, "capRate", /below 100%/],
    ["negative affordable units", { affordableUnits: -1 }, "affordableUnits", /negative/],
    ["fractional affordable units", { affordableUnits: 2.5 }, "affordableUnits", /whole number/],
    ["tier 4", { tier: 4 }, "tier", /./],
    ["a term of 0 years", { termYears: 0 }, "termYears", /at least 1 year/],
    ["NaN assessed value", { newAssessedValueUsd: Number.NaN }, "newAssessedValueUsd", /number/i],
    ["a negative base", { baseAssessedValueUsd: -5 }, "baseAssessedValueUsd", /negative/],
    ["no city rate", { taxRatesPer100Usd: { county: 1 } }, "taxRatesPer100Usd", /city/],
    ["an unknown field", { capRatee: 0.1 }, "(root)", /capRatee/],
  ])("%s → a field error at %s", async (_what, input, path, message) => {
    const err = await run(input).catch((e) => e);
    expect(err).toBeInstanceOf(ModelInputError);
    const issue = (err as ModelInputError).issues.find((i) => i.path === path);
    expect(issue?.message).toMatch(message);
  });

  it("the prototype format refuses arguments the function does not take", () => {
    expect(() => tifLumpSumModel.formats!.prototype!.toInput({ new_assessed_value: 1, cap: 0.1 })).toThrow(
      ModelInputError,
    );
  });
});

describe("output", () => {
  it("writes the prototype's names from the model's output", async () => {
    const out = await run({});
    const p = toPrototypeLumpSum(out);
    expect(p.tif_lump_sum).toBe(out.lumpSumUsd);
    expect(Object.keys(p.buildup_schedule_nominal)).toEqual(
      Array.from({ length: 15 }, (_, i) => String(i + 1)),
    );
  });
});
