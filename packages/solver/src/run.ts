import highsModule, { type Highs, type Model, type ModelData, type RangingResult } from "highs";
import { answerSmallMip } from "./branch.ts";
import { type FixingOutcome, solveWithReducedCostFixing } from "./fixing.ts";
import { closeModel, openModel } from "./instances.ts";
import { type ModelSpec, objectiveOf } from "./model.ts";
import type {
  ConstraintDual,
  ConstraintReport,
  DualReport,
  IisReport,
  InfeasibilityReport,
  RelaxationChange,
  RelaxationReport,
  SolveOptions,
  SolveResult,
  SolveStatus,
  VariableSensitivity,
} from "./result.ts";
import {
  type HighsModel,
  modelColumn,
  type Scaling,
  scaleModelData,
  userColumnDuals,
  userColumns,
  userRowDuals,
  userRows,
} from "./scaling.ts";
import { proveWithLps } from "./start-proof.ts";

/**
 * The solve itself, synchronous once HiGHS is loaded. Runs in a worker thread (pool.ts) or, for
 * callers already in one, in the current thread (`solveInThisThread`).
 */

// highs ships CommonJS-style declarations (`export default` on a "type": "commonjs" package), so
// TypeScript sees the default import as the module object; at run time the ESM build's default
// export is the loader itself. Accept both.
type LoadHighs = (typeof highsModule)["default"];
const loadHighs: LoadHighs =
  typeof highsModule === "function"
    ? (highsModule as LoadHighs)
    : (highsModule as { default: LoadHighs }).default;

let highsPromise: Promise<Highs> | undefined;

/** HiGHS for this thread, loaded once (the WebAssembly instance is per thread). */
export function getHighs(): Promise<Highs> {
  highsPromise ??= loadHighs();
  return highsPromise;
}

/**
 * Loads and instantiates HiGHS in this thread now (engines' `warmUp`): ~0.1–0.3 s of compiling
 * WebAssembly that the thread's first solve would otherwise pay.
 */
export async function loadSolver(): Promise<void> {
  await getHighs();
}

/** Solves in the calling thread (blocks it for the duration of the solve). */
export async function solveInThisThread(spec: ModelSpec, opts: SolveOptions = {}): Promise<SolveResult> {
  return runSolve(await getHighs(), spec, opts);
}

const STATUS_NAMES = [
  "Not set",
  "Load error",
  "Model error",
  "Presolve error",
  "Solve error",
  "Postsolve error",
  "Empty",
  "Optimal",
  "Infeasible",
  "Primal infeasible or unbounded",
  "Unbounded",
  "Bound on objective reached",
  "Target for objective reached",
  "Time limit reached",
  "Iteration limit reached",
  "Unknown",
  "Solution limit reached",
  "Interrupted",
] as const;

function mapStatus(code: number): SolveStatus {
  switch (code) {
    case 6:
      return "empty";
    case 7:
      return "optimal";
    case 8:
      return "infeasible";
    case 9:
      return "infeasible_or_unbounded";
    case 10:
      return "unbounded";
    case 11:
    case 12:
    case 16:
      return "other_limit";
    case 13:
      return "time_limit";
    case 14:
      return "iteration_limit";
    case 17:
      return "interrupted";
    default:
      return "error";
  }
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);
const clean = (v: number): number => (Object.is(v, -0) ? 0 : v);

/**
 * Column and row arrays in CSR form, in the user's units (what `modelFile` writes; solves hand
 * HiGHS `highsModel`'s scaled copy). `names`: generated names (c0…, r0…) for files written by
 * HiGHS; solves go without, since passing names costs more than the solve of a small LP in
 * WebAssembly (~60 µs per model) and HiGHS never needs them.
 */
