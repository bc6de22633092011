/**
 * The monthly loop, p = 1…T (spec §2.3 J; generate_detailed_cash_flow).
 */
import type { SeriesKey, CoreInput as TifInput } from "../schema.ts";
import type { Corrections } from "./corrections.ts";
import { PROTOTYPE } from "./corrections.ts";
import type { Costs, SourcesUses } from "./costs.ts";
import type { DrawPeriod, PermSizing } from "./debt.ts";
import { permPayment } from "./debt.ts";
import type { Phases } from "./schedule.ts";
import { escalationYear } from "./schedule.ts";
import type { TaxStack } from "./tax.ts";
import { assessedValue, tifMonth } from "./tax.ts";
import type { UnitsAndGpr } from "./units.ts";

/** One row per period; the IRR-adjusted columns are filled in by metrics.ts. */
export type Row = Record<SeriesKey, number>;

export interface CashFlow {
  rows: Row[];
  permLoan: number;
  permPmt: number;
  constructionPayoff: number;
  mezzaninePayments: number;
  preferredPayments: number;
  /** Per period (tif@2's extra columns; all 0 in tif@1): TIF lump sum spent, mezzanine and preferred net flows. */
  extra: { tifLumpSumDraw: number; mezzanineNetCf: number; preferredNetCf: number }[];
}

export function monthlyCashFlow(
  input: TifInput,
  ph: Phases,
  aff: number,
  units: UnitsAndGpr,
  costs: Costs,
  su: SourcesUses,
  draws: DrawPeriod[],
  sizing: PermSizing,
  tax: TaxStack,
  fix: Corrections = PROTOTYPE,
): CashFlow {
  const { C, L, T } = ph;
  const rp = input.permRateAnnual / 12;
  const n = input.permAmortYears * 12;
  const constructionPayoff = L > 0 ? draws[L - 1]!.balance : 0;
  const permLoan = Math.min(sizing.maxLoan, constructionPayoff);
  const pmt = permPayment(permLoan, rp, n);
  const mezzPmt = (input.mezzanine.amountUsd * input.mezzanine.rateAnnual) / 12;
  const prefPmt = (input.preferredEquity.amountUsd * input.preferredEquity.returnAnnual) / 12;
  let permBal = 0;
  let mezzaninePayments = 0;
  let preferredPayments = 0;
  const rows: Row[] = [];
  const extra: CashFlow["extra"] = [];

  for (let p = 1; p <= T; p++) {
    const y = escalationYear(p, C);
    const row: Row = {
      leveredCf: 0,
      unleveredCf: 0,
      adjustedUnleveredCfForIrr: 0,
      adjustedLeveredCfForIrr: 0,
      tdcDraw: 0,
      equityDraw: 0,
      constDebtDraw: 0,
      constDebtInterest: 0,
      constDebtEop: 0,
      constDebtNetCf: 0,
      occupancy: 0,
      gpr: 0,
      egi: 0,
      mgmtFee: 0,
      opexExTaxes: 0,
      propertyTaxesNet: 0,
      tifReimbursement: 0,
      tifAbatement: 0,
      noi: 0,
      replacementReserves: 0,
      reversion: 0,
      permPmt: 0,
      permInterest: 0,
      permEop: 0,
      permNetCf: 0,
      escalationYear: y,
    };

    // Development and construction debt (periods 1..L come from the cash-flow draw schedule).
    if (p <= L) {
      const d = draws[p - 1]!;
      if (p <= C) row.tdcDraw = d.tdcDraw;
      row.equityDraw = -d.equity;
      row.constDebtDraw = d.debtDraw;
      row.constDebtInterest = d.interest;
      row.constDebtEop = d.balance;
      // The net construction-debt flow is the draw; the capitalized interest is repaid at L + 1.
      row.constDebtNetCf = d.debtDraw;
    } else if (p === L + 1) {
      row.constDebtNetCf = -constructionPayoff;
    }

    // Operations (lease-up, operations and the reversion month).
    if (p > C) {
      const gpr =
        units.gprMarket * (1 + input.marketRentGrowthAnnual) ** y +
        units.gprAffordable * (1 + input.affordableRentGrowthAnnual) ** y;
      const occ =
        p <= L ? Math.min(input.maxOccupancy, input.leaseupPacePerMonth * (p - C)) : input.maxOccupancy;
      const egi = gpr * occ;
      const mgmt = egi * input.managementFeeShareOfEgi;
      const opex = costs.monthlyOpex * (1 + input.opexGrowthAnnual) ** y;
      const av = assessedValue(input, ph, su.tdc, p);
      const grossTax = (av * tax.total) / 12;
      const tif = tifMonth(input, ph, tax, av, p, aff, fix.tifWindowAtStepUp);
      const netTax = grossTax - tif.abatement;
      row.occupancy = occ;
      row.gpr = gpr;
      row.egi = egi;
      row.mgmtFee = mgmt;
      row.opexExTaxes = opex;
      row.propertyTaxesNet = netTax;
      row.tifAbatement = tif.abatement;
      row.tifReimbursement = tif.reimbursement;
      row.noi = egi - mgmt - opex - netTax + tif.reimbursement;
      // Replacement reserves reduce the unlevered cash flow only, not NOI.
      if (egi > 0) row.replacementReserves = -egi * input.reservesShareOfEgi;
    }

    // Reversion: forward basis always — TRAILING is compared against a string in the prototype
    // and never applies (trap 10). The reversion month's own, escalated NOI.
    if (p === T) {
      // tif@2 (trap 10): trailing = the 12 months of NOI before the reversion month (T−12 … T−1).
      let exitNoi = row.noi * 12;
      if (fix.trailingExitApplies && input.reversionNoiBasis === "trailing") {
        exitNoi = 0;
        for (let q = Math.max(1, T - 12); q < T; q++) exitNoi += rows[q - 1]!.noi;
      }
      row.reversion = (exitNoi / input.exitCapRate) * (1 - input.sellingCostsShare);
    }

    row.unleveredCf = (p <= C ? -row.tdcDraw : 0) + row.noi + row.replacementReserves + row.reversion;

    // Permanent loan: funded at L + 1 for min(sizing, construction payoff).
    if (p === L + 1) {
      row.permPmt = pmt;
      row.permInterest = permLoan * rp;
      permBal = permLoan - (pmt - permLoan * rp);
      row.permEop = permBal;
      row.permNetCf = permLoan - pmt;
    } else if (p > L + 1 && p < T) {
      row.permPmt = pmt;
      row.permInterest = permBal * rp;
      permBal -= pmt - permBal * rp;
      row.permEop = permBal;
      row.permNetCf = -pmt;
    } else if (p === T && p > L + 1) {
      // The last month pays the payment AND the whole opening balance: this month's principal
      // is paid twice (trap 5).
      row.permPmt = pmt;
      row.permInterest = permBal * rp;
      // tif@2 (trap 5): the payment, then the balance left after its principal.
      row.permNetCf = fix.lastPrincipalOnce ? -pmt - (permBal - (pmt - permBal * rp)) : -pmt - permBal;
      row.permEop = 0;
    }

    // Mezzanine and preferred: interest-only in operations months (L < p ≤ L + O), never funded
    // and never repaid — the payoff branch needs an "operations" reversion month (trap 5).
    let mezz = 0;
    let pref = 0;
    if (fix.mezzanineAndPreferredFunded) {
      // tif@2 (trap 5): funded at period 1, paid monthly from period 2, repaid at the reversion.
      const mezzAmt = input.mezzanine.amountUsd;
      const prefAmt = input.preferredEquity.amountUsd;
      if (p === 1) {
        mezz = mezzAmt;
        pref = prefAmt;
      } else {
        mezz = -mezzPmt - (p === T ? mezzAmt : 0);
        pref = -prefPmt - (p === T ? prefAmt : 0);
        mezzaninePayments += mezzPmt;
        preferredPayments += prefPmt;
      }
    } else if (p > L && p <= L + ph.O) {
      mezz = -mezzPmt;
      pref = -prefPmt;
      mezzaninePayments += mezzPmt;
      preferredPayments += prefPmt;
    }
    // tif@2 (trap 7): the TIF lump sum pays development costs before equity (0 in tif@1).
    const tifDraw = p <= L ? draws[p - 1]!.tif : 0;

    row.leveredCf = row.unleveredCf + row.constDebtNetCf + row.permNetCf + mezz + pref + tifDraw;
    extra.push({ tifLumpSumDraw: tifDraw, mezzanineNetCf: mezz, preferredNetCf: pref });
    rows.push(row);
  }
  return { rows, permLoan, permPmt: pmt, constructionPayoff, mezzaninePayments, preferredPayments, extra };
}

