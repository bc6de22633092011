import { describe, expect, it } from "vitest";
import { formatValue, unitFromName, unitLabel } from "../src/format.ts";
import { seriesGroups } from "../src/lib/charts.ts";
import { deltaColor, formatDelta, isDetailPath, lowerIsBetter, objectiveIsCost } from "../src/lib/delta.ts";
import { entryProblems, NOT_A_NUMBER_MESSAGE, REQUIRED_MESSAGE } from "../src/lib/entry-check.ts";
import { describePath } from "../src/lib/field-path.ts";
import { GLOSSARY, plainHelp } from "../src/lib/glossary.ts";
import { solveMeetsTarget } from "../src/lib/model-views.ts";
import { entryText, entryUnitLabel, parseEntry } from "../src/lib/number-entry.ts";
import { inputUnit, type JsonSchema } from "../src/lib/schema.ts";
import { coerce } from "../src/lib/tsv.ts";

// Issue 18: numbers typed in their units, no silent defaults, one formatter, business language.

describe("number entry in the field's unit", () => {
  it("a percent field takes 20 or 20% and stores 0.2; shows 0.2 as 20.00", () => {
    expect(parseEntry("20", "fraction")).toEqual({ ok: true, value: 0.2 });
    expect(parseEntry("20%", "fraction")).toEqual({ ok: true, value: 0.2 });
    expect(parseEntry(" 7.25 % ", "fraction/yr")).toEqual({ ok: true, value: 0.0725 });
    expect(parseEntry("150bps", "fraction")).toEqual({ ok: true, value: 0.015 });
    expect(parseEntry("0.07", "fraction")).toEqual({ ok: true, value: 0.0007 });
    expect(entryText(0.2, "fraction")).toBe("20.00");
    expect(entryText(0.12345, "fraction")).toBe("12.345");
    expect(entryUnitLabel("fraction")).toBe("%");
    expect(entryUnitLabel("fraction/yr")).toBe("%/yr");
  });

  it("money and plain numbers: grouping, currency signs, brackets, minus; 5% elsewhere is 0.05", () => {
    expect(parseEntry("1,250,000", "USD")).toEqual({ ok: true, value: 1250000 });
    expect(parseEntry("$900", "USD")).toEqual({ ok: true, value: 900 });
    expect(parseEntry("(1,000)", "USD")).toEqual({ ok: true, value: -1000 });
    expect(parseEntry("−3.5", undefined)).toEqual({ ok: true, value: -3.5 });
    expect(parseEntry("5%", "USD")).toEqual({ ok: true, value: 0.05 });
    expect(entryText(3000000, "USD")).toBe("3,000,000");
    expect(entryText(24, "months")).toBe("24");
  });

  it("text is an error and empty is empty — never a number", () => {
    expect(parseEntry("abc", "USD")).toEqual({ ok: false, message: "Enter a number" });
    expect(parseEntry("12abc", "fraction")).toEqual({ ok: false, message: "Enter a number" });
    expect(parseEntry("1.2.3", undefined).ok).toBe(false);
    expect(parseEntry("   ", "USD")).toEqual({ ok: true, value: undefined });
  });

  it("grid cells follow the same rules: a percent column reads 20 as 0.2", () => {
    const share = {
      key: "share",
      title: "Share",
      field: { kind: "number" as const, schema: {}, nullable: false },
      unit: "fraction",
    };
    expect(coerce("20", share)).toBe(0.2);
    expect(coerce("20%", share)).toBe(0.2);
    expect(coerce("abc", share)).toBe("abc");
  });
});

describe("units from the declaration's words", () => {
  it("a number described as a fraction or a share of something is typed as a percent", () => {
    expect(inputUnit("singleAsset", { description: "maximum share of capital in one deal" }, "AED")).toBe(
      "fraction",
    );
    expect(inputUnit("mipRelGap", { description: "fraction" }, "AED")).toBe("fraction");
    expect(
      inputUnit("minFraction", { description: "fractional selection: smallest share" }, "AED"),
    ).toBeUndefined();
    expect(
      inputUnit("riskPenaltyPerPoint", { description: "NOI charged per AED, fraction/yr per point" }, "AED"),
    ).toBe("AED");
  });
});

