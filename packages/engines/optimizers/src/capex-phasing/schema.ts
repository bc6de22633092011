import { LIMITS, moneyField } from "@modelworks/model-kit";
import { z } from "zod";
import {
  BindingGroup,
  ConstraintRow,
  Infeasibility,
  MipReport,
  Prices,
  SolveStatus,
  Verification,
} from "../common/explain-schema.ts";

/**
 * Input and output of capex-phasing@2. Months are numbered 1…horizonMonths; money is in
 * `currency` (AED by default); rent uplift is currency per year, downtime loss currency per month
 * of works; rates are decimals (0.08 = 8%).
 *
 * Two formulations share one input, told apart by `formulation`:
 * - `modelworks` (default): projects with a start window, a duration and a spend profile, chosen
 *   start months (time-indexed MILP);
 * - `prototype`: the seed-004 prototype's spend model (per-month spend between a min and a max
 *   total, uplift rate per currency spent), reached through the `prototype` format to reconcile
 *   old numbers.
 *
 * Bad input is a field-level error before anything is solved: windows with latest < earliest, a
 * window that cannot finish within the horizon, cash lists shorter than the horizon, duplicate
 * ids, unknown or self predecessors, precedence cycles, spend fractions that do not add up to 1.
 */

/** Money: 0 … 1e12 (model-kit's realistic bound). */
const money = (what: string) => moneyField(what);
const month = (what: string) =>
  z
    .number()
    .int(`${what} must be a whole month`)
    .min(1, `${what} is month 1 or later`)
    .max(LIMITS.months, `${what} is month 1,200 or earlier`);
const id = () => z.string().trim().min(1, "give the project an id").max(64, "at most 64 characters");

const Solver = z
  .object({
    // The run's own limit is 120 s: the plan, the prices and the what-ifs must fit in it.
    timeLimitSeconds: z.number().positive("must be more than 0").max(60, "at most 60 s").default(20),
    mipRelGap: z.number().min(0, "cannot be negative").max(1, "at most 1").default(1e-4),
  })
  .strict()
  .prefault({});

const CashCap = z
  .union([
    money("the cash cap"),
    z
      .array(money("a monthly cash cap"))
      .min(1, "give at least one month")
      .max(LIMITS.months, "at most 1,200 months"),
  ])
  .describe("cash available per month, currency: one number for every month, or a list (one per month)");

export const CapexProject = z
  .object({
    id: id().describe("unique id, e.g. 'lobby'"),
    name: z.string().max(200).default("").describe("label shown to users; defaults to the id"),
    earliestStartMonth: month("the earliest start"),
    latestStartMonth: month("the latest start"),
    durationMonths: z
      .number()
      .int("must be a whole number of months")
      .min(1, "works last at least 1 month")
      .max(120, "at most 120 months"),
    cost: money("the cost").describe("total capex of the project, currency"),
    spendProfile: z
      .array(z.number().min(0, "a spend fraction cannot be negative").max(1, "a spend fraction is at most 1"))
      .max(120, "at most 120 months (the longest works)")
      .nullable()
      .default(null)
      .describe(
        "fraction of the cost spent in each month of the works (e.g. an S-curve), adding up to 1; null = flat",
      ),
    rentUpliftAnnual: money("the rent uplift").describe(
      "extra rent per year once the works are complete, currency/yr (earned from the month after completion)",
    ),
    downtimeLossPerMonth: money("the downtime loss")
      .default(0)
      .describe("rent lost in each month of works (units off the market), currency/month"),
    mandatory: z
      .boolean()
      .default(false)
      .describe("true: must be scheduled; false: the optimizer may skip it"),
    predecessors: z
      .array(id())
      .max(500, "at most 500 (the most projects)")
      .default([])
      .describe("ids of projects that must be complete before this one starts"),
  })
  .strict();

