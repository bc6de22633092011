import { describe, expect, it } from "vitest";
import { applyLayoutPatch, applyVisualEdit, checkPlan, type DashboardPlan } from "../src/plan/index.ts";
import type { TableProfile } from "../src/profile/index.ts";

const col = (name: string, type: "integer" | "number" | "string", distinct: number) => ({
  name,
  type,
  count: 100,
  missing: 0,
  distinct,
  min: type === "string" ? "a" : 1,
  max: type === "string" ? "z" : 100,
  examples: [type === "string" ? "a" : 1],
});
const schools: TableProfile = {
  name: "schools",
  rowCount: 100,
  columns: [col("school_id", "integer", 100), col("district", "string", 5), col("students", "integer", 90)],
};
const f = (column: string) => ({ table: "schools", column });
const PLAN = checkPlan(
  {
    version: 1,
    title: "Schools",
    generatedBy: "built-in",
    pages: [
      {
        id: "p",
        title: "P",
        slicers: [
          { id: "s-district", field: f("district"), kind: "list", layout: { x: 0, y: 0, w: 12, h: 1 } },
        ],
        visuals: [
          {
            id: "kpi",
            kind: "kpi",
            title: "Students",
            table: "schools",
            bindings: [{ channel: "value", field: f("students"), aggregation: "sum" }],
            layout: { x: 0, y: 1, w: 4, h: 2 },
          },
          {
            id: "bar",
            kind: "bar",
            title: "Students by district",
            table: "schools",
            bindings: [
              { channel: "category", field: f("district") },
              { channel: "value", field: f("students"), aggregation: "sum" },
            ],
            layout: { x: 4, y: 1, w: 8, h: 4 },
          },
        ],
      },
    ],
  },
  [schools],
).plan as DashboardPlan;

describe("applyLayoutPatch", () => {
  it("moves and resizes tiles, leaving the others and the old plan as they were", () => {
    const r = applyLayoutPatch(PLAN, { tiles: [{ id: "bar", x: 0, y: 3, w: 12, h: 5 }] }, [schools]);
    expect(r.errors).toEqual([]);
    const v = r.plan!.pages[0]!.visuals;
    expect(v[1]!.layout).toEqual({ x: 0, y: 3, w: 12, h: 5 });
    expect(v[0]!.layout).toEqual({ x: 0, y: 1, w: 4, h: 2 });
    expect(PLAN.pages[0]!.visuals[1]!.layout).toEqual({ x: 4, y: 1, w: 8, h: 4 });
  });

  it("swaps two tiles in one patch", () => {
    const r = applyLayoutPatch(
      PLAN,
      {
        tiles: [
          { id: "kpi", x: 8, y: 1, w: 4, h: 2 },
          { id: "bar", x: 0, y: 1, w: 8, h: 4 },
        ],
      },
      [schools],
    );
    expect(r.errors).toEqual([]);
  });

  it("refuses an overlap, a tile past the grid's edge and an unknown id, at the patch's paths", () => {
    expect(
      applyLayoutPatch(PLAN, { tiles: [{ id: "kpi", x: 2, y: 1, w: 4, h: 2 }] }, [schools]).errors,
    ).toEqual([{ path: "tiles.0", message: 'overlaps "bar" (columns 4–11, rows 1–4)' }]);
    // The slicer is a tile too.
    expect(
      applyLayoutPatch(PLAN, { tiles: [{ id: "kpi", x: 0, y: 0, w: 4, h: 2 }] }, [schools]).errors[0],
    ).toEqual({
      path: "tiles.0",
      message: 'overlaps "s-district" (columns 0–11, rows 0–0)',
    });
    const r = applyLayoutPatch(
      PLAN,
      {
        tiles: [
          { id: "bar", x: 6, y: 1, w: 8, h: 4 },
          { id: "nope", x: 0, y: 9, w: 1, h: 1 },
        ],
      },
      [schools],
    );
    expect(r.plan).toBeNull();
    expect(r.errors).toEqual([
      { path: "tiles.0.w", message: "8 wide at column 6 passes the 12-column grid's edge (at most 6)" },
      { path: "tiles.1.id", message: 'no visual or slicer "nope" in the plan' },
    ]);
  });
});

describe("applyVisualEdit", () => {
  const bar = PLAN.pages[0]!.visuals[1]!;
  const edit = {
    kind: bar.kind,
    title: bar.title,
    bindings: bar.bindings,
    sort: { field: f("students"), aggregation: "sum" as const, direction: "desc" as const },
    topN: { n: 3, other: false },
  };

  it("replaces kind, title, bindings, sort and top-N; an omitted top-N is removed", () => {
    const r = applyVisualEdit(
      PLAN,
      "bar",
      {
        ...edit,
        kind: "column",
        title: "Top 3 districts",
        sort: { ...edit.sort, aggregation: "avg" },
        bindings: [
          edit.bindings[0]!,
          {
            ...edit.bindings[1]!,
            aggregation: "avg",
            format: { kind: "number", decimals: 1, compact: false },
          },
        ],
      },
      [schools],
    );
    expect(r.errors).toEqual([]);
    const v = r.plan!.pages[0]!.visuals[1]!;
    expect(v).toMatchObject({ kind: "column", title: "Top 3 districts", topN: { n: 3, other: false } });
    expect(v.bindings[1]).toMatchObject({ aggregation: "avg", format: { decimals: 1 } });
    const { topN: _, ...noTop } = { ...edit, bindings: v.bindings, sort: v.sort };
    expect(
      applyVisualEdit(r.plan!, "bar", noTop, [schools]).plan!.pages[0]!.visuals[1]!.topN,
    ).toBeUndefined();
    // A sort by a value the visual no longer shows is refused, not dropped.
    expect(applyVisualEdit(r.plan!, "bar", { ...noTop, sort: edit.sort }, [schools]).errors).toContainEqual({
      path: "sort",
      message: "the sort names no field of the visual",
    });
  });

  it("refuses a SUM of an identifier and an unknown field at the edit's paths, never repairing them", () => {
    const r = applyVisualEdit(
      PLAN,
      "bar",
      {
        ...edit,
        bindings: [
          { channel: "category", field: f("distrikt") },
          { channel: "value", field: f("school_id"), aggregation: "sum" },
        ],
      },
      [schools],
    );
    expect(r.plan).toBeNull();
    expect(r.errors).toContainEqual({
      path: "bindings.0.field.column",
      message: 'no column "distrikt" in schools; columns: school_id, district, students',
    });
    expect(r.errors).toContainEqual({
      path: "bindings.1.aggregation",
      message: "sum of school_id is meaningless for an identifier (choose countDistinct)",
    });
    expect(applyVisualEdit(PLAN, "nope", edit, [schools]).errors[0]!.message).toBe(
      'no visual "nope" in the plan',
    );
  });
});
