/**
 * Per-unit debt service coefficients for the LP (formulation.ts). For each tranche k, rate
 * scenario s and NOI year t this computes, for ONE unit of original principal, the interest,
 * principal and total payment of year t from a monthly schedule:
 *
 *   month m of year t, monthly rate i = annualRate(k, s, t) / 12, balance B (B = 1 at closing):
 *   interest = B·i; during the interest-only months (or with no amortization) payment = interest;
 *   afterwards the level annuity payment on the balance over the n amortization months left,
 *   payment = B·i / (1 − (1 + i)^−n)  (B / n when i = 0) — recomputed every month, which equals
 *   the fixed level payment while the rate is constant and re-sets it when a floating rate moves.
 *
 * Because every amount in that schedule is proportional to the starting principal, the annual
 * debt service of tranche k is κ(k,s,t)·d_k with κ the per-unit figure (the year's "mortgage
 * constant"), so DSCR ≥ D in year t and scenario s, NOI_t ≥ D·Σ_k κ(k,s,t)·d_k, is LINEAR in the
 * tranche amounts even with amortization, interest-only periods and floating rates.
 */
import type { DebtStackInputParsed, HedgeParsed, TrancheParsed } from "./schema.ts";

export interface YearRow {
  year: number;
  rate: number;
  openingBalance: number;
  /** Mean of the 12 monthly opening balances: the balance interest (and a hedge) accrues on. */
  averageBalance: number;
  interest: number;
  principal: number;
  payment: number;
  closingBalance: number;
}

export type Scenario = DebtStackInputParsed["rateScenarios"][number];

export function horizonYears(input: DebtStackInputParsed): number {
  return input.noi.length;
}

/** Scenario weights normalised to sum to 1. */
export function weights(input: DebtStackInputParsed): number[] {
  const total = input.rateScenarios.reduce((a, s) => a + s.weight, 0);
  return input.rateScenarios.map((s) => s.weight / total);
}

export function indexRate(s: Scenario, year: number): number {
  return Array.isArray(s.indexRate) ? (s.indexRate[year - 1] as number) : s.indexRate;
}

export function trancheRate(t: TrancheParsed, s: Scenario, year: number): number {
  return t.rateType === "fixed" ? (t.fixedRate as number) : indexRate(s, year) + t.spread;
}

/**
 * Level monthly payment on balance `b` over `n` months at monthly rate `i` (Excel PMT, sign +).
 * Below |i| = 1e-12 the payment is the rate-0 limit b/n (off by ~b·i·n/2): the annuity formula
 * gives 0/0 when 1 + i rounds to 1 (a fixed rate of 1e-308 made the model's costs NaN, issue 19).
 */
export function pmt(i: number, n: number, b: number): number {
  if (n <= 0) return b;
  return Math.abs(i) < NEGLIGIBLE_RATE ? b / n : (b * i) / (1 - (1 + i) ** -n);
}

/** A monthly rate this small is 0 for an annuity (see pmt). */
export const NEGLIGIBLE_RATE = 1e-12;

/** The per-unit schedule of one tranche in one scenario, by NOI year. */
export function unitSchedule(t: TrancheParsed, s: Scenario, years: number): YearRow[] {
  const rows: YearRow[] = [];
  let b = 1;
  for (let y = 1; y <= years; y++) {
    const r = trancheRate(t, s, y);
    const i = r / 12;
    const row: YearRow = {
      year: y,
      rate: r,
      openingBalance: b,
      averageBalance: 0,
      interest: 0,
      principal: 0,
      payment: 0,
      closingBalance: 0,
    };
    for (let mm = 1; mm <= 12; mm++) {
      const m = 12 * (y - 1) + mm;
      const interest = b * i;
      row.averageBalance += b / 12;
      let payment = interest;
      if (t.amortizationMonths !== null && m > t.ioMonths) {
        const left = t.amortizationMonths - (m - t.ioMonths) + 1;
        payment = left >= 1 ? pmt(i, left, b) : interest;
      }
      const principal = Math.min(b, payment - interest);
      b -= principal;
      row.interest += interest;
      row.principal += principal;
      row.payment += interest + principal;
    }
    row.closingBalance = b;
    rows.push(row);
  }
  return rows;
}

/** Annual net cost rate of a hedge in year `year` of scenario `s` per unit of notional outstanding (premium − payoff). */
export function hedgeRate(h: HedgeParsed, s: Scenario, year: number): number {
  if (year > h.tenorYears) return 0;
  const idx = indexRate(s, year);
  if (h.type === "swap") return h.premiumRate + (h.fixedRate as number) - idx;
  return h.premiumRate - Math.max(0, idx - (h.strike as number));
}

/**
 * One unit of hedge notional (at closing) in year `year` of scenario `s`: the notional
 * outstanding at the start of the year (`opening`, what the fixed-or-hedged test counts), the
 * year's average notional and its net cost (premium − payoff on the average notional). A
 * constant hedge keeps 1 over its tenor; a hedge that follows tranche k (`trancheId`) carries
 * k's per-unit balance — the schedule `sched` of k in that scenario — so it amortizes with the
 * loan (premium and payoff both accrue on the amortized notional). 0 after the tenor.
 */
export function hedgeUnitYear(
  h: HedgeParsed,
  s: Scenario,
  year: number,
  sched: YearRow[] | null,
): { opening: number; average: number; cost: number } {
  if (year > h.tenorYears) return { opening: 0, average: 0, cost: 0 };
  const row = h.trancheId !== null && sched ? sched[year - 1]! : null;
  const opening = row ? row.openingBalance : 1;
  const average = row ? row.averageBalance : 1;
  return { opening, average, cost: average * hedgeRate(h, s, year) };
}
