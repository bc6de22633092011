/**
 * Plan evaluation and feasibility check written from the definitions, independently of the solver
 * model (formulation.ts): it never sees start variables, spend coefficients or rows — only the
 * input and a start month per project (or, for the prototype formulation, a spend per project
 * and month). It walks the months one by one: spend from the profile, cash (with the balance
 * carried over when asked), projects under works, rent uplift from the month after completion,
 * rent lost during works. Every plan the engine returns is re-checked here, and the tests use it
 * for brute-force enumeration.
 */
import { type CapexModelworksParsed, type CapexPrototypeParsed, capOf } from "./schema.ts";

/** Start month per project id; null = not scheduled. */
export type StartPlan = Record<string, number | null>;
/** Spend per project id per month (index 0 = month 1), prototype formulation. */
export type SpendPlan = Record<string, number[]>;

export interface MonthLine {
  month: number;
  cashCap: number;
  cashAvailable: number;
  spend: number;
  balanceEnd: number;
  active: string[];
  upliftEarned: number;
  downtimeLoss: number;
  /** Discount factor of the month (end-of-month, (1 + r)^(−m/12)). */
  discount: number;
}

export interface Evaluation {
  months: MonthLine[];
  /** spend[id][m − 1] */
  spend: Record<string, number[]>;
  objective: number;
  upliftInHorizon: number;
  downtimeLoss: number;
  totalSpend: number;
  runRateUpliftAnnualAtHorizon: number;
  perProject: Record<string, { uplift: number; downtime: number; value: number; spent: number }>;
}

const tolOf = (x: number) => 1e-6 * Math.max(1, Math.abs(x));

/** The fraction of the cost spent in the k-th month of works (k = 0 … d − 1). */
export function spendFraction(p: { durationMonths: number; spendProfile: number[] | null }, k: number) {
  return p.spendProfile ? p.spendProfile[k]! : 1 / p.durationMonths;
}

export function evaluateStartPlan(input: CapexModelworksParsed, plan: StartPlan): Evaluation {
  const H = input.horizonMonths;
  const spend: Record<string, number[]> = {};
  const perProject: Evaluation["perProject"] = {};
  const months: MonthLine[] = [];
  for (const p of input.projects) spend[p.id] = new Array<number>(H).fill(0);
  let balance = input.cashCarryOver ? input.openingCash : 0;
  let objective = 0;
  let uplift = 0;
  let downtime = 0;
  let totalSpend = 0;
  for (let m = 1; m <= H; m++) {
    const discount = (1 + input.discountRateAnnual) ** (-m / 12);
    const cap = capOf(input, m);
    const available = input.cashCarryOver ? balance + cap : cap;
    const line: MonthLine = {
      month: m,
      cashCap: cap,
      cashAvailable: available,
      spend: 0,
      balanceEnd: 0,
      active: [],
      upliftEarned: 0,
      downtimeLoss: 0,
      discount,
    };
    for (const p of input.projects) {
      const s = plan[p.id];
      if (s === null || s === undefined) continue;
      perProject[p.id] ??= { uplift: 0, downtime: 0, value: 0, spent: 0 };
      const pp = perProject[p.id]!;
      const k = m - s; // month of works, 0-based
      if (k >= 0 && k < p.durationMonths) {
        const x = p.cost * spendFraction(p, k);
        spend[p.id]![m - 1] = x;
        line.spend += x;
        pp.spent += x;
        line.active.push(p.id);
        line.downtimeLoss += p.downtimeLossPerMonth;
        pp.downtime += p.downtimeLossPerMonth;
        pp.value -= p.downtimeLossPerMonth * discount;
      } else if (k >= p.durationMonths) {
        const u = p.rentUpliftAnnual / 12;
        line.upliftEarned += u;
        pp.uplift += u;
        pp.value += u * discount;
      }
    }
    line.balanceEnd = input.cashCarryOver ? available - line.spend : 0;
    balance = line.balanceEnd;
    objective += (line.upliftEarned - line.downtimeLoss) * discount;
    uplift += line.upliftEarned;
    downtime += line.downtimeLoss;
    totalSpend += line.spend;
    months.push(line);
  }
  const runRate = input.projects.reduce((s, p) => {
    const st = plan[p.id];
    return st != null && st + p.durationMonths - 1 <= H ? s + p.rentUpliftAnnual : s;
  }, 0);
  return {
    months,
    spend,
    objective,
    upliftInHorizon: uplift,
    downtimeLoss: downtime,
    totalSpend,
    runRateUpliftAnnualAtHorizon: runRate,
    perProject,
  };
}

