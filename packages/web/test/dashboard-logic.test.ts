import { describe, expect, it } from "vitest";
import { datasetIdError, publishBody } from "../src/components/powerbi-publishes.ts";
import {
  canCrossFilter,
  categoriesOf,
  cellValue,
  changeLine,
  columnTitle,
  dashboardQueryOf,
  gridPlacement,
  kpiOf,
  type PlanView,
  type PlanVisual,
  periodLabel,
  selectionFor,
  slicerOptions,
  tableOf,
  tileAfterDrag,
  tileAfterKey,
  toggleSelection,
  type VisualResult,
  visualOption,
} from "../src/lib/dashboard.ts";

/** Dashboard drawing from query rows (src/lib/dashboard.ts): options, cards, tables, filters. */
const tile = { x: 0, y: 0, w: 6, h: 4 };
const region = { table: "sales", column: "region" };
const revenue = { table: "sales", column: "revenue" };
const month = { table: "sales", column: "month" };

const bar: PlanVisual = {
  id: "rev-by-region",
  kind: "bar",
  title: "Revenue by region",
  table: "sales",
  bindings: [
    { channel: "category", field: region },
    { channel: "value", field: revenue, aggregation: "sum" },
  ],
  topN: { n: 2, other: true },
  layout: tile,
};
// DuckDB's DECIMAL sums arrive as text; the folded rest is flagged by the "other" column.
const barResult: VisualResult = {
  visualId: "rev-by-region",
  columns: [
    { name: "c0", role: "group", binding: 0 },
    { name: "c1", role: "value", binding: 1 },
    { name: "other", role: "other" },
  ],
  rows: [
    { c0: "Central", c1: "2271.0", other: false },
    { c0: "West", c1: "1761", other: false },
    { c0: null, c1: "900.5", other: true },
  ],
};

type Series = { type: string; name: string; data: unknown[]; stack?: string; areaStyle?: unknown };
type Opt = {
  xAxis: { type: string; data?: string[] };
  yAxis: { type: string; data?: string[] };
  series: Series[];
};

