/**
 * A dashboard plan → the Power BI project spec that publishes it: one table per profiled file
 * (typed columns, geography categories, summarization from the semantic roles), one measure per
 * distinct aggregation the plan shows, the plan's joins as many-to-one relationships, and each
 * page's slicers and visuals placed on a 1280-px page. What Power BI cannot express the way the
 * plan does (a KPI's period-over-period, top N's Other bucket, a filter other than "is one of")
 * is left out and said in `notes`, never silently.
 */

import type {
  Binding,
  DashboardPlan,
  Filter,
  NumberFormat,
  Aggregation as PlanAggregation,
  FieldRef as PlanField,
  Tile,
  Visual,
} from "../plan/schema.ts";
import { GRID_COLUMNS } from "../plan/schema.ts";
import { analyzeTables } from "../profile/analyze.ts";
import type { ColumnProfile, ColumnRole, TableProfile } from "../profile/types.ts";
import {
  type Aggregation,
  type CategoricalFilter,
  type FieldRef,
  type PowerBiColumn,
  type PowerBiDataType,
  type PowerBiMeasure,
  type PowerBiPage,
  PowerBiProjectSpec,
  type PowerBiProjectSpecInput,
  type PowerBiRelationship,
  type PowerBiTable,
  type PowerBiVisualInput,
} from "./spec.ts";
import type { VisualKind } from "./visual-kinds.ts";

export interface PlanMappingNote {
  /** Where in the plan (dot path). */
  path: string;
  message: string;
}

export interface PlanToPowerBi {
  spec: PowerBiProjectSpecInput;
  /** What the project shows differently from the live dashboard, and why. */
  notes: PlanMappingNote[];
}

export const PAGE_WIDTH_PX = 1280;
export const ROW_HEIGHT_PX = 60;
const MARGIN_PX = 10;
const MAX_PAGE_PX = 10_000;
const COLUMN_WIDTH_PX = (PAGE_WIDTH_PX - 2 * MARGIN_PX) / GRID_COLUMNS;

/** Every plan visual kind and the Power BI kind it becomes. */
export const PLAN_KIND_TO_POWER_BI: Record<Visual["kind"], VisualKind> = {
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
};

const AGGREGATION: Record<PlanAggregation, Aggregation> = {
  sum: "sum",
  avg: "average",
  min: "min",
  max: "max",
  count: "count",
  countDistinct: "distinctcount",
  median: "median",
};
const AGG_WORD: Record<PlanAggregation, string> = {
  sum: "Total",
  avg: "Average",
  min: "Min",
  max: "Max",
  count: "Count of",
  countDistinct: "Distinct",
  median: "Median",
};

const DATA_TYPE: Record<ColumnProfile["type"], PowerBiDataType> = {
  integer: "int64",
  number: "double",
  boolean: "boolean",
  date: "dateTime",
  datetime: "dateTime",
  // Power Query has a time type, but the writer's vocabulary does not: kept as text.
  time: "string",
  string: "string",
};

const GEO_CATEGORY: Partial<Record<NonNullable<ColumnRole["geo"]>, PowerBiColumn["dataCategory"]>> = {
  "us-state": "StateOrProvince",
  country: "Country",
  "us-county": "County",
  city: "City",
  "postal-code": "PostalCode",
  latitude: "Latitude",
  longitude: "Longitude",
};

const fold = (s: string) => s.toLowerCase();
/** A name Power BI accepts: no control characters, no edge spaces, at most 120 characters. */
function cleanName(raw: string, fallback: string): string {
  const s = raw
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim()
    .slice(0, 120)
    .trim();
  return s || fallback;
}
function unique(name: string, taken: Set<string>): string {
  let out = name;
  for (let n = 2; taken.has(fold(out)); n++) out = `${name.slice(0, 112)} (${n})`;
  taken.add(fold(out));
  return out;
}

export function numberFormatString(format: NumberFormat | undefined): string | undefined {
  if (!format) return undefined;
  const decimals = format.kind === "integer" ? 0 : format.decimals;
  const body = decimals > 0 ? `#,0.${"0".repeat(decimals)}` : "#,0";
  switch (format.kind) {
    case "percent":
      // Percent points (12.5 means 12.5 %): a literal sign, not Power BI's ×100 percent format.
      return `${body} "%"`;
    case "currency":
      return !format.currency || format.currency === "USD" ? `\\$${body}` : `${body} "${format.currency}"`;
    default:
      return body;
  }
}

