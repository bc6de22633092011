import type { Highs } from "highs";
import {
  type DenseBasis,
  denseFits,
  denseLp,
  lagrangianBound,
  provesInfeasible,
  solveDense,
} from "./dense-lp.ts";
import { relaxationBound } from "./fixing.ts";
import { closeModel, openModel } from "./instances.ts";
import { type ModelSpec, objectiveOf } from "./model.ts";
import type { SolveOptions } from "./result.ts";
import { type HighsModel, userColumns } from "./scaling.ts";
import { type Dependent, dependentColumns, searchIntegerModel } from "./search.ts";

/**
 * Small MIPs answered before HiGHS's MIP is set up (decision 0057). On models of a handful of
 * integers HiGHS spends ~0.5–4 ms in WebAssembly (0.3–1 ms natively) on root work meant for large
 * models (presolve, probing, cut rounds, heuristics), whatever the model; an LP of the same rows
 * re-solved from the previous basis after a bound change costs ~0.05–0.2 ms (issue 20 goal 3,
 * bench/small-optimizations.ts). Two exact searches:
 *
 * - **pure-integer models** of at most `SEARCH_MAX_INTEGERS_SMALL` integers — or models whose
 *   continuous columns the integers determine through equality rows (search.ts,
 *   `dependentColumns`) — one LP relaxation for the bound and reduced costs, then the
 *   depth-first search of search.ts (as reduced-cost fixing uses it), with the start, if
 *   feasible, as first incumbent;
 * - **mixed models** of at most `BRANCH_MAX_INTEGERS` integers: an LP-based branch and bound. One
 *   HiGHS LP object holds the relaxation; each node sets the integer columns' bounds and re-runs
 *   it (dual simplex from the last basis). Depth first: the most fractional integer (ties: the
 *   lowest index), the side nearer its LP value first. A node is closed when its LP is infeasible
 *   or its optimum does not beat the incumbent by more than 1e-9 (relative). A node whose LP
 *   values are integral (within 1e-6, HiGHS's `mip_feasibility_tolerance`) gives a plan: the
 *   integers rounded and fixed, the LP re-solved for the continuous values (not re-solved when
 *   they are exactly whole: the same optimum).
 *
 * Both keep a plan only if it beats the incumbent by more than 1e-9 (relative): of plans tied
 * within that, the first found is kept (the start, when one is given and feasible — as HiGHS
 * keeps a feasible start). The plan returned is re-checked against every bound and row of the
 * spec, outside HiGHS. So the objective is the optimum within 1e-9 relative — never worse than
 * HiGHS's plan, which stops within `mipRelGap` (1e-4 by default) — and the integer plan differs
 * from HiGHS's only where plans tie within 1e-9. Continuous values are those of the LP with the
 * integers fixed: they can differ from HiGHS's MIP in the last digits (~1e-9 relative).
 *
 * Returns null — the caller then runs HiGHS's MIP as before — for larger models or an integer
 * with an infinite bound, when an LP ends neither optimal nor infeasible, when a plan fails the
 * re-check, after `BRANCH_MAX_LPS` LPs or 20,000 search nodes (limits, not a clock, so which path
 * answers does not depend on the machine's load), or past the deadline. A search that ends with
 * no plan proves the model infeasible; the caller answers so only when no IIS or relaxation is
 * requested (those are HiGHS's).
 */

/**
 * Integer variables beyond which HiGHS's MIP answers a mixed model. Its presolve and cuts close
 * weak relaxations at the root: a 16-binary Capex model took this search 21–49 LPs (~0.2 ms
 * each in WebAssembly) against one ~1 ms HiGHS MIP.
 */
export const BRANCH_MAX_INTEGERS = 8;
/**
 * Pure-integer models of at most this many integers (finite bounds) are searched by search.ts
 * from one LP's duals instead (a node costs ~1 µs of JS, not an LP): Capex's 16-binary models in
 * 40–120 nodes (~0.6 ms with the LP, against 0.5–1.7 ms for HiGHS's MIP, warm, in WebAssembly).
 */