describe("no silent defaults", () => {
  const schema: JsonSchema = {
    type: "object",
    properties: {
      landCostUsd: { type: "number", default: 3000000 },
      reserveUsd: { anyOf: [{ type: "number" }, { type: "null" }] },
      financing: { type: "object", properties: { rate: { type: "number", default: 0.06 } } },
      unitMix: {
        type: "array",
        items: { type: "object", properties: { grossSqft: { type: "number" }, label: { type: "string" } } },
      },
    },
  };

  it("an emptied required number, text in a number, and an emptied grid cell are each named", () => {
    const saved = { landCostUsd: 3_500_000, reserveUsd: null, financing: { rate: 0.05 }, unitMix: [] };
    const problems = entryProblems(
      schema,
      {
        landCostUsd: undefined,
        reserveUsd: null,
        financing: { rate: "abc" },
        unitMix: [{ grossSqft: 800, label: "1BR" }, { grossSqft: undefined, label: "2BR" }, { label: "3BR" }],
      },
      saved,
    );
    expect(problems).toEqual([
      { path: "landCostUsd", message: REQUIRED_MESSAGE },
      { path: "financing.rate", message: NOT_A_NUMBER_MESSAGE },
      { path: "unitMix.1.grossSqft", message: REQUIRED_MESSAGE },
    ]);
  });

  it("a complete input has no problems; a field the saved input never set keeps its default", () => {
    expect(
      entryProblems(schema, { landCostUsd: 1, reserveUsd: null, financing: { rate: 0.05 }, unitMix: [] }, {}),
    ).toEqual([]);
    expect(
      entryProblems(schema, { reserveUsd: null, financing: {}, unitMix: [] }, { financing: {} }),
    ).toEqual([]);
  });

  it("paths read as the grid shows them: rows from 1, names as labels", () => {
    expect(describePath("unitMix.1.grossSqft")).toBe("Unit mix, row 2, Gross sqft");
    expect(describePath("body.input.landCostUsd")).toBe("Land cost");
  });
});

describe("one number formatter", () => {
  it("writes negatives with a true minus or in brackets, never a hyphen or −0", () => {
    expect(formatValue(-0.0525, "fraction", undefined, { negatives: "minus" })).toBe("−5.25%");
    expect(formatValue(-1234.5, "number", 1, { negatives: "minus" })).toBe("−1,234.5 number");
    expect(formatValue(-25500000, "USD", undefined, { negatives: "brackets" })).toBe("($25,500,000)");
    expect(formatValue(-25500000, "currency", undefined, { currency: "AED", negatives: "brackets" })).toBe(
      "(25,500,000) AED",
    );
    expect(formatValue(-0.0001, "USD", 0, { negatives: "minus" })).toBe("$0");
  });

  it("formats by the declared format and the run's currency", () => {
    expect(formatValue(0.7007, undefined, undefined, { format: "percent" })).toBe("70.07%");
    expect(formatValue(25500000, "currency", undefined, { currency: "USD" })).toBe("$25,500,000");
    expect(formatValue(25500000, "currency/yr", undefined, { currency: "AED" })).toBe("25,500,000 AED/yr");
    expect(formatValue(10, "units", undefined, { format: "integer" })).toBe("10 units");
    expect(formatValue(149.94, "bps")).toBe("+149.9 bps");
    expect(formatValue(-12, "bps")).toBe("−12.0 bps");
    expect(unitLabel("currency/yr", "AED")).toBe("AED/yr");
    expect(unitLabel("currency", undefined)).toBeUndefined();
    expect(unitLabel("fraction/yr")).toBe("%/yr");
    expect(formatValue(21435132.098904, undefined, 6, { format: "number" })).toBe("21,435,132.10");
    expect(formatValue(0.071234, undefined, 6, { format: "number" })).toBe("0.071234");
    expect(unitFromName("ltc")).toBe("fraction");
    expect(unitFromName("maxLtv")).toBe("fraction");
    expect(unitFromName("ltvAmount", "AED")).toBe("AED");
    expect(unitFromName("runRateUpliftAnnualAtHorizon", "AED")).toBe("AED");
    expect(unitFromName("upliftShare")).toBe("fraction");
  });

  it("comparison deltas: rates in bps, costs better when lower, root lists left out", () => {
    expect(formatDelta(0.013251, "fraction")).toBe("+132.5 bps");
    expect(formatDelta(-250000, "USD")).toBe("−$250,000");
    expect(lowerIsBetter("kpis.expectedAnnualCost")).toBe(true);
    expect(lowerIsBetter("returns.leveredIrr")).toBe(false);
    expect(deltaColor("kpis.expectedAnnualCost", -1000)).toBe("green.9");
    expect(deltaColor("returns.leveredIrr", -0.01)).toBe("red.8");
    expect(isDetailPath("returns.leveredIrrAnnualRoots.0")).toBe(true);
    expect(isDetailPath("returns.leveredIrrAnnual")).toBe(false);
    // Debt Stack minimizes its annual cost: a what-if that lowers it is good news.
    const debtStack = { kpis: [], tables: [{ columns: [{ key: "objective", title: "Annual cost" }] }] };
    expect(objectiveIsCost(debtStack)).toBe(true);
    expect(objectiveIsCost({ kpis: [{ path: "kpis.objective", title: "NOI" }], tables: [] })).toBe(false);
  });
});

