import { analyzeTables } from "../profile/analyze.ts";
import type { ColumnRole, Relationship, TableAnalysis, TableProfile } from "../profile/types.ts";
import { formatOf } from "./format.ts";
import { type GoalIntent, readGoal } from "./goal.ts";
import { RowPacker } from "./layout.ts";
import {
  correlations,
  type Dim,
  headlineMeasures,
  primaryIndex,
  rankDimensions,
  rankMeasures,
  relatedDimensions,
  sampleColumns,
  scatterPartner,
} from "./rank.ts";
import {
  type Aggregation,
  type Binding,
  DashboardPlan,
  type DashboardPlanInput,
  type FieldRef,
  type NumberFormat,
  type Slicer,
  type Visual,
} from "./schema.ts";

export interface BuiltinPlannerInput {
  tables: TableProfile[];
  /** The user's words ("violent crime by state over time"): keywords shift the emphasis. */
  goal?: string;
  title?: string;
}

/** Categories up to this many are drawn whole; more are cut to the top N with an "Other" bucket. */
const FULL_BAR_MAX = 12;
const DEFAULT_TOP_N = 10;
/** Dimensions with more distinct values than this are not offered as slicers. */
const SLICER_MAX = 12;

type Draft = Omit<DashboardPlanInput["pages"][number]["visuals"][number], "layout">;

const AGG_WORD: Record<Aggregation, string> = {
  sum: "Total",
  avg: "Average",
  min: "Lowest",
  max: "Highest",
  count: "Number of",
  countDistinct: "Distinct",
  median: "Median",
};

/**
 * The built-in planner: deterministic rules in the spirit of Tableau's Show Me and Metabase's
 * X-rays. From the primary table (the fact side of the relationships, else the one with the most
 * measures) it plans headline KPIs (latest period against the one before when there is time), a
 * trend, ranked bars for the dimensions that explain the main measure best, a map for states or
 * countries, a scatter of the main measure against its closest partner, a histogram, and a
 * detail page (pivot and table). Identifiers are only ever counted; free text is never charted.
 */