describe("visual options from query rows", () => {
  it("a bar is horizontal, first category on top, DECIMAL text as numbers, the rest as Other", () => {
    const o = visualOption(bar, barResult) as unknown as Opt;
    expect(o.yAxis).toMatchObject({ type: "category", data: ["Other", "West", "Central"] });
    expect(o.xAxis.type).toBe("value");
    expect(o.series).toHaveLength(1);
    expect(o.series[0]).toMatchObject({ type: "bar", name: "Sum of revenue", data: [900.5, 1761, 2271] });
  });

  it("a column keeps the rows' order on the x axis", () => {
    const o = visualOption({ ...bar, kind: "column" }, barResult) as unknown as Opt;
    expect(o.xAxis.data).toEqual(["Central", "West", "Other"]);
    expect(o.series[0]!.data).toEqual([2271, 1761, 900.5]);
  });

  it("a second grouping becomes one stacked series per value, aligned on the categories (gaps null)", () => {
    const v: PlanVisual = {
      ...bar,
      kind: "stackedColumn",
      topN: undefined,
      bindings: [
        { channel: "x", field: month, timeGrain: "quarter" },
        { channel: "series", field: region },
        { channel: "y", field: revenue, aggregation: "sum" },
      ],
    };
    const r: VisualResult = {
      visualId: v.id,
      columns: [
        { name: "c0", role: "group", binding: 0 },
        { name: "c1", role: "group", binding: 1 },
        { name: "c2", role: "value", binding: 2 },
      ],
      rows: [
        { c0: "2025-01-01", c1: "North", c2: 10 },
        { c0: "2025-01-01", c1: "South", c2: 20 },
        { c0: "2025-04-01", c1: "North", c2: 30 },
      ],
    };
    const o = visualOption(v, r) as unknown as Opt;
    expect(o.xAxis.data).toEqual(["2025 Q1", "2025 Q2"]);
    expect(o.series.map((s) => [s.name, s.stack, s.data])).toEqual([
      ["North", "total", [10, 30]],
      ["South", "total", [20, null]],
    ]);
  });

  it("an area is a filled line; a line is not", () => {
    const v: PlanVisual = {
      ...bar,
      kind: "area",
      topN: undefined,
      bindings: [
        { channel: "x", field: month, timeGrain: "month" },
        { channel: "y", field: revenue, aggregation: "sum" },
      ],
    };
    const r: VisualResult = {
      visualId: v.id,
      columns: [
        { name: "c0", role: "group", binding: 0 },
        { name: "c1", role: "value", binding: 1 },
      ],
      rows: [
        { c0: "2025-01-01", c1: 5 },
        { c0: "2025-02-01", c1: 7 },
      ],
    };
    const area = visualOption(v, r) as unknown as Opt;
    expect(area.xAxis.data).toEqual(["2025-01", "2025-02"]);
    expect(area.series[0]).toMatchObject({ type: "line", areaStyle: {}, data: [5, 7] });
    const line = visualOption({ ...v, kind: "line" }, r) as unknown as Opt;
    expect(line.series[0]!.areaStyle).toBeUndefined();
  });

  it("a scatter plots x against y by channel; a histogram labels its bins", () => {
    const sc: PlanVisual = {
      ...bar,
      kind: "scatter",
      bindings: [
        { channel: "y", field: { table: "sales", column: "units" } },
        { channel: "x", field: revenue },
      ],
    };
    const sr: VisualResult = {
      visualId: sc.id,
      columns: [
        { name: "c0", role: "raw", binding: 0 },
        { name: "c1", role: "raw", binding: 1 },
      ],
      rows: [
        { c0: 3, c1: "21.5" },
        { c0: 4, c1: 28 },
      ],
    };
    expect((visualOption(sc, sr) as unknown as Opt).series[0]!.data).toEqual([
      [21.5, 3],
      [28, 4],
    ]);
    const h: PlanVisual = {
      ...bar,
      kind: "histogram",
      bindings: [
        { channel: "bin", field: revenue },
        { channel: "value", aggregation: "count" },
      ],
    };
    const hr: VisualResult = {
      visualId: h.id,
      columns: [
        { name: "bin", role: "bin" },
        { name: "bin_start", role: "binStart", binding: 0 },
        { name: "bin_end", role: "binEnd", binding: 0 },
        { name: "c1", role: "value", binding: 1 },
      ],
      rows: [
        { bin: 0, bin_start: 10, bin_end: 20, c1: 4 },
        { bin: 1, bin_start: 20, bin_end: 30, c1: 6 },
      ],
    };
    const ho = visualOption(h, hr) as unknown as Opt;
    expect(ho.xAxis.data).toEqual(["10–20", "20–30"]);
    expect(ho.series[0]!.data).toEqual([4, 6]);
  });

  it("KPI, table, pivot and map are drawn as HTML, not as a chart", () => {
    for (const kind of ["kpi", "table", "pivot", "map"])
      expect(visualOption({ ...bar, kind }, barResult)).toBeNull();
  });
});

describe("cards and tables", () => {
  it("a KPI shows the last period, the previous one and the change in percent", () => {
    const v: PlanVisual = {
      ...bar,
      kind: "kpi",
      bindings: [{ channel: "value", field: revenue, aggregation: "sum", format: { kind: "integer" } }],
    };
    const r: VisualResult = {
      visualId: v.id,
      columns: [
        { name: "c0", role: "value", binding: 0 },
        { name: "period", role: "period" },
        { name: "previous", role: "previousValue", binding: 0 },
        { name: "previous_period", role: "previousPeriod" },
      ],
      rows: [{ c0: "1100.0", period: "2025-03-01", previous: 1000, previous_period: "2025-02-01" }],
    };
    const k = kpiOf(v, r);
    expect(k.raw).toBe(1100);
    expect(k.value).toBe("1,100");
    expect(k.previous).toBe("1,000");
    expect(k.changePct).toBeCloseTo(10, 10);
    expect(k.label).toBe("Sum of revenue");
  });

  it("a table titles columns by binding and writes the folded bucket as Other", () => {
    const t = tableOf(bar, barResult);
    expect(t.headers).toEqual(["region", "Sum of revenue"]);
    expect(t.rows).toEqual([
      ["Central", "2,271"],
      ["West", "1,761"],
      ["Other", "901"], // the app's formatter: no decimals at 100 and above
    ]);
  });

  it("reads DECIMAL text as numbers for measures, and for raw cells only with a decimal point", () => {
    expect(cellValue("72.0", "value")).toBe(72);
    expect(cellValue("1e3", "value")).toBe(1000);
    expect(cellValue("72.5", "raw")).toBe(72.5);
    expect(cellValue("02139", "raw")).toBe("02139");
    expect(cellValue("2025", "group")).toBe("2025");
    expect(cellValue("n/a", "value")).toBe("n/a");
  });

  it("names columns from labels, aggregations and grains", () => {
    const v: PlanVisual = {
      ...bar,
      bindings: [
        { channel: "x", field: month, timeGrain: "month" },
        { channel: "y", aggregation: "count" },
        { channel: "y", field: revenue, aggregation: "avg", label: "Mean revenue" },
      ],
    };
    expect(columnTitle(v, { name: "c0", role: "group", binding: 0 })).toBe("month (month)");
    expect(columnTitle(v, { name: "c1", role: "value", binding: 1 })).toBe("Rows");
    expect(columnTitle(v, { name: "c2", role: "value", binding: 2 })).toBe("Mean revenue");
    expect(periodLabel("2025-11-01", "quarter")).toBe("2025 Q4");
    expect(periodLabel("2025-11-01", "year")).toBe("2025");
  });

  it("places a tile on the 12-column grid", () => {
    expect(gridPlacement({ x: 6, y: 4, w: 6, h: 3 })).toEqual({
      gridColumn: "7 / span 6",
      gridRow: "5 / span 3",
    });
  });
});

