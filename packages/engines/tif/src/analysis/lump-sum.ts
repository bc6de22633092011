/**
 * The prototype's standalone TIF lump-sum calculator (spec §2.5;
 * tif_calculator.calculate_tif_lump_sum_from_tier): the city's share of the tax increment,
 * capitalized at the tier's cap rate, with its build-up schedule. Exact to the prototype,
 * including the "real" column that divides the escalation back out (so it is n × the first
 * year's increment). Not wired into a deal here; analysis/scenarios.ts uses it to size the lump
 * sum a mixed-income package receives.
 */
import { defineModel, ModelInputError, moneyField } from "@modelworks/model-kit";
import { z } from "zod";
import { tablesFrom, taxRatesOf } from "../reference-data/index.ts";
import { TIF_INPUT_FIELDS } from "../schema.ts";
import { TIER_PROGRAM, type TierNumber } from "./tiers.ts";

export interface LumpSumArgs {
  newAssessedValueUsd: number;
  baseAssessedValueUsd: number;
  tier: TierNumber;
  affordableUnits: number;
  taxRatesPer100Usd: Record<string, number>;
  capRate?: number | null;
  termYears?: number | null;
  escalationAnnual?: number | null;
}

export interface LumpSumResult {
  newAssessedValueUsd: number;
  baseAssessedValueUsd: number;
  incrementalValueUsd: number;
  tier: TierNumber;
  termYears: number;
  escalationAnnual: number;
  capRate: number;
  cityRateDecimal: number;
  totalRateDecimal: number;
  annualCityIncrementUsd: number;
  annualTotalIncrementUsd: number;
  lumpSumUsd: number;
  affordableUnits: number;
  perAffordableUnitUsd: number;
  shareOfNewAssessedValue: number;
  schedule: {
    year: number;
    cityIncrementUsd: number;
    cumulativeNominalUsd: number;
    cumulativeRealUsd: number;
  }[];
}

/** Only the city takes part in the TIF (the prototype's `tif_participating_rate_decimal`). */
export function taxRates(rates: Record<string, number>): { city: number; total: number } {
  let sum = 0;
  for (const r of Object.values(rates)) sum += r;
  return { city: (rates.city ?? 0) / 100, total: sum / 100 };
}

export function tifLumpSum(a: LumpSumArgs): LumpSumResult {
  const tier = TIER_PROGRAM[a.tier];
  const capRate = a.capRate ?? tier.tifCapRate;
  const termYears = a.termYears ?? tier.tifTermYears;
  const escalation = a.escalationAnnual ?? tier.tifEscalationAnnual;
  const increment = Math.max(0, a.newAssessedValueUsd - a.baseAssessedValueUsd);
  const rates = taxRates(a.taxRatesPer100Usd);
  const annualCity = increment * rates.city;
  const lump = capRate > 0 ? annualCity / capRate : 0;
  // Same operation order as the prototype, so the schedule agrees to the last bit.
  const schedule: LumpSumResult["schedule"] = [];
  let nominal = 0;
  let real = 0;
  for (let year = 1; year <= termYears; year++) {
    const yearIncrement = annualCity * (1 + escalation) ** (year - 1);
    nominal += yearIncrement;
    real += yearIncrement / (1 + escalation) ** (year - 1);
    schedule.push({
      year,
      cityIncrementUsd: yearIncrement,
      cumulativeNominalUsd: nominal,
      cumulativeRealUsd: real,
    });
  }
  return {
    newAssessedValueUsd: a.newAssessedValueUsd,
    baseAssessedValueUsd: a.baseAssessedValueUsd,
    incrementalValueUsd: increment,
    tier: a.tier,
    termYears,
    escalationAnnual: escalation,
    capRate,
    cityRateDecimal: rates.city,
    totalRateDecimal: rates.total,
    annualCityIncrementUsd: annualCity,
    annualTotalIncrementUsd: increment * rates.total,
    lumpSumUsd: lump,
    affordableUnits: a.affordableUnits,
    perAffordableUnitUsd: a.affordableUnits > 0 ? lump / a.affordableUnits : 0,
    shareOfNewAssessedValue: a.newAssessedValueUsd > 0 ? lump / a.newAssessedValueUsd : 0,
    schedule,
  };
}

