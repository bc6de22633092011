import { ModelCanceledError, ModelInputError } from "@modelworks/model-kit";
import { createSimdKernel, SIMD_FIRST_ELEMENT, type SimdKernel } from "./simd-kernel.ts";

/**
 * Penalized logistic regression with glmnet's objective and glmnet's algorithm (docs/decisions/
 * 0020-response-model-fitting.md):
 *
 *   minimise  −(1/n) Σ loglik(β₀, β)  +  λ [ (1−α)/2 ‖β‖² + α ‖β‖₁ ]
 *
 * over features standardized with the population sd (weights 1/n), intercept unpenalized,
 * coefficients returned on the original scale. The solver follows glmnet's `lognet2n` step for
 * step: an outer IRLS loop (quadratic approximation at the current fit), "naive" coordinate
 * descent on the working residual, a sequential strong set with a KKT check, iteration over the
 * ever-active set, probabilities clamped at glmnet.control's pmin = 1e-9, convergence when every coefficient's
 * weighted squared change is below `thresh × null deviance`, and the same lambda path and
 * early stops (fdev 1e-5, devmax 0.999, at least 5 lambdas). Same steps, same fixed point.
 * The coordinate sweep runs in a WebAssembly SIMD kernel where available (simd-kernel.ts,
 * docs/decisions/0042-response-model-simd-kernel.md); the JavaScript loops below are its fallback.
 */

/** A dense column-major design: row i, column j at `x[j * rowCount + i]`. */
export interface DesignMatrix {
  x: Float64Array;
  rowCount: number;
  columnCount: number;
}

export interface LognetOptions {
  /** Elastic-net mixing in [0, 1]: 1 = lasso (default), 0 = ridge. */
  alpha?: number;
  /** Fit at these lambdas (sorted into decreasing order) instead of a computed path; [0] = unpenalized. */
  lambda?: readonly number[];
  /** Length of the computed path (glmnet `nlambda`). */
  nLambda?: number;
  /** Smallest lambda as a fraction of lambda.max (glmnet: 1e-4 when n > p, else 1e-2). */
  lambdaMinRatio?: number;
  /** Convergence threshold, relative to the null deviance (glmnet `thresh`). */
  thresh?: number;
  /** Most coordinate-descent passes over the whole path (glmnet `maxit`). */
  maxPasses?: number;
  /** Standardize features internally (glmnet `standardize`); coefficients are always on the original scale. */
  standardize?: boolean;
  signal?: AbortSignal;
  /** Called after each lambda is fitted (0-based index). */
  onLambda?: (index: number) => void;
  /**
   * With given lambdas and more rows than this, the first lambda starts from the fit on a strided
   * 1/8 subsample (recursively) instead of from the null model (default Infinity = never).
   * Only the starting point changes: the fit still converges on all rows to the same threshold.
   * Off by default: on the prototype's sample (every level kept, so columns exactly dependent),
   * a fit from this start ended 1.14e-6 from R glmnet's probabilities, past the 1e-6 promised;
   * on independent columns it matches (glmnet-r.test.ts), and halves a fixed-lambda fit's time.
   */
  subsampleStartAbove?: number;
  /**
   * Run the coordinate sweeps in the WebAssembly SIMD kernel (default true; ignored where
   * WebAssembly SIMD is missing). It needs the design in its own memory: a fit on all rows copies
   * the columns once (n × p doubles), a fit on a subset gathers them there instead of into a copy.
   */
  simd?: boolean;
  /** Internal: start the first lambda from these original-scale coefficients instead of the null model. */
  start?: { intercept: number; beta: ArrayLike<number> };
}

const SUBSAMPLE_STRIDE = 8;
// The start only has to be close: a looser threshold on the subsample saves its last passes.
const SUBSAMPLE_THRESH = 1e-6;
const SUBSAMPLE_ROWS_PER_COLUMN = 4;
const SUBSAMPLE_MAX_PASSES = 1000;

/**
 * A starting point for a fit at `lambda` on a strided subsample of the rows. glmnet's objective
 * is a mean over rows, so the same lambda means the same penalty on fewer rows and the subsample's
 * solution is near the full one: from there the full fit needs two or three IRLS steps instead of
 * the five to eight a cold start from the null model takes (each a dozen passes over all rows).
 */
