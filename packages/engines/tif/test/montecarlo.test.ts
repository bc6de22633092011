import {
  createContext,
  executeModel,
  type FanOut,
  ModelCanceledError,
  ModelInputError,
  parseInput,
  workParts,
} from "@modelworks/model-kit";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { describe, expect, it } from "vitest";
import { MonteCarloInput, type MonteCarloInputRaw, tifMonteCarlo } from "../src/index.ts";
import { type Distribution, lognormalParams, moments, quantile } from "../src/montecarlo/distributions.ts";
import { fmix32, iterationStream, iterationUniforms } from "../src/montecarlo/rng.ts";
import { chunksOf, sharedOf, simulateChunk } from "../src/montecarlo/simulate.ts";
import { histogram, percentileOfSorted, ranks, spearman } from "../src/montecarlo/stats.ts";

const run = (raw: MonteCarloInputRaw, ctx = createContext()) => executeModel(tifMonteCarlo, raw, ctx);

/** Mean and (n − 1) variance of quantile(u) over n iterations of one seed. */
function sampleMoments(d: Distribution, n: number, seed = 11) {
  let sum = 0;
  let sq = 0;
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = quantile(d, iterationUniforms(seed, i, 1)[0]!);
  for (const x of xs) sum += x;
  const mean = sum / n;
  for (const x of xs) sq += (x - mean) ** 2;
  return { mean, variance: sq / (n - 1), min: Math.min(...xs), max: Math.max(...xs) };
}

describe("random streams", () => {
  it("are pinned: the seeding and xoroshiro128+ give these numbers (a change would change every seeded result)", () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7 | 0);
    const r = iterationStream(1, 0);
    expect([r.next(), r.next(), r.next()]).toEqual([-541482498, 376960030, 77618820]);
    expect(iterationUniforms(1, 0, 3)).toEqual([0.9312820257033569, 0.1566105607163314, 0.3601141859217182]);
    expect(iterationUniforms(1, 1, 2)).toEqual([0.9598645252515563, 0.24048084900543665]);
    expect(iterationUniforms(2, 0, 2)).toEqual([0.14862042556468258, 0.6817262198199682]);
  });

  it("give uniforms in (0, 1) with the moments of U(0, 1), uncorrelated from one iteration to the next", () => {
    const n = 100_000;
    const u = Array.from({ length: n }, (_, i) => iterationUniforms(5, i, 1)[0]!);
    expect(Math.min(...u)).toBeGreaterThan(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = u.reduce((s, x) => s + x, 0) / n;
    const variance = u.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
    // sd of the mean: √(1/12/n) ≈ 0.0009; of the variance ≈ 0.00027.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.0012);
    let lag = 0;
    for (let i = 1; i < n; i++) lag += (u[i]! - 0.5) * (u[i - 1]! - 0.5);
    expect(Math.abs(lag / (n - 1) / (1 / 12))).toBeLessThan(0.02); // lag-1 correlation ≈ 0 (sd 0.003)
  });
});

