import { z } from "zod";
import { listQuery, Name, page, Timestamp, Uuid } from "./common.ts";
import { STANDARD_SCHEMA_NAMES } from "./standard-schemas.ts";

export const ColumnProfileDto = z
  .object({
    name: z.string(),
    type: z.enum(["integer", "number", "boolean", "date", "datetime", "time", "string"]),
    pattern: z
      .enum(["percent", "currency", "email", "identifier"])
      .nullable()
      .describe("A pattern ≥ 90% of the non-empty text values share"),
    count: z.number().int().describe("Non-empty values"),
    missing: z.number().int(),
    missingPct: z.number().describe("Percent of rows with no value, 0–100"),
    distinct: z.number().int(),
    min: z.union([z.number(), z.string()]).nullable(),
    max: z.union([z.number(), z.string()]).nullable(),
    mean: z.number().nullable(),
    examples: z.array(z.union([z.string(), z.number(), z.boolean()])).describe("Up to 5 distinct values"),
  })
  .meta({ id: "ColumnProfile" });

export const FileDto = z
  .object({
    id: Uuid,
    name: z.string().describe("The uploaded file's name, reduced to its last path segment"),
    kind: z.enum(["csv", "xlsx"]),
    contentType: z.string(),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    rowCount: z.number().int(),
    columnCount: z.number().int(),
    layout: z
      .record(z.string(), z.unknown())
      .describe("How it was read: delimiter, encoding, bom, sheet, sheets, columns, renamedHeaders"),
    createdBy: Uuid.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "File" });

export const UploadQuery = z
  .object({
    sheet: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe("XLSX: sheet name or 1-based position; default the first"),
    delimiter: z
      .string()
      .min(1)
      .max(3)
      .refine((d) => !/["\r\n]/.test(d), "cannot be a quote or a line break")
      .optional()
      .describe("CSV: the field delimiter; sniffed when absent"),
  })
  .strict();

export const FileListQuery = listQuery(["createdAt", "name", "sizeBytes"], {
  kind: z.enum(["csv", "xlsx"]).optional(),
});
export const FilePage = page(FileDto);

export const ProfileDto = z.object({
  fileId: Uuid,
  rowCount: z.number().int(),
  columns: z.array(ColumnProfileDto),
});

export const RowsQuery = z
  .object({
    offset: z.coerce.number().int().min(0, "must be 0 or more").default(0),
    limit: z.coerce
      .number()
      .int()
      .min(1, "must be at least 1")
      .max(1000, "must be at most 1000")
      .default(100),
  })
  .strict();
export const RowsDto = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.unknown())),
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
});

/* Field mapping ------------------------------------------------------------------------------ */

export const ColumnMappingDto = z
  .object({
    target: z.string().min(1).max(100).describe("Column of the model's input table"),
    source: z
      .string()
      .max(300)
      .nullable()
      .describe("Column of the file; null to use `constant` or leave empty"),
    constant: z.union([z.string(), z.number(), z.boolean()]).optional(),
    cast: z.enum(["number", "integer", "string", "boolean"]).optional(),
    scale: z
      .number()
      .positive()
      .optional()
      .describe("Multiply numbers: 1000 for values in thousands, 0.01 for percent points into a fraction"),
    valueMap: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .optional()
      .describe('Replace whole values before the cast, e.g. {"Y": true, "N": false}'),
  })
  .strict()
  .meta({ id: "ColumnMapping" });

export const StandardSchemaName = z.enum(STANDARD_SCHEMA_NAMES, {
  message: `must be one of ${STANDARD_SCHEMA_NAMES.join(", ")}`,
});

/** What a file is mapped onto: a model's input table, or a named standard schema. */
const targetShape = {
  modelId: z.string().min(1).max(100).optional(),
  version: z.string().max(40).optional(),
  field: z.string().min(1).max(200).optional().describe("Input table of the model, e.g. `deals`"),
  schema: StandardSchemaName.optional().describe("A named standard schema instead of a model table"),
};
const oneTarget = (b: {
  modelId?: string | undefined;
  field?: string | undefined;
  schema?: string | undefined;
}) => (b.schema !== undefined ? b.modelId === undefined : b.modelId !== undefined && b.field !== undefined);
const oneTargetMessage = { message: "give modelId and field, or schema", path: ["modelId"] };

export const TargetRef = z.object(targetShape).strict().refine(oneTarget, oneTargetMessage);

export const TargetColumnDto = z.object({
  name: z.string(),
  type: z.enum(["number", "integer", "string", "boolean", "other"]),
  required: z.boolean(),
  enum: z.array(z.string()).nullable(),
  description: z.string().nullable(),
  minimum: z.number().nullable(),
  maximum: z.number().nullable(),
});

const TargetDto = {
  modelId: z.string().nullable(),
  modelVersion: z.string().nullable(),
  schema: z.string().nullable(),
  field: z.string(),
};

export const SuggestionsDto = z.object({
  ...TargetDto,
  columns: z.array(TargetColumnDto),
  suggestions: z.array(
    z.object({
      target: z.string(),
      source: z.string().nullable(),
      confidence: z.number().min(0).max(1),
      reasons: z.array(z.string()),
      mapping: ColumnMappingDto,
    }),
  ),
});

export const MapBody = z
  .object({
    ...targetShape,
    columns: z.array(ColumnMappingDto).max(200).optional().describe("The mapping; or give mappingId"),
    mappingId: Uuid.optional().describe("A saved mapping to apply"),
  })
  .strict()
  .refine(oneTarget, oneTargetMessage)
  .refine((b) => (b.columns === undefined) !== (b.mappingId === undefined), {
    message: "give either columns or mappingId",
    path: ["columns"],
  });

export const MapResultDto = z.object({
  ...TargetDto,
  valid: z.boolean().describe("True when every row passed the model's row schema"),
  rowCount: z.number().int(),
  validRowCount: z.number().int(),
  problemCount: z.number().int(),
  problems: z
    .array(z.object({ row: z.number().int().nullable(), column: z.string().nullable(), problem: z.string() }))
    .describe("At most 1000; `row` is the 1-based data row (the header not counted)"),
  rows: z
    .array(z.unknown())
    .describe("The rows that passed, ready to place at `field` of a scenario's input"),
});

export const FieldMappingDto = z
  .object({
    id: Uuid,
    name: z.string(),
    modelId: z.string().nullable(),
    schema: z.string().nullable(),
    field: z.string(),
    columns: z.array(ColumnMappingDto),
    createdBy: Uuid.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "FieldMapping" });

export const CreateFieldMappingBody = z
  .object({
    name: Name(120),
    modelId: targetShape.modelId,
    field: targetShape.field,
    schema: targetShape.schema,
    columns: z.array(ColumnMappingDto).min(1).max(200),
  })
  .strict()
  .refine(oneTarget, oneTargetMessage);
export const UpdateFieldMappingBody = z
  .object({ name: Name(120).optional(), columns: z.array(ColumnMappingDto).min(1).max(200).optional() })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), "give at least one field to change");
export const FieldMappingListQuery = listQuery(["createdAt", "name"], {
  modelId: z.string().max(100).optional(),
  schema: StandardSchemaName.optional(),
});
export const FieldMappingPage = page(FieldMappingDto);

export const TemplateParams = z
  .object({ id: z.string().min(1).max(100), field: z.string().min(1).max(200) })
  .strict();
export const TemplateQuery = z
  .object({
    version: z.string().max(40).optional(),
    examples: z.enum(["true", "false"]).default("false").describe("Include the model's example rows"),
  })
  .strict();

export const StandardSchemaDto = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  columns: z.array(TargetColumnDto),
});
