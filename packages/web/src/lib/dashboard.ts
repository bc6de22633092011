/**
 * A dashboard plan revision (engine-dashboard-planner's DashboardPlan, carried by the API as an
 * object) drawn from its live query results: grid places, ECharts options, KPI cards, tables,
 * cross-filter selections and slicer states. Pure functions, tested in test/dashboard-logic.test.ts.
 *
 * The web may not import the engine (test/imports.test.ts), so the plan is read through the
 * read-only view below: only the fields drawing needs. The server validated the plan; this view
 * neither validates nor re-declares its rules.
 */
import type {
  DashboardQueryBody,
  PlanRevisionDto,
  SelectionBody,
  SlicerStateBody,
  VisualResultDto,
} from "@modelworks/contracts/conversations";
import {
  CHART_KINDS,
  visualOption as chartVisualOption,
  numeric,
  periodLabel,
  categoryOf as sharedCategoryOf,
} from "@modelworks/dashboard-charts";
import type { z } from "zod";
import { formatValue, humanize } from "../format.ts";
import type { ChartOption } from "./charts.ts";

export { CHART_KINDS, periodLabel };
export type VisualResult = z.output<typeof VisualResultDto>;
export type Selection = z.input<typeof SelectionBody>;
export type SlicerState = z.input<typeof SlicerStateBody>;
export type PlanRevision = z.output<typeof PlanRevisionDto>;

export interface FieldRef {
  table: string;
  column: string;
}
export interface PlanBinding {
  channel: string;
  field?: FieldRef;
  aggregation?: string;
  timeGrain?: "year" | "quarter" | "month" | "week" | "day";
  label?: string;
  format?: { kind: "number" | "integer" | "percent" | "currency"; decimals?: number; currency?: string };
}
export interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface PlanVisual {
  id: string;
  kind: string;
  title: string;
  subtitle?: string;
  table: string;
  bindings: PlanBinding[];
  sort?: { field?: FieldRef; aggregation?: string; direction: "asc" | "desc" };
  topN?: { n: number; other?: boolean };
  layout: Tile;
}
export interface PlanSlicer {
  id: string;
  field: FieldRef;
  kind: "list" | "dropdown" | "range" | "dateRange";
  multi?: boolean;
  title?: string;
  layout: Tile;
}
export interface PlanPage {
  id: string;
  title: string;
  slicers: PlanSlicer[];
  visuals: PlanVisual[];
}
export interface PlanView {
  title: string;
  description?: string;
  generatedBy: "built-in" | { provider: string; model: string };
  fallback?: { reason: string };
  pages: PlanPage[];
}

export const planOf = (rev: PlanRevision): PlanView => rev.plan as unknown as PlanView;

/** Where a tile sits on the plan's 12-column grid, as CSS grid placement (rows of a fixed height). */
export function gridPlacement(t: Tile): { gridColumn: string; gridRow: string } {
  return { gridColumn: `${t.x + 1} / span ${t.w}`, gridRow: `${t.y + 1} / span ${t.h}` };
}

/** How a column of a visual's result is titled: the binding's label, else "Sum of revenue". */
export function columnTitle(v: PlanVisual, col: VisualResult["columns"][number]): string {
  if (col.role === "other") return "Other";
  if (col.role === "bin") return "Bin";
  if (col.role === "period") return "Period";
  if (col.role === "previousPeriod") return "Previous period";
  const b = col.binding === undefined ? undefined : v.bindings[col.binding];
  if (!b) return humanize(col.name);
  if (col.role === "binStart") return `${b.label ?? b.field?.column ?? "value"} from`;
  if (col.role === "binEnd") return `${b.label ?? b.field?.column ?? "value"} to`;
  const base = b.label ?? (b.field ? b.field.column : "Rows");
  const named =
    col.role === "previousValue"
      ? `${base} (previous)`
      : !b.label && b.aggregation && b.aggregation !== "count"
        ? `${AGGREGATION_NAMES[b.aggregation] ?? b.aggregation} of ${base}`
        : !b.label && b.aggregation === "count"
          ? b.field
            ? `Count of ${base}`
            : "Rows"
          : base;
  return b.timeGrain && !b.aggregation ? `${named} (${b.timeGrain})` : named;
}

const AGGREGATION_NAMES: Record<string, string> = {
  sum: "Sum",
  avg: "Average",
  min: "Min",
  max: "Max",
  countDistinct: "Distinct count",
  median: "Median",
};

/** A value written as its binding's number format asks (currency code, percent points, decimals). */
export function formatCell(
  v: unknown,
  b: PlanBinding | undefined,
  timeGrain?: PlanBinding["timeGrain"],
): string {
  if (typeof v === "string" && timeGrain) return periodLabel(v, timeGrain);
  const f = b?.format;
  if (!f || typeof v !== "number") return formatValue(v);
  if (f.kind === "currency") return formatValue(v, f.currency ?? "currency", f.decimals);
  if (f.kind === "percent") return formatValue(v, "%", f.decimals);
  return formatValue(v, undefined, f.decimals, f.kind === "integer" ? { format: "integer" } : {});
}

