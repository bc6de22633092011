/**
 * A dashboard visual's ECharts option from its live query rows: the one copy both the web app
 * (interactive) and the server's PDF/PNG (printed) draw from, so a chart reads the same on screen
 * and on paper. Pure; how values and titles are written is the caller's (`ChartStyle`).
 */

export type TimeGrain = "year" | "quarter" | "month" | "week" | "day";

export interface ChartNumberFormat {
  kind: "number" | "integer" | "percent" | "currency";
  decimals?: number;
  currency?: string;
  compact?: boolean;
}

/** The fields of a plan binding that drawing reads (the engine's Binding fits this view). */
export interface ChartBinding {
  channel: string;
  field?: { table: string; column: string };
  aggregation?: string;
  timeGrain?: TimeGrain;
  label?: string;
  format?: ChartNumberFormat;
}

/** The fields of a plan visual that drawing reads (the engine's Visual fits this view). */
export interface ChartVisual {
  id: string;
  kind: string;
  title: string;
  bindings: readonly ChartBinding[];
}

export interface ChartColumn {
  name: string;
  role: string;
  binding?: number | undefined;
}

/** A visual's query result as the server answers it. */
export interface ChartResult {
  columns: readonly ChartColumn[];
  rows: readonly Record<string, unknown>[];
}

/** An ECharts option as a plain object (no ECharts import here: the bundle and the server stay lean). */
export type ChartOption = Record<string, unknown>;

export interface ChartStyle {
  /** A cell as the dashboard writes it: a period by its grain, a measure by its binding's format. */
  formatCell(value: unknown, binding: ChartBinding | undefined, timeGrain?: TimeGrain): string;
  /** A column's title: series names and scatter axis names. */
  columnTitle(v: ChartVisual, column: ChartColumn): string;
  /** Printed (PDF/PNG): no animation, no tooltips, markers off, the given font. */
  print?: { fontFamily: string };
}

/** The kinds drawn as a chart; the others (KPI, table, pivot, map) are drawn as HTML or text. */
export const CHART_KINDS: ReadonlySet<string> = new Set([
  "bar",
  "column",
  "stackedBar",
  "stackedColumn",
  "line",
  "area",
  "scatter",
  "histogram",
]);

/** A period's start date as the period reads: 2025-04-01 by quarter is "2025 Q2". */
export function periodLabel(iso: string, grain: TimeGrain): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d] = m;
  if (grain === "year") return y!;
  if (grain === "quarter") return `${y} Q${Math.floor((Number(mo) - 1) / 3) + 1}`;
  if (grain === "month") return `${y}-${mo}`;
  return `${y}-${mo}-${d}`;
}

/**
 * A measure as a number: DuckDB's DECIMALs arrive as their exact text ("52.0"); anything that is
 * not a number (null, a word) is a gap, never NaN.
 */
export function numeric(x: unknown): number | null {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (typeof x === "string" && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(x.trim())) return Number(x);
  return null;
}

export const groupColumns = (r: ChartResult) => r.columns.filter((c) => c.role === "group");
const valueColumns = (r: ChartResult) => r.columns.filter((c) => c.role === "value");
const otherColumn = (r: ChartResult) => r.columns.find((c) => c.role === "other");
const bindingOf = (v: ChartVisual, c: ChartColumn | undefined) =>
  c?.binding === undefined ? undefined : v.bindings[c.binding];

/** A row's category: its group value as written (a period by its grain), "Other" for the folded rest. */
export function categoryOf(
  v: ChartVisual,
  r: ChartResult,
  row: Record<string, unknown>,
  formatCell: ChartStyle["formatCell"],
): string {
  const other = otherColumn(r);
  if (other && row[other.name]) return "Other";
  const g = groupColumns(r)[0];
  if (!g) return "";
  return formatCell(row[g.name], undefined, bindingOf(v, g)?.timeGrain);
}

/**
 * A visual's chart option, or null when its kind is not a chart or its result lacks the columns
 * the kind needs. A second grouping (a series binding) becomes one series per value, aligned on
 * the categories (null where a pair has no row), stacked when the kind stacks.
 */
