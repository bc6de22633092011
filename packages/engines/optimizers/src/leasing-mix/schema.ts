import { moneyField } from "@modelworks/model-kit";
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
 * Input and output of leasing-mix@2. Money is in `currency` (AED by default), rents are per unit
 * per year, terms and rent-free periods in months, shares and occupancy as fractions (0.95 = 95%).
 * Every field the prototype parsed from package names (the lease term) or ignored (rent-free
 * months, demand) is a field here.
 *
 * Bad input is reported field by field before anything is solved: duplicate package ids, negative
 * money, shares or occupancy outside [0, 1], an empty package list, more vacant units than units.
 */

/** Money: 0 … 1e12 (model-kit's realistic bound). */
const money = (what: string) => moneyField(what);
const share = () => z.number().min(0, "cannot be negative").max(1, "cannot exceed 100% (give 0.4 for 40%)");
const MAX_UNITS = 10_000_000;
const wholeUnits = (what: string) =>
  z
    .number()
    .int(`${what} must be a whole number of units`)
    .min(0, `${what} cannot be negative`)
    .max(MAX_UNITS, "at most 10,000,000 units");

export const LeasePackage = z
  .object({
    id: z
      .string()
      .min(1, "give the package an id")
      .max(64, "at most 64 characters")
      .describe("unique id, e.g. 'std-24'"),
    name: z.string().max(200).default("").describe("label shown to users; defaults to the id"),
    termMonths: z
      .number()
      .int("must be a whole number of months")
      .min(0, "cannot be negative")
      .max(600, "at most 600 months")
      .describe("lease term of a new lease, months"),
    rentPerUnitAnnual: money("rent").describe("headline rent, currency per unit per year"),
    incentivePerUnit: money("incentive cost").describe(
      "one-off incentive (cash, fit-out), currency per unit",
    ),
    rentFreeMonths: z
      .number()
      .min(0, "cannot be negative")
      .max(600, "at most 600 months")
      .default(0)
      .describe("rent-free months at the start of the lease"),
    startLagMonths: z
      .number()
      .min(0, "cannot be negative")
      .max(12, "a lease starting after 12 months earns nothing in the 12-month window")
      .default(0)
      .describe("months from now until the lease starts (absorption lag)"),
    leasingCostPerUnit: money("leasing cost")
      .default(0)
      .describe("agent fees etc., currency per unit; not paid from the incentive budget"),
    demandUnits: wholeUnits("demand")
      .nullable()
      .default(null)
      .describe("most units the market will take on this package in the next 12 months; null = no limit"),
    maxShare: share()
      .nullable()
      .default(null)
      .describe("cap on this package's share of the newly leased units; null = maxSharePerPackage"),
  })
  .strict();

export const InPlaceLease = z
  .object({
    id: z.string().min(1).max(64).optional(),
    units: z
      .number()
      .int("must be a whole number of units")
      .min(1, "at least 1 unit")
      .max(MAX_UNITS, "at most 10,000,000 units"),
    rentPerUnitAnnual: money("rent"),
    remainingTermMonths: z.number().min(0, "cannot be negative").max(1200, "at most 1200 months"),
  })
  .strict();