export function planDashboard(input: BuiltinPlannerInput): DashboardPlan {
  const { tables: analyses, relationships } = analyzeTables(input.tables);
  if (analyses.length === 0) throw new Error("planDashboard needs at least one table");
  const p = primaryIndex(analyses, relationships);
  const table = input.tables[p]!;
  const analysis = analyses[p]!;
  const column = sampleColumns(table);
  const field = (c: string): FieldRef => ({ table: table.name, column: c });

  const related = relatedDimensions(table, input.tables, analyses, relationships);
  const goal = readGoal(input.goal, [
    ...analysis.columns.map((c) => c.column),
    ...related.map((d) => d.field.column),
  ]);
  const corr = correlations(column);
  const measures = rankMeasures(analysis, goal, corr);
  const time = analysis.columns.find((c) => c.role === "time") ?? null;
  const primary = measures[0] ?? null;
  const dims = rankDimensions(analysis, related, goal, primary, column);

  const charts: { intent: keyof GoalIntent | null; draft: Draft; wide?: boolean }[] = [];
  const kpis: Draft[] = [];
  const usedRelationships = new Set<Relationship>();

  kpis.push(countKpi(table.name, analysis));
  for (const m of headlineMeasures(measures, corr)) {
    const agg = m.defaultAggregation ?? "avg";
    kpis.push({
      id: `kpi-${slug(m.column)}`,
      kind: "kpi",
      title: `${AGG_WORD[agg]} ${m.column}`,
      table: table.name,
      bindings: [
        {
          channel: "value",
          field: field(m.column),
          aggregation: agg,
          label: m.column,
          format: formatOf(m, agg),
        },
      ],
      ...(time
        ? {
            comparison: {
              kind: "previousPeriod" as const,
              field: field(time.column),
              ...dateGrainOf(time, analysis),
            },
            subtitle: `latest ${time.column} against the one before`,
          }
        : {}),
    });
  }

  if (primary) {
    const agg = primary.defaultAggregation ?? "avg";
    const value = (m: ColumnRole = primary): Binding => ({
      channel: "value",
      field: field(m.column),
      aggregation: m.defaultAggregation ?? "avg",
      label: m.column,
      format: formatOf(m, m.defaultAggregation ?? "avg"),
    });
    const valueTitle = (m: ColumnRole = primary) => `${AGG_WORD[m.defaultAggregation ?? "avg"]} ${m.column}`;

    if (time) {
      const few = time.cardinality < 4;
      for (const m of goal.trend ? measures.slice(0, 2) : [primary]) {
        charts.push({
          intent: "trend",
          wide: !few,
          draft: {
            id: `trend-${slug(m.column)}`,
            kind: few ? "column" : "line",
            title: `${valueTitle(m)} by ${time.column}`,
            ...(few ? { subtitle: `only ${time.cardinality} periods: compared side by side` } : {}),
            table: table.name,
            bindings: [
              {
                channel: few ? "category" : "x",
                field: field(time.column),
                ...dateGrainOf(time, analysis),
                label: time.column,
              },
              { ...value(m), channel: few ? "value" : "y" },
            ],
            sort: { field: field(time.column), direction: "asc" },
          },
        });
      }
    }

    const mapDim = dims.find(
      (d) => d.field.table === table.name && (d.role.geo === "us-state" || d.role.geo === "country"),
    );
    const barDims = dims.filter((d) => d !== mapDim || goal.by === d.field.column).slice(0, 2);
    for (const d of barDims) {
      if (d.field.table !== table.name) markUsed(relationships, table.name, d.field.table, usedRelationships);
      const cut = d.role.cardinality > FULL_BAR_MAX;
      const asked = goal.topN !== null && goal.topN < d.role.cardinality ? goal.topN : null;
      const topN = asked ?? (cut ? DEFAULT_TOP_N : null);
      charts.push({
        intent: goal.by === d.field.column ? "by" : null,
        draft: {
          id: `bar-${slug(d.field.column)}`,
          kind: "bar",
          title: `${valueTitle()} by ${d.field.column}${topN ? `, top ${topN}` : ""}`,
          ...(d.score > 0
            ? {
                subtitle: `${d.field.column} explains ${Math.round(d.score * 100)} % of the variation in ${primary.column}`,
              }
            : {}),
          table: table.name,
          bindings: [{ channel: "category", field: d.field, label: d.field.column }, value()],
          sort: { field: field(primary.column), aggregation: agg, direction: "desc" },
          ...(topN ? { topN: { n: topN, other: asked === null } } : {}),
        },
      });
    }

    const lowDims = dims.filter((d) => d.field.table === table.name && d.role.cardinality <= FULL_BAR_MAX);
    if (goal.compare && lowDims.length >= 2) {
      const [a, b] = [lowDims[0]!, lowDims[1]!];
      charts.push({
        intent: "compare",
        draft: {
          id: `compare-${slug(a.field.column)}-${slug(b.field.column)}`,
          kind: "column",
          title: `${valueTitle()} by ${a.field.column} and ${b.field.column}`,
          table: table.name,
          bindings: [
            { channel: "category", field: a.field, label: a.field.column },
            { channel: "series", field: b.field, label: b.field.column },
            value(),
          ],
          sort: { field: a.field, direction: "asc" },
        },
      });
    }

    if (mapDim) {
      charts.push({
        intent: "map",
        draft: {
          id: `map-${slug(mapDim.field.column)}`,
          kind: "map",
          title: `${valueTitle()} by ${mapDim.field.column}`,
          table: table.name,
          geo: mapDim.role.geo as "us-state" | "country",
          bindings: [{ channel: "region", field: mapDim.field, label: mapDim.field.column }, value()],
        },
      });
    }

    const partner = scatterPartner(primary, measures, goal, corr);
    if (partner) {
      const grainKey = analysis.grain?.columns.filter((c) => c !== time?.column) ?? [];
      charts.push({
        intent: "correlation",
        draft: {
          id: `scatter-${slug(primary.column)}-${slug(partner.m.column)}`,
          kind: "scatter",
          title: `${primary.column} against ${partner.m.column}`,
          ...(partner.r !== null ? { subtitle: `correlation ${partner.r.toFixed(2)} over the rows` } : {}),
          table: table.name,
          bindings: [
            {
              channel: "x",
              field: field(partner.m.column),
              label: partner.m.column,
              format: formatOf(partner.m, "avg"),
            },
            {
              channel: "y",
              field: field(primary.column),
              label: primary.column,
              format: formatOf(primary, "avg"),
            },
            ...grainKey.map((c): Binding => ({ channel: "detail", field: field(c), label: c })),
          ],
          limit: 5000,
        },
      });
    }

    charts.push({
      intent: "distribution",
      draft: {
        id: `histogram-${slug(primary.column)}`,
        kind: "histogram",
        title: `Distribution of ${primary.column}`,
        table: table.name,
        bins: Math.min(50, Math.max(5, Math.ceil(Math.log2(Math.max(2, analysis.rowCount))) + 1)),
        bindings: [
          {
            channel: "bin",
            field: field(primary.column),
            label: primary.column,
            format: formatOf(primary, "avg"),
          },
          {
            channel: "value",
            aggregation: "count",
            label: "rows",
            format: { kind: "integer", decimals: 0, compact: false },
          },
        ],
      },
    });
  }

  // The goal's emphasis moves its charts first; otherwise the order above stands (stable sort).
  const emphasis: (keyof GoalIntent)[] = [];
  if (goal.by) emphasis.push("by");
  for (const k of ["map", "compare", "correlation", "distribution", "trend"] as const)
    if (goal[k]) emphasis.push(k);
  if (
    goal.by &&
    dims.find((d) => d.field.column === goal.by && (d.role.geo === "us-state" || d.role.geo === "country"))
  )
    emphasis.splice(1, 0, "map");
  const rank = (i: keyof GoalIntent | null) =>
    i && emphasis.includes(i) ? emphasis.indexOf(i) : emphasis.length;
  charts.sort((a, b) => rank(a.intent) - rank(b.intent));

  const slicers = planSlicers(table.name, dims, time);
  const packer = new RowPacker();
  const overview: Visual[] = [];
  const placedSlicers = slicers.map((s) => ({ ...s, layout: packer.place(3, 1) }));
  packer.newRow();
  const kpiWidth = Math.max(2, Math.floor(12 / kpis.length));
  for (const k of kpis) overview.push({ ...k, layout: packer.place(kpiWidth, 2) } as Visual);
  packer.newRow();
  for (const c of charts) {
    if (c.wide) packer.newRow();
    overview.push({ ...c.draft, layout: packer.place(c.wide ? 12 : 6, 4) } as Visual);
    if (c.wide) packer.newRow();
  }

  const details = detailVisuals(table.name, analysis, dims, measures, primary, time);
  const plan: DashboardPlanInput = {
    version: 1,
    title: input.title ?? `${table.name} dashboard`,
    description: describe(analysis),
    ...(input.goal ? { goal: input.goal } : {}),
    generatedBy: "built-in",
    relationships: relationships
      .filter((r) => usedRelationships.has(r))
      .map((r) => ({ from: r.from, to: r.to })),
    pages: [
      { id: "overview", title: "Overview", slicers: placedSlicers, visuals: overview },
      ...(details.length ? [{ id: "details", title: "Details", visuals: details }] : []),
    ],
  };
  return DashboardPlan.parse(plan);
}

