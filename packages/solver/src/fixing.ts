import type { Highs, ModelData } from "highs";
import { denseFits, denseLp, lagrangianBound, provesInfeasible, solveDense } from "./dense-lp.ts";
import { closeModel, openModel } from "./instances.ts";
import { type ModelSpec, objectiveOf } from "./model.ts";
import type { ReducedCostFixingReport, SolveOptions } from "./result.ts";
import { type HighsModel, scaleModelData, userColumns, userRowDuals } from "./scaling.ts";
import { searchIntegerModel } from "./search.ts";

/**
 * Reduced-cost fixing for MILPs (`SolveOptions.reducedCostFixing`).
 *
 * 1. Solve the LP relaxation and take its row duals y. For ANY y, with d = c − Aᵀy,
 *      c·x = d·x + y·Ax ≤ Σ_i max_{a∈[L_i,U_i]} y_i·a + Σ_j max_{x_j∈[l_j,u_j]} d_j·x_j = B
 *    for every x in the LP's box and rows (maximisation; mirrored for minimisation): B is an upper
 *    bound on every integer plan, computed here from the spec itself — it does not rely on HiGHS's
 *    basis or tolerances, only on the duals it returns (a row whose dual points at an infinite limit
 *    gets y_i = 0, which keeps the bound valid). With the LP's duals, B is the LP optimum.
 * 2. Moving integer x_j from the bound its reduced cost favours by k units costs k·|d_j| of that
 *    bound. So with an incumbent of value z, any plan at least as good as z has
 *    k ≤ (B − z)/|d_j|: every integer variable with |d_j| > B − z is fixed at its favoured bound,
 *    others get tightened bounds. The fixed problem contains the incumbent and every plan at least
 *    as good: its optimum is the optimum. Nothing is lost.
 * 3. The incumbent comes from a restricted MIP that leaves free only the `freeIntegers` integer
 *    variables with the smallest reduced costs (and every one the LP leaves off its favoured
 *    bound). If the proof in step 2 fixes every variable the restriction fixed, the restricted
 *    MIP's answer (and its bound) is already the answer; otherwise the proven problem is solved,
 *    starting from the restricted MIP's plan.
 *
 * Fixed columns are removed from the MIPs handed to HiGHS (their contribution moves into the row
 * limits and the objective offset), so HiGHS only sees the free part. Everything here is in the
 * user's units: the LP's duals and values are mapped back from HiGHS's scaled model, and each
 * sub-model is built from the spec and scaled on its own (scaling.ts).
 */

export interface FixingOutcome {
  /** Full primal vector (every variable of the spec). */
  primal: Float64Array;
  /** HiGHS model status code of the MIP whose answer is returned. */
  code: number;
  /** Valid bound on the optimum in the model's sense (null if unknown). */
  bestBound: number | null;
  nodes: number;
  report: ReducedCostFixingReport;
}

interface Sub {
  /** Free columns of the full model, in order. */
  cols: number[];
  data: ModelData;
  /** A fixed-only row violates its limits: the restricted problem is infeasible. */
  infeasible: boolean;
}

const feasTol = (limit: number) => 1e-6 * Math.max(1, Math.abs(limit));

/**
 * Pure-integer models with at most this many integer variables (or models whose continuous
 * columns the integers determine, search.ts) are searched, for at
 * most SEARCH_MAX_NODES nodes (~1 µs each): a search that needs more hands over to HiGHS, whose
 * cuts pay off there. A node limit, not a clock, so that which path answers — and so the plan,
 * where several are optimal — does not depend on the machine's load.
 */
export const SEARCH_MAX_INTEGERS = 64;
/** LP relaxations of at most this many columns are solved without presolve (relaxationBound). */
const SMALL_LP_COLUMNS = 200;
const SEARCH_MAX_NODES = 20_000;

export function defaultFreeIntegers(integers: number): number {
  return Math.min(integers, Math.max(100, Math.ceil(0.05 * integers)));
}

/**
 * Runs the three steps. Returns null when fixing cannot help or cannot be applied (LP not solved
 * to optimality, an infinite bound, no plan from the restricted MIP): the caller then solves the
 * full MIP as usual.
 */
