import type { ModelSpec } from "./model.ts";

/**
 * Depth-first search of a small pure-integer model, used by reduced-cost fixing (fixing.ts) in
 * place of HiGHS's MIP when every variable is an integer with finite bounds.
 *
 * Why: on a few dozen binaries HiGHS spends most of a solve on root work meant for large models
 * (cut rounds, probing, sub-MIPs, restarts): a 20-deal knapsack takes it 7–37 ms natively and
 * 10–40 ms in WebAssembly, where this search visits a few hundred nodes in well under a
 * millisecond (issue 20 goal 3, bench/small-optimizations.ts).
 *
 * Exact, by two prunings that never remove a plan better than the incumbent:
 * - the bound of fixing.ts: with the LP's duals, every plan x in the box has
 *   s·objective(x) ≤ B − Σ_j |d_j|·|x_j − favoured_j| (d the reduced costs in max form), so a
 *   node whose assigned variables already lose B − incumbent is closed;
 * - row intervals: the assigned part of each row plus the least and most the unassigned
 *   variables can add must still reach the row's limits.
 * A plan replaces the incumbent only if it is better by more than `eps` (1e-9 relative): of plans
 * tied within that, the first found is kept — variables are tried at the value the LP favours
 * first, so that is the plan nearest the LP's. Row limits are met within 1e-9 of the row's scale
 * (stricter than HiGHS's 1e-6 feasibility tolerance and than the engines' re-checks).
 *
 * Returns null when the model is not pure-integer with finite bounds, or when the node limit or
 * the deadline stops the search before it is complete; the caller then solves as before.
 */

export interface SearchInput {
  /** +1 for maximisation, −1 for minimisation: every quantity below is in max form. */
  s: number;
  /** Valid bound on s·objective of every plan in the box and rows (fixing.ts step 1). */
  bound: number;
  /** Reduced costs in max form (0 where the bound gains nothing from the variable). */
  d: Float64Array;
  /** The LP relaxation's values: where d_j = 0, the integer nearest is tried first. */
  xLp: Float64Array;
  maxNodes: number;
  /**
   * A plan known to meet every row (a start): the first incumbent, so that of plans tied with it
   * within 1e-9 it is the one kept — as HiGHS keeps a feasible start.
   */
  incumbent?: Float64Array | undefined;
  /** `performance.now()` value after which the search gives up (checked every 1,024 nodes). */
  deadline: number;
}

export interface SearchOutcome {
  /** The optimal plan (every variable), or null when the model has no integer plan. */
  primal: Float64Array | null;
  nodes: number;
}

const REL_TOL = 1e-9;

