import type { ModelSpec } from "./model.ts";

/**
 * A dense bounded-variable primal simplex for the small LPs that steer the exact searches of
 * branch.ts and search.ts (decision 0060). HiGHS answers a 5 × 8 LP in 0.1–0.3 ms in WebAssembly,
 * almost all of it fixed cost around the simplex (options, presolve checks, solution copies); this
 * takes a few microseconds. It is never trusted: its callers use only what they can check outside
 * it —
 * - a dual vector y, from which `lagrangianBound` computes a bound valid for *any* y (weak
 *   duality over the box), so a poor y only weakens pruning;
 * - a Farkas vector for "infeasible", kept only if `provesInfeasible` confirms it;
 * - a primal point, used only as a plan after the spec's own re-check, or to pick a branching
 *   variable.
 * When it cannot finish (iteration limit, unboundedness, numerical trouble) it says "failed" and
 * the caller asks HiGHS.
 *
 * Method: the rows as logical columns r = Ax, so [A −I]·(x, r) = 0 with every column boxed; a
 * dense tableau T = B⁻¹[A −I] over the basis B (initially the logicals); composite phase 1
 * (minimise the sum of bound violations of the basic columns, re-priced every iteration) then
 * phase 2 on the objective in max form; Dantzig pricing, Bland's rule after a run of degenerate
 * pivots; a bounded ratio test where a violated basic column may move up to the bound it violates.
 */

/** The LP of a spec in dense max form, built once and re-solved over different column boxes. */
export interface DenseLp {
  n: number;
  m: number;
  /** Row-major m × n matrix. */
  a: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** Objective in max form (s · cost). */
  cost: Float64Array;
}

export type DenseOutcome =
  | {
      status: "optimal";
      /** Column values. */
      x: Float64Array;
      /** Row duals in max form: s·c = yᵀA + d at the optimum. */
      y: Float64Array;
      iterations: number;
    }
  | {
      status: "infeasible" /** A Farkas candidate (check with `provesInfeasible`). */;
      y: Float64Array;
      iterations: number;
    }
  | { status: "failed"; iterations: number };

/** Cells (m × (n + m)) beyond which a tableau costs more than HiGHS's fixed overhead saves. */
export const DENSE_MAX_CELLS = 6_000;
/**
 * Columns beyond which HiGHS solves the LP: starting every column at the bound its cost favours,
 * a knapsack row takes this simplex about one bound flip per column (Deal Picker's 1-row LP: 232
 * iterations and 0.5 ms at 200 deals, 3.2 ms at 500, where HiGHS takes ~0.3 ms).
 */
export const DENSE_MAX_COLUMNS = 64;

export function denseFits(spec: ModelSpec): boolean {
  const n = spec.variables.length;
  const m = spec.constraints.length;
  return n <= DENSE_MAX_COLUMNS && m * (n + m) <= DENSE_MAX_CELLS;
}

export function denseLp(spec: ModelSpec): DenseLp {
  const n = spec.variables.length;
  const m = spec.constraints.length;
  const s = spec.sense === "max" ? 1 : -1;
  const a = new Float64Array(m * n);
  const rowLower = new Float64Array(m);
  const rowUpper = new Float64Array(m);
  spec.constraints.forEach((c, i) => {
    for (let k = 0; k < c.vars.length; k++) a[i * n + c.vars[k]!] = c.coefs[k]!;
    rowLower[i] = c.lower;
    rowUpper[i] = c.upper;
  });
  const cost = Float64Array.from(spec.variables, (v) => s * v.cost);
  return { n, m, a, rowLower, rowUpper, cost };
}

const PIVOT_TOL = 1e-9;
const FEAS_TOL = 1e-9;
const OPT_TOL = 1e-9;
/** Degenerate pivots in a row after which pricing turns to Bland's rule (no cycling). */
const DEGENERATE_RUN = 30;

/**
 * A basis and the tableau over it, as a solve ended: a child node of a branch and bound starts
 * from its parent's (only a column's bounds changed, so a few pivots usually restore optimality).
 */
export interface DenseBasis {
  /** m × (n + m) tableau B⁻¹[A −I]. */
  T: Float64Array;
  /** Basic column of each row. */
  head: Int32Array;
  /** Row of each basic column, −1 for nonbasic ones. */
  rowOf: Int32Array;
  /** Values of every column (nonbasic ones at a bound, or 0 when free). */
  x: Float64Array;
  /** Pivots since the tableau was built from A: past `REFRESH_PIVOTS` a start is fresh again. */
  pivots: number;
}