describe("distributions", () => {
  const N = 100_000;
  it.each<[string, Distribution]>([
    ["uniform", { kind: "uniform", min: 0.04, max: 0.1 }],
    ["normal", { kind: "normal", mean: 0.02, sd: 0.01 }],
    ["triangular", { kind: "triangular", min: 0.05, mode: 0.06, max: 0.075 }],
    ["lognormal", { kind: "lognormal", mean: 175_000, sd: 17_500 }],
    ["pert", { kind: "pert", min: 20, mode: 24, max: 32, lambda: 4 }],
    ["pert, skewed, λ = 2", { kind: "pert", min: 0, mode: 1, max: 10, lambda: 2 }],
  ])("%s: sample mean and variance match the closed form (N = 100,000, seed 11)", (_, d) => {
    const want = moments(d);
    const got = sampleMoments(d, N);
    const sd = Math.sqrt(want.variance);
    // 5 standard errors of the mean; the variance within 3%.
    expect(Math.abs(got.mean - want.mean)).toBeLessThan((5 * sd) / Math.sqrt(N));
    expect(got.variance / want.variance).toBeGreaterThan(0.97);
    expect(got.variance / want.variance).toBeLessThan(1.03);
    if (d.kind !== "normal" && d.kind !== "lognormal") {
      expect(got.min).toBeGreaterThanOrEqual(d.min);
      expect(got.max).toBeLessThanOrEqual(d.max);
    }
  });

  it("truncated normal: stays within its bounds, with the truncated mean μ + σ(φ(α) − φ(β))/(Φ(β) − Φ(α))", () => {
    const d: Distribution = { kind: "normal", mean: 0.055, sd: 0.005, min: 0.05, max: 0.07 };
    const got = sampleMoments(d, N);
    const phi = (z: number) => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
    const a = (0.05 - 0.055) / 0.005;
    const b = (0.07 - 0.055) / 0.005;
    const want = 0.055 + (0.005 * (phi(a) - phi(b))) / (normalCdf(b, 0, 1) - normalCdf(a, 0, 1));
    expect(got.min).toBeGreaterThanOrEqual(0.05);
    expect(got.max).toBeLessThanOrEqual(0.07);
    expect(Math.abs(got.mean - want)).toBeLessThan((5 * 0.005) / Math.sqrt(N));
  });

  it("quantiles: known points", () => {
    expect(quantile({ kind: "uniform", min: 10, max: 20 }, 0.1)).toBeCloseTo(11, 12);
    expect(quantile({ kind: "normal", mean: 5, sd: 2 }, 0.975)).toBeCloseTo(5 + 2 * 1.959963984540054, 10);
    // Triangular(0, 0, 1): F(x) = 1 − (1 − x)², so Q(0.75) = 0.5.
    expect(quantile({ kind: "triangular", min: 0, mode: 0, max: 1 }, 0.75)).toBeCloseTo(0.5, 12);
    // Lognormal median = exp(μ) = mean / √(1 + cv²).
    expect(quantile({ kind: "lognormal", mean: 100, sd: 50 }, 0.5)).toBeCloseTo(100 / Math.sqrt(1.25), 9);
    // Symmetric PERT: the median is the mode.
    expect(quantile({ kind: "pert", min: 8, mode: 12, max: 16, lambda: 4 }, 0.5)).toBeCloseTo(12, 9);
  });
});