export function toModelData(highs: Highs, spec: ModelSpec, names = false): ModelData {
  const n = spec.variables.length;
  const m = spec.constraints.length;
  const colCost = new Float64Array(n);
  const colLower = new Float64Array(n);
  const colUpper = new Float64Array(n);
  const integrality = new Int32Array(n);
  spec.variables.forEach((v, j) => {
    colCost[j] = v.cost;
    colLower[j] = v.lower;
    colUpper[j] = v.upper;
    integrality[j] = v.integer
      ? highs.constants.variableType.integer
      : highs.constants.variableType.continuous;
  });
  const rowLower = new Float64Array(m);
  const rowUpper = new Float64Array(m);
  const starts = new Int32Array(m + 1);
  let nnz = 0;
  for (const c of spec.constraints) nnz += c.vars.length;
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let k = 0;
  spec.constraints.forEach((c, i) => {
    rowLower[i] = c.lower;
    rowUpper[i] = c.upper;
    starts[i] = k;
    for (let t = 0; t < c.vars.length; t++) {
      indices[k] = c.vars[t]!;
      values[k] = c.coefs[t]!;
      k++;
    }
  });
  starts[m] = k;
  const isMip = spec.variables.some((v) => v.integer);
  return {
    numCols: n,
    numRows: m,
    sense:
      spec.sense === "max"
        ? highs.constants.objectiveSense.maximize
        : highs.constants.objectiveSense.minimize,
    offset: spec.objectiveOffset,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: { format: "csr", numRows: m, numCols: n, starts, indices, values },
    ...(isMip ? { integrality } : {}),
    ...(names
      ? {
          colNames: Array.from({ length: n }, (_, j) => `c${j}`),
          rowNames: Array.from({ length: m }, (_, i) => `r${i}`),
        }
      : {}),
  };
}

/**
 * The arrays HiGHS solves: `toModelData`, rows and continuous columns scaled by powers of two
 * unless the model is already well scaled (scaling.ts, decision 0059), with the factors that map
 * HiGHS's answers back to the user's units.
 */
export function highsModel(highs: Highs, spec: ModelSpec, scale = true): HighsModel {
  const data = toModelData(highs, spec);
  return scale ? scaleModelData(data) : { data, scaling: null };
}

function configure(model: Model, opts: SolveOptions) {
  // One call: each crossing into WebAssembly costs (~20 µs per option set).
  const o: Record<string, boolean | number | string> = { output_flag: false, log_to_console: false };
  if (opts.timeLimitSeconds !== undefined) o.time_limit = opts.timeLimitSeconds;
  if (opts.mipRelGap !== undefined) o.mip_rel_gap = opts.mipRelGap;
  if (opts.randomSeed !== undefined) o.random_seed = opts.randomSeed;
  if (opts.presolve !== undefined) o.presolve = opts.presolve;
  if (opts.feasibilityJump !== undefined) o.mip_heuristic_run_feasibility_jump = opts.feasibilityJump;
  model.options.set(o);
}

/**
 * MIPs with at most this many columns run without HiGHS's feasibility-jump heuristic unless
 * `feasibilityJump` says otherwise. On such models HiGHS finds and proves the optimum at the root
 * anyway, and the heuristic's set-up was most of the solve: 2–4× the CPU of a whole engine run of
 * the small optimizers (bench/small-optimizations.ts), same plans and numbers.
 */
export const SMALL_MIP_COLUMNS = 200;

type SolveObserver = (spec: ModelSpec, options: SolveOptions) => void;
let observer: SolveObserver | null = null;

/**
 * Calls `fn` with every model this thread is asked to solve, before it is solved (null: stop).
 * For benches: native HiGHS is given the same problems, however this package answers them.
 */
export function observeSolves(fn: SolveObserver | null): void {
  observer = fn;
}

