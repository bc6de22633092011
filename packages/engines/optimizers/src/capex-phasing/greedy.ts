/**
 * A greedy scheduler for the modelworks formulation, used as the MIP's starting plan.
 *
 * With hard monthly caps the LP relaxation is weak (it spreads projects fractionally to fill every
 * month exactly), so HiGHS's own heuristics can take seconds to find a good first plan. This one
 * places projects one at a time — mandatory ones first, then by value per unit of cost — at the
 * start month of highest value that keeps every rule (window, horizon, cash with or without
 * carry-over, projects in parallel, predecessors complete, interchangeable projects in input
 * order). A few dozen randomised orders are tried (seeded: the same input gives the same plan)
 * and the best plan the independent checker accepts is returned. HiGHS keeps it as its first
 * incumbent and improves on it; optimality is still HiGHS's to prove.
 */

import { rng } from "../common/rng.ts";
import { checkStartPlan, evaluateStartPlan, type StartPlan, spendFraction } from "./check.ts";
import { interchangeableGroups, startMonths, startValue } from "./formulation.ts";
import { type CapexModelworksParsed, capOf } from "./schema.ts";

type Project = CapexModelworksParsed["projects"][number];

interface Prepared {
  input: CapexModelworksParsed;
  H: number;
  caps: number[];
  /** Start months with their value, best first (ties: earlier first). */
  slots: Map<string, { t: number; v: number }[]>;
  /** Spend of each month of works (index k = 0 … d − 1). */
  spend: Map<string, number[]>;
  /** b must not start before a (interchangeable projects): b → a. */
  after: Map<string, string>;
  /** Projects that cannot stay scheduled without this one (successors, interchangeable followers). */
  dependants: Map<string, Project[]>;
  density: Map<string, number>;
  byId: Map<string, Project>;
}

function prepare(input: CapexModelworksParsed): Prepared {
  const H = input.horizonMonths;
  const caps = Array.from({ length: H + 1 }, (_, m) => (m === 0 ? 0 : capOf(input, m)));
  const slots = new Map<string, { t: number; v: number }[]>();
  const spend = new Map<string, number[]>();
  const density = new Map<string, number>();
  for (const p of input.projects) {
    const s = startMonths(input, p)
      .map((t) => ({ t, v: startValue(input, p, t) }))
      .sort((a, b) => b.v - a.v || a.t - b.t);
    slots.set(p.id, s);
    spend.set(
      p.id,
      Array.from({ length: p.durationMonths }, (_, k) => p.cost * spendFraction(p, k)),
    );
    density.set(p.id, (s[0]?.v ?? 0) / Math.max(1, p.cost));
  }
  const after = new Map<string, string>();
  for (const g of interchangeableGroups(input))
    for (let k = 1; k < g.length; k++) after.set(g[k]!.id, g[k - 1]!.id);
  const byId = new Map(input.projects.map((p) => [p.id, p]));
  const dependants = new Map<string, Project[]>();
  const link = (from: string, to: Project) => dependants.set(from, [...(dependants.get(from) ?? []), to]);
  for (const p of input.projects) for (const q of p.predecessors) link(q, p);
  for (const [b, a] of after) link(a, byId.get(b)!);
  return { input, H, caps, slots, spend, after, dependants, density, byId };
}

/** A partial schedule with its monthly cash use and projects under works. */
class State {
  readonly used: Float64Array;
  readonly active: Int32Array;
  readonly plan: StartPlan;
  value = 0;
  constructor(
    readonly pr: Prepared,
    from?: State,
  ) {
    const H = pr.H;
    this.used = from ? Float64Array.from(from.used) : new Float64Array(H + 2);
    this.active = from ? Int32Array.from(from.active) : new Int32Array(H + 2);
    this.plan = from ? { ...from.plan } : Object.fromEntries(pr.input.projects.map((p) => [p.id, null]));
    this.value = from ? from.value : 0;
  }

  fits(p: Project, t: number): boolean {
    const { input, H, caps } = this.pr;
    const sp = this.pr.spend.get(p.id)!;
    for (const q of p.predecessors) {
      const qs = this.plan[q];
      if (qs === null || qs === undefined || qs + this.pr.byId.get(q)!.durationMonths > t) return false;
    }
    const leader = this.pr.after.get(p.id);
    if (leader !== undefined) {
      const ls = this.plan[leader];
      if (ls === null || ls === undefined || ls > t) return false;
    }
    const P = input.maxParallelProjects;
    for (let k = 0; k < p.durationMonths; k++) {
      const m = t + k;
      if (P !== null && this.active[m]! + 1 > P) return false;
      if (!input.cashCarryOver && this.used[m]! + sp[k]! > caps[m]! + tol(caps[m]!)) return false;
    }
    if (input.cashCarryOver) {
      // Every month from t on must keep a non-negative balance.
      let balance = input.openingCash;
      for (let m = 1; m <= H; m++) {
        const k = m - t;
        const extra = k >= 0 && k < p.durationMonths ? sp[k]! : 0;
        balance += caps[m]! - this.used[m]! - extra;
        if (m >= t && balance < -tol(caps[m]!)) return false;
      }
    }
    return true;
  }

