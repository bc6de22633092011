/**
 * Market-rate vs mixed-income, side by side (spec §3 "Comparison"; the prototype's
 * metrics.compare_scenarios and the UI's Results tab): both deals run on the same project, the
 * mixed one under its incentive package, and the levered-IRR gap measured against the target.
 */
import { defineModel } from "@modelworks/model-kit";
import { z } from "zod";
import { pyRound } from "../compat/rounding.ts";
import { tifLayout } from "../layout.ts";
import { PROTOTYPE_TABLES, type ReferenceTables, tablesFrom } from "../reference-data/index.ts";
import { checkMixedIncome, cityDiscountField, MixedIncomeInput, mixedSpec, targetField } from "./inputs.ts";
import {
  AppliedIncentives,
  type EngineChoice,
  engineField,
  gapBps,
  ProjectInput,
  type Run,
  resolveProject,
  runMarket,
  runMixed,
  ScenarioSummary,
} from "./scenarios.ts";
import { TIER_PROGRAM } from "./tiers.ts";

export const TifComparisonInput = z
  .object({
    engine: engineField,
    project: ProjectInput.prefault({}),
    mixedIncome: MixedIncomeInput.prefault({}),
    targetIrrGapBps: targetField,
    cityDiscountRateAnnual: cityDiscountField,
  })
  .strict()
  .superRefine(checkMixedIncome);
export type TifComparisonInput = z.output<typeof TifComparisonInput>;

export const IrrGap = z.object({
  leveredIrrGapBps: z
    .number()
    .nullable()
    .describe("(mixed − market levered IRR) × 10,000; null if either IRR does not exist"),
  leveredIrrGapBpsRounded: z
    .number()
    .int()
    .nullable()
    .describe("rounded half-to-even, as the prototype's compare_scenarios reports it"),
  unleveredIrrGapBps: z.number().nullable(),
  targetBps: z.number(),
  meetsTarget: z.boolean().describe("the unrounded gap ≥ the target; false when the gap does not exist"),
  shortfallBps: z.number().nullable().describe("target − gap when not met, else 0"),
});
export type IrrGap = z.output<typeof IrrGap>;

export function irrGap(market: ScenarioSummary, mixed: ScenarioSummary, target: number): IrrGap {
  const g = gapBps(mixed.leveredIrr, market.leveredIrr);
  return {
    leveredIrrGapBps: g,
    leveredIrrGapBpsRounded: g === null ? null : pyRound(g),
    unleveredIrrGapBps: gapBps(mixed.unleveredIrr, market.unleveredIrr),
    targetBps: target,
    meetsTarget: g !== null && g >= target,
    shortfallBps: g === null ? null : Math.max(0, target - g),
  };
}

const MetricRow = z.object({
  metric: z.string(),
  unit: z.string(),
  market: z.number().nullable(),
  mixedIncome: z.number().nullable(),
  difference: z.number().nullable(),
});
const SourcesUsesRow = z.object({
  section: z.enum(["uses", "sources", "memo"]),
  item: z.string(),
  marketUsd: z.number(),
  mixedIncomeUsd: z.number(),
  differenceUsd: z.number(),
});

const YearlyRow = z.object({
  year: z.number().int().describe("project year, 1 = the first 12 periods of the deals' shared timeline"),
  marketNoiUsd: z.number(),
  mixedIncomeNoiUsd: z.number(),
  marketTifUsd: z.number().describe("TIF reimbursement + tax abatement received in the year"),
  mixedIncomeTifUsd: z.number(),
  marketLeveredCfUsd: z.number(),
  mixedIncomeLeveredCfUsd: z.number(),
  leveredCfDifferenceUsd: z.number().describe("mixed − market"),
  marketCumulativeLeveredCfUsd: z.number(),
  mixedIncomeCumulativeLeveredCfUsd: z.number(),
});
export type YearlyRow = z.output<typeof YearlyRow>;