describe("charts of several rows per x", () => {
  it("splits DSCR by year and scenario into one series per scenario over the years", () => {
    const table = {
      name: "coverage",
      title: "Coverage",
      rows: "byYearScenario",
      columns: [
        { key: "year", title: "Year" },
        { key: "scenario", title: "Scenario", format: "text" as const },
        { key: "dscr", title: "DSCR", unit: "x" },
      ],
    };
    const rows = [
      { year: 1, scenario: "base", dscr: 1.4 },
      { year: 2, scenario: "base", dscr: 1.5 },
      { year: 1, scenario: "stress", dscr: 1.1 },
      { year: 2, scenario: "stress", dscr: 1.2 },
    ];
    const g = seriesGroups(
      { name: "dscr", title: "DSCR", kind: "line", table: "coverage", x: "year", y: ["dscr"] },
      table,
      rows,
    )!;
    expect(g.categories).toEqual([1, 2]);
    expect([...g.byGroup.keys()]).toEqual(["base", "stress"]);
    expect(g.byGroup.get("stress")!.get(2)!.dscr).toBe(1.2);
  });
});

describe("business language", () => {
  it("reads developer help as an analyst would and names no solver internals", () => {
    expect(plainHelp("WAULT target, months; null = none")).toBe("WAULT target, months. Leave empty for none");
    expect(plainHelp("null = 10% of the budget")).toBe("Leave empty for 10% of the budget");
    expect(plainHelp("relative MIP gap at which HiGHS stops")).toBe(
      "Relative optimality gap at which the optimization solver stops",
    );
    expect(plainHelp("Highest portfolio yield with at least 4 assets (Dinkelbach)")).toBe(
      "Highest portfolio yield with at least 4 assets (yield ratio search)",
    );
    expect(plainHelp(undefined)).toBeUndefined();
    expect(GLOSSARY.map((g) => g.term)).toContain("bps (basis points)");
  });
});

describe("solve view", () => {
  it("a gap inside the solver's tolerance of the target is the target met", () => {
    expect(solveMeetsTarget({ gapBpsAtValue: 149.9, targetIrrGapBps: 150, toleranceBps: 0.1 })).toBe(true);
    expect(solveMeetsTarget({ gapBpsAtValue: 149.8, targetIrrGapBps: 150, toleranceBps: 0.1 })).toBe(false);
    expect(solveMeetsTarget({ gapBpsAtValue: null, targetIrrGapBps: 150, toleranceBps: 0.1 })).toBe(false);
  });
});
