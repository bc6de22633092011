import type { AmiRentLimitsTable, TaxRateStackTable } from "./schema.ts";

/**
 * The tables shipped with the engine: the prototype's (src/models/lookups.py and the
 * `ProjectInputs.tax_rates` default; spec §2.1–2.2), "from spreadsheet v10c", which gives no
 * effective date. tif@1 always uses these (it must reproduce the prototype); tif@2 uses them when
 * the platform supplies nothing newer.
 */
export const PROTOTYPE_AMI_RENT_LIMITS: AmiRentLimitsTable = {
  dataset: "austin-ami-rent-limits",
  version: "prototype-v10c",
  effectiveDate: null,
  source: "Austin TIF prototype, src/models/lookups.py (from spreadsheet v10c)",
  rows: [
    { amiLevel: "30%", studio: 703, "1br": 703, "2br": 803, "3br": 903, "4br": 1003 },
    { amiLevel: "50%", studio: 1171, "1br": 1171, "2br": 1338, "3br": 1506, "4br": 1672 },
    { amiLevel: "60%", studio: 1405, "1br": 1405, "2br": 1606, "3br": 1807, "4br": 2007 },
    { amiLevel: "80%", studio: 1498, "1br": 1498, "2br": 1712, "3br": 1925, "4br": 2139 },
    { amiLevel: "100%", studio: 1823, "1br": 1823, "2br": 2085, "3br": 2345, "4br": 2605 },
  ],
};

export const PROTOTYPE_TAX_RATES: TaxRateStackTable = {
  dataset: "austin-tax-rates",
  version: "prototype-v10c",
  effectiveDate: null,
  source: "Austin TIF prototype, ProjectInputs.tax_rates default (from spreadsheet v10c)",
  rows: [
    { unit: "city", name: "City of Austin", ratePer100Usd: 0.574 },
    { unit: "county", name: "Travis County", ratePer100Usd: 0.3758 },
    { unit: "isd", name: "Austin ISD", ratePer100Usd: 0.9252 },
    { unit: "hospital", name: "Central Health (hospital district)", ratePer100Usd: 0.098 },
    { unit: "acc", name: "Austin Community College", ratePer100Usd: 0.1034 },
  ],
};
