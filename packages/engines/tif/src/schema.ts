import { areaField, moneyField, recordField } from "@modelworks/model-kit";
import { z } from "zod";
import { DatasetRef } from "./reference-data/ref.ts";

/**
 * Input of tif@1: the prototype's `ProjectInputs` plus `calculate_deal`'s keyword arguments and
 * the scenario, under camelCase names that carry their unit. Defaults are the prototype's
 * (`ProjectInputs` defaults, spec §2.1). Fractions are decimals: 0.05 = 5%.
 *
 * Validation happens before any computation (issue 4, "Bad input"): zero or negative units,
 * unit-mix shares that do not add up to 1, rates of 100% or more, phases of length 0 where the
 * model needs them, and non-finite numbers are field-level errors.
 */

/** Money: 0 … $1e12 (model-kit's realistic bound; issue 19). */
const money = (what: string) => moneyField(what);
const months = (min: number, what: string) =>
  z
    .number()
    .int("must be a whole number of months")
    .min(min, min === 0 ? `${what} cannot be negative` : `${what} must be at least ${min} month`)
    .max(600, "at most 600 months");
/** A rate or share in [0, 1): "rates ≥ 100%" are errors. */
const rate = () => z.number().min(0, "cannot be negative").lt(1, "must be below 100% (give 0.05 for 5%)");
/** A share in [0, 1] (occupancy, LTV, a TIF share). */
const share = () => z.number().min(0, "cannot be negative").max(1, "cannot exceed 100% (give 0.5 for 50%)");
/** An annual growth rate: above −100%, below 100%. */
const growth = () => z.number().gt(-1, "must be above −100%").lt(1, "must be below 100% (give 0.02 for 2%)");

export const UNIT_TYPES = ["studio", "1br", "2br", "3br", "4br"] as const;
export const AMI_LEVELS = ["30%", "50%", "60%", "80%", "100%"] as const;
export const CONSTRUCTION_TYPES = [
  "garden",
  "small_courtyard",
  "corridor",
  "podium_midrise_5over1",
  "wrap",
  "highrise",
] as const;

export const UnitTypeInput = z
  .object({
    unitType: z.enum(UNIT_TYPES),
    grossSqft: areaField(),
    allocationShare: share().describe("share of target units, fraction"),
    netSqft: z
      .number()
      .min(0, "cannot be negative")
      .max(1e9, "must be at most 1,000,000,000")
      .default(0)
      .describe("net rentable sq ft; 0 = int(grossSqft × 0.82)"),
    rentPerNetSqftMonthlyUsd: money("rent")
      .default(0)
      .describe("$/NSF/month; 0 = marketRentPerNetSqftMonthlyUsd"),
    marketRentMonthlyUsd: money("rent").default(0).describe("$/unit/month; 0 = netSqft × rent per NSF"),
    amiTier: z
      .enum(["", ...AMI_LEVELS])
      .default("")
      .describe("AMI level of this type's affordable units; '' = amiLevel"),
  })
  .strict();

/** Complete (zod 4 returns a `.default` value as is, without applying inner defaults). */
const DEFAULT_UNIT_MIX: z.output<typeof UnitTypeInput>[] = [
  {
    unitType: "studio",
    grossSqft: 600,
    allocationShare: 0.12,
    netSqft: 510,
    rentPerNetSqftMonthlyUsd: 3.5,
    marketRentMonthlyUsd: 0,
    amiTier: "",
  },
  {
    unitType: "1br",
    grossSqft: 750,
    allocationShare: 0.25,
    netSqft: 638,
    rentPerNetSqftMonthlyUsd: 3.5,
    marketRentMonthlyUsd: 0,
    amiTier: "",
  },
  {
    unitType: "2br",
    grossSqft: 900,
    allocationShare: 0.45,
    netSqft: 765,
    rentPerNetSqftMonthlyUsd: 3.4,
    marketRentMonthlyUsd: 0,
    amiTier: "",
  },
  {
    unitType: "3br",
    grossSqft: 1150,
    allocationShare: 0.15,
    netSqft: 978,
    rentPerNetSqftMonthlyUsd: 3.3,
    marketRentMonthlyUsd: 0,
    amiTier: "",
  },
  {
    unitType: "4br",
    grossSqft: 1450,
    allocationShare: 0.03,
    netSqft: 1233,
    rentPerNetSqftMonthlyUsd: 3.2,
    marketRentMonthlyUsd: 0,
    amiTier: "",
  },
];