/** Runs one solve and builds the full report. The HiGHS model object is always released. */
export function runSolve(highs: Highs, spec: ModelSpec, options: SolveOptions = {}): SolveResult {
  const started = performance.now();
  observer?.(spec, options);
  const kind = spec.variables.some((v) => v.integer) ? "mip" : "lp";
  let opts: SolveOptions =
    kind === "mip" && options.feasibilityJump === undefined
      ? { ...options, feasibilityJump: spec.variables.length > SMALL_MIP_COLUMNS }
      : options;
  // Built once: each way below that may answer reads it, and HiGHS's MIP after them.
  const hm = highsModel(highs, spec, opts.scale !== false);
  const { data, scaling } = hm;
  if (kind === "mip" && opts.reducedCostFixing) {
    const deadline =
      opts.timeLimitSeconds !== undefined ? started + opts.timeLimitSeconds * 1000 : Number.POSITIVE_INFINITY;
    const out = solveWithReducedCostFixing(highs, spec, hm, opts, configure, deadline);
    if (out) return resultFromPlan(highs, spec, hm, opts, out, started);
    // Not applicable: the plain MIP, in the time that is left.
    if (Number.isFinite(deadline))
      opts = { ...opts, timeLimitSeconds: Math.max(0.01, (deadline - performance.now()) / 1000) };
  } else if (kind === "mip" && opts.start && opts.iis === false && opts.relaxation === false) {
    // A re-solve from a start, nothing to diagnose: LP relaxations may answer it (start-proof.ts).
    const proof = proveWithLps(highs, spec, hm, opts, configure);
    if (proof?.kind === "start-optimal")
      return resultFromPlan(
        highs,
        spec,
        hm,
        opts,
        {
          primal: proof.primal,
          code: highs.constants.modelStatus.optimal,
          bestBound: proof.bestBound,
          nodes: 0,
          lps: proof.lps,
        },
        started,
      );
    if (proof?.kind === "infeasible")
      return infeasibleByLp(highs, spec, { lpProof: { lps: proof.lps } }, started);
  }
  if (kind === "mip" && !opts.reducedCostFixing && opts.branchAndBound !== false) {
    // Few integers: an LP-based branch and bound answers before HiGHS's MIP is set up (branch.ts,
    // decision 0057). Not applicable or not finished: HiGHS's MIP, as before.
    const deadline =
      opts.timeLimitSeconds !== undefined ? started + opts.timeLimitSeconds * 1000 : Number.POSITIVE_INFINITY;
    const found = answerSmallMip(highs, spec, hm, opts, configure, deadline);
    // Proven infeasible: answered here only when nothing is to be diagnosed (IIS and relaxation
    // are HiGHS's).
    if (found && "infeasible" in found) {
      if (opts.iis === false && opts.relaxation === false)
        return infeasibleByLp(
          highs,
          spec,
          { branchAndBound: { nodes: found.nodes, lps: found.lps } },
          started,
        );
    } else if (found)
      return resultFromPlan(
        highs,
        spec,
        hm,
        opts,
        {
          primal: found.primal,
          code: highs.constants.modelStatus.optimal,
          bestBound: found.bestBound,
          nodes: found.nodes,
          branchAndBound: { nodes: found.nodes, lps: found.lps },
        },
        started,
      );
    if (Number.isFinite(deadline))
      opts = { ...opts, timeLimitSeconds: Math.max(0.01, (deadline - performance.now()) / 1000) };
  }
  const model = openModel(highs, data);
  try {
    configure(model, opts);
    if (opts.start && kind === "mip") {
      // Sparse: the variables the start leaves out are completed by HiGHS, not set to 0.
      const indices: number[] = [];
      const values: number[] = [];
      spec.variables.forEach((v, j) => {
        const x = opts.start?.[v.name];
        if (x !== undefined && Number.isFinite(x)) {
          indices.push(j);
          values.push(modelColumn(scaling, j, x));
        }
      });
      if (indices.length > 0) model.setSolution({ indices, values });
    }
    let code: number = model.run().modelStatus;
    if (code === highs.constants.modelStatus.unboundedOrInfeasible) {
      // Presolve often stops at "infeasible or unbounded"; the simplex without presolve tells which.
      model.zeroAllClocks();
      model.clearSolver();
      model.options.set("presolve", "off");
      code = model.run().modelStatus;
      model.options.set("presolve", opts.presolve ?? "choose");
    }
    const status = mapStatus(code);
    const hasSolution =
      status !== "infeasible" &&
      status !== "unbounded" &&
      status !== "infeasible_or_unbounded" &&
      Number(model.info.get("primal_solution_status")) === highs.constants.solutionStatus.feasible;

    const result: SolveResult = {
      status,
      highsStatus: STATUS_NAMES[code] ?? `status ${code}`,
      kind,
      hasSolution,
      objective: null,
      objectiveUnit: spec.objectiveUnit ?? null,
      values: {},
      primal: [],
      constraints: [],
      binding: [],
      mip: null,
      duals: null,
      infeasibility: null,
      solveMs: 0,
    };

    if (kind === "mip") {
      const gap = Number(model.info.get("mip_gap"));
      const bound = Number(model.info.get("mip_dual_bound"));
      result.mip = {
        gap: hasSolution && Number.isFinite(gap) ? gap : null,
        bestBound: Number.isFinite(bound) ? bound : null,
        nodes: Number(model.info.get("mip_node_count")),
      };
    }

    if (hasSolution) {
      const sol = model.getSolution();
      const primal = Array.from(userColumns(scaling, sol.colValue), (v, j) => {
        const spec_j = spec.variables[j]!;
        if (spec_j.integer && Math.abs(v - Math.round(v)) <= 1e-6) return clean(Math.round(v));
        return clean(v);
      });
      result.primal = primal;
      for (let j = 0; j < primal.length; j++) result.values[spec.variables[j]!.name] = primal[j]!;
      // For a MIP, the objective of the reported (snapped) values, so that both agree exactly.
      result.objective = kind === "mip" ? objectiveOf(spec, primal) : model.getObjectiveValue();
      const rowStatus = kind === "lp" ? model.getBasis().rowStatus : undefined;
      result.constraints = constraintReports(
        spec,
        userRows(scaling, sol.rowValue),
        opts.bindingTolerance ?? 1e-6,
        rowStatus,
      );
      result.binding = result.constraints.filter((c) => c.binding).map((c) => c.constraint);

      if (kind === "lp" && status === "optimal") {
        result.duals = dualReport(highs, model, spec, scaling, result, opts, "lp");
      } else if (kind === "mip" && opts.mipFixedDuals) {
        result.duals = fixedLpDuals(highs, model, spec, scaling, result, opts);
      }
    }

    if (status === "infeasible") {
      model.zeroAllClocks();
      result.infeasibility = diagnoseInfeasibility(highs, model, spec, scaling, opts);
    }
    result.solveMs = performance.now() - started;
    return result;
  } finally {
    closeModel(model);
  }
}