/**
 * tif@2 (trap 8): the NOI the permanent loan is sized on — the conversion month's (L + 1) row as
 * the loop computes it (rents and opex escalated to that month, tax on its assessed value net of
 * any abatement, plus any TIF reimbursement), with the lender's underwriting vacancy
 * (`vacancyRate`) in place of the physical occupancy and the replacement reserves deducted,
 * annualized × 12.
 */
export function conversionSizingNoi(
  input: TifInput,
  ph: Phases,
  aff: number,
  units: UnitsAndGpr,
  costs: Costs,
  su: SourcesUses,
  tax: TaxStack,
  fix: Corrections,
): number {
  const p = ph.L + 1;
  const y = escalationYear(p, ph.C);
  const gpr =
    units.gprMarket * (1 + input.marketRentGrowthAnnual) ** y +
    units.gprAffordable * (1 + input.affordableRentGrowthAnnual) ** y;
  const egi = gpr * (1 - input.vacancyRate);
  const opex = costs.monthlyOpex * (1 + input.opexGrowthAnnual) ** y;
  const av = assessedValue(input, ph, su.tdc, p);
  const tif = tifMonth(input, ph, tax, av, p, aff, fix.tifWindowAtStepUp);
  const netTax = (av * tax.total) / 12 - tif.abatement;
  const reserves = egi * input.reservesShareOfEgi;
  return (egi - egi * input.managementFeeShareOfEgi - opex - netTax + tif.reimbursement - reserves) * 12;
}
