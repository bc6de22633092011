/**
 * Construction draw schedule of the cash flow (spec §2.3 G) and permanent-loan sizing and
 * payment (spec I and J; debt.size_permanent_loan).
 */
import { pv } from "../financial.ts";
import type { CoreInput as TifInput } from "../schema.ts";
import type { Costs, SourcesUses } from "./costs.ts";
import type { Phases } from "./schedule.ts";
import { sCurveWeights } from "./schedule.ts";

export interface DrawPeriod {
  /** Row's development cost draw: the cost drawn plus (construction) the month's interest. */
  tdcDraw: number;
  /** Equity paid this month (positive here; the table shows it negative). */
  equity: number;
  debtDraw: number;
  interest: number;
  /** Construction-loan balance at the end of the month. */
  balance: number;
  /** TIF lump sum spent on this month's costs (tif@2 only; 0 in tif@1). */
  tif: number;
}

export interface DrawOptions {
  /** tif@2 (trap 4): the row's TDC draw is the cost only; the interest is only capitalized. */
  interestPaidOnce: boolean;
  /** tif@2 (trap 7): a TIF lump sum that pays costs before equity does (within the S&U equity). */
  lumpSumUsd: number;
}

/**
 * Spec G (generate_draw_schedule_from_sources_uses), periods 1..L. A different schedule from the
 * S&U one (trap 3):
 * - predevelopment: soft × w_pre[i], plus all of the land in period 1; equity pays while it
 *   lasts and there is no debt in predevelopment (an unfunded remainder is simply not financed);
 * - construction: hard × w_con[i] only (no IDC), equity first, interest (bal + debt/2) × r_c,
 *   capitalized, and the row's TDC draw is hard draw + interest — so the interest is paid in
 *   the levered cash flow AND capitalized into the payoff at L + 1 (trap 4);
 * - lease-up: interest bal × r_c, capitalized, no draw.
 */
export function constructionDrawSchedule(
  input: TifInput,
  ph: Phases,
  costs: Costs,
  su: SourcesUses,
  opts: DrawOptions = { interestPaidOnce: false, lumpSumUsd: 0 },
): DrawPeriod[] {
  const rc = input.constructionRateAnnual / 12;
  const wPre = sCurveWeights(ph.P);
  const wCon = sCurveWeights(ph.Cm);
  const rows: DrawPeriod[] = [];
  // The funds before debt (S&U equity; in tif@2 the lump sum's share of it is paid first).
  let eqRem = su.equity;
  let tifRem = Math.min(opts.lumpSumUsd, su.equity);
  const split = (preDebt: number) => {
    const tif = Math.min(preDebt, tifRem);
    tifRem -= tif;
    return { tif, equity: preDebt - tif };
  };
  let bal = 0;
  wPre.forEach((w, i) => {
    const draw = costs.soft * w + (i === 0 ? costs.land : 0);
    const { tif, equity } = split(Math.min(draw, eqRem));
    eqRem = Math.max(0, eqRem - draw);
    rows.push({ tdcDraw: draw, equity, debtDraw: 0, interest: 0, balance: bal, tif });
  });
  for (const w of wCon) {
    const h = costs.hard * w;
    const preDebt = eqRem > 0 ? Math.min(h, eqRem) : 0;
    const { tif, equity } = split(preDebt);
    eqRem = Math.max(0, eqRem - h);
    const debt = h - preDebt;
    const interest = (bal + debt / 2) * rc;
    bal += debt + interest;
    const tdcDraw = opts.interestPaidOnce ? h : h + interest;
    rows.push({ tdcDraw, equity, debtDraw: debt, interest, balance: bal, tif });
  }
  for (let i = 0; i < ph.LU; i++) {
    const interest = bal * rc;
    bal += interest;
    rows.push({ tdcDraw: 0, equity: 0, debtDraw: 0, interest, balance: bal, tif: 0 });
  }
  return rows;
}

/**
 * tif@2 (trap 3): the one draw schedule, periods 1..L, used both by the IDC fixed point
 * (sourcesAndUsesOneSchedule) and by the rows. Costs: land in period 1 and soft × w_pre[i] over
 * predevelopment, hard × w_con[i] over construction. Each month the TIF lump sum, then equity pay
 * while they last and the construction loan pays the rest — in predevelopment too (the prototype's
 * cash-flow schedule left that remainder unfunded). Interest (bal + debt/2) × r_c in development
 * months, bal × r_c in lease-up, capitalized; the sponsor pays the cost draw only (trap 4).
 * With equity = TDC × (1 − LTC) and TDC = land + soft + hard + Σ interest, the debt drawn is
 * loan − IDC and the balance at L is the loan itself.
 */
