import type { ModelExample } from "@modelworks/model-kit";
import { prototypeToInput } from "./prototype.ts";
import type { LeasingMixInputRaw } from "./schema.ts";

/** A 240-unit tower, 36 units vacant, four lease packages with demand limits and rent-free months. */
const tower: LeasingMixInputRaw = {
  currency: "AED",
  inventory: { unitsTotal: 240, vacantNow: 36 },
  inPlaceLeases: [
    { id: "legacy-short", units: 120, rentPerUnitAnnual: 78_000, remainingTermMonths: 14 },
    { id: "mid", units: 60, rentPerUnitAnnual: 82_000, remainingTermMonths: 30 },
    { id: "anchor", units: 24, rentPerUnitAnnual: 90_000, remainingTermMonths: 48 },
  ],
  packages: [
    {
      id: "flex-12",
      name: "Flex 12 months",
      termMonths: 12,
      rentPerUnitAnnual: 76_000,
      incentivePerUnit: 2_000,
      demandUnits: 20,
    },
    {
      id: "standard-24",
      name: "Standard 24 months",
      termMonths: 24,
      rentPerUnitAnnual: 80_000,
      incentivePerUnit: 6_000,
      rentFreeMonths: 1,
      demandUnits: 18,
    },
    {
      id: "anchor-36",
      name: "Anchor 36 months",
      termMonths: 36,
      rentPerUnitAnnual: 84_000,
      incentivePerUnit: 12_000,
      rentFreeMonths: 2,
      demandUnits: 12,
    },
    {
      id: "long-60",
      name: "Long 60 months",
      termMonths: 60,
      rentPerUnitAnnual: 86_000,
      incentivePerUnit: 20_000,
      rentFreeMonths: 3,
      startLagMonths: 2,
      leasingCostPerUnit: 1_500,
      demandUnits: 8,
    },
  ],
  occupancy: { target: 0.97, mode: "soft" },
  incentiveBudget: 250_000,
  minWaultMonths: 24,
  maxSharePerPackage: 0.5,
};

export const LEASING_MIX_EXAMPLES: ModelExample<LeasingMixInputRaw>[] = [
  {
    name: "tower-soft-target",
    title:
      "240-unit tower, 36 vacant: reach 97% occupancy (soft) with a 250k AED incentive budget and WAULT ≥ 24 months",
    input: tower,
  },
  {
    name: "tower-hard-target",
    title: "The same tower with the occupancy target as a hard constraint (95%)",
    input: { ...tower, occupancy: { target: 0.95, mode: "hard" } },
  },
  {
    name: "prototype-lm2",
    title:
      "The prototype's formulation on its designed case LM2 (fractional units, as the prototype solved it)",
    input: prototypeToInput({
      inventory: { units_total: 200, vacant_now: 60 },
      occupancy_target: 0.95,
      incentive_budget: 300000,
      packages: [
        { name: "12m Flex", rent: 70000, inc_cost: 2000, expected_takeup: 0.9 },
        { name: "24m Standard", rent: 74000, inc_cost: 5000, expected_takeup: 0.8 },
        { name: "36m Anchor", rent: 80000, inc_cost: 9000, expected_takeup: 0.6 },
      ],
      constraints: { max_share_per_package: 0.2, min_wault_months: 24 },
    }),
  },
];
