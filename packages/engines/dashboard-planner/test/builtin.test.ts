import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkPlan,
  type DashboardPlan,
  planDashboard,
  planJsonSchema,
  type Visual,
} from "../src/plan/index.ts";
import { analyzeTable, type TableProfile } from "../src/profile/index.ts";
import { FIXTURE_NAMES, openFixtures, profileTable } from "./duck.ts";

/**
 * Golden plans: the built-in planner's exact output for each fixture file, committed under
 * test/fixtures/plans/ and reviewed by hand. `UPDATE_GOLDEN=1` rewrites them (then read the diff).
 * The tests below the golden comparison say, in an analyst's words, what each plan must show, so
 * a regenerated golden cannot silently lose it.
 */
let c: DuckDBConnection;
const profiles: Record<string, TableProfile> = {};
const GOLDEN = path.join(import.meta.dirname, "fixtures/plans");

beforeAll(async () => {
  c = await openFixtures();
  for (const n of FIXTURE_NAMES) profiles[n] = await profileTable(c, n);
});
afterAll(() => c?.closeSync());

const visuals = (plan: DashboardPlan) => plan.pages.flatMap((p) => p.visuals);
const byId = (plan: DashboardPlan, id: string) => visuals(plan).find((v) => v.id === id);
const fieldsOf = (v: Visual) =>
  v.bindings.map((b) => [b.channel, b.field?.column ?? null, b.aggregation ?? null]);

