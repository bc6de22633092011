import { STANDARD_SCHEMA_NAMES, type StandardSchemaName } from "@modelworks/contracts/standard-schemas";
import { z } from "zod";
import { type InputTable, tableOf } from "./targets.ts";

/**
 * Named standard schemas: tables that do not belong to one model's input but that files are
 * mapped onto all the same (the mapping step of the response-model product, spec
 * response-model.md §C.6/C.8: a customer file mapped onto INDIVIDUALID, TARGET, RECENCY and the
 * appended demographic codes). Defined once in zod; columns, validation and templates follow.
 */
const letter = (range: string) =>
  z
    .string()
    .trim()
    .toUpperCase()
    .regex(new RegExp(`^[${range}]$`), `a code ${range.replace("-", " to ")}`);

const CustomerResponseRow = z
  .object({
    INDIVIDUALID: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe("the customer's id in the client's system"),
    TARGET: z
      .number()
      .int("0 or 1")
      .min(0, "0 (no response) or 1 (responded)")
      .max(1, "0 (no response) or 1 (responded)")
      .describe("1 when the customer responded"),
    RECENCY: z
      .number()
      .int("a band from 1 to 5")
      .min(1, "a band from 1 (most recent) to 5")
      .max(5, "a band from 1 (most recent) to 5")
      .optional()
      .describe("recency of last purchase, 1 = most recent"),
    GENDER: z.string().trim().max(10).optional(),
    AGE: z.string().trim().max(20).optional().describe("age band, e.g. 45-54"),
    HOMEOWNER: z.string().trim().max(10).optional(),
    PRES_KIDS: z.boolean().optional().describe("children present in the household"),
    HH_INCOME: letter("A-S").optional().describe("household income code, A highest"),
    HOME_VALUE: letter("A-S").optional().describe("home value code, A highest"),
    NET_WORTH: letter("A-I").optional().describe("net worth code, A highest"),
    CREDIT_RATING: letter("A-H").optional().describe("credit rating code, A best"),
  })
  .strict();

/**
 * One row per published post of a LinkedIn analytics export (content-intel feedback, issue 17):
 * the post as the export names it (its URN or URL) and its counts. Exports differ in their
 * headings ("Impressions", "Reactions", "Reposts"/"Shares"); the mapping step reconciles them.
 */
const LinkedInPostAnalyticsRow = z
  .object({
    POST: z.string().trim().min(1).max(500).describe("the post's URN (urn:li:share:…) or URL"),
    IMPRESSIONS: z.number().int("a whole number").min(1, "at least 1").describe("times the post was shown"),
    REACTIONS: z.number().int("a whole number").min(0, "0 or more"),
    COMMENTS: z.number().int("a whole number").min(0, "0 or more"),
    REPOSTS: z.number().int("a whole number").min(0, "0 or more").describe("reposts (shares)"),
  })
  .strict();

export const STANDARD_SCHEMAS = {
  "customer-response": {
    title: "Customer response file",
    description: "One row per customer: id, response flag, recency and appended demographic codes.",
    row: CustomerResponseRow,
  },
  "linkedin-post-analytics": {
    title: "LinkedIn post analytics export",
    description: "One row per published post: its URN or URL, impressions, reactions, comments, reposts.",
    row: LinkedInPostAnalyticsRow,
  },
} as const satisfies Record<StandardSchemaName, { title: string; description: string; row: z.ZodType }>;

export { STANDARD_SCHEMA_NAMES, type StandardSchemaName };

export function standardTable(name: StandardSchemaName): InputTable {
  const { row } = STANDARD_SCHEMAS[name];
  return tableOf(name, row, z.array(row).min(1, "give at least one row"));
}