  place(p: Project, t: number, v: number) {
    const sp = this.pr.spend.get(p.id)!;
    for (let k = 0; k < p.durationMonths; k++) {
      this.used[t + k] = this.used[t + k]! + sp[k]!;
      this.active[t + k] = this.active[t + k]! + 1;
    }
    this.plan[p.id] = t;
    this.value += v;
  }

  /** Unschedules p and, in cascade, whatever depended on it (successors, interchangeable followers). */
  remove(p: Project): Project[] {
    const t = this.plan[p.id];
    if (t === null || t === undefined) return [];
    const sp = this.pr.spend.get(p.id)!;
    for (let k = 0; k < p.durationMonths; k++) {
      this.used[t + k] = this.used[t + k]! - sp[k]!;
      this.active[t + k] = this.active[t + k]! - 1;
    }
    this.plan[p.id] = null;
    this.value -= this.pr.slots.get(p.id)!.find((s) => s.t === t)!.v;
    const out = [p];
    for (const q of this.pr.dependants.get(p.id) ?? []) out.push(...this.remove(q));
    return out;
  }

  /** Places the unscheduled projects of `order` greedily; false if a mandatory one does not fit. */
  fill(order: Project[], skip?: () => boolean): boolean {
    // Several rounds, so a project whose predecessor comes later in the order gets another chance.
    let pending = order.filter((p) => this.plan[p.id] === null);
    for (let round = 0; round < 4 && pending.length > 0; round++) {
      const next: Project[] = [];
      for (const p of pending) {
        // `skip` passes over a feasible slot now and then (a later start can leave cash for others).
        const slot = this.pr.slots
          .get(p.id)!
          .find((s) => (p.mandatory || s.v > 0) && this.fits(p, s.t) && !(skip?.() ?? false));
        if (slot) this.place(p, slot.t, slot.v);
        else next.push(p);
      }
      if (next.length === pending.length) break;
      pending = next;
    }
    return !pending.some((p) => p.mandatory);
  }
}

const tol = (x: number) => 1e-9 * Math.max(1, Math.abs(x));

/**
 * The best plan found by `tries` greedy passes (the first in plain value-per-cost order, the
 * others with the order perturbed) and `improve` ruin-and-recreate steps (unschedule one to three
 * projects, refill greedily, keep if better), re-checked by the independent checker; null if no
 * feasible plan was found. Deterministic for a given input.
 */
export function greedySchedule(
  input: CapexModelworksParsed,
  opts: { tries?: number; improve?: number } = {},
): { plan: StartPlan; objective: number } | null {
  const pr = prepare(input);
  const r = rng(0x5eed + input.projects.length);
  // Called 1,500 times: arrays by project index instead of Maps by id, and indices sorted (the
  // sort is stable and sees the same comparisons, so the order — and the plan — are unchanged).
  const projects = input.projects;
  const n = projects.length;
  const density = Float64Array.from(projects, (p) => pr.density.get(p.id)!);
  const mandatory = Int8Array.from(projects, (p) => Number(p.mandatory));
  const key = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  const byKey = (a: number, b: number) => mandatory[b]! - mandatory[a]! || key[b]! - key[a]!;
  const ordered = (noise: number) => {
    for (let i = 0; i < n; i++) key[i] = density[i]! * (1 - noise + 2 * noise * r());
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort(byKey).map((i) => projects[i]!);
  };
  let best: State | null = null;
  const tries = opts.tries ?? 30;
  for (let k = 0; k < tries; k++) {
    const st = new State(pr);
    if (!st.fill(ordered(k === 0 ? 0 : 0.4))) continue;
    if (!best || st.value > best.value) best = st;
  }
  if (!best) return null;
  // Ruin and recreate, accepting slightly worse plans early on (a cooling threshold) so the
  // search can leave the greedy plan's neighbourhood; the best plan seen is kept.
  const improve = opts.improve ?? 1500;
  let current = best;
  const T0 = 0.01 * Math.abs(best.value);
  for (let k = 0; k < improve; k++) {
    const st = new State(pr, current);
    const scheduled = input.projects.filter((p) => st.plan[p.id] !== null);
    if (scheduled.length === 0) break;
    const drop = 1 + Math.floor(r() * 3);
    for (let i = 0; i < drop; i++) st.remove(scheduled[Math.floor(r() * scheduled.length)]!);
    const skipRate = k % 2 === 0 ? 0 : 0.25;
    if (!st.fill(ordered(0.3), () => r() < skipRate)) continue;
    const threshold = T0 * (1 - k / improve);
    if (st.value >= current.value - threshold) current = st;
    if (st.value > best.value + tol(best.value)) best = st;
  }
  if (checkStartPlan(input, best.plan).length > 0) return null;
  return { plan: best.plan, objective: evaluateStartPlan(input, best.plan).objective };
}