export const CapexModelworksInput = z
  .object({
    formulation: z
      .literal("modelworks")
      .default("modelworks")
      .describe(
        "'modelworks': start months within windows, durations, spend profiles, precedence, carry-over, time-valued uplift. " +
          "'prototype': the seed-004 prototype's spend model (use the 'prototype' format).",
      ),
    currency: z.string().min(1).max(8).default("AED"),
    horizonMonths: z
      .number()
      .int("must be a whole number of months")
      .min(1, "at least 1 month")
      .max(120, "at most 120 months"),
    monthlyCashCap: CashCap,
    cashCarryOver: z
      .boolean()
      .default(false)
      .describe("true: cash not spent in a month stays available later (a cash balance is kept)"),
    openingCash: money("the opening cash")
      .default(0)
      .describe("cash on hand before month 1 (used only with cashCarryOver)"),
    maxParallelProjects: z
      .number()
      .int("must be a whole number")
      .min(1, "at least 1")
      .max(500, "at most 500 (the most projects)")
      .nullable()
      .default(null)
      .describe("most projects under works in any month (contractor capacity); null = no limit"),
    discountRateAnnual: z
      .number()
      .min(0, "cannot be negative")
      .max(1, "at most 1 (give 0.08 for 8%)")
      .default(0)
      .describe("discount rate for uplift and downtime, per year (0 = undiscounted)"),
    projects: z.array(CapexProject).min(1, "give at least one project").max(500, "at most 500 projects"),
    solver: Solver,
    whatIf: z
      .object({
        enabled: z.boolean().default(true),
        cashStepFraction: z
          .number()
          .positive("must be more than 0")
          .max(1, "at most 1")
          .default(0.1)
          .describe("cash cap what-if: every month's cap ± this fraction"),
        windowShiftMonths: z
          .number()
          .int("must be a whole number of months")
          .min(1, "at least 1")
          .max(120, "at most 120 months (the longest horizon)")
          .default(1)
          .describe("window what-if: a project whose window binds may start this many months earlier"),
        maxWindowCases: z.number().int().min(0).max(20).default(4),
        timeBudgetSeconds: z
          .number()
          .positive("must be more than 0")
          .max(60, "at most 60 s")
          .default(20)
          .describe("solver time shared by all what-if re-solves (each also within solver.timeLimitSeconds)"),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    const H = v.horizonMonths;
    if (Array.isArray(v.monthlyCashCap) && v.monthlyCashCap.length < H)
      ctx.addIssue({
        code: "custom",
        path: ["monthlyCashCap"],
        message: `has ${v.monthlyCashCap.length} month${v.monthlyCashCap.length === 1 ? "" : "s"}, the horizon is ${H}: give one cap per month (or a single number for every month)`,
      });
    const index = new Map<string, number>();
    v.projects.forEach((p, i) => {
      const first = index.get(p.id);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["projects", i, "id"],
          message: `duplicate project id "${p.id}" (also projects.${first}.id)`,
        });
      else index.set(p.id, i);
      if (p.latestStartMonth < p.earliestStartMonth)
        ctx.addIssue({
          code: "custom",
          path: ["projects", i, "latestStartMonth"],
          message: `the latest start (${p.latestStartMonth}) is before the earliest start (${p.earliestStartMonth})`,
        });
      else if (p.earliestStartMonth + p.durationMonths - 1 > H)
        ctx.addIssue({
          code: "custom",
          path: ["projects", i, "earliestStartMonth"],
          message: `starting in month ${p.earliestStartMonth}, ${p.durationMonths} months of works end after the ${H}-month horizon`,
        });
      if (p.spendProfile !== null) {
        if (p.spendProfile.length !== p.durationMonths)
          ctx.addIssue({
            code: "custom",
            path: ["projects", i, "spendProfile"],
            message: `give one fraction per month of works (${p.durationMonths}), not ${p.spendProfile.length}`,
          });
        const sum = p.spendProfile.reduce((s, f) => s + f, 0);
        if (Math.abs(sum - 1) > 1e-6)
          ctx.addIssue({
            code: "custom",
            path: ["projects", i, "spendProfile"],
            message: `the fractions add up to ${sum}, not 1`,
          });
      }
    });
    v.projects.forEach((p, i) => {
      const seen = new Set<string>();
      p.predecessors.forEach((q, k) => {
        const path = ["projects", i, "predecessors", k];
        if (q === p.id) ctx.addIssue({ code: "custom", path, message: "a project cannot precede itself" });
        else if (!index.has(q)) ctx.addIssue({ code: "custom", path, message: `unknown project id "${q}"` });
        else if (seen.has(q)) ctx.addIssue({ code: "custom", path, message: `"${q}" is listed twice` });
        seen.add(q);
      });
    });
    const cycle = findCycle(v.projects);
    if (cycle)
      ctx.addIssue({
        code: "custom",
        path: ["projects", index.get(cycle[0]!)!, "predecessors"],
        message: `precedence cycle: ${[...cycle, cycle[0]].join(" → ")} (each must finish before the next starts)`,
      });
  });

