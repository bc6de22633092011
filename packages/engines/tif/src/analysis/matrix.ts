/**
 * The incentive matrix (spec §3; the prototype's run_scenario_matrix and find_minimum_incentives):
 * every valid package of the chosen tiers (15 per tier), each a real tif@2 run of the mixed deal
 * at the tier's affordability requirement, against one market run; and the minimum package that
 * meets the target.
 *
 * "Minimum" (documented in the README): among the packages that meet the target, the FEWEST
 * incentives; ties broken by the LOWEST cost to the city (scenarios.ts cityCost), then by the
 * larger gap, then by generation order. The prototype broke ties by the larger gap only.
 */
import { defineModel, ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import { tifLayout } from "../layout.ts";
import { PROTOTYPE_TABLES, type ReferenceTables, tablesFrom } from "../reference-data/index.ts";
import { cityDiscountField, targetField } from "./inputs.ts";
import { incentiveCount, packageName, validPackages } from "./package.ts";
import {
  gapBps,
  ProjectInput,
  resolveProject,
  runEngine,
  runMarket,
  runMixed,
  ScenarioSummary,
} from "./scenarios.ts";
import { TIER_PROGRAM, type TierNumber } from "./tiers.ts";

const tierField = z.union([z.literal(1), z.literal(2), z.literal(3)]);

export const TifIncentiveMatrixInput = z
  .object({
    project: ProjectInput.prefault({}),
    tiers: z
      .array(tierField)
      .min(1, "choose at least one tier")
      .max(3)
      .refine((t) => new Set(t).size === t.length, "a tier appears twice")
      .default([1, 2, 3]),
    targetIrrGapBps: targetField,
    cityDiscountRateAnnual: cityDiscountField,
  })
  .strict();
export type TifIncentiveMatrixInput = z.output<typeof TifIncentiveMatrixInput>;

export const MatrixRow = z.object({
  rank: z.number().int().describe("by gap, largest first; packages without a gap last"),
  name: z.string(),
  tier: z.number().int(),
  smartFeeWaiver: z.boolean(),
  taxAbatement: z.boolean(),
  tifLumpSum: z.boolean(),
  tifStream: z.boolean(),
  interestBuydown: z.boolean(),
  incentiveCount: z.number().int(),
  affordableShare: z.number(),
  amiLevel: z.string(),
  affordableUnits: z.number().int(),
  marketLeveredIrr: z.number().nullable(),
  mixedLeveredIrr: z.number().nullable(),
  leveredIrrGapBps: z.number().nullable(),
  meetsTarget: z.boolean(),
  mixedLeveredIrrRootCount: z.number().int(),
  tifLumpSumUsd: z.number(),
  smartFeeWaiverUsd: z.number(),
  cityCostUsd: z.number().nullable(),
  error: z.string().nullable().describe("why this package could not be evaluated on this project"),
});
export type MatrixRow = z.output<typeof MatrixRow>;

export const TifIncentiveMatrixOutput = z.object({
  targetIrrGapBps: z.number(),
  market: ScenarioSummary,
  rows: z.array(MatrixRow),
  minimum: MatrixRow.nullable().describe("null: no package meets the target"),
  minimumRule: z.string(),
  packagesEvaluated: z.number().int(),
  packagesMeetingTarget: z.number().int(),
  engineRuns: z.number().int(),
});
export type TifIncentiveMatrixOutput = z.output<typeof TifIncentiveMatrixOutput>;

export const MINIMUM_RULE =
  "fewest incentives; then lowest cost to the city; then largest gap; then generation order";

export interface MatrixOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
  /** The run's reference data (ctx.data); the shipped editions by default. */
  tables?: ReferenceTables;
}

