import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DashboardPlan,
  type DashboardPlanInput,
  DashboardPlan as PlanSchema,
  planDashboard,
} from "../src/plan/index.ts";
import type { CellValue, TableProfile } from "../src/profile/index.ts";
import { compileSlicer, compileVisual, type QueryOptions } from "../src/query/index.ts";
import { FIXTURE_NAMES, openFixtures, profileTable, rowsOf } from "./duck.ts";
import { type Data, evaluate } from "./reference.ts";

/**
 * Every compiled query runs in DuckDB over the fixture CSVs and must equal the independent
 * evaluation in reference.ts: counts and integer sums exactly, averages and other fractions to 1e-9
 * (relative), row order included.
 */
let c: DuckDBConnection;
const profiles: Record<string, TableProfile> = {};
const data: Data = {};

beforeAll(async () => {
  c = await openFixtures();
  for (const n of FIXTURE_NAMES) {
    profiles[n] = await profileTable(c, n);
    data[n] = profiles[n]!.sampleRows!;
  }
});
afterAll(() => c?.closeSync());

function same(actual: Record<string, CellValue>[], expected: Record<string, CellValue>[]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    const want = expected[i]!;
    expect(Object.keys(row)).toEqual(Object.keys(want));
    for (const k of Object.keys(want)) {
      const a = row[k];
      const b = want[k];
      if (typeof a === "number" && typeof b === "number" && !(Number.isInteger(a) && Number.isInteger(b))) {
        if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(b)))
          expect({ row: i, k, a }).toEqual({ row: i, k, a: b });
      } else if (a !== b) expect({ row: i, k, a }).toEqual({ row: i, k, a: b });
    }
  });
}

async function check(plan: DashboardPlan, tables: TableProfile[], options: QueryOptions = {}) {
  let n = 0;
  for (const page of plan.pages) {
    for (const v of page.visuals) {
      const q = compileVisual(plan, v.id, tables, options);
      expect(q.sql).toMatch(/^(WITH|SELECT) /);
      const got = await rowsOf(c, q.sql, q.params);
      expect(got.length, v.id).toBeGreaterThan(0);
      same(got, evaluate(plan, v.id, data, options));
      n++;
    }
  }
  return n;
}

const plan = (
  visuals: DashboardPlanInput["pages"][number]["visuals"],
  extra: Partial<DashboardPlanInput> = {},
) =>
  PlanSchema.parse({
    version: 1,
    title: "t",
    generatedBy: "built-in",
    pages: [{ id: "p", title: "P", visuals }],
    ...extra,
  } satisfies DashboardPlanInput & { pages: unknown }) as DashboardPlan;
const at = { x: 0, y: 0, w: 6, h: 4 };