export const TifComparisonOutput = z.object({
  engine: z.string(),
  market: ScenarioSummary,
  mixedIncome: ScenarioSummary,
  incentives: AppliedIncentives,
  tierRequirement: z.object({
    tier: z.number().int(),
    affordableShare: z.number(),
    amiLevel: z.string(),
    affordabilityTermYears: z.number().int(),
    metByThisDeal: z
      .boolean()
      .describe("the deal's affordable share is at least the tier's and its AMI level the tier's or deeper"),
  }),
  gap: IrrGap,
  keyMetrics: z.array(MetricRow),
  sourcesUses: z.array(SourcesUsesRow),
  returns: z.array(
    z.object({
      scenario: z.string(),
      leveredIrr: z.number().nullable(),
      unleveredIrr: z.number().nullable(),
      leveredMirr: z.number().nullable(),
    }),
  ),
  yearly: z
    .array(YearlyRow)
    .describe("both deals' monthly flows rolled up by project year, side by side (since 1.2.0)"),
});
export type TifComparisonOutput = z.output<typeof TifComparisonOutput>;

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);

function keyMetrics(a: ScenarioSummary, b: ScenarioSummary): z.output<typeof MetricRow>[] {
  const rows: [string, string, keyof ScenarioSummary][] = [
    ["Levered IRR", "fraction/yr", "leveredIrr"],
    ["Unlevered IRR", "fraction/yr", "unleveredIrr"],
    ["Levered MIRR", "fraction/yr", "leveredMirr"],
    ["Equity multiple", "×", "equityMultiple"],
    ["Yield on cost", "fraction", "yieldOnCost"],
    ["NOI, first operating year", "USD/yr", "noiAnnualUsd"],
    ["NPV of the levered flow", "USD", "npvLeveredUsd"],
    ["Gross potential rent", "USD/yr", "gprAnnualUsd"],
    ["Total development cost", "USD", "tdcUsd"],
    ["Sponsor equity", "USD", "equityUsd"],
    ["Permanent loan", "USD", "permLoanUsd"],
    ["Units", "units", "totalUnits"],
    ["Affordable units", "units", "affordableUnits"],
    ["TIF reimbursements in the hold", "USD", "tifReimbursementTotalUsd"],
    ["Tax abated in the hold", "USD", "taxAbatementTotalUsd"],
    ["Net sale proceeds", "USD", "reversionValueNetUsd"],
  ];
  return rows.map(([metric, unit, key]) => {
    const m = a[key] as number | null;
    const x = b[key] as number | null;
    return { metric, unit, market: m, mixedIncome: x, difference: diff(m, x) };
  });
}

function sourcesUses(engine: EngineChoice, a: ScenarioSummary, b: ScenarioSummary) {
  // On tif@1 the lump sum is not a source of funds (it only enters the levered IRR).
  const lump = (s: ScenarioSummary) => (engine === "tif@2" ? s.tifLumpSumUsd : 0);
  const rows: [z.output<typeof SourcesUsesRow>["section"], string, (s: ScenarioSummary) => number][] = [
    ["uses", "Land", (s) => s.landUsd],
    ["uses", "Hard costs (incl. contingency)", (s) => s.hardCostsUsd],
    ["uses", "Soft costs (incl. predevelopment, fee, reserves; net of fee waiver)", (s) => s.softCostsUsd],
    ["uses", "Interest during construction", (s) => s.idcUsd],
    ["uses", "Total development cost", (s) => s.tdcUsd],
    ["sources", "Construction loan", (s) => s.constructionLoanUsd],
    ["sources", "TIF lump sum", lump],
    ["sources", "Sponsor equity", (s) => s.equityUsd],
    ["sources", "Total sources", (s) => s.constructionLoanUsd + lump(s) + s.equityUsd],
    ["memo", "SMART fee waiver (taken off soft costs)", (s) => s.smartFeeWaiverUsd],
    ["memo", "Permanent loan at conversion", (s) => s.permLoanUsd],
  ];
  return rows.map(([section, item, f]) => ({
    section,
    item,
    marketUsd: f(a),
    mixedIncomeUsd: f(b),
    differenceUsd: f(b) - f(a),
  }));
}

type Periods = Run["output"]["periods"];

/**
 * The two deals' monthly rows by project year (periods 12(y−1)+1 … 12y), side by side. The deals
 * run on the same project dates, so their periods line up; a deal with fewer periods counts 0.
 */
