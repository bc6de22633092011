import { type FormLayout, inputFieldsAt } from "@modelworks/model-kit";
import type { z } from "zod";

/**
 * The input form of a TIF deal in five tabs. tif@1, tif@2 and the analyses that nest the same
 * deal (comparison, matrix, solve, Monte Carlo) share it; each keeps the fields its own schema
 * has, so a version without a field simply does not list it.
 */
const TIF_SECTIONS: FormLayout["sections"] = [
  {
    id: "site",
    title: "Site & units",
    fields: [
      "scenario",
      "landCostUsd",
      "targetUnits",
      "constructionType",
      "affordableShare",
      "amiLevel",
      "marketRentPerNetSqftMonthlyUsd",
      "unitMix",
    ],
  },
  {
    id: "costs",
    title: "Costs",
    fields: [
      "hardCostPerUnitUsd",
      "softCostShareOfHard",
      "predevelopmentCostShareOfHard",
      "hardCostContingencyShare",
      "softCostContingencyShare",
      "developerFeeShareOfHard",
    ],
  },
  {
    id: "financing",
    title: "Financing",
    fields: [
      "constructionRateAnnual",
      "constructionLtc",
      "idcLeaseupMonths",
      "operatingReserveMonths",
      "leaseupReserveMonths",
      "permRateAnnual",
      "permAmortYears",
      "permLtvMax",
      "permDscrMin",
      "mezzanine",
      "preferredEquity",
    ],
  },
  {
    id: "incentives",
    title: "Incentives & TIF",
    fields: [
      "incentives",
      "selectedTier",
      "tifStartTiming",
      "existingAssessedValueUsd",
      "taxRatesPer100Usd",
      "tif",
    ],
  },
  {
    id: "operations",
    title: "Operations & exit",
    fields: [
      "predevelopmentStart",
      "predevelopmentMonths",
      "constructionMonths",
      "leaseupMonths",
      "operationsMonths",
      "vacancyRate",
      "leaseupPacePerMonth",
      "maxOccupancy",
      "opexUtilitiesPerUnitAnnualUsd",
      "opexMaintenancePerUnitAnnualUsd",
      "opexMiscPerUnitAnnualUsd",
      "managementFeeShareOfEgi",
      "reservesShareOfEgi",
      "marketRentGrowthAnnual",
      "affordableRentGrowthAnnual",
      "opexGrowthAnnual",
      "propertyTaxGrowthAnnual",
      "exitCapRate",
      "reversionNoiBasis",
      "sellingCostsShare",
      "npvDiscountRateAnnual",
      "mirr",
    ],
  },
];

/** The deal's tabs over `input` (or over its object at `at`, titled `title`, for the analyses). */
export function tifLayout(input: z.ZodType, nested?: { at: string; title: string }): FormLayout {
  const have = new Set(inputFieldsAt(input, nested?.at));
  return {
    ...(nested ?? {}),
    sections: TIF_SECTIONS.map((s) => ({ ...s, fields: s.fields.filter((f) => have.has(f)) })).filter(
      (s) => s.fields.length > 0,
    ),
  };
}
