import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  analyzeTable,
  analyzeTables,
  type ColumnRole,
  regionKindOf,
  type TableProfile,
} from "../src/profile/index.ts";
import { openFixtures, profileTable } from "./duck.ts";

let c: DuckDBConnection;
const profiles: Record<string, TableProfile> = {};

beforeAll(async () => {
  c = await openFixtures();
  for (const n of ["mpg", "midwest", "caschools", "us_state_guns_panel"])
    profiles[n] = await profileTable(c, n);
});
afterAll(() => c?.closeSync());

/** column → "role" or "role/detail" (geo kind, time grain or default aggregation). */
const summary = (roles: ColumnRole[]) =>
  Object.fromEntries(
    roles.map((r) => [
      r.column,
      [r.role, r.geo ?? r.grain ?? r.defaultAggregation].filter(Boolean).join("/"),
    ]),
  );

describe("semantic roles of the fixture files", () => {
  it("mpg: makes and classes are dimensions, cyl a coded category, year is time, mpg figures averaged", () => {
    expect(summary(analyzeTable(profiles.mpg!).columns)).toEqual({
      manufacturer: "dimension",
      model: "dimension",
      displ: "measure/avg",
      year: "time/year",
      cyl: "dimension",
      trans: "dimension",
      drv: "dimension",
      cty: "measure/avg",
      hwy: "measure/avg",
      fl: "dimension",
      class: "dimension",
    });
  });

  it("us_state_guns_panel: year is time, state geography, crime rates are averaged measures, population summed", () => {
    const a = analyzeTable(profiles.us_state_guns_panel!);
    expect(summary(a.columns)).toEqual({
      year: "time/year",
      violent: "measure/avg",
      murder: "measure/avg",
      robbery: "measure/avg",
      prisoners: "measure/avg",
      afam: "measure/avg",
      cauc: "measure/avg",
      male: "measure/avg",
      population: "measure/sum",
      income: "measure/avg",
      density: "measure/avg",
      state: "geography/us-state",
      law: "dimension",
    });
    // A state × year panel: the pair is the key, proven on every row.
    expect(a.grain).toEqual({ columns: ["state", "year"], evidence: "unique in all 1173 rows" });
    expect(a.dateRange).toEqual({ column: "year", min: "1977", max: "1999", grain: "year" });
  });

  it("midwest: PID is the key, state codes are geography, counts summed and percentages averaged", () => {
    const a = analyzeTable(profiles.midwest!);
    const s = summary(a.columns);
    expect(s.PID).toBe("identifier");
    expect(s.county).toBe("geography/us-county");
    expect(s.state).toBe("geography/us-state");
    expect(s.poptotal).toBe("measure/sum");
    expect(s.popdensity).toBe("measure/avg");
    expect(s.percwhite).toBe("measure/avg");
    expect(a.columns.find((r) => r.column === "percwhite")!.percent).toBe(true);
    expect(s.inmetro).toBe("dimension");
    expect(s.category).toBe("dimension");
    expect(a.grain).toEqual({ columns: ["PID"], evidence: "437 distinct values in 437 rows" });
    expect(a.dateRange).toBeNull();
  });

  it("caschools: the district code and the school name identify rows; county is geography", () => {
    const s = summary(analyzeTable(profiles.caschools!).columns);
    expect(s.district).toBe("identifier");
    expect(s.school).toBe("identifier");
    expect(s.county).toBe("geography/us-county");
    expect(s.grades).toBe("dimension");
    expect(s.students).toBe("measure/sum");
    expect(s.income).toBe("measure/avg");
    expect(s.math).toBe("measure/avg");
  });

  it("mpg has no key: no column or pair of columns makes its rows unique", () => {
    expect(analyzeTable(profiles.mpg!).grain).toBeNull();
  });
});