export function searchIntegerModel(spec: ModelSpec, input: SearchInput): SearchOutcome | null {
  const { s, bound, d, xLp } = input;
  const n = spec.variables.length;
  const m = spec.constraints.length;
  for (const v of spec.variables)
    if (!v.integer || !Number.isFinite(v.lower) || !Number.isFinite(v.upper)) return null;

  // Column-wise rows, and each row's scale for its feasibility tolerance.
  const colStart = new Int32Array(n + 1);
  for (const c of spec.constraints) for (const j of c.vars) colStart[j + 1]!++;
  for (let j = 0; j < n; j++) colStart[j + 1]! += colStart[j]!;
  const colRow = new Int32Array(colStart[n]!);
  const colCoef = new Float64Array(colStart[n]!);
  const fill = colStart.slice(0, n);
  const tol = new Float64Array(m);
  spec.constraints.forEach((c, i) => {
    let scale = Math.max(1, Number.isFinite(c.lower) ? Math.abs(c.lower) : 0);
    if (Number.isFinite(c.upper)) scale = Math.max(scale, Math.abs(c.upper));
    let reach = 0;
    for (let k = 0; k < c.vars.length; k++) {
      const j = c.vars[k]!;
      const v = spec.variables[j]!;
      reach += Math.abs(c.coefs[k]!) * Math.max(Math.abs(v.lower), Math.abs(v.upper));
      colRow[fill[j]!] = i;
      colCoef[fill[j]!] = c.coefs[k]!;
      fill[j]!++;
    }
    // Pruning is looser (2×) than the acceptance test at a leaf, so no accepted plan is pruned.
    tol[i] = 2 * REL_TOL * Math.max(scale, reach);
  });

  const lo = spec.variables.map((v) => v.lower);
  const hi = spec.variables.map((v) => v.upper);
  const fav = new Float64Array(n);
  const w = new Float64Array(n); // loss per unit away from the favoured value
  for (let j = 0; j < n; j++) {
    const dj = d[j]!;
    fav[j] = dj > 0 ? hi[j]! : dj < 0 ? lo[j]! : Math.min(hi[j]!, Math.max(lo[j]!, Math.round(xLp[j]!)));
    w[j] = Math.abs(dj);
  }

  // Assigned part of each row, and the least / most the unassigned variables can still add.
  const act = new Float64Array(m);
  const remMin = new Float64Array(m);
  const remMax = new Float64Array(m);
  const x = Float64Array.from(lo);
  const order: number[] = [];
  for (let j = 0; j < n; j++) {
    if (lo[j] === hi[j]) {
      for (let e = colStart[j]!; e < colStart[j + 1]!; e++) act[colRow[e]!]! += colCoef[e]! * lo[j]!;
    } else {
      order.push(j);
      for (let e = colStart[j]!; e < colStart[j + 1]!; e++) {
        const a = colCoef[e]!;
        remMin[colRow[e]!]! += Math.min(a * lo[j]!, a * hi[j]!);
        remMax[colRow[e]!]! += Math.max(a * lo[j]!, a * hi[j]!);
      }
    }
  }
  // Costly variables first: once a plan is known, most can only sit at their favoured value.
  order.sort((a, b) => w[b]! - w[a]! || a - b);
  const rowOk = (i: number) => {
    const c = spec.constraints[i]!;
    return act[i]! + remMin[i]! <= c.upper + tol[i]! && act[i]! + remMax[i]! >= c.lower - tol[i]!;
  };
  for (let i = 0; i < m; i++) if (!rowOk(i)) return { primal: null, nodes: 1 };

  const objectiveOf = (p: Float64Array) =>
    s * spec.variables.reduce((acc, v, j) => acc + v.cost * p[j]!, spec.objectiveOffset);
  /** The plan meets every row (recomputed from scratch, not from the running sums). */
  const feasible = (p: Float64Array) =>
    spec.constraints.every((c) => {
      let a = 0;
      let size = 0;
      for (let k = 0; k < c.vars.length; k++) {
        const t = c.coefs[k]! * p[c.vars[k]!]!;
        a += t;
        size += Math.abs(t);
      }
      const lim = (l: number) => REL_TOL * Math.max(1, Math.abs(l), size);
      return (
        (!Number.isFinite(c.upper) || a <= c.upper + lim(c.upper)) &&
        (!Number.isFinite(c.lower) || a >= c.lower - lim(c.lower))
      );
    });

  let best: Float64Array | null = null;
  let zBest = Number.NEGATIVE_INFINITY;
  let cutoff = Number.NEGATIVE_INFINITY; // bound a node must exceed to be explored
  if (input.incumbent && feasible(input.incumbent)) {
    best = Float64Array.from(input.incumbent);
    zBest = objectiveOf(best);
    cutoff = zBest + REL_TOL * Math.max(1, Math.abs(zBest));
  }
  let nodes = 0;
  let stopped = false;

  const visit = (k: number, loss: number): void => {
    nodes++;
    if (nodes > input.maxNodes || ((nodes & 1023) === 0 && performance.now() > input.deadline)) {
      stopped = true;
      return;
    }
    if (k === order.length) {
      if (!feasible(x)) return;
      const z = objectiveOf(x);
      if (best === null || z > zBest + REL_TOL * Math.max(1, Math.abs(zBest))) {
        best = Float64Array.from(x);
        zBest = z;
        cutoff = z + REL_TOL * Math.max(1, Math.abs(z));
      }
      return;
    }
    const j = order[k]!;
    const a0 = colStart[j]!;
    const a1 = colStart[j + 1]!;
    for (let e = a0; e < a1; e++) {
      const a = colCoef[e]!;
      remMin[colRow[e]!]! -= Math.min(a * lo[j]!, a * hi[j]!);
      remMax[colRow[e]!]! -= Math.max(a * lo[j]!, a * hi[j]!);
    }
    const f = fav[j]!;
    const span = hi[j]! - lo[j]!;
    for (let dist = 0; dist <= span && !stopped; dist++) {
      const l = loss + w[j]! * dist;
      // Values are tried by distance from the favoured one, so the loss only grows from here.
      if (bound - l <= cutoff) break;
      for (const v of dist === 0 ? [f] : [f + dist, f - dist]) {
        if (v < lo[j]! || v > hi[j]! || stopped) continue;
        x[j] = v;
        let ok = true;
        for (let e = a0; e < a1; e++) act[colRow[e]!]! += colCoef[e]! * v;
        for (let e = a0; e < a1 && ok; e++) ok = rowOk(colRow[e]!);
        if (ok) visit(k + 1, l);
        for (let e = a0; e < a1; e++) act[colRow[e]!]! -= colCoef[e]! * v;
      }
    }
    x[j] = lo[j]!;
    for (let e = a0; e < a1; e++) {
      const a = colCoef[e]!;
      remMin[colRow[e]!]! += Math.min(a * lo[j]!, a * hi[j]!);
      remMax[colRow[e]!]! += Math.max(a * lo[j]!, a * hi[j]!);
    }
  };
  visit(0, 0);
  if (stopped) return null;
  return { primal: best, nodes };
}