export function visualOption(v: ChartVisual, r: ChartResult, style: ChartStyle): ChartOption | null {
  if (!CHART_KINDS.has(v.kind)) return null;
  const print = style.print;
  const dressed = (o: ChartOption): ChartOption =>
    print
      ? { ...o, animation: false, textStyle: { fontFamily: print.fontFamily } }
      : { tooltip: { trigger: v.kind === "scatter" ? "item" : "axis" }, ...o };
  const vals = valueColumns(r);
  if (v.kind === "scatter") {
    const raw = r.columns.filter((c) => c.role === "raw" || c.role === "value");
    const xCol = raw.find((c) => bindingOf(v, c)?.channel === "x") ?? raw[0];
    const yCol = raw.find((c) => bindingOf(v, c)?.channel === "y") ?? raw.find((c) => c !== xCol);
    if (!xCol || !yCol) return null;
    return dressed({
      grid: { left: 56, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: {
        type: "value",
        name: style.columnTitle(v, xCol),
        nameLocation: "middle",
        nameGap: 28,
        scale: true,
      },
      yAxis: { type: "value", name: style.columnTitle(v, yCol), scale: true },
      series: [
        {
          type: "scatter",
          symbolSize: print ? 6 : 8,
          data: r.rows.map((row) => [numeric(row[xCol.name]), numeric(row[yCol.name])]),
        },
      ],
    });
  }
  if (v.kind === "histogram") {
    const start = r.columns.find((c) => c.role === "binStart");
    const end = r.columns.find((c) => c.role === "binEnd");
    const val = vals[0];
    if (!start || !end || !val) return null;
    const b = bindingOf(v, start);
    return dressed({
      grid: { left: 48, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: {
        type: "category",
        data: r.rows.map(
          (row) =>
            `${style.formatCell(numeric(row[start.name]), b)}–${style.formatCell(numeric(row[end.name]), b)}`,
        ),
      },
      yAxis: { type: "value" },
      series: [
        {
          type: "bar",
          name: "Rows",
          barCategoryGap: "2%",
          data: r.rows.map((row) => numeric(row[val.name])),
        },
      ],
    });
  }
  const groups = groupColumns(r);
  if (!groups[0]) return null;
  const seriesGroup = groups[1];
  const label = (row: Record<string, unknown>) => categoryOf(v, r, row, style.formatCell);
  const categories = [...new Set(r.rows.map(label))];
  const horizontal = v.kind === "bar" || v.kind === "stackedBar";
  const stacked =
    v.kind === "stackedBar" || v.kind === "stackedColumn" || (v.kind === "area" && !!seriesGroup);
  const type = v.kind === "line" || v.kind === "area" ? "line" : "bar";
  const extra = {
    ...(stacked ? { stack: "total" } : {}),
    ...(v.kind === "area" ? { areaStyle: print ? { opacity: 0.25 } : {} } : {}),
    ...(print && type === "line" ? { showSymbol: false } : {}),
  };
  const first = vals[0];
  const series: { type: string; name: string; data: (number | null)[] }[] =
    seriesGroup && first
      ? [...new Set(r.rows.map((row) => String(row[seriesGroup.name])))].map((name) => ({
          type,
          name,
          ...extra,
          data: categories.map((cat) => {
            const row = r.rows.find((x) => label(x) === cat && String(x[seriesGroup.name]) === name);
            return row ? numeric(row[first.name]) : null;
          }),
        }))
      : vals.map((c) => ({
          type,
          name: style.columnTitle(v, c),
          ...extra,
          data: r.rows.map((row) => numeric(row[c.name])),
        }));
  // A horizontal bar reads top-down, but ECharts draws its category axis bottom-up.
  if (horizontal) for (const s of series) s.data = [...s.data].reverse();
  const catAxis = { type: "category", data: horizontal ? [...categories].reverse() : categories };
  const b0 = bindingOf(v, first);
  const valAxis = { type: "value", axisLabel: { formatter: (x: number) => style.formatCell(x, b0) } };
  return dressed({
    legend:
      series.length > 1
        ? { top: 0, ...(print ? { textStyle: { fontFamily: print.fontFamily, fontSize: 10 } } : {}) }
        : undefined,
    grid: { left: 16, right: 16, top: series.length > 1 ? 28 : 12, bottom: 8, containLabel: true },
    xAxis: horizontal ? valAxis : catAxis,
    yAxis: horizontal ? catAxis : valAxis,
    series,
  });
}
