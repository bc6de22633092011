/**
 * tif@2's calculation: tif@1's modules (src/compat) run with every correction switched on
 * (compat/corrections.ts), the incentives applied, and the returns reported with all IRR roots and
 * the MIRR. See the CHANGELOG for each change and its effect on the default case.
 */

import type { Corrections } from "../compat/corrections.ts";
import { computeDeal } from "../compat/deal.ts";
import { allocateUnits } from "../compat/units.ts";
import { mirr } from "../financial.ts";
import { PROTOTYPE_TABLES, type ReferenceTables, refOf, taxRatesOf } from "../reference-data/index.ts";
import { annualSummary } from "./annual.ts";
import { CONSTRUCTION_EFFICIENCY, TIERS, tierLumpSumUsd } from "./incentives.ts";
import type { TifV2Input, TifV2Output } from "./schema.ts";

const annual = (monthly: number) => (1 + monthly) ** 12 - 1;
const monthly = (annualRate: number) => (1 + annualRate) ** (1 / 12) - 1;
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** Annualized MIRR of monthly flows with annual finance and reinvestment rates; NaN when undefined. */
export function annualMirr(values: readonly number[], financeAnnual: number, reinvestAnnual: number): number {
  return annual(mirr(values, monthly(financeAnnual), monthly(reinvestAnnual)));
}

/**
 * `tables`: the reference data of the run (ctx.data), the shipped editions by default.
 * `switches`: corrections to override, for measuring one change alone (the CHANGELOG's effects
 * script and the tests); a run of the model never passes them.
 */
export function calculateDealV2(
  input: TifV2Input,
  tables: ReferenceTables = PROTOTYPE_TABLES,
  switches: Partial<Corrections> = {},
): TifV2Output {
  const inc = input.incentives;
  const tier = inc ? TIERS[inc.tier] : null;
  const buydownBps = inc?.interestBuydown && tier ? tier.buydownBps : 0;
  // The buydown lowers the permanent rate for both the sizing and the payment.
  // Tax rates left out of the input come from the tax-rate table.
  const taxFromTable = input.taxRatesPer100Usd === undefined;
  const core = {
    ...input,
    taxRatesPer100Usd: input.taxRatesPer100Usd ?? taxRatesOf(tables.tax),
    permRateAnnual: input.permRateAnnual - buydownBps / 10_000,
  };
  const efficiency = CONSTRUCTION_EFFICIENCY[input.constructionType];
  const aff = input.scenario === "market" ? 0 : input.affordableShare;
  const waiver =
    inc?.smartFeeWaiver && tier
      ? allocateUnits(core, aff, efficiency).affordableUnits * tier.smartWaiverPerAffordableUnitUsd
      : 0;
  // The tier's abatement or TIF (2.2.0): its terms become the `tif` the modules read; the lump sum
  // needs the TDC, which the TIF does not change, so it is resolved once the TDC is known.
  const tierTif = (tdcUsd: number): TifV2Input["tif"] => {
    const none = { ...input.tif, treatment: "none" as const };
    if (!inc || !tier) return input.tif;
    if (inc.taxAbatement)
      return {
        ...none,
        treatment: "abatement",
        abatementShare: tier.abatementShare,
        abatementYears: tier.abatementYears,
      };
    if (inc.tif === "stream")
      return { ...none, treatment: "stream", streamShare: 1, streamYears: tier.tifTermYears };
    if (inc.tif === "lump_sum") {
      const city = (core.taxRatesPer100Usd.city ?? 0) / 100;
      const lump = tierLumpSumUsd(tdcUsd, input.existingAssessedValueUsd, city, tier.tifCapRate);
      return { ...none, treatment: "lump_sum", lumpSumUsd: lump };
    }
    return input.tif;
  };
  const fix: Corrections = {
    interestPaidOnce: true,
    lastPrincipalOnce: true,
    mezzanineAndPreferredFunded: true,
    trailingExitApplies: true,
    lumpSumIsSource: true,
    softCostWaiverUsd: waiver,
    netToGrossEfficiency: efficiency,
    oneDrawSchedule: true,
    tifWindowAtStepUp: true,
    sizingOnConversionRow: true,
    landInUnleveredIrr: true,
    tifFromTdc: inc && (inc.taxAbatement || inc.tif !== "none") ? tierTif : null,
    ...switches,
  };
  const { output: o, extra, lumpSumApplied, tif } = computeDeal(core, fix, tables);

  const adjL = o.periods.map((p) => p.adjustedLeveredCfForIrr);
  const adjU = o.periods.map((p) => p.adjustedUnleveredCfForIrr);
  const { financeRateAnnual: f, reinvestmentRateAnnual: r } = input.mirr;
  const equity = o.sourcesUses.equityUsd - lumpSumApplied;
  // Merged in place (the rows are this run's own): spreading 29-key rows was half of a run's time.
  const periods = o.periods.map((p, i) => Object.assign(p, extra[i]!));
  return {
    ...o,
    sourcesUses: {
      ...o.sourcesUses,
      equityUsd: equity,
      tifLumpSumUsd: lumpSumApplied,
      smartFeeWaiverUsd: waiver,
    },
    metrics: { ...o.metrics, equityRequiredUsd: equity },
    returns: {
      ...o.returns,
      leveredIrrAnnualRoots: o.returns.leveredIrrMonthlyRoots.map(annual),
      unleveredIrrAnnualRoots: o.returns.unleveredIrrMonthlyRoots.map(annual),
      leveredIrrRootCount: o.returns.leveredIrrMonthlyRoots.length,
      unleveredIrrRootCount: o.returns.unleveredIrrMonthlyRoots.length,
      leveredMirr: finiteOrNull(annualMirr(adjL, f, r)),
      unleveredMirr: finiteOrNull(annualMirr(adjU, f, r)),
      mirrFinanceRateAnnual: f,
      mirrReinvestmentRateAnnual: r,
    },
    incentives: {
      tier: inc ? inc.tier : null,
      smartFeeWaiverUsd: waiver,
      interestBuydownBps: buydownBps,
      permRateEffectiveAnnual: core.permRateAnnual,
      netToGrossEfficiency: efficiency,
      tifTreatment: tif.treatment,
      tifLumpSumUsd: tif.treatment === "lump_sum" ? tif.lumpSumUsd : 0,
      tifStreamYears: tif.treatment === "stream" ? tif.streamYears : 0,
      tifAbatementYears: tif.treatment === "abatement" ? tif.abatementYears : 0,
    },
    annual: annualSummary(periods, {
      permLoanFundedUsd: o.permanentLoan.fundedUsd,
      equityInvestedUsd: o.totals.totalEquityInvestedUsd,
      mezzanineAmountUsd: input.mezzanine.amountUsd,
      preferredAmountUsd: input.preferredEquity.amountUsd,
    }),
    periods,
    referenceData: taxFromTable ? [...o.referenceData, refOf(tables.tax)] : o.referenceData,
  };
}
