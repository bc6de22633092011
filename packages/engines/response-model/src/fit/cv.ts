import { ModelInputError } from "@modelworks/model-kit";
import {
  type DesignMatrix,
  fitLognet,
  type LognetFit,
  type LognetOptions,
  linearPredictor,
} from "./lognet.ts";
import { seededRandom, shuffle } from "./random.ts";

export interface CrossValidationOptions extends Omit<LognetOptions, "onLambda"> {
  /** Number of folds (cv.glmnet `nfolds`, default 10, at least 3). */
  folds?: number;
  /** Seed of the stratified fold assignment. */
  seed?: number;
  /** Explicit fold of each row, 0-based (cv.glmnet `foldid` minus one); overrides folds/seed. */
  foldId?: ArrayLike<number>;
  /**
   * After each lambda of each fit: fold 0 is the fit on all rows, folds 1…K the held-out fits;
   * `lambdaCount` is −1 during fold 0 (glmnet may stop the path early, so its length is not known yet).
   */
  onProgress?: (progress: { fold: number; folds: number; lambdaIndex: number; lambdaCount: number }) => void;
}

export interface CrossValidation {
  /** The fit on all rows; its lambdas are the ones cross-validated. */
  fit: LognetFit;
  lambda: number[];
  /** Mean held-out binomial deviance per lambda (cv.glmnet `cvm`). */
  cvm: number[];
  /** Its standard error (cv.glmnet `cvsd`). */
  cvsd: number[];
  lambdaMin: number;
  indexMin: number;
  lambda1se: number;
  index1se: number;
  foldId: Int32Array;
}

const PROB_MIN = 1e-5; // cv.glmnet clamps held-out probabilities to [1e-5, 1 − 1e-5]

/**
 * Stratified, seeded folds: responders and non-responders are shuffled separately and dealt
 * round-robin, so every fold has (within one) the same number of each.
 */
export function stratifiedFolds(y: ArrayLike<number>, folds: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const ones: number[] = [];
  const zeros: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i] === 1 ? ones : zeros).push(i);
  const order = [...shuffle(ones, random), ...shuffle(zeros, random)];
  const foldId = new Int32Array(y.length);
  order.forEach((row, k) => {
    foldId[row] = k % folds;
  });
  return foldId;
}

/**
 * K-fold cross-validation as cv.glmnet does it (type.measure = "deviance", grouped): the full fit
 * fixes the lambdas, each fold is fitted on the other folds at those lambdas, the held-out
 * deviance is averaged per fold, and cvm/cvsd are the fold-size-weighted mean and standard error.
 */
export function crossValidate(
  design: DesignMatrix,
  y: ArrayLike<number>,
  options: CrossValidationOptions = {},
): CrossValidation {
  // A loop, not Math.max(...ids): spreading 200k arguments overflows the stack.
  const K = options.foldId
    ? Array.from(options.foldId).reduce((a, b) => (b > a ? b : a), 0) + 1
    : (options.folds ?? 10);
  if (K < 3) throw new RangeError("cross-validation needs at least 3 folds");
  const foldId = options.foldId ? Int32Array.from(options.foldId) : stratifiedFolds(y, K, options.seed ?? 1);
  const { onProgress, foldId: _f, folds: _k, seed: _s, ...fitOptions } = options;

  const fit = fitLognet(design, y, {
    ...fitOptions,
    onLambda: (lambdaIndex) => onProgress?.({ fold: 0, folds: K, lambdaIndex, lambdaCount: -1 }),
  });
  const L = fit.lambda.length;
  const folds: FoldDeviance[] = [];
  for (let k = 0; k < K; k++)
    folds.push(
      foldDeviance(design, y, foldId, k, fit.lambda, fitOptions, (lambdaIndex) =>
        onProgress?.({ fold: k + 1, folds: K, lambdaIndex, lambdaCount: L }),
      ),
    );
  return summarizeFolds(fit, folds, foldId);
}

/** One fold's held-out mean deviance at each of the full fit's lambdas. */
export interface FoldDeviance {
  /** 0-based fold. */
  fold: number;
  heldOut: number;
  meanDeviance: Float64Array;
}

/**
 * One fold of `crossValidate`, pure and independent of the others, so that a platform can run the
 * K folds as parallel parts and hand the results to `summarizeFolds` (same numbers, any order).
 * As cv.glmnet: the fold computes its own path unless the caller fixed the lambdas, and is read
 * at the full fit's lambdas by linear interpolation of its coefficients (`lambdaInterpolation`).
 */
export function foldDeviance(
  design: DesignMatrix,
  y: ArrayLike<number>,
  foldId: ArrayLike<number>,
  fold: number,
  fullLambda: readonly number[],
  fitOptions: Omit<LognetOptions, "onLambda"> = {},
  onLambda?: (lambdaIndex: number) => void,
): FoldDeviance {
  const fit = foldFit(design, y, foldId, fold, fitOptions, onLambda);
  return heldOutDeviance(design, y, foldId, fold, fit, fullLambda);
}

/**
 * The first half of `foldDeviance`: the fit on the other folds' rows. It does not need the full
 * fit's lambdas (the fold computes its own path), so it may run while the full fit does.
 */