/** Every rule a start plan breaks, in words; empty when the plan is feasible. */
export function checkStartPlan(input: CapexModelworksParsed, plan: StartPlan): string[] {
  const out: string[] = [];
  const H = input.horizonMonths;
  const byId = new Map(input.projects.map((p) => [p.id, p]));
  for (const id of Object.keys(plan)) if (!byId.has(id)) out.push(`unknown project "${id}"`);
  for (const p of input.projects) {
    const s = plan[p.id] ?? null;
    if (s === null) {
      if (p.mandatory) out.push(`${p.id} is mandatory but not scheduled`);
      continue;
    }
    if (!Number.isInteger(s)) out.push(`${p.id}: start month ${s} is not a whole month`);
    if (s < p.earliestStartMonth || s > p.latestStartMonth)
      out.push(
        `${p.id}: starts in month ${s}, outside its window ${p.earliestStartMonth}–${p.latestStartMonth}`,
      );
    if (s + p.durationMonths - 1 > H)
      out.push(`${p.id}: works end in month ${s + p.durationMonths - 1}, after the ${H}-month horizon`);
    for (const q of p.predecessors) {
      const qs = plan[q] ?? null;
      const qp = byId.get(q)!;
      if (qs === null) out.push(`${p.id} is scheduled but its predecessor ${q} is not`);
      else if (qs + qp.durationMonths > s)
        out.push(`${p.id} starts in month ${s} before ${q} completes (month ${qs + qp.durationMonths - 1})`);
    }
  }
  const ev = evaluateStartPlan(input, plan);
  for (const line of ev.months) {
    if (input.maxParallelProjects !== null && line.active.length > input.maxParallelProjects)
      out.push(
        `month ${line.month}: ${line.active.length} projects under works, at most ${input.maxParallelProjects}`,
      );
    if (line.spend > line.cashAvailable + tolOf(line.cashAvailable))
      out.push(
        `month ${line.month}: spend ${line.spend} exceeds the cash available ${line.cashAvailable}${input.cashCarryOver ? " (cap + balance carried in)" : ""}`,
      );
  }
  return out;
}

export interface PrototypeEvaluation {
  months: { month: number; cashCap: number; spend: number; active: string[] }[];
  totals: Record<string, number>;
  expectedAnnualNoiUplift: number;
  totalSpend: number;
}

export function evaluateSpendPlan(input: CapexPrototypeParsed, plan: SpendPlan): PrototypeEvaluation {
  const H = input.horizonMonths;
  const totals: Record<string, number> = {};
  const months: PrototypeEvaluation["months"] = [];
  for (let m = 1; m <= H; m++) {
    const line = { month: m, cashCap: input.monthlyCashCap[m - 1]!, spend: 0, active: [] as string[] };
    for (const p of input.projects) {
      const x = plan[p.id]?.[m - 1] ?? 0;
      totals[p.id] = (totals[p.id] ?? 0) + x;
      line.spend += x;
      // The prototype counts a project as under works in any month it spends in.
      if (x > 1e-6) line.active.push(p.id);
    }
    months.push(line);
  }
  const uplift = input.projects.reduce((s, p) => s + p.upliftRateAnnual * (totals[p.id] ?? 0), 0);
  return {
    months,
    totals,
    expectedAnnualNoiUplift: uplift,
    totalSpend: months.reduce((s, l) => s + l.spend, 0),
  };
}

/** The prototype spend model's rules, checked on a spend plan. */
export function checkSpendPlan(input: CapexPrototypeParsed, plan: SpendPlan): string[] {
  const out: string[] = [];
  const H = input.horizonMonths;
  const ev = evaluateSpendPlan(input, plan);
  for (const p of input.projects) {
    const row = plan[p.id] ?? [];
    row.forEach((x, i) => {
      const m = i + 1;
      if (x < -1e-6) out.push(`${p.id}: negative spend ${x} in month ${m}`);
      if (x > 1e-6 && (m < p.earliestMonth || m > p.latestMonth || m > H))
        out.push(
          `${p.id}: spends ${x} in month ${m}, outside its window ${p.earliestMonth}–${p.latestMonth}`,
        );
    });
    const t = ev.totals[p.id] ?? 0;
    if (t < p.minSpend - tolOf(p.minSpend))
      out.push(`${p.id}: total spend ${t} below the minimum ${p.minSpend}`);
    if (t > p.maxSpend + tolOf(p.maxSpend))
      out.push(`${p.id}: total spend ${t} above the maximum ${p.maxSpend}`);
  }
  for (const l of ev.months) {
    if (l.spend > l.cashCap + tolOf(l.cashCap))
      out.push(`month ${l.month}: spend ${l.spend} exceeds the cash cap ${l.cashCap}`);
    if (l.active.length > input.maxParallelProjects)
      out.push(`month ${l.month}: ${l.active.length} projects spend, at most ${input.maxParallelProjects}`);
  }
  return out;
}
