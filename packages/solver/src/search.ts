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
 * Continuous columns are allowed where the integers determine them: a continuous column with an
 * equality row of its own whose other columns are all integers (`dependentColumns`) — Deal
 * Picker's "capital deployed" = Σ capital·x, which its concentration rows compare each deal to.
 * Its value is computed from that row once the row's integers are assigned (it is searched after
 * every integer), so the search stays over integer choices and remains exact: given the
 * integers, the row leaves the column one value.
 *
 * Returns null when the model has another continuous column or an integer without finite
 * bounds, or when the node limit or the deadline stops the search before it is complete; the
 * caller then solves as before.
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
  /** `dependentColumns(spec)`, when the caller has computed it already. */
  dependents?: Dependent[] | undefined;
}

export interface SearchOutcome {
  /** The optimal plan (every variable), or null when the model has no integer plan. */
  primal: Float64Array | null;
  nodes: number;
}

const REL_TOL = 1e-9;

/**
 * The continuous columns the integers determine, each with its defining row and the bounds that
 * row implies (intersected with the column's own); null when some continuous column has none, an
 * integer has an infinite bound, or the implied bounds are empty (HiGHS then decides). A defining
 * row is an equality whose other columns are all integers, used for one column only.
 */
export interface Dependent {
  column: number;
  row: number;
  lower: number;
  upper: number;
}

export function dependentColumns(spec: ModelSpec): Dependent[] | null {
  const out: Dependent[] = [];
  const used = new Set<number>();
  // The equality rows each column is in: one pass over the rows (not one per column), made at
  // the first continuous column — a pure-integer model needs none.
  let equalitiesOf: number[][] | null = null;
  const equalitiesOfColumn = (j: number): number[] => {
    if (!equalitiesOf) {
      const index = spec.variables.map(() => [] as number[]);
      spec.constraints.forEach((c, i) => {
        if (c.lower === c.upper && Number.isFinite(c.lower)) for (const k of c.vars) index[k]!.push(i);
      });
      equalitiesOf = index;
    }
    return equalitiesOf[j]!;
  };
  for (let j = 0; j < spec.variables.length; j++) {
    const v = spec.variables[j]!;
    if (v.integer) {
      if (!Number.isFinite(v.lower) || !Number.isFinite(v.upper)) return null;
      continue;
    }
    let found: Dependent | null = null;
    for (const i of equalitiesOfColumn(j)) {
      if (found) break;
      const c = spec.constraints[i]!;
      if (used.has(i) || c.lower !== c.upper || !Number.isFinite(c.lower)) continue;
      const at = c.vars.indexOf(j);
      if (at < 0 || c.coefs[at] === 0) continue;
      let min = 0;
      let max = 0;
      let ok = true;
      for (let k = 0; k < c.vars.length && ok; k++) {
        if (k === at) continue;
        const u = spec.variables[c.vars[k]!]!;
        ok = u.integer && Number.isFinite(u.lower) && Number.isFinite(u.upper);
        min += Math.min(c.coefs[k]! * u.lower, c.coefs[k]! * u.upper);
        max += Math.max(c.coefs[k]! * u.lower, c.coefs[k]! * u.upper);
      }
      if (!ok) continue;
      // a·x_j = b − (the rest), the rest in [min, max].
      const a = c.coefs[at]!;
      const ends = [(c.lower - min) / a, (c.lower - max) / a];
      const lower = Math.max(v.lower, Math.min(...ends));
      const upper = Math.min(v.upper, Math.max(...ends));
      if (!(lower <= upper)) return null;
      found = { column: j, row: i, lower, upper };
    }
    if (!found) return null;
    used.add(found.row);
    out.push(found);
  }
  return out;
}

