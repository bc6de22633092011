import { createContext, type FanOut, workParts } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { crossValidateInParts } from "../src/cv-parts.ts";
import { crossValidate } from "../src/fit/index.ts";
import { responseModel } from "../src/model.ts";
import { prepare } from "../src/prepare/index.ts";
import { syntheticTable } from "./helpers.ts";

const { table, specs, y } = syntheticTable(600, 3);
const { design } = prepare(table, specs);

/**
 * Helpers as the engine pool runs them, in this process: each gets a structured clone of the
 * shared arguments (a SharedArrayBuffer is shared, not copied) and works the board with the
 * model's registered part. They work at once, when started: helpers on a later turn of the event
 * loop got nothing whenever the run's own thread finished every fit before its first yield (it
 * yields by the clock — a quiet machine and the fast kernel), and the test failed on CI.
 */
function inProcessFanOut(helpers: number, lent: { items: number; shared: boolean[] }): FanOut {
  return {
    helpers,
    startHelpers: ({ part, shared, items, board, count }) =>
      Array.from(
        { length: count },
        () =>
          new Promise((resolve) => {
            const fn = responseModel.parts?.[part];
            if (!fn) throw new Error(`no part ${part}`);
            const clone = structuredClone(shared) as { design: { x: Float64Array } };
            lent.shared.push(clone.design.x.buffer instanceof SharedArrayBuffer);
            const pairs = workParts(fn, clone, items, board);
            lent.items += pairs.length;
            resolve(pairs);
          }),
      ),
  };
}

describe("cross-validation as parts", () => {
  const options = { alpha: 1, nLambda: 100, folds: 5, seed: 4 };
  const expected = crossValidate(design, y, { folds: 5, seed: 4, alpha: 1 });

  it("in this thread: crossValidate's numbers exactly, the full path's progress first, then the folds", async () => {
    const events: string[] = [];
    const cv = await crossValidateInParts(createContext(), design, Float64Array.from(y), {
      ...options,
      onLambda: (l) => events.push(`lambda ${l}`),
      onFold: (done, total) => events.push(`fold ${done}/${total}`),
    });
    expect(cv.lambda).toEqual(expected.lambda);
    expect(cv.cvm).toEqual(expected.cvm);
    expect(cv.cvsd).toEqual(expected.cvsd);
    expect(cv.indexMin).toBe(expected.indexMin);
    expect(cv.index1se).toBe(expected.index1se);
    expect(cv.fit.beta).toEqual(expected.fit.beta);
    const lambdas = expected.lambda.length;
    expect(events.slice(0, lambdas)).toEqual(Array.from({ length: lambdas }, (_, l) => `lambda ${l}`));
    expect(events.slice(lambdas)).toEqual([
      "fold 1/5",
      "fold 2/5",
      "fold 3/5",
      "fold 4/5",
      "fold 5/5",
      "fold 5/5",
    ]);
  });

  it("with helper threads: the same numbers, the design shared rather than copied", async () => {
    const lent = { items: 0, shared: [] as boolean[] };
    const ctx = { ...createContext(), fanOut: inProcessFanOut(2, lent) };
    const cv = await crossValidateInParts(ctx, design, Float64Array.from(y), {
      ...options,
      onLambda: () => {},
      onFold: () => {},
    });
    expect(cv.cvm).toEqual(expected.cvm);
    expect(cv.cvsd).toEqual(expected.cvsd);
    expect(cv.fit.beta).toEqual(expected.fit.beta);
    expect(lent.items).toBeGreaterThan(0); // the helpers did some of the fits
    expect(lent.shared.length).toBeGreaterThan(0);
    expect(lent.shared.every(Boolean)).toBe(true);
  });
});
