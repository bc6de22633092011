/**
 * The explainability parts of an optimizer's output, one shape for capex-phasing, debt-stack and
 * leasing-mix: constraint rows, shadow prices with units and validity ranges, the MIP report,
 * and the infeasibility explanation (IIS + smallest relaxation, built by ./infeasibility.ts).
 *
 * deal-picker@2 predates these and keeps its own published shapes (constraint rows with the price
 * inline, a flat infeasibility summary); moving it here is a breaking change of its output.
 */
import { z } from "zod";

const nullableNumber = z.number().nullable();

/** Outcome of the main solve; `time_limit` is a plan that is not proven optimal. */
export const SolveStatus = z.enum(["optimal", "time_limit", "infeasible", "no_plan"]);

export const ConstraintRow = z.object({
  constraint: z.string(),
  unit: z.string().nullable(),
  activity: z.number(),
  lower: nullableNumber,
  upper: nullableNumber,
  slack: nullableNumber,
  binding: z.boolean(),
  limit: z.enum(["lower", "upper", "equality"]).nullable(),
});

export const PriceRow = z.object({
  constraint: z.string(),
  unit: z.string().nullable(),
  objectiveUnit: z.string().nullable(),
  limit: z.enum(["lower", "upper", "equality"]),
  limitValue: z.number(),
  pricePerUnit: z.number(),
  validFrom: nullableNumber,
  validTo: nullableNumber,
  objectiveAtValidFrom: nullableNumber,
  objectiveAtValidTo: nullableNumber,
  binding: z.boolean(),
  meaning: z.string(),
});

/** Which LP the prices come from: the LP itself, the LP with the integers fixed, or the relaxation. */
export const PriceBasis = z.enum(["lp", "mip-integers-fixed", "lp-relaxation"]);

export const Prices = z.object({
  basis: PriceBasis,
  label: z.string(),
  rows: z.array(PriceRow),
});

/** MIP gap, best bound and branch-and-bound nodes of the main solve. */
export const MipReport = z.object({ gap: nullableNumber, bestBound: nullableNumber, nodes: z.number() });

/** One change of the smallest relaxation that makes the plan feasible. */
export const RelaxationChange = z.object({
  constraint: z.string(),
  kind: z.enum(["constraint", "bound"]),
  unit: z.string().nullable(),
  limit: z.enum(["lower", "upper"]),
  current: z.number(),
  required: z.number(),
  change: z.number(),
  explanation: z.string(),
});

export const Infeasibility = z.object({
  iis: z
    .object({
      irreducible: z.boolean(),
      constraints: z.array(
        z.object({ constraint: z.string(), unit: z.string().nullable(), limit: z.string() }),
      ),
      bounds: z.array(z.object({ variable: z.string(), unit: z.string().nullable(), bound: z.string() })),
    })
    .nullable(),
  iisNote: z.string().nullable(),
  relaxation: z.array(RelaxationChange).nullable(),
  relaxationNote: z.string().nullable(),
  summary: z.array(z.string()),
});

/** The plan re-checked by the engine's own checker (check.ts), independent of the solver. */
export const Verification = z.object({ feasible: z.boolean(), violations: z.array(z.string()) });

/**
 * What binds, grouped by the kind of limit and ranked (issue 18 item 13): a schedule binds in
 * dozens of months and precedences, which as one chip each hide the limits that matter. Each group
 * counts its binding rows, names the top ones by |price| and carries the re-solved what-if that
 * relaxes the whole family, which leads for integer plans (issue 18 item 5).
 */
export const BindingGroup = z.object({
  family: z.string().describe("the kind of limit, e.g. 'cash'"),
  label: z.string().describe("the kind of limit in business words, e.g. 'Monthly cash cap'"),
  count: z.number().describe("binding rows of this kind"),
  top: z.array(
    z.object({
      constraint: z.string(),
      what: z.string().nullable(),
      pricePerUnit: z.number().nullable().describe("the LP price of the row (see shadowPrices' basis)"),
    }),
  ),
  resolved: z
    .object({ question: z.string(), deltaObjective: z.number().nullable(), answer: z.string() })
    .nullable()
    .describe("the re-solved what-if that relaxes this kind of limit, if one was asked"),
});
