import { moneyField, recordField } from "@modelworks/model-kit";
import { z } from "zod";

/**
 * Input and output of deal-picker@2 (spec §4.1, issue 5 item 2). Money is in AED, yields and
 * shares are decimals (0.05 = 5%), NOI is AED per year. Every rule a field can break on its own
 * or with its siblings (empty deal list, negative prices, caps outside [0, 1], duplicate ids,
 * a deal both must-buy and excluded, min > max assets) is a field-level error here, before any
 * solve.
 */

/** AED: 0 … 1e12 (model-kit's realistic bound for money). */
const aed = (what: string) => moneyField(what);
/** A share or rate in [0, 1]. */
const share = () => z.number().min(0, "cannot be negative").max(1, "cannot exceed 1 (give 0.3 for 30%)");

export const Deal = z
  .object({
    id: z.string().trim().min(1, "a deal needs an id").max(80).describe("unique deal id"),
    name: z.string().max(200).optional().describe("display name"),
    askPrice: moneyField("the ask price", { positive: "the ask price must be more than 0" }).describe("AED"),
    noi: aed("NOI").describe("stabilised net operating income before the vacancy haircut, AED/yr"),
    sector: z.string().trim().min(1, "a deal needs a sector").max(80),
    city: z.string().trim().min(1, "a deal needs a city or area").max(80),
    riskScore: z
      .number()
      .min(0, "risk scores run from 0 to 5")
      .max(5, "risk scores run from 0 to 5")
      .default(3),
    capex: aed("capex").default(0).describe("capital expenditure needed at purchase, AED"),
    transactionCostRate: share()
      .optional()
      .describe("transaction costs as a fraction of the price; default assumptions.transactionCostRate"),
    vacancyHaircut: share()
      .optional()
      .describe("fraction of NOI lost to vacancy; default assumptions.vacancyHaircut"),
    mustBuy: z.boolean().default(false),
    excluded: z.boolean().default(false),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.mustBuy && d.excluded)
      ctx.addIssue({
        code: "custom",
        path: ["excluded"],
        message: "a deal cannot be both must-buy and excluded",
      });
  });
export type Deal = z.output<typeof Deal>;

export const OBJECTIVES = ["max-noi", "noi-above-hurdle", "max-yield", "risk-adjusted"] as const;
export type Objective = (typeof OBJECTIVES)[number];

const caps = () =>
  recordField(z.string().min(1).max(80), share(), 1_000)
    .default({})
    .describe("maximum share of capital per sector/city, fraction (see caps.basis)");

export const DealPickerInput = z
  .object({
    budget: moneyField("the budget", { positive: "the budget must be more than 0" }).describe("AED"),
    deals: z.array(Deal).min(1, "give at least one deal").max(20_000, "at most 20,000 deals"),
    selection: z
      .enum(["whole", "fractional"])
      .default("whole")
      .describe("whole: buy a deal entirely or not at all (binary); fractional: any share in [0, 1]"),
    minFraction: share()
      .default(0.05)
      .describe(
        "fractional selection with min/max asset counts: smallest share that counts as buying a deal",
      ),
    objective: z.enum(OBJECTIVES).default("max-noi"),
    hurdleRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.07)
      .describe("noi-above-hurdle: required yield, fraction/yr"),
    riskPenaltyPerPoint: z
      .number()
      .min(0)
      .max(1, "at most 1 (100% of the cost per risk point)")
      .default(0.005)
      .describe("risk-adjusted: NOI charged per AED of cost per risk point, fraction/yr per point"),
    assumptions: z
      .object({
        transactionCostRate: share().default(0.02).describe("fraction of the price (fees, DLD, brokerage)"),
        vacancyHaircut: share().default(0.05).describe("fraction of NOI"),
      })
      .strict()
      .default({ transactionCostRate: 0.02, vacancyHaircut: 0.05 }),
    costTreatment: z
      .enum(["per-deal", "budget-haircut"])
      .default("per-deal")
      .describe(
        "per-deal: all-in cost = price × (1 + transaction cost) + capex; budget-haircut (the prototype's): " +
          "cost = price + capex and the usable budget is budget × (1 − assumptions.transactionCostRate)",
      ),
    caps: z
      .object({
        basis: z
          .enum(["deployed", "budget"])
          .default("deployed")
          .describe("caps are shares of the capital deployed, or of the (stated) budget"),
        sector: caps(),
        city: caps(),
        singleAsset: share().optional().describe("maximum share of capital in one deal"),
      })
      .strict()
      .default({ basis: "deployed", sector: {}, city: {} }),
    minAssets: z.number().int().min(0).max(20_000, "at most 20,000 (the most deals)").optional(),
    maxAssets: z.number().int().min(1).max(20_000, "at most 20,000 (the most deals)").optional(),
    whatIf: z
      .object({
        enabled: z.boolean().default(true),
        budgetStep: moneyField("the budget step", { positive: "must be more than 0" })
          .default(1_000_000)
          .describe("AED"),
        capStep: z.number().positive().max(1).default(0.05).describe("fraction (0.05 = 5 points)"),
        maxCaps: z.number().int().min(0).max(20).default(6).describe("binding caps to probe, at most"),
      })
      .strict()
      .default({ enabled: true, budgetStep: 1_000_000, capStep: 0.05, maxCaps: 6 }),
    solver: z
      .object({
        timeLimitSeconds: z.number().positive().max(600).default(20).describe("s, per solve"),
        mipRelGap: z.number().min(0).max(1).default(1e-4).describe("fraction"),
      })
      .strict()
      .default({ timeLimitSeconds: 20, mipRelGap: 1e-4 }),
  })
  .strict()
  .superRefine((input, ctx) => {
    const seen = new Map<string, number>();
    input.deals.forEach((d, i) => {
      const first = seen.get(d.id);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["deals", i, "id"],
          message: `duplicate deal id "${d.id}" (also deals.${first}.id)`,
        });
      else seen.set(d.id, i);
    });
    if (input.minAssets !== undefined && input.maxAssets !== undefined && input.minAssets > input.maxAssets)
      ctx.addIssue({ code: "custom", path: ["minAssets"], message: "minAssets cannot exceed maxAssets" });
    if (input.minAssets !== undefined && input.minAssets > input.deals.length)
      ctx.addIssue({
        code: "custom",
        path: ["minAssets"],
        message: `minAssets (${input.minAssets}) exceeds the number of deals (${input.deals.length})`,
      });
  });
