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
 *
 * Projects are numbered by their input position and a plan is an array of start months: the
 * ruin-and-recreate loop runs hundreds of times per run (issue 20 goal 3), and maps by id and
 * per-round allocations were most of its cost.
 */

import { rng } from "../common/rng.ts";
import { checkStartPlan, evaluateStartPlan, type StartPlan, spendFraction } from "./check.ts";
import { interchangeableGroups, startMonths, startValue } from "./formulation.ts";
import { type CapexModelworksParsed, capOf } from "./schema.ts";

/** A project not scheduled (start months are 1 or more). */
const NONE = 0;

interface Prepared {
  n: number;
  H: number;
  /** Cash cap of month m (index 0 unused). */
  caps: Float64Array;
  /** caps[m] + tol(caps[m]): the most a month may spend without carry-over. */
  capsUpper: Float64Array;
  /** −tol(caps[m]): the lowest balance allowed with carry-over. */
  balanceFloor: Float64Array;
  carryOver: boolean;
  openingCash: number;
  /** Projects in parallel; null for no limit. */
  parallel: number | null;
  mandatory: Uint8Array;
  duration: Int32Array;
  /** Start months of each project with their value, best first (ties: earlier first). */
  slotT: Int32Array[];
  slotV: Float64Array[];
  /** Spend of each month of works (index k = 0 … d − 1). */
  spend: Float64Array[];
  predecessors: Int32Array[];
  /** b must not start before leader[b] (interchangeable projects); −1 for none. */
  leader: Int32Array;
  /** Projects that cannot stay scheduled without this one (successors, interchangeable followers). */
  dependants: number[][];
  density: Float64Array;
}

function prepare(input: CapexModelworksParsed): Prepared {
  const H = input.horizonMonths;
  const projects = input.projects;
  const n = projects.length;
  const index = new Map(projects.map((p, i) => [p.id, i]));
  const caps = Float64Array.from({ length: H + 1 }, (_, m) => (m === 0 ? 0 : capOf(input, m)));
  const capsUpper = caps.map((c) => c + tol(c));
  const balanceFloor = caps.map((c) => -tol(c));
  const slotT: Int32Array[] = [];
  const slotV: Float64Array[] = [];
  const spend: Float64Array[] = [];
  const density = new Float64Array(n);
  projects.forEach((p, i) => {
    const s = startMonths(input, p)
      .map((t) => ({ t, v: startValue(input, p, t) }))
      .sort((a, b) => b.v - a.v || a.t - b.t);
    slotT.push(Int32Array.from(s, (x) => x.t));
    slotV.push(Float64Array.from(s, (x) => x.v));
    spend.push(Float64Array.from({ length: p.durationMonths }, (_, k) => p.cost * spendFraction(p, k)));
    density[i] = (s[0]?.v ?? 0) / Math.max(1, p.cost);
  });
  const leader = new Int32Array(n).fill(-1);
  for (const g of interchangeableGroups(input))
    for (let k = 1; k < g.length; k++) leader[index.get(g[k]!.id)!] = index.get(g[k - 1]!.id)!;
  const dependants: number[][] = projects.map(() => []);
  projects.forEach((p, i) => {
    for (const q of p.predecessors) dependants[index.get(q)!]!.push(i);
  });
  for (let b = 0; b < n; b++) if (leader[b]! >= 0) dependants[leader[b]!]!.push(b);
  return {
    n,
    H,
    caps,
    capsUpper,
    balanceFloor,
    carryOver: input.cashCarryOver,
    openingCash: input.openingCash,
    parallel: input.maxParallelProjects,
    mandatory: Uint8Array.from(projects, (p) => Number(p.mandatory)),
    duration: Int32Array.from(projects, (p) => p.durationMonths),
    slotT,
    slotV,
    spend,
    predecessors: projects.map((p) => Int32Array.from(p.predecessors, (q) => index.get(q)!)),
    leader,
    dependants,
    density,
  };
}

/** A partial schedule with its monthly cash use and projects under works. */
class State {
  readonly used: Float64Array;
  readonly active: Int32Array;
  /** Start month per project, NONE when not scheduled. */
  readonly plan: Int32Array;
  /** The value of the slot each scheduled project sits in. */
  readonly placed: Float64Array;
  value = 0;
  constructor(readonly pr: Prepared) {
    this.used = new Float64Array(pr.H + 2);
    this.active = new Int32Array(pr.H + 2);
    this.plan = new Int32Array(pr.n);
    this.placed = new Float64Array(pr.n);
  }

  clear(): void {
    this.used.fill(0);
    this.active.fill(0);
    this.plan.fill(NONE);
    this.placed.fill(0);
    this.value = 0;
  }

  copyFrom(from: State): this {
    this.used.set(from.used);
    this.active.set(from.active);
    this.plan.set(from.plan);
    this.placed.set(from.placed);
    this.value = from.value;
    return this;
  }

  fits(i: number, t: number): boolean {
    const pr = this.pr;
    const plan = this.plan;
    const preds = pr.predecessors[i]!;
    for (let j = 0; j < preds.length; j++) {
      const q = preds[j]!;
      const qs = plan[q]!;
      if (qs === NONE || qs + pr.duration[q]! > t) return false;
    }
    const leader = pr.leader[i]!;
    if (leader >= 0) {
      const ls = plan[leader]!;
      if (ls === NONE || ls > t) return false;
    }
    const P = pr.parallel;
    const d = pr.duration[i]!;
    const sp = pr.spend[i]!;
    const used = this.used;
    const carryOver = pr.carryOver;
    for (let k = 0; k < d; k++) {
      const m = t + k;
      if (P !== null && this.active[m]! + 1 > P) return false;
      if (!carryOver && used[m]! + sp[k]! > pr.capsUpper[m]!) return false;
    }
    if (carryOver) {
      // Every month from t on must keep a non-negative balance.
      const caps = pr.caps;
      let balance = pr.openingCash;
      for (let m = 1; m <= pr.H; m++) {
        const k = m - t;
        const extra = k >= 0 && k < d ? sp[k]! : 0;
        balance += caps[m]! - used[m]! - extra;
        if (m >= t && balance < pr.balanceFloor[m]!) return false;
      }
    }
    return true;
  }

