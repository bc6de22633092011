import { moneyField } from "@modelworks/model-kit";
import { z } from "zod";
import {
  BindingGroup,
  Infeasibility,
  MipReport,
  PriceBasis,
  PriceRow,
  SolveStatus,
  Verification,
} from "../common/explain-schema.ts";

/**
 * Input and output of debt-stack@3. Money is in `currency` (AED by default); rates, shares, LTV,
 * LTC and debt yield are decimals (0.055 = 5.5%), DSCR is a multiple (1.25 = 1.25x); NOI is per
 * year (year 1 = the first 12 months after closing); loan terms in months.
 *
 * Bad input is reported field by field before anything is solved: negative prices or NOI, shares
 * and rates outside their ranges, duplicate tranche / scenario / hedge ids, interest-only months
 * longer than the term, a term shorter than the NOI horizon, a fixed tranche without a rate,
 * scenario index paths of the wrong length, scenario weights that sum to 0, a minimum amount
 * above the tranche's max share of the price or above the LTV limit, fixed fees that exceed the
 * tranche's proceeds, hedges that follow an unknown or fixed-rate tranche.
 */

/** Money: 0 … 1e12 (model-kit's realistic bound). */
const money = (what: string) => moneyField(what);
const share = () => z.number().min(0, "cannot be negative").max(1, "cannot exceed 100% (give 0.65 for 65%)");
const rate = (what: string) =>
  z
    .number()
    .min(-0.05, `${what} below −5% is not plausible`)
    .max(1, `${what} above 100% is not plausible (give 0.055 for 5.5%)`);
const id = () => z.string().min(1, "give it an id").max(64, "at most 64 characters");
const months = (what: string) =>
  z
    .number()
    .int(`${what} must be whole months`)
    .min(0, `${what} cannot be negative`)
    .max(600, "at most 600 months");

export const Tranche = z
  .object({
    id: id().describe("unique id, e.g. 'senior'"),
    name: z.string().max(200).default("").describe("label; defaults to the id"),
    rateType: z.enum(["fixed", "floating"]),
    fixedRate: rate("the fixed rate").nullable().default(null).describe("fixed tranches: annual rate"),
    index: z.string().max(32).default("SOFR").describe("floating tranches: the index name (label only)"),
    spread: rate("the spread").default(0).describe("floating tranches: margin over the index, annual"),
    maxShare: share().describe("largest amount as a share of the purchase price"),
    termMonths: months("the term").describe("loan term; must cover the NOI horizon"),
    ioMonths: months("interest-only months").default(0).describe("interest-only months after closing"),
    amortizationMonths: z
      .number()
      .int("must be whole months")
      .min(1, "at least 1 month")
      .max(600, "at most 600 months")
      .nullable()
      .default(null)
      .describe(
        "amortization period after the interest-only months (level payments, re-set when a floating rate moves); null = interest-only to maturity",
      ),
    upfrontFee: share()
      .default(0)
      .describe("origination (arrangement) fee as a share of the amount, paid from the proceeds"),
    fixedFee: money("the fixed fee")
      .default(0)
      .describe(
        "fixed fee in currency (legal, valuation, agency) paid from the proceeds only if the tranche is used; > 0 makes the tranche an on/off (binary) choice",
      ),
    minAmount: money("the minimum amount")
      .default(0)
      .describe(
        "smallest amount the lender will lend: the tranche is either unused (0) or at least this (semi-continuous, binary on/off); 0 = no minimum",
      ),
    use: z
      .enum(["auto", "on", "off"])
      .default("auto")
      .describe(
        "auto = the optimizer decides whether to use the tranche; on = it must be used (its minimum amount and fixed fee paid; only for a tranche with a minimum or a fixed fee); off = it is not used",
      ),
  })
  .strict();

