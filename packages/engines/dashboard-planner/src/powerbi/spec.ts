/**
 * The input of the Power BI project writer: a semantic model (tables of typed columns read from
 * CSV/Parquet files shipped in the zip, measures, many-to-one relationships) and report pages of
 * positioned visuals bound to its fields. Deliberately close to what a dashboard plan holds, so
 * the plan maps onto it field for field; everything a plan could get wrong (a missing column, a
 * SUM of text, a visual off the page) is a field-level error here, before any file is written.
 */
import { z } from "zod";
import { KIND_RULES, ROLES, type Role, VISUAL_KINDS } from "./visual-kinds.ts";

export const DATA_TYPES = ["string", "int64", "double", "decimal", "boolean", "dateTime"] as const;
export type PowerBiDataType = (typeof DATA_TYPES)[number];
export const NUMERIC_TYPES: readonly PowerBiDataType[] = ["int64", "double", "decimal"];

export const AGGREGATIONS = ["sum", "average", "min", "max", "count", "distinctcount", "median"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Names of model objects, pages and visuals: Power BI compares them case-insensitively. */
const Name = z
  .string()
  .min(1)
  .max(120)
  .refine((s) => s === s.trim(), "no leading or trailing whitespace")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "no control characters (tabs, line breaks)");

export const PowerBiColumn = z
  .object({
    name: Name,
    dataType: z.enum(DATA_TYPES),
    sourceColumn: z.string().min(1).max(250).optional().describe("header in the data file; defaults to name"),
    summarizeBy: z
      .enum(["none", "sum", "average", "min", "max", "count", "distinctCount"])
      .optional()
      .describe("default aggregation in visuals; defaults to sum for numbers, none otherwise"),
    formatString: z.string().max(100).optional().describe('e.g. "#,0", "0.0%", "yyyy-mm-dd"'),
    dataCategory: z
      .enum([
        "Address",
        "City",
        "Continent",
        "Country",
        "County",
        "Latitude",
        "Longitude",
        "Place",
        "PostalCode",
        "StateOrProvince",
        "WebUrl",
        "ImageUrl",
      ])
      .optional()
      .describe("geography or link role, so maps geocode the column"),
    isHidden: z.boolean().optional(),
  })
  .strict();
export type PowerBiColumn = z.output<typeof PowerBiColumn>;

export const PowerBiTable = z
  .object({
    name: Name,
    fileName: z
      .string()
      .max(120)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*\.(csv|parquet)$/i, "a plain .csv or .parquet file name")
      .describe("the table's data file in the project's data folder"),
    description: z.string().max(1000).optional(),
    columns: z.array(PowerBiColumn).min(1).max(500),
  })
  .strict();
export type PowerBiTable = z.output<typeof PowerBiTable>;

export const PowerBiMeasure = z
  .object({
    name: Name,
    table: Name.describe("the table the measure lives in and aggregates"),
    column: Name,
    aggregation: z.enum(AGGREGATIONS),
    formatString: z.string().max(100).optional(),
    description: z.string().max(1000).optional(),
  })
  .strict();
export type PowerBiMeasure = z.output<typeof PowerBiMeasure>;

export const ColumnRef = z.object({ table: Name, column: Name }).strict();
export type ColumnRef = z.output<typeof ColumnRef>;
export const MeasureRef = z.object({ measure: Name }).strict();
export type MeasureRef = z.output<typeof MeasureRef>;
export const FieldRef = z.union([ColumnRef, MeasureRef]);
export type FieldRef = z.output<typeof FieldRef>;

export const PowerBiRelationship = z
  .object({
    from: ColumnRef.describe("the many side (fact table's key)"),
    to: ColumnRef.describe("the one side (dimension's unique key)"),
  })
  .strict();
export type PowerBiRelationship = z.output<typeof PowerBiRelationship>;

/** Keep the rows whose column holds one of the values (ISO 8601 text for dates). */
export const CategoricalFilter = z
  .object({
    column: ColumnRef,
    values: z
      .array(z.union([z.string().max(500), z.number().finite(), z.boolean()]))
      .min(1)
      .max(1000),
  })
  .strict();
export type CategoricalFilter = z.output<typeof CategoricalFilter>;

const Px = z.number().finite().min(0).max(10_000);

