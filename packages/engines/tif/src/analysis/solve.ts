/**
 * "What would it take": the value of one lever of the mixed-income deal at which its levered-IRR
 * gap over the market deal reaches the target, found by bisection. Every evaluation is a real
 * engine run; the market deal is run once and never changes.
 *
 * Bisection needs the gap minus the target to change sign between the bounds. When it does not,
 * the answer is "not achievable within bounds" (or "already met at both bounds"), never a guess.
 * The gap need not be continuous (a lump sum is capped at the equity it replaces; the IRR is the
 * root nearest 0 and can jump between roots), so the result says when the bracket closed on a jump
 * instead of a crossing.
 */
import { defineModel, finiteField, ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import { pyRound } from "../compat/rounding.ts";
import { tifLayout } from "../layout.ts";
import { PROTOTYPE_TABLES, type ReferenceTables, tablesFrom } from "../reference-data/index.ts";
import { checkMixedIncome, cityDiscountField, MixedIncomeInput, mixedSpec, targetField } from "./inputs.ts";
import {
  AppliedIncentives,
  engineField,
  gapBps,
  type MixedRun,
  type MixedSpec,
  ProjectInput,
  resolveProject,
  runMarket,
  runMixed,
  ScenarioSummary,
} from "./scenarios.ts";

export const LEVERS = {
  tifLumpSumUsd: { unit: "USD", title: "TIF lump sum" },
  tifStreamShare: { unit: "fraction", title: "Share of the city increment reimbursed (TIF stream)" },
  landCostUsd: { unit: "USD", title: "Land cost of the mixed-income deal" },
  hardCostPerUnitUsd: { unit: "USD/unit", title: "Hard cost per unit of the mixed-income deal" },
  marketRentScale: { unit: "×", title: "Multiplier on the mixed-income deal's market-rate rents" },
  affordableShare: { unit: "fraction", title: "Affordable share of the mixed-income deal" },
} as const;
export type Lever = keyof typeof LEVERS;

export const TifSolveInput = z
  .object({
    engine: engineField,
    project: ProjectInput.prefault({}),
    mixedIncome: MixedIncomeInput.prefault({}),
    targetIrrGapBps: targetField,
    cityDiscountRateAnnual: cityDiscountField,
    lever: z
      .enum(Object.keys(LEVERS) as [Lever, ...Lever[]])
      .default("tifLumpSumUsd")
      .describe(
        "what to solve for, on the mixed-income deal only: tifLumpSumUsd (needs incentives.tif lump_sum), " +
          "tifStreamShare (needs incentives.tif stream), landCostUsd, hardCostPerUnitUsd, marketRentScale, affordableShare",
      ),
    lowerBound: finiteField()
      .nullable()
      .default(null)
      .describe(
        "null = the lever's natural lower end: 0, or 1 for marketRentScale, or the smallest share that yields an affordable unit",
      ),
    upperBound: finiteField()
      .nullable()
      .default(null)
      .describe(
        "null = the lever's natural upper end: the mixed deal's equity (lump sum), 100% (stream share), " +
          "the project's value (land, hard cost, affordable share), 2 (rent scale)",
      ),
    toleranceBps: z
      .number()
      .gt(0, "must be more than 0")
      .max(100, "at most 100 bps")
      .default(0.1)
      .describe("stop when the gap is within this many bps of the target"),
    maxIterations: z.number().int().min(1, "at least 1").max(200, "at most 200").default(60),
  })
  .strict()
  .superRefine((v, ctx) => {
    checkMixedIncome(v, ctx);
    const tif = v.mixedIncome.incentives.tif;
    if (v.lever === "tifLumpSumUsd") {
      if (tif !== "lump_sum")
        ctx.addIssue({
          code: "custom",
          path: ["lever"],
          message: 'needs mixedIncome.incentives.tif "lump_sum"',
        });
      if (v.mixedIncome.tifLumpSumUsd !== null)
        ctx.addIssue({
          code: "custom",
          path: ["mixedIncome", "tifLumpSumUsd"],
          message: "is what the solve finds: give null",
        });
    }
    if (v.lever === "tifStreamShare") {
      if (tif !== "stream")
        ctx.addIssue({
          code: "custom",
          path: ["lever"],
          message: 'needs mixedIncome.incentives.tif "stream"',
        });
      if (v.mixedIncome.tifStreamShare !== null)
        ctx.addIssue({
          code: "custom",
          path: ["mixedIncome", "tifStreamShare"],
          message: "is what the solve finds: give null",
        });
    }
    if (v.lever === "affordableShare" && v.mixedIncome.affordableShare !== null)
      ctx.addIssue({
        code: "custom",
        path: ["mixedIncome", "affordableShare"],
        message: "is what the solve finds: give null (set the bounds instead)",
      });
    const lo = v.lowerBound;
    const hi = v.upperBound;
    const range: Record<Lever, [number, number]> = {
      tifLumpSumUsd: [0, Number.MAX_VALUE],
      tifStreamShare: [0, 1],
      landCostUsd: [0, Number.MAX_VALUE],
      hardCostPerUnitUsd: [0, Number.MAX_VALUE],
      marketRentScale: [Number.MIN_VALUE, 100],
      affordableShare: [Number.MIN_VALUE, 1],
    };
    const [min, max] = range[v.lever];
    for (const [key, b] of [
      ["lowerBound", lo],
      ["upperBound", hi],
    ] as const)
      if (b !== null && (!(b >= min) || !(b <= max)))
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `must be within [${min === Number.MIN_VALUE ? "above 0" : min}, ${max === Number.MAX_VALUE ? "∞" : max}] for ${v.lever}`,
        });
    if (lo !== null && hi !== null && !(lo < hi))
      ctx.addIssue({ code: "custom", path: ["upperBound"], message: "must be above lowerBound" });
  });