function subsampleStart(
  design: DesignMatrix,
  y: ArrayLike<number>,
  options: LognetOptions,
  lambda: number,
  rows: ArrayLike<number> | undefined,
  n: number,
): LognetOptions["start"] {
  const m = Math.floor(n / SUBSAMPLE_STRIDE);
  // Fewer rows than a few per column make a subsample problem near-separable, slow and far
  // from the full one: start from the null model then.
  if (m < SUBSAMPLE_ROWS_PER_COLUMN * design.columnCount) return undefined;
  const sub = new Int32Array(m);
  for (let i = 0; i < m; i++) sub[i] = rows ? rows[i * SUBSAMPLE_STRIDE]! : i * SUBSAMPLE_STRIDE;
  try {
    const fit = fitLognet(
      design,
      y,
      {
        ...options,
        lambda: [lambda],
        thresh: Math.max(options.thresh ?? 1e-7, SUBSAMPLE_THRESH),
        maxPasses: SUBSAMPLE_MAX_PASSES, // a start is not worth more: past this, the null model
        onLambda: undefined,
        start: undefined,
      },
      sub,
    );
    return { intercept: fit.intercept[0]!, beta: fit.beta[0]! };
  } catch (err) {
    if (err instanceof ModelCanceledError) throw err;
    return undefined; // e.g. one class only in the subsample: start from the null model as glmnet does
  }
}

export interface LognetFit {
  alpha: number;
  /** The lambdas fitted, decreasing; a computed path may stop early as glmnet's does. */
  lambda: number[];
  intercept: number[];
  /** Per lambda, one coefficient per design column, original scale (0 for constant columns). */
  beta: Float64Array[];
  /** Fraction of the null deviance explained, per lambda (glmnet `dev.ratio`). */
  devRatio: number[];
  /** The binomial null deviance, −2 Σ loglik of the intercept-only model (glmnet `nulldev`). */
  nullDeviance: number;
  /** The smallest lambda at which every coefficient is 0 (glmnet's first path lambda). */
  lambdaMax: number;
  /** Coordinate-descent passes used. */
  passes: number;
}

// glmnet.control()'s pmin as R sets it (the Fortran default is 1e-5; R passes 1e-9).
const PMIN = 1e-9;
const FDEV = 1e-5; // glmnet.control fdev: stop the path when dev.ratio gains less
const DEVMAX = 0.999; // glmnet.control devmax
const MIN_LAMBDAS = 5; // glmnet.control mnlam
const LAMBDA_RATIO_FLOOR = 1e-6; // glmnet.control eps
const BIG = 9.9e35; // glmnet.control big: "lambda = infinity" for the first path point

// The kernel's memory: r, v, eta and a column of ones (n doubles each), then the n × p design.
const KERNEL_VECTORS = 4;
const designKernels = new WeakMap<
  Float64Array,
  { kernel: SimdKernel; rowCount: number; columnCount: number }
>();

/**
 * Zeroed values for a rowCount × columnCount design (column-major), placed in a SIMD kernel's
 * memory after the vectors a fit needs, so that `fitLognet` on all rows of a design with these
 * values works in place instead of copying n × p doubles into the kernel (at 200k × 100: 160 MB,
 * ~80 ms CPU of page faults and copying, a tenth of a fixed-lambda fit). A plain array where
 * WebAssembly SIMD is missing or the memory would exceed the kernel's limit. A fit uses the
 * vectors in front of the values as its scratch: one fit at a time per design (fits are
 * synchronous, and a worker thread receives a copy).
 */
export function allocateDesignValues(rowCount: number, columnCount: number): Float64Array {
  const kernel = createSimdKernel(KERNEL_VECTORS * rowCount + rowCount * columnCount);
  if (!kernel) return new Float64Array(rowCount * columnCount);
  const at = SIMD_FIRST_ELEMENT + KERNEL_VECTORS * rowCount;
  const x = kernel.f64.subarray(at, at + rowCount * columnCount);
  designKernels.set(x, { kernel, rowCount, columnCount });
  return x;
}