export function foldFit(
  design: DesignMatrix,
  y: ArrayLike<number>,
  foldId: ArrayLike<number>,
  fold: number,
  fitOptions: Omit<LognetOptions, "onLambda"> = {},
  onLambda?: (lambdaIndex: number) => void,
): LognetFit {
  const train: number[] = [];
  let heldOut = 0;
  for (let i = 0; i < design.rowCount; i++) {
    if (foldId[i] === fold) heldOut++;
    else train.push(i);
  }
  if (heldOut === 0) throw new RangeError(`fold ${fold + 1} is empty`);
  try {
    return fitLognet(design, y, { ...fitOptions, ...(onLambda ? { onLambda } : {}) }, train);
  } catch (e) {
    if (e instanceof ModelInputError)
      throw new ModelInputError(
        [{ path: "target", message: `Fold ${fold + 1}: ${e.issues[0]?.message ?? e.message}` }],
        e.message,
      );
    throw e;
  }
}

/** The second half of `foldDeviance`: the fold's held-out mean deviance at each full-fit lambda. */
export function heldOutDeviance(
  design: DesignMatrix,
  y: ArrayLike<number>,
  foldId: ArrayLike<number>,
  fold: number,
  foldFit: Pick<LognetFit, "lambda" | "intercept" | "beta">,
  fullLambda: readonly number[],
): FoldDeviance {
  const held: number[] = [];
  for (let i = 0; i < design.rowCount; i++) if (foldId[i] === fold) held.push(i);
  if (held.length === 0) throw new RangeError(`fold ${fold + 1} is empty`);
  const L = fullLambda.length;
  const meanDeviance = new Float64Array(L);
  const beta = new Float64Array(design.columnCount);
  for (let l = 0; l < L; l++) {
    const { left, right, frac } = lambdaInterpolation(foldFit.lambda, fullLambda[l]!);
    const bl = foldFit.beta[left]!;
    const br = foldFit.beta[right]!;
    for (let j = 0; j < beta.length; j++) beta[j] = bl[j]! * frac + br[j]! * (1 - frac);
    const intercept = foldFit.intercept[left]! * frac + foldFit.intercept[right]! * (1 - frac);
    const eta = linearPredictor(design, intercept, beta, held);
    let sum = 0;
    for (let h = 0; h < held.length; h++) {
      const p = Math.min(Math.max(1 / (1 + Math.exp(-eta[h]!)), PROB_MIN), 1 - PROB_MIN);
      const yi = y[held[h]!]!;
      sum += -2 * (yi * Math.log(p) + (1 - yi) * Math.log(1 - p));
    }
    meanDeviance[l] = sum / held.length;
  }
  return { fold, heldOut: held.length, meanDeviance };
}

/** cvm, cvsd and cv.glmnet's lambda.min / lambda.1se from the full fit and every fold's deviances. */
export function summarizeFolds(
  fit: LognetFit,
  folds: readonly FoldDeviance[],
  foldId: Int32Array,
): CrossValidation {
  const ordered = [...folds].sort((a, b) => a.fold - b.fold);
  const K = ordered.length;
  const L = fit.lambda.length;
  const total = ordered.reduce((a, f) => a + f.heldOut, 0);
  const cvm: number[] = [];
  const cvsd: number[] = [];
  for (let l = 0; l < L; l++) {
    let m = 0;
    for (const f of ordered) m += f.heldOut * f.meanDeviance[l]!;
    m /= total;
    let ss = 0;
    for (const f of ordered) ss += f.heldOut * (f.meanDeviance[l]! - m) ** 2;
    cvm.push(m);
    cvsd.push(Math.sqrt(ss / total / (K - 1)));
  }
  // getOptcv.glmnet: the largest lambda at the minimum, and the largest within one SE of it.
  const cvMin = Math.min(...cvm);
  const indexMin = cvm.findIndex((c) => c <= cvMin);
  const bound = cvm[indexMin]! + cvsd[indexMin]!;
  const index1se = cvm.findIndex((c) => c <= bound);
  return {
    fit,
    lambda: fit.lambda,
    cvm,
    cvsd,
    lambdaMin: fit.lambda[indexMin]!,
    indexMin,
    lambda1se: fit.lambda[index1se]!,
    index1se,
    foldId,
  };
}

/**
 * glmnet's `lambda.interp`: where `s` falls on a decreasing path, as the two neighbouring path
 * indices and the weight of the left one (s outside the path is clamped to its ends).
 */
export function lambdaInterpolation(
  lambda: readonly number[],
  s: number,
): { left: number; right: number; frac: number } {
  const k = lambda.length;
  if (k === 1) return { left: 0, right: 0, frac: 1 };
  const x = Math.min(Math.max(s, lambda[k - 1]!), lambda[0]!);
  let right = 0;
  while (right < k - 1 && lambda[right]! > x) right++;
  if (lambda[right] === x) return { left: right, right, frac: 1 };
  const left = right - 1;
  const gap = lambda[left]! - lambda[right]!;
  if (gap < Number.EPSILON) return { left, right, frac: 1 };
  return { left, right, frac: (x - lambda[right]!) / gap };
}