/** Pivots a warm start may have accumulated before it is rebuilt from A (rounding drift). */
const REFRESH_PIVOTS = 200;

/**
 * Solves max cost·x over rowLower ≤ Ax ≤ rowUpper, colLower ≤ x ≤ colUpper: from the logical
 * basis, or from `from` (copied, never changed). `basis` of the outcome is the final one.
 */
export function solveDense(
  lp: DenseLp,
  colLower: ArrayLike<number>,
  colUpper: ArrayLike<number>,
  options: { from?: DenseBasis | undefined; maxIterations?: number } = {},
): DenseOutcome & { basis?: DenseBasis } {
  const { n, m, a } = lp;
  const N = n + m;
  const maxIterations = options.maxIterations ?? 20 * (n + m) + 50;
  const lo = new Float64Array(N);
  const hi = new Float64Array(N);
  for (let j = 0; j < n; j++) {
    lo[j] = colLower[j]!;
    hi[j] = colUpper[j]!;
    if (!(lo[j]! <= hi[j]!)) return { status: "failed", iterations: 0 };
  }
  for (let i = 0; i < m; i++) {
    lo[n + i] = lp.rowLower[i]!;
    hi[n + i] = lp.rowUpper[i]!;
  }
  const ptol = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    let size = 1;
    if (Number.isFinite(lo[k]!)) size = Math.max(size, Math.abs(lo[k]!));
    if (Number.isFinite(hi[k]!)) size = Math.max(size, Math.abs(hi[k]!));
    ptol[k] = FEAS_TOL * size;
  }
  let costSize = 1;
  for (let j = 0; j < n; j++) costSize = Math.max(costSize, Math.abs(lp.cost[j]!));

  let T: Float64Array;
  let head: Int32Array;
  let rowOf: Int32Array;
  let x: Float64Array;
  let pivots: number;
  const from = options.from;
  if (from && from.pivots < REFRESH_PIVOTS) {
    T = from.T.slice();
    head = from.head.slice();
    rowOf = from.rowOf.slice();
    x = from.x.slice();
    pivots = from.pivots;
    // Nonbasic columns into their (possibly narrowed) bounds; basic values are recomputed below.
    for (let j = 0; j < N; j++) {
      if (rowOf[j]! >= 0) continue;
      if (x[j]! < lo[j]!) x[j] = lo[j]!;
      else if (x[j]! > hi[j]!) x[j] = hi[j]!;
    }
  } else {
    // T = B⁻¹[A −I] with B = −I: [−A | I].
    T = new Float64Array(m * N);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) T[i * N + j] = -a[i * n + j]!;
      T[i * N + n + i] = 1;
    }
    head = new Int32Array(m);
    rowOf = new Int32Array(N).fill(-1);
    for (let i = 0; i < m; i++) {
      head[i] = n + i;
      rowOf[n + i] = i;
    }
    x = new Float64Array(N);
    pivots = 0;
    for (let j = 0; j < n; j++) {
      const l = lo[j]!;
      const u = hi[j]!;
      // At the bound the objective favours, when finite: phase 2 then starts nearer the optimum.
      if (Number.isFinite(l) && Number.isFinite(u)) x[j] = lp.cost[j]! > 0 ? u : l;
      else if (Number.isFinite(l)) x[j] = l;
      else if (Number.isFinite(u)) x[j] = u;
      else x[j] = 0;
    }
  }

  const g = new Float64Array(N);
  const gB = new Float64Array(m);
  const d = new Float64Array(N);
  let degenerate = 0;
  for (let iter = 0; iter < maxIterations; iter++) {
    // Basic values from the nonbasic ones (fresh each time: no drift from incremental updates).
    for (let i = 0; i < m; i++) {
      let v = 0;
      const row = i * N;
      for (let j = 0; j < N; j++) if (rowOf[j]! < 0 && x[j] !== 0) v -= T[row + j]! * x[j]!;
      x[head[i]!] = v;
    }
    // Phase 1 while a basic column violates a bound: maximise −(sum of violations).
    g.fill(0);
    let phase1 = false;
    for (let i = 0; i < m; i++) {
      const k = head[i]!;
      if (x[k]! < lo[k]! - ptol[k]!) {
        g[k] = 1;
        phase1 = true;
      } else if (x[k]! > hi[k]! + ptol[k]!) {
        g[k] = -1;
        phase1 = true;
      }
    }
    if (!phase1) for (let j = 0; j < n; j++) g[j] = lp.cost[j]!;
    for (let i = 0; i < m; i++) gB[i] = g[head[i]!]!;
    const dtol = phase1 ? OPT_TOL : OPT_TOL * costSize;
    // Reduced costs d_j = g_j − g_Bᵀ T_j of the nonbasic columns, and the entering one.
    const bland = degenerate >= DEGENERATE_RUN;
    let q = -1;
    let dir = 0;
    let score = 0;
    for (let j = 0; j < N; j++) {
      if (rowOf[j]! >= 0) {
        d[j] = 0;
        continue;
      }
      let dj = g[j]!;
      for (let i = 0; i < m; i++) if (gB[i] !== 0) dj -= gB[i]! * T[i * N + j]!;
      d[j] = dj;
      const up = dj > dtol && x[j]! < hi[j]! - ptol[j]!;
      const down = dj < -dtol && x[j]! > lo[j]! + ptol[j]!;
      if (!up && !down) continue;
      if (bland) {
        if (q < 0) {
          q = j;
          dir = up ? 1 : -1;
        }
      } else if (Math.abs(dj) > score) {
        score = Math.abs(dj);
        q = j;
        dir = up ? 1 : -1;
      }
    }
    if (q < 0) {
      // y = B⁻ᵀg_B: the logical column of row i is −e_i, so d_{n+i} = g_{n+i} + y_i. In phase 1,
      // −y is the Farkas vector: every boxed (x, r) with Ax = r has g·(x, r) = d·(x, r), and at
      // this basis the most d·(x, r) reaches over the box is less than the least g·(x, r) does.
      const y = new Float64Array(m);
      for (let i = 0; i < m; i++) y[i] = d[n + i]! - g[n + i]!;
      const basis = { T, head, rowOf, x, pivots };
      if (phase1) return { status: "infeasible", y, iterations: iter, basis };
      return { status: "optimal", x: x.slice(0, n), y, iterations: iter, basis };
    }

    // Ratio test: x_q moves by dir·t, basic column i by α_i·t with α_i = −T_iq·dir.
    let colMax = 0;
    for (let i = 0; i < m; i++) colMax = Math.max(colMax, Math.abs(T[i * N + q]!));
    const pivTol = PIVOT_TOL * Math.max(1, colMax);
    let t = hi[q]! - lo[q]!; // a bound flip
    let leave = -1;
    let leaveAt = 0;
    let leaveAlpha = 0;
    for (let i = 0; i < m; i++) {
      const alpha = -T[i * N + q]! * dir;
      if (Math.abs(alpha) <= pivTol) continue;
      const k = head[i]!;
      const v = x[k]!;
      let limit = Number.POSITIVE_INFINITY;
      let at = 0;
      if (alpha > 0) {
        if (g[k] === 1 && phase1) {
          limit = (lo[k]! - v) / alpha; // reaches the bound it violates
          at = lo[k]!;
        } else if (!(phase1 && g[k] === -1) && Number.isFinite(hi[k]!)) {
          limit = (hi[k]! - v) / alpha;
          at = hi[k]!;
        }
      } else if (g[k] === -1 && phase1) {
        limit = (v - hi[k]!) / -alpha;
        at = hi[k]!;
      } else if (!(phase1 && g[k] === 1) && Number.isFinite(lo[k]!)) {
        limit = (v - lo[k]!) / -alpha;
        at = lo[k]!;
      }
      if (limit < 0) limit = 0;
      if (limit < t || (limit === t && leave >= 0 && Math.abs(alpha) > Math.abs(leaveAlpha))) {
        t = limit;
        leave = i;
        leaveAt = at;
        leaveAlpha = alpha;
      }
    }
    if (!Number.isFinite(t)) return { status: "failed", iterations: iter }; // unbounded
    degenerate = t === 0 ? degenerate + 1 : 0;
    if (leave < 0) {
      x[q] = dir > 0 ? hi[q]! : lo[q]!;
      continue;
    }
    x[q] = x[q]! + dir * t;
    const out = head[leave]!;
    x[out] = leaveAt;
    // Pivot on T[leave][q].
    const pr = leave * N;
    const p = T[pr + q]!;
    for (let j = 0; j < N; j++) T[pr + j] = T[pr + j]! / p;
    T[pr + q] = 1;
    for (let i = 0; i < m; i++) {
      if (i === leave) continue;
      const row = i * N;
      const f = T[row + q]!;
      if (f === 0) continue;
      for (let j = 0; j < N; j++) T[row + j] = T[row + j]! - f * T[pr + j]!;
      T[row + q] = 0;
    }
    rowOf[out] = -1;
    rowOf[q] = leave;
    head[leave] = q;
    pivots++;
  }
  return { status: "failed", iterations: maxIterations };
}

