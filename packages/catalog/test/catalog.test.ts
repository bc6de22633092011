import { defineModel, unboundedInputFields } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Catalog, catalog, MODELS } from "../src/index.ts";

const m = (id: string, version: string, internal = false) =>
  defineModel({
    id,
    version,
    title: id,
    summary: id,
    internal,
    input: z.object({}),
    output: z.object({}),
    examples: [],
    run: () => ({}),
  });

describe("Catalog", () => {
  it("finds the newest version by default and an exact version on request", () => {
    const c = new Catalog([m("tif", "1.0.0"), m("tif", "2.0.0"), m("tif", "1.10.0"), m("tif", "2.0.0-rc.1")]);
    expect(c.find("tif")?.version).toBe("2.0.0");
    expect(c.find("tif", "1.10.0")?.version).toBe("1.10.0");
    expect(c.find("tif", "3.0.0")).toBeUndefined();
    expect(c.find("nope")).toBeUndefined();
    expect(c.versions("tif").map((v) => v.version)).toEqual(["2.0.0", "2.0.0-rc.1", "1.10.0", "1.0.0"]);
  });

  it("keeps internal models out of the list unless asked", () => {
    const c = new Catalog([m("public-one", "1.0.0"), m("hidden-one", "1.0.0", true)]);
    expect(c.list().map((x) => x.id)).toEqual(["public-one"]);
    expect(c.list({ includeInternal: true }).map((x) => x.id)).toEqual(["public-one", "hidden-one"]);
  });

  it("refuses the same id and version twice", () => {
    expect(() => new Catalog([m("a-model", "1.0.0"), m("a-model", "1.0.0")])).toThrow(/Duplicate/);
  });

  it("hosts the test model, internally", () => {
    expect(catalog.find("test-montecarlo-sum")?.internal).toBe(true);
  });

  it("hosts tif@1, the prototype-exact TIF model, publicly", () => {
    expect(catalog.find("tif", "1.0.0")?.internal).toBeFalsy();
    expect(catalog.list().map((x) => x.id)).toContain("tif");
  });

  it("serves tif@2, the corrected model, by default; tif@1 on request", () => {
    expect(catalog.find("tif")?.version).toBe("2.2.0");
    expect(catalog.versions("tif").map((v) => v.version)).toEqual(["2.2.0", "1.0.0"]);
  });
});

describe("every hosted model's input is bounded (issue 19)", () => {
  // A number without a realistic bound (money ≤ 1e12, rates, counts, list lengths: model-kit's
  // LIMITS) reaches engine code that sums, iterates and brackets on it; a 1e308 loan killed the
  // server. A new engine that forgets a bound fails here, with the field's path.
  it.each(MODELS.map((m) => [`${m.id}@${m.version}`, m] as const))("%s", (_name, model) => {
    expect(unboundedInputFields(model.input)).toEqual([]);
  });
});