export type TifSolveInput = z.output<typeof TifSolveInput>;

const STATUSES = [
  "solved",
  "solved-at-discontinuity",
  "not-achievable-within-bounds",
  "met-at-both-bounds",
  "irr-undefined",
  "max-iterations",
] as const;

export const TifSolveOutput = z.object({
  lever: z.string(),
  leverUnit: z.string(),
  status: z.enum(STATUSES),
  message: z.string(),
  value: z.number().nullable().describe("the lever's value that closes the gap; null unless solved"),
  gapBpsAtValue: z.number().nullable(),
  targetIrrGapBps: z.number(),
  toleranceBps: z.number(),
  iterations: z.number().int().describe("bisection steps (each one engine run of the mixed deal)"),
  engineRuns: z.number().int(),
  bounds: z.object({
    lower: z.number(),
    upper: z.number(),
    gapBpsAtLower: z.number().nullable(),
    gapBpsAtUpper: z.number().nullable(),
  }),
  bracket: z.object({ lower: z.number(), upper: z.number() }).describe("the last bracket"),
  market: ScenarioSummary,
  mixedIncomeAtValue: ScenarioSummary.nullable(),
  incentivesAtValue: AppliedIncentives.nullable(),
  history: z.array(
    z.object({
      iteration: z.number().int(),
      lower: z.number(),
      upper: z.number(),
      value: z.number(),
      mixedLeveredIrr: z.number().nullable(),
      gapBps: z.number().nullable(),
    }),
  ),
});
export type TifSolveOutput = z.output<typeof TifSolveOutput>;

/** The mixed deal with the lever at x. */
function withLever(lever: Lever, base: MixedSpec, project: ProjectInput, x: number): MixedSpec {
  switch (lever) {
    case "tifLumpSumUsd":
      return { ...base, lumpSumUsd: x };
    case "tifStreamShare":
      return { ...base, streamShare: x };
    case "landCostUsd":
      return { ...base, overrides: { landCostUsd: x } };
    case "hardCostPerUnitUsd":
      return { ...base, overrides: { hardCostPerUnitUsd: x } };
    case "affordableShare":
      return { ...base, affordableShare: x };
    case "marketRentScale":
      return {
        ...base,
        overrides: {
          marketRentPerNetSqftMonthlyUsd: project.marketRentPerNetSqftMonthlyUsd * x,
          unitMix: project.unitMix.map((u) => ({
            ...u,
            rentPerNetSqftMonthlyUsd: u.rentPerNetSqftMonthlyUsd * x,
            marketRentMonthlyUsd: u.marketRentMonthlyUsd * x,
          })),
        },
      };
  }
}

export interface SolveOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
  /** The run's reference data (ctx.data); the shipped editions by default. */
  tables?: ReferenceTables;
}

