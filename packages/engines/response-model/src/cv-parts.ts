/**
 * Cross-validation with its K folds as model-kit parts: the platform's engine pool runs them on
 * helper threads (same numbers in any order: `foldDeviance` depends only on its arguments), and
 * the CLI and tests run them in this thread. The full fit runs first, here, with progress per lambda.
 */
import { type ModelContext, runParts } from "@modelworks/model-kit";
import {
  type CrossValidation,
  type FoldDeviance,
  foldDeviance,
  stratifiedFolds,
  summarizeFolds,
} from "./fit/cv.ts";
import { type DesignMatrix, fitLognet } from "./fit/lognet.ts";

export const CV_FOLD_PART = "cv-fold";

export interface CvFoldShared {
  design: DesignMatrix;
  y: Float64Array;
  foldId: Int32Array;
  lambda: number[];
  alpha: number;
}

/** One fold (structured-cloneable arguments; a signal only in the run's own thread). */
export function cvFold(shared: CvFoldShared, fold: number, signal?: AbortSignal): FoldDeviance {
  return foldDeviance(shared.design, shared.y, shared.foldId, fold, shared.lambda, {
    alpha: shared.alpha,
    ...(signal ? { signal } : {}),
  });
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
  const fit = fitLognet(design, y, {
    alpha: options.alpha,
    nLambda: options.nLambda,
    signal: ctx.signal,
    onLambda: options.onLambda,
  });
  const foldId = stratifiedFolds(y, options.folds, options.seed);
  const shared: CvFoldShared = { design, y, foldId, lambda: fit.lambda, alpha: options.alpha };
  const folds = await runParts(ctx as ModelContext, {
    part: CV_FOLD_PART,
    fn: (s: CvFoldShared, k: number) => cvFold(s, k, ctx.signal),
    shared,
    items: Array.from({ length: options.folds }, (_, k) => k),
    onProgress: options.onFold,
  });
  return summarizeFolds(fit, folds, foldId);
}