/**
 * A MIP proven infeasible by LPs — its LP relaxation has no solution (start-proof.ts), or a
 * complete search found no plan (branch.ts) — with nothing to diagnose.
 */
function infeasibleByLp(
  highs: Highs,
  spec: ModelSpec,
  how: { lpProof: { lps: number } } | { branchAndBound: { nodes: number; lps: number } },
  started: number,
): SolveResult {
  const code = highs.constants.modelStatus.infeasible;
  return {
    status: "infeasible",
    highsStatus: STATUS_NAMES[code] ?? `status ${code}`,
    kind: "mip",
    hasSolution: false,
    objective: null,
    objectiveUnit: spec.objectiveUnit ?? null,
    values: {},
    primal: [],
    constraints: [],
    binding: [],
    mip: { gap: null, bestBound: null, nodes: 0, ...how },
    duals: null,
    // As diagnoseInfeasibility reports when neither diagnosis is requested.
    infeasibility: {
      iis: null,
      relaxation: null,
      iisNote: "Not requested.",
      relaxationNote: "Not requested.",
    },
    solveMs: performance.now() - started,
  };
}

/**
 * The report of a MIP answered without HiGHS's MIP, from the full plan: by reduced-cost fixing
 * (fixing.ts: `report`) or by LP bounds proving the start optimal (start-proof.ts: `lps`).
 */
