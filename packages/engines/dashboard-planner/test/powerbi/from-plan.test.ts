import { readFileSync } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPlan, type DashboardPlan, planDashboard } from "../../src/plan/index.ts";
import {
  checkedPowerBiSpec,
  PLAN_KIND_TO_POWER_BI,
  PowerBiProjectSpec,
  planToPowerBiSpec,
  writePowerBiProject,
} from "../../src/powerbi/index.ts";
import { analyzeTable, type TableProfile } from "../../src/profile/index.ts";
import { FIXTURE_NAMES, openFixtures, profileTable } from "../duck.ts";
import { describeErrors, loadSchemas } from "./json-schemas.ts";
import { childrenOf, parseTmdl, readQualified, type TmdlObject } from "./tmdl-parser.ts";

/**
 * The golden plans as Power BI projects: every JSON file validates against Microsoft's schema,
 * and the TMDL reads back to the tables, typed columns, measures and relationships the plan
 * implies — computed here from the plan, not from the mapping.
 */
const schemas = loadSchemas();
const GOLDEN = path.join(import.meta.dirname, "../fixtures/plans");
const JSON_FILE = /(\.json|\.pbir|\.pbism|\.pbip|\/\.platform)$/;
let c: DuckDBConnection;
const profiles: Record<string, TableProfile> = {};
const golden = (n: string): DashboardPlan => JSON.parse(readFileSync(path.join(GOLDEN, `${n}.json`), "utf8"));

beforeAll(async () => {
  c = await openFixtures();
  for (const n of FIXTURE_NAMES) profiles[n] = await profileTable(c, n);
});
afterAll(() => c?.closeSync());

const AGG = {
  sum: "SUM",
  avg: "AVERAGE",
  min: "MIN",
  max: "MAX",
  count: "COUNT",
  countDistinct: "DISTINCTCOUNT",
  median: "MEDIAN",
};
const TYPE = {
  integer: "int64",
  number: "double",
  boolean: "boolean",
  date: "dateTime",
  datetime: "dateTime",
  time: "string",
  string: "string",
};

function readModel(files: Map<string, string | Uint8Array>, name: string) {
  const prefix = `${name}.SemanticModel/definition/`;
  const tables = [...files]
    .filter(([p]) => p.startsWith(`${prefix}tables/`))
    .flatMap(([, text]) => childrenOf({ children: parseTmdl(String(text)) } as TmdlObject, "table"));
  const rel = files.get(`${prefix}relationships.tmdl`);
  const relationships = rel
    ? parseTmdl(String(rel)).map((r) => [
        readQualified(String(r.properties.get("fromColumn"))),
        readQualified(String(r.properties.get("toColumn"))),
      ])
    : [];
  return { tables, relationships };
}

