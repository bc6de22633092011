import { ganttBars } from "@modelworks/model-kit";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import { displayValue } from "./cells.ts";
import { FONT_BOLD, FONT_FAMILY, FONT_REGULAR } from "./fonts.ts";
import type { Column, ResolvedChart } from "./report.ts";

/**
 * Charts of reports, drawn on the server by ECharts' SSR renderer to SVG (no browser, no
 * canvas): the same library the web app draws with, so a chart in a PDF looks like the one on
 * screen. PDFs embed the SVG as vectors; Word gets the SVG plus a PNG rasterized by resvg for
 * readers that cannot show SVG.
 */

/** Points per series past which a chart is thinned (line charts keep their shape via LTTB). */
const MAX_POINTS = 2_000;

function axisFormatter(col: Column | undefined) {
  return (v: number) => {
    if (!col) return String(v);
    if (col.format === "percent") return displayValue(v, { format: "percent", decimals: 0 });
    const abs = Math.abs(v);
    if (abs >= 1e9) return `${(v / 1e9).toFixed(1)}B`;
    if (abs >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
    if (abs >= 1e3) return `${(v / 1e3).toFixed(0)}k`;
    return String(Math.round(v * 100) / 100);
  };
}

/** The ECharts option of a declared chart over its table's rows. */
export function chartOption(c: ResolvedChart): echarts.EChartsCoreOption {
  const { descriptor: d, table } = c;
  const step = Math.max(1, Math.ceil(table.rows.length / MAX_POINTS));
  const rows = step > 1 ? table.rows.filter((_, i) => i % step === 0) : table.rows;
  const col = (key: string) => table.columns.find((x) => x.key === key);
  const label = (key: string) => {
    const x = col(key);
    return x ? (x.unit && x.unit !== "fraction" ? `${x.title} (${x.unit})` : x.title) : key;
  };
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const base = {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: FONT_FAMILY },
    legend: { top: 0, textStyle: { fontFamily: FONT_FAMILY, fontSize: 11 } },
    grid: { left: 70, right: 24, top: 36, bottom: 40 },
  };
  if (d.kind === "pie") {
    const y = d.y[0]!;
    return {
      ...base,
      series: [
        {
          type: "pie",
          radius: ["30%", "65%"],
          label: { fontFamily: FONT_FAMILY },
          data: rows.map((r) => ({ name: String(r[d.x] ?? ""), value: num(r[y]) ?? 0 })),
        },
      ],
    };
  }
  if (d.kind === "gantt") {
    // A transparent offset stacked under the visible duration (geometry: model-kit ganttBars).
    const [from, to] = [d.y[0]!, d.y[1]!];
    const { bars, axisMin } = ganttBars(rows, d);
    return {
      ...base,
      legend: { show: false },
      grid: { ...base.grid, left: 110 },
      yAxis: {
        type: "category",
        inverse: true,
        data: rows.map((r) => String(r[d.x] ?? "")),
        axisLabel: { fontFamily: FONT_FAMILY, fontSize: rows.length > 30 ? 8 : 11 },
      },
      xAxis: {
        type: "value",
        name: col(from)?.unit ?? `${label(from)} – ${label(to)}`,
        nameLocation: "middle",
        nameGap: 26,
        min: axisMin,
        axisLabel: { fontFamily: FONT_FAMILY },
      },
      series: [
        {
          type: "bar",
          stack: "span",
          itemStyle: { color: "transparent" },
          data: bars.map((b) => b?.offset ?? null),
        },
        { type: "bar", stack: "span", name: label(from), data: bars.map((b) => b?.length ?? null) },
      ],
    };
  }
  const yCol = col(d.y[0]!);
  const yAxis = { type: "value", axisLabel: { formatter: axisFormatter(yCol), fontFamily: FONT_FAMILY } };
  if (d.kind === "scatter") {
    return {
      ...base,
      xAxis: { type: "value", name: label(d.x), nameLocation: "middle", nameGap: 26, scale: true },
      yAxis,
      series: d.y.map((y) => ({
        type: "scatter",
        name: label(y),
        symbolSize: 5,
        data: rows.map((r) => [num(r[d.x]), num(r[y])]),
      })),
    };
  }
  if (c.xValue && (d.kind === "line" || d.kind === "area")) {
    // A curve: x at its numeric position, so an ROC's or a gains chart's shape is true to scale.
    const xCol = col(d.x);
    const xs = rows.map((r) => num(r[d.x])).filter((v): v is number => v !== null);
    return {
      ...base,
      xAxis: {
        type: "value",
        name: label(d.x),
        nameLocation: "middle",
        nameGap: 26,
        min: Math.min(0, ...xs),
        max: Math.max(...xs),
        axisLabel: { formatter: axisFormatter(xCol), fontFamily: FONT_FAMILY },
      },
      yAxis,
      series: d.y.map((y) => ({
        type: "line",
        name: label(y),
        data: rows.map((r) => [num(r[d.x]), num(r[y])]),
        showSymbol: false,
        ...(d.kind === "area" ? { areaStyle: { opacity: 0.25 } } : {}),
      })),
    };
  }
  return {
    ...base,
    xAxis: {
      type: "category",
      name: label(d.x),
      nameLocation: "middle",
      nameGap: 26,
      data: rows.map((r) => String(r[d.x] ?? "")),
      axisLabel: { fontFamily: FONT_FAMILY, hideOverlap: true },
    },
    yAxis,
    series: d.y.map((y) => ({
      type: d.kind === "area" ? "line" : d.kind === "stacked-bar" ? "bar" : d.kind,
      name: label(y),
      data: rows.map((r) => num(r[y])),
      showSymbol: false,
      ...(d.kind === "line" || d.kind === "area" ? { sampling: "lttb" } : {}),
      ...(d.kind === "area" ? { areaStyle: { opacity: 0.25 } } : {}),
      ...(d.kind === "stacked-bar" ? { stack: "total" } : {}),
    })),
  };
}

export function chartSvg(c: ResolvedChart, widthPx = 720, heightPx = 340): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: widthPx, height: heightPx });
  try {
    chart.setOption(chartOption(c));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** A PNG of an SVG at `scale` (2 = crisp on print), drawn with the bundled font only. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { fontFiles: [FONT_REGULAR, FONT_BOLD], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    background: "#ffffff",
  });
  return Buffer.from(r.render().asPng());
}
