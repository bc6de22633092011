import { catalog } from "@modelworks/catalog";
import { describe, expect, it } from "vitest";
import { sectionsOver } from "../src/lib/layouts.ts";
import { formatBps, RESULT_VIEWS, resultViewOf } from "../src/lib/model-views.ts";

/** Layouts and result views come from the models' declarations; the web only knows view names. */
describe("declared input layouts", () => {
  const layout = {
    sections: [
      { id: "site", title: "Site & units", fields: ["landCostUsd", "targetUnits"] },
      { id: "costs", title: "Costs", fields: ["hardCostPerUnitUsd"] },
    ],
  };

  it("sends a field no section names to Other, and drops sections the object does not have", () => {
    expect(sectionsOver(layout, ["landCostUsd", "aNewFieldUsd"])).toEqual([
      { id: "site", title: "Site & units", fields: ["landCostUsd"] },
      { id: "other", title: "Other", fields: ["aNewFieldUsd"] },
    ]);
  });

  it("keeps the declared order of sections and of fields within them", () => {
    const sections = sectionsOver(layout, ["hardCostPerUnitUsd", "targetUnits", "landCostUsd"]);
    expect(sections.map((s) => s.id)).toEqual(["site", "costs"]);
    expect(sections[0]!.fields).toEqual(["landCostUsd", "targetUnits"]);
  });
});

describe("result views by declared name", () => {
  it("uses a view this app ships and falls back to generic for any other name", () => {
    expect(resultViewOf({ view: "tif-deal" })).toBe("tif-deal");
    expect(resultViewOf({ view: "optimizer" })).toBe("optimizer");
    expect(resultViewOf({ view: "a-view-from-a-newer-server" })).toBe("generic");
    expect(resultViewOf({})).toBe("generic");
  });

  // A test-only look at the catalog: every view a hosted model names is one this app ships, so no
  // model silently falls back to generic.
  it("ships every view the hosted models declare", () => {
    const declared = catalog
      .list({ includeInternal: true })
      .flatMap((m) => catalog.versions(m.id))
      .map((m) => m.view ?? "generic");
    expect(declared.filter((v) => !(RESULT_VIEWS as readonly string[]).includes(v))).toEqual([]);
    expect(new Set(declared)).toEqual(new Set(RESULT_VIEWS));
  });
});

describe("basis points", () => {
  it("writes basis points with a sign and one decimal", () => {
    expect(formatBps(150)).toBe("+150.0 bps");
    expect(formatBps(-467.54)).toBe("−467.5 bps");
    expect(formatBps(1234.56)).toBe("+1,234.6 bps");
    expect(formatBps(0)).toBe("0.0 bps");
    expect(formatBps(null)).toBe("—");
  });
});