/** 1, 2, 2.5 or 5 × 10^k: the smallest such step at least `raw`. */
function niceStep(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  const step = [1, 2, 2.5, 5, 10].map((m) => m * base).find((s) => s >= raw * (1 - 1e-12))!;
  return Number(step.toPrecision(6));
}

class Mapper {
  readonly notes: PlanMappingNote[] = [];
  /** The current page's row height. */
  rowPx = ROW_HEIGHT_PX;
  private readonly tables: PowerBiTable[] = [];
  private readonly measures: PowerBiMeasure[] = [];
  private readonly measureKeys = new Map<string, string>();
  private readonly measureNames = new Set<string>();
  /** plan table → its Power BI table, plan column → Power BI column name. */
  private readonly tableOf = new Map<string, { table: PowerBiTable; columns: Map<string, PowerBiColumn> }>();
  private readonly roles = new Map<string, ColumnRole>();
  private readonly profiles = new Map<string, TableProfile>();

  constructor(profiles: TableProfile[]) {
    const { tables: analyses } = analyzeTables(profiles);
    const tableNames = new Set<string>(["datafolder"]);
    const fileNames = new Set<string>();
    profiles.forEach((p, ti) => {
      this.profiles.set(p.name, p);
      const name = unique(cleanName(p.name, `Table ${ti + 1}`), tableNames);
      const stem =
        p.name
          .replace(/[^A-Za-z0-9._ -]+/g, "_")
          .replace(/^[^A-Za-z0-9]+/, "")
          .slice(0, 100) || `table${ti + 1}`;
      const fileName = unique(`${stem}.csv`, fileNames);
      const columnNames = new Set<string>();
      const columns = new Map<string, PowerBiColumn>();
      p.columns.forEach((c, ci) => {
        const role = analyses[ti]!.columns[ci]!;
        this.roles.set(`${p.name}\u0000${c.name}`, role);
        const dataType = DATA_TYPE[c.type];
        const numeric = dataType === "int64" || dataType === "double";
        const category = role.geo ? GEO_CATEGORY[role.geo] : undefined;
        const geoFits =
          category &&
          ((category === "Latitude" || category === "Longitude") === numeric || category === "PostalCode");
        const column: PowerBiColumn = {
          name: unique(cleanName(c.name, `Column ${ci + 1}`), columnNames),
          dataType,
          sourceColumn: c.name,
          summarizeBy:
            numeric && role.role === "measure"
              ? role.defaultAggregation === "avg"
                ? "average"
                : "sum"
              : "none",
          ...(dataType === "dateTime"
            ? { formatString: c.type === "date" ? "yyyy-mm-dd" : "yyyy-mm-dd hh:nn" }
            : {}),
          ...(geoFits ? { dataCategory: category } : {}),
        };
        columns.set(c.name, column);
      });
      const table: PowerBiTable = {
        name,
        fileName,
        description: `${p.rowCount.toLocaleString("en-US")} rows of ${p.name}`.slice(0, 1000),
        columns: [...columns.values()],
      };
      this.tables.push(table);
      this.tableOf.set(p.name, { table, columns });
    });
  }

  column(field: PlanField, path: string): { table: string; column: string } | null {
    const t = this.tableOf.get(field.table);
    const c = t?.columns.get(field.column);
    if (!t || !c) {
      this.note(path, `no column ${field.table}.${field.column} in the data: left out`);
      return null;
    }
    return { table: t.table.name, column: c.name };
  }

  private columnDef(field: PlanField): PowerBiColumn | undefined {
    return this.tableOf.get(field.table)?.columns.get(field.column);
  }

  note(path: string, message: string) {
    this.notes.push({ path, message });
  }