export const LeasingMixInput = z
  .object({
    formulation: z
      .enum(["modelworks", "prototype"])
      .default("modelworks")
      .describe(
        "'modelworks': integer units, rent-weighted WAULT, share caps of leased units, 12-month NCF with rent-free months and lag. " +
          "'prototype': the seed-004 prototype's LP, for reconciling old numbers (use the 'prototype' format).",
      ),
    currency: z.string().min(1).max(8).default("AED"),
    inventory: z
      .object({
        unitsTotal: z
          .number()
          .int("must be a whole number of units")
          .min(1, "at least 1 unit")
          .max(MAX_UNITS, "at most 10,000,000 units"),
        vacantNow: wholeUnits("vacant units"),
      })
      .strict(),
    inPlaceLeases: z
      .array(InPlaceLease)
      .max(100_000, "at most 100,000 leases")
      .default([])
      .describe("leases of the occupied units, for the WAULT (rent-weighted over in-place and new leases)"),
    packages: z
      .array(LeasePackage)
      .min(1, "give at least one lease package")
      .max(500, "at most 500 packages"),
    occupancy: z
      .object({
        target: share().describe("occupancy to reach, fraction of unitsTotal"),
        mode: z
          .enum(["hard", "soft"])
          .default("soft")
          .describe(
            "hard: the plan must reach the target; soft: shortfall is penalised, a plan is always returned",
          ),
        shortfallPenaltyPerUnit: money("shortfall penalty")
          .nullable()
          .default(null)
          .describe(
            "soft mode: currency per unit below target; null = the largest rent + incentive + leasing cost of any package",
          ),
      })
      .strict(),
    incentiveBudget: money("incentive budget").nullable().default(null).describe("null = no budget"),
    minWaultMonths: z
      .number()
      .min(0, "cannot be negative")
      .max(1200, "at most 1200 months")
      .nullable()
      .default(null)
      .describe("WAULT target, months; null = none"),
    maxSharePerPackage: share().default(1).describe("cap on any package's share of the newly leased units"),
    solver: z
      .object({
        timeLimitSeconds: z.number().positive("must be more than 0").max(300, "at most 300 s").default(10),
        mipRelGap: z.number().min(0, "cannot be negative").max(1, "at most 1").default(1e-4),
      })
      .strict()
      .prefault({}),
    whatIf: z
      .object({
        enabled: z.boolean().default(true),
        incentiveBudgetStep: moneyField("the budget step", { positive: "must be more than 0" })
          .nullable()
          .default(null)
          .describe("null = 10% of the budget"),
        waultStepMonths: z
          .number()
          .positive("must be more than 0")
          .max(1200, "at most 1200 months")
          .default(3),
        occupancyStepPoints: z
          .number()
          .positive("must be more than 0")
          .max(1)
          .default(0.05)
          .describe("fraction: 0.05 = 5 points"),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Map<string, number>();
    v.packages.forEach((p, i) => {
      const first = seen.get(p.id);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["packages", i, "id"],
          message: `duplicate package id "${p.id}" (also packages.${first}.id)`,
        });
      else seen.set(p.id, i);
      if (v.formulation === "modelworks" && p.termMonths < 1)
        ctx.addIssue({
          code: "custom",
          path: ["packages", i, "termMonths"],
          message: "a lease runs at least 1 month",
        });
      if (p.rentFreeMonths > p.termMonths)
        ctx.addIssue({
          code: "custom",
          path: ["packages", i, "rentFreeMonths"],
          message: `cannot exceed the lease term (${p.termMonths} months)`,
        });
    });
    if (v.inventory.vacantNow > v.inventory.unitsTotal)
      ctx.addIssue({
        code: "custom",
        path: ["inventory", "vacantNow"],
        message: `cannot exceed unitsTotal (${v.inventory.unitsTotal})`,
      });
    const occupied = v.inventory.unitsTotal - v.inventory.vacantNow;
    const inPlace = v.inPlaceLeases.reduce((s, l) => s + l.units, 0);
    if (inPlace > occupied)
      ctx.addIssue({
        code: "custom",
        path: ["inPlaceLeases"],
        message: `the in-place leases cover ${inPlace} units, but only ${occupied} are occupied`,
      });
  });

export type LeasingMixInputRaw = z.input<typeof LeasingMixInput>;
export type LeasingMixInputParsed = z.output<typeof LeasingMixInput>;
export type LeasePackageParsed = z.output<typeof LeasePackage>;

const nullableNumber = z.number().nullable();

const Kpis = z.object({
  unitsLeased: z.number(),
  occupancy: z.number(),
  occupancyTarget: z.number(),
  unitsToTarget: z.number().describe("units needed to reach the target (prototype: units_needed)"),
  shortfallUnits: z.number(),
  waultMonths: z.number().nullable(),
  waultNewLeasesMonths: z.number().nullable(),
  ncf12: z.number(),
  incentiveSpend: z.number(),
  incentiveBudget: z.number().nullable(),
  objective: z.number(),
});

export const LeasingMixOutput = z.object({
  model: z.literal("leasing-mix@2.0.0"),
  formulation: z.enum(["modelworks", "prototype"]),
  currency: z.string(),
  status: SolveStatus,
  statusLabel: z.string(),
  mix: z.array(
    z.object({
      packageId: z.string(),
      name: z.string(),
      units: z.number(),
      shareOfNewLeases: z.number(),
      termMonths: z.number(),
      rentPerUnitAnnual: z.number(),
      incentivePerUnit: z.number(),
      ncf12PerUnit: z.number(),
      ncf12: z.number(),
      incentiveSpend: z.number(),
      demandUnits: z.number().nullable(),
    }),
  ),
  kpis: Kpis.nullable(),
  binding: z.array(z.string()),
  bindingGroups: z
    .array(BindingGroup)
    .describe("what binds, by kind of limit, with the re-solved what-if that relaxes it"),
  constraints: z.array(ConstraintRow),
  shadowPrices: Prices.nullable(),
  lpRelaxationPrices: Prices.nullable(),
  mip: MipReport.extend({ label: z.string() }).nullable(),
  whatIf: z.array(
    z.object({
      name: z.string(),
      question: z.string(),
      parameter: z.string(),
      unit: z.string(),
      from: z.number().nullable(),
      to: z.number().nullable(),
      status: SolveStatus,
      objective: nullableNumber,
      ncf12: nullableNumber,
      deltaNcf12: nullableNumber,
      deltaObjective: nullableNumber.describe(
        "change of the objective (NCF less any shortfall penalty), re-solved",
      ),
      waultMonths: nullableNumber,
      occupancy: nullableNumber,
      incentiveSpend: nullableNumber,
      units: z.record(z.string(), z.number()),
      answer: z.string(),
    }),
  ),
  infeasibility: Infeasibility.nullable(),
  verification: Verification.nullable(),
  solve: z.object({
    status: z.string(),
    timeLimitSeconds: z.number(),
    mipRelGap: z.number(),
    solveMs: z.number(),
    solves: z.number().describe("HiGHS solves in this run (plan, prices, what-ifs)"),
  }),
  notes: z.array(z.string()),
});

export type LeasingMixOutputT = z.input<typeof LeasingMixOutput>;