function markUsed(relationships: Relationship[], from: string, to: string, used: Set<Relationship>) {
  const r = relationships.find(
    (x) => x.from.table === from && x.to.table === to && x.cardinality === "many-to-one",
  );
  if (r) used.add(r);
}
function countKpi(table: string, analysis: TableAnalysis): Draft {
  const entity =
    (analysis.grain?.columns.length ?? 0) > 1
      ? analysis.grain!.columns.find((c) => analysis.columns.find((r) => r.column === c)?.role !== "time")
      : undefined;
  const integer: NumberFormat = { kind: "integer", decimals: 0, compact: false };
  return entity
    ? {
        id: `kpi-${slug(entity)}-count`,
        kind: "kpi",
        title: `Distinct ${entity}`,
        table,
        bindings: [
          {
            channel: "value",
            field: { table, column: entity },
            aggregation: "countDistinct",
            label: entity,
            format: integer,
          },
        ],
      }
    : {
        id: "kpi-rows",
        kind: "kpi",
        title: "Rows",
        table,
        bindings: [{ channel: "value", aggregation: "count", label: "rows", format: integer }],
      };
}

function planSlicers(table: string, dims: Dim[], time: ColumnRole | null): Omit<Slicer, "layout">[] {
  const out: Omit<Slicer, "layout">[] = [];
  if (time) {
    const kind = time.cardinality <= SLICER_MAX ? "list" : time.type === "integer" ? "range" : "dateRange";
    out.push({
      id: `slicer-${slug(time.column)}`,
      field: { table, column: time.column },
      kind,
      multi: true,
      title: time.column,
    });
  }
  for (const d of dims) {
    if (out.length >= 4) break;
    if (d.field.table !== table || d.role.cardinality > SLICER_MAX) continue;
    out.push({
      id: `slicer-${slug(d.field.column)}`,
      field: d.field,
      kind: "list",
      multi: true,
      title: d.field.column,
    });
  }
  return out;
}