export function yearlyComparison(market: Periods, mixed: Periods): YearlyRow[] {
  const years = Math.ceil(Math.max(market.length, mixed.length) / 12);
  const roll = (rows: Periods, y: number, f: (r: Periods[number]) => number) =>
    rows.slice(12 * (y - 1), 12 * y).reduce((s, r) => s + f(r), 0);
  const tif = (r: Periods[number]) => r.tifReimbursement + r.tifAbatement;
  const out: YearlyRow[] = [];
  let cumMarket = 0;
  let cumMixed = 0;
  for (let y = 1; y <= years; y++) {
    const a = roll(market, y, (r) => r.leveredCf);
    const b = roll(mixed, y, (r) => r.leveredCf);
    cumMarket += a;
    cumMixed += b;
    out.push({
      year: y,
      marketNoiUsd: roll(market, y, (r) => r.noi),
      mixedIncomeNoiUsd: roll(mixed, y, (r) => r.noi),
      marketTifUsd: roll(market, y, tif),
      mixedIncomeTifUsd: roll(mixed, y, tif),
      marketLeveredCfUsd: a,
      mixedIncomeLeveredCfUsd: b,
      leveredCfDifferenceUsd: b - a,
      marketCumulativeLeveredCfUsd: cumMarket,
      mixedIncomeCumulativeLeveredCfUsd: cumMixed,
    });
  }
  return out;
}

const AMI_DEPTH = ["30%", "50%", "60%", "80%", "100%"];

/** `tables`: the run's reference data (ctx.data), the shipped editions by default. */
export function compare(
  input: TifComparisonInput,
  tables: ReferenceTables = PROTOTYPE_TABLES,
): TifComparisonOutput {
  const project = resolveProject(input.project, input.engine, tables);
  const market = runMarket(input.engine, project, tables);
  const spec = mixedSpec(input.mixedIncome, input.cityDiscountRateAnnual);
  const mixed = runMixed(input.engine, project, spec, tables);
  const tier = TIER_PROGRAM[spec.pkg.tier];
  return {
    engine: input.engine,
    market: market.summary,
    mixedIncome: mixed.summary,
    incentives: mixed.applied,
    tierRequirement: {
      tier: spec.pkg.tier,
      affordableShare: tier.affordableShare,
      amiLevel: tier.amiLevel,
      affordabilityTermYears: tier.affordabilityTermYears,
      metByThisDeal:
        spec.affordableShare >= tier.affordableShare &&
        AMI_DEPTH.indexOf(spec.amiLevel) <= AMI_DEPTH.indexOf(tier.amiLevel),
    },
    gap: irrGap(market.summary, mixed.summary, input.targetIrrGapBps),
    keyMetrics: keyMetrics(market.summary, mixed.summary),
    sourcesUses: sourcesUses(input.engine, market.summary, mixed.summary),
    returns: [market.summary, mixed.summary].map((s) => ({
      scenario: s.scenario === "market" ? "Market rate" : "Mixed income",
      leveredIrr: s.leveredIrr,
      unleveredIrr: s.unleveredIrr,
      leveredMirr: s.leveredMirr,
    })),
    yearly: yearlyComparison(market.output.periods, mixed.output.periods),
  };
}

const num = (key: string, title: string, unit?: string, decimals = 6) => ({
  key,
  title,
  ...(unit ? { unit } : {}),
  format: "number" as const,
  decimals,
});
const usd = (key: string, title: string) => ({
  key,
  title,
  unit: "USD",
  format: "currency" as const,
  decimals: 2,
});
const pct = (key: string, title: string) => ({
  key,
  title,
  unit: "fraction/yr",
  format: "percent" as const,
  decimals: 4,
});

