import type { Highs } from "highs";
import { closeModel, openModel } from "./instances.ts";
import { type ModelSpec, objectiveOf } from "./model.ts";
import type { SolveOptions } from "./result.ts";
import type { HighsModel } from "./scaling.ts";

/**
 * Re-solves with a start and few integer variables (what-ifs started from the base plan): LP
 * relaxations answer them when they can, before HiGHS's MIP is set up. On models of a handful of
 * binaries HiGHS spends 1–3 ms natively (3–7 ms in WebAssembly) on root work whatever the model,
 * against ~0.1 ms per LP (issue 20 goal 3). Two exact answers:
 *
 * - **infeasible**: the start does not meet the model and the LP relaxation has no solution, so
 *   neither has the MIP;
 * - **the start is optimal**: the start meets every bound and row; the LP with the integers fixed
 *   at the start's values does not beat it; and every other choice of the integers — the boxes
 *   "integer k differs from the start, the ones before it agree", split further where needed —
 *   has an LP relaxation that cannot beat it either, by more than 1e-9 (relative). The start is
 *   returned as given — what HiGHS returns when it keeps the start as its incumbent — with the
 *   best LP bound. With b binaries that is b + 1 LPs when no box needs splitting.
 *
 * Anything else (a box whose LP beats the start, an LP that is neither optimal nor infeasible,
 * more than `maxLps` LPs) returns null: the caller runs HiGHS's MIP as before, from the start.
 */

/** Integer variables beyond which the proof is not tried (its LPs grow with them). */
export const START_PROOF_MAX_INTEGERS = 8;
const REL_TOL = 1e-9;

export type StartProof =
  | { kind: "infeasible"; lps: number }
  | { kind: "start-optimal"; primal: Float64Array; bestBound: number; lps: number };

type Configure = (m: ReturnType<Highs["createModel"]>, o: SolveOptions) => void;

export function proveWithLps(
  highs: Highs,
  spec: ModelSpec,
  full: HighsModel,
  opts: SolveOptions,
  configure: Configure,
): StartProof | null {
  const n = spec.variables.length;
  const ints: number[] = [];
  for (let j = 0; j < n; j++) if (spec.variables[j]!.integer) ints.push(j);
  if (ints.length === 0 || ints.length > START_PROOF_MAX_INTEGERS) return null;
  for (const j of ints) {
    const v = spec.variables[j]!;
    if (!Number.isFinite(v.lower) || !Number.isFinite(v.upper)) return null;
  }
  const s = spec.sense === "max" ? 1 : -1;
  const x0 = startPoint(spec, opts.start);
  const z0 = x0 ? objectiveOf(spec, x0) : 0;
  const cutoff = s * z0 + REL_TOL * Math.max(1, Math.abs(z0));
  const maxLps = 2 * ints.length + 3;

  type Box = { lo: number[]; hi: number[] };
  const whole: Box = {
    lo: ints.map((j) => spec.variables[j]!.lower),
    hi: ints.map((j) => spec.variables[j]!.upper),
  };
  const fixedAt = (box: Box, k: number, v: number): Box => ({ lo: box.lo.with(k, v), hi: box.hi.with(k, v) });

  const { integrality: _int, ...lpData } = full.data;
  const lp = openModel(highs, lpData);
  try {
    configure(lp, { ...opts, start: undefined });
    const optimal = highs.constants.modelStatus.optimal;
    const infeasible = highs.constants.modelStatus.infeasible;
    let lps = 0;
    /** The LP over a box of the integers: its optimum in max form, −∞ if infeasible, null if neither. */
    const bound = (box: Box): number | null => {
      lps++;
      lp.changeColsBounds({ kind: "set", indices: ints }, box.lo, box.hi);
      const code = lp.run().modelStatus;
      if (code === infeasible) return Number.NEGATIVE_INFINITY;
      if (code !== optimal) return null;
      return s * lp.getObjectiveValue();
    };
    if (!x0) {
      // No usable start: the LP relaxation can still prove the model infeasible.
      return bound(whole) === Number.NEGATIVE_INFINITY ? { kind: "infeasible", lps } : null;
    }
    /** The parts of `box` where integer k differs from the start's value. */
    const away = (box: Box, k: number): Box[] => {
      const v = x0[ints[k]!]!;
      const parts: Box[] = [];
      if (v > box.lo[k]!) parts.push({ lo: box.lo, hi: box.hi.with(k, v - 1) });
      if (v < box.hi[k]!) parts.push({ lo: box.lo.with(k, v + 1), hi: box.hi });
      return parts;
    };
    // The start's own choices first (one LP): if the continuous part can beat it there, stop.
    const own = ints.reduce((box, j, k) => fixedAt(box, k, x0[j]!), whole);
    const atStart = bound(own);
    if (atStart === null || atStart > cutoff) return null;
    let best = atStart;
    // Then every other choice, as boxes: integer k differs from the start, those before it agree.
    const stack: Box[] = [];
    ints.reduce((prefix, j, k) => {
      stack.push(...away(prefix, k));
      return fixedAt(prefix, k, x0[j]!);
    }, whole);
    while (stack.length > 0) {
      if (lps >= maxLps) return null;
      const box = stack.pop()!;
      const value = bound(box);
      if (value === null) return null;
      if (value <= cutoff) {
        best = Math.max(best, value);
        continue;
      }
      // The box may hold a better plan: split it on an integer still free in it.
      const k = box.lo.findIndex((l, t) => l < box.hi[t]!);
      if (k < 0) return null; // a choice other than the start's is better: not proven
      const v = x0[ints[k]!]!;
      stack.push(...away(box, k));
      if (v >= box.lo[k]! && v <= box.hi[k]!) stack.push(fixedAt(box, k, v));
    }
    return { kind: "start-optimal", primal: x0, bestBound: s * best, lps };
  } finally {
    closeModel(lp);
  }
}

/** The start as a full point, if it gives every variable and meets every bound and row. */
function startPoint(spec: ModelSpec, start: SolveOptions["start"]): Float64Array | null {
  if (!start) return null;
  const x = new Float64Array(spec.variables.length);
  for (let j = 0; j < x.length; j++) {
    const v = spec.variables[j]!;
    const value = start[v.name];
    if (value === undefined || !Number.isFinite(value)) return null;
    if (v.integer && value !== Math.round(value)) return null;
    if (value < v.lower - REL_TOL * Math.max(1, Math.abs(v.lower))) return null;
    if (value > v.upper + REL_TOL * Math.max(1, Math.abs(v.upper))) return null;
    x[j] = value;
  }
  for (const c of spec.constraints) {
    let a = 0;
    let size = 0;
    for (let k = 0; k < c.vars.length; k++) {
      const t = c.coefs[k]! * x[c.vars[k]!]!;
      a += t;
      size += Math.abs(t);
    }
    const tol = (limit: number) => REL_TOL * Math.max(1, Math.abs(limit), size);
    if (Number.isFinite(c.upper) && a > c.upper + tol(c.upper)) return null;
    if (Number.isFinite(c.lower) && a < c.lower - tol(c.lower)) return null;
  }
  return x;
}