export const RateScenario = z
  .object({
    id: id(),
    name: z.string().max(200).default(""),
    weight: z
      .number()
      .min(0, "cannot be negative")
      .max(1e6, "at most 1,000,000")
      .describe("probability weight; weights are normalised"),
    indexRate: z
      .union([rate("the index"), z.array(rate("the index")).min(1).max(40, "at most 40 years")])
      .describe("the floating index: one rate for every year, or one per NOI year"),
  })
  .strict();

export const Hedge = z
  .object({
    id: id(),
    type: z.enum(["cap", "swap"]),
    strike: rate("the strike")
      .nullable()
      .default(null)
      .describe("caps: the index level above which the cap pays"),
    fixedRate: rate("the swap rate")
      .nullable()
      .default(null)
      .describe("swaps: the fixed rate paid against the index"),
    premiumRate: rate("the premium")
      .default(0)
      .describe("annual premium per unit of notional (caps; swaps usually 0)"),
    tenorYears: z.number().int("whole years").min(1, "at least 1 year").max(50),
    maxNotional: money("the notional cap")
      .nullable()
      .default(null)
      .describe("null = up to the floating debt (for an amortizing hedge: its notional at closing)"),
    trancheId: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "a floating tranche this hedge follows: the notional amortizes with that tranche's outstanding balance (balance-guaranteed cap or swap) and is at most the tranche; null = a constant notional over the tenor",
      ),
  })
  .strict();