/** Fits on all rows of `design`, or on `rows` only (cross-validation folds). */
export function fitLognet(
  design: DesignMatrix,
  y: ArrayLike<number>,
  options: LognetOptions = {},
  rows?: ArrayLike<number>,
): LognetFit {
  const p = design.columnCount;
  const n = rows ? rows.length : design.rowCount;
  const alpha = options.alpha ?? 1;
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  const thresh = options.thresh ?? 1e-7;
  const maxPasses = options.maxPasses ?? 100_000;
  const standardize = options.standardize ?? true;
  const subsampleAbove = options.subsampleStartAbove ?? Number.POSITIVE_INFINITY;
  const start =
    options.start ??
    (options.lambda && options.lambda.length > 0 && n > subsampleAbove
      ? subsampleStart(design, y, options, Math.max(...options.lambda), rows, n)
      : undefined);

  // Standardization without a copy: column k enters as (x − mean_k) / scale_k, applied inside
  // each kernel (glmnet standardizes x in place; we keep the caller's design intact and spare
  // n × p doubles). Only a fit on a subset of rows (cross-validation folds, subsamples) gathers
  // its rows into a raw copy, so that every kernel reads contiguous columns.
  // With the SIMD kernel, r, v and the columns live in its memory at these element offsets.
  // eta and a column of ones (Σ r for the intercept through the same sweep) live there too.
  // A design from `allocateDesignValues` is already there: a fit on all its rows copies nothing.
  const placed = rows || options.simd === false ? undefined : designKernels.get(design.x);
  const own =
    placed && placed.rowCount === design.rowCount && placed.columnCount === design.columnCount
      ? placed.kernel
      : undefined;
  const kernel = options.simd === false ? null : (own ?? createSimdKernel(KERNEL_VECTORS * n + n * p));
  const rAt = SIMD_FIRST_ELEMENT;
  const vAt = rAt + n;
  const etaAt = vAt + n;
  const onesAt = etaAt + n;
  const xAt = onesAt + n;
  const X = own
    ? design.x
    : kernel
      ? kernel.f64.subarray(xAt, xAt + n * p)
      : rows
        ? new Float64Array(n * p)
        : design.x;
  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  const included = new Uint8Array(p);
  // Column by column, the statistics read the column just copied while it is still in cache.
  for (let j = 0; j < p; j++) {
    if (X !== design.x) copyColumn(design, j, rows, X, n);
    if (kernel) kernelColumnStats(kernel, xAt + j * n, n, j, mean, scale, included, standardize);
    else columnStats(X, j * n, n, j, mean, scale, included, standardize);
  }
  const yv = gather(y, rows, n);
  const w = 1 / n;
  const q0 = weightedSum(yv, w);
  if (!(q0 > PMIN && q0 < 1 - PMIN))
    throw new ModelInputError([
      {
        path: "target",
        message: `The target has ${q0 <= PMIN ? "no" : "only"} responders in the rows fitted; both outcomes are needed.`,
      },
    ]);
  const fmax = Math.log(1 / PMIN - 1);
  const fmin = -fmax;
  const vmin = (1 + PMIN) * PMIN * (1 - PMIN);
  const bz = Math.log(q0 / (1 - q0));
  const q = new Float64Array(n).fill(q0);
  const v = (kernel ? kernel.f64.subarray(vAt, vAt + n) : new Float64Array(n)).fill(q0 * (1 - q0) * w);
  const r = kernel ? kernel.f64.subarray(rAt, rAt + n) : new Float64Array(n);
  const eta = kernel ? kernel.f64.subarray(etaAt, etaAt + n) : new Float64Array(n);
  if (kernel) kernel.f64.fill(1, onesAt, onesAt + n);
  nullResiduals(r, yv, w, q0);
  let xmz = q0 * (1 - q0);
  const dev1 = -(bz * q0 + Math.log(1 - q0)); // mean negative log-likelihood of the null model
  const dev0 = dev1; // y is 0/1, so the saturated model's likelihood is 1
  const shr = thresh * dev0;

  const b = new Float64Array(p);
  const bs = new Float64Array(p);
  let b0 = bz;
  const xv = new Float64Array(p);
  const ga = new Float64Array(p);
  const strong = new Uint8Array(p);
  const active: number[] = []; // ever non-zero, in order of entry (glmnet's m / mm)
  const isActive = new Uint8Array(p);
  const sums = new Float64Array(1); // a second result of updateDotSquares
  absGradients(r, X, n, mean, scale, ga, included, strong, kernel, xAt, rAt);
  let gaMax = 0;
  for (let j = 0; j < p; j++) if (included[j] && ga[j]! > gaMax) gaMax = ga[j]!;
  const lambdaMax = gaMax / Math.max(alpha, 1e-3);

  if (start) {
    // The warm start, on the standardized scale: b = β·sd, b₀ = intercept + Σ β·mean.
    b0 = start.intercept;
    for (let k = 0; k < p; k++) {
      const bk = start.beta[k]!;
      if (!included[k] || bk === 0) continue;
      b[k] = bk * scale[k]!;
      b0 += bk * mean[k]!;
      strong[k] = 1;
      isActive[k] = 1;
      active.push(k);
    }
    setLinearPredictor(eta, X, n, b0, active, b, mean, scale, kernel, xAt, etaAt);
    xmz = irlsWeights(eta, yv, q, v, r, w, fmin, fmax);
  }

  const user = options.lambda ? [...options.lambda].sort((a, c) => c - a) : null;
  if (user?.some((l) => !(l >= 0))) throw new RangeError("lambda values must be ≥ 0");
  const nLambda = user ? user.length : (options.nLambda ?? 100);
  const ratio = options.lambdaMinRatio ?? (n > p ? 1e-4 : 1e-2);
  const alf = user ? 1 : Math.max(LAMBDA_RATIO_FLOOR, ratio) ** (1 / (nLambda - 1));

  const out: LognetFit = {
    alpha,
    lambda: [],
    intercept: [],
    beta: [],
    devRatio: [],
    nullDeviance: 2 * n * dev0,
    lambdaMax,
    passes: 0,
  };
  let al = 0;
  let passes = 0;
  const tooMany = (index: number) => {
    if (passes > maxPasses)
      throw new Error(`The fit did not converge within ${maxPasses} passes (lambda ${index + 1}).`);
  };

  for (let ilm = 0; ilm < nLambda; ilm++) {
    if (options.signal?.aborted) throw new ModelCanceledError();
    let al0 = al;
    if (user) al = user[ilm]!;
    else if (ilm >= 2) al *= alf;
    else if (ilm === 0) al = BIG;
    else {
      al0 = lambdaMax;
      al = alf * al0;
    }
    const al1 = al * alpha;
    const al2 = al * (1 - alpha);
    const tlam = alpha * (2 * al - al0);
    for (let k = 0; k < p; k++) if (!strong[k] && included[k] && ga[k]! > tlam) strong[k] = 1;

    let degenerate = false;
    // From a subsample's start (first lambda only), the first IRLS steps' quadratic models are
    // still far from the final one, so solving them to `shr` wastes passes: their inner threshold
    // is 1e-3 of the previous step's largest move (inexact Newton). Only a step solved to `shr`
    // itself can end the loop, so the fixed point and its tolerance are glmnet's. A path keeps
    // glmnet's steps exactly (its early stops compare dev.ratio at 1e-5).
    const inexact = start !== undefined && ilm === 0;
    let innerThresh = inexact ? Number.POSITIVE_INFINITY : shr;
    // IRLS: each iteration solves the penalized weighted least-squares problem at the current fit.
    for (;;) {
      bs.set(b);
      const bs0 = b0;
      // xv (Σ v·x̃² per strong column) changes with the weights: the first pass below computes it
      // in the same sweep as each column's inner product instead of a sweep of its own.
      let needXv = true;
      // Each pass's coordinate updates of r are deferred and fused into the next column's inner
      // product (or the intercept's sum): one sweep over r per coordinate instead of two.
      let pendingOff = 0;
      let pendingMean = 0;
      let pendingStep = 0; // r −= v · (pendingStep · (x − pendingMean) + pendingShift)
      let pendingShift = 0;
      const pass = (columns: Int32Array | number[], count: number, track: boolean): number => {
        passes++;
        let dlx = 0;
        for (let c = 0; c < count; c++) {
          const k = columns[c]!;
          const off = k * n;
          const sk = scale[k]!;
          const mk = mean[k]!;
          let raw: number;
          if (needXv) {
            if (kernel) {
              raw = kernel.updateDotSquares(
                rAt,
                vAt,
                xAt + pendingOff,
                xAt + off,
                n,
                pendingMean,
                pendingStep,
                pendingShift,
                mk,
              );
              sums[0] = kernel.squares;
            } else
              raw = updateDotSquares(
                r,
                v,
                X,
                pendingOff,
                pendingMean,
                pendingStep,
                pendingShift,
                off,
                mk,
                n,
                sums,
              );
            xv[k] = sums[0]! / sk ** 2;
            pendingStep = 0;
            pendingShift = 0;
          } else if (kernel && pendingStep === 0 && pendingShift === 0) {
            raw = kernel.dot(rAt, xAt + off, n, mk); // nothing to apply to r: read r and x only
          } else if (kernel) {
            raw = kernel.updateDot(
              rAt,
              vAt,
              xAt + pendingOff,
              xAt + off,
              n,
              pendingMean,
              pendingStep,
              pendingShift,
              mk,
            );
            pendingStep = 0;
            pendingShift = 0;
          } else if (pendingStep !== 0 || pendingShift !== 0) {
            raw = updateDot(r, v, X, pendingOff, pendingMean, pendingStep, pendingShift, off, mk, n);
            pendingStep = 0;
            pendingShift = 0;
          } else raw = dot(r, X, off, n, mk);
          const bk = b[k]!;
          const xvk = xv[k]!;
          const u = raw / sk + xvk * bk;
          const au = Math.abs(u) - al1;
          const nb = au > 0 ? (u > 0 ? au : -au) / (xvk + al2) : 0;
          const d = nb - bk;
          if (d !== 0) {
            b[k] = nb;
            pendingOff = off;
            pendingMean = mk;
            pendingStep = d / sk;
            dlx = Math.max(dlx, xvk * d * d);
            if (track && !isActive[k]) {
              isActive[k] = 1;
              active.push(k);
            }
          }
        }
        needXv = false;
        // With the kernel, Σ r is the sweep's inner product with the column of ones (r·1 = r).
        const total = kernel
          ? kernel.updateDot(rAt, vAt, xAt + pendingOff, onesAt, n, pendingMean, pendingStep, pendingShift, 0)
          : updateSum(r, v, X, pendingOff, pendingMean, pendingStep, pendingShift, n);
        pendingStep = 0;
        pendingShift = 0;
        const d0 = total / xmz;
        if (d0 !== 0) {
          b0 += d0;
          pendingShift = d0;
          dlx = Math.max(dlx, xmz * d0 * d0);
        }
        return dlx;
      };
      const strongList = new Int32Array(p);
      let strongCount = 0;
      for (let k = 0; k < p; k++) if (strong[k]) strongList[strongCount++] = k;
      for (;;) {
        const dlx = pass(strongList, strongCount, true);
        if (dlx < innerThresh) break;
        tooMany(ilm);
        for (;;) {
          const dlxa = pass(active, active.length, false);
          if (dlxa < innerThresh) break;
          tooMany(ilm);
        }
      }
      // New working weights and residuals at the updated fit.
      setLinearPredictor(eta, X, n, b0, active, b, mean, scale, kernel, xAt, etaAt);
      xmz = irlsWeights(eta, yv, q, v, r, w, fmin, fmax);
      if (xmz <= vmin) {
        degenerate = true; // every probability is at 0 or 1: glmnet stops the path here
        break;
      }
      let move = xmz * (b0 - bs0) ** 2;
      for (const k of active) move = Math.max(move, xv[k]! * (b[k]! - bs[k]!) ** 2);
      const tight = innerThresh === shr;
      if (inexact) innerThresh = Math.max(shr, move * 1e-3);
      if (move >= shr || !tight) continue;
      // KKT check on the columns outside the strong set; violators join it and the fit goes on.
      let added = false;
      absGradients(r, X, n, mean, scale, ga, included, strong, kernel, xAt, rAt);
      for (let k = 0; k < p; k++) {
        if (strong[k] || !included[k]) continue;
        if (ga[k]! > al1) {
          strong[k] = 1;
          added = true;
        }
      }
      if (!added) break;
    }

    const beta = new Float64Array(p);
    let intercept = b0;
    for (let k = 0; k < p; k++) {
      if (b[k] === 0) continue;
      beta[k] = b[k]! / scale[k]!;
      intercept -= beta[k]! * mean[k]!;
    }
    const devi = meanDeviance(yv, q, w);
    const devRatio = (dev1 - devi) / dev0;
    out.lambda.push(ilm === 0 && !user ? lambdaMax : al);
    out.intercept.push(intercept);
    out.beta.push(beta);
    out.devRatio.push(devRatio);
    options.onLambda?.(ilm);
    if (degenerate) break;
    if (!user && ilm >= MIN_LAMBDAS - 1) {
      if (devRatio > DEVMAX) break;
      if (devRatio - out.devRatio[ilm - 1]! < FDEV) break;
    }
  }
  out.passes = passes;
  return out;
}

