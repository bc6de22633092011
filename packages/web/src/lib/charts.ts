/**
 * A declared chart (model-kit ChartDescriptor) over its table's rows as an ECharts option: the
 * web's counterpart of the server's exports/charts.ts (interactive: tooltips, zoom on long series).
 */
import { ganttBars } from "@modelworks/model-kit/descriptors";
import type { EChartsCoreOption } from "echarts/core";
import { formatValue, humanize } from "../format.ts";
import type { ChartDescriptor, TableDescriptor } from "../types.ts";

export type ChartOption = EChartsCoreOption;
type Obj = Record<string, unknown>;

export function chartOption(
  chart: ChartDescriptor,
  table: TableDescriptor | undefined,
  rows: Obj[],
): ChartOption {
  const col = (key: string) => table?.columns.find((c) => c.key === key);
  const names = chart.y.map((y) => col(y)?.title ?? humanize(y));
  const unit = col(chart.y[0] ?? "")?.unit;
  const axisLabel = {
    formatter: (v: number) =>
      formatValue(
        v,
        unit && /^fraction/.test(unit) ? "fraction" : undefined,
        unit?.startsWith("fraction") ? 0 : undefined,
      ),
  };
  const tooltip = {
    trigger: chart.kind === "pie" ? "item" : "axis",
    valueFormatter: (v: number) => formatValue(v, unit),
  };
  if (chart.kind === "pie") {
    // A pie of 2,000 slices says nothing and draws slowly: the 11 largest and "Other".
    const y0 = chart.y[0]!;
    const slices = rows
      .map((r) => ({ name: String(r[chart.x]), value: typeof r[y0] === "number" ? (r[y0] as number) : 0 }))
      .sort((a, b) => b.value - a.value);
    const data =
      slices.length > 12
        ? [
            ...slices.slice(0, 11),
            {
              name: `Other (${slices.length - 11})`,
              value: slices.slice(11).reduce((s, d) => s + d.value, 0),
            },
          ]
        : slices;
    return {
      tooltip,
      legend: { type: "scroll", bottom: 0 },
      series: [
        {
          type: "pie",
          radius: ["35%", "65%"],
          data,
        },
      ],
    };
  }
  if (chart.kind === "gantt") return ganttOption(chart, rows, col);
  const split = chart.kind === "scatter" ? null : seriesGroups(chart, table, rows);
  if (split) return groupedOption(chart, split, names, axisLabel, tooltip);
  const many = rows.length > 60;
  return {
    tooltip,
    legend: { top: 0 },
    grid: { left: 70, right: 20, top: 36, bottom: many ? 60 : 40 },
    xAxis: {
      type: chart.kind === "scatter" ? "value" : "category",
      data: rows.map((r) => r[chart.x]),
      name: col(chart.x)?.title,
    },
    yAxis: { type: "value", axisLabel, scale: chart.kind === "scatter" },
    dataZoom: many ? [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }] : undefined,
    series: chart.y.map((y, i) => ({
      name: names[i],
      type: chart.kind === "area" ? "line" : chart.kind === "stacked-bar" ? "bar" : chart.kind,
      stack: chart.kind === "stacked-bar" ? "total" : undefined,
      areaStyle: chart.kind === "area" ? {} : undefined,
      showSymbol: !many,
      large: rows.length > 500,
      data: rows.map((r) => (chart.kind === "scatter" ? [r[chart.x], r[y]] : r[y])),
    })),
  };
}

interface Groups {
  categories: unknown[];
  /** Group name → its rows by category. */
  byGroup: Map<string, Map<unknown, Obj>>;
}

/**
 * A table with several rows per x (DSCR by year *and* scenario) is drawn as one series per
 * group — base and stress years each on their own line — not strung along one axis as
 * "2027, 2028, 2027, 2028" (issue 18 item 11). The group is the first text column that is not x.
 */
export function seriesGroups(
  chart: ChartDescriptor,
  table: TableDescriptor | undefined,
  rows: Obj[],
): Groups | null {
  const xs = rows.map((r) => r[chart.x]);
  const categories = [...new Set(xs)];
  if (categories.length === xs.length || !table) return null;
  const group = table.columns.find(
    (c) => c.key !== chart.x && !chart.y.includes(c.key) && rows.some((r) => typeof r[c.key] === "string"),
  );
  if (!group) return null;
  const byGroup = new Map<string, Map<unknown, Obj>>();
  for (const r of rows) {
    const g = String(r[group.key] ?? "");
    if (!byGroup.has(g)) byGroup.set(g, new Map());
    byGroup.get(g)!.set(r[chart.x], r);
  }
  return { categories, byGroup };
}

function groupedOption(
  chart: ChartDescriptor,
  groups: Groups,
  names: string[],
  axisLabel: object,
  tooltip: object,
): ChartOption {
  const series = chart.y.flatMap((y, i) =>
    [...groups.byGroup.entries()].map(([g, byX]) => ({
      name: chart.y.length > 1 ? `${names[i]}, ${g}` : g,
      type: chart.kind === "area" ? "line" : chart.kind === "stacked-bar" ? "bar" : chart.kind,
      areaStyle: chart.kind === "area" ? {} : undefined,
      connectNulls: false,
      data: groups.categories.map((x) => {
        const v = byX.get(x)?.[y];
        return typeof v === "number" ? v : null;
      }),
    })),
  );
  return {
    tooltip,
    legend: { top: 0, type: "scroll" },
    grid: { left: 70, right: 20, top: 36, bottom: 40 },
    xAxis: { type: "category", data: groups.categories },
    yAxis: { type: "value", axisLabel },
    series,
  };
}

/**
 * One horizontal bar per row from period y[0] to y[1] inclusive, each period a cell centred on its
 * number (months 3–5 cover 2.5–5.5): a transparent offset stacked under the visible duration.
 */
function ganttOption(
  chart: ChartDescriptor,
  rows: Obj[],
  col: (key: string) => TableDescriptor["columns"][number] | undefined,
): ChartOption {
  const [from, to] = [chart.y[0]!, chart.y[1]!];
  const { bars, axisMin } = ganttBars(rows, chart);
  const fromTitle = col(from)?.title ?? humanize(from);
  const toTitle = col(to)?.title ?? humanize(to);
  return {
    tooltip: {
      trigger: "item",
      formatter: (p: { dataIndex: number; seriesIndex: number }) => {
        const b = bars[p.dataIndex];
        const name = String(rows[p.dataIndex]?.[chart.x] ?? "");
        return b ? `${name}: ${fromTitle} ${b.first}, ${toTitle} ${b.last}` : `${name}: not scheduled`;
      },
    },
    grid: { left: 110, right: 20, top: 16, bottom: 40 },
    yAxis: {
      type: "category",
      inverse: true,
      data: rows.map((r) => String(r[chart.x] ?? "")),
      axisLabel: { fontSize: rows.length > 30 ? 9 : 12 },
    },
    xAxis: {
      type: "value",
      // The periods' unit ("month") names the axis; else the two columns do.
      name: col(from)?.unit ? humanize(col(from)!.unit!) : `${fromTitle} – ${toTitle}`,
      nameLocation: "middle",
      nameGap: 26,
      min: axisMin,
    },
    series: [
      {
        type: "bar",
        stack: "span",
        silent: true,
        itemStyle: { color: "transparent" },
        data: bars.map((b) => b?.offset ?? null),
      },
      { type: "bar", stack: "span", name: fromTitle, data: bars.map((b) => b?.length ?? null) },
    ],
  };
}
