import { z } from "zod";
import { ERROR_CODE_NAMES } from "./errors.ts";

/** RFC 9457 problem details, the body of every error response. */
export const FieldError = z.object({
  path: z.string().describe("Where the problem is, e.g. `body.email` or `query.limit`"),
  message: z.string(),
});
export const Problem = z
  .object({
    type: z.string().describe("URI of the problem type: `/api/v1/problems/<code>`, which documents the code"),
    code: z
      .enum(ERROR_CODE_NAMES)
      .describe("Stable error code (see the error catalogue); clients branch on it"),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string(),
    errors: z.array(FieldError).optional().describe("Field-level validation errors"),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;

export const Uuid = z.uuid({ message: "must be a UUID" });
export const Timestamp = z.iso.datetime({ offset: true }).describe("ISO 8601 date-time");

/** Human-entered names: trimmed, not blank, no control characters. */
export const Name = (max = 120) =>
  z
    .string()
    .trim()
    .min(1, "must not be blank")
    .max(max, `must be at most ${max} characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");

export const Email = z
  .email({ message: "must be a valid email address" })
  .max(254, "must be at most 254 characters")
  .transform((v) => v.toLowerCase());

export const IdParams = z.object({ id: Uuid }).strict();

/**
 * Query string for every list endpoint: offset pagination (so tables can show totals), one
 * sort field with `-` for descending, and the resource's own filters.
 */
export function listQuery<Sort extends string, F extends z.ZodRawShape>(
  sortFields: readonly [Sort, ...Sort[]],
  filters: F,
) {
  const sortValues = sortFields.flatMap((f) => [f, `-${f}`]) as [string, ...string[]];
  return z
    .object({
      limit: z.coerce.number().int().min(1, "must be at least 1").max(100, "must be at most 100").default(20),
      offset: z.coerce.number().int().min(0, "must be 0 or more").max(1_000_000).default(0),
      sort: z
        .enum(sortValues, { message: `must be one of ${sortValues.join(", ")}` })
        .default(`-${sortFields[0]}`),
      ...filters,
    })
    .strict();
}

export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().describe("Items matching the filters, across all pages"),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

/** Splits `-createdAt` into the column name and direction. */
export function parseSort<S extends string>(sort: string): { field: S; descending: boolean } {
  return sort.startsWith("-")
    ? { field: sort.slice(1) as S, descending: true }
    : { field: sort as S, descending: false };
}
