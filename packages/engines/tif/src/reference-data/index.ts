/**
 * The tif engine's reference data: AMI rent limits and the Austin tax-rate stack, as versioned
 * tables read through `ctx.data` (supplied by the platform) with the shipped editions as fallback.
 */
import type { DataConnectors, ReferenceDataset } from "@modelworks/model-kit";
import { z } from "zod";
import type { AMI_LEVELS, UNIT_TYPES } from "../schema.ts";
import { AmiRentLimitsTable, TaxRateStackTable } from "./schema.ts";
import { PROTOTYPE_AMI_RENT_LIMITS, PROTOTYPE_TAX_RATES } from "./shipped.ts";

export * from "./ref.ts";
export * from "./schema.ts";
export * from "./shipped.ts";

declare module "@modelworks/model-kit" {
  interface DataConnectors {
    austinAmiRentLimits: AmiRentLimitsTable;
    austinTaxRates: TaxRateStackTable;
  }
}

export const TIF_REFERENCE_DATASETS: readonly ReferenceDataset[] = [
  {
    connector: "austinAmiRentLimits",
    dataset: "austin-ami-rent-limits",
    title: "Austin affordable rent limits by AMI level and unit type ($/unit/month)",
    schema: AmiRentLimitsTable,
    shipped: PROTOTYPE_AMI_RENT_LIMITS,
  } satisfies ReferenceDataset<"austinAmiRentLimits">,
  {
    connector: "austinTaxRates",
    dataset: "austin-tax-rates",
    title: "Austin property-tax rate stack ($ per $100 of assessed value, by taxing unit)",
    schema: TaxRateStackTable,
    shipped: PROTOTYPE_TAX_RATES,
  } satisfies ReferenceDataset<"austinTaxRates">,
] as readonly ReferenceDataset[];

export interface ReferenceTables {
  ami: AmiRentLimitsTable;
  tax: TaxRateStackTable;
}

/** tif@1's tables, always: it must reproduce the prototype. */
export const PROTOTYPE_TABLES: ReferenceTables = { ami: PROTOTYPE_AMI_RENT_LIMITS, tax: PROTOTYPE_TAX_RATES };

/**
 * The tables a run uses: what the platform put in `ctx.data`, else the shipped edition. The
 * platform validated them already; parsing again costs microseconds and keeps the engine from
 * computing on a malformed table when called some other way (a defect, hence an error).
 */
export function tablesFrom(data: Partial<DataConnectors>): ReferenceTables {
  const check = <T>(schema: z.ZodType<T>, value: unknown, name: string): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new Error(`Reference data ${name} is invalid: ${z.prettifyError(r.error)}`);
    return r.data;
  };
  return {
    ami:
      data.austinAmiRentLimits === undefined
        ? PROTOTYPE_AMI_RENT_LIMITS
        : check(AmiRentLimitsTable, data.austinAmiRentLimits, "austinAmiRentLimits"),
    tax:
      data.austinTaxRates === undefined
        ? PROTOTYPE_TAX_RATES
        : check(TaxRateStackTable, data.austinTaxRates, "austinTaxRates"),
  };
}

export type AmiLimits = Record<(typeof AMI_LEVELS)[number], Record<(typeof UNIT_TYPES)[number], number>>;

/** The AMI table as the lookup the unit allocation uses: limits[level][unitType]. */
export function amiLimitsOf(t: AmiRentLimitsTable): AmiLimits {
  const out: Record<string, Record<string, number>> = {};
  for (const { amiLevel, ...byType } of t.rows) out[amiLevel] = byType;
  return out as AmiLimits;
}

/** The tax stack as the input's `taxRatesPer100Usd` (row order kept: it is the summation order). */
export function taxRatesOf(t: TaxRateStackTable): Record<string, number> {
  return Object.fromEntries(t.rows.map((r) => [r.unit, r.ratePer100Usd]));
}