export function solve(input: TifSolveInput, opts: SolveOptions = {}): TifSolveOutput {
  const { engine, lever } = input;
  const tables = opts.tables ?? PROTOTYPE_TABLES;
  const project = resolveProject(input.project, engine, tables);
  const market = runMarket(engine, project, tables);
  const base = mixedSpec(input.mixedIncome, input.cityDiscountRateAnnual);
  let runs = 1;
  const evaluate = (x: number): { run: MixedRun; gap: number | null } => {
    opts.signal?.throwIfAborted();
    const run = runMixed(engine, project, withLever(lever, base, project, x), tables);
    runs += base.pkg.tif === "lump_sum" && lever !== "tifLumpSumUsd" && base.lumpSumUsd === null ? 2 : 1;
    return { run, gap: gapBps(run.summary.leveredIrr, market.summary.leveredIrr) };
  };

  let lower = input.lowerBound;
  let upper = input.upperBound;
  if (lower === null || upper === null) {
    const natural = naturalBounds(lever, project, base, () => {
      runs++;
      return runMixed(engine, project, { ...base, lumpSumUsd: 0 }, tables).summary.equityUsd;
    });
    const given =
      input.lowerBound !== null ? "lowerBound" : input.upperBound !== null ? "upperBound" : "lever";
    lower ??= natural[0];
    upper ??= natural[1];
    // One bound given, the other natural: they can cross (e.g. a land cost above the project's).
    if (!(lower < upper))
      throw new ModelInputError([
        {
          path: given,
          message:
            given === "lever"
              ? `has no interval to search on this project (natural bounds ${lower} … ${upper}); give both bounds`
              : `leaves no interval: the natural ${given === "lowerBound" ? "upper" : "lower"} bound for ${lever} is ${given === "lowerBound" ? upper : lower}; give both bounds`,
        },
      ]);
  }
  const target = input.targetIrrGapBps;
  const f = (g: number | null) => (g === null ? null : g - target);
  const atLower = evaluate(lower);
  const atUpper = evaluate(upper);
  const common = {
    lever,
    leverUnit: LEVERS[lever].unit,
    targetIrrGapBps: target,
    toleranceBps: input.toleranceBps,
    bounds: { lower, upper, gapBpsAtLower: atLower.gap, gapBpsAtUpper: atUpper.gap },
    market: market.summary,
  };
  const history: TifSolveOutput["history"] = [];
  const done = (
    status: (typeof STATUSES)[number],
    message: string,
    at: { x: number; run: MixedRun; gap: number | null } | null,
    bracket: [number, number],
  ): TifSolveOutput => {
    opts.onProgress?.(1, status);
    return {
      ...common,
      status,
      message,
      value: at ? at.x : null,
      gapBpsAtValue: at ? at.gap : null,
      iterations: history.length,
      engineRuns: runs,
      bracket: { lower: bracket[0], upper: bracket[1] },
      mixedIncomeAtValue: at ? at.run.summary : null,
      incentivesAtValue: at ? at.run.applied : null,
      history,
    };
  };

  const fl = f(atLower.gap);
  const fu = f(atUpper.gap);
  if (fl === null || fu === null)
    return done(
      "irr-undefined",
      `the mixed-income levered IRR does not exist at the ${fl === null ? "lower" : "upper"} bound`,
      null,
      [lower, upper],
    );
  if (fl >= 0 && fu >= 0)
    return done(
      "met-at-both-bounds",
      `the target is met at both bounds (gap ${atLower.gap!.toFixed(1)} and ${atUpper.gap!.toFixed(1)} bps): widen the bounds to find where it stops`,
      null,
      [lower, upper],
    );
  if (fl < 0 && fu < 0)
    return done(
      "not-achievable-within-bounds",
      `not achievable within [${lower}, ${upper}]: the gap is ${atLower.gap!.toFixed(1)} bps at the lower bound and ` +
        `${atUpper.gap!.toFixed(1)} bps at the upper, both short of ${target} bps`,
      null,
      [lower, upper],
    );

  // Keep the bracket [a, b] with the target met at `met` and missed at `missed`.
  let met = fl >= 0 ? { x: lower, ...atLower } : { x: upper, ...atUpper };
  let missed = fl >= 0 ? { x: upper, ...atUpper } : { x: lower, ...atLower };
  if (Math.abs(f(met.gap)!) <= input.toleranceBps)
    return done("solved", "the target is met at a bound, within tolerance", met, [lower, upper]);
  const bracket = (): [number, number] => [Math.min(met.x, missed.x), Math.max(met.x, missed.x)];
  for (let i = 1; i <= input.maxIterations; i++) {
    opts.onProgress?.(i / input.maxIterations, `iteration ${i}`);
    const [a, b] = bracket();
    const x = (met.x + missed.x) / 2;
    if (x === met.x || x === missed.x) break; // the bracket cannot shrink further in doubles
    const at = { x, ...evaluate(x) };
    history.push({
      iteration: i,
      lower: a,
      upper: b,
      value: x,
      mixedLeveredIrr: at.run.summary.leveredIrr,
      gapBps: at.gap,
    });
    const fx = f(at.gap);
    if (fx === null)
      return done("irr-undefined", `the mixed-income levered IRR does not exist at ${x}`, null, bracket());
    if (Math.abs(fx) <= input.toleranceBps)
      return done("solved", `gap within ${input.toleranceBps} bps of the target`, at, bracket());
    if (fx >= 0) met = at;
    else missed = at;
    if (Math.abs(met.x - missed.x) <= 1e-9 * Math.max(1, Math.abs(met.x)))
      return done(
        "solved-at-discontinuity",
        `the gap jumps across the target at ${met.x} (from ${missed.gap!.toFixed(3)} to ${met.gap!.toFixed(3)} bps); ` +
          "the value reported is the side that meets it",
        met,
        bracket(),
      );
  }
  return done(
    "max-iterations",
    `stopped after ${history.length} iterations with the gap ${met.gap!.toFixed(3)} bps at ${met.x} (the side that meets the target)`,
    met,
    bracket(),
  );
}