export const SEARCH_MAX_INTEGERS_SMALL = 24;
const SEARCH_MAX_NODES = 20_000;
/** HiGHS LPs after which the branch and bound gives up and HiGHS's MIP answers. */
export const BRANCH_MAX_LPS = 64;
/** Dense-simplex nodes after which it gives up (a node costs microseconds, not ~0.1 ms). */
export const DENSE_MAX_NODES = 2_000;
const REL_TOL = 1e-9;
/** HiGHS's `mip_feasibility_tolerance`: an LP value this close to an integer counts as one. */
const INT_TOL = 1e-6;
/** Row and bound re-check of the returned plan: HiGHS's feasibility tolerance, scaled. */
const FEAS_TOL = 1e-6;

export interface BranchOutcome {
  primal: Float64Array;
  /** Best bound in the model's sense: the plan's objective (searched to the end, within 1e-9). */
  bestBound: number;
  nodes: number;
  lps: number;
}

/** No integer plan: the LP relaxation has none, or every box was closed without one. */
export interface Infeasible {
  infeasible: true;
  nodes: number;
  lps: number;
}

type Configure = (m: ReturnType<Highs["createModel"]>, o: SolveOptions) => void;

/**
 * A small MIP answered without HiGHS's MIP: the optimal plan, proven infeasible (searched to the
 * end: no integer plan), or null (HiGHS's MIP answers).
 */
export function answerSmallMip(
  highs: Highs,
  spec: ModelSpec,
  full: HighsModel,
  opts: SolveOptions,
  configure: Configure,
  deadline: number,
): BranchOutcome | Infeasible | null {
  const n = spec.variables.length;
  const ints: number[] = [];
  for (let j = 0; j < n; j++) if (spec.variables[j]!.integer) ints.push(j);
  if (ints.length === 0) return null;
  for (const j of ints) {
    const v = spec.variables[j]!;
    if (!Number.isFinite(v.lower) || !Number.isFinite(v.upper)) return null;
  }
  if (ints.length <= SEARCH_MAX_INTEGERS_SMALL) {
    const dependents = dependentColumns(spec);
    if (dependents) return searchSmall(highs, spec, full, dependents, opts, configure, deadline);
  }
  if (ints.length > BRANCH_MAX_INTEGERS) return null;
  const nodeLps = denseFits(spec)
    ? denseNodes(spec, ints)
    : highsNodes(highs, spec, full, ints, opts, configure);
  return branchAndBound(spec, ints, opts, nodeLps, deadline);
}

/**
 * Pure integer (but for `dependents`): one LP for the bound and reduced costs, then the
 * depth-first search of search.ts.
 */
function searchSmall(
  highs: Highs,
  spec: ModelSpec,
  full: HighsModel,
  dependents: Dependent[],
  opts: SolveOptions,
  configure: Configure,
  deadline: number,
): BranchOutcome | Infeasible | null {
  const relaxed = relaxationBound(highs, spec, full, { ...opts, start: undefined }, configure);
  // No plan of the LP relaxation, so none of the MIP.
  if (relaxed === "infeasible") return { infeasible: true, nodes: 0, lps: 1 };
  if (!relaxed) return null;
  const start = startPlan(spec, opts.start);
  const found = searchIntegerModel(spec, {
    s: spec.sense === "max" ? 1 : -1,
    bound: relaxed.bound,
    d: relaxed.d,
    xLp: relaxed.xLp,
    maxNodes: SEARCH_MAX_NODES,
    deadline,
    incumbent: start ?? undefined,
    dependents,
  });
  if (!found) return null;
  if (!found.primal) return { infeasible: true, nodes: found.nodes, lps: 1 };
  if (!meetsSpec(spec, found.primal)) return null;
  const z = objectiveOf(spec, found.primal);
  return { primal: found.primal, bestBound: z, nodes: found.nodes, lps: 1 };
}

