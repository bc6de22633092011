import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  KIND_RULES,
  objectName,
  PowerBiDataError,
  type PowerBiProjectSpecInput,
  sha256Hex,
  stableGuid,
  VISUAL_KINDS,
  writePowerBiProject,
} from "../../src/powerbi/index.ts";
import { EXAMPLE_DATA, EXAMPLE_SPEC } from "./example.ts";

const REPORT = "Sales Overview.Report/";
const files = writePowerBiProject(EXAMPLE_SPEC, EXAMPLE_DATA);
const read = (path: string) => JSON.parse(String(files.get(path)));
const visualFiles = () =>
  [...files].filter(([p]) => p.endsWith("/visual.json")).map(([p, c]) => [p, JSON.parse(String(c))] as const);

describe("identifiers", () => {
  it("SHA-256 agrees with node:crypto, across block boundaries and for non-ASCII text", () => {
    for (const text of [
      "",
      "abc",
      "a".repeat(55),
      "a".repeat(56),
      "a".repeat(64),
      "x".repeat(1000),
      "Ünïcode ✓ 日本",
    ])
      expect(sha256Hex(text)).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
  });

  it("object names are 20 lowercase hex characters and GUIDs are version-5 shaped, both stable", () => {
    expect(objectName("a", "b")).toMatch(/^[0-9a-f]{20}$/);
    expect(objectName("a", "b")).toBe(objectName("a", "b"));
    expect(objectName("a", "b")).not.toBe(objectName("ab"));
    expect(stableGuid("x")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("writePowerBiProject", () => {
  it("gives the same bytes for the same spec, and changes only the edited visual's file", () => {
    const again = writePowerBiProject(structuredClone(EXAMPLE_SPEC), EXAMPLE_DATA);
    expect([...again]).toEqual([...files]);

    const edited = structuredClone(EXAMPLE_SPEC);
    edited.pages[0]!.visuals[2]!.title = "Daily sales";
    const changed = [...writePowerBiProject(edited, EXAMPLE_DATA)]
      .filter(([p, c]) => files.get(p) !== c)
      .map(([p]) => p);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/visuals\/[0-9a-f]{20}\/visual\.json$/);
  });

  it("links the project together: .pbip → report folder → semantic model folder", () => {
    const pbip = read("Sales Overview.pbip");
    expect(pbip.artifacts).toEqual([{ report: { path: "Sales Overview.Report" } }]);
    const pbir = read(`${REPORT}definition.pbir`);
    expect(pbir.version).toBe("4.0");
    expect(pbir.datasetReference).toEqual({ byPath: { path: "../Sales Overview.SemanticModel" } });
    expect(files.has("Sales Overview.SemanticModel/definition.pbism")).toBe(true);
    expect(read(`${REPORT}.platform`).metadata).toEqual({ type: "Report", displayName: "Sales Overview" });
    expect(read("Sales Overview.SemanticModel/.platform").metadata).toEqual({
      type: "SemanticModel",
      displayName: "Sales Overview",
    });
    expect(String(files.get("README.md"))).toContain("set **DataFolder** to the full path of the unzipped");
  });

  it("names every page and visual folder by its object name, in page order", () => {
    const pages = read(`${REPORT}definition/pages/pages.json`);
    expect(pages.pageOrder).toHaveLength(2);
    expect(pages.activePageName).toBe(pages.pageOrder[0]);
    for (const [index, name] of (pages.pageOrder as string[]).entries()) {
      const page = read(`${REPORT}definition/pages/${name}/page.json`);
      expect(page.name).toBe(name);
      expect(page.displayName).toBe(EXAMPLE_SPEC.pages[index]!.name);
      const visuals = visualFiles().filter(([p]) => p.includes(`/pages/${name}/visuals/`));
      expect(visuals).toHaveLength(EXAMPLE_SPEC.pages[index]!.visuals.length);
      for (const [path, visual] of visuals) expect(path).toContain(`/visuals/${visual.name}/visual.json`);
    }
  });

  it("gives every filter a name unique across the report", () => {
    const names = [...files]
      .filter(([p]) => p.endsWith(".json") && p.includes("/pages/"))
      .flatMap(([, c]) =>
        (JSON.parse(String(c)).filterConfig?.filters ?? []).map((f: { name: string }) => f.name),
      );
    expect(names).toHaveLength(5);
    expect(new Set(names).size).toBe(names.length);
  });

  it("maps each visual kind onto its Power BI visual type and roles", () => {
    const byTitle = new Map(visualFiles().map(([, v]) => [v.visual.visualType, v]));
    expect([...byTitle.keys()].sort()).toEqual([
      "azureMap",
      "cardVisual",
      "clusteredBarChart",
      "clusteredColumnChart",
      "hundredPercentStackedColumnChart",
      "lineChart",
      "pivotTable",
      "scatterChart",
      "slicer",
      "stackedAreaChart",
      "tableEx",
    ]);
    expect(Object.keys(byTitle.get("cardVisual")!.visual.query.queryState)).toEqual(["Data"]);
    expect(Object.keys(byTitle.get("azureMap")!.visual.query.queryState).sort()).toEqual([
      "Category",
      "Size",
    ]);
    expect(Object.keys(byTitle.get("pivotTable")!.visual.query.queryState).sort()).toEqual([
      "Columns",
      "Rows",
      "Values",
    ]);
    expect(Object.keys(byTitle.get("scatterChart")!.visual.query.queryState).sort()).toEqual([
      "Category",
      "X",
      "Y",
    ]);
    expect(byTitle.get("slicer")!.visual.objects.data[0].properties.mode.expr.Literal.Value).toBe(
      "'Dropdown'",
    );
    expect(
      byTitle.get("lineChart")!.visual.visualContainerObjects.title[0].properties.text.expr.Literal.Value,
    ).toBe("'Sales by day'");
    for (const kind of VISUAL_KINDS)
      expect(KIND_RULES[kind].visualType).not.toMatch(/^(card|table|matrix|map|filledMap)$/);
  });

  it("ranks top-N by aggregating the measure's column, top as 2 and bottom as 1", () => {
    const topN = visualFiles()
      .flatMap(([, v]) => v.filterConfig?.filters ?? [])
      .filter((f: { type: string }) => f.type === "TopN")
      // biome-ignore lint/suspicious/noExplicitAny: reaching into a parsed filter definition
      .map((f: any) => {
        const q = f.filter.From[0].Expression.Subquery.Query;
        return [
          f.field.Column.Property,
          q.Top,
          q.OrderBy[0].Direction,
          q.OrderBy[0].Expression.Aggregation.Function,
          q.OrderBy[0].Expression.Aggregation.Expression.Column.Property,
        ];
      });
    // Total Sales = SUM(Amount) → 0; Orders = DISTINCTCOUNT(Order ID) → 2.
    expect(topN.sort((a: number[], b: number[]) => a[1]! - b[1]!)).toEqual([
      ["Region", 3, 1, 2, "Order ID"],
      ["Region", 5, 2, 0, "Amount"],
    ]);
  });

  it("places the data files under data/, and insists on exactly the tables' files", () => {
    expect(files.get("data/sales.csv")).toBe(EXAMPLE_DATA["sales.csv"]);
    expect(files.get("data/customers.parquet")).toEqual(EXAMPLE_DATA["customers.parquet"]);
    expect([...writePowerBiProject(EXAMPLE_SPEC).keys()].some((p) => p.startsWith("data/"))).toBe(false);
    expect(() => writePowerBiProject(EXAMPLE_SPEC, { "sales.csv": "x" })).toThrow(PowerBiDataError);
    expect(() => writePowerBiProject(EXAMPLE_SPEC, { ...EXAMPLE_DATA, "extra.csv": "x" })).toThrow(
      /not the file of any table/,
    );
  });

  it("refuses an invalid spec with the zod issues", () => {
    const bad: PowerBiProjectSpecInput = {
      ...structuredClone(EXAMPLE_SPEC),
      measures: [{ name: "X", table: "Sales", column: "Nope", aggregation: "sum" }],
    };
    expect(() => writePowerBiProject(bad)).toThrow(ZodError);
  });
});