// The row loops below are functions of their own, as the sweeps are: a loop in fitLognet's body
// runs once per fit and so mostly unoptimized (a single pass of its deviance cost ~20 ms at 200k rows).

function gather(y: ArrayLike<number>, rows: ArrayLike<number> | undefined, n: number): Float64Array {
  const yv = new Float64Array(n);
  if (rows) for (let i = 0; i < n; i++) yv[i] = y[rows[i]!]!;
  else for (let i = 0; i < n; i++) yv[i] = y[i]!;
  return yv;
}

function weightedSum(yv: Float64Array, w: number): number {
  let s = 0;
  for (let i = 0; i < yv.length; i++) s += w * yv[i]!;
  return s;
}

function nullResiduals(r: Float64Array, yv: Float64Array, w: number, q0: number) {
  for (let i = 0; i < yv.length; i++) r[i] = w * (yv[i]! - q0);
}

/** −(1/n) Σ loglik at probabilities q, each clamped at pmin (glmnet's dev). */
function meanDeviance(yv: Float64Array, q: Float64Array, w: number): number {
  let devi = 0;
  for (let i = 0; i < yv.length; i++) {
    const yi = yv[i]!;
    const qi = q[i]!;
    // y is 0/1: one of the two terms is 0 × log(…), so one log per row gives the same sum.
    const ll =
      yi === 1
        ? Math.log(Math.max(PMIN, qi))
        : yi === 0
          ? Math.log(Math.max(PMIN, 1 - qi))
          : yi * Math.log(Math.max(PMIN, qi)) + (1 - yi) * Math.log(Math.max(PMIN, 1 - qi));
    devi -= w * ll;
  }
  return devi;
}