export function incentiveMatrix(
  input: TifIncentiveMatrixInput,
  opts: MatrixOptions = {},
): TifIncentiveMatrixOutput {
  const engine = "tif@2" as const;
  const tables = opts.tables ?? PROTOTYPE_TABLES;
  const project = resolveProject(input.project, engine, tables);
  const market = runMarket(engine, project, tables);
  let runs = 1;
  const packages = validPackages(input.tiers as TierNumber[]);
  // The lump sum's new assessed value is the mixed deal's TDC, which the TIF does not change: one
  // run per (tier, fee waiver) finds it for every lump-sum package of that kind.
  const tdc = new Map<string, number>();
  const rows: Omit<MatrixRow, "rank">[] = [];
  packages.forEach((pkg, i) => {
    opts.signal?.throwIfAborted();
    opts.onProgress?.(i / packages.length, packageName(pkg));
    const tier = TIER_PROGRAM[pkg.tier];
    const spec = {
      affordableShare: tier.affordableShare,
      amiLevel: tier.amiLevel,
      pkg,
      cityDiscountRateAnnual: input.cityDiscountRateAnnual,
    };
    const base = {
      name: packageName(pkg),
      tier: pkg.tier,
      smartFeeWaiver: pkg.smartFeeWaiver,
      taxAbatement: pkg.taxAbatement,
      tifLumpSum: pkg.tif === "lump_sum",
      tifStream: pkg.tif === "stream",
      interestBuydown: pkg.interestBuydown,
      incentiveCount: incentiveCount(pkg),
      affordableShare: tier.affordableShare,
      amiLevel: tier.amiLevel,
      marketLeveredIrr: market.summary.leveredIrr,
    };
    try {
      let tdcUsd: number | undefined;
      if (pkg.tif === "lump_sum") {
        const key = `${pkg.tier}|${pkg.smartFeeWaiver}`;
        tdcUsd = tdc.get(key);
        if (tdcUsd === undefined) {
          const pre = runEngine(
            engine,
            {
              ...project,
              scenario: "mixed_income",
              affordableShare: tier.affordableShare,
              amiLevel: tier.amiLevel,
              incentives: pkg.smartFeeWaiver ? { tier: pkg.tier, smartFeeWaiver: true } : null,
            },
            tables,
          );
          runs++;
          tdcUsd = pre.sourcesUses.tdcUsd;
          tdc.set(key, tdcUsd);
        }
      }
      const mixed = runMixed(engine, project, { ...spec, tdcUsd }, tables);
      runs++;
      const g = gapBps(mixed.summary.leveredIrr, market.summary.leveredIrr);
      rows.push({
        ...base,
        affordableUnits: mixed.summary.affordableUnits,
        mixedLeveredIrr: mixed.summary.leveredIrr,
        leveredIrrGapBps: g,
        meetsTarget: g !== null && g >= input.targetIrrGapBps,
        mixedLeveredIrrRootCount: mixed.summary.leveredIrrRootCount,
        tifLumpSumUsd: mixed.summary.tifLumpSumUsd,
        smartFeeWaiverUsd: mixed.summary.smartFeeWaiverUsd,
        cityCostUsd: mixed.applied.cityCost.totalUsd,
        error: null,
      });
    } catch (err) {
      // A package this project cannot take (e.g. a buydown below a 0% rate) is reported, not fatal.
      if (!(err instanceof ModelInputError)) throw err;
      rows.push({
        ...base,
        affordableUnits: 0,
        mixedLeveredIrr: null,
        leveredIrrGapBps: null,
        meetsTarget: false,
        mixedLeveredIrrRootCount: 0,
        tifLumpSumUsd: 0,
        smartFeeWaiverUsd: 0,
        cityCostUsd: null,
        error: err.issues.map((x) => `${x.path}: ${x.message}`).join("; "),
      });
    }
  });

  const order = rows.map((r, i) => ({ r, i }));
  order.sort(
    (a, b) => (b.r.leveredIrrGapBps ?? -Infinity) - (a.r.leveredIrrGapBps ?? -Infinity) || a.i - b.i,
  );
  const ranked: MatrixRow[] = order.map(({ r }, k) => ({ rank: k + 1, ...r }));
  const meeting = order.filter(({ r }) => r.meetsTarget);
  meeting.sort(
    (a, b) =>
      a.r.incentiveCount - b.r.incentiveCount ||
      (a.r.cityCostUsd ?? Infinity) - (b.r.cityCostUsd ?? Infinity) ||
      (b.r.leveredIrrGapBps ?? 0) - (a.r.leveredIrrGapBps ?? 0) ||
      a.i - b.i,
  );
  const minName = meeting[0]?.r.name;
  opts.onProgress?.(1, "done");
  return {
    targetIrrGapBps: input.targetIrrGapBps,
    market: market.summary,
    rows: ranked,
    minimum: ranked.find((r) => r.name === minName) ?? null,
    minimumRule: MINIMUM_RULE,
    packagesEvaluated: rows.length,
    packagesMeetingTarget: meeting.length,
    engineRuns: runs,
  };
}