describe("roles from a profile alone (no sample rows), as the server's profile gives them", () => {
  const table: TableProfile = {
    name: "orders",
    rowCount: 1000,
    columns: [
      {
        name: "order_id",
        type: "string",
        pattern: "identifier",
        count: 1000,
        missing: 0,
        distinct: 1000,
        min: null,
        max: null,
        examples: ["ORD-1", "ORD-2"],
      },
      {
        name: "customerId",
        type: "integer",
        count: 1000,
        missing: 0,
        distinct: 120,
        min: 1,
        max: 120,
        examples: [5, 9],
      },
      {
        name: "ordered_on",
        type: "date",
        count: 1000,
        missing: 0,
        distinct: 24,
        min: "2024-01-01",
        max: "2025-12-01",
        examples: ["2024-01-01"],
      },
      {
        name: "country",
        type: "string",
        count: 990,
        missing: 10,
        distinct: 4,
        min: null,
        max: null,
        examples: ["France", "Germany", "Japan", "United States"],
      },
      {
        name: "note",
        type: "string",
        count: 400,
        missing: 600,
        distinct: 398,
        min: null,
        max: null,
        examples: [
          "Customer asked for delivery after six in the evening, side door please",
          "Gift wrap both items and leave the receipt out of the parcel",
        ],
      },
      {
        name: "sales_usd",
        type: "number",
        count: 1000,
        missing: 0,
        distinct: 990,
        min: 1.5,
        max: 990.25,
        mean: 120,
        examples: [12.5],
      },
      {
        name: "discount_rate",
        type: "number",
        count: 1000,
        missing: 0,
        distinct: 20,
        min: 0,
        max: 0.3,
        examples: [0.1],
      },
      {
        name: "paid",
        type: "boolean",
        count: 1000,
        missing: 0,
        distinct: 2,
        min: null,
        max: null,
        examples: [true, false],
      },
      {
        name: "lat",
        type: "number",
        count: 1000,
        missing: 0,
        distinct: 300,
        min: 35.1,
        max: 52.3,
        examples: [48.8],
      },
      {
        name: "county_fips",
        type: "integer",
        count: 1000,
        missing: 0,
        distinct: 80,
        min: 1001,
        max: 56045,
        examples: [1001],
      },
      {
        name: "state_fips",
        type: "string",
        count: 1000,
        missing: 0,
        distinct: 12,
        min: null,
        max: null,
        examples: ["01", "06", "48"],
      },
    ],
  };

  it("reads each column's role", () => {
    expect(summary(analyzeTable(table).columns)).toEqual({
      order_id: "identifier",
      customerId: "identifier",
      ordered_on: "time/month",
      country: "geography/country",
      note: "text",
      sales_usd: "measure/sum",
      discount_rate: "measure/avg",
      paid: "dimension",
      lat: "geography/latitude",
      county_fips: "geography/us-county",
      state_fips: "geography/us-state",
    });
    // No sample rows: a single unique column is still a proven key.
    expect(analyzeTable(table).grain).toEqual({
      columns: ["order_id"],
      evidence: "1000 distinct values in 1000 rows",
    });
  });

  it("recognises region lists, but not one-letter codes or yes/no", () => {
    expect(regionKindOf(["IL", "IN", "MI", "OH", "WI"])).toBe("us-state");
    expect(regionKindOf(["Alabama", "Wyoming", "District of Columbia"])).toBe("us-state");
    expect(regionKindOf(["France", "DEU", "jp"])).toBe("country");
    expect(regionKindOf(["f", "4", "r"])).toBeNull();
    expect(regionKindOf(["yes", "no"])).toBeNull();
    expect(regionKindOf(["Alabama", "Atlantis", "Mars", "Narnia"])).toBeNull();
  });
});