/** The fields of tif@1's input (tif@2 reuses them, minus the ones it removes, plus its own). */
export const TIF_INPUT_FIELDS = {
  scenario: z.enum(["market", "mixed_income"]).default("market"),

  // Timing
  predevelopmentStart: z.iso.date().default("2026-01-01").describe("labels the periods only"),
  predevelopmentMonths: months(1, "predevelopment").default(18),
  constructionMonths: months(1, "construction").default(24),
  leaseupMonths: months(0, "lease-up").default(12),
  operationsMonths: months(1, "operations").default(12),

  // Land and construction
  landCostUsd: money("land cost").default(3_000_000),
  targetUnits: z
    .number()
    .int("must be a whole number of units")
    .positive("must be at least 1 unit")
    .max(100_000, "at most 100,000 units")
    .default(200),
  hardCostPerUnitUsd: money("hard cost").default(175_000),
  softCostShareOfHard: z.number().min(0, "cannot be negative").max(5).default(0.3),
  predevelopmentCostShareOfHard: z.number().min(0, "cannot be negative").max(5).default(0.0972),
  hardCostContingencyShare: rate().default(0.05),
  softCostContingencyShare: rate().default(0.05),
  developerFeeShareOfHard: rate().default(0.04),
  constructionType: z.enum(CONSTRUCTION_TYPES).default("podium_midrise_5over1").describe("not used by tif@1"),

  // Revenue
  unitMix: z.array(UnitTypeInput).min(1, "give at least one unit type").max(20).default(DEFAULT_UNIT_MIX),
  marketRentPerNetSqftMonthlyUsd: money("rent").default(2.5),
  vacancyRate: rate().default(0.06).describe("used only in permanent-loan sizing"),
  leaseupPacePerMonth: z
    .number()
    .positive("must be more than 0")
    .max(1, "cannot exceed 100% per month")
    .default(0.08),
  maxOccupancy: share().default(0.94),

  // Operating expenses
  opexUtilitiesPerUnitAnnualUsd: money("opex").default(1200),
  opexMaintenancePerUnitAnnualUsd: money("opex").default(1500),
  opexMiscPerUnitAnnualUsd: money("opex").default(650),
  managementFeeShareOfEgi: rate().default(0.05),
  reservesShareOfEgi: rate().default(0.02),

  // Escalations (annual)
  marketRentGrowthAnnual: growth().default(0.02),
  affordableRentGrowthAnnual: growth().default(0.01),
  opexGrowthAnnual: growth().default(0.03),
  propertyTaxGrowthAnnual: growth().default(0.01),

  // Construction financing
  constructionRateAnnual: rate().default(0.075),
  constructionLtc: share().default(0.65),
  idcLeaseupMonths: months(0, "IDC lease-up").default(4).describe("not used by tif@1 (legacy engine only)"),
  operatingReserveMonths: z.number().min(0, "cannot be negative").max(120).default(3),
  leaseupReserveMonths: z.number().min(0, "cannot be negative").max(120).default(6),

  // Permanent financing
  permRateAnnual: rate().default(0.06),
  permAmortYears: z.number().int("must be whole years").min(1, "must be at least 1 year").max(50).default(20),
  permLtvMax: share().default(0.65),
  // Lower bounds found by the fuzz suite (issue 19): 1e-308 is "more than 0", and NOI / DSCR or
  // NOI / cap rate overflowed to ∞ — an invalid result instead of a field error.
  permDscrMin: z
    .number()
    .positive({ error: "must be more than 0", abort: true })
    .min(0.01, "at least 0.01")
    .max(10)
    .default(1.25),

  // Property tax
  existingAssessedValueUsd: money("assessed value").default(5_000_000),
  taxRatesPer100Usd: recordField(
    z.string().min(1).max(80),
    z.number().min(0, "cannot be negative").lt(100, "must be below $100 per $100 (100%)"),
    50,
  )
    .refine((r) => "city" in r, { message: 'must include "city" (the TIF rate)' })
    .default({ city: 0.574, county: 0.3758, isd: 0.9252, hospital: 0.098, acc: 0.1034 })
    .describe("$ per $100 of assessed value, by taxing unit; only city takes part in the TIF"),

  // Exit
  exitCapRate: z
    .number()
    .positive({ error: "must be more than 0", abort: true })
    .min(0.001, "at least 0.1% (give 0.055 for 5.5%)")
    .lt(1, "must be below 100%")
    .default(0.055),
  reversionNoiBasis: z
    .enum(["forward", "trailing"])
    .default("forward")
    .describe("tif@1 always uses forward (the prototype never applies trailing)"),
  sellingCostsShare: rate().default(0.02),

  // Affordability
  selectedTier: z
    .union([z.literal(1), z.literal(2), z.literal(3)])
    .default(2)
    .describe("not used by tif@1"),
  affordableShare: share().default(0.2).describe("share of units that are affordable (mixed income only)"),
  amiLevel: z.enum(AMI_LEVELS).default("50%"),
  tifStartTiming: z.enum(["operations", "leaseup"]).default("operations"),

  // calculate_deal keyword arguments
  tif: z
    .object({
      treatment: z.enum(["none", "lump_sum", "abatement", "stream"]).default("none"),
      lumpSumUsd: money("lump sum").default(0),
      abatementShare: share().default(0),
      abatementYears: z.number().int().min(0, "cannot be negative").max(100).default(0),
      streamShare: share().default(0),
      streamYears: z.number().int().min(0, "cannot be negative").max(100).default(0),
      startDelayMonths: z
        .number()
        .int()
        .min(-600)
        .max(600)
        .nullable()
        .default(null)
        .describe("null = −leaseupMonths for 'leaseup' timing, 0 for 'operations'"),
    })
    .strict()
    .default({
      treatment: "none",
      lumpSumUsd: 0,
      abatementShare: 0,
      abatementYears: 0,
      streamShare: 0,
      streamYears: 0,
      startDelayMonths: null,
    }),
  mezzanine: z
    .object({ amountUsd: money("amount").default(0), rateAnnual: rate().default(0.12) })
    .strict()
    .default({ amountUsd: 0, rateAnnual: 0.12 }),
  preferredEquity: z
    .object({ amountUsd: money("amount").default(0), returnAnnual: rate().default(0.1) })
    .strict()
    .default({ amountUsd: 0, returnAnnual: 0.1 }),

  /** The sidebar NPV's discount rate (the prototype's slider: 5–25%, default 15%). */
  npvDiscountRateAnnual: rate().default(0.15),
};

