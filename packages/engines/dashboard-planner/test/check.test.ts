import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptOrFallBack, checkPlan, type DashboardPlanInput, planDashboard } from "../src/plan/index.ts";
import type { TableProfile } from "../src/profile/index.ts";
import { openFixtures, profileTable } from "./duck.ts";

let c: DuckDBConnection;
let guns: TableProfile;
let mpg: TableProfile;

beforeAll(async () => {
  c = await openFixtures(["us_state_guns_panel", "mpg"]);
  guns = await profileTable(c, "us_state_guns_panel");
  mpg = await profileTable(c, "mpg");
});
afterAll(() => c?.closeSync());

const T = "us_state_guns_panel";
const f = (column: string) => ({ table: T, column });
function planWith(visuals: DashboardPlanInput["pages"][number]["visuals"]): DashboardPlanInput {
  return {
    version: 1,
    title: "t",
    generatedBy: { provider: "openai", model: "gpt-x" },
    pages: [{ id: "p", title: "P", visuals }],
  };
}

describe("checkPlan", () => {
  it("passes the built-in plans unchanged", () => {
    for (const t of [guns, mpg]) {
      const plan = planDashboard({ tables: [t] });
      const r = checkPlan(plan, [t]);
      expect(r.issues).toEqual([]);
      expect(r.repairs).toEqual([]);
      expect(r.plan).toEqual(plan);
    }
  });

  it("answers invalid JSON and schema violations with issues, never a throw", () => {
    expect(checkPlan("{ not json", [guns])).toMatchObject({ ok: false, plan: null, issues: [{ path: "" }] });
    expect(checkPlan("{ not json", [guns]).issues[0]!.message).toMatch(/^not valid JSON/);
    const r = checkPlan(
      {
        version: 1,
        title: "x",
        generatedBy: "built-in",
        pages: [{ id: "p", title: "P", visuals: [{ id: "v", kind: "donut" }] }],
      },
      [guns],
    );
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path)).toContain("pages.0.visuals.0.kind");
    expect(checkPlan(null, [guns]).ok).toBe(false);
  });

  it("reads a model's answer inside a ```json fence", () => {
    const text = `\`\`\`json\n${JSON.stringify(planDashboard({ tables: [guns] }))}\n\`\`\``;
    expect(checkPlan(text, [guns]).ok).toBe(true);
  });

  it("repairs aggregations that do not fit the column, and explains each", () => {
    const r = checkPlan(
      planWith([
        {
          id: "a",
          kind: "kpi",
          title: "A",
          table: T,
          bindings: [{ channel: "value", field: f("state"), aggregation: "sum" }],
          layout: { x: 0, y: 0, w: 3, h: 2 },
        },
        {
          id: "b",
          kind: "kpi",
          title: "B",
          table: T,
          bindings: [{ channel: "value", field: f("year"), aggregation: "avg" }],
          layout: { x: 3, y: 0, w: 3, h: 2 },
        },
        {
          id: "c",
          kind: "kpi",
          title: "C",
          table: T,
          bindings: [{ channel: "value", field: f("Violent"), aggregation: "avg" }],
          layout: { x: 6, y: 0, w: 3, h: 2 },
        },
      ]),
      [guns],
    );
    expect(r.issues).toEqual([]);
    expect(r.repairs).toEqual([
      {
        path: "pages.0.visuals.0.bindings.0.aggregation",
        message: "sum of state needs numbers and state holds string values: countDistinct instead",
      },
      {
        path: "pages.0.visuals.1.bindings.0.aggregation",
        message: "avg of year is not a date; the latest is: max instead",
      },
      { path: "pages.0.visuals.2.bindings.0.field.column", message: 'column "Violent" read as "violent"' },
    ]);
    const b = r.plan!.pages[0]!.visuals.map((v) => [
      v.bindings[0]!.field!.column,
      v.bindings[0]!.aggregation,
    ]);
    expect(b).toEqual([
      ["state", "countDistinct"],
      ["year", "max"],
      ["violent", "avg"],
    ]);
  });

  it("turns the SUM of an identifier into COUNT DISTINCT", () => {
    const schools: TableProfile = {
      name: "schools",
      rowCount: 100,
      columns: [
        {
          name: "school_id",
          type: "integer",
          count: 100,
          missing: 0,
          distinct: 100,
          min: 1,
          max: 100,
          examples: [1],
        },
        {
          name: "students",
          type: "integer",
          count: 100,
          missing: 0,
          distinct: 90,
          min: 10,
          max: 900,
          examples: [10],
        },
      ],
    };
    const r = checkPlan(
      {
        ...planWith([]),
        pages: [
          {
            id: "p",
            title: "P",
            visuals: [
              {
                id: "k",
                kind: "kpi",
                title: "Schools",
                table: "schools",
                bindings: [
                  { channel: "value", field: { table: "schools", column: "school_id" }, aggregation: "sum" },
                ],
                layout: { x: 0, y: 0, w: 3, h: 2 },
              },
            ],
          },
        ],
      },
      [schools],
    );
    expect(r.ok).toBe(true);
    expect(r.plan!.pages[0]!.visuals[0]!.bindings[0]!.aggregation).toBe("countDistinct");
    expect(r.repairs[0]!.message).toBe(
      "sum of school_id is meaningless for an identifier: countDistinct instead",
    );
  });

  it("names what cannot be repaired, field by field", () => {
    const r = checkPlan(
      planWith([
        {
          id: "a",
          kind: "bar",
          title: "A",
          table: T,
          bindings: [
            { channel: "category", field: f("gun_deaths") },
            { channel: "value", field: f("violent"), aggregation: "avg" },
          ],
          layout: { x: 0, y: 0, w: 6, h: 4 },
        },
        {
          id: "b",
          kind: "line",
          title: "B",
          table: T,
          bindings: [{ channel: "y", field: f("violent"), aggregation: "avg" }],
          layout: { x: 6, y: 0, w: 6, h: 4 },
        },
        {
          id: "c",
          kind: "histogram",
          title: "C",
          table: T,
          bins: 10,
          bindings: [{ channel: "bin", field: f("state") }],
          layout: { x: 0, y: 4, w: 6, h: 4 },
        },
        {
          id: "d",
          kind: "kpi",
          title: "D",
          table: "crimes",
          bindings: [{ channel: "value", aggregation: "count" }],
          layout: { x: 6, y: 4, w: 3, h: 2 },
        },
      ]),
      [guns],
    );
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path)).toEqual([
      "pages.0.visuals.0.bindings.0.field.column",
      "pages.0.visuals.1.bindings",
      "pages.0.visuals.2.bindings",
      "pages.0.visuals.3.table",
    ]);
    expect(r.issues[0]!.message).toMatch(
      /^no column "gun_deaths" in us_state_guns_panel; columns: year, violent/,
    );
    expect(r.issues[1]!.message).toBe("a line chart needs a field to group by (x or category)");
  });

  it("draws a map over a non-region as a bar, and fills in the region kind", () => {
    const r = checkPlan(
      planWith([
        {
          id: "m1",
          kind: "map",
          title: "M",
          table: T,
          bindings: [
            { channel: "region", field: f("law") },
            { channel: "value", field: f("violent"), aggregation: "avg" },
          ],
          layout: { x: 0, y: 0, w: 6, h: 4 },
        },
        {
          id: "m2",
          kind: "map",
          title: "M",
          table: T,
          bindings: [
            { channel: "region", field: f("state") },
            { channel: "value", field: f("violent"), aggregation: "avg" },
          ],
          layout: { x: 6, y: 0, w: 6, h: 4 },
        },
      ]),
      [guns],
    );
    expect(r.ok).toBe(true);
    expect(r.plan!.pages[0]!.visuals.map((v) => [v.kind, v.geo ?? null, v.bindings[0]!.channel])).toEqual([
      ["bar", null, "category"],
      ["map", "us-state", "region"],
    ]);
  });

  it("re-flows overlapping and too-wide tiles, and renames a repeated id", () => {
    const kpi = (id: string, layout: { x: number; y: number; w: number; h: number }) => ({
      id,
      kind: "kpi" as const,
      title: id,
      table: T,
      bindings: [{ channel: "value" as const, aggregation: "count" as const }],
      layout,
    });
    const r = checkPlan(
      planWith([
        kpi("a", { x: 0, y: 0, w: 6, h: 2 }),
        kpi("a", { x: 3, y: 0, w: 6, h: 2 }),
        kpi("c", { x: 10, y: 0, w: 4, h: 2 }),
      ]),
      [guns],
    );
    expect(r.ok).toBe(true);
    expect(r.plan!.pages[0]!.visuals.map((v) => [v.id, v.layout])).toEqual([
      ["a", { x: 0, y: 0, w: 6, h: 2 }],
      ["a-2", { x: 6, y: 0, w: 6, h: 2 }],
      ["c", { x: 10, y: 2, w: 2, h: 2 }],
    ]);
    expect(r.repairs.map((x) => x.message)).toEqual([
      'id "a" was used twice: renamed "a-2"',
      "4 wide at column 10 leaves the grid: 2 wide",
      "overlapped another tile at (3, 0): moved to (6, 0)",
      "overlapped another tile at (10, 0): moved to (10, 2)",
    ]);
  });

  it("falls back to the built-in plan, labelled with the reason, when the model's plan cannot be used", () => {
    const r = acceptOrFallBack("Sorry, I cannot help with that.", { tables: [guns] });
    expect(r.fellBack).toBe(true);
    expect(r.plan!.generatedBy).toBe("built-in");
    expect(r.plan!.fallback!.reason).toMatch(/^The language model's plan could not be used \(not valid JSON/);
    const ok = acceptOrFallBack(
      { ...planDashboard({ tables: [guns] }), generatedBy: { provider: "openai", model: "m" } },
      { tables: [guns] },
    );
    expect(ok.fellBack).toBe(false);
    expect(ok.plan!.fallback).toBeUndefined();
  });
});