function detailVisuals(
  table: string,
  analysis: TableAnalysis,
  dims: Dim[],
  measures: ColumnRole[],
  primary: ColumnRole | null,
  time: ColumnRole | null,
): Visual[] {
  const out: Visual[] = [];
  const packer = new RowPacker();
  const low = dims.filter((d) => d.field.table === table && d.role.cardinality <= FULL_BAR_MAX);
  if (primary && low.length >= 2) {
    const agg = primary.defaultAggregation ?? "avg";
    out.push({
      id: `pivot-${slug(low[0]!.field.column)}-${slug(low[1]!.field.column)}`,
      kind: "pivot",
      title: `${AGG_WORD[agg]} ${primary.column} by ${low[0]!.field.column} and ${low[1]!.field.column}`,
      table,
      bindings: [
        { channel: "rows", field: low[0]!.field, label: low[0]!.field.column },
        { channel: "columns", field: low[1]!.field, label: low[1]!.field.column },
        {
          channel: "value",
          field: { table, column: primary.column },
          aggregation: agg,
          label: primary.column,
          format: formatOf(primary, agg),
        },
      ],
      filters: [],
      layout: packer.place(12, 5),
    });
  }
  const keyColumns =
    analysis.grain?.columns ??
    analysis.columns
      .filter((c) => c.role === "identifier")
      .slice(0, 1)
      .map((c) => c.column);
  const columns = unique([
    ...keyColumns,
    ...analysis.columns
      .filter((c) => c.role === "identifier" && c.type === "string")
      .slice(0, 1)
      .map((c) => c.column),
    ...(time ? [time.column] : []),
    ...dims
      .filter((d) => d.field.table === table)
      .slice(0, 3)
      .map((d) => d.field.column),
    ...measures.slice(0, 4).map((m) => m.column),
  ]);
  const roleOf = (c: string) => analysis.columns.find((r) => r.column === c)!;
  out.push({
    id: "table-rows",
    kind: "table",
    title: `${table} rows`,
    table,
    bindings: columns.map((c): Binding => {
      const r = roleOf(c);
      return {
        channel: "columns",
        field: { table, column: c },
        label: c,
        ...(r.role === "measure" ? { format: formatOf(r, "avg") } : {}),
      };
    }),
    filters: [],
    ...(primary ? { sort: { field: { table, column: primary.column }, direction: "desc" as const } } : {}),
    limit: 1000,
    layout: packer.place(12, 8),
  });
  return out;
}

/** A date column's period for grouping: its own grain, coarsened until at most ~100 periods. */
function dateGrainOf(
  time: ColumnRole,
  analysis: TableAnalysis,
): { timeGrain?: "year" | "quarter" | "month" | "week" | "day" } {
  if (time.type !== "date" && time.type !== "datetime") return {};
  const days = analysis.dateRange
    ? (Date.parse(analysis.dateRange.max) - Date.parse(analysis.dateRange.min)) / 86_400_000
    : 0;
  const grains = [
    ["day", 1],
    ["week", 7],
    ["month", 30.4],
    ["quarter", 91.3],
    ["year", 365.25],
  ] as const;
  const start = Math.max(
    0,
    grains.findIndex(([g]) => g === time.grain),
  );
  for (const [g, len] of grains.slice(start)) if (days / len <= 100) return { timeGrain: g };
  return { timeGrain: "year" };
}

function describe(a: TableAnalysis): string {
  const parts = [`${a.rowCount.toLocaleString("en-US")} rows of ${a.name}`];
  if (a.grain) parts.push(`one row per ${a.grain.columns.join(" and ")}`);
  if (a.dateRange) parts.push(`${a.dateRange.column} ${a.dateRange.min} to ${a.dateRange.max}`);
  return `${parts.join("; ")}.`;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40) || "field";

const unique = (xs: string[]) => [...new Set(xs)];
