import type { ModelData } from "highs";

/**
 * Power-of-two scaling of the model handed to HiGHS (decision 0059). HiGHS's MIP works with
 * absolute tolerances (feasibility 1e-6, coefficients below 1e-9 dropped) on the model as given;
 * rows in AED with coefficients of 1e7–1e9 (Deal Picker's budget and concentration rows, a
 * "capital deployed" column defined by an equality row) made it return a worse plan as optimal
 * at gap 0, or call a feasible model infeasible (natively too). So rows and continuous columns
 * are scaled first:
 *
 *   a'_ij = row_i · a_ij · col_j,   x_j = col_j · x'_j,   c'_j = col_j · c_j,
 *   limits' = row_i · limits,       bounds'_j = bounds_j / col_j,
 *
 * every factor a power of two, so each scaled number — and each value mapped back — is the
 * user's number with another exponent, exactly (barring overflow, far out of reach here). The
 * objective is not scaled: objective values, bounds and gaps are the user's as HiGHS reports them.
 * Integer columns are never scaled (col_j = 1): their values stay whole numbers.
 *
 * Factors: up to PASSES geometric-mean passes (each row, then each continuous column, divided by
 * the power of two nearest √(max·min) of its |entries|), then each row's largest |entry| brought
 * into [1, 2) (a row of ones stays as it is) — unless that would push its smallest below
 * `SMALLEST`, near where HiGHS would drop it. Columns matter: rows alone would shrink a cap row
 * [cost ~1e8, share·D ~0.3] by ~2^-27 and HiGHS would drop share·D (decision 0059 measured it).
 *
 * A model whose nonzeros all lie in [1/WELL_SCALED, WELL_SCALED] goes to HiGHS as it is (no
 * scaling: the same bits as before for models HiGHS never had trouble with). Entries HiGHS would
 * drop as given (|a| < 1e-9) do not drive the factors, no factor exceeds 2^±MAX_EXPONENT, and a
 * scaling that would leave a coefficient HiGHS refuses (> 1e15), turn a finite bound, limit or
 * cost into one HiGHS reads as infinite (≥ 1e20) or the reverse, or bring a nonzero near
 * underflow is not applied (the model then goes as it is, as before).
 */

/** Row and column factors (see above); `null` where the model goes unscaled. */
export interface Scaling {
  /** a'_i = row_i · a_i for row activities, limits and coefficients. */
  row: Float64Array;
  /** x_j = col_j · x'_j; 1 for integer columns. */
  col: Float64Array;
}

/** The arrays HiGHS solves and the scaling that maps its answers back to the user's units. */
export interface HighsModel {
  data: ModelData;
  scaling: Scaling | null;
}

/** Nonzeros within [1/WELL_SCALED, WELL_SCALED] everywhere: the model is not scaled. */
export const WELL_SCALED = 2 ** 10;
/** No scaled nonzero is brought below this by the final row pass (HiGHS drops |a| < 1e-9). */
const SMALLEST = 2 ** -20;
const PASSES = 8;
/** HiGHS's `small_matrix_value` and `large_matrix_value`: entries it drops, and refuses. */
const HIGHS_SMALL = 1e-9;
const HIGHS_LARGE = 1e15;
/** Factors stay within 2^±MAX_EXPONENT. */
const MAX_EXPONENT = 64;
/** HiGHS reads bounds, limits and costs of this size or more as infinite. */
const HIGHS_INFINITE = 1e20;

const pow2 = (e: number) => 2 ** e;

/**
 * Scales `data` (CSR, as `toModelData` builds it) when it is not well scaled. Returns the data
 * unchanged (same object) with `scaling: null` otherwise.
 */
