import { inputFieldsAt } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { tifComparisonModel, tifMonteCarlo, tifV1, tifV2 } from "../src/index.ts";

/** The deal's form layout, declared by the models themselves (published by GET /models/{id}). */
describe("TIF input layout", () => {
  it("puts every tif@2 input field in exactly one of the five tabs", () => {
    const keys = inputFieldsAt(tifV2.input);
    const placed = tifV2.layout!.sections.flatMap((s) => s.fields);
    expect([...placed].sort()).toEqual([...keys].sort());
    expect(new Set(placed).size).toBe(placed.length);
    expect(tifV2.layout!.sections.map((s) => s.title)).toEqual([
      "Site & units",
      "Costs",
      "Financing",
      "Incentives & TIF",
      "Operations & exit",
    ]);
    expect(tifV2.layout!.sections.find((s) => s.id === "costs")!.fields).toContain("hardCostPerUnitUsd");
  });

  it("lists for tif@1 only the fields tif@1 has", () => {
    const keys = new Set(inputFieldsAt(tifV1.input));
    const placed = tifV1.layout!.sections.flatMap((s) => s.fields);
    expect(placed.length).toBeGreaterThan(30);
    expect(placed.filter((f) => !keys.has(f))).toEqual([]);
  });

  it("lays out the nested deal of the analyses", () => {
    expect(tifComparisonModel.layout).toMatchObject({ at: "project", title: "Project" });
    expect(tifMonteCarlo.layout).toMatchObject({ at: "deal", title: "The deal" });
    expect(tifMonteCarlo.layout!.sections.flatMap((s) => s.fields)).toContain("landCostUsd");
  });

  it("declares a view per version: tif@2's deal view, tif@1 the generic one", () => {
    expect(tifV2.view).toBe("tif-deal");
    expect(tifV1.view).toBeUndefined();
    expect(tifComparisonModel.view).toBe("tif-comparison");
  });
});