describe("compiled queries equal an independent computation", () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: every visual of the built-in plan`, async () => {
      const p = planDashboard({ tables: [profiles[name]!] });
      expect(await check(p, [profiles[name]!])).toBeGreaterThanOrEqual(9);
    });
  }

  it("guns panel: slicers (a year range, a law value) and a cross-filter from the map", async () => {
    const p = planDashboard({ tables: [profiles.us_state_guns_panel!] });
    const options: QueryOptions = {
      slicers: { "slicer-year": { range: [1990, 1995] }, "slicer-law": { values: [true] } },
      selections: [
        {
          field: { table: "us_state_guns_panel", column: "state" },
          values: ["Texas", "Ohio", "Florida"],
          sourceVisualId: "map-state",
        },
      ],
    };
    await check(p, [profiles.us_state_guns_panel!], options);
    // The map that made the selection still shows every state that passes the slicers.
    const map = compileVisual(p, "map-state", [profiles.us_state_guns_panel!], options);
    const rows = await rowsOf(c, map.sql, map.params);
    expect(rows.length).toBeGreaterThan(3);
    const kpi = compileVisual(p, "kpi-state-count", [profiles.us_state_guns_panel!], options);
    expect(await rowsOf(c, kpi.sql, kpi.params)).toEqual([
      {
        c0: (
          await rowsOf(
            c,
            `select count(distinct state) n from us_state_guns_panel where year between 1990 and 1995 and law and state in ('Texas','Ohio','Florida')`,
          )
        )[0]!.n,
      },
    ]);
  });

  it("mpg: median and distinct counts, a top 5 with an Other bucket, a series, filters of every kind", async () => {
    const T = "mpg";
    const f = (column: string) => ({ table: T, column });
    const p = plan([
      {
        id: "top5",
        kind: "bar",
        title: "x",
        table: T,
        layout: at,
        bindings: [
          { channel: "category", field: f("manufacturer") },
          { channel: "value", field: f("hwy"), aggregation: "median" },
        ],
        sort: { field: f("hwy"), aggregation: "median", direction: "desc" },
        topN: { n: 5, other: true },
      },
      {
        id: "top3",
        kind: "bar",
        title: "x",
        table: T,
        layout: at,
        bindings: [
          { channel: "category", field: f("class") },
          { channel: "value", aggregation: "count" },
        ],
        sort: { aggregation: "count", direction: "asc" },
        topN: { n: 3, other: false },
      },
      {
        id: "series",
        kind: "stackedColumn",
        title: "x",
        table: T,
        layout: at,
        bindings: [
          { channel: "category", field: f("drv") },
          { channel: "series", field: f("year") },
          { channel: "value", field: f("displ"), aggregation: "sum" },
          { channel: "value", field: f("model"), aggregation: "countDistinct" },
        ],
      },
      {
        id: "minmax",
        kind: "table",
        title: "x",
        table: T,
        layout: at,
        bindings: [
          { channel: "rows", field: f("class") },
          { channel: "value", field: f("cty"), aggregation: "min" },
          { channel: "value", field: f("cty"), aggregation: "max" },
          { channel: "value", field: f("trans"), aggregation: "max" },
          { channel: "value", aggregation: "count" },
        ],
        filters: [
          { field: f("cyl"), op: "in", values: [4, 6] },
          { field: f("fl"), op: "neq", values: ["e"] },
          { field: f("displ"), op: "between", values: [1.8, 3.5] },
        ],
      },
      {
        id: "raw",
        kind: "table",
        title: "x",
        table: T,
        layout: at,
        limit: 17,
        bindings: [
          { channel: "columns", field: f("model") },
          { channel: "columns", field: f("hwy") },
        ],
        sort: { field: f("hwy"), direction: "asc" },
        filters: [
          { field: f("manufacturer"), op: "notIn", values: ["audi", "ford"] },
          { field: f("hwy"), op: "gte", values: [20] },
        ],
      },
      {
        id: "kpi",
        kind: "kpi",
        title: "x",
        table: T,
        layout: at,
        bindings: [{ channel: "value", field: f("cty"), aggregation: "median" }],
        comparison: { kind: "previousPeriod", field: f("year") },
      },
    ]);
    expect(await check(p, [profiles.mpg!])).toBe(6);
    const top = await rowsOf(
      c,
      ...((q) => [q.sql, q.params] as const)(compileVisual(p, "top5", [profiles.mpg!])),
    );
    expect(top.length).toBe(6);
    expect(top.at(-1)).toMatchObject({ c0: "Other", other: true });
  });

  it("joins a lookup table through the plan's relationship", async () => {
    await c.run(`create or replace table state_regions as
      select distinct state, case when state in ('Texas','Florida','Georgia','Alabama') then 'Deep South' when state like 'New%' then 'New' else 'Rest' end as region
      from us_state_guns_panel where state <> 'Wyoming'`);
    const regions = await profileTable(c, "state_regions");
    data.state_regions = regions.sampleRows!;
    const G = "us_state_guns_panel";
    const p = plan(
      [
        {
          id: "by-region",
          kind: "bar",
          title: "x",
          table: G,
          layout: at,
          bindings: [
            { channel: "category", field: { table: "state_regions", column: "region" } },
            { channel: "value", field: { table: G, column: "violent" }, aggregation: "avg" },
            { channel: "value", aggregation: "count" },
          ],
        },
      ],
      {
        relationships: [
          { from: { table: G, column: "state" }, to: { table: "state_regions", column: "state" } },
        ],
      },
    );
    const tables = [profiles.us_state_guns_panel!, regions];
    await check(p, tables, {
      selections: [{ field: { table: "state_regions", column: "region" }, values: ["New", "Deep South"] }],
    });
    await check(p, tables);
    // Wyoming has no region: its 23 rows form the null group, as a left join keeps them.
    const q = compileVisual(p, "by-region", tables);
    const rows = await rowsOf(c, q.sql, q.params);
    expect(rows.find((r) => r.c0 === null)?.c2).toBe(23);
  });

  it("dates: grouped by month, a month cross-filter, the latest month against the one before", async () => {
    await c.run(`create or replace table sales as
      select (DATE '2024-01-03' + (i * 5)::INTEGER) as day, (i * 37) % 101 as units, ['web','store'][1 + i % 2] as channel
      from range(0, 90) t(i)`);
    const sales = await profileTable(c, "sales");
    data.sales = sales.sampleRows!;
    expect(typeof data.sales[0]!.day).toBe("string");
    const S = "sales";
    const f = (column: string) => ({ table: S, column });
    const p = plan([
      {
        id: "line",
        kind: "line",
        title: "x",
        table: S,
        layout: at,
        bindings: [
          { channel: "x", field: f("day"), timeGrain: "month" },
          { channel: "series", field: f("channel") },
          { channel: "y", field: f("units"), aggregation: "sum" },
        ],
        sort: { field: f("day"), direction: "asc" },
      },
      {
        id: "kpi",
        kind: "kpi",
        title: "x",
        table: S,
        layout: at,
        bindings: [{ channel: "value", field: f("units"), aggregation: "sum" }],
        comparison: { kind: "previousPeriod", field: f("day"), timeGrain: "quarter" },
      },
      {
        id: "weeks",
        kind: "column",
        title: "x",
        table: S,
        layout: at,
        bindings: [
          { channel: "category", field: f("day"), timeGrain: "week" },
          { channel: "value", aggregation: "count" },
        ],
      },
      {
        id: "years",
        kind: "column",
        title: "x",
        table: S,
        layout: at,
        bindings: [
          { channel: "category", field: f("day"), timeGrain: "year" },
          { channel: "value", field: f("units"), aggregation: "max" },
        ],
      },
      {
        id: "bars",
        kind: "bar",
        title: "x",
        table: S,
        layout: at,
        bindings: [
          { channel: "category", field: f("channel") },
          { channel: "value", field: f("units"), aggregation: "avg" },
        ],
        filters: [{ field: f("day"), op: "lt", values: ["2024-06-01"] }],
      },
    ]);
    await check(p, [sales]);
    await check(p, [sales], {
      selections: [
        { field: f("day"), timeGrain: "month", values: ["2024-02-01", "2024-05-01"], sourceVisualId: "line" },
      ],
    });
  });
});

describe("injection", () => {
  it("a column name and filter values with quotes and ; stay names and values", async () => {
    const evilColumn = `x"; DROP TABLE mpg; --`;
    const evilTable = `t'"; DELETE FROM mpg; --`;
    await c.run(`create or replace table "${evilTable.replaceAll('"', '""')}" as
      select manufacturer as "${evilColumn.replaceAll('"', '""')}", hwy from mpg
      union all select 'a''; DROP TABLE mpg; --', 99`);
    const evil = await profileTable(c, evilTable);
    data[evilTable] = evil.sampleRows!;
    const f = (column: string) => ({ table: evilTable, column });
    const p = plan([
      {
        id: "v",
        kind: "bar",
        title: "x",
        table: evilTable,
        layout: at,
        bindings: [
          { channel: "category", field: f(evilColumn) },
          { channel: "value", field: f("hwy"), aggregation: "sum" },
        ],
        filters: [
          {
            field: f(evilColumn),
            op: "in",
            values: ["a'; DROP TABLE mpg; --", "audi", `"); DELETE FROM mpg; --`],
          },
        ],
        topN: { n: 1, other: true },
      },
    ]);
    const q = compileVisual(p, "v", [evil], { otherLabel: "'); DROP TABLE mpg; --" });
    expect(q.sql).not.toContain("DROP TABLE mpg; --'");
    expect(q.params).toContain("a'; DROP TABLE mpg; --");
    const rows = await rowsOf(c, q.sql, q.params);
    const audi = (await rowsOf(c, "select sum(hwy)::bigint s from mpg where manufacturer = 'audi'"))[0]!.s;
    expect(rows).toEqual([
      { c0: "audi", c1: audi, other: false },
      { c0: "'); DROP TABLE mpg; --", c1: 99, other: true },
    ]);
    same(rows, evaluate(p, "v", data, { otherLabel: "'); DROP TABLE mpg; --" }));
    expect((await rowsOf(c, "select count(*) n from mpg"))[0]!.n).toBe(234);
  });
});