export const PowerBiVisual = z
  .object({
    id: z.string().min(1).max(200).optional().describe("stable id from the plan; names the visual folder"),
    kind: z.enum(VISUAL_KINDS),
    title: z.string().max(250).optional(),
    xPx: Px,
    yPx: Px,
    widthPx: Px.positive(),
    heightPx: Px.positive(),
    bindings: z
      .object(Object.fromEntries(ROLES.map((r) => [r, z.array(FieldRef).min(1).max(30).optional()])))
      .strict()
      .describe("fields per role: Category, Series, Y, X, Size, Values, Rows, Columns, Location"),
    sort: z
      .object({ by: FieldRef, direction: z.enum(["ascending", "descending"]) })
      .strict()
      .optional(),
    topN: z
      .object({
        count: z.number().int().min(1).max(1000),
        by: MeasureRef,
        direction: z.enum(["top", "bottom"]).default("top"),
      })
      .strict()
      .optional()
      .describe("keep the first N members of the ranked column (Category, Rows or Location) by a measure"),
    binWidth: z.number().finite().positive().optional().describe("histogram: width of a bin, in X's units"),
    slicerMode: z.enum(["dropdown", "list", "between"]).optional(),
    filters: z.array(CategoricalFilter).max(20).default([]),
  })
  .strict();
export type PowerBiVisual = z.output<typeof PowerBiVisual>;
export type PowerBiVisualInput = z.input<typeof PowerBiVisual>;

export const PowerBiPage = z
  .object({
    id: z.string().min(1).max(200).optional().describe("stable id from the plan; names the page folder"),
    name: Name.describe("the page tab's display name"),
    widthPx: z.number().int().min(100).max(10_000).default(1280),
    heightPx: z.number().int().min(100).max(10_000).default(720),
    visuals: z.array(PowerBiVisual).max(60),
    filters: z.array(CategoricalFilter).max(20).default([]),
  })
  .strict();
export type PowerBiPage = z.output<typeof PowerBiPage>;

const ProjectShape = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9 _-]{0,79}$/,
        "letters, digits, spaces, _ and - (it names files and folders)",
      )
      .refine((s) => s === s.trim(), "no trailing whitespace"),
    tables: z.array(PowerBiTable).min(1).max(50),
    measures: z.array(PowerBiMeasure).max(500).default([]),
    relationships: z.array(PowerBiRelationship).max(100).default([]),
    pages: z.array(PowerBiPage).min(1).max(50),
    dataFolder: z
      .string()
      .max(400)
      .optional()
      .describe("initial value of the DataFolder parameter: where the user unzips the data folder"),
  })
  .strict();
export const PowerBiProjectSpec = ProjectShape.superRefine(checkReferences);
export type PowerBiProjectSpec = z.output<typeof PowerBiProjectSpec>;
export type PowerBiProjectSpecInput = z.input<typeof PowerBiProjectSpec>;

/** The column a histogram bins into: one per (table, column, bin width). */
export function binColumnName(column: string, binWidth: number): string {
  return `${column} (bins of ${binWidth})`;
}

type Ctx = z.RefinementCtx;
type Path = (string | number)[];
const fold = (s: string) => s.toLowerCase();