/**
 * eta = b₀ + Σ_k (b_k / scale_k)(x_k − mean_k) over the non-zero active columns, four columns per
 * sweep of eta (one read and write of eta per four columns instead of per column); the means
 * fold into the constant.
 */
function setLinearPredictor(
  eta: Float64Array,
  X: Float64Array,
  n: number,
  b0: number,
  active: readonly number[],
  b: Float64Array,
  mean: Float64Array,
  scale: Float64Array,
  kernel: SimdKernel | null,
  xAt: number,
  etaAt: number,
) {
  const cols: number[] = [];
  const coef: number[] = [];
  let constant = b0;
  for (const k of active) {
    if (b[k] === 0) continue;
    const c = b[k]! / scale[k]!;
    cols.push(k * n);
    coef.push(c);
    constant -= c * mean[k]!;
  }
  eta.fill(constant);
  let g = 0;
  if (kernel) {
    const at = [0, 0, 0, 0];
    for (; g + 4 <= cols.length; g += 4) {
      for (let j = 0; j < 4; j++) at[j] = xAt + cols[g + j]!;
      kernel.eta4(etaAt, at, n, coef.slice(g, g + 4));
    }
  }
  for (; g + 4 <= cols.length; g += 4) {
    const [o1, o2, o3, o4] = [cols[g]!, cols[g + 1]!, cols[g + 2]!, cols[g + 3]!];
    const [c1, c2, c3, c4] = [coef[g]!, coef[g + 1]!, coef[g + 2]!, coef[g + 3]!];
    for (let i = 0; i < n; i++)
      eta[i]! += c1 * X[o1 + i]! + c2 * X[o2 + i]! + c3 * X[o3 + i]! + c4 * X[o4 + i]!;
  }
  for (; g < cols.length; g++) {
    const o = cols[g]!;
    const c = coef[g]!;
    for (let i = 0; i < n; i++) eta[i]! += c * X[o + i]!;
  }
}