describe("cross-filters and slicers", () => {
  it("a click selects the raw group value, again clears it, another value replaces it; Other selects nothing", () => {
    expect(canCrossFilter(bar, barResult)).toBe(true);
    expect(categoriesOf(bar, barResult)).toEqual(["Central", "West", "Other"]);
    const west = selectionFor(bar, barResult, "West")!;
    expect(west).toEqual({ field: region, values: ["West"], sourceVisualId: "rev-by-region" });
    expect(selectionFor(bar, barResult, "Other")).toBeNull();
    const one = toggleSelection([], west);
    expect(one).toEqual([west]);
    expect(toggleSelection(one, west)).toEqual([]);
    const central = selectionFor(bar, barResult, "Central")!;
    expect(toggleSelection(one, central)).toEqual([central]);
  });

  it("a period category selects the period's start with its grain", () => {
    const v: PlanVisual = {
      ...bar,
      kind: "column",
      bindings: [
        { channel: "x", field: month, timeGrain: "quarter" },
        { channel: "y", field: revenue, aggregation: "sum" },
      ],
    };
    const r: VisualResult = {
      visualId: v.id,
      columns: [
        { name: "c0", role: "group", binding: 0 },
        { name: "c1", role: "value", binding: 1 },
      ],
      rows: [{ c0: "2025-04-01", c1: 1 }],
    };
    expect(selectionFor(v, r, "2025 Q2")).toMatchObject({ values: ["2025-04-01"], timeGrain: "quarter" });
  });

  it("leaves empty slicers out of the query and keys equal states equally", () => {
    const a = dashboardQueryOf(
      { s2: { values: [] }, s1: { values: ["North"] }, s3: { range: [null, null] } },
      [],
    );
    expect(a.body).toEqual({ slicers: { s1: { values: ["North"] } }, selections: [] });
    const b = dashboardQueryOf({ s1: { values: ["North"] } }, []);
    expect(a.key).toBe(b.key);
  });

  it("offers a slicer the values its field shows in ungrouped-by-time results", () => {
    const plan: PlanView = {
      title: "t",
      generatedBy: "built-in",
      pages: [{ id: "p", title: "P", slicers: [], visuals: [bar] }],
    };
    const s = { id: "s1", field: region, kind: "list" as const, layout: tile };
    expect(slicerOptions(s, plan, [barResult])).toEqual(["Central", "West"]);
  });

  it("writes a plan change as one line", () => {
    expect(changeLine({ path: "pages.0.visuals.2.topN", to: { n: 3 } })).toBe(
      'pages.0.visuals.2.topN: (none) → {"n":3}',
    );
  });
});