function checkReferences(s: z.output<typeof ProjectShape>, ctx: Ctx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: "custom", path, message });
  const tables = new Map<string, PowerBiTable>();
  const files = new Set<string>();
  s.tables.forEach((t, ti) => {
    if (tables.has(fold(t.name))) issue(["tables", ti, "name"], `duplicate table "${t.name}"`);
    else tables.set(fold(t.name), t);
    if (files.has(fold(t.fileName))) issue(["tables", ti, "fileName"], `file "${t.fileName}" is used twice`);
    files.add(fold(t.fileName));
    const names = new Set<string>();
    const sources = new Set<string>();
    t.columns.forEach((c, ci) => {
      const path = ["tables", ti, "columns", ci];
      if (names.has(fold(c.name))) issue([...path, "name"], `duplicate column "${c.name}" in "${t.name}"`);
      names.add(fold(c.name));
      const source = c.sourceColumn ?? c.name;
      if (sources.has(source)) issue([...path, "sourceColumn"], `file column "${source}" is read twice`);
      sources.add(source);
      const numeric = NUMERIC_TYPES.includes(c.dataType);
      const by = c.summarizeBy;
      if ((by === "sum" || by === "average") && !numeric)
        issue([...path, "summarizeBy"], `cannot ${by} a ${c.dataType} column`);
      if ((by === "min" || by === "max") && !numeric && c.dataType !== "dateTime")
        issue([...path, "summarizeBy"], `cannot take the ${by} of a ${c.dataType} column`);
    });
  });
  const columnOf = (ref: ColumnRef, path: Path) => {
    const table = tables.get(fold(ref.table));
    if (!table) return issue([...path, "table"], `no table "${ref.table}"`);
    const column = table.columns.find((c) => fold(c.name) === fold(ref.column));
    if (!column) issue([...path, "column"], `no column "${ref.column}" in "${table.name}"`);
    return column;
  };

  const measures = new Map<string, PowerBiMeasure>();
  s.measures.forEach((m, mi) => {
    const path = ["measures", mi];
    if (measures.has(fold(m.name))) issue([...path, "name"], `duplicate measure "${m.name}"`);
    else measures.set(fold(m.name), m);
    const table = tables.get(fold(m.table));
    if (table?.columns.some((c) => fold(c.name) === fold(m.name)))
      issue([...path, "name"], `measure "${m.name}" has the name of a column of "${table.name}"`);
    const column = columnOf({ table: m.table, column: m.column }, path);
    if (!column) return;
    const numeric = NUMERIC_TYPES.includes(column.dataType);
    if (["sum", "average", "median"].includes(m.aggregation) && !numeric)
      issue(
        [...path, "aggregation"],
        `cannot ${m.aggregation} the ${column.dataType} column "${column.name}"`,
      );
    if (["min", "max"].includes(m.aggregation) && !numeric && column.dataType !== "dateTime")
      issue(
        [...path, "aggregation"],
        `cannot take the ${m.aggregation} of the ${column.dataType} column "${column.name}"`,
      );
  });

  const pairs = new Set<string>();
  s.relationships.forEach((r, ri) => {
    const path = ["relationships", ri];
    const from = columnOf(r.from, [...path, "from"]);
    const to = columnOf(r.to, [...path, "to"]);
    if (fold(r.from.table) === fold(r.to.table)) issue(path, "a relationship joins two different tables");
    if (from && to && from.dataType !== to.dataType)
      issue(
        path,
        `key types differ: ${r.from.table}.${from.name} is ${from.dataType}, ${r.to.table}.${to.name} is ${to.dataType}`,
      );
    const pair = [fold(r.from.table), fold(r.to.table)].sort().join("\u0000");
    if (pairs.has(pair)) issue(path, `a second relationship between "${r.from.table}" and "${r.to.table}"`);
    pairs.add(pair);
  });

  const fieldOf = (
    ref: FieldRef,
    path: Path,
  ): { kind: "column"; column: PowerBiColumn } | { kind: "measure" } | undefined => {
    if ("measure" in ref) {
      if (measures.has(fold(ref.measure))) return { kind: "measure" };
      issue([...path, "measure"], `no measure "${ref.measure}"`);
      return undefined;
    }
    const column = columnOf(ref, path);
    return column ? { kind: "column", column } : undefined;
  };
  const checkFilter = (f: CategoricalFilter, path: Path) => {
    const column = columnOf(f.column, [...path, "column"]);
    if (!column) return;
    f.values.forEach((v, vi) => {
      const ok =
        column.dataType === "boolean"
          ? typeof v === "boolean"
          : NUMERIC_TYPES.includes(column.dataType)
            ? typeof v === "number" && (column.dataType !== "int64" || Number.isInteger(v))
            : column.dataType === "dateTime"
              ? typeof v === "string" && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(v)
              : typeof v === "string";
      if (!ok) issue([...path, "values", vi], `${JSON.stringify(v)} is not a ${column.dataType} value`);
    });
  };

  const pageNames = new Set<string>();
  s.pages.forEach((page, pi) => {
    const pagePath = ["pages", pi];
    if (pageNames.has(fold(page.name))) issue([...pagePath, "name"], `duplicate page "${page.name}"`);
    pageNames.add(fold(page.name));
    page.filters.forEach((f, fi) => {
      checkFilter(f, [...pagePath, "filters", fi]);
    });
    const visualIds = new Set<string>();
    page.visuals.forEach((v, vi) => {
      const path = [...pagePath, "visuals", vi];
      if (v.id !== undefined) {
        if (visualIds.has(v.id))
          issue([...path, "id"], `duplicate visual id "${v.id}" on page "${page.name}"`);
        visualIds.add(v.id);
      }
      if (v.xPx + v.widthPx > page.widthPx)
        issue([...path, "widthPx"], `the visual ends past the page's right edge (${page.widthPx} px)`);
      if (v.yPx + v.heightPx > page.heightPx)
        issue([...path, "heightPx"], `the visual ends below the page's bottom edge (${page.heightPx} px)`);
      const rule = KIND_RULES[v.kind];
      const bindings = v.bindings as Partial<Record<Role, FieldRef[]>>;
      const bound: FieldRef[] = [];
      for (const role of ROLES) {
        const fields = bindings[role] ?? [];
        const roleRule = rule.roles[role];
        if (!roleRule) {
          if (fields.length) issue([...path, "bindings", role], `a ${v.kind} has no ${role} role`);
          continue;
        }
        if (fields.length < roleRule.min)
          issue([...path, "bindings", role], `a ${v.kind} needs ${roleRule.min} ${role} field(s)`);
        if (fields.length > roleRule.max)
          issue([...path, "bindings", role], `a ${v.kind} takes at most ${roleRule.max} ${role} field(s)`);
        fields.forEach((ref, fi) => {
          const fieldPath = [...path, "bindings", role, fi];
          const field = fieldOf(ref, fieldPath);
          if (field && roleRule.accepts !== "any" && field.kind !== roleRule.accepts)
            issue(fieldPath, `${role} of a ${v.kind} takes a ${roleRule.accepts}`);
          bound.push(ref);
        });
      }
      if (rule.roles.Series && bindings.Series?.length && (bindings.Y?.length ?? 0) > 1)
        issue(
          [...path, "bindings", "Series"],
          "a legend (Series) splits one measure: bind a single Y measure",
        );
      if (v.kind === "histogram") {
        if (v.binWidth === undefined) issue([...path, "binWidth"], "a histogram needs a bin width");
        const x = bindings.X?.[0];
        const column =
          x && "column" in x
            ? tables.get(fold(x.table))?.columns.find((c) => fold(c.name) === fold(x.column))
            : undefined;
        if (column && !NUMERIC_TYPES.includes(column.dataType))
          issue([...path, "bindings", "X", 0], "a histogram bins a numeric column");
        const table = x && "column" in x ? tables.get(fold(x.table)) : undefined;
        if (table && column && v.binWidth !== undefined) {
          const binName = binColumnName(column.name, v.binWidth);
          if (table.columns.some((c) => fold(c.name) === fold(binName)))
            issue([...path, "binWidth"], `"${binName}" is already a column of "${table.name}"`);
        }
      } else if (v.binWidth !== undefined) issue([...path, "binWidth"], "only a histogram has a bin width");
      if (v.slicerMode !== undefined && v.kind !== "slicer")
        issue([...path, "slicerMode"], "only a slicer has a mode");
      if (v.kind === "slicer" && v.slicerMode === "between") {
        const ref = bindings.Values?.[0];
        const column =
          ref && "column" in ref
            ? tables.get(fold(ref.table))?.columns.find((c) => fold(c.name) === fold(ref.column))
            : undefined;
        if (column && !NUMERIC_TYPES.includes(column.dataType) && column.dataType !== "dateTime")
          issue([...path, "slicerMode"], "a between slicer needs a number or date column");
      }
      if (v.sort) {
        const same = (a: FieldRef, b: FieldRef) =>
          "measure" in a
            ? "measure" in b && fold(a.measure) === fold(b.measure)
            : "column" in b && fold(a.table) === fold(b.table) && fold(a.column) === fold(b.column);
        if (!bound.some((f) => same(f, v.sort!.by)))
          issue([...path, "sort", "by"], "a visual sorts by one of its own fields");
        if (v.kind === "histogram" || v.kind === "card" || v.kind === "slicer")
          issue([...path, "sort"], `a ${v.kind} keeps its own order`);
      }
      if (v.topN) {
        if (!rule.rankedRole) issue([...path, "topN"], `a ${v.kind} has no column to rank`);
        fieldOf(v.topN.by, [...path, "topN", "by"]);
      }
      v.filters.forEach((f, fi) => {
        checkFilter(f, [...path, "filters", fi]);
      });
    });
  });
}