/** Probabilities q, IRLS weights v and working residuals r at the linear predictor; returns Σ v. */
function irlsWeights(
  eta: Float64Array,
  yv: Float64Array,
  q: Float64Array,
  v: Float64Array,
  r: Float64Array,
  w: number,
  fmin: number,
  fmax: number,
): number {
  let xmz = 0;
  for (let i = 0; i < eta.length; i++) {
    const f = eta[i]!;
    const qi = f < fmin ? 0 : f > fmax ? 1 : 1 / (1 + Math.exp(-f));
    q[i] = qi;
    const vi = w * qi * (1 - qi);
    v[i] = vi;
    xmz += vi;
    r[i] = w * (yv[i]! - qi);
  }
  return xmz;
}

/**
 * ga_k = |Σ r · (x_k − mean_k)| / scale_k for every included column outside the strong set, four
 * columns per sweep of r (the KKT check reads r once per four columns instead of per column).
 */
function absGradients(
  r: Float64Array,
  X: Float64Array,
  n: number,
  mean: Float64Array,
  scale: Float64Array,
  ga: Float64Array,
  included: Uint8Array,
  strong: Uint8Array,
  kernel: SimdKernel | null,
  xAt: number,
  rAt: number,
) {
  const cols: number[] = [];
  for (let k = 0; k < included.length; k++) if (included[k] && !strong[k]) cols.push(k);
  let g = 0;
  if (kernel) {
    const at = [0, 0, 0, 0];
    const m = [0, 0, 0, 0];
    const sums = new Float64Array(4);
    for (; g + 4 <= cols.length; g += 4) {
      for (let j = 0; j < 4; j++) {
        at[j] = xAt + cols[g + j]! * n;
        m[j] = mean[cols[g + j]!]!;
      }
      kernel.dot4(rAt, at, n, m, sums);
      for (let j = 0; j < 4; j++) ga[cols[g + j]!] = Math.abs(sums[j]! / scale[cols[g + j]!]!);
    }
  }
  for (; g + 4 <= cols.length; g += 4) {
    const [k1, k2, k3, k4] = [cols[g]!, cols[g + 1]!, cols[g + 2]!, cols[g + 3]!];
    const [o1, o2, o3, o4] = [k1 * n, k2 * n, k3 * n, k4 * n];
    const [m1, m2, m3, m4] = [mean[k1]!, mean[k2]!, mean[k3]!, mean[k4]!];
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (let i = 0; i < n; i++) {
      const ri = r[i]!;
      s1 += ri * (X[o1 + i]! - m1);
      s2 += ri * (X[o2 + i]! - m2);
      s3 += ri * (X[o3 + i]! - m3);
      s4 += ri * (X[o4 + i]! - m4);
    }
    ga[k1] = Math.abs(s1 / scale[k1]!);
    ga[k2] = Math.abs(s2 / scale[k2]!);
    ga[k3] = Math.abs(s3 / scale[k3]!);
    ga[k4] = Math.abs(s4 / scale[k4]!);
  }
  for (; g < cols.length; g++) {
    const k = cols[g]!;
    ga[k] = Math.abs(dot(r, X, k * n, n, mean[k]!) / scale[k]!);
  }
}