  /**
   * The measure for an aggregated binding, made once per (table, column, aggregation). A row
   * count (no field) is COUNT of a column with no blanks, which equals the row count.
   */
  measure(
    tableName: string,
    field: PlanField | undefined,
    agg: PlanAggregation,
    format: NumberFormat | undefined,
    path: string,
  ): FieldRef | null {
    let target = field;
    let name: string;
    let aggregation = AGGREGATION[agg];
    if (!target) {
      const profile = this.profiles.get(tableName);
      const full = profile?.columns.find((c) => c.missing === 0 && c.type !== "boolean");
      if (!profile || !full) {
        this.note(path, `a row count needs a column of ${tableName} with no blanks: left out`);
        return null;
      }
      target = { table: tableName, column: full.name };
      aggregation = "count";
      name = `Rows of ${this.tableOf.get(tableName)!.table.name}`;
    } else {
      const col = this.columnDef(target);
      if (!col) {
        this.note(path, `no column ${target.table}.${target.column} in the data: left out`);
        return null;
      }
      const numeric = col.dataType === "int64" || col.dataType === "double";
      if ((aggregation === "sum" || aggregation === "average" || aggregation === "median") && !numeric) {
        this.note(path, `${agg} of the ${col.dataType} column ${col.name} is counted distinct instead`);
        aggregation = "distinctcount";
      }
      name = `${AGG_WORD[agg]} ${col.name}`;
    }
    const ref = this.column(target, path)!;
    const key = `${ref.table}\u0000${ref.column}\u0000${aggregation}`;
    const known = this.measureKeys.get(key);
    if (known) return { measure: known };
    // A measure may share no name with any column (DAX reads [Name] as either).
    const taken = new Set([
      ...this.measureNames,
      ...this.tables.flatMap((t) => t.columns.map((c) => fold(c.name))),
    ]);
    let unique = cleanName(name, "Measure");
    for (let n = 2; taken.has(fold(unique)); n++)
      unique = `${cleanName(name, "Measure").slice(0, 112)} (${n})`;
    this.measureNames.add(fold(unique));
    this.measureKeys.set(key, unique);
    const formatString = numberFormatString(format);
    this.measures.push({
      name: unique,
      table: ref.table,
      column: ref.column,
      aggregation,
      ...(formatString ? { formatString } : {}),
    });
    return { measure: unique };
  }

  relationships(plan: DashboardPlan): PowerBiRelationship[] {
    const out: PowerBiRelationship[] = [];
    const pairs = new Set<string>();
    plan.relationships.forEach((r, ri) => {
      const path = `relationships.${ri}`;
      const from = this.column(r.from, `${path}.from`);
      const to = this.column(r.to, `${path}.to`);
      if (!from || !to) return;
      if (from.table === to.table) {
        this.note(path, "a relationship joins two different tables: left out");
        return;
      }
      const a = this.columnDef(r.from)!;
      const b = this.columnDef(r.to)!;
      if (a.dataType !== b.dataType) {
        this.note(path, `key types differ (${a.dataType}, ${b.dataType}): the tables are not related`);
        return;
      }
      const pair = [fold(from.table), fold(to.table)].sort().join("\u0000");
      if (pairs.has(pair)) {
        this.note(path, "Power BI keeps one active relationship per pair of tables: left out");
        return;
      }
      pairs.add(pair);
      out.push({ from, to });
    });
    return out;
  }

  /** "is one of" filters only: Power BI's basic filter. Values typed to the column. */
  filters(filters: Filter[], path: string): CategoricalFilter[] {
    const out: CategoricalFilter[] = [];
    filters.forEach((f, fi) => {
      const fpath = `${path}.${fi}`;
      const column = this.column(f.field, `${fpath}.field`);
      if (!column) return;
      if (f.op !== "eq" && f.op !== "in") {
        this.note(fpath, `a "${f.op}" filter on ${column.column} has no basic Power BI filter: left out`);
        return;
      }
      const type = this.columnDef(f.field)!.dataType;
      const values = f.values.map((v) => typed(v, type));
      if (values.length === 0 || values.some((v) => v === undefined)) {
        this.note(fpath, `a value of the filter on ${column.column} is not a ${type}: left out`);
        return;
      }
      out.push({ column, values: values as (string | number | boolean)[] });
    });
    return out;
  }

  histogramWidth(v: Visual, bin: Binding, path: string): number | null {
    const profile = bin.field ? this.profiles.get(bin.field.table) : undefined;
    const col = profile?.columns.find((c) => c.name === bin.field?.column);
    const lo = Number(col?.min);
    const hi = Number(col?.max);
    const bins = v.bins ?? 20;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || col?.min === null || col?.max === null) {
      this.note(path, "no numeric range in the profile: no histogram");
      return null;
    }
    const width = Math.max(niceStep(Math.max(hi - lo, 1e-6) / bins), 1e-6);
    this.note(path, `${bins} bins from the data's range become bins ${width} wide aligned at 0`);
    return width;
  }

  role(field: PlanField | undefined): ColumnRole | undefined {
    return field ? this.roles.get(`${field.table}\u0000${field.column}`) : undefined;
  }

  /** A column to make one point per row of a raw scatter: the table's grain, else its most distinct non-measure column. */
  pointColumn(tableName: string): PlanField | null {
    const profile = this.profiles.get(tableName);
    if (!profile) return null;
    const candidates = profile.columns
      .filter((c) => {
        const r = this.roles.get(`${tableName}\u0000${c.name}`);
        return r && r.role !== "measure" && r.role !== "text";
      })
      .sort((a, b) => b.distinct - a.distinct);
    return candidates[0] ? { table: tableName, column: candidates[0].name } : null;
  }

  result(name: string, pages: PowerBiPage[], relationships: PowerBiRelationship[]): PowerBiProjectSpecInput {
    return { name, tables: this.tables, measures: this.measures, relationships, pages };
  }
}