export function solveWithReducedCostFixing(
  highs: Highs,
  spec: ModelSpec,
  full: HighsModel,
  opts: SolveOptions,
  configure: (m: ReturnType<Highs["createModel"]>, o: SolveOptions) => void,
  deadline: number,
): FixingOutcome | null {
  const n = spec.variables.length;
  const s = spec.sense === "max" ? 1 : -1;
  const remaining = () => Math.max(0.01, (deadline - performance.now()) / 1000);
  const withTime = (o: SolveOptions): SolveOptions =>
    Number.isFinite(deadline) ? { ...o, timeLimitSeconds: remaining() } : o;

  // 1. LP relaxation.
  const relaxed = relaxationBound(highs, spec, full, withTime({ ...opts, start: undefined }), configure);
  if (!relaxed || relaxed === "infeasible") return null;
  const { xLp, lpObjective, bound, d } = relaxed;

  const ints: number[] = [];
  for (let j = 0; j < n; j++) if (spec.variables[j]!.integer) ints.push(j);
  // The bound each integer variable's reduced cost favours, and what leaving it costs per unit.
  const favoured = (j: number) => {
    const v = spec.variables[j]!;
    return d[j]! > 0 ? v.upper : d[j]! < 0 ? v.lower : Number.NaN;
  };
  const unitLoss = (j: number) => {
    const f = favoured(j);
    if (Number.isNaN(f) || Math.abs(xLp[j]! - f) > 1e-6) return 0; // the LP itself is off it
    return Math.abs(d[j]!);
  };

  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const resetBounds = () => {
    spec.variables.forEach((v, j) => {
      lo[j] = v.lower;
      hi[j] = v.upper;
    });
  };

  /** Step 2's proof from an incumbent of value zInc: `lo`/`hi` narrowed, and what it fixed. */
  const prove = (zInc: number) => {
    const slack = Math.max(0, bound - s * zInc);
    const tol = 1e-9 * Math.max(1, Math.abs(bound), Math.abs(zInc));
    resetBounds();
    let fixed = 0;
    let tightened = 0;
    for (const j of ints) {
      const dj = d[j]!;
      if (dj === 0) continue;
      const v = spec.variables[j]!;
      const k = Math.floor((slack + tol) / Math.abs(dj));
      if (dj > 0) {
        // Favoured bound: the upper one (finite, or the bound above would be infinite).
        const newLo = Math.max(v.lower, v.upper - k);
        if (newLo > v.lower) {
          lo[j] = newLo;
          if (newLo >= v.upper) fixed++;
          else tightened++;
        }
      } else {
        const newHi = Math.min(v.upper, v.lower + k);
        if (newHi < v.upper) {
          hi[j] = newHi;
          if (newHi <= v.lower) fixed++;
          else tightened++;
        }
      }
    }
    let freeAfter = 0;
    for (const j of ints) if (lo[j]! < hi[j]!) freeAfter++;
    return { slack, tol, fixed, tightened, freeAfter };
  };

  const cfg = opts.reducedCostFixing;
  // Small pure-integer models (and those whose continuous columns the integers determine): the
  // bound above drives a complete search (search.ts) instead of HiGHS's MIP. An infeasible
  // model, or one the search cannot finish, takes the path below.
  if ((typeof cfg !== "object" || cfg.search !== false) && ints.length <= SEARCH_MAX_INTEGERS) {
    const found = searchIntegerModel(spec, {
      s,
      bound,
      d,
      xLp,
      maxNodes: SEARCH_MAX_NODES,
      deadline,
    });
    if (found?.primal) {
      const z = objectiveOf(spec, found.primal);
      const { fixed, tightened, freeAfter } = prove(z);
      return {
        primal: found.primal,
        code: highs.constants.modelStatus.optimal,
        // Searched to the end: nothing better than the plan exists (beyond 1e-9 relative).
        bestBound: z,
        nodes: found.nodes,
        report: {
          lpObjective,
          lpBound: s * bound,
          incumbent: z,
          integers: ints.length,
          restrictedFree: ints.length,
          fixed,
          tightened,
          free: freeAfter,
          restrictedWasFinal: true,
          searchNodes: found.nodes,
        },
      };
    }
  }

  // 2 (heuristic). Restricted MIP: fix all but the `free` integer variables nearest to entering.
  const free = Math.max(
    0,
    Math.min(
      ints.length,
      (typeof cfg === "object" ? cfg.freeIntegers : undefined) ?? defaultFreeIntegers(ints.length),
    ),
  );
  const byLoss = [...ints].sort((a, b) => unitLoss(a) - unitLoss(b));
  resetBounds();
  const restrictedFixed = new Map<number, number>();
  for (let r = free; r < byLoss.length; r++) {
    const j = byLoss[r]!;
    if (unitLoss(j) === 0) continue; // always free when the LP is off its favoured bound
    const f = favoured(j);
    lo[j] = hi[j] = f;
    restrictedFixed.set(j, f);
  }
  let nodes = 0;
  const restricted = solveSub(highs, spec, full, lo, hi, withTime(opts), configure, undefined);
  if (!restricted) return null;
  nodes += restricted.nodes;
  if (!restricted.primal) return null;
  const incumbent = restricted.primal;
  const zInc = objectiveOf(spec, incumbent);

  // 2 (proof). Fix and tighten from the incumbent's value.
  const { slack, tol, fixed, tightened, freeAfter } = prove(zInc);

  const report: ReducedCostFixingReport = {
    lpObjective,
    lpBound: s * bound,
    incumbent: zInc,
    integers: ints.length,
    restrictedFree: ints.length - restrictedFixed.size,
    fixed,
    tightened,
    free: freeAfter,
    restrictedWasFinal: false,
  };

  // Does the proof fix everything the restriction fixed (at the same value)? Then the restricted
  // MIP covered every plan at least as good as its own: its answer and bound are final.
  let covered = true;
  for (const [j, f] of restrictedFixed) {
    if (!(lo[j] === f && hi[j] === f)) {
      covered = false;
      break;
    }
  }
  const boundOf = (b: number | null) => {
    // Both bounds are valid; report the tighter one.
    if (b === null || !Number.isFinite(b)) return s * bound;
    return s > 0 ? Math.min(b, bound) : Math.max(b, -bound);
  };
  // Or the restricted plan is already within the requested gap of the bound: as HiGHS would, stop.
  const gapTolerance = opts.mipRelGap ?? 1e-4;
  if (
    !covered &&
    slack <= gapTolerance * Math.abs(zInc) &&
    restricted.code === highs.constants.modelStatus.optimal
  ) {
    report.free = report.restrictedFree;
    return { primal: incumbent, code: restricted.code, bestBound: s * bound, nodes, report };
  }
  if (covered || restricted.code === highs.constants.modelStatus.timeLimit || performance.now() >= deadline) {
    report.restrictedWasFinal = covered;
    report.free = report.restrictedFree;
    return {
      primal: incumbent,
      code: restricted.code,
      bestBound: covered ? boundOf(restricted.bestBound) : s * bound,
      nodes,
      report,
    };
  }

  // 3. The proven problem, starting from the restricted MIP's plan.
  const proven = solveSub(highs, spec, full, lo, hi, withTime(opts), configure, incumbent);
  if (!proven?.primal) {
    // Out of time (or HiGHS failed) without even keeping the start: the restricted plan stands.
    return { primal: incumbent, code: proven?.code ?? restricted.code, bestBound: s * bound, nodes, report };
  }
  nodes += proven.nodes;
  const better = s * objectiveOf(spec, proven.primal) >= s * zInc - tol;
  return {
    primal: better ? proven.primal : incumbent,
    code: proven.code,
    bestBound: boundOf(proven.bestBound),
    nodes,
    report,
  };
}