function resultFromPlan(
  highs: Highs,
  spec: ModelSpec,
  hm: HighsModel,
  opts: SolveOptions,
  out: Omit<FixingOutcome, "report"> & {
    report?: FixingOutcome["report"];
    lps?: number;
    branchAndBound?: { nodes: number; lps: number };
  },
  started: number,
): SolveResult {
  const primal = Array.from(out.primal, (v, j) =>
    spec.variables[j]!.integer && Math.abs(v - Math.round(v)) <= 1e-6 ? clean(Math.round(v)) : clean(v),
  );
  const objective = objectiveOf(spec, primal);
  const rowValue = new Float64Array(spec.constraints.length);
  spec.constraints.forEach((c, i) => {
    let a = 0;
    for (let k = 0; k < c.vars.length; k++) a += c.coefs[k]! * primal[c.vars[k]!]!;
    rowValue[i] = a;
  });
  const status = mapStatus(out.code);
  const bound = out.bestBound;
  const gap =
    bound === null
      ? null
      : bound === objective
        ? 0
        : objective !== 0
          ? Math.abs(bound - objective) / Math.abs(objective)
          : null;
  const result: SolveResult = {
    status,
    highsStatus: STATUS_NAMES[out.code] ?? `status ${out.code}`,
    kind: "mip",
    hasSolution: true,
    objective,
    objectiveUnit: spec.objectiveUnit ?? null,
    values: {},
    primal,
    constraints: constraintReports(spec, rowValue, opts.bindingTolerance ?? 1e-6, undefined),
    binding: [],
    mip: {
      gap,
      bestBound: bound,
      nodes: out.nodes,
      ...(out.report ? { reducedCostFixing: out.report } : {}),
      ...(out.lps !== undefined ? { lpProof: { lps: out.lps } } : {}),
      ...(out.branchAndBound ? { branchAndBound: out.branchAndBound } : {}),
    },
    duals: null,
    infeasibility: null,
    solveMs: 0,
  };
  for (let j = 0; j < primal.length; j++) result.values[spec.variables[j]!.name] = primal[j]!;
  result.binding = result.constraints.filter((c) => c.binding).map((c) => c.constraint);
  if (opts.mipFixedDuals) {
    // The LP HiGHS would fix (scaled alike; integer columns are never scaled).
    const { integrality: _drop, ...lp } = hm.data;
    const fix = (bounds: ArrayLike<number>) =>
      Float64Array.from(bounds, (b, j) => (spec.variables[j]!.integer ? primal[j]! : b));
    result.duals = dualsOfFixedLp(
      highs,
      { ...lp, colLower: fix(lp.colLower), colUpper: fix(lp.colUpper) },
      spec,
      hm.scaling,
      result,
      opts,
    );
  }
  result.solveMs = performance.now() - started;
  return result;
}

function constraintReports(
  spec: ModelSpec,
  rowValue: Float64Array,
  tol: number,
  rowStatus: Int32Array | undefined,
): ConstraintReport[] {
  return spec.constraints.map((c, i) => {
    const a = clean(rowValue[i]!);
    const dl = Number.isFinite(c.lower) ? a - c.lower : Number.POSITIVE_INFINITY;
    const du = Number.isFinite(c.upper) ? c.upper - a : Number.POSITIVE_INFINITY;
    let limit: ConstraintReport["limit"] = null;
    let slack = Number.POSITIVE_INFINITY;
    let limitValue = 0;
    if (c.lower === c.upper) {
      limit = "equality";
      slack = Math.abs(a - c.lower);
      limitValue = c.lower;
    } else {
      // A nonbasic row sits at the bound its basis status names; otherwise the nearest one.
      const st = rowStatus?.[i];
      const useLower = st === 0 ? true : st === 2 ? false : dl <= du;
      if (useLower && Number.isFinite(dl)) {
        limit = "lower";
        slack = dl;
        limitValue = c.lower;
      } else if (Number.isFinite(du)) {
        limit = "upper";
        slack = du;
        limitValue = c.upper;
      }
    }
    const binding = limit !== null && Math.abs(slack) <= tol * Math.max(1, Math.abs(limitValue));
    return {
      constraint: c.name,
      unit: c.unit ?? null,
      activity: a,
      lower: fin(c.lower),
      upper: fin(c.upper),
      slack: limit === null ? null : clean(binding ? Math.max(0, slack) : slack),
      binding,
      limit,
    };
  });
}

/**
 * Row duals and reduced costs from HiGHS, with ranging. HiGHS reports row duals as
 * ∂objective/∂(active limit) in the model's own sense — for minimisation and maximisation alike
 * (verified by re-solving in test/sign.test.ts) — which is exactly "change of the objective per +1
 * of the limit", so no sign flip is applied. The sign normalisation the product needs is
 * therefore: report HiGHS's value, never SciPy's `marginals` (which are for the min form).
 */
