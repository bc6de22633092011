/**
 * tif@2's annual summary: the monthly rows rolled up into project years (year y = periods
 * 12(y−1)+1 … 12y; the last year may be short), with the ratios lenders and investors read by
 * year. Ratios of a short year are annualized where they compare a flow with a stock (debt yield,
 * cash-on-cash) and left as they are where both sides are flows over the same months (DSCR).
 */
import { z } from "zod";

export const AnnualRow = z.object({
  year: z.number().int().describe("project year, 1 = the first 12 periods"),
  firstMonth: z.string().describe("YYYY-MM"),
  lastMonth: z.string(),
  months: z.number().int().describe("periods in the year (the last year may be short)"),
  phases: z.string().describe("the phases the year spans, in order, e.g. 'construction, leaseup'"),
  gprUsd: z.number(),
  egiUsd: z.number(),
  propertyTaxesNetUsd: z.number(),
  tifReimbursementUsd: z.number(),
  tifAbatementUsd: z.number(),
  noiUsd: z.number(),
  seniorDebtServiceUsd: z
    .number()
    .describe("scheduled permanent-loan payments (the payoff at the sale is not debt service)"),
  juniorDebtServiceUsd: z
    .number()
    .describe("mezzanine interest and preferred return paid (funding and repayment excluded)"),
  cashFlowAfterDebtServiceUsd: z
    .number()
    .describe("NOI + replacement reserves − senior and junior debt service"),
  leveredCfUsd: z.number(),
  unleveredCfUsd: z.number(),
  dscr: z
    .number()
    .nullable()
    .describe("NOI ÷ senior debt service over the months the loan is paid; null without debt service"),
  debtYield: z
    .number()
    .nullable()
    .describe(
      "NOI of the months the loan is paid, annualized, ÷ the loan balance at the start of the year (or at funding)",
    ),
  cashOnCash: z
    .number()
    .nullable()
    .describe("annualized cash flow after debt service ÷ equity invested; null before any NOI"),
});
export type AnnualRow = z.output<typeof AnnualRow>;

/** The fields of a monthly row the summary reads (tif@2's period rows have them all). */
export interface MonthlyRowForSummary {
  period: number;
  month: string;
  phase: string;
  gpr: number;
  egi: number;
  propertyTaxesNet: number;
  tifReimbursement: number;
  tifAbatement: number;
  noi: number;
  replacementReserves: number;
  permPmt: number;
  permEop: number;
  leveredCf: number;
  unleveredCf: number;
  mezzanineNetCf: number;
  preferredNetCf: number;
}

export interface SummaryContext {
  /** Permanent loan funded at conversion: the balance before the first payment. */
  permLoanFundedUsd: number;
  equityInvestedUsd: number;
  /** Junior capital repaid at the last period, to separate repayment from current pay. */
  mezzanineAmountUsd: number;
  preferredAmountUsd: number;
}

export function annualSummary(rows: readonly MonthlyRowForSummary[], ctx: SummaryContext): AnnualRow[] {
  const years: AnnualRow[] = [];
  const lastPeriod = rows.at(-1)?.period ?? 0;
  // Balance before each period: the previous period's end balance once the loan exists.
  let balanceBefore = 0;
  for (let start = 0; start < rows.length; start += 12) {
    const chunk = rows.slice(start, start + 12);
    const sum = (f: (r: MonthlyRowForSummary) => number) => chunk.reduce((s, r) => s + f(r), 0);
    const openingBalance =
      balanceBefore > 0 ? balanceBefore : chunk.some((r) => r.permPmt > 0) ? ctx.permLoanFundedUsd : 0;
    const junior = sum((r) => currentPay(r, lastPeriod, ctx));
    const noi = sum((r) => r.noi);
    const senior = sum((r) => r.permPmt);
    const afterDebt = noi + sum((r) => r.replacementReserves) - senior - junior;
    const annualize = 12 / chunk.length;
    // Lender ratios over the months the permanent loan is being paid (it may start mid-year).
    const paying = chunk.filter((r) => r.permPmt > 0);
    const noiWhilePaying = paying.reduce((s, r) => s + r.noi, 0);
    const hasNoi = chunk.some((r) => r.noi !== 0);
    years.push({
      year: start / 12 + 1,
      firstMonth: chunk[0]!.month,
      lastMonth: chunk.at(-1)!.month,
      months: chunk.length,
      phases: [...new Set(chunk.map((r) => r.phase))].join(", "),
      gprUsd: sum((r) => r.gpr),
      egiUsd: sum((r) => r.egi),
      propertyTaxesNetUsd: sum((r) => r.propertyTaxesNet),
      tifReimbursementUsd: sum((r) => r.tifReimbursement),
      tifAbatementUsd: sum((r) => r.tifAbatement),
      noiUsd: noi,
      seniorDebtServiceUsd: senior,
      juniorDebtServiceUsd: junior,
      cashFlowAfterDebtServiceUsd: afterDebt,
      leveredCfUsd: sum((r) => r.leveredCf),
      unleveredCfUsd: sum((r) => r.unleveredCf),
      dscr: senior > 0 ? noiWhilePaying / senior : null,
      debtYield:
        paying.length > 0 && openingBalance > 0
          ? (noiWhilePaying * 12) / paying.length / openingBalance
          : null,
      cashOnCash:
        hasNoi && ctx.equityInvestedUsd > 0 ? (afterDebt * annualize) / ctx.equityInvestedUsd : null,
    });
    balanceBefore = chunk.at(-1)!.permEop;
  }
  return years;
}

/** Mezzanine interest and preferred return paid in a period: outflows, minus the repayment at the end. */
function currentPay(r: MonthlyRowForSummary, lastPeriod: number, ctx: SummaryContext): number {
  const atEnd = r.period === lastPeriod;
  const mezz = r.mezzanineNetCf < 0 ? -r.mezzanineNetCf - (atEnd ? ctx.mezzanineAmountUsd : 0) : 0;
  const pref = r.preferredNetCf < 0 ? -r.preferredNetCf - (atEnd ? ctx.preferredAmountUsd : 0) : 0;
  return mezz + pref;
}