const tierField = z.union([z.literal(1), z.literal(2), z.literal(3)]);

export const TifLumpSumInput = z
  .object({
    newAssessedValueUsd: moneyField("the assessed value")
      .default(63_002_662.49)
      .describe("assessed value after development, $ (the prototype uses the TDC)"),
    baseAssessedValueUsd: moneyField("the assessed value")
      .default(5_000_000)
      .describe("assessed value before development (the TIF base), $"),
    tier: tierField.default(2),
    affordableUnits: z
      .number()
      .int("must be a whole number of units")
      .min(0, "cannot be negative")
      .max(100_000, "at most 100,000 units")
      .default(40)
      .describe("for the per-affordable-unit figure only"),
    taxRatesPer100Usd: TIF_INPUT_FIELDS.taxRatesPer100Usd
      .unwrap()
      .optional()
      .describe(
        "$ per $100 of assessed value, by taxing unit; only city takes part. Omitted: the austin-tax-rates " +
          "reference table (the edition the platform resolved, else the shipped one)",
      ),
    capRate: z
      .number()
      .gt(0, "must be more than 0")
      .lt(1, "must be below 100% (give 0.095 for 9.5%)")
      .nullable()
      .default(null)
      .describe("null = the tier's (9.5%)"),
    termYears: z
      .number()
      .int("must be whole years")
      .min(1, "must be at least 1 year")
      .max(100, "at most 100 years")
      .nullable()
      .default(null)
      .describe("null = the tier's (20 / 15 / 10)"),
    escalationAnnual: z
      .number()
      .gt(-1, "must be above −100%")
      .lt(1, "must be below 100% (give 0.02 for 2%)")
      .nullable()
      .default(null)
      .describe("null = the tier's (0% / 2% / 4%); drives the build-up schedule only"),
  })
  .strict();
export type TifLumpSumInput = z.output<typeof TifLumpSumInput>;

export const TifLumpSumOutput = z.object({
  newAssessedValueUsd: z.number(),
  baseAssessedValueUsd: z.number(),
  incrementalValueUsd: z.number(),
  tier: z.number().int(),
  termYears: z.number().int(),
  escalationAnnual: z.number(),
  capRate: z.number(),
  cityRateDecimal: z.number().describe("the TIF-participating (city) rate, fraction of assessed value"),
  totalRateDecimal: z.number(),
  annualCityIncrementUsd: z.number(),
  annualTotalIncrementUsd: z.number(),
  lumpSumUsd: z.number().describe("annual city increment / cap rate"),
  affordableUnits: z.number().int(),
  perAffordableUnitUsd: z.number(),
  shareOfNewAssessedValue: z.number().describe("lump sum / new assessed value (the UI's '% of TDC')"),
  schedule: z.array(
    z.object({
      year: z.number().int(),
      cityIncrementUsd: z.number(),
      cumulativeNominalUsd: z.number(),
      cumulativeRealUsd: z.number(),
    }),
  ),
});
export type TifLumpSumOutput = z.output<typeof TifLumpSumOutput>;

/** The prototype's keyword arguments → input (override_* are the tier overrides). */
const PrototypeArgs = z.object({
  new_assessed_value: z.unknown().optional(),
  base_assessed_value: z.unknown().optional(),
  tier: z.unknown().optional(),
  affordable_units: z.unknown().optional(),
  tax_rates: z.unknown().optional(),
  override_cap_rate: z.unknown().optional(),
  override_term_years: z.unknown().optional(),
  override_escalation_rate: z.unknown().optional(),
});