export function oneDrawSchedule(
  input: TifInput,
  ph: Phases,
  costs: Costs,
  equityUsd: number,
  lumpSumUsd: number,
  /** false: the interest only (the fixed point's passes do not need the rows). */
  withRows = true,
): { rows: DrawPeriod[]; interest: number } {
  const rc = input.constructionRateAnnual / 12;
  const rows: DrawPeriod[] = [];
  let eqRem = equityUsd;
  let tifRem = Math.min(lumpSumUsd, equityUsd);
  let bal = 0;
  let total = 0;
  const month = (draw: number) => {
    const preDebt = Math.min(draw, eqRem);
    eqRem -= preDebt;
    const tif = Math.min(preDebt, tifRem);
    tifRem -= tif;
    const debt = draw - preDebt;
    const interest = (bal + debt / 2) * rc;
    bal += debt + interest;
    total += interest;
    if (withRows)
      rows.push({ tdcDraw: draw, equity: preDebt - tif, debtDraw: debt, interest, balance: bal, tif });
  };
  const wPre = sCurveWeights(ph.P);
  for (let i = 0; i < wPre.length; i++) month(costs.soft * wPre[i]! + (i === 0 ? costs.land : 0));
  for (const w of sCurveWeights(ph.Cm)) month(costs.hard * w);
  for (let i = 0; i < ph.LU; i++) {
    const interest = bal * rc;
    bal += interest;
    total += interest;
    if (withRows) rows.push({ tdcDraw: 0, equity: 0, debtDraw: 0, interest, balance: bal, tif: 0 });
  }
  return { rows, interest: total };
}

export type BindingConstraint = "LTV" | "DSCR" | "LTC" | "CAP";

export interface PermSizing {
  stabilizedNoi: number;
  stabilizedValue: number;
  ltvAmount: number;
  dscrAmount: number;
  maxLoan: number;
  binding: BindingConstraint;
}

/**
 * Spec I. The sizing NOI is the prototype's, not the monthly rows' (trap 8): EGI at
 * (1 − vacancy_rate) rather than max_occupancy, tax on TDC with no growth, no reserves, no TIF.
 * The result is capped at the construction-loan commitment (`cap_perm_at_construction=True`);
 * `perm_ltc_max` is None in calculate_deal, so LTC never binds.
 */
export function sizePermanentLoan(
  input: TifInput,
  gpr0: number,
  monthlyOpex: number,
  totalTaxRate: number,
  su: SourcesUses,
): PermSizing {
  const egi = gpr0 * (1 - input.vacancyRate);
  const stabilizedNoi =
    (egi - monthlyOpex - egi * input.managementFeeShareOfEgi - (su.tdc * totalTaxRate) / 12) * 12;
  return sizeOnNoi(input, stabilizedNoi, su);
}

/** Spec I from the sizing NOI on: the LTV and DSCR amounts, capped at the construction loan. */
export function sizeOnNoi(input: TifInput, stabilizedNoi: number, su: SourcesUses): PermSizing {
  const stabilizedValue = stabilizedNoi / input.exitCapRate;
  const ltvAmount = stabilizedValue * input.permLtvMax;
  const rp = input.permRateAnnual / 12;
  const dscrAmount = -pv(rp, input.permAmortYears * 12, stabilizedNoi / input.permDscrMin / 12, 0);
  let maxLoan = Math.min(ltvAmount, dscrAmount);
  let binding: BindingConstraint = ltvAmount <= dscrAmount ? "LTV" : "DSCR";
  if (su.constructionLoan < maxLoan) {
    maxLoan = su.constructionLoan;
    binding = "CAP";
  }
  return { stabilizedNoi, stabilizedValue, ltvAmount, dscrAmount, maxLoan, binding };
}

/**
 * Level monthly payment, the prototype's own formula (not npf.pmt):
 * loan × r(1+r)^n / ((1+r)^n − 1); 0 when the loan, the rate or n is not positive.
 */
export function permPayment(loan: number, monthlyRate: number, n: number): number {
  if (loan <= 0 || monthlyRate <= 0 || n <= 0) return 0;
  const g = (1 + monthlyRate) ** n;
  return (loan * (monthlyRate * g)) / (g - 1);
}