/** Step 1: the LP relaxation, and the bound B with the reduced costs d (max form) from its duals. */
export interface RelaxationBound {
  xLp: Float64Array;
  lpObjective: number;
  /** B in max form: s·objective(x) ≤ B for every x in the box and rows. */
  bound: number;
  /** Reduced costs in max form (0 where at rounding level). */
  d: Float64Array;
}

export function relaxationBound(
  highs: Highs,
  spec: ModelSpec,
  full: HighsModel,
  opts: SolveOptions,
  configure: (m: ReturnType<Highs["createModel"]>, o: SolveOptions) => void,
): RelaxationBound | "infeasible" | null {
  const lower = spec.variables.map((v) => v.lower);
  const upper = spec.variables.map((v) => v.upper);
  const s = spec.sense === "max" ? 1 : -1;
  // Small LPs by the dense simplex (decision 0060): its duals give a bound that holds whatever
  // they are, and its "infeasible" is kept only with a Farkas proof. Anything else: HiGHS.
  if (denseFits(spec)) {
    const out = solveDense(denseLp(spec), lower, upper);
    if (out.status === "infeasible" && provesInfeasible(spec, out.y, lower, upper)) return "infeasible";
    if (out.status === "optimal") {
      const certified = lagrangianBound(spec, out.y, lower, upper);
      if (certified) return { xLp: out.x, lpObjective: objectiveOf(spec, out.x), ...certified };
    }
  }
  const n = spec.variables.length;
  const { integrality: _int, ...lpData } = full.data;
  const lp = openModel(highs, lpData);
  let xLp: Float64Array;
  let y: Float64Array;
  let lpObjective: number;
  try {
    // A small LP without presolve: HiGHS's presolve was half of such an LP's cost (Capex's 16
    // columns: 0.28 → 0.15 ms). This LP only steers the search and the fixing (its bound and
    // reduced costs are valid at any optimal basis), so nothing reported depends on it.
    configure(lp, n <= SMALL_LP_COLUMNS && opts.presolve === undefined ? { ...opts, presolve: "off" } : opts);
    const code = lp.run().modelStatus;
    if (code === highs.constants.modelStatus.infeasible) return "infeasible";
    if (code !== highs.constants.modelStatus.optimal) return null;
    const sol = lp.getSolution();
    // In the user's units: the bound below is computed from the spec.
    xLp = userColumns(full.scaling, sol.colValue);
    y = userRowDuals(full.scaling, sol.rowDual);
    lpObjective = lp.getObjectiveValue();
  } finally {
    closeModel(lp);
  }
  // The Lagrangian bound in max form, from HiGHS's duals (y' = s·y).
  const certified = lagrangianBound(
    spec,
    y.map((v) => s * v),
    lower,
    upper,
  );
  return certified ? { xLp, lpObjective, ...certified } : null;
}