function typed(v: string | number | boolean, type: PowerBiDataType): string | number | boolean | undefined {
  switch (type) {
    case "int64":
    case "double":
    case "decimal": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
      return Number.isFinite(n) && (type !== "int64" || Number.isInteger(n)) ? n : undefined;
    }
    case "boolean":
      return typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined;
    case "dateTime":
      return typeof v === "string" && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?/.test(v)
        ? v.slice(0, 19)
        : undefined;
    default:
      return String(v);
  }
}

function place(tile: Tile, rowPx: number): { xPx: number; yPx: number; widthPx: number; heightPx: number } {
  return {
    xPx: Math.round(MARGIN_PX + tile.x * COLUMN_WIDTH_PX),
    yPx: MARGIN_PX + tile.y * rowPx,
    widthPx: Math.round(tile.w * COLUMN_WIDTH_PX - MARGIN_PX),
    heightPx: Math.max(1, tile.h * rowPx - MARGIN_PX),
  };
}

/** Rows of 60 px, squeezed when a very long page would pass Power BI's 10,000-px page height. */
function rowHeightPx(rows: number): number {
  return rows * ROW_HEIGHT_PX + 2 * MARGIN_PX > MAX_PAGE_PX
    ? Math.floor((MAX_PAGE_PX - 2 * MARGIN_PX) / rows)
    : ROW_HEIGHT_PX;
}

/** The project's name (it names files): the plan's title in letters, digits, spaces, _ and -. */
export function projectName(title: string): string {
  const s = title
    .replace(/[^A-Za-z0-9 _-]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 80)
    .trim();
  return s || "Dashboard";
}

const GROUP_CHANNELS = new Set(["x", "category", "region", "rows", "bin"]);