describe("moving and resizing a tile by keyboard", () => {
  const t = { x: 2, y: 3, w: 4, h: 2 };
  it("arrows move one column or row; Shift+arrows resize", () => {
    expect(tileAfterKey(t, "ArrowRight", false)).toEqual({ x: 3, y: 3, w: 4, h: 2 });
    expect(tileAfterKey(t, "ArrowLeft", false)).toEqual({ x: 1, y: 3, w: 4, h: 2 });
    expect(tileAfterKey(t, "ArrowDown", false)).toEqual({ x: 2, y: 4, w: 4, h: 2 });
    expect(tileAfterKey(t, "ArrowUp", false)).toEqual({ x: 2, y: 2, w: 4, h: 2 });
    expect(tileAfterKey(t, "ArrowRight", true)).toEqual({ x: 2, y: 3, w: 5, h: 2 });
    expect(tileAfterKey(t, "ArrowLeft", true)).toEqual({ x: 2, y: 3, w: 3, h: 2 });
    expect(tileAfterKey(t, "ArrowDown", true)).toEqual({ x: 2, y: 3, w: 4, h: 3 });
    expect(tileAfterKey(t, "ArrowUp", true)).toEqual({ x: 2, y: 3, w: 4, h: 1 });
  });
  it("stays on the 12-column grid and ignores other keys", () => {
    expect(tileAfterKey({ x: 8, y: 0, w: 4, h: 1 }, "ArrowRight", false)).toBeNull();
    expect(tileAfterKey({ x: 8, y: 0, w: 4, h: 1 }, "ArrowRight", true)).toBeNull();
    expect(tileAfterKey({ x: 0, y: 0, w: 1, h: 1 }, "ArrowUp", false)).toBeNull();
    expect(tileAfterKey({ x: 0, y: 0, w: 1, h: 1 }, "ArrowLeft", true)).toBeNull();
    expect(tileAfterKey(t, "Enter", false)).toBeNull();
  });
});

describe("pointer drag on the grid (tileAfterDrag)", () => {
  const pitch = { colPx: 100, rowPx: 64 };
  const t = { x: 2, y: 1, w: 4, h: 3 };
  it("a move snaps to the nearest cell: 149 px is one column, 151 px is two; up and left too", () => {
    expect(tileAfterDrag(t, "move", 149, 0, pitch)).toEqual({ x: 3, y: 1, w: 4, h: 3 });
    expect(tileAfterDrag(t, "move", 151, 0, pitch)).toEqual({ x: 4, y: 1, w: 4, h: 3 });
    expect(tileAfterDrag(t, "move", -100, -64, pitch)).toEqual({ x: 1, y: 0, w: 4, h: 3 });
    expect(tileAfterDrag(t, "move", 0, 200, pitch)).toEqual({ x: 2, y: 4, w: 4, h: 3 });
  });
  it("a move stays on the grid: never past column 12 or above row 0", () => {
    expect(tileAfterDrag(t, "move", 5000, -5000, pitch)).toEqual({ x: 8, y: 0, w: 4, h: 3 });
    expect(tileAfterDrag(t, "move", -5000, 0, pitch)).toEqual({ x: 0, y: 1, w: 4, h: 3 });
  });
  it("a resize from the corner grows and shrinks the size, at least 1×1, within the 12 columns", () => {
    expect(tileAfterDrag(t, "resize", 210, 64, pitch)).toEqual({ x: 2, y: 1, w: 6, h: 4 });
    expect(tileAfterDrag(t, "resize", -1000, -1000, pitch)).toEqual({ x: 2, y: 1, w: 1, h: 1 });
    expect(tileAfterDrag(t, "resize", 5000, 5000, pitch)).toEqual({ x: 2, y: 1, w: 10, h: 40 });
  });
  it("a drop within half a cell of where it started is no change (no revision)", () => {
    expect(tileAfterDrag(t, "move", 49, 31, pitch)).toBeNull();
    expect(tileAfterDrag(t, "resize", -49, -31, pitch)).toBeNull();
    expect(tileAfterDrag({ x: 8, y: 0, w: 4, h: 3 }, "move", 300, -300, pitch)).toBeNull();
  });
});

describe("Power BI: update an earlier dataset or publish a new one", () => {
  // Which datasets to offer is the server's answer (GET …/powerbi-publishes, powerbi.test.ts).
  it("sends the chosen dataset, an empty body for a new one, and shows the server's datasetId error", () => {
    expect(publishBody("new")).toEqual({});
    expect(publishBody("ds-a")).toEqual({ datasetId: "ds-a" });
    const reason = "the tables differ: a push dataset cannot gain a table (publish a new dataset)";
    expect(
      datasetIdError([
        { path: "body.other", message: "x" },
        { path: "body.datasetId", message: reason },
      ]),
    ).toBe(reason);
    expect(datasetIdError([{ path: "body.other", message: "x" }])).toBeUndefined();
  });
});
