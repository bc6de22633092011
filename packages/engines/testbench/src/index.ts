import { defineModel, finiteField } from "@modelworks/model-kit";
import { z } from "zod";

export { keywordRelevance, LlmBriefInput, LlmBriefOutput, llmBrief } from "./llm-brief.ts";

/**
 * A Monte Carlo estimate of the distribution of a sum of independent normal terms. It exists to
 * exercise the run machinery (progress, cancellation, timeouts, caching, sweeps) with a result
 * that has a closed form: the sum is normal with mean Σμ and standard deviation √Σσ².
 */
const Term = z
  .object({
    mean: finiteField(),
    sd: finiteField().min(0, "must be 0 or more"),
  })
  .strict();

export const MonteCarloSumInput = z
  .object({
    terms: z.array(Term).min(1, "give at least one term").max(50, "at most 50 terms"),
    samples: z.number().int().min(1).max(2_000_000).default(10_000),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    /** Sleeps this long after each chunk of 10,000 samples: lets tests hold a run mid-flight. */
    pauseMsPerChunk: z.number().int().min(0).max(10_000).default(0),
    /**
     * Test hook for the platform: `throw` fails like a model bug (never retried); `exit-thread`
     * kills the worker thread like an infrastructure fault (retried with backoff);
     * `abort-process` sends the process SIGABRT, as a V8 fatal error does (`process.abort()` is
     * refused in worker threads), and `v8-fatal` is a real one: one allocation larger than the
     * thread's heap limit (ENGINE_MAX_HEAP_MB), which V8 does not hand to the thread's limit
     * handler but answers with a process-wide FATAL ERROR — the server must contain both in its
     * engine process and fail the run after one isolated retry; `exhaust-heap` fills the heap in
     * small steps until the thread's limit stops the thread (resource_limit). These happen after
     * the samples, so progress is reported first.
     */
    failure: z
      .enum(["none", "throw", "exit-thread", "abort-process", "v8-fatal", "exhaust-heap"])
      .default("none"),
  })
  .strict();

const Bin = z.object({ lower: z.number(), upper: z.number(), count: z.number().int(), share: z.number() });

export const MonteCarloSumOutput = z.object({
  samples: z.number().int(),
  mean: z.number(),
  sd: z.number(),
  p05: z.number(),
  p50: z.number(),
  p95: z.number(),
  analyticMean: z.number(),
  analyticSd: z.number(),
  histogram: z.array(Bin),
});

const CHUNK = 10_000;
const BINS = 20;

export const monteCarloSum = defineModel({
  id: "test-montecarlo-sum",
  version: "1.0.0",
  title: "Test: Monte Carlo sum",
  summary: "Seeded Monte Carlo of a sum of normal terms; the platform's test model.",
  internal: true,
  input: MonteCarloSumInput,
  output: MonteCarloSumOutput,
  examples: [
    {
      name: "two-terms",
      title: "Two terms",
      input: {
        terms: [
          { mean: 10, sd: 2 },
          { mean: 5, sd: 1 },
        ],
        samples: 20_000,
        seed: 7,
      },
    },
  ],
  tables: [
    {
      name: "histogram",
      title: "Distribution of the sum",
      rows: "histogram",
      columns: [
        { key: "lower", title: "From", format: "number", decimals: 2 },
        { key: "upper", title: "To", format: "number", decimals: 2 },
        { key: "count", title: "Samples", format: "integer" },
        { key: "share", title: "Share", unit: "fraction", format: "percent", decimals: 1 },
      ],
    },
  ],
  charts: [
    {
      name: "histogram",
      title: "Distribution of the sum",
      kind: "bar",
      table: "histogram",
      x: "lower",
      y: ["count"],
    },
  ],
  async run(input, ctx) {
    if (input.failure === "throw") throw new Error("The test model was asked to fail.");
    if (input.failure === "exit-thread") process.exit(1);
    const random = mulberry32(input.seed);
    const values = new Float64Array(input.samples);
    for (let start = 0; start < input.samples; start += CHUNK) {
      ctx.signal.throwIfAborted();
      const end = Math.min(input.samples, start + CHUNK);
      for (let i = start; i < end; i++) {
        let sum = 0;
        for (const t of input.terms) sum += t.mean + t.sd * standardNormal(random);
        values[i] = sum;
      }
      ctx.progress(
        end / input.samples,
        `${end.toLocaleString("en-US")} of ${input.samples.toLocaleString("en-US")} samples`,
      );
      if (input.pauseMsPerChunk > 0) await sleep(input.pauseMsPerChunk, ctx.signal);
    }
    if (input.failure === "abort-process") process.kill(process.pid, "SIGABRT");
    // 128 MB of doubles in one piece: fatal under an ENGINE_MAX_HEAP_MB below that (tests use 64).
    if (input.failure === "v8-fatal") new Array(2 ** 24).fill(0.5);
    if (input.failure === "exhaust-heap") exhaustHeap();
    values.sort();
    let total = 0;
    for (const v of values) total += v;
    const mean = total / values.length;
    let squares = 0;
    for (const v of values) squares += (v - mean) ** 2;
    const sd = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0;
    return {
      samples: values.length,
      mean,
      sd,
      p05: quantile(values, 0.05),
      p50: quantile(values, 0.5),
      p95: quantile(values, 0.95),
      analyticMean: input.terms.reduce((s, t) => s + t.mean, 0),
      analyticSd: Math.sqrt(input.terms.reduce((s, t) => s + t.sd ** 2, 0)),
      histogram: histogram(values),
    };
  },
});

/** mulberry32: a tiny, well-mixed 32-bit PRNG — deterministic for a given seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Box–Muller; 1 − u keeps the logarithm's argument in (0, 1]. */
function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Linear interpolation between order statistics (type 7, as numpy's default). */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function histogram(sorted: Float64Array) {
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const width = (max - min) / BINS || 1;
  const counts = new Array<number>(BINS).fill(0);
  for (const v of sorted) counts[Math.min(BINS - 1, Math.floor((v - min) / width))]!++;
  return counts.map((count, i) => ({
    lower: min + i * width,
    upper: min + (i + 1) * width,
    count,
    share: count / sorted.length,
  }));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Keeps small objects reachable until the heap limit ends the thread (never returns normally). */
function exhaustHeap(): never {
  const kept: { i: number; s: string }[][] = [];
  for (let i = 0; ; i++) kept.push(Array.from({ length: 1_000 }, (_, j) => ({ i, s: `${i}:${j}` })));
}

export { PresentationTestInput, PresentationTestOutput, presentationTest } from "./presentation.ts";