function visualOf(m: Mapper, v: Visual, path: string): PowerBiVisualInput | null {
  const kind = PLAN_KIND_TO_POWER_BI[v.kind];
  const values = v.bindings
    .map((b, i) => ({ b, path: `${path}.bindings.${i}` }))
    .filter((x) => x.b.aggregation);
  const groups = v.bindings
    .map((b, i) => ({ b, path: `${path}.bindings.${i}` }))
    .filter((x) => !x.b.aggregation && x.b.field);
  const measureOf = (x: { b: Binding; path: string }) =>
    m.measure(v.table, x.b.field, x.b.aggregation!, x.b.format, x.path);
  const columnOf = (x: { b: Binding; path: string }) => {
    if (x.b.timeGrain)
      m.note(
        x.path,
        `grouped by ${x.b.timeGrain} on the dashboard; Power BI groups by the date (use its date hierarchy)`,
      );
    return m.column(x.b.field!, `${x.path}.field`);
  };
  const present = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);
  const bindings: Record<string, FieldRef[]> = {};
  const bind = (role: string, refs: FieldRef[]) => {
    if (refs.length) bindings[role] = refs;
  };

  switch (v.kind) {
    case "kpi": {
      bind("Values", present(values.slice(0, 1).map(measureOf)));
      if (v.comparison)
        m.note(
          `${path}.comparison`,
          "a card shows the value only: the period-over-period change is the dashboard's",
        );
      break;
    }
    case "line":
    case "area":
    case "bar":
    case "column":
    case "stackedBar":
    case "stackedColumn": {
      const category = groups.find((g) => GROUP_CHANNELS.has(g.b.channel)) ?? groups[0];
      const series = groups.find((g) => g !== category);
      bind("Category", present([category ? columnOf(category) : null]));
      let ys = present(values.map(measureOf));
      if (series && ys.length > 1) {
        m.note(`${path}.bindings`, "a legend splits one value in Power BI: kept the first");
        ys = ys.slice(0, 1);
      }
      bind("Y", ys);
      if (series) bind("Series", present([columnOf(series)]));
      break;
    }
    case "scatter": {
      const x = v.bindings.findIndex((b) => b.channel === "x");
      const y = v.bindings.findIndex((b) => b.channel === "y");
      if (x < 0 || y < 0) return null;
      const axis = (i: number) => {
        const b = v.bindings[i]!;
        if (b.aggregation)
          return m.measure(v.table, b.field, b.aggregation, b.format, `${path}.bindings.${i}`);
        // Raw points: each point is one member of the detail column, its x and y averaged.
        const agg = m.role(b.field)?.defaultAggregation === "sum" ? "sum" : "avg";
        return m.measure(v.table, b.field, agg, b.format, `${path}.bindings.${i}`);
      };
      const detail = groups.find((g) => g.b.channel === "detail" || g.b.channel === "category");
      const pointField = detail?.b.field ?? m.pointColumn(v.table);
      if (!pointField) return null;
      if (!detail)
        m.note(`${path}.bindings`, `one point per ${pointField.column} (Power BI plots members, not rows)`);
      bind("Category", present([m.column(pointField, `${path}.bindings`)]));
      bind("X", present([axis(x)]));
      bind("Y", present([axis(y)]));
      if (v.limit) m.note(`${path}.limit`, "Power BI samples large scatters itself: no row limit");
      break;
    }
    case "table": {
      const refs = present(
        v.bindings.map((b, i) =>
          b.aggregation
            ? m.measure(v.table, b.field, b.aggregation, b.format, `${path}.bindings.${i}`)
            : b.field
              ? m.column(b.field, `${path}.bindings.${i}.field`)
              : null,
        ),
      );
      bind("Values", refs.slice(0, 30));
      if (v.limit) m.note(`${path}.limit`, "a Power BI table scrolls through every row: no row limit");
      break;
    }
    case "pivot": {
      bind(
        "Rows",
        present(
          groups
            .filter((g) => g.b.channel === "rows")
            .slice(0, 5)
            .map(columnOf),
        ),
      );
      bind(
        "Columns",
        present(
          groups
            .filter((g) => g.b.channel === "columns")
            .slice(0, 5)
            .map(columnOf),
        ),
      );
      bind("Values", present(values.slice(0, 10).map(measureOf)));
      break;
    }
    case "map": {
      const region = groups.find((g) => g.b.channel === "region") ?? groups[0];
      bind("Location", present([region ? columnOf(region) : null]));
      bind("Size", present(values.slice(0, 1).map(measureOf)));
      break;
    }
    case "histogram": {
      const bin = v.bindings.find((b) => b.channel === "bin");
      if (!bin?.field) return null;
      const width = m.histogramWidth(v, bin, `${path}.bins`);
      if (width === null) return null;
      bind("X", present([m.column(bin.field, `${path}.bindings`)]));
      bind("Y", present(values.slice(0, 1).map(measureOf)));
      return finish(m, v, path, kind, bindings, { binWidth: width });
    }
  }
  return finish(m, v, path, kind, bindings, {});
}

function finish(
  m: Mapper,
  v: Visual,
  path: string,
  kind: VisualKind,
  bindings: Record<string, FieldRef[]>,
  extra: Partial<PowerBiVisualInput>,
): PowerBiVisualInput | null {
  const bound = Object.values(bindings).flat();
  if (bound.length === 0) {
    m.note(path, `nothing of the ${v.kind} could be bound: left out`);
    return null;
  }
  const same = (a: FieldRef, b: FieldRef) =>
    "measure" in a
      ? "measure" in b && a.measure === b.measure
      : "column" in b && a.table === b.table && a.column === b.column;
  const out: PowerBiVisualInput = {
    id: v.id,
    kind,
    title: v.title,
    ...place(v.layout, m.rowPx),
    bindings,
    ...extra,
  };
  const filters = m.filters(v.filters, `${path}.filters`);
  if (filters.length) out.filters = filters;

  // The sort and the top N rank by what the plan names: a measure when aggregated, else a column.
  let rankBy: FieldRef | null = null;
  if (v.sort && kind !== "card" && kind !== "histogram") {
    const by = v.sort.aggregation
      ? m.measure(v.table, v.sort.field, v.sort.aggregation, undefined, `${path}.sort`)
      : v.sort.field
        ? m.column(v.sort.field, `${path}.sort.field`)
        : m.measure(v.table, undefined, "count", undefined, `${path}.sort`);
    if (by && bound.some((f) => same(f, by))) {
      out.sort = { by, direction: v.sort.direction === "asc" ? "ascending" : "descending" };
      if ("measure" in by) rankBy = by;
    } else if (by) m.note(`${path}.sort`, "the sort names a field the visual does not show: left out");
  }
  if (v.topN) {
    const by = rankBy ?? bound.find((f) => "measure" in f);
    const ranked = ["Category", "Rows", "Location"].some((r) => bindings[r]?.length);
    if (by && "measure" in by && ranked) {
      out.topN = {
        count: v.topN.n,
        by,
        direction: v.sort?.direction === "asc" ? "bottom" : "top",
      };
      if (v.topN.other) m.note(`${path}.topN`, `Power BI keeps the top ${v.topN.n} without an Other bucket`);
    } else m.note(`${path}.topN`, "no measure to rank by: all categories shown");
  }
  return out;
}

