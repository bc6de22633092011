import { catalog } from "@modelworks/catalog";
import { keyResultOf } from "@modelworks/model-kit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { formatValue, negativeColor, negativeStyle, setNumberStyle } from "../src/format.ts";
import { classify, type JsonSchema } from "../src/lib/schema.ts";
import { defaultSweepOutputs, isConstant, plottable, sweepOutputs } from "../src/lib/sweep-outputs.ts";

// Issue 18 items 6 (sweeps), 8 (the org's negatives) and 15 (a run's key result).

const outputSchema = (id: string) =>
  z.toJSONSchema(catalog.find(id)!.output, { io: "output", unrepresentable: "any" }) as JsonSchema;
const kpis = (id: string) => catalog.find(id)!.kpis ?? [];

describe("the org's number style is the formatter's", () => {
  afterEach(() => setNumberStyle({ negatives: "minus", red: false }));

  it("writes negatives in brackets or with a minus as the org says, everywhere formatValue is used", () => {
    expect(negativeStyle()).toBe("minus");
    expect(formatValue(-1234, "USD")).toBe("−$1,234");
    setNumberStyle({ negatives: "brackets", red: false });
    expect(negativeStyle()).toBe("brackets");
    expect(formatValue(-1234, "USD")).toBe("($1,234)");
    expect(formatValue(-0.0159, "fraction")).toBe("(1.59%)");
    expect(formatValue(-2.5, "x")).toBe("(2.50×)");
    expect(formatValue(1234, "USD")).toBe("$1,234");
    // A view that must show a sign (a delta) still says so explicitly.
    expect(formatValue(-1234, "USD", undefined, { negatives: "minus" })).toBe("−$1,234");
  });

  it("colours negatives red only when the org asks, and never a value that is zero", () => {
    expect(negativeColor(-5)).toBeUndefined();
    setNumberStyle({ negatives: "brackets", red: true });
    expect(negativeColor(-5)).toBe("var(--mantine-color-red-8)");
    expect(negativeColor(5)).toBeUndefined();
    expect(negativeColor(-0)).toBeUndefined();
    expect(negativeColor("-5")).toBeUndefined();
    expect(negativeColor(-5, { negatives: "minus", red: false })).toBeUndefined();
  });
});

describe("what a sweep can plot", () => {
  it("reads nullable numbers written as type [number, null] (the IRRs, the equity multiple)", () => {
    expect(classify({ type: ["number", "null"] })).toMatchObject({ kind: "number", nullable: true });
    expect(classify({ type: ["integer", "null"] })).toMatchObject({
      kind: "number",
      integer: true,
      nullable: true,
    });
    expect(classify({ type: ["string", "number"] }).kind).toBe("json");
  });

  it("offers every scalar output of tif, the key results first with their titles and units", () => {
    const outputs = sweepOutputs(outputSchema("tif"), kpis("tif"));
    const paths = outputs.map((o) => o.path);
    // The old list had 57 paths and no IRR at all.
    expect(outputs.length).toBeGreaterThan(57);
    expect(outputs.slice(0, 3)).toEqual([
      {
        path: "returns.leveredIrr",
        label: "Levered IRR",
        unit: "fraction/yr",
        format: "percent",
        decimals: 2,
      },
      {
        path: "returns.unleveredIrr",
        label: "Unlevered IRR",
        unit: "fraction/yr",
        format: "percent",
        decimals: 2,
      },
      { path: "returns.equityMultiple", label: "Equity multiple", unit: "x", format: "number", decimals: 2 },
    ]);
    expect(outputs.find((o) => o.path === "returns.leveredIrrAnnualRoots.0")).toEqual({
      path: "returns.leveredIrrAnnualRoots.0",
      label: "Levered IRR annual roots (returns) (first)",
      unit: "fraction",
    });
    expect(outputs.find((o) => o.path === "returns.leveredMirr")?.unit).toBe("fraction");
    expect(outputs.find((o) => o.path === "sourcesUses.tdcUsd")).toMatchObject({
      label: "TDC (sources uses)",
      unit: "USD",
    });
    expect(new Set(paths).size).toBe(paths.length);
    // Tables (arrays of rows) are not single outputs.
    expect(paths.some((p) => p.startsWith("periods"))).toBe(false);
  });

  it("collects the model's key results by default, else its headline outputs", () => {
    const tif = defaultSweepOutputs(sweepOutputs(outputSchema("tif"), kpis("tif")), kpis("tif"));
    expect(tif).toEqual(kpis("tif").map((k) => k.path));
    const dealPicker = sweepOutputs(outputSchema("deal-picker"), kpis("deal-picker"));
    const defaults = defaultSweepOutputs(dealPicker, kpis("deal-picker"));
    expect(defaults).toEqual(expect.arrayContaining(["kpis.objective", "kpis.capitalUsed", "kpis.noi"]));
    expect(defaults).not.toContain("solveMs");
    expect(defaults.length).toBeLessThanOrEqual(12);
  });

  it("never plots by default an output that stays the same across the sweep", () => {
    expect(isConstant([0.12, 0.12, 0.12])).toBe(true);
    expect(isConstant([2_000_000, 2_000_000.000_000_1])).toBe(true);
    expect(isConstant([0.12, 0.13])).toBe(false);
    // Unfinished points and missing IRRs are not evidence of a constant.
    expect(isConstant([0.12, null, null])).toBe(false);
    const outputs = [
      "returns.leveredIrr",
      "returns.npvDiscountRateAnnual",
      "returns.equityMultiple",
      "a",
      "b",
    ];
    const columns = [
      [0.1, 0.12, 0.14],
      [0.15, 0.15, 0.15],
      [1.8, 1.9, 2.0],
      [1, 2, 3],
      [4, 5, 6],
    ];
    expect(plottable(outputs, columns, false)).toEqual({
      plotted: ["returns.leveredIrr", "returns.equityMultiple", "a"],
      constant: ["returns.npvDiscountRateAnnual"],
    });
    // What the user picked is plotted as picked; the constant is still named.
    expect(plottable(outputs.slice(0, 2), columns.slice(0, 2), true)).toEqual({
      plotted: ["returns.leveredIrr", "returns.npvDiscountRateAnnual"],
      constant: ["returns.npvDiscountRateAnnual"],
    });
  });

  it("formats the swept values and axes with units, not float noise", () => {
    expect(formatValue(2.4800000000000004, undefined)).toBe("2.48");
    expect(formatValue(0.1 + 0.2, "fraction")).toBe("30.00%");
    expect(formatValue(3_000_000 * 1.2, "USD")).toBe("$3,600,000");
  });
});

