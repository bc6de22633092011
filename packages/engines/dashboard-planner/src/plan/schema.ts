import { z } from "zod";

/**
 * The dashboard plan: one document both planners answer in (the built-in rules and a language
 * model), checked against the data by `check.ts`, compiled to queries by `../query/`, and written
 * out as a Power BI project. Names are data, never SQL: every field is a {table, column} pair
 * looked up in the profile, every aggregation a member of a closed list.
 */

export const PLAN_VERSION = 1;
export const GRID_COLUMNS = 12;

const Name = z.string().min(1).max(200);
const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only");

export const FieldRef = z
  .object({ table: Name, column: Name })
  .strict()
  .describe("A column of one of the profiled tables, by its exact name");
export type FieldRef = z.infer<typeof FieldRef>;

export const Aggregation = z.enum(["sum", "avg", "min", "max", "count", "countDistinct", "median"]);
export type Aggregation = z.infer<typeof Aggregation>;

export const TimeGrain = z.enum(["year", "quarter", "month", "week", "day"]);

export const NumberFormat = z
  .object({
    kind: z.enum(["number", "integer", "percent", "currency"]),
    decimals: z.number().int().min(0).max(6).default(0),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional()
      .describe("ISO 4217 code, for kind currency"),
    compact: z.boolean().default(false).describe("1.2K, 3.4M"),
  })
  .strict()
  .describe("percent: the values are percent points (12.5 shows as 12.5 %)");
export type NumberFormat = z.infer<typeof NumberFormat>;

export const Channel = z.enum([
  "x",
  "y",
  "category",
  "series",
  "value",
  "size",
  "region",
  "rows",
  "columns",
  "detail",
  "bin",
]);
export type Channel = z.infer<typeof Channel>;

export const Binding = z
  .object({
    channel: Channel,
    field: FieldRef.optional().describe("Absent only for a row count (aggregation count)"),
    aggregation: Aggregation.optional().describe(
      "Present: an aggregated value; absent: a grouping (or, when no binding is aggregated, raw rows)",
    ),
    timeGrain: TimeGrain.optional().describe("Group a date by this period"),
    label: z.string().max(200).optional(),
    format: NumberFormat.optional(),
  })
  .strict();
export type Binding = z.infer<typeof Binding>;

// Numbers bounded like every hosted model's input (model-kit LIMITS: ±1e12); plans are inputs too.
const Scalar = z.union([z.string().max(1000), z.number().min(-1e12).max(1e12), z.boolean()]);

export const Filter = z
  .object({
    field: FieldRef,
    op: z.enum(["eq", "neq", "in", "notIn", "gt", "gte", "lt", "lte", "between", "isNull", "notNull"]),
    values: z.array(Scalar).max(1000).default([]),
  })
  .strict();
export type Filter = z.infer<typeof Filter>;

export const Tile = z
  .object({
    x: z
      .number()
      .int()
      .min(0)
      .max(GRID_COLUMNS - 1),
    y: z.number().int().min(0).max(1000),
    w: z.number().int().min(1).max(GRID_COLUMNS),
    h: z.number().int().min(1).max(40),
  })
  .strict()
  .describe(`A place on a ${GRID_COLUMNS}-column grid; y and h in rows`);
export type Tile = z.infer<typeof Tile>;

export const VisualKind = z.enum([
  "kpi",
  "line",
  "area",
  "bar",
  "column",
  "stackedBar",
  "stackedColumn",
  "scatter",
  "table",
  "pivot",
  "map",
  "histogram",
]);
export type VisualKind = z.infer<typeof VisualKind>;

export const Visual = z
  .object({
    id: Id,
    kind: VisualKind,
    title: z.string().min(1).max(200),
    subtitle: z.string().max(500).optional(),
    table: Name.describe("The table the query starts from; other tables join through relationships"),
    bindings: z.array(Binding).min(1).max(20),
    filters: z.array(Filter).max(20).default([]),
    sort: z
      .object({
        field: FieldRef.optional(),
        aggregation: Aggregation.optional(),
        direction: z.enum(["asc", "desc"]),
      })
      .strict()
      .optional()
      .describe("By one of the bindings (field + aggregation); absent field: the row count"),
    topN: z
      .object({ n: z.number().int().min(1).max(1000), other: z.boolean().default(false) })
      .strict()
      .optional()
      .describe("Keep the first n categories by the sort; other: fold the rest into one bucket"),
    comparison: z
      .object({ kind: z.literal("previousPeriod"), field: FieldRef, timeGrain: TimeGrain.optional() })
      .strict()
      .optional()
      .describe("KPI only: the latest period against the one before it"),
    bins: z.number().int().min(2).max(200).optional().describe("Histogram only: equal-width bins"),
    geo: z.enum(["us-state", "country", "us-county"]).optional().describe("Map only: what the regions are"),
    limit: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe("Raw rows (table, scatter): at most this many"),
    layout: Tile,
  })
  .strict();
export type Visual = z.infer<typeof Visual>;

export const Slicer = z
  .object({
    id: Id,
    field: FieldRef,
    kind: z.enum(["list", "dropdown", "range", "dateRange"]),
    multi: z.boolean().default(true),
    title: z.string().max(200).optional(),
    layout: Tile,
  })
  .strict();
export type Slicer = z.infer<typeof Slicer>;

export const Page = z
  .object({
    id: Id,
    title: z.string().min(1).max(200),
    filters: z.array(Filter).max(20).default([]),
    slicers: z.array(Slicer).max(20).default([]),
    visuals: z.array(Visual).max(40),
  })
  .strict();
export type Page = z.infer<typeof Page>;

export const PlanRelationship = z
  .object({ from: FieldRef, to: FieldRef })
  .strict()
  .describe("A join the plan uses: many side (from) to one side (to)");

export const GeneratedBy = z.union([
  z.literal("built-in"),
  z.object({ provider: z.string().min(1).max(100), model: z.string().min(1).max(200) }).strict(),
]);

export const DashboardPlan = z
  .object({
    version: z.literal(PLAN_VERSION),
    title: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    goal: z.string().max(2000).optional().describe("The user's words the plan answers"),
    generatedBy: GeneratedBy,
    fallback: z
      .object({ reason: z.string().min(1).max(2000) })
      .strict()
      .optional()
      .describe("Set when this plan stands in for the one asked for (e.g. the language model failed)"),
    relationships: z.array(PlanRelationship).max(50).default([]),
    pages: z.array(Page).min(1).max(20),
  })
  .strict()
  .meta({ id: "DashboardPlan" });
export type DashboardPlan = z.infer<typeof DashboardPlan>;
/** What a planner writes, before defaults are filled in. */
export type DashboardPlanInput = z.input<typeof DashboardPlan>;

/** The JSON Schema a language-model planner is asked to answer in. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(DashboardPlan, { io: "input" }) as Record<string, unknown>;
}