export const DebtStackInput = z
  .object({
    currency: z.string().min(1).max(8).default("AED"),
    purchasePrice: moneyField("the purchase price", { positive: "the purchase price must be more than 0" }),
    closingCosts: money("closing costs")
      .default(0)
      .describe("transaction costs and reserves funded at closing (uses besides the price)"),
    appraisedValue: moneyField("the appraised value", { positive: "must be more than 0" })
      .nullable()
      .default(null)
      .describe("value for the LTV test; null = the purchase price"),
    equityAvailable: money("equity available"),
    equityCostRate: rate("the cost of equity")
      .default(0)
      .describe(
        "annual cost per unit of equity in the objective; 0 = equity is free, so the stack uses it first",
      ),
    noi: z
      .array(money("NOI"))
      .min(1, "give at least one year of NOI")
      .max(40, "at most 40 years")
      .describe("annual NOI, year 1 first; the DSCR test runs in each of these years"),
    targets: z
      .object({
        maxLtv: z.number().gt(0, "must be more than 0").max(1, "at most 1 (give 0.75 for 75%)"),
        maxLtc: z.number().gt(0, "must be more than 0").max(1, "at most 1").nullable().default(null),
        minDscr: z.number().positive("must be more than 0").max(10, "at most 10x").nullable().default(null),
        minDebtYield: z.number().positive("must be more than 0").max(1, "at most 1").nullable().default(null),
        minFixedShare: share()
          .default(0)
          .describe(
            "fixed-rate balance plus hedged notional as a share of the debt outstanding, at closing and at every anniversary in the horizon, in every scenario",
          ),
      })
      .strict(),
    tranches: z.array(Tranche).min(1, "give at least one tranche").max(50, "at most 50 tranches"),
    rateScenarios: z
      .array(RateScenario)
      .min(1, "give at least one rate scenario")
      .max(20, "at most 20 scenarios")
      .default([{ id: "base", name: "", weight: 1, indexRate: 0 }]),
    hedges: z.array(Hedge).max(20).default([]),
    objective: z
      .enum(["expected", "worst-case"])
      .default("expected")
      .describe(
        "expected: min probability-weighted annual cost; worst-case: min the largest scenario's cost",
      ),
    solver: z
      .object({
        timeLimitSeconds: z.number().positive().max(300).default(10),
        mipRelGap: z
          .number()
          .min(0)
          .max(0.5)
          .default(1e-7)
          .describe("relative MIP gap at which HiGHS stops (only with minimum sizes or fixed fees)"),
      })
      .strict()
      .prefault({}),
    whatIf: z
      .object({
        enabled: z.boolean().default(true),
        ltvStepPoints: z.number().positive().max(1).default(0.05).describe("0.05 = 5 points"),
        dscrStep: z.number().positive().max(5).default(0.05),
        equityStep: moneyField("the equity step", { positive: "must be more than 0" })
          .nullable()
          .default(null)
          .describe("null = 10% of equity available"),
        switchTranches: z
          .boolean()
          .default(true)
          .describe(
            "also re-solve with each tranche that has a minimum or a fixed fee switched the other way (used ↔ not used)",
          ),
      })
      .strict()
      .prefault({}),
    inputNotes: z
      .array(z.string().max(1000))
      .max(50)
      .default([])
      .describe("notes carried to the output (e.g. how a prototype request was read)"),
  })
  .strict()
  .superRefine((v, ctx) => {
    const years = v.noi.length;
    const dup = (list: { id: string }[], key: string) => {
      const seen = new Map<string, number>();
      list.forEach((t, i) => {
        const first = seen.get(t.id);
        if (first !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key, i, "id"],
            message: `duplicate id "${t.id}" (also ${key}.${first}.id)`,
          });
        else seen.set(t.id, i);
      });
    };
    dup(v.tranches, "tranches");
    dup(v.rateScenarios, "rateScenarios");
    dup(v.hedges, "hedges");
    v.tranches.forEach((t, i) => {
      if (t.ioMonths > t.termMonths)
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "ioMonths"],
          message: `interest-only months (${t.ioMonths}) cannot exceed the term (${t.termMonths} months)`,
        });
      if (t.termMonths < 12 * years)
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "termMonths"],
          message: `the term (${t.termMonths} months) must cover the ${years}-year NOI horizon (${12 * years} months)`,
        });
      if (t.rateType === "fixed" && t.fixedRate === null)
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "fixedRate"],
          message: "a fixed tranche needs a rate",
        });
      // Forcing on a tranche without a minimum or a fee forces nothing: it lends whenever it lowers the cost.
      if (t.use === "on" && t.minAmount === 0 && t.fixedFee === 0)
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "use"],
          message:
            "'on' applies to a tranche with a minimum amount or a fixed fee; this one is used whenever it lowers the cost (choose auto)",
        });
      // A minimum the tranche can never reach is a mistake in the input, not an optimisation result.
      const largest = t.maxShare * v.purchasePrice;
      if (t.minAmount > largest * (1 + 1e-12))
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "minAmount"],
          message: `the minimum amount (${t.minAmount}) exceeds the tranche's largest amount, max share ${t.maxShare} × price ${v.purchasePrice} = ${largest}`,
        });
      const ltvLimit = v.targets.maxLtv * (v.appraisedValue ?? v.purchasePrice);
      if (t.minAmount > ltvLimit * (1 + 1e-12))
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "minAmount"],
          message: `the minimum amount (${t.minAmount}) exceeds the debt the max LTV allows (${ltvLimit}): the tranche could never be used`,
        });
      const ltcLimit =
        v.targets.maxLtc === null ? null : v.targets.maxLtc * (v.purchasePrice + v.closingCosts);
      if (ltcLimit !== null && t.minAmount > ltcLimit * (1 + 1e-12))
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "minAmount"],
          message: `the minimum amount (${t.minAmount}) exceeds the debt the max LTC allows (${ltcLimit}): the tranche could never be used`,
        });
      const dyLimit =
        v.targets.minDebtYield === null || v.noi.length === 0 ? null : v.noi[0]! / v.targets.minDebtYield;
      if (dyLimit !== null && t.minAmount > dyLimit * (1 + 1e-12))
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "minAmount"],
          message: `the minimum amount (${t.minAmount}) exceeds the debt the min debt yield allows (year-1 NOI / ${v.targets.minDebtYield} = ${dyLimit}): the tranche could never be used`,
        });
      if (t.upfrontFee >= 1)
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "upfrontFee"],
          message: "a fee of 100% of the amount leaves no proceeds",
        });
      if (t.fixedFee > 0 && t.fixedFee >= largest * (1 - t.upfrontFee))
        ctx.addIssue({
          code: "custom",
          path: ["tranches", i, "fixedFee"],
          message: `the fixed fee (${t.fixedFee}) is at least the tranche's largest net proceeds (${largest * (1 - t.upfrontFee)}): using it could never raise money`,
        });
    });
    v.rateScenarios.forEach((s, i) => {
      if (Array.isArray(s.indexRate) && s.indexRate.length !== years)
        ctx.addIssue({
          code: "custom",
          path: ["rateScenarios", i, "indexRate"],
          message: `give one index rate per NOI year (${years}), or a single number`,
        });
    });
    if (v.rateScenarios.reduce((a, s) => a + s.weight, 0) <= 0)
      ctx.addIssue({ code: "custom", path: ["rateScenarios"], message: "the weights must not all be 0" });
    v.hedges.forEach((h, i) => {
      if (h.type === "cap" && h.strike === null)
        ctx.addIssue({ code: "custom", path: ["hedges", i, "strike"], message: "a cap needs a strike" });
      if (h.type === "swap" && h.fixedRate === null)
        ctx.addIssue({
          code: "custom",
          path: ["hedges", i, "fixedRate"],
          message: "a swap needs a fixed rate",
        });
      if (h.trancheId !== null) {
        const t = v.tranches.find((x) => x.id === h.trancheId);
        if (!t)
          ctx.addIssue({
            code: "custom",
            path: ["hedges", i, "trancheId"],
            message: `unknown tranche "${h.trancheId}"`,
          });
        else if (t.rateType !== "floating")
          ctx.addIssue({
            code: "custom",
            path: ["hedges", i, "trancheId"],
            message: `tranche "${h.trancheId}" is fixed-rate: only a floating tranche can be hedged`,
          });
      }
    });
    if (v.hedges.length > 0 && !v.tranches.some((t) => t.rateType === "floating"))
      ctx.addIssue({
        code: "custom",
        path: ["hedges"],
        message: "hedges need at least one floating tranche",
      });
  });

