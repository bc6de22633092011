import { type AnyModel, createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  AmiRentLimitsTable,
  calculateDealV2,
  PROTOTYPE_AMI_RENT_LIMITS,
  PROTOTYPE_TAX_RATES,
  TaxRateStackTable,
  TifV2Input,
  type TifV2Output,
  tifV1,
  tifV2,
} from "../src/index.ts";

/** Reference data: the shipped tables, their schemas, and how tif@1 and tif@2 read them. */

const NEWER_AMI: AmiRentLimitsTable = {
  ...PROTOTYPE_AMI_RENT_LIMITS,
  version: "2025-test",
  effectiveDate: "2025-05-01",
  source: "test",
  rows: PROTOTYPE_AMI_RENT_LIMITS.rows.map((r) =>
    r.amiLevel === "50%"
      ? { amiLevel: "50%", studio: 1200, "1br": 1250, "2br": 1400, "3br": 1600, "4br": 1800 }
      : r,
  ),
};
const NEWER_TAX: TaxRateStackTable = {
  ...PROTOTYPE_TAX_RATES,
  version: "FY2026-test",
  effectiveDate: "2025-10-01",
  source: "test",
  rows: PROTOTYPE_TAX_RATES.rows.map((r) => (r.unit === "city" ? { ...r, ratePer100Usd: 0.674 } : r)),
};
const run = async (model: AnyModel, input: object, data = {}) =>
  (await executeModel(model, input, createContext({ data }))) as TifV2Output;

describe("shipped tables", () => {
  it("are the prototype's, valid under the schemas", () => {
    expect(AmiRentLimitsTable.parse(PROTOTYPE_AMI_RENT_LIMITS)).toEqual(PROTOTYPE_AMI_RENT_LIMITS);
    expect(TaxRateStackTable.parse(PROTOTYPE_TAX_RATES)).toEqual(PROTOTYPE_TAX_RATES);
    expect(PROTOTYPE_AMI_RENT_LIMITS.rows.find((r) => r.amiLevel === "50%")!["2br"]).toBe(1338);
    const total = PROTOTYPE_TAX_RATES.rows.reduce((s, r) => s + r.ratePer100Usd, 0);
    expect(total).toBeCloseTo(2.0764, 12);
  });

  it.each([
    ["a level missing", { rows: PROTOTYPE_AMI_RENT_LIMITS.rows.slice(1) }, "rows", /30%/],
    [
      "a level twice",
      { rows: [...PROTOTYPE_AMI_RENT_LIMITS.rows, PROTOTYPE_AMI_RENT_LIMITS.rows[0]!] },
      "rows.5.amiLevel",
      /twice/,
    ],
    [
      "a negative rent",
      {
        rows: [
          { ...PROTOTYPE_AMI_RENT_LIMITS.rows[0]!, "2br": -5 },
          ...PROTOTYPE_AMI_RENT_LIMITS.rows.slice(1),
        ],
      },
      "rows.0.2br",
      /more than 0/,
    ],
    ["another dataset", { dataset: "austin-tax-rates" }, "dataset", /./],
    ["a bad date", { effectiveDate: "May 2025" }, "effectiveDate", /./],
  ])("an AMI table with %s is refused", (_what, patch, path, message) => {
    const r = AmiRentLimitsTable.safeParse({ ...PROTOTYPE_AMI_RENT_LIMITS, ...patch });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join(".") === path);
    expect(issue?.message).toMatch(message);
  });

  it("a tax stack without a city row or with a rate ≥ 100 is refused", () => {
    const noCity = TaxRateStackTable.safeParse({
      ...PROTOTYPE_TAX_RATES,
      rows: PROTOTYPE_TAX_RATES.rows.slice(1),
    });
    expect(noCity.error?.issues.map((i) => i.message)).toContain('has no "city" row (the TIF rate)');
    const huge = TaxRateStackTable.safeParse({
      ...PROTOTYPE_TAX_RATES,
      rows: [{ unit: "city", name: "x", ratePer100Usd: 100 }],
    });
    expect(huge.error?.issues[0]?.path).toEqual(["rows", 0, "ratePer100Usd"]);
  });
});