/**
 * The smallest affordable share that yields an affordable unit. Units are allocated per type with
 * half-to-even rounding (A = round(units × share), then round(A × allocation) per type), so a
 * share giving A = 1 can still give no affordable unit at all — a mixed deal identical to the
 * market one, which would "solve" any target near 0 trivially.
 */
function smallestShareWithAnAffordableUnit(project: ProjectInput): number {
  for (let a = 1; a <= project.targetUnits; a++) {
    let units = 0;
    for (const u of project.unitMix) units += pyRound(a * u.allocationShare);
    if (units >= 1) return a / project.targetUnits;
  }
  return 1;
}

function naturalBounds(
  lever: Lever,
  project: ProjectInput,
  base: MixedSpec,
  equity: () => number,
): [number, number] {
  switch (lever) {
    case "tifLumpSumUsd":
      return [0, equity()];
    case "tifStreamShare":
      return [0, 1];
    case "landCostUsd":
      return [0, project.landCostUsd];
    case "hardCostPerUnitUsd":
      return [0, project.hardCostPerUnitUsd];
    case "marketRentScale":
      return [1, 2];
    case "affordableShare":
      return [
        Math.min(base.affordableShare, smallestShareWithAnAffordableUnit(project)),
        base.affordableShare,
      ];
  }
}

export const tifSolveModel = defineModel({
  id: "tif-solve",
  version: "1.1.0",
  title: "Austin TIF: what would it take",
  summary:
    "Finds by bisection the value of one lever of the mixed-income deal (TIF lump sum, TIF stream share, land " +
    "cost, hard cost, market rents, affordable share) at which its levered-IRR gap over the market deal reaches " +
    "the target; reports the iterations and the bracket, or that the target is not achievable within the bounds.",
  input: TifSolveInput,
  output: TifSolveOutput,
  layout: tifLayout(TifSolveInput, { at: "project", title: "Project" }),
  view: "tif-solve",
  examples: [
    {
      name: "lump-sum-for-150-bps",
      title: "The TIF lump sum that gives tier 2 (with the fee waiver) +150 bps over market",
      input: {},
    },
    {
      name: "land-cost-for-0-bps",
      title: "The land cost at which the tier 2 lump-sum deal matches the market IRR",
      input: { lever: "landCostUsd", targetIrrGapBps: 0 },
    },
    {
      name: "stream-share",
      title: "The share of the city increment a tier 1 stream would need to reach +150 bps",
      input: {
        lever: "tifStreamShare",
        mixedIncome: { incentives: { tier: 1, smartFeeWaiver: false, tif: "stream" } },
      },
    },
  ],
  tables: [
    {
      name: "iterations",
      title: "Bisection iterations",
      rows: "history",
      columns: [
        { key: "iteration", title: "Iteration", format: "integer" },
        { key: "lower", title: "Bracket low", format: "number", decimals: 6 },
        { key: "upper", title: "Bracket high", format: "number", decimals: 6 },
        { key: "value", title: "Value tried", format: "number", decimals: 6 },
        {
          key: "mixedLeveredIrr",
          title: "Mixed levered IRR",
          unit: "fraction/yr",
          format: "percent",
          decimals: 4,
        },
        { key: "gapBps", title: "Gap", unit: "bps", format: "number", decimals: 3 },
      ],
    },
  ],
  charts: [
    {
      name: "convergence",
      title: "Gap by iteration (bps)",
      kind: "line",
      table: "iterations",
      x: "iteration",
      y: ["gapBps"],
    },
  ],
  data: ["austinAmiRentLimits", "austinTaxRates"],
  run(input, ctx) {
    return solve(input, {
      signal: ctx.signal,
      onProgress: (f, m) => ctx.progress(f, m),
      tables: tablesFrom(ctx.data),
    });
  },
});
