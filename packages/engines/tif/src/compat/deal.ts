/**
 * tif@1's entry point: the prototype's `calculate_deal` (HEAD 7487e90), step by step as in
 * ../shared/docs/specs/tif-model.md §2.3. Every module of this folder names the quirks it keeps.
 */

import { amiLimitsOf, PROTOTYPE_TABLES, type ReferenceTables, refOf } from "../reference-data/index.ts";
import type { CoreInput, PeriodRow, TifInput, TifOutput } from "../schema.ts";
import type { CashFlow, Row } from "./cashflow.ts";
import { conversionSizingNoi, monthlyCashFlow } from "./cashflow.ts";
import type { Corrections } from "./corrections.ts";
import { PROTOTYPE } from "./corrections.ts";
import { developmentCosts, sourcesAndUses, sourcesAndUsesOneSchedule } from "./costs.ts";
import { constructionDrawSchedule, oneDrawSchedule, sizeOnNoi, sizePermanentLoan } from "./debt.ts";
import { equityMultiple, irrs, lumpSumApplied, sidebarNpv } from "./metrics.ts";
import { phases } from "./schedule.ts";
import { taxStack } from "./tax.ts";
import { allocateUnits } from "./units.ts";

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export function calculateDeal(input: TifInput): TifOutput {
  return computeDeal(input, PROTOTYPE).output;
}

export interface Deal {
  output: TifOutput;
  /** tif@2's extra per-period columns (all 0 with PROTOTYPE). */
  extra: CashFlow["extra"];
  /** The part of the lump sum counted (min(lump, S&U equity)). */
  lumpSumApplied: number;
  /** The TIF terms the run used (the input's, or those `fix.tifFromTdc` resolved). */
  tif: CoreInput["tif"];
}