/**
 * The Lagrangian bound of y (row multipliers in max form) over a column box: every x in the box
 * meeting the rows has s·objective(x) ≤ bound, whatever y is (weak duality), so the bound is
 * valid however y was found. A multiplier whose row side is infinite is taken as 0 (still valid).
 * `d` are the reduced costs s·c − Aᵀy in max form, zeroed where at rounding level of their terms
 * (basic columns: it matters only where their bound is infinite). Null when the bound is infinite.
 */
export function lagrangianBound(
  spec: ModelSpec,
  yMaxForm: ArrayLike<number>,
  colLower: ArrayLike<number>,
  colUpper: ArrayLike<number>,
): { bound: number; d: Float64Array } | null {
  const n = spec.variables.length;
  const m = spec.constraints.length;
  const s = spec.sense === "max" ? 1 : -1;
  const y = new Float64Array(m);
  let bound = s * spec.objectiveOffset;
  // Plain loops (this runs at every branch-and-bound node; under tsx each closure costs).
  for (let i = 0; i < m; i++) {
    const c = spec.constraints[i]!;
    const v = yMaxForm[i]!;
    if (v > 0 && Number.isFinite(c.upper)) {
      y[i] = v;
      bound += v * c.upper;
    } else if (v < 0 && Number.isFinite(c.lower)) {
      y[i] = v;
      bound += v * c.lower;
    }
  }
  const d = new Float64Array(n);
  const mag = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const cost = spec.variables[j]!.cost;
    d[j] = s * cost;
    mag[j] = Math.abs(cost);
  }
  for (let i = 0; i < m; i++) {
    const yi = y[i]!;
    if (yi === 0) continue;
    const c = spec.constraints[i]!;
    for (let k = 0; k < c.vars.length; k++) {
      const j = c.vars[k]!;
      const t = c.coefs[k]! * yi;
      d[j] = d[j]! - t;
      mag[j] = mag[j]! + Math.abs(t);
    }
  }
  for (let j = 0; j < n; j++) {
    let dj = d[j]!;
    if (Math.abs(dj) <= 1e-9 * mag[j]!) dj = d[j] = 0;
    if (dj > 0) bound += dj * colUpper[j]!;
    else if (dj < 0) bound += dj * colLower[j]!;
  }
  if (!Number.isFinite(bound)) return null;
  return { bound, d };
}

