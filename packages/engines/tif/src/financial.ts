/**
 * Financial functions with numpy-financial semantics.
 *
 * npv, pmt, pv and fv come from the `financial` npm package (a zero-dependency port of
 * numpy-financial; its formulas are numpy-financial's, term for term).
 *
 * irr is our own: `financial.irr` is a Newton iteration from a guess of 0.1 with tolerance 1e-6
 * (OpenOffice's algorithm). It returns the root Newton happens to converge to, not numpy_financial
 * 1.0.0's choice, and stops 1e-6 away from it. numpy_financial 1.0.0 (the version the prototype ran)
 * computes every root of the NPV polynomial with `np.roots`, keeps the exactly real ones with
 * 1 + rate > 0, and returns the one with the smallest |rate|, or NaN when there is none. On a
 * cash flow with several roots (the golden case `defaults_mixed_tif_lump_sum` has monthly −0.2422%
 * and +119.9%) only that rule reproduces the prototype. See docs/decisions/0006.
 */
import { fv as finFv, mirr as finMirr, npv as finNpv, pmt as finPmt, pv as finPv } from "financial";

/** Net present value, first value at t = 0: Σ values[t] / (1 + rate)^t (numpy-financial `npv`). */
export function npv(rate: number, values: readonly number[]): number {
  return finNpv(rate, [...values]);
}

/** Payment per period, end-of-period payments (numpy-financial `pmt`, `when="end"`). */
export function pmt(rate: number, nper: number, pv: number, fv = 0): number {
  return finPmt(rate, nper, pv, fv);
}

/** Present value, end-of-period payments (numpy-financial `pv`, `when="end"`). */
export function pv(rate: number, nper: number, payment: number, fv = 0): number {
  return finPv(rate, nper, payment, fv);
}

/** Future value, end-of-period payments (numpy-financial `fv`, `when="end"`). */
export function fv(rate: number, nper: number, payment: number, pv: number): number {
  return finFv(rate, nper, payment, pv);
}

/**
 * Every real IRR of a cash flow: the rates r > −1 at which Σ values[t]/(1+r)^t = 0, ascending.
 *
 * numpy_financial 1.0.0 finds them as the roots x = 1/(1+r) of the polynomial Σ values[t]·x^t
 * (`np.roots(values[::-1])`) and keeps those with x real and positive. We find the same real
 * positive roots directly: leading zeros of `values` only add roots at x = 0 (which npf discards)
 * and trailing zeros lower the degree (np.roots strips them), so both are dropped; then the
 * polynomial is scanned for sign changes on a fine grid in log x between the Cauchy bounds of its
 * roots (no root lies outside them) and each bracket is bisected to machine precision.
 *
 * Difference from np.roots, in principle: a root of even multiplicity (the NPV touches zero
 * without crossing it) has no sign change and is not reported; np.roots reports it only when
 * LAPACK happens to return an exactly real eigenvalue for it, which for a double root it
 * usually does not (a pair with a tiny imaginary part). Two distinct roots closer together than
 * the grid step (0.2% in 1 + r near r = 0) would also be missed.
 */
export function irrRoots(values: readonly number[]): number[] {
  if (values.some((v) => !Number.isFinite(v))) return [];
  const c = trimmedCoefficients(scaledToUnit(values)); // q(x) = Σ c[k] x^k, c[0] ≠ 0, c[deg] ≠ 0
  if (c.length < 2) return []; // a constant: no root (np.roots of one coefficient is empty)
  const deg = c.length - 1;
  let maxLow = 0; // max |c[k]|, k < deg
  for (let k = 0; k < deg; k++) maxLow = Math.max(maxLow, Math.abs(c[k]!));
  let maxHigh = 0; // max |c[k]|, k > 0
  for (let k = 1; k <= deg; k++) maxHigh = Math.max(maxHigh, Math.abs(c[k]!));
  // Cauchy: every root has |x| < 1 + max|c_k/c_deg| and |x| > |c_0| / (|c_0| + max|c_k|).
  // When a ratio leaves the doubles (1e308 next to 1), the same bound is taken in log space: an
  // infinite or zero bound made the scan below an endless loop (issue 19).
  const upper = 1 + maxLow / Math.abs(c[deg]!);
  const lower = Math.abs(c[0]!) / (Math.abs(c[0]!) + maxHigh);
  const logUpper = Number.isFinite(upper) ? Math.log(upper) : Math.log(maxLow) - Math.log(Math.abs(c[deg]!));
  const logLower =
    lower > 0 ? Math.log(lower) : Math.log(Math.abs(c[0]!)) - Math.log(Math.abs(c[0]!) + maxHigh);
  const uLo = logLower - 0.01;
  const uHi = logUpper + 0.01;
  // Coefficients within [2^-600, 2] (scaledToUnit keeps the largest near 1) put both bounds
  // within ±1,500 of 0: at most ~60,000 grid points. The cap is the guarantee, not the estimate.
  if (!Number.isFinite(uLo) || !Number.isFinite(uHi) || (uHi - uLo) / 0.05 > MAX_GRID_POINTS) return [];

  // The grid: fine steps near x = 1 (r near 0, where the answer usually is), coarser far away.
  const us = [uLo];
  for (let u = uLo; u < uHi; ) {
    const au = Math.abs(u);
    u += au < 0.25 ? 0.002 : au < 2.5 ? 0.01 : 0.05;
    us.push(u);
  }
  const xs = us.map(Math.exp);
  const signs = gridSigns(c, xs);

  const roots: number[] = [];
  for (let g = 1; g < xs.length; g++) {
    const s = signs[g]!;
    const sPrev = signs[g - 1]!;
    if (s === 0) {
      roots.push(xs[g]!);
    } else if (sPrev !== 0 && s !== sPrev) {
      roots.push(bisect(c, xs[g - 1]!, xs[g]!, sPrev));
    }
  }
  return roots.map((x) => 1 / x - 1).sort((a, b) => a - b);
}