/** The calculation with a set of corrections: PROTOTYPE is tif@1, tif@2 passes its own. */
export function computeDeal(
  given: CoreInput,
  fix: Corrections,
  tables: ReferenceTables = PROTOTYPE_TABLES,
): Deal {
  let input = given;
  const ph = phases(
    input.predevelopmentMonths,
    input.constructionMonths,
    input.leaseupMonths,
    input.operationsMonths,
  );
  // A. Scenario: the market scenario forces the affordable share to 0.
  const aff = input.scenario === "market" ? 0 : input.affordableShare;
  // B–E. Units and GPR, costs and reserves, tax stack.
  const units = allocateUnits(input, aff, fix.netToGrossEfficiency, amiLimitsOf(tables.ami));
  const costs = developmentCosts(input, ph, units.gpr0, fix.softCostWaiverUsd);
  const tax = taxStack(input);
  // F. Sources & uses with the IDC fixed point (S&U draw schedule; tif@2: the rows' schedule).
  const su = fix.oneDrawSchedule
    ? sourcesAndUsesOneSchedule(input, ph, costs)
    : sourcesAndUses(input, ph, costs);
  // tif@2: TIF terms that depend on the TDC (the tier's lump sum); the TDC does not depend on the TIF.
  if (fix.tifFromTdc) input = { ...input, tif: fix.tifFromTdc(su.tdc) };
  // G. Cash-flow draw schedule (a different one in tif@1; the same one in tif@2).
  const lump = fix.lumpSumIsSource ? lumpSumApplied(input, su.equity) : 0;
  const draws = fix.oneDrawSchedule
    ? oneDrawSchedule(input, ph, costs, su.equity, lump).rows
    : constructionDrawSchedule(input, ph, costs, su, {
        interestPaidOnce: fix.interestPaidOnce,
        lumpSumUsd: lump,
      });
  // I. Permanent-loan sizing (tif@2: on the conversion month's row).
  const sizing = fix.sizingOnConversionRow
    ? sizeOnNoi(input, conversionSizingNoi(input, ph, aff, units, costs, su, tax, fix), su)
    : sizePermanentLoan(input, units.gpr0, costs.monthlyOpex, tax.total, su);
  // H, J. The monthly loop.
  const cf = monthlyCashFlow(input, ph, aff, units, costs, su, draws, sizing, tax, fix);
  // K. IRRs on the adjusted arrays.
  const irr = irrs(input, ph, cf.rows, costs.land, su.idc, su.equity, fix);

  const rows = cf.rows;
  let equityPaid = 0;
  for (let p = 1; p <= ph.L; p++) equityPaid += Math.abs(rows[p - 1]!.equityDraw);
  let totalNoi = 0;
  for (let p = ph.C + 1; p <= ph.T; p++) totalNoi += rows[p - 1]!.noi;
  let totalDebtService = cf.mezzaninePayments;
  for (const r of rows) totalDebtService += r.permPmt;
  const firstOps = rows[ph.L]; // period L + 1
  const noiAnnual = (firstOps?.noi ?? 0) * 12;
  const start = new Date(`${input.predevelopmentStart}T00:00:00Z`);

  const periods: PeriodRow[] = rows.map((r, i) => {
    const p = i + 1;
    const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1));
    return periodRow(
      p,
      `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`,
      p <= ph.P
        ? "predevelopment"
        : p <= ph.C
          ? "construction"
          : p <= ph.L
            ? "leaseup"
            : p < ph.T
              ? "operations"
              : "reversion",
      r,
    );
  });

  const output: TifOutput = {
    scenario: input.scenario,
    units: {
      totalUnits: units.totalUnits,
      affordableUnits: units.affordableUnits,
      gprMarketMonthlyUsd: units.gprMarket,
      gprAffordableMonthlyUsd: units.gprAffordable,
      gprTotalAnnualUsd: units.gpr0 * 12,
      allocation: units.allocation,
    },
    sourcesUses: {
      landUsd: costs.land,
      hardCostsInclContingencyUsd: costs.hard,
      softCostsInclReservesPredevDevFeeUsd: costs.soft,
      softCostShareEffective: costs.softShareEffective,
      reservesUsd: costs.reserves,
      idcUsd: su.idc,
      tdcUsd: su.tdc,
      constructionLoanUsd: su.constructionLoan,
      equityUsd: su.equity,
      hardCostContingencyUsd: costs.display.hardContingency,
      softCostContingencyUsd: costs.display.softContingency,
      predevelopmentCostsUsd: costs.display.predev,
      developerFeeUsd: costs.display.devFee,
      idcIterations: su.iterations,
    },
    permanentLoan: {
      fundedUsd: cf.permLoan,
      sizingMaxUsd: sizing.maxLoan,
      ltvAmountUsd: sizing.ltvAmount,
      dscrAmountUsd: sizing.dscrAmount,
      bindingConstraint: sizing.binding,
      monthlyPaymentUsd: cf.permPmt,
      stabilizedNoiForSizingUsd: sizing.stabilizedNoi,
      stabilizedValueForLtvUsd: sizing.stabilizedValue,
      constructionPayoffAtConversionUsd: cf.constructionPayoff,
    },
    returns: {
      leveredIrr: finiteOrNull(irr.levered.annual),
      unleveredIrr: finiteOrNull(irr.unlevered.annual),
      leveredIrrMonthlyRoots: irr.levered.monthlyRoots,
      unleveredIrrMonthlyRoots: irr.unlevered.monthlyRoots,
      tifLumpSumAppliedUsd: irr.lumpSumApplied,
      equityMultiple: equityMultiple(rows),
      npvLeveredUsd: sidebarNpv(rows, input.npvDiscountRateAnnual),
      npvDiscountRateAnnual: input.npvDiscountRateAnnual,
    },
    metrics: {
      noiAnnualUsd: noiAnnual,
      yieldOnCost: noiAnnual / su.tdc,
      equityRequiredUsd: su.equity,
      debtAmountUsd: su.constructionLoan,
    },
    totals: {
      // tif@2: the equity draws already exclude what the lump sum paid.
      totalEquityInvestedUsd: equityPaid - (fix.lumpSumIsSource ? 0 : irr.lumpSumApplied),
      totalNoiUsd: totalNoi,
      totalDebtServiceUsd: totalDebtService,
      reversionValueNetUsd: rows[ph.T - 1]!.reversion,
    },
    phaseEnds: {
      predevelopmentEnd: ph.P,
      constructionEnd: ph.C,
      leaseupEnd: ph.L,
      operationsEnd: ph.L + ph.O,
      totalPeriods: ph.T,
    },
    periods,
    // The tax rates come from the input here; tif@2 adds the tax dataset when it filled them in.
    referenceData: [refOf(tables.ami)],
  };
  return { output, extra: cf.extra, lumpSumApplied: irr.lumpSumApplied, tif: input.tif };
}

/**
 * A period row, every key written out: `{ period, month, phase, ...r }` built 67 slow objects per
 * run and was a third of a run's time (what a Monte Carlo of thousands of runs pays for).
 */
function periodRow(period: number, month: string, phase: PeriodRow["phase"], r: Row): PeriodRow {
  return {
    period,
    month,
    phase,
    leveredCf: r.leveredCf,
    unleveredCf: r.unleveredCf,
    adjustedUnleveredCfForIrr: r.adjustedUnleveredCfForIrr,
    adjustedLeveredCfForIrr: r.adjustedLeveredCfForIrr,
    tdcDraw: r.tdcDraw,
    equityDraw: r.equityDraw,
    constDebtDraw: r.constDebtDraw,
    constDebtInterest: r.constDebtInterest,
    constDebtEop: r.constDebtEop,
    constDebtNetCf: r.constDebtNetCf,
    occupancy: r.occupancy,
    gpr: r.gpr,
    egi: r.egi,
    mgmtFee: r.mgmtFee,
    opexExTaxes: r.opexExTaxes,
    propertyTaxesNet: r.propertyTaxesNet,
    tifReimbursement: r.tifReimbursement,
    tifAbatement: r.tifAbatement,
    noi: r.noi,
    replacementReserves: r.replacementReserves,
    reversion: r.reversion,
    permPmt: r.permPmt,
    permInterest: r.permInterest,
    permEop: r.permEop,
    permNetCf: r.permNetCf,
    escalationYear: r.escalationYear,
  };
}