/**
 * DuckDB's DECIMAL values reach the API as their text ("52.0", the server keeps them exact):
 * numbers again for measures, and for raw cells only when written with a decimal point, so an
 * identifier such as "02139" stays text.
 */
export function cellValue(x: unknown, role: string): unknown {
  if (typeof x !== "string") return x;
  const measure = role === "value" || role === "previousValue" || role === "binStart" || role === "binEnd";
  if (measure ? /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(x) : role === "raw" && /^-?\d+\.\d+$/.test(x))
    return Number(x);
  return x;
}

const groupCols = (r: VisualResult) => r.columns.filter((c) => c.role === "group");
const valueCols = (r: VisualResult) => r.columns.filter((c) => c.role === "value");
const otherCol = (r: VisualResult) => r.columns.find((c) => c.role === "other");
const num = numeric;

/** A row's category as the chart labels it (so a click maps back to its row). */
const categoryOf = (v: PlanVisual, r: VisualResult, row: Record<string, unknown>) =>
  sharedCategoryOf(v, r, row, formatCell);

/** A KPI card's numbers: the value, the previous period's and the change in percent. */
export function kpiOf(
  v: PlanVisual,
  r: VisualResult,
): { label: string; value: string; raw: number | null; previous?: string; changePct?: number } {
  const val = valueCols(r)[0];
  const row = r.rows[0] ?? {};
  const b = val?.binding === undefined ? undefined : v.bindings[val.binding];
  const raw = val ? num(row[val.name]) : null;
  const out: ReturnType<typeof kpiOf> = {
    label: val ? columnTitle(v, val) : v.title,
    value: formatCell(raw, b),
    raw,
  };
  const prevCol = r.columns.find((c) => c.role === "previousValue");
  const prev = prevCol ? num(row[prevCol.name]) : null;
  if (prevCol && prev !== null) {
    out.previous = formatCell(prev, b);
    if (raw !== null && prev !== 0) out.changePct = ((raw - prev) / Math.abs(prev)) * 100;
  }
  return out;
}

/** The result as a table: a title per column and each cell written as its binding formats it. */
export function tableOf(v: PlanVisual, r: VisualResult): { headers: string[]; rows: string[][] } {
  const cols = r.columns.filter((c) => c.role !== "other");
  const other = otherCol(r);
  return {
    headers: cols.map((c) => columnTitle(v, c)),
    rows: r.rows.map((row) =>
      cols.map((c) => {
        const b = c.binding === undefined ? undefined : v.bindings[c.binding];
        if (other && row[other.name] && c.role === "group") return "Other";
        return formatCell(cellValue(row[c.name], c.role), b, c.role === "group" ? b?.timeGrain : undefined);
      }),
    ),
  };
}

/**
 * A visual's ECharts option from its query rows, or null when the kind is drawn as HTML (KPI,
 * table, pivot, map — a map by region is shown as its table until the app ships map shapes).
 * The option itself is built by @modelworks/dashboard-charts, the server's PDF/PNG use the same;
 * the screen's part is how cells and titles are written (the user's number style).
 */
export function visualOption(v: PlanVisual, r: VisualResult): ChartOption | null {
  return chartVisualOption(v, r, { formatCell, columnTitle });
}

/** Whether clicking a visual's marks cross-filters the dashboard (a grouped bar, column or line). */
export function canCrossFilter(v: PlanVisual, r: VisualResult): boolean {
  const g = groupCols(r)[0];
  return (
    CHART_KINDS.has(v.kind) &&
    v.kind !== "scatter" &&
    v.kind !== "histogram" &&
    !!g &&
    g.binding !== undefined
  );
}

/**
 * The cross-filter selection a click on a category makes: the group's field and raw value (a
 * period by its grain). The "Other" bucket stands for many values and selects nothing.
 */
export function selectionFor(v: PlanVisual, r: VisualResult, category: string): Selection | null {
  if (!canCrossFilter(v, r) || category === "Other") return null;
  const g = groupCols(r)[0]!;
  const b = v.bindings[g.binding!]!;
  if (!b.field) return null;
  const row = r.rows.find((x) => categoryOf(v, r, x) === category);
  if (!row) return null;
  const value = row[g.name];
  if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
    return null;
  return {
    field: b.field,
    values: [value],
    ...(b.timeGrain ? { timeGrain: b.timeGrain } : {}),
    sourceVisualId: v.id,
  };
}