describe("golden plans", () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: the exact plan`, () => {
      const plan = planDashboard({ tables: [profiles[name]!] });
      const file = path.join(GOLDEN, `${name}.json`);
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
      expect(plan).toEqual(JSON.parse(readFileSync(file, "utf8")));
    });
  }
});

describe("what an analyst expects", () => {
  it("mpg: headline averages by model year, city mpg by cylinders and class, city against highway, a pivot", () => {
    const plan = planDashboard({ tables: [profiles.mpg!] });
    const overview = plan.pages[0]!;
    // Slicers for the two model years and the small categories.
    expect(overview.slicers.map((s) => [s.field.column, s.kind])).toEqual([
      ["year", "list"],
      ["cyl", "list"],
      ["class", "list"],
      ["drv", "list"],
    ]);
    // KPIs: rows, then the three mpg figures averaged (never summed), 2008 against 1999.
    const kpis = overview.visuals.filter((v) => v.kind === "kpi");
    expect(kpis.map((k) => fieldsOf(k)[0])).toEqual([
      ["value", null, "count"],
      ["value", "cty", "avg"],
      ["value", "hwy", "avg"],
      ["value", "displ", "avg"],
    ]);
    expect(kpis.slice(1).every((k) => k.comparison?.field.column === "year")).toBe(true);
    // Only two model years: a side-by-side column chart, not a two-point line.
    expect(byId(plan, "trend-cty")).toMatchObject({ kind: "column" });
    expect(fieldsOf(byId(plan, "trend-cty")!)).toEqual([
      ["category", "year", null],
      ["value", "cty", "avg"],
    ]);
    // Cylinders and class explain city mpg best; bars ranked by the value.
    for (const d of ["cyl", "class"]) {
      const bar = byId(plan, `bar-${d}`)!;
      expect(fieldsOf(bar)).toEqual([
        ["category", d, null],
        ["value", "cty", "avg"],
      ]);
      expect(bar.sort).toEqual({
        field: { table: "mpg", column: "cty" },
        aggregation: "avg",
        direction: "desc",
      });
    }
    expect(fieldsOf(byId(plan, "scatter-cty-hwy")!)).toEqual([
      ["x", "hwy", null],
      ["y", "cty", null],
    ]);
    expect(byId(plan, "histogram-cty")).toMatchObject({ bins: 9 });
    expect(fieldsOf(byId(plan, "pivot-cyl-class")!)).toEqual([
      ["rows", "cyl", null],
      ["columns", "class", null],
      ["value", "cty", "avg"],
    ]);
    expect(visuals(plan).some((v) => v.kind === "map")).toBe(false);
  });

  it("guns panel: states counted, crime rates averaged for the latest year, a trend line, a map, law compared", () => {
    const plan = planDashboard({ tables: [profiles.us_state_guns_panel!] });
    expect(plan.description).toBe(
      "1,173 rows of us_state_guns_panel; one row per state and year; year 1977 to 1999.",
    );
    const kpis = plan.pages[0]!.visuals.filter((v) => v.kind === "kpi");
    // The panel's entity is the state: count distinct states, not rows.
    expect(fieldsOf(kpis[0]!)).toEqual([["value", "state", "countDistinct"]]);
    expect(kpis.slice(1).map((k) => fieldsOf(k)[0])).toEqual([
      ["value", "violent", "avg"],
      ["value", "robbery", "avg"],
      ["value", "murder", "avg"],
    ]);
    expect(byId(plan, "trend-violent")).toMatchObject({ kind: "line", layout: { x: 0, w: 12 } });
    expect(byId(plan, "map-state")).toMatchObject({ kind: "map", geo: "us-state" });
    expect(fieldsOf(byId(plan, "bar-law")!)).toEqual([
      ["category", "law", null],
      ["value", "violent", "avg"],
    ]);
    expect(plan.pages[0]!.slicers.map((s) => [s.field.column, s.kind])).toEqual([
      ["year", "range"],
      ["law", "list"],
    ]);
    // The detail table leads with the key.
    expect(fieldsOf(byId(plan, "table-rows")!).slice(0, 2)).toEqual([
      ["columns", "state", null],
      ["columns", "year", null],
    ]);
  });

  it("the goal shifts the emphasis: 'by state, top 5' puts a ranked state bar and the map first", () => {
    const plan = planDashboard({
      tables: [profiles.us_state_guns_panel!],
      goal: "Violent crime by state, top 5",
    });
    const charts = plan.pages[0]!.visuals.filter((v) => v.kind !== "kpi");
    expect(charts.map((v) => v.id).slice(0, 3)).toEqual(["bar-state", "map-state", "trend-violent"]);
    expect(byId(plan, "bar-state")!.topN).toEqual({ n: 5, other: false });
    // law has two values: "top 5" does not apply to it.
    expect(byId(plan, "bar-law")!.topN).toBeUndefined();
    expect(plan.goal).toBe("Violent crime by state, top 5");
  });

  it("the goal's measure becomes the main one; 'trend' adds a second line", () => {
    const plan = planDashboard({ tables: [profiles.us_state_guns_panel!], goal: "murder trend" });
    expect(
      plan.pages[0]!.visuals.filter((v) => v.kind !== "kpi")
        .map((v) => v.id)
        .slice(0, 2),
    ).toEqual(["trend-murder", "trend-violent"]);
  });

  it("'compare hwy across class and drv' leads with a clustered column; 'distribution' with the histogram", () => {
    const plan = planDashboard({ tables: [profiles.mpg!], goal: "compare hwy across class and drv" });
    const first = plan.pages[0]!.visuals.filter((v) => v.kind !== "kpi");
    expect(first[0]!.id).toBe("bar-class");
    expect(first[1]!.id).toBe("compare-class-drv");
    expect(fieldsOf(first[1]!)).toEqual([
      ["category", "class", null],
      ["series", "drv", null],
      ["value", "hwy", "avg"],
    ]);
    const dist = planDashboard({ tables: [profiles.mpg!], goal: "the distribution of hwy" });
    expect(dist.pages[0]!.visuals.filter((v) => v.kind !== "kpi")[0]!.id).toBe("histogram-hwy");
  });

  it("high-cardinality dimensions get a top 10 with an Other bucket", () => {
    const plan = planDashboard({ tables: [profiles.caschools!] });
    expect(byId(plan, "bar-county")!.topN).toEqual({ n: 10, other: true });
  });

  for (const name of FIXTURE_NAMES) {
    it(`${name}: identifiers are only counted, free text never charted, tiles never overlap`, () => {
      const plan = planDashboard({ tables: [profiles[name]!] });
      const roles = new Map(analyzeTable(profiles[name]!).columns.map((r) => [r.column, r.role]));
      for (const v of visuals(plan)) {
        for (const b of v.bindings) {
          const role = b.field ? roles.get(b.field.column) : undefined;
          if (role === "identifier" && b.aggregation)
            expect(["count", "countDistinct"]).toContain(b.aggregation);
          if (role === "text") expect(v.kind).toBe("table");
        }
      }
      for (const page of plan.pages) {
        const tiles = [...page.slicers, ...page.visuals].map((t) => t.layout);
        for (let i = 0; i < tiles.length; i++) {
          expect(tiles[i]!.x + tiles[i]!.w).toBeLessThanOrEqual(12);
          for (let j = i + 1; j < tiles.length; j++) {
            const a = tiles[i]!;
            const b = tiles[j]!;
            const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
            expect(overlap).toBe(false);
          }
        }
      }
    });
  }

  it("a free-text column stays out of the charts", () => {
    const table: TableProfile = {
      name: "feedback",
      rowCount: 50,
      columns: [
        {
          name: "comment",
          type: "string",
          count: 50,
          missing: 0,
          distinct: 50,
          min: null,
          max: null,
          examples: [],
        },
        { name: "score", type: "number", count: 50, missing: 0, distinct: 40, min: 1, max: 10, examples: [] },
        {
          name: "channel",
          type: "string",
          count: 50,
          missing: 0,
          distinct: 3,
          min: null,
          max: null,
          examples: [],
        },
      ],
      sampleRows: Array.from({ length: 50 }, (_, i) => ({
        comment: `The delivery number ${i} arrived late and the box was damaged on one side`,
        score: (i % 10) + 1,
        channel: ["web", "phone", "store"][i % 3]!,
      })),
    };
    expect(analyzeTable(table).columns[0]!.role).toBe("text");
    const plan = planDashboard({ tables: [table] });
    const used = visuals(plan).flatMap((v) => v.bindings.map((b) => b.field?.column));
    expect(used).not.toContain("comment");
  });
});

describe("the plan's JSON Schema", () => {
  it("describes the document a language model answers in", () => {
    const schema = planJsonSchema() as {
      $defs: Record<string, { required?: string[]; properties: Record<string, unknown> }>;
    };
    const plan = schema.$defs.DashboardPlan!;
    expect(plan.required).toEqual(["version", "title", "generatedBy", "pages"]);
    expect(Object.keys(plan.properties)).toContain("fallback");
    const text = JSON.stringify(schema);
    for (const kind of [
      "kpi",
      "line",
      "area",
      "bar",
      "column",
      "stackedBar",
      "stackedColumn",
      "scatter",
      "table",
      "pivot",
      "map",
      "histogram",
    ])
      expect(text).toContain(`"${kind}"`);
    for (const agg of ["sum", "avg", "min", "max", "count", "countDistinct", "median"])
      expect(text).toContain(`"${agg}"`);
  });
});

describe("two related files", () => {
  it("plans on the fact table and charts a lookup table's dimension through the join", async () => {
    await c.run(`create or replace table state_regions as
      select distinct state, case
        when state in ('Connecticut','Maine','Massachusetts','New Hampshire','Rhode Island','Vermont','New Jersey','New York','Pennsylvania') then 'Northeast'
        when state in ('Illinois','Indiana','Michigan','Ohio','Wisconsin','Iowa','Kansas','Minnesota','Missouri','Nebraska','North Dakota','South Dakota') then 'Midwest'
        when state in ('Arizona','Colorado','Idaho','Montana','Nevada','New Mexico','Utah','Wyoming','Alaska','California','Hawaii','Oregon','Washington') then 'West'
        else 'South' end as region
      from us_state_guns_panel order by state`);
    const regions = await profileTable(c, "state_regions");
    // The lookup table is listed first: the fact side is still chosen as the primary table.
    const plan = planDashboard({
      tables: [regions, profiles.us_state_guns_panel!],
      goal: "violent crime by region",
    });
    expect(plan.relationships).toEqual([
      {
        from: { table: "us_state_guns_panel", column: "state" },
        to: { table: "state_regions", column: "state" },
      },
    ]);
    const bar = byId(plan, "bar-region")!;
    expect(bar.table).toBe("us_state_guns_panel");
    expect(fieldsOf(bar)).toEqual([
      ["category", "region", null],
      ["value", "violent", "avg"],
    ]);
    expect(bar.bindings[0]!.field!.table).toBe("state_regions");
    expect(plan.pages[0]!.visuals.filter((v) => v.kind !== "kpi")[0]!.id).toBe("bar-region");
  });
});

describe("number formats", () => {
  it("money by the unit in its name, percentages, summed counts compact", () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({
      region: ["n", "s", "e"][i % 3]!,
      sales_usd: 10 + ((i * 7) % 13),
      perc_returned: (i * 3) % 40,
      orders: 1 + (i % 17) * 2,
    }));
    const col = (name: string, type: "string" | "integer" | "number") => {
      const values = rows.map((r) => r[name as keyof (typeof rows)[number]]);
      const nums = values.filter((v): v is number => typeof v === "number");
      return {
        name,
        type,
        count: 60,
        missing: 0,
        distinct: new Set(values).size,
        min: nums.length ? Math.min(...nums) : null,
        max: nums.length ? Math.max(...nums) : null,
        examples: values.slice(0, 5),
      };
    };
    const t: TableProfile = {
      name: "shop",
      rowCount: 60,
      columns: [
        col("region", "string"),
        col("sales_usd", "number"),
        col("perc_returned", "integer"),
        col("orders", "integer"),
      ],
      sampleRows: rows,
    };
    const plan = planDashboard({ tables: [t] });
    const formats = Object.fromEntries(
      plan.pages[0]!.visuals.filter((v) => v.kind === "kpi").map((v) => [
        v.bindings[0]!.field?.column ?? "rows",
        v.bindings[0]!.format,
      ]),
    );
    expect(formats).toEqual({
      rows: { kind: "integer", decimals: 0, compact: false },
      sales_usd: { kind: "currency", currency: "USD", decimals: 0, compact: true },
      perc_returned: { kind: "percent", decimals: 1, compact: false },
      orders: { kind: "integer", decimals: 0, compact: true },
    });
  });
});

describe("without sample rows (the server's profile today)", () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: still a full plan that passes the checks, measures and dimensions in file order`, () => {
      const bare = { ...profiles[name]!, sampleRows: undefined };
      const plan = planDashboard({ tables: [bare] });
      expect(checkPlan(plan, [bare])).toMatchObject({ ok: true, repairs: [], issues: [] });
      expect(visuals(plan).length).toBeGreaterThanOrEqual(8);
    });
  }
});
