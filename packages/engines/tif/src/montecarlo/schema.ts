import { z } from "zod";
import { TifV2Input } from "../v2/schema.ts";
import { Distribution, support } from "./distributions.ts";
import { allowedRange, VARIABLE_KEYS, VARIABLES } from "./variables.ts";

/**
 * Input of tif-montecarlo: a tif@2 deal, the distribution of each input to vary, and the
 * simulation settings. Impossible distributions (min ≥ max, a mode outside [min, max], sd ≤ 0,
 * support outside what the input can take) are field errors before anything runs.
 */
export const MonteCarloInput = z
  .object({
    deal: TifV2Input.prefault({}).describe(
      "the tif@2 deal (its input); the base case and the tornado's center",
    ),
    variables: z
      .object(
        Object.fromEntries(
          VARIABLE_KEYS.map((k) => [
            k,
            Distribution.optional().describe(`${VARIABLES[k].label} (${VARIABLES[k].unit})`),
          ]),
        ) as Record<(typeof VARIABLE_KEYS)[number], z.ZodOptional<typeof Distribution>>,
      )
      .strict()
      .refine((v) => Object.values(v).some(Boolean), {
        message: "give a distribution for at least one input",
      })
      .describe(
        "a distribution per input to vary (uniform, normal with optional min/max truncation, triangular, " +
          "lognormal by the value's mean and sd, pert); inputs not given keep the deal's value",
      ),
    iterations: z
      .number()
      .int("must be a whole number")
      .min(100, "at least 100")
      .max(100_000)
      .default(10_000),
    seed: z
      .number()
      .int("must be a whole number")
      .min(0, "cannot be negative")
      .max(2 ** 32 - 1)
      .default(1)
      .describe("same seed, same results — whatever the number of threads"),
    targetLeveredIrrAnnual: z
      .number()
      .gt(-1, "must be above −100%")
      .lt(10, "must be below 1,000%")
      .default(0.08)
      .describe("the probability of meeting it is reported"),
    histogramBins: z.number().int().min(5).max(100).default(20),
  })
  .strict()
  .superRefine((v, ctx) => {
    for (const key of VARIABLE_KEYS) {
      const d = v.variables[key];
      if (!d) continue;
      const variable = VARIABLES[key];
      const range = allowedRange(variable, v.deal);
      // A lognormal's 0 is never drawn: only its mean is checked, its tails are clamped.
      const s = d.kind === "lognormal" ? { min: Number.NaN, max: Number.NaN } : support(d);
      const where = `${variable.label} takes values from ${range.min} to ${range.max}`;
      // Unbounded sides (normal, lognormal) are clamped at run time and counted; bounded ones must fit.
      if (Number.isFinite(s.min) && s.min < range.min)
        ctx.addIssue({
          code: "custom",
          path: ["variables", key, "min"],
          message: `below the allowed range: ${where}`,
        });
      if (Number.isFinite(s.max) && s.max > range.max)
        ctx.addIssue({
          code: "custom",
          path: ["variables", key, "max"],
          message: `above the allowed range: ${where}`,
        });
      if ((d.kind === "normal" || d.kind === "lognormal") && (d.mean < range.min || d.mean > range.max))
        ctx.addIssue({
          code: "custom",
          path: ["variables", key, "mean"],
          message: `outside the allowed range: ${where}`,
        });
    }
  });
export type MonteCarloInput = z.output<typeof MonteCarloInput>;
export type MonteCarloInputRaw = z.input<typeof MonteCarloInput>;

const num = z.number().nullable();

const Stat = z.object({
  count: z.number().int().describe("iterations where the measure exists"),
  missing: z.number().int().describe("iterations where it does not (no IRR, no outflow): never counted as 0"),
  mean: num,
  sd: num,
  min: num,
  max: num,
  p5: num,
  p10: num,
  p25: num,
  p50: num,
  p75: num,
  p90: num,
  p95: num,
});

const Measures = z.object({
  leveredIrr: z.number().nullable(),
  unleveredIrr: z.number().nullable(),
  equityMultiple: z.number().nullable(),
  npvLeveredUsd: z.number().nullable(),
  profitUsd: z.number().nullable(),
});

export const MonteCarloOutput = z.object({
  iterations: z.number().int(),
  seed: z.number().int(),
  npvDiscountRateAnnual: z.number(),
  base: Measures.describe("the deal as given"),
  summary: z.object({
    leveredIrr: Stat,
    unleveredIrr: Stat,
    equityMultiple: Stat,
    npvLeveredUsd: Stat,
    profitUsd: Stat.describe("Σ levered cash flow: what the equity gets back beyond what it put in"),
  }),
  leveredIrrMultipleRoots: z
    .number()
    .int()
    .describe("iterations whose levered cash flow has several IRRs (the one nearest 0 is counted)"),
  failedIterations: z
    .number()
    .int()
    .describe("iterations the model could not compute (e.g. the IDC did not converge)"),
  firstFailure: z.string().nullable(),
  target: z.object({
    leveredIrrAnnual: z.number(),
    probability: z
      .number()
      .describe("share of all iterations with a levered IRR ≥ target (no IRR = not met)"),
    iterationsMeeting: z.number().int(),
    iterationsWithoutIrr: z.number().int(),
  }),
  percentiles: z.array(
    z.object({
      percentile: z.number().int(),
      leveredIrr: num,
      unleveredIrr: num,
      equityMultiple: num,
      npvLeveredUsd: num,
      profitUsd: num,
    }),
  ),
  histogram: z.array(
    z.object({
      fromIrr: z.number(),
      toIrr: z.number(),
      midIrr: z.number(),
      count: z.number().int(),
      share: z.number().describe("of the iterations that have a levered IRR"),
    }),
  ),
  inputs: z.array(
    z.object({
      input: z.enum(VARIABLE_KEYS),
      label: z.string(),
      unit: z.string(),
      distribution: z.enum(["uniform", "normal", "triangular", "lognormal", "pert"]),
      baseValue: z.number(),
      sampledMean: z.number(),
      sampledP10: z.number(),
      sampledP90: z.number(),
      clampedDraws: z
        .number()
        .int()
        .describe("draws outside what the input can take, set to the nearest limit"),
      spearmanLeveredIrr: num.describe(
        "rank correlation of the input with the levered IRR (iterations with an IRR)",
      ),
    }),
  ),
  tornado: z.array(
    z.object({
      input: z.enum(VARIABLE_KEYS),
      label: z.string(),
      lowValue: z.number().describe("the input's P10, every other input at the deal's value"),
      highValue: z.number().describe("the input's P90"),
      leveredIrrAtLow: num,
      leveredIrrAtHigh: num,
      lowDeltaBps: num.describe("levered IRR at P10 minus the base's, basis points"),
      highDeltaBps: num,
      swingBps: num.describe("|high − low|; the rows are sorted by it, largest first"),
    }),
  ),
});
export type MonteCarloOutput = z.output<typeof MonteCarloOutput>;