/** A cycle in the predecessor graph (ids in order), or null. Unknown ids are ignored. */
export function findCycle(projects: readonly { id: string; predecessors: readonly string[] }[]) {
  const preds = new Map(projects.map((p) => [p.id, p.predecessors]));
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  const stack: string[] = [];
  const visit = (u: string): string[] | null => {
    state.set(u, 1);
    stack.push(u);
    for (const w of preds.get(u) ?? []) {
      if (!preds.has(w) || w === u) continue;
      const s = state.get(w);
      // Predecessor edges point backwards in time; report the cycle in forward order.
      if (s === 1) return stack.slice(stack.indexOf(w)).reverse();
      if (s === undefined) {
        const c = visit(w);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(u, 2);
    return null;
  };
  for (const p of projects) {
    if (state.has(p.id)) continue;
    const c = visit(p.id);
    if (c) return c;
  }
  return null;
}

export const PrototypeSpendProject = z
  .object({
    id: id(),
    earliestMonth: month("the earliest month"),
    latestMonth: month("the latest month"),
    minSpend: money("the minimum spend"),
    maxSpend: money("the maximum spend"),
    upliftRateAnnual: z
      .number()
      .min(0, "the uplift rate cannot be negative")
      .max(LIMITS.rateAbs, "the uplift rate is at most 10 (1,000% a year)")
      .describe("annual NOI uplift per currency spent"),
  })
  .strict();

export const CapexPrototypeInput = z
  .object({
    formulation: z.literal("prototype"),
    currency: z.string().min(1).max(8).default("AED"),
    horizonMonths: z.number().int().min(1, "at least 1 month").max(120, "at most 120 months"),
    monthlyCashCap: z.array(money("a monthly cash cap")).max(LIMITS.months, "at most 1,200 months"),
    maxParallelProjects: z.number().int().min(1, "at least 1").max(500, "at most 500 (the most projects)"),
    projects: z.array(PrototypeSpendProject).min(1, "give at least one project").max(500),
    solver: Solver,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.monthlyCashCap.length < v.horizonMonths)
      ctx.addIssue({
        code: "custom",
        path: ["monthlyCashCap"],
        message: `has ${v.monthlyCashCap.length} month${v.monthlyCashCap.length === 1 ? "" : "s"}, the horizon is ${v.horizonMonths}: give one cap per month`,
      });
    const seen = new Map<string, number>();
    v.projects.forEach((p, i) => {
      const first = seen.get(p.id);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["projects", i, "id"],
          message: `duplicate project id "${p.id}" (also projects.${first}.id)`,
        });
      else seen.set(p.id, i);
      if (p.latestMonth < p.earliestMonth)
        ctx.addIssue({
          code: "custom",
          path: ["projects", i, "latestMonth"],
          message: `the latest month (${p.latestMonth}) is before the earliest month (${p.earliestMonth})`,
        });
      if (p.maxSpend < p.minSpend)
        ctx.addIssue({
          code: "custom",
          path: ["projects", i, "maxSpend"],
          message: `the maximum spend (${p.maxSpend}) is below the minimum (${p.minSpend})`,
        });
    });
  });

export const CapexPhasingInput = z.discriminatedUnion("formulation", [
  CapexModelworksInput,
  CapexPrototypeInput,
]);

export type CapexPhasingInputRaw = z.input<typeof CapexPhasingInput>;
export type CapexPhasingInputParsed = z.output<typeof CapexPhasingInput>;
export type CapexModelworksParsed = z.output<typeof CapexModelworksInput>;
export type CapexModelworksRaw = z.input<typeof CapexModelworksInput>;
export type CapexPrototypeParsed = z.output<typeof CapexPrototypeInput>;
export type CapexProjectParsed = z.output<typeof CapexProject>;

/** The cash cap of month m (1-based). */
export function capOf(input: { monthlyCashCap: number | number[] }, m: number): number {
  return typeof input.monthlyCashCap === "number" ? input.monthlyCashCap : input.monthlyCashCap[m - 1]!;
}

const nullableNumber = z.number().nullable();
const WhatIfValue = z.union([z.number(), z.boolean(), z.array(z.number())]);