  place(i: number, t: number, v: number) {
    const sp = this.pr.spend[i]!;
    const d = this.pr.duration[i]!;
    for (let k = 0; k < d; k++) {
      this.used[t + k] = this.used[t + k]! + sp[k]!;
      this.active[t + k] = this.active[t + k]! + 1;
    }
    this.plan[i] = t;
    this.placed[i] = v;
    this.value += v;
  }

  /** Unschedules project i and, in cascade, whatever depended on it. */
  remove(i: number): void {
    const t = this.plan[i]!;
    if (t === NONE) return;
    const sp = this.pr.spend[i]!;
    const d = this.pr.duration[i]!;
    for (let k = 0; k < d; k++) {
      this.used[t + k] = this.used[t + k]! - sp[k]!;
      this.active[t + k] = this.active[t + k]! - 1;
    }
    this.plan[i] = NONE;
    this.value -= this.placed[i]!;
    for (const q of this.pr.dependants[i]!) this.remove(q);
  }

  /** Places the unscheduled projects of `order` greedily; false if a mandatory one does not fit. */
  fill(order: ArrayLike<number>, skip?: () => boolean): boolean {
    const pr = this.pr;
    // Several rounds, so a project whose predecessor comes later in the order gets another chance.
    let pending: number[] = [];
    for (let j = 0; j < order.length; j++) if (this.plan[order[j]!] === NONE) pending.push(order[j]!);
    for (let round = 0; round < 4 && pending.length > 0; round++) {
      const next: number[] = [];
      for (const i of pending) {
        const ts = pr.slotT[i]!;
        const vs = pr.slotV[i]!;
        const mandatory = pr.mandatory[i] === 1;
        let placed = false;
        for (let s = 0; s < ts.length; s++) {
          // `skip` passes over a feasible slot now and then (a later start can leave cash for others).
          if ((mandatory || vs[s]! > 0) && this.fits(i, ts[s]!) && !(skip?.() ?? false)) {
            this.place(i, ts[s]!, vs[s]!);
            placed = true;
            break;
          }
        }
        if (!placed) next.push(i);
      }
      if (next.length === pending.length) break;
      pending = next;
    }
    for (const i of pending) if (pr.mandatory[i] === 1) return false;
    return true;
  }

  startPlan(input: CapexModelworksParsed): StartPlan {
    return Object.fromEntries(
      input.projects.map((p, i) => [p.id, this.plan[i] === NONE ? null : this.plan[i]!]),
    );
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
  const n = pr.n;
  const density = pr.density;
  const mandatory = pr.mandatory;
  const key = new Float64Array(n);
  const order = new Int32Array(n);
  const byKey = (a: number, b: number) => mandatory[b]! - mandatory[a]! || key[b]! - key[a]!;
  // Mandatory first, then by key, ties in input order: a stable insertion sort (the keys are
  // finite, so any stable sort gives this order; Array.prototype.sort cost more per call).
  const ordered = (noise: number) => {
    for (let i = 0; i < n; i++) key[i] = density[i]! * (1 - noise + 2 * noise * r());
    for (let i = 0; i < n; i++) {
      let j = i;
      while (j > 0 && byKey(order[j - 1]!, i) > 0) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    return order;
  };
  let best: State | null = null;
  const tries = opts.tries ?? 30;
  let st = new State(pr);
  for (let k = 0; k < tries; k++) {
    st.clear();
    if (!st.fill(ordered(k === 0 ? 0 : 0.4))) continue;
    if (!best || st.value > best.value) {
      const old = best;
      best = st;
      st = old ?? new State(pr);
    }
  }
  if (!best) return null;
  // Ruin and recreate, accepting slightly worse plans early on (a cooling threshold) so the
  // search can leave the greedy plan's neighbourhood; the best plan seen is kept. Three buffers:
  // the candidate is copied into `current` or `best` when kept, never reallocated.
  const improve = opts.improve ?? 1500;
  const current = new State(pr).copyFrom(best);
  const cand = new State(pr);
  const scheduled: number[] = [];
  const T0 = 0.01 * Math.abs(best.value);
  for (let k = 0; k < improve; k++) {
    cand.copyFrom(current);
    scheduled.length = 0;
    for (let i = 0; i < n; i++) if (cand.plan[i] !== NONE) scheduled.push(i);
    if (scheduled.length === 0) break;
    const drop = 1 + Math.floor(r() * 3);
    for (let i = 0; i < drop; i++) cand.remove(scheduled[Math.floor(r() * scheduled.length)]!);
    const skipRate = k % 2 === 0 ? 0 : 0.25;
    if (!cand.fill(ordered(0.3), () => r() < skipRate)) continue;
    const threshold = T0 * (1 - k / improve);
    const keep = cand.value >= current.value - threshold;
    if (cand.value > best.value + tol(best.value)) best.copyFrom(cand);
    if (keep) current.copyFrom(cand);
  }
  const plan = best.startPlan(input);
  if (checkStartPlan(input, plan).length > 0) return null;
  return { plan, objective: evaluateStartPlan(input, plan).objective };
}