export const tifComparisonModel = defineModel({
  id: "tif-comparison",
  version: "1.2.0",
  keyResult: {
    path: "gap.leveredIrrGapBps",
    title: "Levered IRR gap (mixed − market)",
    unit: "bps",
    format: "number",
    decimals: 0,
  },
  title: "Austin TIF: market vs mixed income",
  summary:
    "Runs the market-rate deal and the mixed-income deal under an incentive package (tier, SMART fee waiver, " +
    "tax abatement, TIF lump sum or stream, interest buydown) on tif@2 or tif@1, side by side: key metrics, " +
    "sources & uses, IRRs and the levered-IRR gap in bps against the +150 bps target.",
  input: TifComparisonInput,
  output: TifComparisonOutput,
  layout: tifLayout(TifComparisonInput, { at: "project", title: "Project" }),
  view: "tif-comparison",
  examples: [
    {
      name: "defaults-tier-2-fee-lump-sum",
      title:
        "The prototype's default project; tier 2 with the SMART fee waiver and the TIF lump sum (the UI's defaults)",
      input: {},
    },
    {
      name: "defaults-tier-1-stream-buydown",
      title: "Tier 1 (5% at 30% AMI) with the TIF stream and the interest buydown",
      input: {
        mixedIncome: { incentives: { tier: 1, smartFeeWaiver: false, tif: "stream", interestBuydown: true } },
      },
    },
    {
      name: "prototype-lump-sum",
      title: "tif@1 (the prototype): tier 2 with the TIF lump sum only, as the prototype's UI runs it",
      input: { engine: "tif@1", mixedIncome: { incentives: { smartFeeWaiver: false } } },
    },
  ],
  tables: [
    {
      name: "key-metrics",
      title: "Key metrics, market vs mixed income",
      rows: "keyMetrics",
      columns: [
        { key: "metric", title: "Metric", format: "text" },
        { key: "unit", title: "Unit", format: "text" },
        num("market", "Market rate"),
        num("mixedIncome", "Mixed income"),
        num("difference", "Mixed − market"),
      ],
    },
    {
      name: "sources-uses",
      title: "Sources and uses, market vs mixed income",
      rows: "sourcesUses",
      columns: [
        { key: "section", title: "Section", format: "text" },
        { key: "item", title: "Item", format: "text" },
        usd("marketUsd", "Market rate"),
        usd("mixedIncomeUsd", "Mixed income"),
        usd("differenceUsd", "Mixed − market"),
      ],
    },
    {
      name: "yearly",
      title: "By project year, market vs mixed income",
      rows: "yearly",
      columns: [
        { key: "year", title: "Year", format: "integer" },
        usd("marketNoiUsd", "NOI, market"),
        usd("mixedIncomeNoiUsd", "NOI, mixed income"),
        usd("marketTifUsd", "TIF and abatement, market"),
        usd("mixedIncomeTifUsd", "TIF and abatement, mixed income"),
        usd("marketLeveredCfUsd", "Levered CF, market"),
        usd("mixedIncomeLeveredCfUsd", "Levered CF, mixed income"),
        usd("leveredCfDifferenceUsd", "Levered CF, mixed − market"),
        usd("marketCumulativeLeveredCfUsd", "Cumulative levered CF, market"),
        usd("mixedIncomeCumulativeLeveredCfUsd", "Cumulative levered CF, mixed income"),
      ],
    },
    {
      name: "returns",
      title: "Returns by scenario",
      rows: "returns",
      columns: [
        { key: "scenario", title: "Scenario", format: "text" },
        pct("leveredIrr", "Levered IRR"),
        pct("unleveredIrr", "Unlevered IRR"),
        pct("leveredMirr", "Levered MIRR"),
      ],
    },
  ],
  charts: [
    {
      name: "yearly-cumulative-levered-cf",
      title: "Cumulative levered cash flow by year: market vs mixed income",
      kind: "line",
      table: "yearly",
      x: "year",
      y: ["marketCumulativeLeveredCfUsd", "mixedIncomeCumulativeLeveredCfUsd"],
    },
    {
      name: "returns",
      title: "Levered and unlevered IRR: market vs mixed income",
      kind: "bar",
      table: "returns",
      x: "scenario",
      y: ["leveredIrr", "unleveredIrr"],
    },
  ],
  data: ["austinAmiRentLimits", "austinTaxRates"],
  run(input, ctx) {
    ctx.progress(0, "running both scenarios");
    const out = compare(input, tablesFrom(ctx.data));
    ctx.progress(1, "done");
    return out;
  },
});