function dualReport(
  highs: Highs,
  model: Model,
  spec: ModelSpec,
  scaling: Scaling | null,
  result: SolveResult,
  opts: SolveOptions,
  basisKind: DualReport["basis"],
): DualReport {
  const raw = model.getSolution();
  // In the user's units: limits and activities / row_i, prices · row_i, values · col_j, reduced
  // costs and cost ranges / col_j (scaling.ts). Objective values are unscaled already.
  const sol = {
    colValue: userColumns(scaling, raw.colValue),
    colDual: userColumnDuals(scaling, raw.colDual),
    rowDual: userRowDuals(scaling, raw.rowDual),
  };
  const basis = model.getBasis();
  const objective = model.getObjectiveValue();
  let ranging: {
    rowBoundDown: { value: Float64Array; objective: ArrayLike<number> };
    rowBoundUp: { value: Float64Array; objective: ArrayLike<number> };
    colCostDown: { value: Float64Array };
    colCostUp: { value: Float64Array };
  } | null = null;
  if (opts.ranging !== false) {
    let r: RangingResult | null;
    try {
      r = model.getRanging();
    } catch {
      r = null;
    }
    if (r)
      ranging = {
        rowBoundDown: { value: userRows(scaling, r.rowBoundDown.value), objective: r.rowBoundDown.objective },
        rowBoundUp: { value: userRows(scaling, r.rowBoundUp.value), objective: r.rowBoundUp.objective },
        colCostDown: { value: userColumnDuals(scaling, r.colCostDown.value) },
        colCostUp: { value: userColumnDuals(scaling, r.colCostUp.value) },
      };
  }
  const bs = highs.constants.basisStatus;
  const constraints: ConstraintDual[] = [];
  spec.constraints.forEach((c, i) => {
    const rep = result.constraints[i]!;
    if (rep.limit === null) return; // a free row has no limit to price
    const limitValue = rep.limit === "lower" ? c.lower : c.upper;
    const basic = basis.rowStatus[i] === bs.basic;
    const price = basic ? 0 : clean(sol.rowDual[i]!);
    let validFrom: number | null = null;
    let validTo: number | null = null;
    let objFrom: number | null = null;
    let objTo: number | null = null;
    if (ranging) {
      if (basic) {
        // Slack is basic: the price 0 holds until the limit reaches the activity.
        if (rep.limit === "upper") {
          validFrom = rep.activity;
          validTo = null;
        } else if (rep.limit === "lower") {
          validFrom = null;
          validTo = rep.activity;
        } else {
          // Degenerate basic equality row: only the current value is certain.
          validFrom = limitValue;
          validTo = limitValue;
        }
        objFrom = validFrom === null ? null : objective;
        objTo = validTo === null ? null : objective;
      } else {
        validFrom = fin(ranging.rowBoundDown.value[i]!);
        validTo = fin(ranging.rowBoundUp.value[i]!);
        objFrom = validFrom === null ? null : fin(ranging.rowBoundDown.objective[i]!);
        objTo = validTo === null ? null : fin(ranging.rowBoundUp.objective[i]!);
      }
    }
    constraints.push({
      constraint: c.name,
      unit: c.unit ?? null,
      objectiveUnit: spec.objectiveUnit ?? null,
      limit: rep.limit,
      limitValue,
      pricePerUnit: price,
      validFrom: validFrom === null ? null : clean(validFrom),
      validTo: validTo === null ? null : clean(validTo),
      objectiveAtValidFrom: objFrom,
      objectiveAtValidTo: objTo,
      binding: rep.binding,
    });
  });
  const variables: VariableSensitivity[] = spec.variables.map((v, j) => {
    const st = basis.colStatus[j];
    const position: VariableSensitivity["position"] =
      st === bs.basic
        ? "basic"
        : v.lower === v.upper
          ? "fixed"
          : st === bs.lower
            ? "at_lower"
            : st === bs.upper
              ? "at_upper"
              : "free_nonbasic";
    return {
      variable: v.name,
      unit: v.unit ?? null,
      value: clean(sol.colValue[j]!),
      position,
      reducedCost: position === "basic" ? 0 : clean(sol.colDual[j]!),
      cost: v.cost,
      costFrom: ranging ? fin(clean(ranging.colCostDown.value[j]!)) : null,
      costTo: ranging ? fin(clean(ranging.colCostUp.value[j]!)) : null,
    };
  });
  return { basis: basisKind, constraints, variables, ranged: ranging !== null };
}

/** Duals of the LP with every integer variable fixed at its incumbent value. */
function fixedLpDuals(
  highs: Highs,
  model: Model,
  spec: ModelSpec,
  scaling: Scaling | null,
  result: SolveResult,
  opts: SolveOptions,
): DualReport | null {
  let fixed: ReturnType<Model["getFixedLp"]>;
  try {
    fixed = model.getFixedLp();
  } catch {
    return null;
  }
  const { integrality: _drop, hessian: _h, ...lp } = fixed;
  // HiGHS fixed its own (scaled) model: the same rows and columns, the same factors.
  return dualsOfFixedLp(highs, lp, spec, scaling, result, opts);
}