describe("statistics", () => {
  it("percentiles interpolate between order statistics (type 7), by hand on 1…10", () => {
    const xs = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    // h = 9p: P5 → h = 0.45 → 1 + 0.45; P50 → 5.5; P95 → h = 8.55 → 9.55; P25 → h = 2.25 → 3.25.
    expect(percentileOfSorted(xs, 0.05)).toBeCloseTo(1.45, 12);
    expect(percentileOfSorted(xs, 0.25)).toBeCloseTo(3.25, 12);
    expect(percentileOfSorted(xs, 0.5)).toBeCloseTo(5.5, 12);
    expect(percentileOfSorted(xs, 0.95)).toBeCloseTo(9.55, 12);
    expect(percentileOfSorted(Float64Array.of(7), 0.9)).toBe(7);
    expect(percentileOfSorted(new Float64Array(0), 0.5)).toBeNaN();
  });

  it("ranks share ties; Spearman is ±1 for monotone relations and 0.8 by hand on a small case", () => {
    expect([...ranks([10, 20, 20, 30])]).toEqual([1, 2.5, 2.5, 4]);
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks y = [2, 1, 3, 4, 5]: Σd² = 2, ρ = 1 − 6·2 / (5·24) = 0.9
    expect(spearman([1, 2, 3, 4, 5], [20, 10, 30, 40, 50])).toBeCloseTo(0.9, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it("histogram: equal bins from min to max, the max in the last bin", () => {
    const bins = histogram(Float64Array.of(0, 1, 2, 3, 4, 10), 5);
    // width 2: [0, 2) holds 0 and 1; [2, 4) 2 and 3; [4, 6) 4; [8, 10] 10.
    expect(bins.map((b) => b.count)).toEqual([2, 2, 1, 0, 1]);
    expect(bins[0]).toEqual({ from: 0, to: 2, count: 2 });
    expect(bins[4]!.to).toBe(10);
  });
});

describe("input validation", () => {
  const issues = (raw: unknown) => {
    try {
      parseInput(tifMonteCarlo, raw);
    } catch (err) {
      if (err instanceof ModelInputError) return err.issues;
      throw err;
    }
    return [];
  };

  it.each<[string, unknown, string, RegExp]>([
    [
      "min > max",
      { exitCapRate: { kind: "uniform", min: 0.06, max: 0.05 } },
      "variables.exitCapRate.max",
      /above min/,
    ],
    [
      "mode outside the range",
      { permRateAnnual: { kind: "triangular", min: 0.05, mode: 0.08, max: 0.07 } },
      "variables.permRateAnnual.mode",
      /between min and max/,
    ],
    [
      "sd ≤ 0",
      { marketRentGrowthAnnual: { kind: "normal", mean: 0.02, sd: 0 } },
      "variables.marketRentGrowthAnnual.sd",
      /more than 0/,
    ],
    [
      "lognormal mean ≤ 0",
      { hardCostPerUnitUsd: { kind: "lognormal", mean: -5, sd: 1 } },
      "variables.hardCostPerUnitUsd.mean",
      /more than 0/,
    ],
    [
      "PERT min = max",
      { leaseupMonths: { kind: "pert", min: 12, mode: 12, max: 12 } },
      "variables.leaseupMonths.max",
      /above min/,
    ],
    [
      "support outside what the input takes",
      { vacancyRate: { kind: "uniform", min: 0.05, max: 1.2 } },
      "variables.vacancyRate.max",
      /allowed range/,
    ],
    [
      "negative months",
      { constructionMonths: { kind: "uniform", min: -3, max: 20 } },
      "variables.constructionMonths.min",
      /allowed range/,
    ],
    [
      "truncation with no probability",
      { exitCapRate: { kind: "normal", mean: 0.05, sd: 0.001, min: 0.2, max: 0.3 } },
      "variables.exitCapRate.min",
      /no probability/,
    ],
    ["an unknown input", { landCostUsd: { kind: "uniform", min: 1, max: 2 } }, "variables", /nrecognized/],
    ["an unknown kind", { exitCapRate: { kind: "beta", min: 0, max: 1 } }, "variables.exitCapRate.kind", /./],
    ["no input at all", {}, "variables", /at least one input/],
  ])("%s is a field error", (_, variables, path, message) => {
    const found = issues({ variables });
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)!.message).toMatch(message);
  });

  it("accepts a lognormal on an input whose lower limit is above 0 (its tails are clamped)", () => {
    expect(issues({ variables: { exitCapRate: { kind: "lognormal", mean: 0.055, sd: 0.005 } } })).toEqual([]);
    expect(issues({ variables: { exitCapRate: { kind: "lognormal", mean: 1.5, sd: 0.1 } } })).toEqual([
      {
        path: "variables.exitCapRate.mean",
        message: "outside the allowed range: Exit cap rate takes values from 0.001 to 0.99",
      },
    ]);
  });

  it("refuses a permanent-rate range that the deal's interest buydown would take to 0 or below", () => {
    const found = issues({
      deal: {
        scenario: "mixed_income",
        permRateAnnual: 0.06,
        incentives: { tier: 1, interestBuydown: true },
      },
      variables: { permRateAnnual: { kind: "uniform", min: 0.02, max: 0.07 } },
    });
    expect(found.map((i) => i.path)).toEqual(["variables.permRateAnnual.min"]);
  });

  it("checks settings and the deal itself", () => {
    const found = issues({
      deal: { targetUnits: 0 },
      variables: { exitCapRate: { kind: "uniform", min: 0.05, max: 0.06 } },
      iterations: 50,
      seed: -1,
    });
    expect(found.map((i) => i.path).sort()).toEqual(["deal.targetUnits", "iterations", "seed"]);
  });
});

/** A small case: hard cost matters far more than lease-up within a month of its base. */
const SMALL: MonteCarloInputRaw = {
  variables: {
    hardCostPerUnitUsd: { kind: "uniform", min: 140_000, max: 210_000 },
    exitCapRate: { kind: "triangular", min: 0.05, mode: 0.055, max: 0.065 },
    leaseupMonths: { kind: "pert", min: 11, mode: 12, max: 13 },
  },
  iterations: 400,
  seed: 42,
  targetLeveredIrrAnnual: 0.05,
};

describe("the simulation", () => {
  it("is reproducible: same seed, same output; another seed, another output", async () => {
    const a = await run(SMALL);
    const b = await run(SMALL);
    expect(b).toEqual(a);
    const c = await run({ ...SMALL, seed: 43 });
    expect(c.summary.leveredIrr.p50).not.toBe(a.summary.leveredIrr.p50);
  });

  it("gives every iteration the same draws whatever the chunking", () => {
    const shared = sharedOf(parseInput(tifMonteCarlo, { ...SMALL, iterations: 250 }));
    const byHundreds = chunksOf(250).map((c) => simulateChunk(shared, c));
    const oddChunks = [
      { start: 0, count: 37 },
      { start: 37, count: 1 },
      { start: 38, count: 200 },
      { start: 238, count: 12 },
    ].map((c) => simulateChunk(shared, c));
    const flat = (rs: typeof byHundreds, pick: (r: (typeof byHundreds)[0]) => number[]) => rs.flatMap(pick);
    expect(flat(oddChunks, (r) => r.leveredIrr)).toEqual(flat(byHundreds, (r) => r.leveredIrr));
    expect(flat(oddChunks, (r) => r.draws[0]!)).toEqual(flat(byHundreds, (r) => r.draws[0]!));
    expect(flat(oddChunks, (r) => r.draws[2]!)).toEqual(flat(byHundreds, (r) => r.draws[2]!));
  });

  it("gives the same output with helpers working the chunks as in one thread", async () => {
    // Helpers that work the shared board in turn with this thread (the pool does the same across threads).
    const fanOut: FanOut = {
      helpers: 2,
      startHelpers: ({ part, shared, items, board, count }) =>
        Array.from({ length: count }, (_, k) =>
          new Promise((resolve) => setTimeout(resolve, k)).then(() =>
            workParts(tifMonteCarlo.parts![part]!, shared, items, board),
          ),
        ),
    };
    const alone = await run(SMALL);
    const helped = await run(SMALL, createContext({ fanOut }));
    expect(helped).toEqual(alone);
  });

  it("varies a whole-month input in whole months, within its P10–P90 for the tornado", async () => {
    const out = await run(SMALL);
    const leaseup = out.tornado.find((t) => t.input === "leaseupMonths")!;
    expect([leaseup.lowValue, leaseup.highValue]).toEqual([11, 13]);
    const row = out.inputs.find((i) => i.input === "leaseupMonths")!;
    expect(Number.isInteger(row.sampledP10) && Number.isInteger(row.sampledP90)).toBe(true);
  });

  it("reports percentiles that are ordered and consistent with the target probability", async () => {
    const out = await run(SMALL);
    const s = out.summary.leveredIrr;
    expect(s.count + s.missing).toBe(400);
    const ps = [s.p5, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95] as number[];
    expect([...ps].sort((a, b) => a - b)).toEqual(ps);
    expect(out.percentiles.map((p) => p.leveredIrr)).toEqual(ps);
    // Target at the median: about half of the iterations meet it.
    const atMedian = await run({ ...SMALL, targetLeveredIrrAnnual: s.p50! });
    expect(atMedian.target.probability).toBeGreaterThanOrEqual(0.5);
    expect(atMedian.target.probability).toBeLessThanOrEqual(0.5 + 1 / 400);
    expect(out.histogram.reduce((n, b) => n + b.count, 0)).toBe(s.count);
  });

  it("orders the tornado by swing: hard cost (±35,000 $/unit) before lease-up (±1 month)", async () => {
    const out = await run(SMALL);
    expect(out.tornado.map((t) => t.input)).toEqual(["hardCostPerUnitUsd", "exitCapRate", "leaseupMonths"]);
    const hard = out.tornado[0]!;
    expect(hard.lowValue).toBeCloseTo(147_000, 6); // P10 of U(140k, 210k)
    expect(hard.highValue).toBeCloseTo(203_000, 6);
    // Cheaper to build → higher IRR; the deltas are against the deal as given (hard cost 175,000).
    expect(hard.lowDeltaBps!).toBeGreaterThan(0);
    expect(hard.highDeltaBps!).toBeLessThan(0);
    expect(hard.swingBps).toBeCloseTo(Math.abs(hard.highDeltaBps! - hard.lowDeltaBps!), 9);
    expect(out.base.leveredIrr).toBeCloseTo(0.058471259424595745, 12); // tif@2 2.2.0 on the defaults
    // Rank correlation agrees: strongly negative for hard cost, negative for the exit cap.
    const rho = Object.fromEntries(out.inputs.map((i) => [i.input, i.spearmanLeveredIrr]));
    expect(rho.hardCostPerUnitUsd).toBeLessThan(-0.7);
    expect(rho.exitCapRate).toBeLessThan(-0.2);
    expect(Math.abs(rho.leaseupMonths!)).toBeLessThan(Math.abs(rho.hardCostPerUnitUsd!));
  });

  it("counts iterations without an IRR apart, never as 0, and never as meeting the target", async () => {
    const input: MonteCarloInputRaw = {
      variables: { vacancyRate: { kind: "uniform", min: 0, max: 0.9 } },
      iterations: 300,
      seed: 3,
    };
    const s = (await run(input)).summary.leveredIrr;
    expect(s.missing).toBeGreaterThan(0);
    expect(s.count + s.missing).toBe(300);
    // With the lowest IRR as the target, every iteration with an IRR meets it; those without do not.
    const out = await run({ ...input, targetLeveredIrrAnnual: s.min! });
    expect(out.target.iterationsWithoutIrr).toBe(s.missing);
    expect(out.target.iterationsMeeting).toBe(s.count);
    expect(out.target.probability).toBeCloseTo(s.count / 300, 12);
    expect(out.histogram.reduce((n, b) => n + b.count, 0)).toBe(s.count);
    // At P90 (81% vacancy) there is no IRR: the tornado says so instead of inventing a swing.
    const t = out.tornado[0]!;
    expect(t.leveredIrrAtHigh).toBeNull();
    expect(t.swingBps).toBeNull();
  });

  it("clamps unbounded draws to what the input can take, and counts them", async () => {
    const out = await run({
      variables: { vacancyRate: { kind: "normal", mean: 0.02, sd: 0.03 } },
      iterations: 200,
      seed: 9,
    });
    const row = out.inputs[0]!;
    // P(X < 0) = Φ(−2/3) ≈ 25%.
    expect(row.clampedDraws).toBeGreaterThan(30);
    expect(row.clampedDraws).toBeLessThan(75);
    expect(row.sampledP10).toBe(0);
  });

  it("reports progress that rises to 1", async () => {
    const seen: number[] = [];
    await run({ ...SMALL, iterations: 1_000 }, createContext({ onProgress: (f) => seen.push(f) }));
    expect(seen.length).toBeGreaterThan(10);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)).toBe(1);
  });

  it("stops the loop when canceled", async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const ctx = createContext({
      signal: controller.signal,
      onProgress: (f) => {
        seen.push(f);
        if (f > 0.1) controller.abort();
      },
    });
    await expect(run({ ...SMALL, iterations: 20_000 }, ctx)).rejects.toBeInstanceOf(ModelCanceledError);
    // Stopped at the first chunk boundary after the abort: 100 iterations past 10%.
    expect(Math.max(...seen)).toBeLessThan(0.12);
  });

  it("runs its examples' schema (the 10,000-iteration example is the bench's)", async () => {
    for (const ex of tifMonteCarlo.examples) expect(MonteCarloInput.safeParse(ex.input).success).toBe(true);
    const ex = tifMonteCarlo.examples.find((e) => e.name === "mixed-income-lump-sum-costs-and-exit")!;
    const out = await run(ex.input);
    expect(out.iterations).toBe(2_000);
    expect(out.failedIterations).toBe(0);
    expect(out.tornado.map((t) => t.input).sort()).toEqual(["exitCapRate", "hardCostPerUnitUsd"]);
  });
});

describe("extreme but accepted parameters (issue 19, found by the fuzz suite)", () => {
  it("a lognormal with a mean of 1e-308 samples finite values, or is refused by its sd", () => {
    expect(lognormalParams(1e-308, 1e-308).sigma).toBeCloseTo(Math.sqrt(Math.log(2)), 12);
    const refused = MonteCarloInput.safeParse({
      variables: { hardCostPerUnitUsd: { kind: "lognormal", mean: 1e-308, sd: 20_000 } },
    });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues.map((i) => [i.path.join("."), i.message])).toContainEqual([
      "variables.hardCostPerUnitUsd.sd",
      "must be at most 100 × the mean",
    ]);
  });
});
