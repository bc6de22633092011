import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TifV2Input } from "../../engines/tif/src/v2/schema.ts";
import { formLayoutFor, sectionsOver } from "../src/lib/layouts.ts";
import { dedicatedViewOf, formatBps } from "../src/lib/model-views.ts";

/** The per-model layouts and result views: which model gets what, and that no input field is lost. */
describe("TIF input layout", () => {
  const tifKeys = Object.keys(
    (z.toJSONSchema(TifV2Input, { io: "input" }) as { properties: object }).properties,
  );

  it("puts every tif@2 input field in exactly one section", () => {
    const sections = sectionsOver(formLayoutFor("tif")!, tifKeys);
    const placed = sections.flatMap((s) => s.fields);
    expect([...placed].sort()).toEqual([...tifKeys].sort());
    expect(new Set(placed).size).toBe(placed.length);
    expect(sections.map((s) => s.title).slice(0, 5)).toEqual([
      "Site & units",
      "Costs",
      "Financing",
      "Incentives & TIF",
      "Operations & exit",
    ]);
    expect(sections.find((s) => s.id === "costs")!.fields).toContain("hardCostPerUnitUsd");
  });

  it("sends a field no section names to Other, and drops sections the object does not have", () => {
    const sections = sectionsOver(formLayoutFor("tif")!, ["landCostUsd", "aNewFieldUsd"]);
    expect(sections).toEqual([
      { id: "site", title: "Site & units", fields: ["landCostUsd"] },
      { id: "other", title: "Other", fields: ["aNewFieldUsd"] },
    ]);
  });

  it("lays out the nested deal of the analyses and leaves other models to the generated form", () => {
    expect(formLayoutFor("tif-comparison")?.at).toBe("project");
    expect(formLayoutFor("tif-montecarlo")?.at).toBe("deal");
    expect(formLayoutFor("deal-picker")).toBeUndefined();
  });
});

describe("result views by model id", () => {
  it("gives the TIF models their views and everything else the generic one", () => {
    expect(dedicatedViewOf("tif-comparison", {})).toBeDefined();
    expect(dedicatedViewOf("tif-incentive-matrix", {})).toBeDefined();
    expect(dedicatedViewOf("tif-montecarlo", {})).toBeDefined();
    expect(dedicatedViewOf("tif", { annual: [] })).toBeDefined();
    // tif@1 has no annual summary (nor DSCR by year): the generic view.
    expect(dedicatedViewOf("tif", { periods: [] })).toBeUndefined();
    expect(dedicatedViewOf("deal-picker", {})).toBeUndefined();
  });

  it("writes basis points with a sign and one decimal", () => {
    expect(formatBps(150)).toBe("+150.0 bps");
    expect(formatBps(-467.54)).toBe("−467.5 bps");
    expect(formatBps(1234.56)).toBe("+1,234.6 bps");
    expect(formatBps(0)).toBe("0.0 bps");
    expect(formatBps(null)).toBe("—");
  });
});