describe("tif@2 reads the tables through ctx.data", () => {
  it("without ctx.data: the shipped tables, exactly the prototype's explicit rates, both recorded", async () => {
    const shipped = await run(tifV2, { scenario: "mixed_income" });
    const explicit = calculateDealV2(
      TifV2Input.parse({
        scenario: "mixed_income",
        taxRatesPer100Usd: { city: 0.574, county: 0.3758, isd: 0.9252, hospital: 0.098, acc: 0.1034 },
      }),
    );
    expect(shipped.returns.leveredIrr).toBe(explicit.returns.leveredIrr);
    expect(shipped.periods).toEqual(explicit.periods);
    expect(shipped.units.gprAffordableMonthlyUsd).toBe(52_357);
    expect(shipped.referenceData.map((d) => `${d.dataset}@${d.version}`)).toEqual([
      "austin-ami-rent-limits@prototype-v10c",
      "austin-tax-rates@prototype-v10c",
    ]);
    // Rates given in the input: the tax table is not used, so not recorded.
    expect(explicit.referenceData.map((d) => d.dataset)).toEqual(["austin-ami-rent-limits"]);
  });

  it("a newer AMI table changes the affordable rents (5/10/18/6/1 units at 50% AMI)", async () => {
    const o = await run(tifV2, { scenario: "mixed_income" }, { austinAmiRentLimits: NEWER_AMI });
    expect(o.units.allocation.map((a) => a.affordableUnits)).toEqual([5, 10, 18, 6, 1]);
    expect(o.units.allocation.map((a) => a.affordableRentMonthlyUsd)).toEqual([1200, 1250, 1400, 1600, 1800]);
    expect(o.units.gprAffordableMonthlyUsd).toBe(5 * 1200 + 10 * 1250 + 18 * 1400 + 6 * 1600 + 1800);
    expect(o.referenceData[0]).toEqual({
      dataset: "austin-ami-rent-limits",
      version: "2025-test",
      effectiveDate: "2025-05-01",
      source: "test",
    });
  });

  it("a newer tax stack fills omitted rates: stabilized NOI falls by TDC × Δτ", async () => {
    const base = await run(tifV2, {});
    const o = await run(tifV2, {}, { austinTaxRates: NEWER_TAX });
    expect(o.sourcesUses.tdcUsd).toBe(base.sourcesUses.tdcUsd);
    const dTau = 0.1 / 100;
    expect(
      o.permanentLoan.stabilizedNoiForSizingUsd - base.permanentLoan.stabilizedNoiForSizingUsd,
    ).toBeCloseTo(-base.sourcesUses.tdcUsd * dTau, 4);
    expect(o.referenceData[1]?.version).toBe("FY2026-test");
    // Rates in the input win over the table.
    const given = await run(tifV2, { taxRatesPer100Usd: { city: 0.574 } }, { austinTaxRates: NEWER_TAX });
    expect(given.referenceData.map((d) => d.dataset)).toEqual(["austin-ami-rent-limits"]);
  });

  it("a malformed table in ctx.data is an error, never computed on", async () => {
    await expect(
      run(tifV2, {}, { austinAmiRentLimits: { ...NEWER_AMI, rows: NEWER_AMI.rows.slice(0, 2) } }),
    ).rejects.toThrow(/austinAmiRentLimits is invalid/);
  });
});

describe("tif@1 keeps the prototype's tables", () => {
  it("ignores ctx.data (it must reproduce the prototype) and records the prototype edition", async () => {
    const plain = await run(tifV1, { scenario: "mixed_income" });
    const offered = await run(tifV1, { scenario: "mixed_income" }, { austinAmiRentLimits: NEWER_AMI });
    expect(offered).toEqual(plain);
    expect(plain.units.gprAffordableMonthlyUsd).toBe(52_357);
    expect(plain.referenceData).toEqual([
      {
        dataset: "austin-ami-rent-limits",
        version: "prototype-v10c",
        effectiveDate: null,
        source: PROTOTYPE_AMI_RENT_LIMITS.source,
      },
    ]);
    expect(tifV1.data).toBeUndefined();
    expect(tifV2.data).toEqual(["austinAmiRentLimits", "austinTaxRates"]);
  });
});
