/**
 * Per-model input layouts: which of the generated fields go in which tab. A layout only groups
 * and orders the fields the model's input schema has (the schema stays the single source); a
 * field no section names lands in "Other", so a new input field is never hidden.
 */
export interface FormLayout {
  /** Dotted path of the object the sections lay out ("" = the whole input, "project" for TIF analyses). */
  at: string;
  /** Title of that object's block when it is nested. */
  title?: string;
  sections: { id: string; title: string; fields: string[] }[];
}

// tif@1/tif@2's fields; the analyses (comparison, matrix, solve, Monte Carlo) nest the same deal.
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

const LAYOUTS: Record<string, FormLayout> = {
  tif: { at: "", sections: TIF_SECTIONS },
  "tif-comparison": { at: "project", title: "Project", sections: TIF_SECTIONS },
  "tif-incentive-matrix": { at: "project", title: "Project", sections: TIF_SECTIONS },
  "tif-solve": { at: "project", title: "Project", sections: TIF_SECTIONS },
  "tif-montecarlo": { at: "deal", title: "The deal", sections: TIF_SECTIONS },
};

export function formLayoutFor(modelId: string): FormLayout | undefined {
  return LAYOUTS[modelId];
}

/** The layout's sections over the keys an object actually has, plus "Other" for the rest. */
export function sectionsOver(layout: FormLayout, keys: string[]) {
  const have = new Set(keys);
  const named = new Set(layout.sections.flatMap((s) => s.fields));
  const sections = layout.sections
    .map((s) => ({ ...s, fields: s.fields.filter((f) => have.has(f)) }))
    .filter((s) => s.fields.length > 0);
  const rest = keys.filter((k) => !named.has(k));
  return rest.length ? [...sections, { id: "other", title: "Other", fields: rest }] : sections;
}