/** Column j of the design (its `rows` only, when given) into X's column j of n rows. */
function copyColumn(
  design: DesignMatrix,
  j: number,
  rows: ArrayLike<number> | undefined,
  X: Float64Array,
  n: number,
) {
  const src = j * design.rowCount;
  const dst = j * n;
  if (!rows) {
    X.set(design.x.subarray(src, src + n), dst);
    return;
  }
  const x = design.x;
  for (let i = 0; i < n; i++) X[dst + i] = x[src + rows[i]!]!;
}

/**
 * Column j's mean and scale (population sd), or left out when constant (glmnet's chkvars: its
 * coefficient stays 0). A function of its own so that the optimizing compiler sees the loops
 * (inside fitLognet they ran a single unoptimized pass: a quarter of a fixed-lambda fit's time).
 */
function columnStats(
  X: Float64Array,
  off: number,
  n: number,
  j: number,
  mean: Float64Array,
  scale: Float64Array,
  included: Uint8Array,
  standardize: boolean,
) {
  let sum = 0;
  let constant = true;
  const first = X[off]!;
  for (let i = 0; i < n; i++) {
    const v = X[off + i]!;
    sum += v;
    if (v !== first) constant = false;
  }
  if (constant) return;
  included[j] = 1;
  const m = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = X[off + i]! - m;
    ss += d * d;
  }
  mean[j] = m;
  scale[j] = standardize ? Math.sqrt(ss / n) : 1;
}