export type DebtStackInputRaw = z.input<typeof DebtStackInput>;
export type DebtStackInputParsed = z.output<typeof DebtStackInput>;
export type TrancheParsed = z.output<typeof Tranche>;
export type HedgeParsed = z.output<typeof Hedge>;

const num = z.number();
const nnum = z.number().nullable();
export const DebtStackOutput = z.object({
  model: z.literal("debt-stack@3.0.0"),
  currency: z.string(),
  objective: z.enum(["expected", "worst-case"]),
  status: SolveStatus,
  statusLabel: z.string(),
  tranches: z.array(
    z.object({
      trancheId: z.string(),
      name: z.string(),
      rateType: z.enum(["fixed", "floating"]),
      amount: num,
      used: z.boolean().describe("amount > 0 (then the fixed fee is paid and the minimum applies)"),
      minAmount: num,
      shareOfPrice: num,
      shareOfDebt: num,
      upfrontFee: num.describe("origination fee: the percentage fee × amount"),
      fixedFee: num.describe("fixed fee, paid only if used"),
      totalFees: num,
      expectedAnnualInterest: num,
      year1RateByScenario: z.record(z.string(), num),
    }),
  ),
  hedges: z.array(
    z.object({
      hedgeId: z.string(),
      type: z.enum(["cap", "swap"]),
      notional: num.describe("notional at closing"),
      follows: z
        .string()
        .nullable()
        .describe("the tranche whose balance the notional follows; null = constant"),
    }),
  ),
  kpis: z
    .object({
      uses: num,
      equity: num,
      totalDebt: num,
      financingFees: num.describe("origination fees plus fixed fees of the tranches used"),
      netDebtProceeds: num,
      ltv: num,
      ltc: num,
      blendedRate: num.describe("expected annual interest and hedge cost / total debt"),
      expectedAnnualCost: num,
      worstCaseAnnualCost: num,
      objective: num,
      minDscr: nnum,
      year1DebtYield: nnum,
      fixedOrHedgedShare: nnum.describe("at closing"),
      minFixedOrHedgedShare: nnum.describe("lowest over the anniversaries and scenarios"),
    })
    .nullable(),
  byYearScenario: z.array(
    z.object({
      year: z.number(),
      scenario: z.string(),
      noi: num,
      interest: num,
      principal: num,
      hedgeCost: num,
      debtService: num,
      dscr: nnum,
      debtYield: nnum,
      closingBalance: num,
      openingBalance: num,
      hedgedNotional: num,
      fixedOrHedgedShare: nnum,
    }),
  ),
  amortization: z.array(
    z.object({
      trancheId: z.string(),
      scenario: z.string(),
      year: z.number(),
      rate: num,
      openingBalance: num,
      averageBalance: num,
      interest: num,
      principal: num,
      payment: num,
      closingBalance: num,
    }),
  ),
  termSheet: z
    .object({
      sources: z.array(z.object({ item: z.string(), amount: num, share: num })),
      uses: z.array(z.object({ item: z.string(), amount: num, share: num })),
      tranches: z.array(
        z.object({
          trancheId: z.string(),
          name: z.string(),
          amount: num,
          pricing: z.string(),
          termMonths: num,
          ioMonths: num,
          amortizationMonths: nnum,
          minAmount: num,
          originationFeeRate: num,
          upfrontFee: num.describe("origination fee amount"),
          fixedFee: num,
          totalFees: num,
          balanceAtHorizonByScenario: z.record(z.string(), num),
        }),
      ),
      fees: z.object({ origination: num, fixed: num, total: num }),
      hedges: z.array(z.object({ hedgeId: z.string(), description: z.string(), notional: num })),
      covenants: z.object({
        maxLtv: num,
        maxLtc: nnum,
        minDscr: nnum,
        minDebtYield: nnum,
        minFixedShare: num,
      }),
    })
    .nullable(),
  binding: z.array(z.string()),
  bindingGroups: z
    .array(BindingGroup)
    .describe("what binds, by kind of limit, with the re-solved what-if that relaxes it"),
  constraints: z.array(
    z.object({
      constraint: z.string(),
      unit: z.string().nullable(),
      activity: num,
      lower: nnum,
      upper: nnum,
      slack: nnum,
      binding: z.boolean(),
      limit: z.enum(["lower", "upper", "equality"]).nullable(),
    }),
  ),
  shadowPrices: z
    .object({
      basis: PriceBasis.extract(["lp", "mip-integers-fixed"]),
      label: z.string(),
      rows: z.array(PriceRow),
    })
    .nullable(),
  mip: MipReport.extend({ binaries: num })
    .nullable()
    .describe("with minimum sizes or fixed fees (on/off tranches): the MILP's gap, bound and nodes"),
  whatIf: z.array(
    z.object({
      name: z.string(),
      question: z.string(),
      parameter: z
        .string()
        .describe("the input path the what-if changes, e.g. targets.maxLtv or tranches.2.use"),
      unit: z.string(),
      from: z.union([z.number(), z.string()]).nullable().describe("its value in this run's input"),
      to: z.union([z.number(), z.string()]).nullable().describe("its value in the what-if"),
      status: SolveStatus,
      objective: nnum,
      deltaObjective: nnum,
      totalDebt: nnum,
      equity: nnum,
      amounts: z.record(z.string(), num),
      answer: z.string(),
    }),
  ),
  infeasibility: Infeasibility.nullable(),
  verification: Verification.nullable(),
  solve: z.object({ status: z.string(), solveMs: num, solves: num }),
  notes: z.array(z.string()),
});

export type DebtStackOutputT = z.input<typeof DebtStackOutput>;