export const CapexPhasingOutput = z.object({
  model: z.literal("capex-phasing@2.0.0"),
  formulation: z.enum(["modelworks", "prototype"]),
  currency: z.string(),
  status: SolveStatus,
  statusLabel: z.string(),
  schedule: z
    .array(
      z.object({
        projectId: z.string(),
        name: z.string(),
        scheduled: z.boolean(),
        mandatory: z.boolean(),
        startMonth: z.number().nullable(),
        endMonth: z.number().nullable().describe("last month of works"),
        durationMonths: z.number().nullable(),
        cost: z.number().describe("spent on the project, currency"),
        rentUpliftAnnual: z.number().nullable(),
        upliftInHorizon: z.number().describe("rent uplift earned within the horizon, currency (nominal)"),
        downtimeLoss: z.number().describe("rent lost during works, currency (nominal)"),
        value: z.number().describe("the project's contribution to the objective, currency"),
        earliestStartMonth: z.number(),
        latestStartMonth: z.number(),
      }),
    )
    .describe("Gantt data: one row per project"),
  months: z
    .array(
      z.object({
        month: z.number(),
        cashCap: z.number(),
        cashAvailable: z.number().describe("cash that could be spent this month (cap + balance carried in)"),
        spend: z.number(),
        balanceEnd: z.number().describe("cash carried to the next month (0 without carry-over)"),
        activeProjects: z.number(),
        active: z.string().describe("ids of the projects under works"),
        upliftEarned: z.number().describe("rent uplift earned this month, currency"),
        upliftCumulative: z.number(),
        downtimeLoss: z.number(),
        cashBinds: z.boolean().describe("the month's cash limit is exhausted"),
        capacityBinds: z.boolean(),
        cashShadowPrice: nullableNumber.describe(
          "fixed-integer LP dual: objective change per +1 currency of this month's cap (see shadowPrices.label)",
        ),
        cashShadowPriceLpRelaxation: nullableNumber.describe(
          "LP relaxation dual: objective change per +1 currency of this month's cap, fractional starts allowed",
        ),
      }),
    )
    .describe("monthly spend, cash balance and uplift timeline"),
  spendByProjectMonth: z.array(z.object({ month: z.number(), projectId: z.string(), spend: z.number() })),
  kpis: z
    .object({
      objective: z.number(),
      objectiveUnit: z.string(),
      upliftInHorizon: z.number(),
      downtimeLoss: z.number(),
      totalSpend: z.number(),
      projectsScheduled: z.number(),
      projectsSkipped: z.number(),
      runRateUpliftAnnualAtHorizon: z
        .number()
        .describe("annual rent uplift of the projects complete by the end of the horizon"),
      expectedAnnualNoiUplift: nullableNumber.describe("prototype formulation: Σ uplift rate × spend"),
    })
    .nullable(),
  bindingCashMonths: z.array(z.number()),
  bindingCapacityMonths: z.array(z.number()),
  binding: z.array(z.string()),
  bindingGroups: z
    .array(BindingGroup)
    .describe("what binds, by kind of limit, ranked (the logical rows left out)"),
  constraints: z.array(ConstraintRow),
  shadowPrices: Prices.nullable(),
  lpRelaxationPrices: Prices.nullable(),
  mip: MipReport.extend({ label: z.string() }).nullable(),
  whatIf: z.array(
    z.object({
      name: z.string(),
      question: z.string(),
      parameter: z
        .string()
        .describe("the input path the what-if changes, e.g. projects.3.earliestStartMonth"),
      from: WhatIfValue.describe("its value in this run's input"),
      to: WhatIfValue.describe("its value in the what-if"),
      status: SolveStatus,
      objective: nullableNumber,
      deltaObjective: nullableNumber,
      projectsScheduled: nullableNumber,
      changes: z.string().describe("projects whose start month changes, e.g. 'lobby 3→2'"),
      answer: z.string(),
    }),
  ),
  infeasibility: Infeasibility.nullable(),
  verification: Verification.nullable(),
  solve: z.object({
    status: z.string(),
    timeLimitSeconds: z.number(),
    mipRelGap: z.number(),
    variables: z.number(),
    constraints: z.number(),
    solveMs: z.number(),
    solves: z.number().describe("HiGHS solves in this run (plan, prices, what-ifs)"),
  }),
  notes: z.array(z.string()),
});

export type CapexPhasingOutputT = z.input<typeof CapexPhasingOutput>;