export function scaleModelData(data: ModelData): HighsModel {
  const matrix = data.matrix;
  if (matrix?.format !== "csr") return { data, scaling: null };
  const m = data.numRows;
  const n = data.numCols;
  const starts = matrix.starts as ArrayLike<number>;
  const indices = matrix.indices as ArrayLike<number>;
  const values = matrix.values as ArrayLike<number>;
  const nnz = starts[m] ?? 0;
  let wellScaled = true;
  for (let k = 0; k < nnz; k++) {
    const a = Math.abs(values[k]!);
    if (a !== 0 && (a > WELL_SCALED || a < 1 / WELL_SCALED)) {
      wellScaled = false;
      break;
    }
  }
  if (wellScaled) return { data, scaling: null };

  const integrality = data.integrality as ArrayLike<number> | undefined;
  const scalable = (j: number) => !integrality || integrality[j] === 0;
  // Exponents, so that every factor stays an exact power of two.
  const re = new Int32Array(m);
  const ce = new Int32Array(n);
  const logA = new Float64Array(nnz);
  for (let k = 0; k < nnz; k++) {
    const a = Math.abs(values[k]!);
    logA[k] = a >= HIGHS_SMALL && Number.isFinite(a) ? Math.log2(a) : Number.NaN;
  }
  const clamp = (e: number) => Math.max(-MAX_EXPONENT, Math.min(MAX_EXPONENT, e));

  /** log2 of row i's largest and smallest |entry| with the column factors so far (−∞, ∞ if none). */
  const rowRange = (i: number): [number, number] => {
    let max = Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    for (let k = starts[i]!; k < starts[i + 1]!; k++) {
      if (Number.isNaN(logA[k]!)) continue;
      const l = logA[k]! + ce[indices[k]!]!;
      if (l > max) max = l;
      if (l < min) min = l;
    }
    return [max, min];
  };

  const colMax = new Float64Array(n);
  const colMin = new Float64Array(n);
  for (let pass = 0; pass < PASSES; pass++) {
    let changed = false;
    for (let i = 0; i < m; i++) {
      const [max, min] = rowRange(i);
      if (max === Number.NEGATIVE_INFINITY) continue;
      const e = clamp(-Math.round(0.5 * (max + min)));
      if (e !== re[i]) {
        re[i] = e;
        changed = true;
      }
    }
    colMax.fill(Number.NEGATIVE_INFINITY);
    colMin.fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < m; i++) {
      for (let k = starts[i]!; k < starts[i + 1]!; k++) {
        if (Number.isNaN(logA[k]!)) continue;
        const j = indices[k]!;
        const l = logA[k]! + re[i]!;
        if (l > colMax[j]!) colMax[j] = l;
        if (l < colMin[j]!) colMin[j] = l;
      }
    }
    for (let j = 0; j < n; j++) {
      if (!scalable(j) || colMax[j] === Number.NEGATIVE_INFINITY) continue;
      const e = clamp(-Math.round(0.5 * (colMax[j]! + colMin[j]!)));
      if (e !== ce[j]) {
        ce[j] = e;
        changed = true;
      }
    }
    if (!changed) break;
  }
  // Each row's largest |entry| into [1, 2), its smallest kept at or above SMALLEST.
  for (let i = 0; i < m; i++) {
    const [max, min] = rowRange(i);
    if (max === Number.NEGATIVE_INFINITY) {
      re[i] = 0;
      continue;
    }
    let e = -Math.floor(max);
    if (min + e < Math.log2(SMALLEST)) e = Math.ceil(Math.log2(SMALLEST) - min);
    re[i] = clamp(e);
  }

  const row = new Float64Array(m);
  const col = new Float64Array(n);
  for (let i = 0; i < m; i++) row[i] = pow2(re[i]!);
  for (let j = 0; j < n; j++) col[j] = pow2(ce[j]!);
  const scaledValues = new Float64Array(nnz);
  for (let i = 0; i < m; i++)
    for (let k = starts[i]!; k < starts[i + 1]!; k++)
      scaledValues[k] = values[k]! * row[i]! * col[indices[k]!]!;
  const colCost = data.colCost as ArrayLike<number>;
  const colLower = data.colLower as ArrayLike<number>;
  const colUpper = data.colUpper as ArrayLike<number>;
  const rowLower = data.rowLower as ArrayLike<number>;
  const rowUpper = data.rowUpper as ArrayLike<number>;
  const scaled = {
    colCost: new Float64Array(n),
    colLower: new Float64Array(n),
    colUpper: new Float64Array(n),
    rowLower: new Float64Array(m),
    rowUpper: new Float64Array(m),
  };
  for (let j = 0; j < n; j++) {
    scaled.colCost[j] = colCost[j]! * col[j]!;
    scaled.colLower[j] = colLower[j]! / col[j]!;
    scaled.colUpper[j] = colUpper[j]! / col[j]!;
  }
  for (let i = 0; i < m; i++) {
    scaled.rowLower[i] = rowLower[i]! * row[i]!;
    scaled.rowUpper[i] = rowUpper[i]! * row[i]!;
  }
  // Every number keeps what HiGHS makes of it — finite or infinite, a coefficient it accepts —
  // and no nonzero comes near underflow; otherwise the model goes as it is.
  const keeps = (user: ArrayLike<number>, mine: Float64Array, matrix = false) => {
    for (let k = 0; k < mine.length; k++) {
      const u = Math.abs(user[k]!);
      const v = Math.abs(mine[k]!);
      if (u !== 0 && v < 1e-300) return false;
      if (matrix ? v > HIGHS_LARGE : u >= HIGHS_INFINITE !== v >= HIGHS_INFINITE) return false;
    }
    return true;
  };
  if (
    !keeps(values, scaledValues, true) ||
    !keeps(colCost, scaled.colCost) ||
    !keeps(colLower, scaled.colLower) ||
    !keeps(colUpper, scaled.colUpper) ||
    !keeps(rowLower, scaled.rowLower) ||
    !keeps(rowUpper, scaled.rowUpper)
  )
    return { data, scaling: null };
  return {
    scaling: { row, col },
    data: { ...data, ...scaled, matrix: { ...matrix, values: scaledValues } },
  };
}

/** A copy of `v`, each entry multiplied (or divided) by its factor; unchanged without factors. */
function byFactor(v: ArrayLike<number>, factor: Float64Array | undefined, divide: boolean): Float64Array {
  const out = Float64Array.from(v);
  if (factor)
    for (let k = 0; k < out.length; k++) out[k] = divide ? out[k]! / factor[k]! : out[k]! * factor[k]!;
  return out;
}

/** Column values in the user's units: x_j = col_j · x'_j. */
export function userColumns(s: Scaling | null, x: ArrayLike<number>): Float64Array {
  return byFactor(x, s?.col, false);
}

/** Row activities (or limits) in the user's units: a_i = a'_i / row_i. */
export function userRows(s: Scaling | null, a: ArrayLike<number>): Float64Array {
  return byFactor(a, s?.row, true);
}

/** Row duals per unit of the user's limit: y_i = row_i · y'_i (∂obj/∂L = row_i · ∂obj/∂L'). */
export function userRowDuals(s: Scaling | null, y: ArrayLike<number>): Float64Array {
  return byFactor(y, s?.row, false);
}

/**
 * Reduced costs per unit of the user's variable, and cost ranging ends in the user's cost:
 * d_j = d'_j / col_j (HiGHS's column j is x'_j = x_j / col_j, its cost col_j · c_j).
 */
export function userColumnDuals(s: Scaling | null, d: ArrayLike<number>): Float64Array {
  return byFactor(d, s?.col, true);
}

/** A user's value of column j in HiGHS's units (starts): x'_j = x_j / col_j. */
export function modelColumn(s: Scaling | null, j: number, x: number): number {
  return s ? x / s.col[j]! : x;
}