/** `columnStats` in the kernel (the sums in two lanes: the same to round-off). */
function kernelColumnStats(
  kernel: SimdKernel,
  at: number,
  n: number,
  j: number,
  mean: Float64Array,
  scale: Float64Array,
  included: Uint8Array,
  standardize: boolean,
) {
  const sum = kernel.columnSum(at, n);
  if (!kernel.differs) return;
  included[j] = 1;
  const m = sum / n;
  mean[j] = m;
  scale[j] = standardize ? Math.sqrt(kernel.columnSquares(at, n, m) / n) : 1;
}

/** Σ r · (x − m) over the column at `off`. */
function dot(r: Float64Array, X: Float64Array, off: number, n: number, m: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += r[i]! * (X[off + i]! - m);
  return s;
}

/** Applies the pending update r −= v · (step · (x_u − m_u) + shift), then returns Σ r · (x − m). */
function updateDot(
  r: Float64Array,
  v: Float64Array,
  X: Float64Array,
  offU: number,
  mU: number,
  step: number,
  shift: number,
  off: number,
  m: number,
  n: number,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const ri = r[i]! - v[i]! * (step * (X[offU + i]! - mU) + shift);
    r[i] = ri;
    s += ri * (X[off + i]! - m);
  }
  return s;
}

/** Applies the pending update (as `updateDot`) and returns Σ r. */
function updateSum(
  r: Float64Array,
  v: Float64Array,
  X: Float64Array,
  offU: number,
  mU: number,
  step: number,
  shift: number,
  n: number,
): number {
  let s = 0;
  if (step === 0 && shift === 0) {
    for (let i = 0; i < n; i++) s += r[i]!;
    return s;
  }
  for (let i = 0; i < n; i++) {
    const ri = r[i]! - v[i]! * (step * (X[offU + i]! - mU) + shift);
    r[i] = ri;
    s += ri;
  }
  return s;
}

/**
 * `updateDot` (a zero step and shift apply nothing) that also leaves Σ v · (x − m)² in `out[0]`:
 * the weights v are already in hand at each row, so xv costs no sweep of its own.
 */
function updateDotSquares(
  r: Float64Array,
  v: Float64Array,
  X: Float64Array,
  offU: number,
  mU: number,
  step: number,
  shift: number,
  off: number,
  m: number,
  n: number,
  out: Float64Array,
): number {
  let s = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const vi = v[i]!;
    const ri = r[i]! - vi * (step * (X[offU + i]! - mU) + shift);
    r[i] = ri;
    const x = X[off + i]! - m;
    s += ri * x;
    ss += vi * x * x;
  }
  out[0] = ss;
  return s;
}

/** The linear predictor β₀ + xβ for every row of `design` (or `rows`), original scale. */
export function linearPredictor(
  design: DesignMatrix,
  intercept: number,
  beta: ArrayLike<number>,
  rows?: ArrayLike<number>,
): Float64Array {
  const n = rows ? rows.length : design.rowCount;
  const eta = new Float64Array(n).fill(intercept);
  for (let j = 0; j < design.columnCount; j++) {
    const bj = beta[j]!;
    if (bj === 0) continue;
    const off = j * design.rowCount;
    if (rows) for (let i = 0; i < n; i++) eta[i]! += bj * design.x[off + rows[i]!]!;
    else for (let i = 0; i < n; i++) eta[i]! += bj * design.x[off + i]!;
  }
  return eta;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Fitted probabilities at one lambda of a fit (index into `fit.lambda`). */
export function predictProbability(
  fit: LognetFit,
  index: number,
  design: DesignMatrix,
  rows?: ArrayLike<number>,
): Float64Array {
  const eta = linearPredictor(design, fit.intercept[index]!, fit.beta[index]!, rows);
  for (let i = 0; i < eta.length; i++) eta[i] = sigmoid(eta[i]!);
  return eta;
}