/** The categories a visual shows, in order (what its cross-filter buttons offer). */
export function categoriesOf(v: PlanVisual, r: VisualResult): string[] {
  const out: string[] = [];
  for (const row of r.rows) {
    const c = categoryOf(v, r, row);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

const sameField = (a: Selection, b: Selection) =>
  a.field.table === b.field.table && a.field.column === b.field.column && a.timeGrain === b.timeGrain;

/**
 * Clicking a category selects it; clicking it again clears it; a different value of the same
 * field replaces the earlier one (one selection per field, as Power BI's single-select does).
 */
export function toggleSelection(current: Selection[], next: Selection): Selection[] {
  const existing = current.find((s) => sameField(s, next));
  const rest = current.filter((s) => !sameField(s, next));
  if (existing && JSON.stringify(existing.values) === JSON.stringify(next.values)) return rest;
  return [...rest, next];
}

/**
 * The query body of a dashboard state: slicers with no values left out (an empty list would
 * filter everything away), and a stable key so equal states share one cached answer.
 */
export function dashboardQueryOf(
  slicers: Record<string, SlicerState>,
  selections: Selection[],
): { body: z.input<typeof DashboardQueryBody>; key: string } {
  const kept: Record<string, SlicerState> = {};
  for (const id of Object.keys(slicers).sort()) {
    const s = slicers[id]!;
    if ("values" in s && s.values.length === 0) continue;
    if ("range" in s && s.range[0] === null && s.range[1] === null) continue;
    kept[id] = s;
  }
  const body = { slicers: kept, selections };
  return { body, key: JSON.stringify(body) };
}

/** A plan change as one line: "pages[0].visuals[1].topN: (none) → {"n":3}". */
export function changeLine(c: { path: string; from?: unknown; to?: unknown }): string {
  const show = (x: unknown) => (x === undefined ? "(none)" : JSON.stringify(x));
  return `${c.path}: ${show(c.from)} → ${show(c.to)}`;
}

/** Slicer options seen in the results: the distinct values of groups bound to the slicer's field. */
export function slicerOptions(s: PlanSlicer, plan: PlanView, results: VisualResult[]): string[] {
  const out = new Set<string>();
  const visuals = plan.pages.flatMap((p) => p.visuals);
  for (const r of results) {
    const v = visuals.find((x) => x.id === r.visualId);
    if (!v) continue;
    for (const c of r.columns) {
      const b = c.binding === undefined ? undefined : v.bindings[c.binding];
      if (c.role === "binStart" || c.role === "binEnd") continue;
      if (!b?.field || b.aggregation || b.timeGrain) continue;
      if (b.field.table !== s.field.table || b.field.column !== s.field.column) continue;
      for (const row of r.rows)
        if (row[c.name] !== null && row[c.name] !== undefined) out.add(String(row[c.name]));
    }
  }
  return [...out].sort();
}

/**
 * A tile's place after a key on the focused tile: arrows move it one column or row, Shift+arrows
 * resize it (right/down grow, left/up shrink), kept on the 12-column grid. Null when the key does
 * nothing (not an arrow, or already at the edge). Overlaps are the server's to refuse (422).
 */
export function tileAfterKey(t: Tile, key: string, shift: boolean): Tile | null {
  const next = { ...t };
  if (shift) {
    if (key === "ArrowRight") next.w = Math.min(12 - t.x, t.w + 1);
    else if (key === "ArrowLeft") next.w = Math.max(1, t.w - 1);
    else if (key === "ArrowDown") next.h = Math.min(40, t.h + 1);
    else if (key === "ArrowUp") next.h = Math.max(1, t.h - 1);
    else return null;
  } else {
    if (key === "ArrowRight") next.x = Math.min(12 - t.w, t.x + 1);
    else if (key === "ArrowLeft") next.x = Math.max(0, t.x - 1);
    else if (key === "ArrowDown") next.y = Math.min(1000, t.y + 1);
    else if (key === "ArrowUp") next.y = Math.max(0, t.y - 1);
    else return null;
  }
  return next.x === t.x && next.y === t.y && next.w === t.w && next.h === t.h ? null : next;
}

/** The grid's pitch in CSS pixels: one column's width plus the gap, one row's height plus the gap. */
export interface GridPitch {
  colPx: number;
  rowPx: number;
}

/**
 * A tile's place after a pointer drag of `dx`, `dy` pixels, snapped to whole grid cells (a move
 * of less than half a cell stays put): "move" drags the tile by its handle, "resize" drags its
 * bottom-right corner. Kept on the 12-column grid, at least 1×1 and at most 40 rows high, as the
 * keyboard does. Null when the drop lands where the tile already is (no revision for a no-op).
 */
export function tileAfterDrag(
  t: Tile,
  mode: "move" | "resize",
  dx: number,
  dy: number,
  pitch: GridPitch,
): Tile | null {
  const cols = Math.round(dx / pitch.colPx) || 0;
  const rows = Math.round(dy / pitch.rowPx) || 0;
  const next = { ...t };
  if (mode === "move") {
    next.x = Math.min(12 - t.w, Math.max(0, t.x + cols));
    next.y = Math.min(1000, Math.max(0, t.y + rows));
  } else {
    next.w = Math.min(12 - t.x, Math.max(1, t.w + cols));
    next.h = Math.min(40, Math.max(1, t.h + rows));
  }
  return next.x === t.x && next.y === t.y && next.w === t.w && next.h === t.h ? null : next;
}