/** Cross-field checks of the unit mix: shares add up to 1, no type twice. */
export function checkUnitMix(
  v: { unitMix: { unitType: string; allocationShare: number }[] },
  ctx: z.RefinementCtx,
): void {
  const sum = v.unitMix.reduce((s, u) => s + u.allocationShare, 0);
  if (Math.abs(sum - 1) > 1e-6) {
    ctx.addIssue({
      code: "custom",
      path: ["unitMix"],
      message: `allocation shares must add up to 1 (100%); they add up to ${+sum.toFixed(6)}`,
    });
  }
  const seen = new Set<string>();
  v.unitMix.forEach((u, i) => {
    if (seen.has(u.unitType))
      ctx.addIssue({
        code: "custom",
        path: ["unitMix", i, "unitType"],
        message: `${u.unitType} appears twice`,
      });
    seen.add(u.unitType);
  });
}

export const TifInput = z.object(TIF_INPUT_FIELDS).strict().superRefine(checkUnitMix);

export type TifInput = z.output<typeof TifInput>;
export type TifInputRaw = z.input<typeof TifInput>;
/** What the calculation modules read: tif@1's input without the fields the prototype ignores. */
export type CoreInput = Omit<TifInput, "idcLeaseupMonths" | "selectedTier" | "constructionType">;

/** The 26 per-period series of the prototype, fixture name → output row key. */
export const SERIES = {
  levered_cf: "leveredCf",
  unlevered_cf: "unleveredCf",
  adjusted_unlevered_cf_for_irr: "adjustedUnleveredCfForIrr",
  adjusted_levered_cf_for_irr: "adjustedLeveredCfForIrr",
  tdc_draw: "tdcDraw",
  equity_draw: "equityDraw",
  const_debt_draw: "constDebtDraw",
  const_debt_interest: "constDebtInterest",
  const_debt_eop: "constDebtEop",
  const_debt_net_cf: "constDebtNetCf",
  occupancy: "occupancy",
  gpr: "gpr",
  egi: "egi",
  mgmt_fee: "mgmtFee",
  opex_ex_taxes: "opexExTaxes",
  property_taxes_net: "propertyTaxesNet",
  tif_reimbursement: "tifReimbursement",
  tif_abatement: "tifAbatement",
  noi: "noi",
  replacement_reserves: "replacementReserves",
  reversion: "reversion",
  perm_pmt: "permPmt",
  perm_interest: "permInterest",
  perm_eop: "permEop",
  perm_net_cf: "permNetCf",
  escalation_year: "escalationYear",
} as const;
export type SeriesKey = (typeof SERIES)[keyof typeof SERIES];

