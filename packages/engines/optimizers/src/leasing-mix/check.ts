/**
 * Plan evaluation and feasibility check written from the definitions, independently of the
 * solver model (formulation.ts): it never sees the linearised rows, only the input and a number
 * of units per package. Every plan the engine returns is re-checked here, and the tests use it
 * to check plans, brute-force enumeration and what-if answers.
 */
import type { LeasePackageParsed, LeasingMixInputParsed } from "./schema.ts";

export type Plan = Record<string, number>;

/** Python's round() for the prototype's units_needed: half to even. */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Months of rent a new lease pays within the next 12 months: after the lag and rent-free months. */
export function rentMonthsIn12(p: LeasePackageParsed): number {
  return Math.max(0, Math.min(12 - p.startLagMonths, p.termMonths) - p.rentFreeMonths);
}

/** Net cash flow of one unit leased on package `p` over the next 12 months. */
export function ncf12PerUnit(input: LeasingMixInputParsed, p: LeasePackageParsed): number {
  if (input.formulation === "prototype") return p.rentPerUnitAnnual - p.incentivePerUnit;
  return (p.rentPerUnitAnnual * rentMonthsIn12(p)) / 12 - p.incentivePerUnit - p.leasingCostPerUnit;
}

/** Units of new leases needed to reach the occupancy target (prototype: Python's round). */
export function unitsToTarget(input: LeasingMixInputParsed): number {
  const { unitsTotal, vacantNow } = input.inventory;
  const occupied = unitsTotal - vacantNow;
  const t = input.occupancy.target * unitsTotal;
  if (input.formulation === "prototype") return Math.max(0, pyRound(t) - occupied);
  // Whole units: the smallest count reaching the target (1e-9 absorbs 0.29·100 = 28.999…96).
  return Math.max(0, Math.ceil(t - 1e-9) - occupied);
}

export function shortfallPenalty(input: LeasingMixInputParsed): number {
  if (input.occupancy.shortfallPenaltyPerUnit !== null) return input.occupancy.shortfallPenaltyPerUnit;
  return Math.max(
    0,
    ...input.packages.map((p) => p.rentPerUnitAnnual + p.incentivePerUnit + p.leasingCostPerUnit),
  );
}

export interface PlanKpis {
  unitsLeased: number;
  occupancy: number;
  occupancyTarget: number;
  unitsToTarget: number;
  shortfallUnits: number;
  /** Rent-weighted over in-place and new leases (prototype: unit-weighted over new leases). */
  waultMonths: number | null;
  waultNewLeasesMonths: number | null;
  ncf12: number;
  incentiveSpend: number;
  incentiveBudget: number | null;
  /** NCF minus the shortfall penalty (soft mode); NCF otherwise. */
  objective: number;
}

export function evaluatePlan(input: LeasingMixInputParsed, plan: Plan): PlanKpis {
  const { unitsTotal, vacantNow } = input.inventory;
  const occupied = unitsTotal - vacantNow;
  const proto = input.formulation === "prototype";
  let leased = 0;
  let ncf = 0;
  let inc = 0;
  let newW = 0;
  let newWT = 0;
  for (const p of input.packages) {
    const u = plan[p.id] ?? 0;
    leased += u;
    ncf += u * ncf12PerUnit(input, p);
    inc += u * p.incentivePerUnit;
    const w = proto ? u : u * p.rentPerUnitAnnual;
    newW += w;
    newWT += w * p.termMonths;
  }
  let allW = newW;
  let allWT = newWT;
  if (!proto)
    for (const l of input.inPlaceLeases) {
      allW += l.units * l.rentPerUnitAnnual;
      allWT += l.units * l.rentPerUnitAnnual * l.remainingTermMonths;
    }
  const need = unitsToTarget(input);
  const shortfall = Math.max(0, need - leased);
  const soft = !proto && input.occupancy.mode === "soft";
  return {
    unitsLeased: leased,
    occupancy: (occupied + leased) / unitsTotal,
    occupancyTarget: input.occupancy.target,
    unitsToTarget: need,
    shortfallUnits: shortfall,
    waultMonths: allW > 0 ? allWT / allW : null,
    waultNewLeasesMonths: newW > 0 ? newWT / newW : null,
    ncf12: ncf,
    incentiveSpend: inc,
    incentiveBudget: input.incentiveBudget,
    objective: soft ? ncf - shortfallPenalty(input) * shortfall : ncf,
  };
}

/** Every rule the plan breaks, in words; empty when the plan is feasible. */
export function checkPlan(input: LeasingMixInputParsed, plan: Plan, tol = 1e-6): string[] {
  const out: string[] = [];
  const proto = input.formulation === "prototype";
  const { unitsTotal, vacantNow } = input.inventory;
  const k = evaluatePlan(input, plan);
  const near = (a: number, b: number) => a <= b + tol * Math.max(1, Math.abs(b));
  for (const id of Object.keys(plan))
    if (!input.packages.some((p) => p.id === id)) out.push(`unknown package "${id}"`);
  for (const p of input.packages) {
    const u = plan[p.id] ?? 0;
    if (!Number.isFinite(u) || u < -tol) out.push(`${p.id}: negative units ${u}`);
    if (!proto && Math.abs(u - Math.round(u)) > 1e-9)
      out.push(`${p.id}: ${u} is not a whole number of units`);
    if (!proto && p.demandUnits !== null && !near(u, p.demandUnits))
      out.push(`${p.id}: ${u} units exceed the demand of ${p.demandUnits}`);
    const cap = proto
      ? input.maxSharePerPackage * unitsTotal
      : (p.maxShare ?? input.maxSharePerPackage) * k.unitsLeased;
    if (!near(u, cap)) out.push(`${p.id}: ${u} units exceed the share cap (${cap} units)`);
    if (proto && !near(u, vacantNow)) out.push(`${p.id}: ${u} units exceed the vacant units`);
  }
  if (!near(k.unitsLeased, vacantNow)) out.push(`${k.unitsLeased} units leased but only ${vacantNow} vacant`);
  if (input.incentiveBudget !== null && !near(k.incentiveSpend, input.incentiveBudget))
    out.push(`incentives ${k.incentiveSpend} exceed the budget ${input.incentiveBudget}`);
  if (input.minWaultMonths !== null && k.waultMonths !== null && k.waultMonths < input.minWaultMonths - 1e-7)
    out.push(`WAULT ${k.waultMonths} months is below the target ${input.minWaultMonths}`);
  if (proto) {
    if (Math.abs(k.unitsLeased - k.unitsToTarget) > tol * Math.max(1, k.unitsToTarget))
      out.push(`${k.unitsLeased} units leased, the prototype requires exactly ${k.unitsToTarget}`);
  } else if (input.occupancy.mode === "hard" && k.occupancy < input.occupancy.target - 1e-9)
    out.push(`occupancy ${k.occupancy} is below the hard target ${input.occupancy.target}`);
  return out;
}