describe("checkPlan on damaged plans", () => {
  it("never throws: 500 seeded mutations of a real plan each end in a plan or in issues", () => {
    const base = planDashboard({ tables: [guns] });
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const junk = [
      null,
      -1,
      1e308,
      "",
      "state",
      "violent; DROP TABLE x",
      [],
      {},
      true,
      "sum",
      { table: T, column: "nope" },
    ];
    let withIssues = 0;
    for (let i = 0; i < 500; i++) {
      const plan = structuredClone(base) as unknown as Record<string, unknown>;
      for (let m = 0; m < 1 + rand(3); m++) {
        // Walk to a random node and replace or delete one of its keys.
        let node: Record<string, unknown> = plan;
        for (let depth = 0; depth < 6; depth++) {
          const keys = Object.keys(node);
          const next = node[keys[rand(keys.length)]!];
          if (typeof next !== "object" || next === null || Object.keys(next).length === 0) break;
          node = next as Record<string, unknown>;
        }
        const keys = Object.keys(node);
        const k = keys[rand(keys.length)]!;
        if (rand(4) === 0) delete node[k];
        else node[k] = junk[rand(junk.length)];
      }
      const r = checkPlan(rand(10) === 0 ? JSON.stringify(plan).slice(0, rand(200)) : plan, [guns]);
      expect(r.ok).toBe(r.issues.length === 0);
      if (r.ok) expect(r.plan).not.toBeNull();
      else withIssues++;
    }
    expect(withIssues).toBeGreaterThan(250);
  });
});