/** The scan's ceiling: a grid longer than this means the bounds are not finite numbers. */
const MAX_GRID_POINTS = 100_000;

/**
 * The values times a power of two that brings the largest |value| near 1 when it lies outside
 * [2^-500, 2^500]: the roots are the same, and Horner's sums of ~1e308 values no longer overflow
 * to ±Infinity (which made every sign NaN). Cash flows of real deals (|v| between 1e-150 and
 * 1e150) are returned untouched, so their roots stay the same to the last bit; for the others a
 * power of two scales exactly, except coefficients ~2^-1000 times smaller than the largest, which
 * underflow towards 0 and cannot move a root.
 */
function scaledToUnit(values: readonly number[]): readonly number[] {
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  if (maxAbs === 0 || (maxAbs >= 2 ** -500 && maxAbs <= 2 ** 500)) return values;
  const e = Math.floor(Math.log2(maxAbs)); // −1074 … 1023
  // 2^-e in two exact factors: 2^1074 alone is not a double.
  const half = Math.trunc(-e / 2);
  const f1 = 2 ** half;
  const f2 = 2 ** (-e - half);
  return values.map((v) => v * f1 * f2);
}

/**
 * Leading zeros of `values` only add roots at x = 0 (which npf discards) and trailing zeros lower
 * the degree (np.roots strips them): both are dropped.
 */
function trimmedCoefficients(values: readonly number[]): number[] {
  let first = 0;
  while (first < values.length && values[first] === 0) first++;
  let last = values.length - 1;
  while (last >= first && values[last] === 0) last--;
  return values.slice(first, last + 1);
}

/**
 * sign(q(x)) at every grid point: the same arithmetic as `signedValue`, point for point (so the
 * same roots to the last bit), four points per pass over the coefficients — the scan is most of
 * a tif run's time, and independent Horner chains run in parallel in the CPU.
 */
function gridSigns(c: readonly number[], xs: readonly number[]): Float64Array {
  const n = xs.length;
  const out = new Float64Array(n);
  const deg = c.length - 1;
  let g = 0;
  for (; g + 3 < n; g += 4) {
    const x0 = xs[g]!;
    const x1 = xs[g + 1]!;
    const x2 = xs[g + 2]!;
    const x3 = xs[g + 3]!;
    if (x3 <= 1) {
      // x ascends: all four ≤ 1.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let k = deg; k >= 0; k--) {
        const ck = c[k]!;
        a0 = a0 * x0 + ck;
        a1 = a1 * x1 + ck;
        a2 = a2 * x2 + ck;
        a3 = a3 * x3 + ck;
      }
      out[g] = Math.sign(a0);
      out[g + 1] = Math.sign(a1);
      out[g + 2] = Math.sign(a2);
      out[g + 3] = Math.sign(a3);
    } else if (x0 > 1) {
      const y0 = 1 / x0;
      const y1 = 1 / x1;
      const y2 = 1 / x2;
      const y3 = 1 / x3;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let k = 0; k <= deg; k++) {
        const ck = c[k]!;
        a0 = a0 * y0 + ck;
        a1 = a1 * y1 + ck;
        a2 = a2 * y2 + ck;
        a3 = a3 * y3 + ck;
      }
      out[g] = Math.sign(a0);
      out[g + 1] = Math.sign(a1);
      out[g + 2] = Math.sign(a2);
      out[g + 3] = Math.sign(a3);
    } else {
      for (let j = g; j < g + 4; j++) out[j] = Math.sign(signedValue(c, xs[j]!));
    }
  }
  for (; g < n; g++) out[g] = Math.sign(signedValue(c, xs[g]!));
  return out;
}

/**
 * numpy_financial 1.0.0 `irr`: of all real roots with 1 + rate > 0, the one closest to zero;
 * NaN when none exists (never 0).
 */
export function irr(values: readonly number[]): number {
  const roots = irrRoots(values);
  if (roots.length === 0) return Number.NaN;
  let best = roots[0]!;
  for (const r of roots) if (Math.abs(r) < Math.abs(best)) best = r;
  return best;
}

/**
 * A value with the sign of q(x) = Σ c[k] x^k, computed without overflow: Horner in x for x ≤ 1,
 * and for x > 1 Horner in 1/x on the reversed coefficients (q(x)/x^deg, same sign).
 */
function signedValue(c: readonly number[], x: number): number {
  let acc = 0;
  if (x <= 1) {
    for (let k = c.length - 1; k >= 0; k--) acc = acc * x + c[k]!;
  } else {
    const y = 1 / x;
    for (let k = 0; k < c.length; k++) acc = acc * y + c[k]!;
  }
  return acc;
}

function bisect(c: readonly number[], a: number, b: number, signA: number): number {
  let lo = a;
  let hi = b;
  for (let i = 0; i < 200; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    const s = Math.sign(signedValue(c, mid));
    if (s === 0) return mid;
    if (s === signA) lo = mid;
    else hi = mid;
  }
  return lo + (hi - lo) / 2;
}

/**
 * Modified IRR per period (numpy-financial `mirr`): outflows discounted at `financeRate`, inflows
 * compounded at `reinvestRate`; NaN unless there is at least one inflow and one outflow. Unlike
 * the IRR it always has exactly one value, so it is the measure to use when a cash flow has
 * several IRRs.
 */
export function mirr(values: readonly number[], financeRate: number, reinvestRate: number): number {
  return finMirr([...values], financeRate, reinvestRate);
}