describe("a run's key result", () => {
  const model = {
    kpis: [
      { path: "kpis.gate", title: "Gate", format: "text" as const },
      {
        path: "kpis.totalDebt",
        title: "Total debt",
        unit: "currency",
        format: "currency" as const,
        decimals: 0,
      },
    ],
  };

  it("is the declared key result, else the first numeric KPI, with the run's currency", () => {
    expect(keyResultOf(model, { currency: "aed", kpis: { gate: "pass", totalDebt: 25_500_000 } })).toEqual({
      label: "Total debt",
      value: 25_500_000,
      unit: "AED",
      format: "currency",
      decimals: 0,
    });
    const declared = { ...model, keyResult: { path: "objective", title: "Annual cost", unit: "USD/yr" } };
    expect(keyResultOf(declared, { objective: 1_250_000 })).toEqual({
      label: "Annual cost",
      value: 1_250_000,
      unit: "USD/yr",
      format: null,
      decimals: null,
    });
  });

  it("is null when the model declares none or the run has no number there", () => {
    expect(keyResultOf({}, { x: 1 })).toBeNull();
    expect(keyResultOf(model, { kpis: { totalDebt: null } })).toBeNull();
    expect(keyResultOf(model, null)).toBeNull();
  });

  it("is written as the runs list shows it", () => {
    const k = keyResultOf(catalog.find("tif")!, { returns: { leveredIrr: 0.15534 } })!;
    expect(k.label).toBe("Levered IRR");
    expect(formatValue(k.value, k.unit, k.decimals ?? undefined, { format: k.format })).toBe("15.53%/yr");
  });

  it("every hosted model declares a key result that names a number of its output", () => {
    const missing: string[] = [];
    for (const m of catalog.list()) {
      for (const v of catalog.versions(m.id)) {
        const declared = v.keyResult ?? (v.kpis ?? []).find((k) => k.format !== "text");
        const schema = z.toJSONSchema(v.output, { io: "output", unrepresentable: "any" }) as JsonSchema;
        const numeric = new Set(sweepOutputs(schema, []).map((o) => o.path));
        // tif-solve's answer is in the lever's own unit, which differs run by run: no single key result.
        if (v.id === "tif-solve") continue;
        if (!declared || !numeric.has(declared.path)) missing.push(`${v.id}@${v.version}: ${declared?.path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
