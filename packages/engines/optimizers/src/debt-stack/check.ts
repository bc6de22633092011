/**
 * Plan evaluation and feasibility check written from the definitions, independently of the LP
 * (formulation.ts) and of its per-unit coefficients (schedule.ts): it simulates every tranche's
 * loan month by month on the ACTUAL amount (its own annuity formula), adds up the debt service of
 * each year and scenario, and tests every covenant on the resulting numbers — DSCR as NOI divided
 * by the recomputed debt service, not as a linear row. A tranche is "used" when its amount is
 * positive: then its fixed fee is paid and its minimum size applies. A hedge that follows a
 * tranche has, every month, the notional at closing × the tranche's balance / its amount. The
 * fixed-or-hedged share and "hedges ≤ floating debt" are tested on the balances outstanding at
 * closing and at each anniversary in the horizon. Every plan the engine returns is re-checked
 * here; the tests use it for hand-checked cases, brute force and what-ifs.
 */

import { NEGLIGIBLE_RATE } from "./schedule.ts";
import type { DebtStackInputParsed } from "./schema.ts";

export interface Plan {
  /** Tranche id → amount. */
  amounts: Record<string, number>;
  equity: number;
  /** Hedge id → notional. */
  notionals: Record<string, number>;
}

export interface LoanYear {
  year: number;
  rate: number;
  openingBalance: number;
  averageBalance: number;
  interest: number;
  principal: number;
  payment: number;
  closingBalance: number;
}

/** Month-by-month loan on `amount`; the annual rate of each year from `rateOfYear`. */
export function simulateLoan(
  amount: number,
  years: number,
  io: number,
  amortization: number | null,
  rateOfYear: (year: number) => number,
): LoanYear[] {
  const out: LoanYear[] = [];
  let bal = amount;
  for (let y = 1; y <= years; y++) {
    const annual = rateOfYear(y);
    const r = annual / 12;
    const open = bal;
    let int = 0;
    let prin = 0;
    let balSum = 0;
    for (let k = 0; k < 12; k++) {
      const month = (y - 1) * 12 + k + 1;
      balSum += bal;
      const interest = bal * r;
      let pay = interest;
      if (amortization !== null && month > io && bal > 0) {
        const n = amortization - (month - io - 1);
        if (n > 0)
          pay = Math.abs(r) < NEGLIGIBLE_RATE ? bal / n : (bal * r * (1 + r) ** n) / ((1 + r) ** n - 1);
      }
      const p = Math.min(bal, pay - interest);
      bal -= p;
      int += interest;
      prin += p;
    }
    out.push({
      year: y,
      rate: annual,
      openingBalance: open,
      averageBalance: balSum / 12,
      interest: int,
      principal: prin,
      payment: int + prin,
      closingBalance: bal,
    });
  }
  return out;
}

export interface ScenarioYear {
  year: number;
  scenario: string;
  noi: number;
  interest: number;
  principal: number;
  hedgeCost: number;
  debtService: number;
  dscr: number | null;
  debtYield: number | null;
  closingBalance: number;
  /** Debt outstanding at the start of the year (closing date in year 1). */
  openingBalance: number;
  /** Hedge notional in force at the start of the year. */
  hedgedNotional: number;
  /** (Fixed-rate balance + hedged notional) / debt outstanding at the start of the year. */
  fixedOrHedgedShare: number | null;
}

export interface Evaluation {
  uses: number;
  totalDebt: number;
  netDebtProceeds: number;
  ltv: number;
  ltc: number;
  /** Annual financing cost (average over the NOI years) by scenario id. */
  annualCost: Record<string, number>;
  expectedAnnualCost: number;
  worstCaseAnnualCost: number;
  blendedRate: number;
  /** Origination (percentage) fees plus fixed fees of the used tranches. */
  financingFees: number;
  /** Tranche id → used (amount > 0). */
  used: Record<string, boolean>;
  minDscr: number | null;
  year1DebtYield: number | null;
  fixedOrHedgedShare: number | null;
  /** Smallest fixed-or-hedged share over the years and scenarios. */
  minFixedOrHedgedShare: number | null;
  rows: ScenarioYear[];
  loans: Record<string, Record<string, LoanYear[]>>;
}

/** An amount above this (currency) means the tranche is used. */
export const USED_TOL = 1e-6;

function idx(s: DebtStackInputParsed["rateScenarios"][number], year: number): number {
  return typeof s.indexRate === "number" ? s.indexRate : s.indexRate[year - 1]!;
}