/** The start's values of the integer columns `ints`, if it gives each a whole value in its bounds. */
function startIntegers(spec: ModelSpec, start: SolveOptions["start"], ints: number[]): Float64Array | null {
  if (!start) return null;
  const values = new Float64Array(ints.length);
  for (let k = 0; k < ints.length; k++) {
    const v = spec.variables[ints[k]!]!;
    const x = start[v.name];
    if (x === undefined || !Number.isFinite(x) || x !== Math.round(x) || x < v.lower || x > v.upper)
      return null;
    values[k] = x;
  }
  return values;
}

/**
 * The start as a full plan (integers whole and in bounds, continuous values finite), or null. The
 * search keeps it as first incumbent only if it meets every row.
 */
function startPlan(spec: ModelSpec, start: SolveOptions["start"]): Float64Array | null {
  if (!start) return null;
  const ints: number[] = [];
  spec.variables.forEach((v, j) => {
    if (v.integer) ints.push(j);
  });
  const whole = startIntegers(spec, start, ints);
  if (!whole) return null;
  const plan = new Float64Array(spec.variables.length);
  ints.forEach((j, k) => {
    plan[j] = whole[k]!;
  });
  for (let j = 0; j < plan.length; j++) {
    const v = spec.variables[j]!;
    if (v.integer) continue;
    const x = start[v.name];
    if (x === undefined || !Number.isFinite(x)) return null;
    plan[j] = x;
  }
  return plan;
}

/**
 * The LP of a node over the integers' box `lo`/`hi`: its values and a bound on s·objective valid
 * over the whole box, "infeasible" (proven), or null (neither: give up).
 */
type NodeSolve = (
  lo: Float64Array,
  hi: Float64Array,
  from?: DenseBasis,
) =>
  | { x: Float64Array; bound: number; basis?: DenseBasis | undefined; d?: Float64Array | undefined }
  | "infeasible"
  | null;

interface NodeLps {
  solve: NodeSolve;
  /** Solves after which the search gives up. */
  maxSolves: number;
  /** Whether an integer with more than two values left may be split (cheap nodes only). */
  splitGeneral: boolean;
  close(): void;
}

/** Node LPs by HiGHS: one LP object, each node re-run from the last basis. */
function highsNodes(
  highs: Highs,
  spec: ModelSpec,
  full: HighsModel,
  ints: number[],
  opts: SolveOptions,
  configure: Configure,
): NodeLps {
  const s = spec.sense === "max" ? 1 : -1;
  const optimal = highs.constants.modelStatus.optimal;
  const infeasible = highs.constants.modelStatus.infeasible;
  const { integrality: _int, ...lpData } = full.data;
  const lp = openModel(highs, lpData);
  configure(lp, { ...opts, start: undefined });
  return {
    solve: (lo, hi) => {
      // Integer columns are never scaled (scaling.ts): their bounds are the user's.
      lp.changeColsBounds({ kind: "set", indices: ints }, lo, hi);
      const code = lp.run().modelStatus;
      if (code === infeasible) return "infeasible";
      if (code !== optimal) return null;
      const x = userColumns(full.scaling, lp.getSolution().colValue);
      return { x, bound: s * objectiveOf(spec, x) };
    },
    maxSolves: BRANCH_MAX_LPS,
    // A weak relaxation over general integers takes HiGHS's LPs dozens of nodes — Leasing Mix's
    // `tower-soft-target`, 4 integers in 0…20: 61, or the limit and then HiGHS's MIP after it —
    // where HiGHS's one MIP is cheaper.
    splitGeneral: false,
    close: () => closeModel(lp),
  };
}

/**
 * Node LPs by the dense simplex (dense-lp.ts, decision 0060), a few microseconds each, so general
 * integers are split too. Its answers are checked, not trusted: a node's bound is the Lagrangian
 * bound of its duals over the node's box, and "infeasible" stands only with a Farkas proof.
 */