export type DealPickerInput = z.output<typeof DealPickerInput>;
export type DealPickerInputRaw = z.input<typeof DealPickerInput>;

// ---------------------------------------------------------------------------------------------
// Output

const num = z.number();
const nullableNum = z.number().nullable();

export const SelectedDeal = z.object({
  id: z.string(),
  name: z.string().nullable(),
  sector: z.string(),
  city: z.string(),
  share: num.describe("fraction of the deal bought"),
  capital: num.describe("all-in cost of the share bought, AED"),
  noi: num.describe("NOI after vacancy of the share bought, AED/yr"),
  yield: num.describe("NOI / capital, fraction/yr"),
  riskScore: num,
  weightOfBudget: num.describe("capital / budget"),
  weightOfDeployed: num.describe("capital / capital deployed"),
  mustBuy: z.boolean(),
});

export const DealSensitivity = z.object({
  id: z.string(),
  share: num,
  allInCost: num.describe("AED"),
  effectiveNoi: num.describe("AED/yr"),
  objectiveCoefficient: num.describe("objective units per whole deal"),
  reducedCost: nullableNum.describe("objective change per +1 of the share at its bound (LP basis)"),
  coefficientFrom: nullableNum,
  coefficientTo: nullableNum,
});

export const ConstraintRow = z.object({
  constraint: z.string(),
  kind: z.enum(["budget", "sector-cap", "city-cap", "single-asset-cap", "min-assets", "max-assets"]),
  unit: z.string(),
  sense: z.enum(["<=", ">="]),
  activity: num,
  limit: num,
  slack: num,
  binding: z.boolean(),
  shadowPrice: nullableNum.describe("objective change per +1 unit of the limit"),
  priceUnit: z.string().nullable(),
  validFrom: nullableNum,
  validTo: nullableNum,
});

export const WhatIf = z.object({
  question: z.string(),
  parameter: z.string(),
  from: num,
  to: num,
  status: z.string(),
  objective: nullableNum,
  deltaObjective: nullableNum,
  capitalUsed: nullableNum,
  noi: nullableNum,
  yield: nullableNum,
  deltaYield: nullableNum,
  added: z.array(z.string()),
  removed: z.array(z.string()),
  answer: z.string(),
});

export const DealPickerOutput = z.object({
  status: z.enum(["optimal", "time_limit", "infeasible", "no_solution"]),
  statusLabel: z.string(),
  model: z.object({
    kind: z.enum(["lp", "mip"]),
    selection: z.enum(["whole", "fractional"]),
    objective: z.enum(OBJECTIVES),
    objectiveUnit: z.string(),
    costTreatment: z.enum(["per-deal", "budget-haircut"]),
    capsBasis: z.enum(["deployed", "budget"]),
    usableBudget: num,
    yieldMethod: z.string().nullable(),
    dinkelbachIterations: z.number().int().nullable(),
    variables: z.number().int(),
    constraints: z.number().int(),
  }),
  kpis: z
    .object({
      budget: num,
      capitalUsed: num.describe("AED, all-in"),
      capitalUsedShareOfBudget: num,
      noi: num.describe("AED/yr after vacancy"),
      yield: nullableNum.describe("NOI / capital used, fraction/yr"),
      objective: num,
      assetsSelected: z.number().int(),
      weightedRiskScore: nullableNum,
    })
    .nullable(),
  selection: z.array(SelectedDeal),
  deals: z.array(DealSensitivity),
  constraints: z.array(ConstraintRow),
  binding: z.array(z.string()),
  shadowPrices: z.object({
    basis: z.enum(["lp", "mip-integers-fixed"]).nullable(),
    label: z.string(),
  }),
  mip: z
    .object({
      gap: nullableNum,
      bestBound: nullableNum,
      nodes: z.number(),
      /** Present when the solve used reduced-cost fixing (solver README). */
      reducedCostFixing: z
        .object({
          lpBound: num.describe(
            "AED/yr: bound on every plan from the LP relaxation's duals (max-yield: of the last subproblem)",
          ),
          integers: z.number().int(),
          fixed: z.number().int().describe("choices fixed because their reduced cost proves them"),
          free: z.number().int().describe("choices left to the MIP search"),
        })
        .optional(),
    })
    .nullable(),
  whatIf: z.array(WhatIf),
  infeasibility: z
    .object({
      summary: z.string(),
      conflicting: z.array(z.string()),
      irreducible: z.boolean().nullable(),
      relaxation: z.array(
        z.object({
          name: z.string(),
          unit: z.string().nullable(),
          from: num,
          to: num,
          change: num,
          text: z.string(),
        }),
      ),
      notes: z.array(z.string()),
    })
    .nullable(),
  check: z.object({
    feasible: z.boolean(),
    violations: z.array(z.string()),
    method: z.string(),
  }),
  notes: z.array(z.string()),
  solveMs: num,
});
export type DealPickerOutput = z.output<typeof DealPickerOutput>;
