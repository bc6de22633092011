import { createContext, executeModel, ModelCanceledError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { monteCarloSum } from "../src/index.ts";

describe("test-montecarlo-sum", () => {
  it("converges to the closed form: mean Σμ, sd √Σσ², normal quantiles", async () => {
    const out = await executeModel(
      monteCarloSum,
      {
        terms: [
          { mean: 10, sd: 3 },
          { mean: -4, sd: 4 },
        ],
        samples: 200_000,
        seed: 42,
      },
      createContext(),
    );
    expect(out.analyticMean).toBe(6);
    expect(out.analyticSd).toBe(5);
    // Standard error of the mean is 5/√200000 ≈ 0.011; allow 5 standard errors.
    expect(Math.abs(out.mean - 6)).toBeLessThan(0.056);
    expect(Math.abs(out.sd - 5)).toBeLessThan(0.05);
    // Normal quantiles: μ ± 1.6449σ.
    expect(out.p05).toBeCloseTo(6 - 1.6449 * 5, 1);
    expect(out.p95).toBeCloseTo(6 + 1.6449 * 5, 1);
    expect(out.histogram.reduce((s, b) => s + b.count, 0)).toBe(200_000);
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const input = { terms: [{ mean: 1, sd: 1 }], samples: 5_000, seed: 9 };
    const a = await executeModel(monteCarloSum, input, createContext());
    const b = await executeModel(monteCarloSum, input, createContext());
    const c = await executeModel(monteCarloSum, { ...input, seed: 10 }, createContext());
    expect(a).toEqual(b);
    expect(c.mean).not.toBe(a.mean);
  });

  it("reports rising progress ending at 1", async () => {
    const seen: number[] = [];
    await executeModel(
      monteCarloSum,
      { terms: [{ mean: 0, sd: 1 }], samples: 35_000 },
      createContext({ onProgress: (f) => seen.push(f) }),
    );
    expect(seen).toEqual([10_000 / 35_000, 20_000 / 35_000, 30_000 / 35_000, 1]);
  });

  it("stops when canceled mid-run", async () => {
    const ac = new AbortController();
    const run = executeModel(
      monteCarloSum,
      { terms: [{ mean: 0, sd: 1 }], samples: 1_000_000, pauseMsPerChunk: 20 },
      createContext({ signal: ac.signal, onProgress: (f) => f > 0.02 && ac.abort() }),
    );
    await expect(run).rejects.toBeInstanceOf(ModelCanceledError);
  });
});