export function searchIntegerModel(spec: ModelSpec, input: SearchInput): SearchOutcome | null {
  const { s, bound, d, xLp } = input;
  const n = spec.variables.length;
  const m = spec.constraints.length;
  const dependents = input.dependents ?? dependentColumns(spec);
  if (!dependents) return null;
  const lo = spec.variables.map((v) => v.lower);
  const hi = spec.variables.map((v) => v.upper);
  /** Per column: its defining row's index, or −1 for an integer. */
  const definedBy = new Int32Array(n).fill(-1);
  for (const dep of dependents) {
    lo[dep.column] = dep.lower;
    hi[dep.column] = dep.upper;
    definedBy[dep.column] = dep.row;
  }

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
      reach += Math.abs(c.coefs[k]!) * Math.max(Math.abs(lo[j]!), Math.abs(hi[j]!));
      colRow[fill[j]!] = i;
      colCoef[fill[j]!] = c.coefs[k]!;
      fill[j]!++;
    }
    // Pruning is looser (2×) than the acceptance test at a leaf, so no accepted plan is pruned.
    tol[i] = 2 * REL_TOL * Math.max(scale, reach);
  });

  const fav = new Float64Array(n);
  const w = new Float64Array(n); // loss per unit away from the favoured value
  for (let j = 0; j < n; j++) {
    const dj = d[j]!;
    // A dependent column's implied bounds lie inside its own, so its loss from them is at most
    // that from its own bounds: the bound stays valid.
    const near = definedBy[j]! >= 0 ? xLp[j]! : Math.round(xLp[j]!);
    fav[j] = dj > 0 ? hi[j]! : dj < 0 ? lo[j]! : Math.min(hi[j]!, Math.max(lo[j]!, near));
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
  // Dependent columns last: their defining rows' integers are all assigned by then.
  order.sort((a, b) => Number(definedBy[a]! >= 0) - Number(definedBy[b]! >= 0) || w[b]! - w[a]! || a - b);
  const rowOk = (i: number) => {
    const c = spec.constraints[i]!;
    return act[i]! + remMin[i]! <= c.upper + tol[i]! && act[i]! + remMax[i]! >= c.lower - tol[i]!;
  };
  for (let i = 0; i < m; i++) if (!rowOk(i)) return { primal: null, nodes: 1 };

  // Plain loops, no callbacks: these run at every leaf, and under tsx (keepNames) each closure
  // made costs a property definition.
  const objectiveOf = (p: Float64Array) => {
    let z = spec.objectiveOffset;
    for (let j = 0; j < n; j++) z += spec.variables[j]!.cost * p[j]!;
    return s * z;
  };
  /** The plan meets every row (recomputed from scratch, not from the running sums). */
  const feasible = (p: Float64Array) => {
    for (let i = 0; i < m; i++) {
      const c = spec.constraints[i]!;
      let a = 0;
      let size = 0;
      for (let k = 0; k < c.vars.length; k++) {
        const t = c.coefs[k]! * p[c.vars[k]!]!;
        a += t;
        size += Math.abs(t);
      }
      if (Number.isFinite(c.upper) && !(a <= c.upper + REL_TOL * Math.max(1, Math.abs(c.upper), size)))
        return false;
      if (Number.isFinite(c.lower) && !(a >= c.lower - REL_TOL * Math.max(1, Math.abs(c.lower), size)))
        return false;
    }
    return true;
  };

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

  /** Column j (the k-th searched) at v: searched on if each of its rows can still be met. */
  const assign = (j: number, v: number, k: number, loss: number): void => {
    const a0 = colStart[j]!;
    const a1 = colStart[j + 1]!;
    x[j] = v;
    let ok = true;
    for (let e = a0; e < a1; e++) act[colRow[e]!]! += colCoef[e]! * v;
    for (let e = a0; e < a1 && ok; e++) ok = rowOk(colRow[e]!);
    if (ok) visit(k + 1, loss);
    for (let e = a0; e < a1; e++) act[colRow[e]!]! -= colCoef[e]! * v;
  };
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
    const row = definedBy[j]!;
    if (row >= 0) {
      // Determined: the one value its row leaves (every other column of the row is assigned).
      const c = spec.constraints[row]!;
      let rest = 0;
      let a = 0;
      for (let k = 0; k < c.vars.length; k++) {
        if (c.vars[k] === j) a = c.coefs[k]!;
        else rest += c.coefs[k]! * x[c.vars[k]!]!;
      }
      let v = (c.lower - rest) / a;
      const slack = 2 * REL_TOL * Math.max(1, Math.abs(lo[j]!), Math.abs(hi[j]!));
      if (v >= lo[j]! - slack && v <= hi[j]! + slack) {
        v = Math.min(hi[j]!, Math.max(lo[j]!, v));
        const l = loss + w[j]! * Math.abs(v - f);
        if (bound - l > cutoff) assign(j, v, k, l);
      }
    }
    for (let dist = 0; row < 0 && dist <= span && !stopped; dist++) {
      const l = loss + w[j]! * dist;
      // Values are tried by distance from the favoured one, so the loss only grows from here.
      if (bound - l <= cutoff) break;
      for (const v of dist === 0 ? [f] : [f + dist, f - dist]) {
        if (v < lo[j]! || v > hi[j]! || stopped) continue;
        assign(j, v, k, l);
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
