/**
 * The input of the Power BI project writer: a semantic model (tables of typed columns read from
 * CSV/Parquet files shipped in the zip, measures, many-to-one relationships) and report pages of
 * positioned visuals bound to its fields. Deliberately close to what a dashboard plan holds, so
 * the plan maps onto it field for field; everything a plan could get wrong (a missing column, a
 * SUM of text, a visual off the page) is a field-level error here, before any file is written.
 */
import { z } from "zod";
import { checkReferences } from "./spec-checks.ts";
import { ROLES, VISUAL_KINDS } from "./visual-kinds.ts";
import { AGGREGATIONS, DATA_TYPES } from "./vocabulary.ts";

export * from "./vocabulary.ts";

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
    binWidth: z
      .number()
      // Within these bounds JavaScript prints the number without an exponent, as DAX reads it.
      .min(1e-6)
      .max(1e15)
      .optional()
      .describe("histogram: width of a bin, in X's units"),
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

export const ProjectShape = z
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