/** The MIP with the columns fixed by `lo === hi` removed (moved into row limits and the offset). */
function subModel(spec: ModelSpec, full: HighsModel, lo: Float64Array, hi: Float64Array): Sub {
  const n = spec.variables.length;
  const m = spec.constraints.length;
  const colMap = new Int32Array(n).fill(-1);
  const cols: number[] = [];
  let offset = spec.objectiveOffset;
  for (let j = 0; j < n; j++) {
    if (lo[j]! === hi[j]!) offset += spec.variables[j]!.cost * lo[j]!;
    else {
      colMap[j] = cols.length;
      cols.push(j);
    }
  }
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  let infeasible = false;
  for (let i = 0; i < m; i++) {
    const c = spec.constraints[i]!;
    let fixedActivity = 0;
    const before = indices.length;
    for (let k = 0; k < c.vars.length; k++) {
      const j = c.vars[k]!;
      const cj = colMap[j]!;
      if (cj < 0) fixedActivity += c.coefs[k]! * lo[j]!;
      else {
        indices.push(cj);
        values.push(c.coefs[k]!);
      }
    }
    if (indices.length === before) {
      // Nothing free in this row: it only checks the fixed values.
      if (fixedActivity < c.lower - feasTol(c.lower) || fixedActivity > c.upper + feasTol(c.upper))
        infeasible = true;
      continue;
    }
    rowLower.push(c.lower - fixedActivity);
    rowUpper.push(c.upper - fixedActivity);
    starts.push(indices.length);
  }
  const numRows = rowLower.length;
  const numCols = cols.length;
  const integrality = new Int32Array(numCols);
  cols.forEach((j, k) => {
    integrality[k] = full.data.integrality?.[j] ?? 0;
  });
  return {
    cols,
    infeasible,
    data: {
      numCols,
      numRows,
      sense: full.data.sense,
      offset,
      colCost: Float64Array.from(cols, (j) => spec.variables[j]!.cost),
      colLower: Float64Array.from(cols, (j) => lo[j]!),
      colUpper: Float64Array.from(cols, (j) => hi[j]!),
      rowLower: Float64Array.from(rowLower),
      rowUpper: Float64Array.from(rowUpper),
      matrix: {
        format: "csr",
        numRows,
        numCols,
        starts: Int32Array.from(starts),
        indices: Int32Array.from(indices),
        values: Float64Array.from(values),
      },
      integrality,
    },
  };
}

