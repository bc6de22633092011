/**
 * The distributions a Monte Carlo input can follow, as zod schemas (with field-level errors for
 * impossible parameters) and as quantile functions. Every draw is `quantile(u)` of one uniform u
 * (inverse-transform sampling): one uniform per input per iteration, so an input's draws do not
 * shift when other inputs are added or removed, and the tornado's P10/P90 come from the very
 * function that samples. Normal and beta quantiles are stdlib's (ports of Boost/Cephes).
 */

import { finiteField } from "@modelworks/model-kit";
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { z } from "zod";

/** A parameter in the variable's own unit ($, a rate, months): model-kit's widest bound, ±1e12. */
const finite = () => finiteField();

const Uniform = z
  .object({ kind: z.literal("uniform"), min: finite(), max: finite() })
  .strict()
  .superRefine((d, ctx) => {
    if (!(d.min < d.max)) ctx.addIssue({ code: "custom", path: ["max"], message: "must be above min" });
  });

const Normal = z
  .object({
    kind: z.literal("normal"),
    mean: finite(),
    sd: finite().positive("must be more than 0"),
    min: finite().optional().describe("truncates the distribution below (optional)"),
    max: finite().optional().describe("truncates the distribution above (optional)"),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.min !== undefined && d.max !== undefined && !(d.min < d.max)) {
      ctx.addIssue({ code: "custom", path: ["max"], message: "must be above min" });
      return;
    }
    const { lo, hi } = normalBounds(d);
    // Truncation bounds far out in one tail leave (almost) no probability to sample from.
    if (hi - lo < 1e-9)
      ctx.addIssue({
        code: "custom",
        path: [d.min !== undefined ? "min" : "max"],
        message: "the bounds leave no probability within them: move them within a few sd of the mean",
      });
  });

const Triangular = z
  .object({ kind: z.literal("triangular"), min: finite(), mode: finite(), max: finite() })
  .strict()
  .superRefine((d, ctx) => checkMinModeMax(d, ctx));

const Lognormal = z
  .object({
    kind: z.literal("lognormal"),
    mean: finite().positive("must be more than 0 (a lognormal value is positive)"),
    sd: finite().positive("must be more than 0"),
  })
  .strict()
  .superRefine((d, ctx) => {
    // sd/mean beyond 100 (σ of the log > 3) is no forecast; with a mean of 1e-308 it made σ ∞
    // and every draw NaN (found by the fuzz suite, issue 19).
    if (d.sd > 100 * d.mean)
      ctx.addIssue({ code: "custom", path: ["sd"], message: "must be at most 100 × the mean" });
  })
  .describe("the mean and standard deviation of the value itself (not of its logarithm)");

const Pert = z
  .object({
    kind: z.literal("pert"),
    min: finite(),
    mode: finite(),
    max: finite(),
    lambda: finite()
      .positive("must be more than 0")
      .max(100)
      .default(4)
      .describe("weight of the mode; 4 = classic PERT"),
  })
  .strict()
  .superRefine((d, ctx) => checkMinModeMax(d, ctx));

export const Distribution = z.discriminatedUnion("kind", [Uniform, Normal, Triangular, Lognormal, Pert]);
export type Distribution = z.output<typeof Distribution>;
export type DistributionRaw = z.input<typeof Distribution>;

function checkMinModeMax(d: { min: number; mode: number; max: number }, ctx: z.RefinementCtx) {
  if (!(d.min < d.max)) ctx.addIssue({ code: "custom", path: ["max"], message: "must be above min" });
  else if (d.mode < d.min || d.mode > d.max)
    ctx.addIssue({
      code: "custom",
      path: ["mode"],
      message: `must lie between min and max (${d.min} … ${d.max})`,
    });
}

/** Φ of the truncation bounds (0 and 1 when absent). */
function normalBounds(d: { mean: number; sd: number; min?: number | undefined; max?: number | undefined }) {
  return {
    lo: d.min === undefined ? 0 : normalCdf(d.min, d.mean, d.sd),
    hi: d.max === undefined ? 1 : normalCdf(d.max, d.mean, d.sd),
  };
}

/** μ and σ of the logarithm, from the value's mean and sd: σ² = ln(1 + sd²/mean²), μ = ln mean − σ²/2. */
export function lognormalParams(mean: number, sd: number) {
  // The ratio first: sd² and mean² of tiny values underflow to 0 / 0 = NaN.
  const cv = sd / mean;
  const sigma2 = Math.log(1 + cv * cv);
  return { mu: Math.log(mean) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}

/** PERT as a scaled beta: α = 1 + λ(mode − min)/(max − min), β = 1 + λ(max − mode)/(max − min). */
export function pertParams(d: { min: number; mode: number; max: number; lambda: number }) {
  const range = d.max - d.min;
  return {
    alpha: 1 + (d.lambda * (d.mode - d.min)) / range,
    beta: 1 + (d.lambda * (d.max - d.mode)) / range,
  };
}

/** The value with cumulative probability u ∈ (0, 1). */
export function quantile(d: Distribution, u: number): number {
  switch (d.kind) {
    case "uniform":
      return d.min + u * (d.max - d.min);
    case "normal": {
      if (d.min === undefined && d.max === undefined) return normalQuantile(u, d.mean, d.sd);
      const { lo, hi } = normalBounds(d);
      const x = normalQuantile(lo + u * (hi - lo), d.mean, d.sd);
      // Rounding in Φ⁻¹ must not step outside the bounds.
      return Math.min(d.max ?? x, Math.max(d.min ?? x, x));
    }
    case "triangular": {
      const range = d.max - d.min;
      const f = (d.mode - d.min) / range;
      return u < f
        ? d.min + Math.sqrt(u * range * (d.mode - d.min))
        : d.max - Math.sqrt((1 - u) * range * (d.max - d.mode));
    }
    case "lognormal": {
      const { mu, sigma } = lognormalParams(d.mean, d.sd);
      return Math.exp(normalQuantile(u, mu, sigma));
    }
    case "pert": {
      const { alpha, beta } = pertParams(d);
      return d.min + (d.max - d.min) * betaQuantile(u, alpha, beta);
    }
  }
}

/** The range a draw can take: [min, max] for bounded distributions, infinite sides otherwise. */
export function support(d: Distribution): { min: number; max: number } {
  switch (d.kind) {
    case "normal":
      return { min: d.min ?? Number.NEGATIVE_INFINITY, max: d.max ?? Number.POSITIVE_INFINITY };
    case "lognormal":
      return { min: 0, max: Number.POSITIVE_INFINITY };
    default:
      return { min: d.min, max: d.max };
  }
}

/** Closed-form mean and variance (untruncated normal only), for checking the samplers. */
export function moments(d: Distribution): { mean: number; variance: number } {
  switch (d.kind) {
    case "uniform":
      return { mean: (d.min + d.max) / 2, variance: (d.max - d.min) ** 2 / 12 };
    case "normal":
      if (d.min !== undefined || d.max !== undefined)
        throw new Error("truncated normal: no closed form here");
      return { mean: d.mean, variance: d.sd ** 2 };
    case "triangular": {
      const { min: a, mode: c, max: b } = d;
      return { mean: (a + b + c) / 3, variance: (a * a + b * b + c * c - a * b - a * c - b * c) / 18 };
    }
    case "lognormal":
      return { mean: d.mean, variance: d.sd ** 2 };
    case "pert": {
      const { alpha, beta } = pertParams(d);
      const range = d.max - d.min;
      return {
        mean: d.min + (range * alpha) / (alpha + beta),
        variance: (range ** 2 * alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1)),
      };
    }
  }
}
