/**
 * The prototype's case format → tif@1 input. A case is `{ scenario, inputs, calculate_deal_kwargs }`
 * with snake_case names, as the golden fixture stores it (and as the importer of issue 4 item 8
 * will accept it). Pure: no validation here beyond shape; the model's schema validates the result.
 */
import { issuesOf, ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import type { TifInputRaw } from "./schema.ts";

/**
 * The envelope of a prototype case. Only its shape is checked here (so a stray document is
 * refused instead of running on defaults); the fields inside are validated by the model's schema.
 */
const PrototypeCaseDocument = z.object({
  scenario: z.string().optional(),
  inputs: z.record(z.string(), z.unknown(), {
    message: "must be an object of the prototype's ProjectInputs",
  }),
  calculate_deal_kwargs: z.record(z.string(), z.unknown()).optional(),
});

/** Reads a document as a prototype case, or throws ModelInputError naming what is wrong. */
export function parsePrototypeCase(raw: unknown): PrototypeCase {
  const r = PrototypeCaseDocument.safeParse(raw);
  if (!r.success)
    throw new ModelInputError(
      issuesOf(r.error),
      "This is not a prototype case { scenario, inputs, calculate_deal_kwargs }.",
    );
  return r.data;
}

export interface PrototypeUnitType {
  unit_type: string;
  gsf: number;
  allocation: number;
  nsf?: number;
  rent_psf?: number;
  market_rent_monthly?: number;
  ami_tier?: string;
}

export interface PrototypeCase {
  scenario?: string;
  inputs: Record<string, unknown>;
  calculate_deal_kwargs?: Record<string, unknown>;
}

/** ProjectInputs field → TifInput field, for the plain scalar fields. */
const SCALARS: Record<string, keyof TifInputRaw> = {
  predevelopment_start: "predevelopmentStart",
  predevelopment_months: "predevelopmentMonths",
  construction_months: "constructionMonths",
  leaseup_months: "leaseupMonths",
  operations_months: "operationsMonths",
  land_cost: "landCostUsd",
  target_units: "targetUnits",
  hard_cost_per_unit: "hardCostPerUnitUsd",
  soft_cost_pct: "softCostShareOfHard",
  predevelopment_cost_pct: "predevelopmentCostShareOfHard",
  hard_cost_contingency_pct: "hardCostContingencyShare",
  soft_cost_contingency_pct: "softCostContingencyShare",
  developer_fee_pct: "developerFeeShareOfHard",
  construction_type: "constructionType",
  market_rent_psf: "marketRentPerNetSqftMonthlyUsd",
  vacancy_rate: "vacancyRate",
  leaseup_pace: "leaseupPacePerMonth",
  max_occupancy: "maxOccupancy",
  opex_utilities: "opexUtilitiesPerUnitAnnualUsd",
  opex_maintenance: "opexMaintenancePerUnitAnnualUsd",
  opex_misc: "opexMiscPerUnitAnnualUsd",
  opex_management_pct: "managementFeeShareOfEgi",
  reserves_pct: "reservesShareOfEgi",
  market_rent_growth: "marketRentGrowthAnnual",
  affordable_rent_growth: "affordableRentGrowthAnnual",
  opex_growth: "opexGrowthAnnual",
  property_tax_growth: "propertyTaxGrowthAnnual",
  construction_rate: "constructionRateAnnual",
  construction_ltc: "constructionLtc",
  idc_leaseup_months: "idcLeaseupMonths",
  operating_reserve_months: "operatingReserveMonths",
  leaseup_reserve_months: "leaseupReserveMonths",
  perm_rate: "permRateAnnual",
  perm_amort_years: "permAmortYears",
  perm_ltv_max: "permLtvMax",
  perm_dscr_min: "permDscrMin",
  existing_assessed_value: "existingAssessedValueUsd",
  tax_rates: "taxRatesPer100Usd",
  exit_cap_rate: "exitCapRate",
  reversion_noi_basis: "reversionNoiBasis",
  selling_costs_pct: "sellingCostsShare",
  selected_tier: "selectedTier",
  affordable_pct: "affordableShare",
  ami_level: "amiLevel",
  tif_start_timing: "tifStartTiming",
};

/** Enum values as Python prints them (`Scenario.MIXED_INCOME`, `TIFStartTiming.LEASEUP`) → ours. */
function enumValue(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const s = v.includes(".") && /^[A-Za-z]+\.[A-Z_0-9]+$/.test(v) ? v.split(".")[1]! : v;
  return s.toLowerCase();
}

export function fromPrototypeCase(c: PrototypeCase): TifInputRaw {
  const out: Record<string, unknown> = {};
  if (c.scenario !== undefined) out.scenario = enumValue(c.scenario);
  for (const [key, value] of Object.entries(c.inputs ?? {})) {
    if (value === null || value === undefined) continue; // e.g. incentive_config: None (unused)
    const target = SCALARS[key];
    if (target) {
      out[target] =
        key === "construction_type" || key === "reversion_noi_basis" || key === "tif_start_timing"
          ? enumValue(value)
          : value;
    } else if (key === "unit_mix") {
      const entries = Array.isArray(value)
        ? (value as PrototypeUnitType[])
        : Object.entries(value as Record<string, PrototypeUnitType>).map(([k, u]) => ({
            ...u,
            unit_type: u.unit_type ?? k,
          }));
      out.unitMix = entries.map((u) => ({
        unitType: enumValue(u.unit_type),
        grossSqft: u.gsf,
        allocationShare: u.allocation,
        netSqft: u.nsf ?? 0,
        rentPerNetSqftMonthlyUsd: u.rent_psf ?? 0,
        marketRentMonthlyUsd: u.market_rent_monthly ?? 0,
        amiTier: u.ami_tier ?? "",
      }));
    } else if (key !== "incentive_config") {
      // Unknown fields are passed through under their own name: the strict schema then names them.
      out[key] = value;
    }
  }
  const kw = c.calculate_deal_kwargs ?? {};
  const tif: Record<string, unknown> = {};
  const kwMap: Record<string, string> = {
    tif_treatment: "treatment",
    tif_lump_sum: "lumpSumUsd",
    tif_abatement_pct: "abatementShare",
    tif_abatement_years: "abatementYears",
    tif_stream_pct: "streamShare",
    tif_stream_years: "streamYears",
    tif_start_delay_months: "startDelayMonths",
  };
  const mezz: Record<string, unknown> = {};
  const pref: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kw)) {
    if (key in kwMap) tif[kwMap[key]!] = key === "tif_treatment" ? enumValue(value) : value;
    else if (key === "mezzanine_amount") mezz.amountUsd = value;
    else if (key === "mezzanine_rate") mezz.rateAnnual = value;
    else if (key === "preferred_amount") pref.amountUsd = value;
    else if (key === "preferred_return") pref.returnAnnual = value;
    else out[key] = value;
  }
  if (Object.keys(tif).length > 0) out.tif = tif;
  if (Object.keys(mezz).length > 0) out.mezzanine = mezz;
  if (Object.keys(pref).length > 0) out.preferredEquity = pref;
  return out as TifInputRaw;
}