describe("golden plans → Power BI projects", () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: valid spec, schema-valid files, TMDL with the plan's tables, measures and visuals`, () => {
      const plan = golden(name);
      const profile = profiles[name]!;
      const { spec, notes } = planToPowerBiSpec(plan, [profile]);
      const parsed = PowerBiProjectSpec.safeParse(spec);
      expect(parsed.success ? "" : JSON.stringify(parsed.error.issues, null, 1)).toBe("");
      const files = writePowerBiProject(spec);

      for (const [p, content] of files) {
        if (!JSON_FILE.test(p)) continue;
        const doc = JSON.parse(String(content));
        const check = schemas.validator(String(doc.$schema))!;
        expect(check, p).toBeDefined();
        expect(check(doc) ? "" : describeErrors(check.errors), p).toBe("");
      }

      const { tables, relationships } = readModel(files, spec.name);
      expect(tables.map((t) => t.name)).toEqual([name]);
      const columns = childrenOf(tables[0]!, "column").filter((x) => x.value === undefined);
      expect(
        columns.map((x) => [x.name, x.properties.get("dataType"), x.properties.get("sourceColumn")]),
      ).toEqual(profile.columns.map((col) => [col.name, TYPE[col.type], col.name]));
      expect(relationships).toEqual([]);

      // The measures the plan implies: each distinct (column, aggregation) it shows; a row count
      // is COUNT of a column with no blanks; a raw scatter's axes are summed or averaged by role.
      const full = profile.columns.find((col) => col.missing === 0)!.name;
      const roles = analyzeTable(profile).columns;
      const implied = new Set<string>();
      for (const v of plan.pages.flatMap((p) => p.visuals)) {
        for (const b of v.bindings) {
          if (b.aggregation) implied.add(`${AGG[b.aggregation]}('${name}'[${b.field?.column ?? full}])`);
          else if (v.kind === "scatter" && (b.channel === "x" || b.channel === "y")) {
            const role = roles.find((r) => r.column === b.field!.column)!;
            const fn = role.defaultAggregation === "sum" ? "SUM" : "AVERAGE";
            implied.add(`${fn}('${name}'[${b.field!.column}])`);
          }
        }
      }
      const measures = childrenOf(tables[0]!, "measure").map((x) => x.value!);
      expect(new Set(measures)).toEqual(implied);
      expect(measures.length).toBe(new Set(measures).size);

      // Every plan visual and slicer is in the report, with the kind it maps to.
      const visuals = [...files]
        .filter(([p]) => p.endsWith("visual.json"))
        .map(([, text]) => JSON.parse(String(text)).visual.visualType);
      const planVisuals = plan.pages.flatMap((p) => p.visuals);
      const slicers = plan.pages.flatMap((p) => p.slicers);
      expect(visuals.length).toBe(planVisuals.length + slicers.length);
      expect(visuals.filter((t) => t === "slicer").length).toBe(slicers.length);
      expect(visuals.filter((t) => t === "cardVisual").length).toBe(
        planVisuals.filter((v) => v.kind === "kpi").length,
      );
      // What the project cannot show as the dashboard does is said, per plan path.
      for (const n of notes) expect(n.path).toMatch(/^(pages|relationships)\./);
    });
  }

  it("maps every plan visual kind (kpi → card, pivot → matrix, map → filledMap, histogram → histogram…)", () => {
    expect(PLAN_KIND_TO_POWER_BI).toEqual({
      kpi: "card",
      line: "lineChart",
      area: "areaChart",
      bar: "barChart",
      column: "columnChart",
      stackedBar: "stackedBarChart",
      stackedColumn: "stackedColumnChart",
      scatter: "scatterChart",
      table: "table",
      pivot: "matrix",
      map: "filledMap",
      histogram: "histogram",
    });
    // Each kind, written, is the Power BI visual type the writer documents.
    const plan = golden("us_state_guns_panel");
    const page = plan.pages[0]!;
    const base = page.visuals.find((v) => v.id === "bar-law")!;
    const kinds = ["line", "area", "bar", "column", "stackedBar", "stackedColumn"] as const;
    page.visuals.push(
      ...kinds.map((kind, i) => ({
        ...structuredClone(base),
        id: `k-${kind}`,
        kind,
        layout: { x: 0, y: 30 + 4 * i, w: 6, h: 4 },
      })),
    );
    const { spec } = planToPowerBiSpec(plan, [profiles.us_state_guns_panel!]);
    const files = writePowerBiProject(spec);
    const types = new Map(
      [...files]
        .filter(([p]) => p.endsWith("visual.json"))
        .map(([, t]) => JSON.parse(String(t)))
        .map((d) => [d.visual.visualType as string, d]),
    );
    for (const t of [
      "cardVisual",
      "lineChart",
      "areaChart",
      "clusteredBarChart",
      "clusteredColumnChart",
      "barChart",
      "columnChart",
      "scatterChart",
      "tableEx",
      "azureMap",
      "slicer",
    ])
      expect(types.has(t), t).toBe(true);
    const matrix = planToPowerBiSpec(golden("mpg"), [profiles.mpg!]).spec.pages[1]!.visuals[0]!;
    expect(matrix.kind).toBe("matrix");
    const hist = planToPowerBiSpec(golden("mpg"), [profiles.mpg!]).spec.pages[0]!.visuals.find(
      (v) => v.id === "histogram-cty",
    )!;
    // mpg's city mpg spans 9–35 in 9 bins: 26/9 = 2.9 → bins 5 wide (1-2-2.5-5 steps).
    expect(hist).toMatchObject({ kind: "histogram", binWidth: 5 });
  });

  it("carries sort, top N, slicer modes, filters, number formats and positions", () => {
    const { spec, notes } = planToPowerBiSpec(golden("midwest"), [profiles.midwest!]);
    const page = spec.pages[0]!;
    const bar = page.visuals.find((v) => v.id === "bar-category")!;
    expect(bar.sort).toEqual({ by: { measure: "Total popwhite" }, direction: "descending" });
    expect(bar.topN).toEqual({ count: 10, by: { measure: "Total popwhite" }, direction: "top" });
    expect(notes).toContainEqual({
      path: "pages.0.visuals.4.topN",
      message: "Power BI keeps the top 10 without an Other bucket",
    });
    const measure = spec.measures!.find((x) => x.name === "Total popwhite")!;
    expect(measure).toMatchObject({
      table: "midwest",
      column: "popwhite",
      aggregation: "sum",
      formatString: "#,0",
    });
    expect(spec.measures!.find((x) => x.name === "Average popdensity")).toMatchObject({
      aggregation: "average",
    });
    // A 12-column grid on 1280 px: a half-width tile at column 6, row 3 (60 px rows).
    expect(bar).toMatchObject({ xPx: 10, yPx: 190, widthPx: 620, heightPx: 230 });
    expect(page.visuals.find((v) => v.id === "slicer-state")).toMatchObject({
      kind: "slicer",
      slicerMode: "list",
    });
    const guns = planToPowerBiSpec(golden("us_state_guns_panel"), [profiles.us_state_guns_panel!]).spec;
    expect(guns.pages[0]!.visuals.find((v) => v.id === "slicer-year")).toMatchObject({
      slicerMode: "between",
    });
    const state = guns.tables[0]!.columns.find((x) => x.name === "state")!;
    expect(state.dataCategory).toBe("StateOrProvince");
    expect(guns.tables[0]!.columns.find((x) => x.name === "violent")!.summarizeBy).toBe("average");

    // Filters: "is one of" becomes a basic filter, typed to the column; other operators are noted.
    const plan = golden("mpg");
    plan.pages[0]!.filters = [
      { field: { table: "mpg", column: "year" }, op: "in", values: ["2008"] },
      { field: { table: "mpg", column: "cty" }, op: "gt", values: [20] },
    ];
    const mpg = planToPowerBiSpec(plan, [profiles.mpg!]);
    expect(mpg.spec.pages[0]!.filters).toEqual([
      { column: { table: "mpg", column: "year" }, values: [2008] },
    ]);
    expect(mpg.notes.some((n) => n.path === "pages.0.filters.1" && /"gt" filter/.test(n.message))).toBe(true);
    expect(PowerBiProjectSpec.safeParse(mpg.spec).success).toBe(true);
  });

  it("a very long page squeezes its rows under Power BI's 10,000 px; an unwritable visual is left out with a note", () => {
    const plan = golden("mpg");
    const last = plan.pages[0]!.visuals.at(-1)!;
    last.layout = { ...last.layout, y: 400 };
    const { spec } = checkedPowerBiSpec(plan, [profiles.mpg!]);
    const page = spec.pages[0]!;
    expect(page.heightPx).toBeLessThanOrEqual(10_000);
    const moved = page.visuals.find((v) => v.id === last.id)!;
    expect(moved.yPx + moved.heightPx).toBeLessThanOrEqual(page.heightPx);
    // 404 rows in 9,980 px: 24 px rows.
    expect(moved.yPx).toBe(10 + 400 * 24);

    // A file that already has the column the histogram's bins would add: the writer refuses it.
    const profile = structuredClone(profiles.mpg!);
    profile.columns.push({ ...profile.columns.find((x) => x.name === "cty")!, name: "cty (bins of 5)" });
    const r = checkedPowerBiSpec(golden("mpg"), [profile]);
    expect(r.spec.pages[0]!.visuals.some((v) => v.id === "histogram-cty")).toBe(false);
    expect(r.notes).toContainEqual({
      path: "pages.0",
      message:
        'visual "histogram-cty" left out of the project: "cty (bins of 5)" is already a column of "mpg"',
    });
  });

  it("a two-table plan: the join becomes a many-to-one relationship; measures live in their tables", () => {
    const fact = profiles.us_state_guns_panel!;
    const stateNames = [...new Set(fact.sampleRows!.map((r) => String(r.state)))].sort();
    const states: TableProfile = {
      name: "states",
      rowCount: stateNames.length,
      columns: [
        {
          name: "state",
          type: "string",
          count: stateNames.length,
          missing: 0,
          distinct: stateNames.length,
          min: null,
          max: null,
          examples: stateNames.slice(0, 5),
        },
        {
          name: "region",
          type: "string",
          count: stateNames.length,
          missing: 0,
          distinct: 4,
          min: null,
          max: null,
          examples: ["South", "West", "Northeast", "Midwest"],
        },
      ],
      sampleRows: stateNames.map((s, i) => ({
        state: s,
        region: ["South", "West", "Northeast", "Midwest"][i % 4]!,
      })),
    };
    const plan = planDashboard({ tables: [fact, states] });
    const bar = structuredClone(plan.pages[0]!.visuals.find((v) => v.kind === "bar")!);
    bar.id = "bar-region";
    bar.bindings[0]!.field = { table: "states", column: "region" };
    bar.layout = { x: 0, y: 40, w: 6, h: 4 };
    plan.pages[0]!.visuals.push(bar);
    const checked = checkPlan(plan, [fact, states]);
    expect(checked.issues).toEqual([]);
    const { spec } = planToPowerBiSpec(checked.plan!, [fact, states]);
    expect(PowerBiProjectSpec.safeParse(spec).success).toBe(true);
    const files = writePowerBiProject(spec);
    const { tables, relationships } = readModel(files, spec.name);
    expect(tables.map((t) => t.name).sort()).toEqual(["states", "us_state_guns_panel"]);
    expect(relationships).toEqual([
      [
        ["us_state_guns_panel", "state"],
        ["states", "state"],
      ],
    ]);
    expect(spec.tables.map((t) => t.fileName)).toEqual(["us_state_guns_panel.csv", "states.csv"]);
  });
});