/** Duals of an LP whose integer columns are already fixed (no integrality). */
function dualsOfFixedLp(
  highs: Highs,
  lp: ModelData,
  spec: ModelSpec,
  scaling: Scaling | null,
  result: SolveResult,
  opts: SolveOptions,
): DualReport | null {
  const lpModel = openModel(highs, lp);
  try {
    configure(lpModel, opts);
    if (lpModel.run().modelStatus !== highs.constants.modelStatus.optimal) return null;
    const rowStatus = lpModel.getBasis().rowStatus;
    const lpResult = {
      ...result,
      constraints: constraintReports(
        spec,
        userRows(scaling, lpModel.getSolution().rowValue),
        opts.bindingTolerance ?? 1e-6,
        rowStatus,
      ),
    };
    return dualReport(highs, lpModel, spec, scaling, lpResult, opts, "mip-integers-fixed");
  } finally {
    closeModel(lpModel);
  }
}

function diagnoseInfeasibility(
  highs: Highs,
  model: Model,
  spec: ModelSpec,
  scaling: Scaling | null,
  opts: SolveOptions,
): InfeasibilityReport {
  const report: InfeasibilityReport = { iis: null, relaxation: null };
  if (opts.iis !== false) {
    try {
      report.iis = computeIis(highs, model, spec);
      if (!report.iis.irreducible && (report.iis.constraints.length > 0 || report.iis.bounds.length > 0))
        report.iisNote =
          "HiGHS could not prove this subset irreducible: it contains a conflict but may list more than needed.";
      if (report.iis.constraints.length === 0 && report.iis.bounds.length === 0) {
        report.iis = null;
        report.iisNote = spec.variables.some((v) => v.integer)
          ? "HiGHS found no infeasible subsystem of the LP relaxation: the conflict involves integrality."
          : "HiGHS found no infeasible subsystem.";
      }
    } catch (err) {
      report.iisNote = `IIS failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  } else report.iisNote = "Not requested.";
  if (opts.relaxation !== false) {
    try {
      model.zeroAllClocks();
      const r = computeRelaxation(highs, model, spec, scaling, opts);
      if (typeof r === "string") report.relaxationNote = r;
      else report.relaxation = r;
    } catch (err) {
      report.relaxationNote = `Feasibility relaxation failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  } else report.relaxationNote = "Not requested.";
  return report;
}

function computeIis(highs: Highs, model: Model, spec: ModelSpec): IisReport {
  // FromLp | Irreducible: an elastic-LP candidate refined to an irreducible subsystem.
  model.options.set("iis_strategy", highs.constants.iis.strategyRowPriority);
  const iis = model.getIis();
  const c = highs.constants.iis;
  const side = (code: number): "lower" | "upper" | "both" | null =>
    code === c.boundLower ? "lower" : code === c.boundUpper ? "upper" : code === c.boundBoxed ? "both" : null;
  let irreducible = true;
  const constraints: IisReport["constraints"] = [];
  iis.rowIndex.forEach((i, k) => {
    const s = side(iis.rowBound[k]!);
    if (s === null) return;
    if (iis.rowStatus[i] !== c.inConflict) irreducible = false;
    const row = spec.constraints[i]!;
    constraints.push({
      constraint: row.name,
      unit: row.unit ?? null,
      limit: s,
      lower: fin(row.lower),
      upper: fin(row.upper),
    });
  });
  const bounds: IisReport["bounds"] = [];
  iis.colIndex.forEach((j, k) => {
    const s = side(iis.colBound[k]!);
    if (s === null) return; // the column takes part, but none of its bounds is needed
    if (iis.colStatus[j] !== c.inConflict) irreducible = false;
    const v = spec.variables[j]!;
    bounds.push({
      variable: v.name,
      unit: v.unit ?? null,
      bound: s,
      lower: fin(v.lower),
      upper: fin(v.upper),
    });
  });
  return { irreducible, constraints, bounds };
}

function computeRelaxation(
  highs: Highs,
  model: Model,
  spec: ModelSpec,
  scaling: Scaling | null,
  opts: SolveOptions,
): RelaxationReport | string {
  const def = opts.defaultRelaxPenalty ?? 1;
  const rowPen = spec.constraints.map((c) => (c.relaxPenalty === null ? -1 : (c.relaxPenalty ?? def)));
  const colPen = spec.variables.map((v) => (v.boundPenalty == null ? -1 : v.boundPenalty));
  // Penalties per unit of the user's limits: HiGHS's row i is row_i times the user's, its column j
  // x_j / col_j, so a unit of violation there is 1/row_i (col_j) of the user's. Hard stays −1.
  const rowPenHighs = scaling ? rowPen.map((p, i) => (p < 0 ? p : p / scaling.row[i]!)) : rowPen;
  const colPenHighs = scaling ? colPen.map((p, j) => (p < 0 ? p : p * scaling.col[j]!)) : colPen;
  // HiGHS 1.15.1 keeps the model's objective sense for the penalty objective: for a maximisation
  // it then *maximises* weighted violations (seen with unequal penalties: 4,750 instead of 25). The
  // relaxation objective is the penalty alone, so solve it as a minimisation and restore the sense.
  // Changing the sense resets the model status, and HiGHS serves the relaxed solution only if the
  // status it restores afterwards is a solved one — so a maximisation is re-solved (infeasible
  // again) as a minimisation first. Changing the sense back clears the solution: read it before.
  const sense = model.getObjectiveSense();
  if (sense !== highs.constants.objectiveSense.minimize) {
    model.changeObjectiveSense(highs.constants.objectiveSense.minimize);
    model.run();
  }
  let sol: { colValue: Float64Array; rowValue: Float64Array };
  let highsPenalty: number;
  try {
    model.feasibilityRelaxation({
      globalLowerPenalty: -1,
      globalUpperPenalty: -1,
      globalRowPenalty: def,
      localLowerPenalty: colPenHighs,
      localUpperPenalty: colPenHighs,
      localRowPenalty: rowPenHighs,
    });
    const raw = model.getSolution();
    sol = { colValue: userColumns(scaling, raw.colValue), rowValue: userRows(scaling, raw.rowValue) };
    highsPenalty = model.getObjectiveValue();
  } finally {
    if (sense !== highs.constants.objectiveSense.minimize) model.changeObjectiveSense(sense);
  }
  if (sol.colValue.length !== spec.variables.length) return "HiGHS returned no relaxed solution.";
  const tol = 1e-6;
  const changes: RelaxationChange[] = [];
  const viol = (
    kind: RelaxationChange["kind"],
    name: string,
    unit: string | undefined,
    value: number,
    lower: number,
    upper: number,
    penalty: number,
  ): boolean => {
    const push = (limit: "lower" | "upper", current: number) => {
      changes.push({
        kind,
        name,
        unit: unit ?? null,
        limit,
        current,
        required: value,
        change: value - current,
        penalty: Math.max(0, penalty),
      });
    };
    if (value > upper + tol * Math.max(1, Math.abs(upper))) {
      if (penalty < 0) return false;
      push("upper", upper);
    } else if (value < lower - tol * Math.max(1, Math.abs(lower))) {
      if (penalty < 0) return false;
      push("lower", lower);
    }
    return true;
  };
  let ok = true;
  spec.constraints.forEach((c, i) => {
    ok = viol("constraint", c.name, c.unit, sol.rowValue[i]!, c.lower, c.upper, rowPen[i]!) && ok;
  });
  spec.variables.forEach((v, j) => {
    ok = viol("bound", v.name, v.unit, sol.colValue[j]!, v.lower, v.upper, colPen[j]!) && ok;
  });
  if (!ok)
    return "No relaxation of the relaxable constraints makes the model feasible: the hard constraints and bounds conflict among themselves.";
  const values: Record<string, number> = {};
  let objective = spec.objectiveOffset;
  spec.variables.forEach((v, j) => {
    const x = clean(sol.colValue[j]!);
    values[v.name] = x;
    objective += v.cost * x;
  });
  const totalPenalty = changes.reduce((s, ch) => s + ch.penalty * Math.abs(ch.change), 0);
  // Our own accounting of the violations must agree with the objective HiGHS minimised.
  if (Math.abs(totalPenalty - highsPenalty) > 1e-6 * Math.max(1, Math.abs(highsPenalty)))
    return `Feasibility relaxation inconsistent: violations add up to ${totalPenalty}, HiGHS reports ${highsPenalty}.`;
  return { totalPenalty, changes, values, objective };
}
