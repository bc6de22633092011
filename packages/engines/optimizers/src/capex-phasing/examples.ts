import type { ModelExample } from "@modelworks/model-kit";
import { prototypeToInput } from "./prototype.ts";
import type { CapexModelworksRaw, CapexPhasingInputRaw } from "./schema.ts";

/**
 * A 24-month refurbishment programme for a mixed-use building: eight projects, two mandatory
 * (life safety, the roof), a lobby that must wait for the façade, unit refits on an S-curve,
 * 2.2 M AED of cash a month with carry-over, three contractors.
 */
const building: CapexModelworksRaw = {
  currency: "AED",
  horizonMonths: 24,
  monthlyCashCap: 2_200_000,
  cashCarryOver: true,
  openingCash: 1_000_000,
  maxParallelProjects: 3,
  discountRateAnnual: 0.08,
  projects: [
    {
      id: "fire-safety",
      name: "Fire and life-safety upgrade",
      earliestStartMonth: 1,
      latestStartMonth: 6,
      durationMonths: 4,
      cost: 3_200_000,
      rentUpliftAnnual: 0,
      mandatory: true,
    },
    {
      id: "roof",
      name: "Roof membrane and insulation",
      earliestStartMonth: 1,
      latestStartMonth: 12,
      durationMonths: 3,
      cost: 2_400_000,
      rentUpliftAnnual: 150_000,
      mandatory: true,
    },
    {
      id: "facade",
      name: "Façade recladding",
      earliestStartMonth: 2,
      latestStartMonth: 14,
      durationMonths: 6,
      cost: 9_000_000,
      spendProfile: [0.1, 0.15, 0.25, 0.25, 0.15, 0.1],
      rentUpliftAnnual: 2_600_000,
      downtimeLossPerMonth: 60_000,
    },
    {
      id: "lobby",
      name: "Lobby and arrival experience",
      earliestStartMonth: 3,
      latestStartMonth: 18,
      durationMonths: 3,
      cost: 2_800_000,
      rentUpliftAnnual: 900_000,
      downtimeLossPerMonth: 25_000,
      predecessors: ["facade"],
    },
    {
      id: "units-a",
      name: "Refit floors 2–6",
      earliestStartMonth: 1,
      latestStartMonth: 18,
      durationMonths: 5,
      cost: 6_500_000,
      spendProfile: [0.1, 0.2, 0.3, 0.25, 0.15],
      rentUpliftAnnual: 2_300_000,
      downtimeLossPerMonth: 110_000,
    },
    {
      id: "units-b",
      name: "Refit floors 7–11",
      earliestStartMonth: 4,
      latestStartMonth: 20,
      durationMonths: 5,
      cost: 6_500_000,
      spendProfile: [0.1, 0.2, 0.3, 0.25, 0.15],
      rentUpliftAnnual: 2_100_000,
      downtimeLossPerMonth: 110_000,
      predecessors: ["units-a"],
    },
    {
      id: "gym",
      name: "Residents' gym",
      earliestStartMonth: 2,
      latestStartMonth: 20,
      durationMonths: 2,
      cost: 900_000,
      rentUpliftAnnual: 240_000,
    },
    {
      id: "solar",
      name: "Rooftop solar",
      earliestStartMonth: 1,
      latestStartMonth: 21,
      durationMonths: 2,
      cost: 1_600_000,
      rentUpliftAnnual: 180_000,
      predecessors: ["roof"],
    },
  ],
};

export const CAPEX_PHASING_EXAMPLES: ModelExample<CapexPhasingInputRaw>[] = [
  {
    name: "mixed-use-refurbishment",
    title:
      "24-month refurbishment of a mixed-use building: 8 projects, 2.2 M AED/month with carry-over, 3 contractors, 8% discounting",
    input: building,
  },
  {
    name: "monthly-cap-no-carry-over",
    title:
      "The same programme with a hard monthly cap (unspent cash does not carry over) and 2.6 M AED/month",
    input: { ...building, cashCarryOver: false, openingCash: 0, monthlyCashCap: 2_600_000 },
  },
  {
    name: "prototype-cx2",
    title: "The prototype's spend model on its designed case CX2 (reconciles the old 288,000 AED/yr)",
    input: prototypeToInput({
      horizon_months: 6,
      monthly_cash_cap: [400000, 400000, 300000, 300000, 500000, 500000],
      contractor_capacity: { max_parallel_projects: 2 },
      projects: [
        {
          project_id: "LOBBY",
          earliest_month: 1,
          latest_month: 3,
          min_spend: 200000,
          max_spend: 600000,
          uplift_rate: 0.15,
        },
        {
          project_id: "GYM",
          earliest_month: 2,
          latest_month: 6,
          min_spend: 100000,
          max_spend: 500000,
          uplift_rate: 0.1,
        },
        {
          project_id: "UNITS",
          earliest_month: 1,
          latest_month: 6,
          min_spend: 300000,
          max_spend: 1500000,
          uplift_rate: 0.12,
        },
        {
          project_id: "ROOF",
          earliest_month: 4,
          latest_month: 6,
          min_spend: 150000,
          max_spend: 150000,
          uplift_rate: 0.02,
        },
      ],
    }),
  },
];
