import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { editVisual, planDashboard } from "../src/plan/index.ts";
import type { TableProfile } from "../src/profile/index.ts";
import { openFixtures, profileTable } from "./duck.ts";

let c: DuckDBConnection;
let mpg: TableProfile;

beforeAll(async () => {
  c = await openFixtures(["mpg"]);
  mpg = await profileTable(c, "mpg");
});
afterAll(() => c?.closeSync());

const visual = (plan: ReturnType<typeof planDashboard>, id: string) =>
  plan.pages.flatMap((p) => p.visuals).find((v) => v.id === id)!;

describe("editVisual", () => {
  it('"make it vertical, top 3 only": a new revision with a readable diff', () => {
    const plan = planDashboard({ tables: [mpg] });
    const r = editVisual(plan, "bar-class", "Make it vertical, top 3 only", [mpg]);
    expect(r.applied).toBe(true);
    expect(r.understood).toEqual(["made vertical", "top 3 only"]);
    expect(r.diff).toEqual([
      { path: "pages.0.visuals.6.kind", from: "bar", to: "column" },
      { path: "pages.0.visuals.6.topN", from: undefined, to: { n: 3, other: false } },
    ]);
    expect(visual(r.plan, "bar-class")).toMatchObject({ kind: "column", topN: { n: 3, other: false } });
    // The old revision is untouched.
    expect(visual(plan, "bar-class").kind).toBe("bar");
    const back = editVisual(r.plan, "bar-class", "make it horizontal", [mpg]);
    expect(back.diff).toEqual([{ path: "pages.0.visuals.6.kind", from: "column", to: "bar" }]);
  });

  it('"show as line", "sort ascending", "by drv", "use the median"', () => {
    const plan = planDashboard({ tables: [mpg] });
    const line = editVisual(plan, "bar-cyl", "show as line", [mpg]);
    expect(line.understood).toEqual(["shown as a line chart"]);
    expect(visual(line.plan, "bar-cyl").bindings.map((b) => b.channel)).toEqual(["x", "y"]);

    const asc = editVisual(plan, "bar-cyl", "sort ascending", [mpg]);
    expect(asc.diff).toEqual([{ path: "pages.0.visuals.5.sort.direction", from: "desc", to: "asc" }]);

    const by = editVisual(plan, "bar-cyl", "by drv instead", [mpg]);
    expect(by.understood).toEqual(["grouped by drv"]);
    expect(visual(by.plan, "bar-cyl").bindings[0]!.field).toEqual({ table: "mpg", column: "drv" });

    const median = editVisual(plan, "bar-cyl", "use the median, highest first", [mpg]);
    expect(median.understood).toEqual(["sorted descending", "median of cty instead of avg"]);
    expect(visual(median.plan, "bar-cyl").sort).toEqual({
      field: { table: "mpg", column: "cty" },
      aggregation: "median",
      direction: "desc",
    });
  });

  it("leaves the plan alone when it does not understand, or when the result fails the checks", () => {
    const plan = planDashboard({ tables: [mpg] });
    const none = editVisual(plan, "bar-cyl", "make it pop", [mpg]);
    expect(none).toMatchObject({ applied: false, understood: [], diff: [] });
    expect(none.plan).toBe(plan);
    // A histogram of a category is not a chart: refused with the reason.
    const bad = editVisual(plan, "bar-class", "show as histogram", [mpg]);
    expect(bad.applied).toBe(false);
    expect(bad.issues.length).toBeGreaterThan(0);
    expect(bad.plan).toBe(plan);
  });
});
