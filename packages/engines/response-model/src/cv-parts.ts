/**
 * Cross-validation with its fits as model-kit parts: the platform's engine pool runs them on
 * helper threads (same numbers in any order: each part depends only on its arguments), and the
 * CLI and tests run them in this thread.
 *
 * The full fit is one of the parts, beside the K fold fits: a fold computes its own lambda path
 * (as cv.glmnet), so it needs the full fit's lambdas only to be read at them — a second, short
 * stage. Fitted first and alone, the full path held up every fold (a tenth of the CV's work, on
 * one thread while the helpers waited). The run's own thread claims it first and reports its
 * progress per lambda.
 */
import { type ModelContext, runParts } from "@modelworks/model-kit";
import {
  type CrossValidation,
  type FoldDeviance,
  foldFit,
  heldOutDeviance,
  stratifiedFolds,
  summarizeFolds,
} from "./fit/cv.ts";
import { type DesignMatrix, fitLognet, type LognetFit } from "./fit/lognet.ts";

export const CV_FOLD_PART = "cv-fold";
export const CV_DEVIANCE_PART = "cv-deviance";

export interface CvFoldShared {
  design: DesignMatrix;
  y: Float64Array;
  foldId: Int32Array;
  alpha: number;
  /** Length of the full fit's path (the folds keep glmnet's default, as they always have). */
  nLambda: number;
}

/** Item −1: the full fit on all rows; item k ≥ 0: fold k's fit on the other folds. */
export const FULL_FIT = -1;

/** One CV fit (structured-cloneable arguments; a signal and progress only in the run's own thread). */
export function cvFold(
  shared: CvFoldShared,
  item: number,
  signal?: AbortSignal,
  onLambda?: (index: number) => void,
): LognetFit {
  if (item === FULL_FIT)
    return fitLognet(shared.design, shared.y, {
      alpha: shared.alpha,
      nLambda: shared.nLambda,
      ...(signal ? { signal } : {}),
      ...(onLambda ? { onLambda } : {}),
    });
  return foldFit(shared.design, shared.y, shared.foldId, item, {
    alpha: shared.alpha,
    ...(signal ? { signal } : {}),
  });
}

export interface CvDevianceShared {
  design: DesignMatrix;
  y: Float64Array;
  foldId: Int32Array;
  /** The full fit's lambdas. */
  lambda: number[];
  fits: Pick<LognetFit, "lambda" | "intercept" | "beta">[];
}

/** One fold's held-out deviance at the full fit's lambdas. */
export function cvDeviance(shared: CvDevianceShared, fold: number): FoldDeviance {
  return heldOutDeviance(shared.design, shared.y, shared.foldId, fold, shared.fits[fold]!, shared.lambda);
}

/**
 * The design on a SharedArrayBuffer: helper threads then share its memory instead of each
 * receiving a copy (40k rows × 500 columns is 160 MB, cloned twice per helper on its way there).
 */
function shareable(design: DesignMatrix): DesignMatrix {
  if (typeof SharedArrayBuffer === "undefined" || design.x.buffer instanceof SharedArrayBuffer) return design;
  const x = new Float64Array(new SharedArrayBuffer(design.x.byteLength));
  x.set(design.x);
  return { x, rowCount: design.rowCount, columnCount: design.columnCount };
}

export async function crossValidateInParts(
  ctx: Pick<ModelContext, "signal" | "fanOut">,
  design: DesignMatrix,
  y: Float64Array,
  options: {
    alpha: number;
    nLambda: number;
    folds: number;
    seed: number;
    onLambda: (index: number) => void;
    onFold: (done: number, total: number) => void;
  },
): Promise<CrossValidation> {
  const K = options.folds;
  const foldId = stratifiedFolds(y, K, options.seed);
  const shared: CvFoldShared = {
    design: (ctx.fanOut?.helpers ?? 0) > 0 ? shareable(design) : design,
    y,
    foldId,
    alpha: options.alpha,
    nLambda: options.nLambda,
  };
  const fits = await runParts(ctx as ModelContext, {
    part: CV_FOLD_PART,
    fn: (s: CvFoldShared, item: number) =>
      cvFold(s, item, ctx.signal, item === FULL_FIT ? options.onLambda : undefined),
    shared,
    items: [FULL_FIT, ...Array.from({ length: K }, (_, k) => k)],
    // The full fit is the first item done (this thread claims it first): folds are the rest.
    onProgress: (done) => {
      if (done > 1) options.onFold(done - 1, K);
    },
  });
  const fit = fits[0]!;
  const folds = await runParts(ctx as ModelContext, {
    part: CV_DEVIANCE_PART,
    fn: cvDeviance,
    shared: {
      design: shared.design,
      y,
      foldId,
      lambda: fit.lambda,
      fits: fits.slice(1).map((f) => ({ lambda: f.lambda, intercept: f.intercept, beta: f.beta })),
    } satisfies CvDevianceShared,
    items: Array.from({ length: K }, (_, k) => k),
  });
  return summarizeFolds(fit, folds, foldId);
}