describe("slicer choices", () => {
  it("distinct values and ranges under the other slicers and selections, never under themselves", async () => {
    const p = planDashboard({ tables: [profiles.us_state_guns_panel!] });
    const tables = [profiles.us_state_guns_panel!];
    const options: QueryOptions = {
      slicers: { "slicer-year": { range: [1990, 1991] }, "slicer-law": { values: [true] } },
      selections: [
        { field: { table: "us_state_guns_panel", column: "state" }, values: ["Texas", "Utah", "Maine"] },
      ],
    };
    const law = compileSlicer(p, "slicer-law", tables, options);
    const lawRows = await rowsOf(c, law.sql, law.params);
    const rows = data.us_state_guns_panel!.filter(
      (r) =>
        (r.year as number) >= 1990 &&
        (r.year as number) <= 1991 &&
        ["Texas", "Utah", "Maine"].includes(r.state as string),
    );
    // law = true is chosen, yet both values are still offered (Texas had no such law then).
    expect(lawRows.map((r) => r.value)).toEqual(
      [...new Set(rows.map((r) => r.law))].sort((a, b) => Number(a) - Number(b)),
    );
    expect(lawRows).toEqual([
      { value: false, count: rows.filter((r) => r.law === false).length },
      { value: true, count: rows.filter((r) => r.law === true).length },
    ]);
    const year = compileSlicer(p, "slicer-year", tables, options);
    const withLaw = data.us_state_guns_panel!.filter(
      (r) => r.law === true && ["Texas", "Utah", "Maine"].includes(r.state as string),
    );
    expect(await rowsOf(c, year.sql, year.params)).toEqual([
      {
        min: Math.min(...withLaw.map((r) => r.year as number)),
        max: Math.max(...withLaw.map((r) => r.year as number)),
      },
    ]);
  });
});