interface SubResult {
  code: number;
  primal: Float64Array | null;
  bestBound: number | null;
  nodes: number;
}

function solveSub(
  highs: Highs,
  spec: ModelSpec,
  full: HighsModel,
  lo: Float64Array,
  hi: Float64Array,
  opts: SolveOptions,
  configure: (m: ReturnType<Highs["createModel"]>, o: SolveOptions) => void,
  start: Float64Array | undefined,
): SubResult | null {
  const sub = subModel(spec, full, lo, hi);
  if (sub.infeasible) return null;
  // What HiGHS solves: the sub-model scaled on its own; its values mapped back before use.
  const { data: subData, scaling } =
    opts.scale === false ? { data: sub.data, scaling: null } : scaleModelData(sub.data);
  const subCol = (k: number) => (scaling ? scaling.col[k]! : 1);
  const fill = (colValue: ArrayLike<number>) => {
    const x = Float64Array.from(lo);
    const user = userColumns(scaling, colValue);
    sub.cols.forEach((j, k) => {
      x[j] = user[k]!;
    });
    return x;
  };
  if (sub.cols.length === 0 || sub.data.numRows === 0) {
    // Nothing left for HiGHS to decide (or no row couples the free columns): every free column
    // sits at the bound its cost favours.
    const x = Float64Array.from(lo);
    const s = spec.sense === "max" ? 1 : -1;
    for (const j of sub.cols) {
      const c = s * spec.variables[j]!.cost;
      const v = c > 0 ? hi[j]! : c < 0 ? lo[j]! : Number.isFinite(lo[j]!) ? lo[j]! : Math.min(0, hi[j]!);
      if (!Number.isFinite(v)) return null;
      x[j] = v;
    }
    const z = objectiveOf(spec, x);
    return { code: highs.constants.modelStatus.optimal, primal: x, bestBound: z, nodes: 0 };
  }
  const model = openModel(highs, subData);
  try {
    configure(model, { ...opts, start: undefined });
    const startValues = start ?? undefined;
    if (startValues) {
      model.setSolution({
        indices: sub.cols.map((_, k) => k),
        values: sub.cols.map((j, k) => startValues[j]! / subCol(k)),
      });
    } else if (opts.start) {
      const indices: number[] = [];
      const values: number[] = [];
      sub.cols.forEach((j, k) => {
        const v = opts.start?.[spec.variables[j]!.name];
        if (v !== undefined && Number.isFinite(v)) {
          indices.push(k);
          values.push(v / subCol(k));
        }
      });
      if (indices.length > 0) model.setSolution({ indices, values });
    }
    const code = model.run().modelStatus;
    const hasPlan =
      Number(model.info.get("primal_solution_status")) === highs.constants.solutionStatus.feasible &&
      code !== highs.constants.modelStatus.infeasible;
    const bound = Number(model.info.get("mip_dual_bound"));
    return {
      code,
      primal: hasPlan ? fill(model.getSolution().colValue) : null,
      bestBound: Number.isFinite(bound) ? bound : null,
      nodes: Number(model.info.get("mip_node_count")) || 0,
    };
  } finally {
    closeModel(model);
  }
}