export function evaluatePlan(input: DebtStackInputParsed, plan: Plan): Evaluation {
  const years = input.noi.length;
  const uses = input.purchasePrice + input.closingCosts;
  const totalW = input.rateScenarios.map((s) => s.weight).reduce((a, b) => a + b, 0);
  let totalDebt = 0;
  let net = 0;
  let fixed = 0;
  let fees = 0;
  const used: Record<string, boolean> = {};
  for (const t of input.tranches) {
    const a = plan.amounts[t.id] ?? 0;
    used[t.id] = a > USED_TOL;
    const fee = a * t.upfrontFee + (used[t.id] ? t.fixedFee : 0);
    totalDebt += a;
    net += a - fee;
    fees += fee;
    if (t.rateType === "fixed") fixed += a;
  }
  const hedged = input.hedges.reduce((s, h) => s + (plan.notionals[h.id] ?? 0), 0);
  const loans: Evaluation["loans"] = {};
  const rows: ScenarioYear[] = [];
  const annualCost: Record<string, number> = {};
  for (const s of input.rateScenarios) {
    let totalInterestAndHedge = 0;
    const perTranche = input.tranches.map((t) => {
      const l = simulateLoan(plan.amounts[t.id] ?? 0, years, t.ioMonths, t.amortizationMonths, (y) =>
        t.rateType === "fixed" ? (t.fixedRate as number) : idx(s, y) + t.spread,
      );
      loans[t.id] = { ...loans[t.id], [s.id]: l };
      return l;
    });
    for (let y = 1; y <= years; y++) {
      let interest = 0;
      let principal = 0;
      let closing = 0;
      for (const l of perTranche) {
        interest += l[y - 1]!.interest;
        principal += l[y - 1]!.principal;
        closing += l[y - 1]!.closingBalance;
      }
      let hedgeCost = 0;
      let hedgedOpen = 0;
      for (const h of input.hedges) {
        if (y > h.tenorYears) continue;
        const n = plan.notionals[h.id] ?? 0;
        // Share of the notional at closing still in force: the followed tranche's balance / amount.
        let openFactor = 1;
        let avgFactor = 1;
        if (h.trancheId !== null) {
          const k = input.tranches.findIndex((t) => t.id === h.trancheId);
          const a = plan.amounts[h.trancheId] ?? 0;
          const row = perTranche[k]![y - 1]!;
          openFactor = a > 0 ? row.openingBalance / a : 0;
          avgFactor = a > 0 ? row.averageBalance / a : 0;
        }
        const i = idx(s, y);
        const payoff =
          h.type === "swap" ? i - (h.fixedRate as number) : Math.max(0, i - (h.strike as number));
        hedgeCost += n * avgFactor * (h.premiumRate - payoff);
        hedgedOpen += n * openFactor;
      }
      let opening = 0;
      let fixedOpen = 0;
      input.tranches.forEach((t, k) => {
        const b = perTranche[k]![y - 1]!.openingBalance;
        opening += b;
        if (t.rateType === "fixed") fixedOpen += b;
      });
      const ds = interest + principal + hedgeCost;
      const noi = input.noi[y - 1]!;
      rows.push({
        year: y,
        scenario: s.id,
        noi,
        interest,
        principal,
        hedgeCost,
        debtService: ds,
        dscr: ds > 1e-9 ? noi / ds : null,
        debtYield: totalDebt > 1e-9 ? noi / totalDebt : null,
        closingBalance: closing,
        openingBalance: opening,
        hedgedNotional: hedgedOpen,
        fixedOrHedgedShare: opening > 1e-9 ? (fixedOpen + hedgedOpen) / opening : null,
      });
      totalInterestAndHedge += interest + hedgeCost;
    }
    annualCost[s.id] = (totalInterestAndHedge + fees) / years + input.equityCostRate * plan.equity;
  }
  const expected = input.rateScenarios.reduce((a, s) => a + (s.weight / totalW) * annualCost[s.id]!, 0);
  const worst = Math.max(...Object.values(annualCost));
  const dscrs = rows.map((r) => r.dscr).filter((x): x is number => x !== null);
  const shares = rows.map((r) => r.fixedOrHedgedShare).filter((x): x is number => x !== null);
  return {
    uses,
    totalDebt,
    netDebtProceeds: net,
    ltv: totalDebt / (input.appraisedValue ?? input.purchasePrice),
    ltc: totalDebt / uses,
    annualCost,
    expectedAnnualCost: expected,
    worstCaseAnnualCost: worst,
    blendedRate: totalDebt > 1e-9 ? (expected - input.equityCostRate * plan.equity) / totalDebt : 0,
    financingFees: fees,
    used,
    minDscr: dscrs.length ? Math.min(...dscrs) : null,
    year1DebtYield: totalDebt > 1e-9 ? input.noi[0]! / totalDebt : null,
    fixedOrHedgedShare: totalDebt > 1e-9 ? (fixed + hedged) / totalDebt : null,
    minFixedOrHedgedShare: shares.length ? Math.min(...shares) : null,
    rows,
    loans,
  };
}