function fromPrototypeArgs(raw: unknown): unknown {
  const r = PrototypeArgs.strict().safeParse(raw);
  if (!r.success)
    throw new ModelInputError(
      r.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message })),
      "This is not calculate_tif_lump_sum_from_tier's arguments.",
    );
  const a = r.data;
  const tier = typeof a.tier === "string" ? Number(a.tier.replace(/^\D+/, "")) : a.tier;
  const out: Record<string, unknown> = {
    newAssessedValueUsd: a.new_assessed_value,
    baseAssessedValueUsd: a.base_assessed_value,
    tier,
    affordableUnits: a.affordable_units,
    taxRatesPer100Usd: a.tax_rates,
    capRate: a.override_cap_rate,
    termYears: a.override_term_years,
    escalationAnnual: a.override_escalation_rate,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** The result under the prototype's TIFCalculationResult names (year keys as JSON writes them). */
export function toPrototypeLumpSum(o: TifLumpSumOutput) {
  const byYear = (pick: (r: TifLumpSumOutput["schedule"][number]) => number) =>
    Object.fromEntries(o.schedule.map((r) => [String(r.year), pick(r)]));
  return {
    new_assessed_value: o.newAssessedValueUsd,
    base_assessed_value: o.baseAssessedValueUsd,
    incremental_value: o.incrementalValueUsd,
    tier: o.tier,
    tif_params: { term_years: o.termYears, rate: o.escalationAnnual, cap_rate: o.capRate },
    city_rate_decimal: o.cityRateDecimal,
    total_rate_decimal: o.totalRateDecimal,
    annual_city_increment: o.annualCityIncrementUsd,
    annual_total_increment: o.annualTotalIncrementUsd,
    tif_lump_sum: o.lumpSumUsd,
    affordable_units: o.affordableUnits,
    per_affordable_unit: o.perAffordableUnitUsd,
    buildup_schedule_nominal: byYear((r) => r.cumulativeNominalUsd),
    buildup_schedule_real: byYear((r) => r.cumulativeRealUsd),
  };
}

const usd = (key: string, title: string) => ({
  key,
  title,
  unit: "USD",
  format: "currency" as const,
  decimals: 2,
});

export const tifLumpSumModel = defineModel({
  id: "tif-lump-sum",
  version: "1.1.0",
  keyResult: { path: "lumpSumUsd", title: "TIF lump sum", unit: "USD", format: "currency", decimals: 0 },
  title: "Austin TIF lump-sum calculator",
  summary:
    "The city's share of the tax increment capitalized at the tier's cap rate (the prototype's " +
    "calculate_tif_lump_sum_from_tier, exact), per affordable unit, with the increment's build-up schedule.",
  input: TifLumpSumInput,
  output: TifLumpSumOutput,
  formats: {
    prototype: {
      title:
        "calculate_tif_lump_sum_from_tier's keyword arguments (snake_case) in, its TIFCalculationResult out",
      toInput: fromPrototypeArgs,
      fromOutput: (o) => toPrototypeLumpSum(o),
    },
  },
  examples: [
    {
      name: "defaults-tier-2",
      title: "The prototype's default deal (TDC 63,002,662.49 on a 5M base), tier 2, 40 affordable units",
      input: { newAssessedValueUsd: 63_002_662.490295455, baseAssessedValueUsd: 5_000_000, tier: 2 },
    },
  ],
  tables: [
    {
      name: "build-up",
      title: "TIF increment build-up by year",
      rows: "schedule",
      columns: [
        { key: "year", title: "Year", format: "integer" },
        usd("cityIncrementUsd", "City increment (escalated)"),
        usd("cumulativeNominalUsd", "Cumulative, nominal"),
        usd("cumulativeRealUsd", "Cumulative, real"),
      ],
    },
  ],
  charts: [
    {
      name: "build-up",
      title: "Cumulative city increment: nominal vs real",
      kind: "line",
      table: "build-up",
      x: "year",
      y: ["cumulativeNominalUsd", "cumulativeRealUsd"],
    },
  ],
  data: ["austinTaxRates"],
  run(input, ctx) {
    ctx.progress(0, "calculating");
    const rates = input.taxRatesPer100Usd ?? taxRatesOf(tablesFrom(ctx.data).tax);
    const out = tifLumpSum({ ...input, taxRatesPer100Usd: rates });
    ctx.progress(1, "done");
    return out;
  },
});
