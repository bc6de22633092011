/**
 * The golden cases' inputs, in the prototype's format (../shared/fixtures/tif/golden_cases.json,
 * upstream HewwoWewwow/1bedrock@7487e90). Converted by fromPrototypeCase into the model's examples.
 * Every case is the prototype's `ProjectInputs()` defaults plus its own differences, written once
 * here; test/examples.test.ts holds them deep-equal to the fixture.
 */
import type { PrototypeCase } from "./prototype.ts";

type GoldenCase = PrototypeCase & { name: string; description: string };
type UnitType = "studio" | "1br" | "2br" | "3br" | "4br";

/** One unit type of the mix; rents are per net square foot and month, USD. */
const unit = (unit_type: UnitType, gsf: number, allocation: number, nsf: number, rent_psf: number) => ({
  unit_type,
  gsf,
  allocation,
  nsf,
  rent_psf,
  market_rent_monthly: 0.0,
  ami_tier: "",
});

/** `ProjectInputs()` defaults. A function, so no two cases share a nested object. */
const defaults = () => ({
  predevelopment_start: "2026-01-01",
  predevelopment_months: 18,
  construction_months: 24,
  leaseup_months: 12,
  operations_months: 12,
  land_cost: 3000000.0,
  target_units: 200,
  hard_cost_per_unit: 175000,
  soft_cost_pct: 0.3,
  predevelopment_cost_pct: 0.0972,
  hard_cost_contingency_pct: 0.05,
  soft_cost_contingency_pct: 0.05,
  developer_fee_pct: 0.04,
  construction_type: "podium_midrise_5over1",
  unit_mix: {
    studio: unit("studio", 600, 0.12, 510, 3.5),
    "1br": unit("1br", 750, 0.25, 638, 3.5),
    "2br": unit("2br", 900, 0.45, 765, 3.4),
    "3br": unit("3br", 1150, 0.15, 978, 3.3),
    "4br": unit("4br", 1450, 0.03, 1233, 3.2),
  },
  market_rent_psf: 2.5,
  vacancy_rate: 0.06,
  leaseup_pace: 0.08,
  max_occupancy: 0.94,
  opex_utilities: 1200.0,
  opex_management_pct: 0.05,
  opex_maintenance: 1500.0,
  opex_misc: 650.0,
  reserves_pct: 0.02,
  market_rent_growth: 0.02,
  affordable_rent_growth: 0.01,
  opex_growth: 0.03,
  property_tax_growth: 0.01,
  construction_rate: 0.075,
  construction_ltc: 0.65,
  idc_leaseup_months: 4,
  operating_reserve_months: 3,
  leaseup_reserve_months: 6,
  perm_rate: 0.06,
  perm_amort_years: 20,
  perm_ltv_max: 0.65,
  perm_dscr_min: 1.25,
  existing_assessed_value: 5000000.0,
  tax_rates: { city: 0.574, county: 0.3758, isd: 0.9252, hospital: 0.098, acc: 0.1034 },
  exit_cap_rate: 0.055,
  reversion_noi_basis: "forward",
  selling_costs_pct: 0.02,
  selected_tier: 2,
  affordable_pct: 0.2,
  ami_level: "50%",
  incentive_config: null,
  tif_start_timing: "operations",
});

export const GOLDEN_CASE_INPUTS: GoldenCase[] = [
  {
    name: "spec_fixture_market",
    description: "tests/fixtures get_spec_test_inputs(); Scenario.MARKET; no TIF",
    scenario: "market",
    calculate_deal_kwargs: {},
    inputs: {
      ...defaults(),
      // The spec fixture: cheaper hard costs, rents from market_rent_psf (no per-type nsf/rent),
      // faster tax growth and a larger existing assessed value.
      hard_cost_per_unit: 155000,
      unit_mix: {
        studio: unit("studio", 600, 0.12, 0, 0.0),
        "1br": unit("1br", 750, 0.25, 0, 0.0),
        "2br": unit("2br", 900, 0.45, 0, 0.0),
        "3br": unit("3br", 1150, 0.15, 0, 0.0),
        "4br": unit("4br", 1450, 0.03, 0, 0.0),
      },
      property_tax_growth: 0.02,
      existing_assessed_value: 50000000,
    },
  },
  {
    name: "defaults_market",
    description: "ProjectInputs() defaults; Scenario.MARKET; no TIF",
    scenario: "market",
    calculate_deal_kwargs: {},
    inputs: defaults(),
  },
  {
    name: "defaults_mixed_tif_lump_sum",
    description:
      "ProjectInputs() defaults; MIXED_INCOME; tif_treatment='lump_sum', tif_lump_sum = (market TDC - 5,000,000) * 0.00574 / 0.095 = 3504581.92",
    scenario: "mixed_income",
    calculate_deal_kwargs: { tif_treatment: "lump_sum", tif_lump_sum: 3504581.923097851 },
    inputs: defaults(),
  },
  {
    name: "defaults_mixed_tif_stream_operations",
    description:
      "ProjectInputs() defaults; MIXED_INCOME; tif_treatment='stream', 100% of city increment for 15 yrs; tif_start_timing=OPERATIONS (delay 0)",
    scenario: "mixed_income",
    calculate_deal_kwargs: { tif_treatment: "stream", tif_stream_pct: 1.0, tif_stream_years: 15 },
    inputs: defaults(),
  },
];

/**
 * The examples as the catalogue names them, in an analyst's words (issue 18 item 12); each
 * case's `description` keeps the prototype's fixture language for the golden tests.
 */
export const EXAMPLE_TITLES: Record<string, string> = {
  spec_fixture_market:
    "Market-rate deal on the specification's test inputs ($155,000 hard cost per unit, $50M assessed value), no TIF",
  defaults_market: "Market-rate deal with the default Austin inputs, no TIF",
  defaults_mixed_tif_lump_sum: "Mixed-income deal with a TIF lump sum of $3,504,582 (default Austin inputs)",
  defaults_mixed_tif_stream_operations:
    "Mixed-income deal with 100% of the city's tax increment for 15 years from operations (default Austin inputs)",
};

/** The catalogue title of a golden case. */
export const exampleTitle = (c: { name: string; description: string }) =>
  EXAMPLE_TITLES[c.name] ?? c.description;