/** Every rule the plan breaks, in words; empty when the plan is feasible. */
export function checkPlan(input: DebtStackInputParsed, plan: Plan, tol = 1e-6): string[] {
  const out: string[] = [];
  const e = evaluatePlan(input, plan);
  const le = (a: number, b: number) => a <= b + tol * Math.max(1, Math.abs(b));
  const cur = input.currency;
  for (const t of input.tranches) {
    const a = plan.amounts[t.id] ?? 0;
    if (!(a >= -tol)) out.push(`${t.id}: negative amount ${a}`);
    if (!le(a, t.maxShare * input.purchasePrice))
      out.push(`${t.id}: ${a} ${cur} exceeds its max share ${t.maxShare} of the price`);
    if (e.used[t.id] && !le(t.minAmount, a))
      out.push(`${t.id}: ${a} ${cur} is used but below its minimum amount ${t.minAmount}`);
  }
  if (!(plan.equity >= -tol)) out.push(`negative equity ${plan.equity}`);
  if (!le(plan.equity, input.equityAvailable))
    out.push(`equity ${plan.equity} exceeds the equity available ${input.equityAvailable}`);
  const sources = plan.equity + e.netDebtProceeds;
  if (Math.abs(sources - e.uses) > tol * Math.max(1, e.uses))
    out.push(`sources ${sources} ≠ uses ${e.uses} ${cur}`);
  if (e.ltv > input.targets.maxLtv + tol) out.push(`LTV ${e.ltv} above ${input.targets.maxLtv}`);
  if (input.targets.maxLtc !== null && e.ltc > input.targets.maxLtc + tol)
    out.push(`LTC ${e.ltc} above ${input.targets.maxLtc}`);
  if (input.targets.minDscr !== null) {
    const D = input.targets.minDscr;
    for (const r of e.rows)
      if (!le(D * r.debtService, r.noi))
        out.push(`DSCR ${r.dscr} below ${D} in year ${r.year}, scenario ${r.scenario}`);
  }
  if (
    input.targets.minDebtYield !== null &&
    e.year1DebtYield !== null &&
    e.year1DebtYield < input.targets.minDebtYield - tol
  )
    out.push(`debt yield ${e.year1DebtYield} below ${input.targets.minDebtYield}`);
  // Fixed-or-hedged share and hedges ≤ floating debt on the balances outstanding each year.
  for (const r of e.rows) {
    if (
      input.targets.minFixedShare > 0 &&
      r.openingBalance > 1e-9 &&
      !le(input.targets.minFixedShare * r.openingBalance, r.openingBalance * (r.fixedOrHedgedShare ?? 0))
    )
      out.push(
        `fixed-or-hedged share ${r.fixedOrHedgedShare} below ${input.targets.minFixedShare} in year ${r.year}, scenario ${r.scenario}`,
      );
    let floating = 0;
    for (const t of input.tranches)
      if (t.rateType === "floating") floating += e.loans[t.id]![r.scenario]![r.year - 1]!.openingBalance;
    if (!le(r.hedgedNotional, floating))
      out.push(
        `hedged notional ${r.hedgedNotional} exceeds the floating debt ${floating} outstanding in year ${r.year}, scenario ${r.scenario}`,
      );
  }
  for (const t of input.tranches) {
    const on = input.hedges.filter((h) => h.trancheId === t.id);
    if (on.length === 0) continue;
    const n = on.reduce((a, h) => a + (plan.notionals[h.id] ?? 0), 0);
    if (!le(n, plan.amounts[t.id] ?? 0))
      out.push(`hedges following ${t.id} (${n}) exceed its amount ${plan.amounts[t.id] ?? 0}`);
  }
  for (const h of input.hedges) {
    const n = plan.notionals[h.id] ?? 0;
    if (!(n >= -tol)) out.push(`${h.id}: negative notional ${n}`);
    if (h.maxNotional !== null && !le(n, h.maxNotional))
      out.push(`${h.id}: notional ${n} above ${h.maxNotional}`);
  }
  return out;
}