/**
 * Whether y (or −y) proves that no x in the column box meets the rows: for every such x,
 * yᵀAx = yᵀr with r within the row limits, so max over the box of (Aᵀy)ᵀx < min over the limits
 * of yᵀr is a contradiction. The margin (1e-9 of the terms' size) keeps rounding from proving it.
 */
export function provesInfeasible(
  spec: ModelSpec,
  y: ArrayLike<number>,
  colLower: ArrayLike<number>,
  colUpper: ArrayLike<number>,
): boolean {
  for (const sign of [1, -1]) {
    const w = new Float64Array(spec.variables.length);
    const mag = new Float64Array(spec.variables.length);
    let rowMin = 0;
    let size = 0;
    for (let i = 0; i < spec.constraints.length; i++) {
      const c = spec.constraints[i]!;
      const yi = sign * y[i]!;
      const limit = yi > 0 ? c.lower : c.upper;
      // A multiplier on an infinite side proves nothing: taken as 0 (any y is a valid test).
      if (yi === 0 || !Number.isFinite(limit)) continue;
      rowMin += yi * limit;
      size += Math.abs(yi * limit);
      for (let k = 0; k < c.vars.length; k++) {
        const j = c.vars[k]!;
        w[j] = w[j]! + yi * c.coefs[k]!;
        mag[j] = mag[j]! + Math.abs(yi * c.coefs[k]!);
      }
    }
    let colMax = 0;
    for (let j = 0; j < w.length; j++) {
      const wj = w[j]!;
      // A sum that cancels to rounding level is zero (a basic column's, exactly 0 in exact
      // arithmetic): otherwise an infinite bound times 1e-17 would hide every proof. The same
      // rule as the reduced costs of `lagrangianBound`.
      if (Math.abs(wj) <= 1e-9 * mag[j]!) continue;
      const b = wj > 0 ? colUpper[j]! : colLower[j]!;
      colMax += wj * b;
      size += Math.abs(wj * b);
    }
    if (Number.isFinite(colMax) && colMax < rowMin - 1e-9 * Math.max(1, size)) return true;
  }
  return false;
}