function denseNodes(spec: ModelSpec, ints: number[]): NodeLps {
  const lp = denseLp(spec);
  const colLo = Float64Array.from(spec.variables, (v) => v.lower);
  const colHi = Float64Array.from(spec.variables, (v) => v.upper);
  return {
    solve(lo, hi, from) {
      for (let k = 0; k < ints.length; k++) {
        colLo[ints[k]!] = lo[k]!;
        colHi[ints[k]!] = hi[k]!;
      }
      const out = solveDense(lp, colLo, colHi, { from });
      if (out.status === "infeasible" && provesInfeasible(spec, out.y, colLo, colHi)) return "infeasible";
      if (out.status === "optimal") {
        const certified = lagrangianBound(spec, out.y, colLo, colHi);
        if (certified) return { x: out.x, bound: certified.bound, basis: out.basis, d: certified.d };
      }
      // A warm basis can end with multipliers a hair off (a reduced cost of 1e-10 on a column
      // without an upper bound makes the proof infinite, as Debt Stack's amounts do): from the
      // logical basis once more before giving the model to HiGHS.
      return from ? this.solve(lo, hi) : null;
    },
    maxSolves: DENSE_MAX_NODES,
    splitGeneral: true,
    close: () => {},
  };
}

function branchAndBound(
  spec: ModelSpec,
  ints: number[],
  opts: SolveOptions,
  nodeLps: NodeLps,
  deadline: number,
): BranchOutcome | Infeasible | null {
  const s = spec.sense === "max" ? 1 : -1;
  try {
    let lps = 0;
    let nodes = 0;
    const solve = (lo: Float64Array, hi: Float64Array, from?: DenseBasis) => {
      lps++;
      return nodeLps.solve(lo, hi, from);
    };

    let best: Float64Array | null = null;
    let zBest = Number.NEGATIVE_INFINITY; // in max form
    const cutoff = () =>
      best === null ? Number.NEGATIVE_INFINITY : zBest + REL_TOL * Math.max(1, Math.abs(zBest));
    const near = (z: number, bound: number) => z >= bound - REL_TOL * Math.max(1, Math.abs(bound));
    /**
     * A plan with the integers at `values`: the LP with them fixed, kept if it beats the incumbent.
     * False: no plan there. Null: give up — also when the plan falls short of the lesser of
     * `bound` (the node's) and its own fixed box's LP bound, which only a bad LP answer can cause.
     * The lesser: the node's LP values were within 1e-6 of `values` (HiGHS's integrality
     * tolerance, which HiGHS's own MIP accepts the same way), so its bound may exceed the plan's
     * by that rounding's worth.
     */
    const candidate = (values: Float64Array, bound: number): boolean | null => {
      const got = solve(values, values);
      if (got === null) return null;
      if (got === "infeasible") return false;
      const x = got.x;
      for (let k = 0; k < ints.length; k++) x[ints[k]!] = values[k]!;
      if (!meetsSpec(spec, x)) return false;
      const z = s * objectiveOf(spec, x);
      if (!near(z, Math.min(bound, got.bound))) return null;
      if (best === null || z > cutoff()) {
        best = x;
        zBest = z;
      }
      return true;
    };

    // The start's integer choices (HiGHS keeps a feasible start as its first incumbent).
    const start = startIntegers(spec, opts.start, ints);
    if (start && candidate(start, Number.NEGATIVE_INFINITY) === null) return null;

    // Depth first over boxes of the integers (explicit stack: last pushed, first explored).
    // Each box keeps its parent's final basis: the dense simplex starts from it (warm).
    const stack: { lo: Float64Array; hi: Float64Array; from?: DenseBasis | undefined }[] = [
      {
        lo: Float64Array.from(ints, (j) => spec.variables[j]!.lower),
        hi: Float64Array.from(ints, (j) => spec.variables[j]!.upper),
      },
    ];
    while (stack.length > 0) {
      if (lps >= nodeLps.maxSolves || performance.now() > deadline) return null;
      const box = stack.pop()!;
      nodes++;
      const got = solve(box.lo, box.hi, box.from);
      if (got === null) return null;
      if (got === "infeasible") continue;
      const { x, bound, basis, d } = got;
      if (bound <= cutoff()) continue;
      // Reduced-cost tightening (dense nodes, once a plan is known): by the Lagrangian bound, a
      // plan of this box δ steps from the bound d_j favours is worth at most bound − |d_j|·δ, so
      // steps beyond (bound − cutoff)/|d_j| cannot beat the incumbent. Both children inherit it.
      if (d && best !== null) {
        const slack = bound - cutoff();
        let lo = box.lo;
        let hi = box.hi;
        for (let t = 0; t < ints.length; t++) {
          const dj = d[ints[t]!]!;
          if (dj === 0) continue;
          const steps = Math.floor(slack / Math.abs(dj));
          if (!(steps < hi[t]! - lo[t]!)) continue;
          if (lo === box.lo) {
            lo = lo.slice();
            hi = hi.slice();
          }
          if (dj > 0) lo[t] = hi[t]! - steps;
          else hi[t] = lo[t]! + steps;
        }
        box.lo = lo;
        box.hi = hi;
      }
      // Branch on the most fractional integer; integral everywhere: a candidate plan.
      let k = -1;
      let frac = INT_TOL;
      for (let t = 0; t < ints.length; t++) {
        const v = x[ints[t]!]!;
        const f = Math.abs(v - Math.round(v));
        if (f > frac) {
          frac = f;
          k = t;
        }
      }
      if (k < 0) {
        const values = new Float64Array(ints.length);
        let whole = true;
        for (let t = 0; t < ints.length; t++) {
          values[t] = Math.round(x[ints[t]!]!);
          whole &&= x[ints[t]!] === values[t];
        }
        if (whole && meetsSpec(spec, x)) {
          // Exactly whole already: the LP with the integers fixed there has this same optimum.
          const z = s * objectiveOf(spec, x);
          if (!near(z, bound)) return null;
          if (best === null || z > cutoff()) {
            best = x;
            zBest = z;
          }
          continue;
        }
        const ok = candidate(values, bound);
        if (ok === null) return null;
        if (ok === false) return null; // integral LP values whose plan fails the re-check: HiGHS decides
        continue;
      }
      // General integers whose LP values are integral (a root that is already the plan, as in
      // most Leasing Mix models) are answered on either kind of node.
      if (!nodeLps.splitGeneral && box.hi[k]! - box.lo[k]! > 1) return null;
      const v = x[ints[k]!]!;
      const down = { lo: box.lo, hi: box.hi.slice(), from: basis };
      down.hi[k] = Math.floor(v);
      const up = { lo: box.lo.slice(), hi: box.hi, from: basis };
      up.lo[k] = Math.ceil(v);
      // The side nearer the LP's value is explored first (pushed last).
      if (v - Math.floor(v) < 0.5) stack.push(up, down);
      else stack.push(down, up);
    }
    // Every box closed by an infeasible LP: no integer plan.
    if (best === null) return { infeasible: true, nodes, lps };
    return { primal: best, bestBound: objectiveOf(spec, best), nodes, lps };
  } finally {
    nodeLps.close();
  }
}

/** The point meets every bound and row of the spec, within HiGHS's feasibility tolerance. */
function meetsSpec(spec: ModelSpec, x: Float64Array): boolean {
  for (let j = 0; j < x.length; j++) {
    const v = spec.variables[j]!;
    if (!Number.isFinite(x[j]!)) return false;
    if (x[j]! < v.lower - FEAS_TOL * Math.max(1, Math.abs(v.lower))) return false;
    if (x[j]! > v.upper + FEAS_TOL * Math.max(1, Math.abs(v.upper))) return false;
  }
  for (const c of spec.constraints) {
    let a = 0;
    for (let k = 0; k < c.vars.length; k++) a += c.coefs[k]! * x[c.vars[k]!]!;
    if (Number.isFinite(c.upper) && a > c.upper + FEAS_TOL * Math.max(1, Math.abs(c.upper))) return false;
    if (Number.isFinite(c.lower) && a < c.lower - FEAS_TOL * Math.max(1, Math.abs(c.lower))) return false;
  }
  return true;
}
