import { describe, expect, it } from "vitest";
import { type ChartStyle, type ChartVisual, periodLabel, visualOption } from "../src/index.ts";

/** The chart option shared by the web dashboard and the server's PDF/PNG. */
const style: ChartStyle = {
  formatCell: (x, _b, grain) =>
    grain && typeof x === "string" ? periodLabel(x, grain) : x === null ? "—" : String(x),
  columnTitle: (v, c) => v.bindings[c.binding ?? -1]?.label ?? c.name,
};
const bar: ChartVisual = {
  id: "b",
  kind: "bar",
  title: "Revenue by region",
  bindings: [
    { channel: "category", field: { table: "s", column: "region" } },
    { channel: "value", field: { table: "s", column: "revenue" }, aggregation: "sum", label: "Revenue" },
  ],
};
const rows = {
  columns: [
    { name: "c0", role: "group", binding: 0 },
    { name: "c1", role: "value", binding: 1 },
    { name: "other", role: "other" },
  ],
  rows: [
    { c0: "Central", c1: "2271.0", other: false },
    { c0: "West", c1: 1761, other: false },
    { c0: null, c1: "oops", other: true },
  ],
};
type Opt = Record<string, unknown> & {
  xAxis: { data?: string[] };
  yAxis: { data?: string[] };
  series: { data: unknown[]; showSymbol?: boolean; areaStyle?: unknown }[];
};

describe("visualOption", () => {
  it("screen: tooltips; horizontal bars first category on top; DECIMAL text as numbers, a word as a gap", () => {
    const o = visualOption(bar, rows, style) as Opt;
    expect(o.tooltip).toEqual({ trigger: "axis" });
    expect(o.animation).toBeUndefined();
    expect(o.yAxis.data).toEqual(["Other", "West", "Central"]);
    expect(o.series[0]!.data).toEqual([null, 1761, 2271]);
  });

  it("print: the same axes and series, no tooltip or animation, the given font", () => {
    const screen = visualOption({ ...bar, kind: "column" }, rows, style) as Opt;
    const printed = visualOption({ ...bar, kind: "column" }, rows, {
      ...style,
      print: { fontFamily: "DejaVu Sans" },
    }) as Opt;
    expect(printed.tooltip).toBeUndefined();
    expect(printed.animation).toBe(false);
    expect(printed.textStyle).toEqual({ fontFamily: "DejaVu Sans" });
    expect(printed.xAxis.data).toEqual(screen.xAxis.data);
    expect(printed.series.map((s) => s.data)).toEqual(screen.series.map((s) => s.data));
    expect(printed.xAxis.data).toEqual(["Central", "West", "Other"]);
  });

  it("an area on paper is filled lightly with no markers; periods read by their grain", () => {
    const v: ChartVisual = {
      ...bar,
      kind: "area",
      bindings: [
        { channel: "x", field: { table: "s", column: "month" }, timeGrain: "quarter" },
        { channel: "y", field: { table: "s", column: "revenue" }, aggregation: "sum" },
      ],
    };
    const r = {
      columns: [
        { name: "c0", role: "group", binding: 0 },
        { name: "c1", role: "value", binding: 1 },
      ],
      rows: [
        { c0: "2025-01-01", c1: 1 },
        { c0: "2025-04-01", c1: 2 },
      ],
    };
    const o = visualOption(v, r, { ...style, print: { fontFamily: "X" } }) as Opt;
    expect(o.xAxis.data).toEqual(["2025 Q1", "2025 Q2"]);
    expect(o.series[0]).toMatchObject({ areaStyle: { opacity: 0.25 }, showSymbol: false, data: [1, 2] });
  });

  it("kinds drawn as HTML and results missing their columns give null", () => {
    expect(visualOption({ ...bar, kind: "kpi" }, rows, style)).toBeNull();
    expect(visualOption(bar, { columns: [], rows: [] }, style)).toBeNull();
    expect(visualOption({ ...bar, kind: "scatter" }, { columns: [], rows: [] }, style)).toBeNull();
  });
});