export const PHASES = ["predevelopment", "construction", "leaseup", "operations", "reversion"] as const;

export const PeriodRow = z.object({
  period: z.number().int(),
  month: z.string(),
  phase: z.enum(PHASES),
  ...(Object.fromEntries(Object.values(SERIES).map((k) => [k, z.number()])) as Record<
    SeriesKey,
    z.ZodNumber
  >),
});
export type PeriodRow = z.output<typeof PeriodRow>;

const irrField = z
  .number()
  .nullable()
  .describe("annualized, (1 + monthly)^12 − 1; null when no IRR exists (never reported as 0)");

export const TifOutput = z.object({
  scenario: z.enum(["market", "mixed_income"]),
  units: z.object({
    totalUnits: z.number().int(),
    affordableUnits: z.number().int(),
    gprMarketMonthlyUsd: z.number(),
    gprAffordableMonthlyUsd: z.number(),
    gprTotalAnnualUsd: z.number(),
    allocation: z.array(
      z.object({
        unitType: z.enum(UNIT_TYPES),
        grossSqft: z.number(),
        netSqft: z.number(),
        totalUnits: z.number().int(),
        marketUnits: z.number().int(),
        affordableUnits: z.number().int(),
        marketRentMonthlyUsd: z.number(),
        affordableRentMonthlyUsd: z.number(),
        amiTier: z.string(),
      }),
    ),
  }),
  sourcesUses: z.object({
    landUsd: z.number(),
    hardCostsInclContingencyUsd: z.number(),
    softCostsInclReservesPredevDevFeeUsd: z.number(),
    softCostShareEffective: z.number(),
    reservesUsd: z.number(),
    idcUsd: z.number(),
    tdcUsd: z.number(),
    constructionLoanUsd: z.number(),
    equityUsd: z.number(),
    hardCostContingencyUsd: z.number().describe("display only"),
    softCostContingencyUsd: z.number().describe("display only"),
    predevelopmentCostsUsd: z.number().describe("display only"),
    developerFeeUsd: z.number().describe("display only"),
    idcIterations: z.number().int(),
  }),
  permanentLoan: z.object({
    fundedUsd: z.number(),
    sizingMaxUsd: z.number(),
    ltvAmountUsd: z.number(),
    dscrAmountUsd: z.number(),
    bindingConstraint: z.enum(["LTV", "DSCR", "LTC", "CAP"]),
    monthlyPaymentUsd: z.number(),
    stabilizedNoiForSizingUsd: z.number(),
    stabilizedValueForLtvUsd: z.number(),
    constructionPayoffAtConversionUsd: z.number(),
  }),
  returns: z.object({
    leveredIrr: irrField,
    unleveredIrr: irrField,
    leveredIrrMonthlyRoots: z
      .array(z.number())
      .describe("every real monthly root; the IRR is the one nearest 0"),
    unleveredIrrMonthlyRoots: z.array(z.number()),
    tifLumpSumAppliedUsd: z.number(),
    equityMultiple: z.number().nullable(),
    npvLeveredUsd: z.number(),
    npvDiscountRateAnnual: z.number(),
  }),
  metrics: z.object({
    noiAnnualUsd: z.number().describe("first operations month × 12"),
    yieldOnCost: z.number(),
    equityRequiredUsd: z.number(),
    debtAmountUsd: z.number().describe("the construction loan (the prototype shows it as 'Perm Loan')"),
  }),
  totals: z.object({
    totalEquityInvestedUsd: z.number(),
    totalNoiUsd: z.number(),
    totalDebtServiceUsd: z.number(),
    reversionValueNetUsd: z.number(),
  }),
  phaseEnds: z.object({
    predevelopmentEnd: z.number().int(),
    constructionEnd: z.number().int(),
    leaseupEnd: z.number().int(),
    operationsEnd: z.number().int(),
    totalPeriods: z.number().int(),
  }),
  periods: z.array(PeriodRow),
  referenceData: z
    .array(DatasetRef)
    .describe("the reference tables this run read (AMI rent limits, tax rates), by edition"),
});
export type TifOutput = z.output<typeof TifOutput>;
