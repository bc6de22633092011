import type { ModelExample } from "@modelworks/model-kit";
import type { MonteCarloInputRaw } from "./schema.ts";

/**
 * The default deal (market scenario) with every input the prototype's Monte Carlo varies, each
 * with the kind of distribution the prototype gives it (hard cost lognormal, rates triangular,
 * months PERT) and ranges a lender's downside case would use.
 */
export const MONTE_CARLO_EXAMPLES: ModelExample<MonteCarloInputRaw>[] = [
  {
    name: "default-deal-all-inputs",
    title: "Default market deal, every input varied, 10,000 iterations",
    input: {
      deal: {},
      variables: {
        hardCostPerUnitUsd: { kind: "lognormal", mean: 175_000, sd: 17_500 },
        softCostShareOfHard: { kind: "triangular", min: 0.25, mode: 0.3, max: 0.38 },
        exitCapRate: { kind: "normal", mean: 0.055, sd: 0.005, min: 0.04, max: 0.075 },
        marketRentGrowthAnnual: { kind: "normal", mean: 0.02, sd: 0.01 },
        vacancyRate: { kind: "uniform", min: 0.04, max: 0.1 },
        permRateAnnual: { kind: "triangular", min: 0.05, mode: 0.06, max: 0.075 },
        constructionRateAnnual: { kind: "triangular", min: 0.065, mode: 0.075, max: 0.09 },
        constructionMonths: { kind: "pert", min: 20, mode: 24, max: 32 },
        leaseupMonths: { kind: "pert", min: 8, mode: 12, max: 20 },
      },
      iterations: 10_000,
      seed: 2026,
      targetLeveredIrrAnnual: 0.06,
    },
  },
  {
    name: "mixed-income-lump-sum-costs-and-exit",
    title: "Mixed income with a TIF lump sum: costs and exit cap only, 2,000 iterations",
    input: {
      deal: {
        scenario: "mixed_income",
        tif: { treatment: "lump_sum", lumpSumUsd: 3_000_000 },
      },
      variables: {
        hardCostPerUnitUsd: { kind: "pert", min: 160_000, mode: 175_000, max: 205_000 },
        exitCapRate: { kind: "triangular", min: 0.05, mode: 0.055, max: 0.065 },
      },
      iterations: 2_000,
      seed: 7,
      targetLeveredIrrAnnual: 0.08,
    },
  },
];
