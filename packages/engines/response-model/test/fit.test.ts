import { ModelCanceledError, ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  crossValidate,
  fitLognet,
  foldDeviance,
  lambdaInterpolation,
  stratifiedFolds,
  summarizeFolds,
} from "../src/fit/index.ts";
import { prepare } from "../src/prepare/index.ts";
import { syntheticTable } from "./helpers.ts";

const { table, specs, y } = syntheticTable(600, 3);
const { design } = prepare(table, specs);

describe("fitting", () => {
  it("a computed path starts at lambda.max with every coefficient 0 and decreases geometrically", () => {
    const fit = fitLognet(design, y);
    expect(fit.lambda[0]).toBe(fit.lambdaMax);
    expect(Array.from(fit.beta[0]!).every((b) => b === 0)).toBe(true);
    expect(Array.from(fit.beta[1]!).some((b) => b !== 0)).toBe(true);
    const ratio = fit.lambda[2]! / fit.lambda[1]!;
    expect(ratio).toBeCloseTo(1e-4 ** (1 / 99), 12); // n > p: lambda.min.ratio 1e-4
    expect(fit.devRatio.at(-1)!).toBeGreaterThan(fit.devRatio[1]!);
  });

  it("reports progress per lambda and stops between lambdas when aborted", () => {
    const seen: number[] = [];
    const controller = new AbortController();
    expect(() =>
      fitLognet(design, y, {
        signal: controller.signal,
        onLambda: (i) => {
          seen.push(i);
          if (i === 4) controller.abort();
        },
      }),
    ).toThrow(ModelCanceledError);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it("refuses a target with one class, naming the fold when it happens in cross-validation", () => {
    expect(() => fitLognet(design, new Float64Array(design.rowCount))).toThrow(ModelInputError);
  });

  it("stratified folds: seeded, deterministic, the same share of responders in each", () => {
    const a = stratifiedFolds(y, 5, 42);
    expect(Array.from(a)).toEqual(Array.from(stratifiedFolds(y, 5, 42)));
    expect(Array.from(a)).not.toEqual(Array.from(stratifiedFolds(y, 5, 43)));
    const ones = [0, 0, 0, 0, 0];
    const all = [0, 0, 0, 0, 0];
    a.forEach((f, i) => {
      all[f]!++;
      if (y[i] === 1) ones[f]!++;
    });
    expect(Math.max(...ones) - Math.min(...ones)).toBeLessThanOrEqual(1);
    expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
  });

  it("cross-validation: progress for the full fit and every fold; lambda.1se ≥ lambda.min", () => {
    const folds = new Set<number>();
    const cv = crossValidate(design, y, { folds: 4, seed: 9, onProgress: (p) => folds.add(p.fold) });
    expect([...folds].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(cv.lambda1se).toBeGreaterThanOrEqual(cv.lambdaMin);
    expect(cv.cvm[cv.indexMin]).toBe(Math.min(...cv.cvm));
    expect(cv.cvm[cv.index1se]!).toBeLessThanOrEqual(cv.cvm[cv.indexMin]! + cv.cvsd[cv.indexMin]!);
  });

  it("folds run as independent parts (any order) give crossValidate's numbers exactly", () => {
    const cv = crossValidate(design, y, { folds: 5, seed: 4 });
    const parts = [4, 2, 0, 3, 1].map((k) => foldDeviance(design, y, cv.foldId, k, cv.lambda));
    const again = summarizeFolds(cv.fit, parts, cv.foldId);
    expect(again.cvm).toEqual(cv.cvm);
    expect(again.cvsd).toEqual(cv.cvsd);
    expect(again.lambdaMin).toBe(cv.lambdaMin);
  });

  it("glmnet's lambda.interp", () => {
    const path = [1, 0.5, 0.25];
    expect(lambdaInterpolation(path, 0.5)).toEqual({ left: 1, right: 1, frac: 1 });
    expect(lambdaInterpolation(path, 0.75)).toEqual({ left: 0, right: 1, frac: 0.5 });
    expect(lambdaInterpolation(path, 2)).toEqual({ left: 0, right: 0, frac: 1 });
    expect(lambdaInterpolation(path, 0.1)).toEqual({ left: 2, right: 2, frac: 1 });
  });
});
