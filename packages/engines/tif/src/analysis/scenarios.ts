/**
 * Runs the two scenarios the analyses compare: the market-rate deal and the mixed-income deal
 * under an incentive package, on tif@2 (default) or tif@1. Every evaluation is a real run of the
 * engine; nothing is interpolated. The market deal never gets incentives.
 *
 * How a package becomes engine input (tier terms from tiers.ts):
 * - SMART fee waiver, interest buydown → tif@2's `incentives` (tif@1 ignores them: refused);
 * - tax abatement → treatment "abatement", 100% for the tier's abatement term;
 * - TIF lump sum → treatment "lump_sum" with the calculator's amount (tif-lump-sum) on the
 *   mixed deal's own TDC as the new assessed value (one run without the TIF finds it; the TDC
 *   does not depend on the TIF), unless an amount is given;
 * - TIF stream → treatment "stream", 100% (or a given share) for the tier's TIF term. The
 *   engine's stream follows the assessed value's growth; the tier's escalation rate only drives
 *   the calculator's build-up schedule.
 */
import { issuesOf, ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import { calculateDeal } from "../compat/deal.ts";
import { pmt } from "../financial.ts";
import { PROTOTYPE_TABLES, type ReferenceTables, taxRatesOf } from "../reference-data/index.ts";
import { type AMI_LEVELS, checkUnitMix, TIF_INPUT_FIELDS, TifInput, type TifOutput } from "../schema.ts";
import { calculateDealV2 } from "../v2/deal.ts";
import { TifV2Input, type TifV2Output } from "../v2/schema.ts";
import { taxRates, tifLumpSum } from "./lump-sum.ts";
import { type IncentivePackage, incentiveCount, packageName } from "./package.ts";
import { TIER_PROGRAM } from "./tiers.ts";

export const ENGINES = ["tif@2", "tif@1"] as const;
export type EngineChoice = (typeof ENGINES)[number];
export type AmiLevel = (typeof AMI_LEVELS)[number];

export const engineField = z
  .enum(ENGINES)
  .default("tif@2")
  .describe("tif@2 (corrected, default) or tif@1 (the prototype exactly; no fee waiver or buydown)");

/**
 * The project both scenarios share: tif@2's input without what the analysis sets per scenario
 * (scenario, affordable share, AMI level, incentives, TIF).
 */
const {
  scenario: _scenario,
  tif: _tif,
  incentives: _incentives,
  affordableShare: _affordableShare,
  amiLevel: _amiLevel,
  ...PROJECT_FIELDS
} = TifV2Input.shape;
// The analyses size lump sums and city costs from the project's tax rates: omitted, they are the
// tax-rate table of the run (`ctx.data`, the platform's current edition; tif@1: the prototype's),
// resolved once (resolveProject) so every run of an analysis uses the same stack.
export const ProjectInput = z
  .object({
    ...PROJECT_FIELDS,
    taxRatesPer100Usd: TIF_INPUT_FIELDS.taxRatesPer100Usd
      .unwrap()
      .optional()
      .describe(
        "$ per $100 of assessed value, by taxing unit; only city takes part in the TIF. Omitted: the " +
          "austin-tax-rates reference table (tif@1: the prototype's)",
      ),
  })
  .strict()
  .superRefine(checkUnitMix);
/** The project with its tax rates resolved (what the runs take). */
export type ProjectInput = Omit<z.output<typeof ProjectInput>, "taxRatesPer100Usd"> & {
  taxRatesPer100Usd: Record<string, number>;
};

/** The tables a run of `engine` reads: tif@1 always the prototype's (it must reproduce it). */
export function tablesFor(engine: EngineChoice, tables: ReferenceTables): ReferenceTables {
  return engine === "tif@1" ? PROTOTYPE_TABLES : tables;
}

/** The project with omitted tax rates taken from the run's tax-rate table. */
export function resolveProject(
  project: z.output<typeof ProjectInput>,
  engine: EngineChoice,
  tables: ReferenceTables,
): ProjectInput {
  return {
    ...project,
    taxRatesPer100Usd: project.taxRatesPer100Usd ?? taxRatesOf(tablesFor(engine, tables).tax),
  };
}

/** What the comparison reports of each scenario. */
export const ScenarioSummary = z.object({
  scenario: z.enum(["market", "mixed_income"]),
  engine: z.enum(ENGINES),
  affordableShare: z.number().describe("realized: affordable units / units (after the per-type rounding)"),
  amiLevel: z.string().nullable(),
  totalUnits: z.number().int(),
  affordableUnits: z.number().int(),
  leveredIrr: z.number().nullable().describe("annualized; null when no IRR exists"),
  unleveredIrr: z.number().nullable(),
  leveredIrrRootCount: z
    .number()
    .int()
    .describe("more than 1: the IRR is ambiguous (the root nearest 0 is shown)"),
  leveredMirr: z.number().nullable().describe("tif@2 only"),
  equityMultiple: z.number().nullable(),
  yieldOnCost: z.number(),
  noiAnnualUsd: z.number(),
  npvLeveredUsd: z.number(),
  gprAnnualUsd: z.number(),
  landUsd: z.number(),
  hardCostsUsd: z.number(),
  softCostsUsd: z.number(),
  idcUsd: z.number(),
  tdcUsd: z.number(),
  constructionLoanUsd: z.number(),
  equityUsd: z.number().describe("sponsor equity (tif@2: after the TIF lump sum)"),
  tifLumpSumUsd: z.number().describe("lump sum applied (tif@1: to the levered IRR only)"),
  smartFeeWaiverUsd: z.number(),
  permLoanUsd: z.number(),
  permLoanBindingConstraint: z.string(),
  tifReimbursementTotalUsd: z.number(),
  taxAbatementTotalUsd: z.number(),
  reversionValueNetUsd: z.number(),
});
export type ScenarioSummary = z.output<typeof ScenarioSummary>;

/** The city's cost of a package, per incentive and in total, over each incentive's full term. */
export const CityCost = z.object({
  smartFeeWaiverUsd: z.number(),
  tifLumpSumUsd: z.number(),
  tifStreamUsd: z.number(),
  taxAbatementUsd: z.number(),
  interestBuydownUsd: z.number(),
  totalUsd: z.number(),
  discountRateAnnual: z.number(),
});
export type CityCost = z.output<typeof CityCost>;

/** The TIF and incentive terms a package resolved to on this deal. */
export const AppliedIncentives = z.object({
  name: z.string(),
  tier: z.number().int(),
  smartFeeWaiver: z.boolean(),
  taxAbatement: z.boolean(),
  tif: z.enum(["none", "lump_sum", "stream"]),
  interestBuydown: z.boolean(),
  incentiveCount: z.number().int(),
  tifTreatment: z.enum(["none", "lump_sum", "abatement", "stream"]),
  tifLumpSumRequestedUsd: z.number(),
  tifLumpSumSource: z.enum(["none", "calculator", "given"]),
  tifStreamShare: z.number(),
  tifStreamYears: z.number().int(),
  abatementShare: z.number(),
  abatementYears: z.number().int(),
  interestBuydownBps: z.number(),
  cityCost: CityCost,
});
export type AppliedIncentives = z.output<typeof AppliedIncentives>;

export interface Run {
  output: TifOutput | TifV2Output;
  summary: ScenarioSummary;
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

function isV2(o: TifOutput | TifV2Output): o is TifV2Output {
  return "incentives" in o;
}

/** One engine run on a complete tif@2-shaped input (plus tif@1's tier label when on tif@1). */
export function runEngine(
  engine: EngineChoice,
  raw: Record<string, unknown>,
  tables: ReferenceTables = PROTOTYPE_TABLES,
): TifOutput | TifV2Output {
  try {
    if (engine === "tif@2") {
      const r = TifV2Input.safeParse(raw);
      if (!r.success) throw new ModelInputError(issuesOf(r.error, "project"));
      return calculateDealV2(r.data, tables);
    }
    const { mirr: _mirr, incentives: _inc, ...rest } = raw;
    const r = TifInput.safeParse(rest);
    if (!r.success) throw new ModelInputError(issuesOf(r.error, "project"));
    return calculateDeal(r.data);
  } catch (err) {
    if (err instanceof Error && /did not converge/.test(err.message))
      throw new ModelInputError([{ path: "project", message: err.message }]);
    throw err;
  }
}

export function summarize(
  engine: EngineChoice,
  o: TifOutput | TifV2Output,
  amiLevel: string | null,
): ScenarioSummary {
  const v2 = isV2(o) ? o : null;
  const aff =
    o.scenario === "market" ? 0 : o.units.totalUnits > 0 ? o.units.affordableUnits / o.units.totalUnits : 0;
  return {
    scenario: o.scenario,
    engine,
    affordableShare: aff,
    amiLevel: o.scenario === "market" ? null : amiLevel,
    totalUnits: o.units.totalUnits,
    affordableUnits: o.units.affordableUnits,
    leveredIrr: o.returns.leveredIrr,
    unleveredIrr: o.returns.unleveredIrr,
    leveredIrrRootCount: o.returns.leveredIrrMonthlyRoots.length,
    leveredMirr: v2 ? v2.returns.leveredMirr : null,
    equityMultiple: o.returns.equityMultiple,
    yieldOnCost: o.metrics.yieldOnCost,
    noiAnnualUsd: o.metrics.noiAnnualUsd,
    npvLeveredUsd: o.returns.npvLeveredUsd,
    gprAnnualUsd: o.units.gprTotalAnnualUsd,
    landUsd: o.sourcesUses.landUsd,
    hardCostsUsd: o.sourcesUses.hardCostsInclContingencyUsd,
    softCostsUsd: o.sourcesUses.softCostsInclReservesPredevDevFeeUsd,
    idcUsd: o.sourcesUses.idcUsd,
    tdcUsd: o.sourcesUses.tdcUsd,
    constructionLoanUsd: o.sourcesUses.constructionLoanUsd,
    equityUsd: o.sourcesUses.equityUsd,
    tifLumpSumUsd: o.returns.tifLumpSumAppliedUsd,
    smartFeeWaiverUsd: v2 ? v2.sourcesUses.smartFeeWaiverUsd : 0,
    permLoanUsd: o.permanentLoan.fundedUsd,
    permLoanBindingConstraint: o.permanentLoan.bindingConstraint,
    tifReimbursementTotalUsd: sum(o.periods.map((p) => p.tifReimbursement)),
    taxAbatementTotalUsd: sum(o.periods.map((p) => p.tifAbatement)),
    reversionValueNetUsd: o.totals.reversionValueNetUsd,
  };
}

export function runMarket(
  engine: EngineChoice,
  project: ProjectInput,
  tables: ReferenceTables = PROTOTYPE_TABLES,
): Run {
  const output = runEngine(engine, { ...project, scenario: "market" }, tables);
  return { output, summary: summarize(engine, output, null) };
}

export interface MixedSpec {
  affordableShare: number;
  amiLevel: AmiLevel;
  pkg: IncentivePackage;
  /** A given lump sum; null/undefined = the calculator's on the mixed deal's TDC. */
  lumpSumUsd?: number | null;
  /** A given stream share; null/undefined = 100%. */
  streamShare?: number | null;
  /** Project fields changed for the mixed deal only (the solve's levers). */
  overrides?: Partial<ProjectInput>;
  /** The mixed deal's TDC when already known (saves the calculator's extra run). */
  tdcUsd?: number;
  cityDiscountRateAnnual?: number;
}

export interface MixedRun extends Run {
  applied: AppliedIncentives;
}

/** The mixed-income deal's engine input under a package, without its TIF. */
function mixedBase(engine: EngineChoice, project: ProjectInput, s: MixedSpec): Record<string, unknown> {
  const p = s.pkg;
  const incentives =
    p.smartFeeWaiver || p.interestBuydown
      ? { tier: p.tier, smartFeeWaiver: p.smartFeeWaiver, interestBuydown: p.interestBuydown }
      : null;
  return {
    ...project,
    ...s.overrides,
    scenario: "mixed_income",
    affordableShare: s.affordableShare,
    amiLevel: s.amiLevel,
    incentives,
    ...(engine === "tif@1" ? { selectedTier: p.tier } : {}),
  };
}

export function runMixed(
  engine: EngineChoice,
  project: ProjectInput,
  s: MixedSpec,
  tables: ReferenceTables = PROTOTYPE_TABLES,
): MixedRun {
  const p = s.pkg;
  const tier = TIER_PROGRAM[p.tier];
  const base = mixedBase(engine, project, s);
  let tif: Record<string, unknown> = { treatment: "none" };
  let lumpRequested = 0;
  let lumpSource: AppliedIncentives["tifLumpSumSource"] = "none";
  if (p.taxAbatement)
    tif = {
      treatment: "abatement",
      abatementShare: tier.abatementShare,
      abatementYears: tier.abatementYears,
    };
  if (p.tif === "stream")
    tif = { treatment: "stream", streamShare: s.streamShare ?? 1, streamYears: tier.tifTermYears };
  if (p.tif === "lump_sum") {
    if (s.lumpSumUsd !== undefined && s.lumpSumUsd !== null) {
      lumpRequested = s.lumpSumUsd;
      lumpSource = "given";
    } else {
      const pre = s.tdcUsd === undefined ? runEngine(engine, base, tables) : null;
      const rates = (base.taxRatesPer100Usd as Record<string, number>) ?? project.taxRatesPer100Usd;
      lumpRequested = tifLumpSum({
        newAssessedValueUsd: s.tdcUsd ?? pre!.sourcesUses.tdcUsd,
        baseAssessedValueUsd: (base.existingAssessedValueUsd as number) ?? project.existingAssessedValueUsd,
        tier: p.tier,
        affordableUnits: pre?.units.affordableUnits ?? 0,
        taxRatesPer100Usd: rates,
      }).lumpSumUsd;
      lumpSource = "calculator";
    }
    tif = { treatment: "lump_sum", lumpSumUsd: lumpRequested };
  }
  const output = runEngine(engine, { ...base, tif }, tables);
  const summary = summarize(engine, output, s.amiLevel);
  const t = { streamShare: 0, streamYears: 0, abatementShare: 0, abatementYears: 0, ...tif } as {
    treatment: AppliedIncentives["tifTreatment"];
    streamShare: number;
    streamYears: number;
    abatementShare: number;
    abatementYears: number;
  };
  const buydownBps = p.interestBuydown ? tier.buydownBps : 0;
  const applied: AppliedIncentives = {
    name: packageName(p),
    tier: p.tier,
    smartFeeWaiver: p.smartFeeWaiver,
    taxAbatement: p.taxAbatement,
    tif: p.tif,
    interestBuydown: p.interestBuydown,
    incentiveCount: incentiveCount(p),
    tifTreatment: t.treatment,
    tifLumpSumRequestedUsd: lumpRequested,
    tifLumpSumSource: lumpSource,
    tifStreamShare: t.streamShare,
    tifStreamYears: t.streamYears,
    abatementShare: t.abatementShare,
    abatementYears: t.abatementYears,
    interestBuydownBps: buydownBps,
    cityCost: cityCost(
      { ...project, ...s.overrides } as ProjectInput,
      summary,
      t,
      buydownBps,
      s.affordableShare,
      s.cityDiscountRateAnnual ?? 0,
    ),
  };
  return { output, summary, applied };
}

/**
 * What the city gives up, in closed form over each incentive's FULL term (not just the modelled
 * hold), discounted at `d` (0 = nominal dollars):
 * - fee waiver and lump sum: their amounts, at the start;
 * - stream: year y's city increment max(0, TDC − base AV) × τc × share × (1 + g)^(y−1), y = 1…term,
 *   g = property-tax growth, each discounted by (1 + d)^y;
 * - abatement: the same with TDC × τc × share × affordable share (the engine abates the full AV's
 *   city tax on the affordable share);
 * - buydown: the monthly payment difference on the funded permanent loan, base rate vs bought-down
 *   rate, over the full amortization, discounted monthly.
 */
export function cityCost(
  project: ProjectInput,
  mixed: ScenarioSummary,
  tif: {
    treatment: string;
    streamShare: number;
    streamYears: number;
    abatementShare: number;
    abatementYears: number;
  },
  buydownBps: number,
  affordableShare: number,
  d: number,
): CityCost {
  const city = taxRates(project.taxRatesPer100Usd).city;
  const g = project.propertyTaxGrowthAnnual;
  const annuity = (first: number, years: number) => {
    let total = 0;
    for (let y = 1; y <= years; y++) total += (first * (1 + g) ** (y - 1)) / (1 + d) ** y;
    return total;
  };
  const stream =
    tif.treatment === "stream"
      ? annuity(
          Math.max(0, mixed.tdcUsd - project.existingAssessedValueUsd) * city * tif.streamShare,
          tif.streamYears,
        )
      : 0;
  const abatement =
    tif.treatment === "abatement"
      ? annuity(mixed.tdcUsd * city * tif.abatementShare * affordableShare, tif.abatementYears)
      : 0;
  let buydown = 0;
  if (buydownBps > 0 && mixed.permLoanUsd > 0) {
    const n = project.permAmortYears * 12;
    const diff =
      pmt(project.permRateAnnual / 12, n, -mixed.permLoanUsd) -
      pmt((project.permRateAnnual - buydownBps / 10_000) / 12, n, -mixed.permLoanUsd);
    const dm = (1 + d) ** (1 / 12) - 1;
    for (let m = 1; m <= n; m++) buydown += diff / (1 + dm) ** m;
  }
  const parts = {
    smartFeeWaiverUsd: mixed.smartFeeWaiverUsd,
    tifLumpSumUsd: mixed.tifLumpSumUsd,
    tifStreamUsd: stream,
    taxAbatementUsd: abatement,
    interestBuydownUsd: buydown,
  };
  return {
    ...parts,
    totalUsd: parts.smartFeeWaiverUsd + parts.tifLumpSumUsd + stream + abatement + buydown,
    discountRateAnnual: d,
  };
}

/** The gap in basis points between two annual IRRs; null when either does not exist. */
export function gapBps(mixed: number | null, market: number | null): number | null {
  return mixed === null || market === null ? null : (mixed - market) * 10_000;
}
