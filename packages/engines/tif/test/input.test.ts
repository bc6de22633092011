import { createContext, executeModel, ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { fromPrototypeCase, TifInput, TifV2Input, tifV1 } from "../src/index.ts";
import type { TifOutput } from "../src/schema.ts";
import golden from "./fixtures/golden_cases.json" with { type: "json" };

/** Bad input (issue 4): field-level errors before any computation. */
async function issuesFor(input: unknown) {
  const err = await executeModel(tifV1, input, createContext()).catch((e) => e);
  expect(err).toBeInstanceOf(ModelInputError);
  return (err as ModelInputError).issues;
}

const mix = (shares: number[]) =>
  shares.map((s, i) => ({
    unitType: (["studio", "1br", "2br", "3br", "4br"] as const)[i]!,
    grossSqft: 800,
    allocationShare: s,
  }));

describe("bad input", () => {
  it.each([
    ["zero units", { targetUnits: 0 }, "targetUnits", /at least 1 unit/],
    ["negative units", { targetUnits: -20 }, "targetUnits", /at least 1 unit/],
    ["fractional units", { targetUnits: 20.5 }, "targetUnits", /whole number/],
    ["shares not adding up to 1", { unitMix: mix([0.5, 0.3]) }, "unitMix", /add up to 1.*0\.8/],
    ["a negative share", { unitMix: mix([1.2, -0.2]) }, "unitMix.1.allocationShare", /negative/],
    ["a repeated unit type", { unitMix: [...mix([0.5]), ...mix([0.5])] }, "unitMix.1.unitType", /twice/],
    ["construction rate of 100%", { constructionRateAnnual: 1 }, "constructionRateAnnual", /below 100%/],
    ["perm rate of 150%", { permRateAnnual: 1.5 }, "permRateAnnual", /below 100%/],
    ["exit cap of 100%", { exitCapRate: 1 }, "exitCapRate", /below 100%/],
    ["exit cap of 0", { exitCapRate: 0 }, "exitCapRate", /more than 0/],
    ["vacancy of 100%", { vacancyRate: 1 }, "vacancyRate", /below 100%/],
    ["growth of 100%", { marketRentGrowthAnnual: 1 }, "marketRentGrowthAnnual", /below 100%/],
    [
      "tax rate of $100 per $100",
      { taxRatesPer100Usd: { city: 100 } },
      "taxRatesPer100Usd.city",
      /below \$100/,
    ],
    ["no city tax rate", { taxRatesPer100Usd: { county: 0.4 } }, "taxRatesPer100Usd", /city/],
    ["NaN land cost", { landCostUsd: Number.NaN }, "landCostUsd", /number/i],
    ["infinite hard cost", { hardCostPerUnitUsd: Number.POSITIVE_INFINITY }, "hardCostPerUnitUsd", /./],
    ["negative land cost", { landCostUsd: -1 }, "landCostUsd", /negative/],
    ["no construction months", { constructionMonths: 0 }, "constructionMonths", /at least 1 month/],
    ["no predevelopment months", { predevelopmentMonths: 0 }, "predevelopmentMonths", /at least 1 month/],
    ["no operations months", { operationsMonths: 0 }, "operationsMonths", /at least 1 month/],
    ["negative lease-up months", { leaseupMonths: -1 }, "leaseupMonths", /negative/],
    [
      "a TIF share above 100%",
      { tif: { treatment: "stream", streamShare: 1.5 } },
      "tif.streamShare",
      /exceed 100%/,
    ],
    ["an unknown field", { landCost: 5 }, "(root)", /landCost/],
  ])("%s → %s", async (_what, input, path, message) => {
    const issues = await issuesFor(input);
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it("reports every bad field at once", async () => {
    const issues = await issuesFor({ targetUnits: 0, constructionRateAnnual: 2, exitCapRate: -1 });
    expect(issues.map((i) => i.path).sort()).toEqual([
      "constructionRateAnnual",
      "exitCapRate",
      "targetUnits",
    ]);
  });

  it("accepts a lease-up of 0 months (the model does not need one)", async () => {
    const out = (await executeModel(tifV1, { leaseupMonths: 0 }, createContext())) as TifOutput;
    expect(out.phaseEnds.leaseupEnd).toBe(out.phaseEnds.constructionEnd);
  });
});

describe("defaults and the prototype format", () => {
  it("the defaults are the prototype's ProjectInputs defaults (the defaults_market case)", () => {
    const c = golden.cases.find((x) => x.name === "defaults_market")!;
    expect(TifInput.parse({})).toEqual(TifInput.parse(fromPrototypeCase(c)));
  });

  it("fromPrototypeCase maps snake_case inputs and calculate_deal kwargs", () => {
    const input = fromPrototypeCase({
      scenario: "Scenario.MIXED_INCOME",
      inputs: {
        land_cost: 1,
        tif_start_timing: "TIFStartTiming.LEASEUP",
        unit_mix: { studio: { gsf: 500, allocation: 1 } },
      },
      calculate_deal_kwargs: {
        tif_treatment: "stream",
        tif_stream_pct: 0.5,
        mezzanine_amount: 10,
        preferred_return: 0.08,
      },
    });
    expect(input).toEqual({
      scenario: "mixed_income",
      landCostUsd: 1,
      tifStartTiming: "leaseup",
      unitMix: [
        {
          unitType: "studio",
          grossSqft: 500,
          allocationShare: 1,
          netSqft: 0,
          rentPerNetSqftMonthlyUsd: 0,
          marketRentMonthlyUsd: 0,
          amiTier: "",
        },
      ],
      tif: { treatment: "stream", streamShare: 0.5 },
      mezzanine: { amountUsd: 10 },
      preferredEquity: { returnAnnual: 0.08 },
    });
    expect(TifInput.safeParse(input).success).toBe(true);
  });

  it("reports a missing IRR as null, never 0", async () => {
    // No sale value and no income: the levered cash flow never turns positive.
    const out = (await executeModel(
      tifV1,
      { exitCapRate: 0.99, marketRentPerNetSqftMonthlyUsd: 0.01, unitMix: mixRentless() },
      createContext(),
    )) as TifOutput;
    expect(out.returns.unleveredIrr).toBeNull();
    expect(out.returns.unleveredIrrMonthlyRoots).toEqual([]);
  });
});

function mixRentless() {
  return [{ unitType: "2br" as const, grossSqft: 900, allocationShare: 1, marketRentMonthlyUsd: 1 }];
}

describe("lower bounds found by the fuzz suite (issue 19)", () => {
  // 1e-308 passed "more than 0"; NOI / DSCR and NOI / cap rate overflowed to ∞ and the run
  // failed as an engine defect (an invalid result) instead of a field error.
  it.each([
    ["permDscrMin", 1e-308, "at least 0.01"],
    ["exitCapRate", 1e-308, "at least 0.1% (give 0.055 for 5.5%)"],
    ["permDscrMin", 0, "must be more than 0"],
    ["exitCapRate", -0.05, "must be more than 0"],
  ] as const)("%s = %s: %s", (field, value, message) => {
    for (const schema of [TifInput, TifV2Input]) {
      const r = schema.safeParse({ [field]: value });
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([[field, message]]);
    }
  });
});