/**
 * @param plan a checked plan (`checkPlan`'s or the built-in planner's).
 * @param profiles the tables the plan was made from: every profiled table becomes a table of the
 *   model, read from `<name>.csv` in the project's data folder (`fileName` in the spec).
 */
export function planToPowerBiSpec(plan: DashboardPlan, profiles: TableProfile[]): PlanToPowerBi {
  const m = new Mapper(profiles);
  const relationships = m.relationships(plan);
  const pageNames = new Set<string>();
  const pages: PowerBiPage[] = plan.pages.map((page, pi) => {
    const path = `pages.${pi}`;
    const visuals: PowerBiVisualInput[] = [];
    const rows = Math.max(0, ...[...page.slicers, ...page.visuals].map((t) => t.layout.y + t.layout.h));
    m.rowPx = rowHeightPx(rows);
    page.slicers.forEach((s, si) => {
      const spath = `${path}.slicers.${si}`;
      const column = m.column(s.field, `${spath}.field`);
      if (!column) return;
      const role = m.role(s.field);
      const rangeable =
        role &&
        (role.type === "integer" ||
          role.type === "number" ||
          role.type === "date" ||
          role.type === "datetime");
      const slicerMode =
        s.kind === "dropdown"
          ? "dropdown"
          : (s.kind === "range" || s.kind === "dateRange") && rangeable
            ? "between"
            : "list";
      visuals.push({
        id: s.id,
        kind: "slicer",
        title: s.title ?? s.field.column,
        ...place(s.layout, m.rowPx),
        bindings: { Values: [column] },
        slicerMode,
      });
    });
    page.visuals.forEach((v, vi) => {
      const out = visualOf(m, v, `${path}.visuals.${vi}`);
      if (out) visuals.push(out);
    });
    const bottom = Math.max(0, ...visuals.map((v) => (v.yPx ?? 0) + (v.heightPx ?? 0)));
    return {
      id: page.id,
      name: unique(cleanName(page.title, `Page ${pi + 1}`), pageNames),
      widthPx: PAGE_WIDTH_PX,
      heightPx: Math.min(MAX_PAGE_PX, Math.max(720, bottom + MARGIN_PX)),
      visuals: visuals as PowerBiPage["visuals"],
      filters: m.filters(page.filters, `${path}.filters`),
    };
  });
  const spec = m.result(projectName(plan.title), pages, relationships);
  return { spec, notes: m.notes };
}

/**
 * The spec, validated. A visual the writer's checks still refuse (a plan shape the mapping did not
 * foresee) is left out with the reason as a note rather than failing the whole project; anything
 * else that fails is a bug in the mapping and throws.
 */
export function checkedPowerBiSpec(
  plan: DashboardPlan,
  profiles: TableProfile[],
): { spec: PowerBiProjectSpec; notes: PlanMappingNote[] } {
  const { spec, notes } = planToPowerBiSpec(plan, profiles);
  const first = PowerBiProjectSpec.safeParse(spec);
  if (first.success) return { spec: first.data, notes };
  const drop = new Map<string, string>();
  for (const issue of first.error.issues) {
    const [pages, pi, visuals, vi] = issue.path;
    if (pages === "pages" && visuals === "visuals" && typeof pi === "number" && typeof vi === "number")
      drop.set(`${pi}.${vi}`, issue.message);
  }
  const pruned: PowerBiProjectSpecInput = {
    ...spec,
    pages: spec.pages.map((page, pi) => ({
      ...page,
      visuals: page.visuals.filter((v, vi) => {
        const why = drop.get(`${pi}.${vi}`);
        if (why)
          notes.push({ path: `pages.${pi}`, message: `visual "${v.id}" left out of the project: ${why}` });
        return !why;
      }),
    })),
  };
  return { spec: PowerBiProjectSpec.parse(pruned), notes };
}