describe("relationships", () => {
  it("offers the guns panel → a states table join, many-to-one, from names and value overlap", async () => {
    await c.run(`create or replace table state_regions as
      select distinct state, case
        when state in ('Connecticut','Maine','Massachusetts','New Hampshire','Rhode Island','Vermont','New Jersey','New York','Pennsylvania') then 'Northeast'
        when state in ('Illinois','Indiana','Michigan','Ohio','Wisconsin','Iowa','Kansas','Minnesota','Missouri','Nebraska','North Dakota','South Dakota') then 'Midwest'
        when state in ('Arizona','Colorado','Idaho','Montana','Nevada','New Mexico','Utah','Wyoming','Alaska','California','Hawaii','Oregon','Washington') then 'West'
        else 'South' end as region
      from us_state_guns_panel order by state`);
    const states = await profileTable(c, "state_regions");
    const { relationships, tables } = analyzeTables([profiles.us_state_guns_panel!, states]);
    expect(summary(tables[1]!.columns)).toEqual({ state: "geography/us-state", region: "dimension" });
    expect(relationships).toEqual([
      {
        from: { table: "us_state_guns_panel", column: "state" },
        to: { table: "state_regions", column: "state" },
        cardinality: "many-to-one",
        overlap: 1,
        reasons: [
          "same column name",
          "100 % of us_state_guns_panel.state's values are in state_regions.state",
        ],
      },
    ]);
  });

  it("joins `<table>_id` to that table's `id`, and offers nothing between unrelated files", () => {
    const stores: TableProfile = {
      name: "stores",
      rowCount: 3,
      columns: [
        {
          name: "id",
          type: "integer",
          count: 3,
          missing: 0,
          distinct: 3,
          min: 1,
          max: 3,
          examples: [1, 2, 3],
        },
        {
          name: "city",
          type: "string",
          count: 3,
          missing: 0,
          distinct: 3,
          min: null,
          max: null,
          examples: ["Austin", "Dallas", "Waco"],
        },
      ],
      sampleRows: [
        { id: 1, city: "Austin" },
        { id: 2, city: "Dallas" },
        { id: 3, city: "Waco" },
      ],
    };
    const sales: TableProfile = {
      name: "sales",
      rowCount: 6,
      columns: [
        {
          name: "stores_id",
          type: "integer",
          count: 6,
          missing: 0,
          distinct: 3,
          min: 1,
          max: 3,
          examples: [1, 2, 3],
        },
        {
          name: "amount",
          type: "number",
          count: 6,
          missing: 0,
          distinct: 6,
          min: 1,
          max: 6,
          examples: [1, 2],
        },
      ],
      sampleRows: [1, 2, 3, 1, 2, 3].map((s, i) => ({ stores_id: s, amount: i + 1 })),
    };
    const rels = analyzeTables([stores, sales]).relationships;
    expect(rels.map((r) => [r.from, r.to, r.cardinality])).toEqual([
      [{ table: "sales", column: "stores_id" }, { table: "stores", column: "id" }, "many-to-one"],
    ]);
    expect(analyzeTables([profiles.mpg!, profiles.caschools!]).relationships).toEqual([]);
  });
});

describe("planningContext", () => {
  it("is plain JSON: survives a round trip unchanged, with no rows and bounded text", async () => {
    const { planningContext } = await import("../src/plan/index.ts");
    const odd: TableProfile = {
      name: "odd",
      rowCount: 3,
      columns: [
        {
          name: "n",
          type: "number",
          count: 3,
          missing: 0,
          distinct: 3,
          min: Number.NEGATIVE_INFINITY,
          max: 5,
          examples: [1, 5],
        },
        {
          name: "t",
          type: "string",
          count: 3,
          missing: 0,
          distinct: 3,
          min: null,
          max: null,
          examples: ["x".repeat(500)],
        },
      ],
      sampleRows: [{ n: 1, t: "a" }],
    };
    const ctx = planningContext([profiles.us_state_guns_panel!, profiles.mpg!, odd]);
    expect(JSON.parse(JSON.stringify(ctx))).toEqual(ctx);
    expect(JSON.stringify(ctx)).not.toContain("sampleRows");
    expect(ctx.tables[0]!.grain).toEqual(["state", "year"]);
    expect(ctx.tables[0]!.columns.find((c) => c.name === "state")).toMatchObject({
      role: "geography",
      detail: "us-state",
      distinct: 51,
    });
    expect(ctx.tables[2]!.columns[0]!.min).toBeUndefined();
    expect(String(ctx.tables[2]!.columns[1]!.examples[0]).length).toBe(81);
    expect(JSON.stringify(ctx).length).toBeLessThan(20_000);
  });
});

describe("the server's profile as it is today (no sample rows)", () => {
  it("gives the same roles for every fixture column; only a two-column grain needs the sample", () => {
    for (const name of ["mpg", "midwest", "caschools", "us_state_guns_panel"]) {
      const full = profiles[name]!;
      const bare: TableProfile = {
        ...full,
        // The server gives text columns no min/max, and no rows.
        columns: full.columns.map((c) => (c.type === "string" ? { ...c, min: null, max: null } : c)),
        sampleRows: undefined,
      };
      expect(summary(analyzeTable(bare).columns), name).toEqual(summary(analyzeTable(full).columns));
    }
    const bare = { ...profiles.us_state_guns_panel!, sampleRows: undefined };
    expect(analyzeTable(bare).grain).toBeNull();
    expect(analyzeTable({ ...profiles.midwest!, sampleRows: undefined }).grain?.columns).toEqual(["PID"]);
  });
});
