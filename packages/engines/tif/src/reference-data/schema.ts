import { z } from "zod";
import { AMI_LEVELS, UNIT_TYPES } from "../schema.ts";
import type { DatasetRef } from "./ref.ts";

/**
 * Reference data as versioned tables: the same schemas validate the tables shipped with the
 * engine, payloads fetched from an upstream source by the server, and what reaches the engine
 * through `ctx.data` — so a table the engine reads has always passed the same checks.
 */

const header = {
  version: z.string().min(1).max(100).describe("the publisher's edition, e.g. 'FY2025-HUD'"),
  effectiveDate: z.iso
    .date()
    .nullable()
    .describe("first day the values apply (YYYY-MM-DD); null when the publisher gives none"),
  source: z.string().min(1).max(500).describe("who published the values, and where"),
};

const rentUsd = z
  .number()
  .positive("must be more than 0")
  .max(100_000, "must be a monthly rent in $ (at most 100,000)");

export const AmiRentLimitRow = z
  .object({
    amiLevel: z.string().regex(/^\d{1,3}%$/, "must look like '50%'"),
    ...Object.fromEntries(UNIT_TYPES.map((t) => [t, rentUsd])),
  } as { amiLevel: z.ZodString } & Record<(typeof UNIT_TYPES)[number], typeof rentUsd>)
  .strict();

/** Monthly rent limits ($/unit/month) by AMI level and unit type. */
export const AmiRentLimitsTable = z
  .object({
    dataset: z.literal("austin-ami-rent-limits"),
    ...header,
    rows: z.array(AmiRentLimitRow).min(1).max(50),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.rows.forEach((r, i) => {
      if (seen.has(r.amiLevel))
        ctx.addIssue({
          code: "custom",
          path: ["rows", i, "amiLevel"],
          message: `${r.amiLevel} appears twice`,
        });
      seen.add(r.amiLevel);
    });
    // The engine's inputs name these levels: a table without one of them cannot serve every input.
    for (const level of AMI_LEVELS)
      if (!seen.has(level))
        ctx.addIssue({ code: "custom", path: ["rows"], message: `has no row for AMI level ${level}` });
  });
export type AmiRentLimitsTable = z.output<typeof AmiRentLimitsTable>;

export const TaxRateRow = z
  .object({
    unit: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, "lower-case identifier, e.g. 'city'")
      .describe("taxing unit; 'city' is the rate that takes part in the TIF"),
    name: z.string().min(1).max(200),
    ratePer100Usd: z
      .number()
      .min(0, "cannot be negative")
      .lt(100, "must be below $100 per $100 (100%)")
      .describe("$ per $100 of assessed value"),
  })
  .strict();

/** The property-tax rates levied on an Austin parcel, one row per taxing unit. */
export const TaxRateStackTable = z
  .object({
    dataset: z.literal("austin-tax-rates"),
    ...header,
    rows: z.array(TaxRateRow).min(1).max(50),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.rows.forEach((r, i) => {
      if (seen.has(r.unit))
        ctx.addIssue({ code: "custom", path: ["rows", i, "unit"], message: `${r.unit} appears twice` });
      seen.add(r.unit);
    });
    if (!seen.has("city"))
      ctx.addIssue({ code: "custom", path: ["rows"], message: 'has no "city" row (the TIF rate)' });
  });
export type TaxRateStackTable = z.output<typeof TaxRateStackTable>;

export const refOf = (t: AmiRentLimitsTable | TaxRateStackTable): DatasetRef => ({
  dataset: t.dataset,
  version: t.version,
  effectiveDate: t.effectiveDate,
  source: t.source,
});
