import { VisualEdit } from "@modelworks/engine-dashboard-planner";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { PlanVisual } from "../src/lib/dashboard.ts";
import {
  editOf,
  fieldKey,
  fieldOf,
  sortChoice,
  sortOf,
  visualFormSpec,
  withBinding,
} from "../src/lib/visual-form.ts";

/**
 * The visual form's choices come from the engine's plan schema as the server serves it
 * (z.toJSONSchema of VisualEdit, as GET /dashboard-plans/visual-edit-schema answers): here the
 * same conversion of the real schema, so a kind or aggregation added to the engine reaches the form.
 */
const served = z.toJSONSchema(VisualEdit, { io: "input" }) as Record<string, unknown>;

describe("visualFormSpec", () => {
  it("reads every list and bound from the engine's schema", () => {
    const spec = visualFormSpec(served);
    const shape = VisualEdit.shape;
    expect(spec.kinds).toEqual(shape.kind.options);
    expect(spec.kinds).toContain("histogram");
    expect(spec.aggregations).toEqual(["sum", "avg", "min", "max", "count", "countDistinct", "median"]);
    expect(spec.channels).toContain("category");
    expect(spec.timeGrains).toEqual(["year", "quarter", "month", "week", "day"]);
    expect(spec.formatKinds).toEqual(["number", "integer", "percent", "currency"]);
    expect(spec.decimals).toEqual({ min: 0, max: 6 });
    expect(spec.directions).toEqual(["asc", "desc"]);
    expect(spec.topN).toEqual({ min: 1, max: 1000 });
    expect(spec.bindings).toEqual({ min: 1, max: 20 });
    expect(spec.titleMax).toBe(200);
  });
});

const region = { table: "sales", column: "region" };
const units = { table: "sales", column: "units" };
const bar: PlanVisual = {
  id: "v1",
  kind: "bar",
  title: "Units by region",
  table: "sales",
  bindings: [
    { channel: "category", field: region },
    { channel: "value", field: units, aggregation: "sum" },
  ],
  sort: { field: units, aggregation: "sum", direction: "desc" },
  layout: { x: 0, y: 0, w: 6, h: 4 },
};

describe("the form's values", () => {
  it("edits a copy of the visual's editable fields only, which the engine's schema accepts", () => {
    const v = editOf(bar);
    expect(v).toEqual({ kind: "bar", title: "Units by region", bindings: bar.bindings, sort: bar.sort });
    v.bindings[0]!.channel = "x";
    expect(bar.bindings[0]!.channel).toBe("category");
    expect(VisualEdit.safeParse(editOf(bar)).success).toBe(true);
    expect(VisualEdit.safeParse({ ...editOf(bar), layout: bar.layout }).success).toBe(false);
  });

  it("fields round-trip through a select value; an empty choice removes an optional property", () => {
    expect(fieldOf(fieldKey(region))).toEqual(region);
    expect(fieldOf("")).toBeUndefined();
    const b = withBinding({ channel: "value", field: units, aggregation: "sum" }, "aggregation", "");
    expect(b).toEqual({ channel: "value", field: units });
    expect(withBinding(b, "aggregation", "avg")).toEqual({
      channel: "value",
      field: units,
      aggregation: "avg",
    });
  });

  it("the sort is chosen by binding (its field and aggregation), by row count, or none", () => {
    const v = editOf(bar);
    expect(sortChoice(v)).toBe("1");
    expect(sortOf(v, "0", "asc")).toEqual({ field: region, direction: "asc" });
    expect(sortOf(v, "count", "desc")).toEqual({ aggregation: "count", direction: "desc" });
    expect(sortOf(v, "", "desc")).toBeUndefined();
    expect(sortChoice({ ...v, sort: { aggregation: "count", direction: "desc" } })).toBe("count");
    const { sort: _s, ...unsorted } = v;
    expect(sortChoice(unsorted)).toBe("");
  });
});