export const tifIncentiveMatrixModel = defineModel({
  id: "tif-incentive-matrix",
  version: "1.1.0",
  keyResult: { path: "packagesMeetingTarget", title: "Packages meeting the target", format: "integer" },
  title: "Austin TIF: incentive matrix and minimum package",
  summary:
    "Every valid incentive package of the chosen tiers (15 per tier: fee waiver × buydown × one of none / " +
    "abatement / TIF lump sum / TIF stream), each a real tif@2 run of the mixed-income deal at the tier's " +
    "affordability requirement against the market deal; the levered-IRR gap of each and the minimum package " +
    "meeting the target (fewest incentives, then lowest cost to the city).",
  input: TifIncentiveMatrixInput,
  output: TifIncentiveMatrixOutput,
  layout: tifLayout(TifIncentiveMatrixInput, { at: "project", title: "Project" }),
  view: "tif-matrix",
  examples: [
    {
      name: "defaults-all-tiers",
      title: "The prototype's default project, all three tiers (45 packages)",
      input: {},
    },
    {
      name: "defaults-tier-2-cheap-construction",
      title: "Tier 2 only, hard cost $155k per unit",
      input: { tiers: [2], project: { hardCostPerUnitUsd: 155_000 } },
    },
  ],
  tables: [
    {
      name: "matrix",
      title: "Incentive packages by IRR gap",
      rows: "rows",
      columns: [
        { key: "rank", title: "Rank", format: "integer" },
        { key: "name", title: "Package", format: "text" },
        { key: "tier", title: "Tier", format: "integer" },
        { key: "smartFeeWaiver", title: "Fee waiver", format: "text" },
        { key: "taxAbatement", title: "Abatement", format: "text" },
        { key: "tifLumpSum", title: "TIF lump sum", format: "text" },
        { key: "tifStream", title: "TIF stream", format: "text" },
        { key: "interestBuydown", title: "Buydown", format: "text" },
        { key: "incentiveCount", title: "Incentives", format: "integer" },
        { key: "affordableUnits", title: "Affordable units", format: "integer" },
        {
          key: "marketLeveredIrr",
          title: "Market levered IRR",
          unit: "fraction/yr",
          format: "percent",
          decimals: 4,
        },
        {
          key: "mixedLeveredIrr",
          title: "Mixed levered IRR",
          unit: "fraction/yr",
          format: "percent",
          decimals: 4,
        },
        { key: "leveredIrrGapBps", title: "Gap", unit: "bps", format: "number", decimals: 1 },
        { key: "meetsTarget", title: "Meets target", format: "text" },
        { key: "cityCostUsd", title: "Cost to the city", unit: "USD", format: "currency", decimals: 2 },
        { key: "error", title: "Not evaluated because", format: "text" },
      ],
    },
  ],
  charts: [
    {
      name: "gap-by-package",
      title: "Levered-IRR gap by package (bps)",
      kind: "bar",
      table: "matrix",
      x: "name",
      y: ["leveredIrrGapBps"],
    },
  ],
  data: ["austinAmiRentLimits", "austinTaxRates"],
  run(input, ctx) {
    return incentiveMatrix(input, {
      signal: ctx.signal,
      onProgress: (f, m) => ctx.progress(f, m),
      tables: tablesFrom(ctx.data),
    });
  },
});
