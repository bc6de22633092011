/**
 * tif analyses timing (issue 4 item 4): the full incentive matrix (3 tiers × 15 packages, each a
 * real tif@2 run, plus the market run and the lump-sum sizing runs), the comparison and the
 * bisection solve, in-process through executeModel (validation included), after warm-up.
 * Baseline in the same process: one tif@2 run of the default case, so the ratio reads as
 * "single-run equivalents". The minimum is reported beside the median because the shared
 * development machine's load moves the median a lot; the minimum is the cost without contention.
 *
 *   npm run bench:tif-analysis            # BENCH_REPEATS (default 30)
 */

import { tifComparisonModel, tifIncentiveMatrixModel, tifSolveModel, tifV2 } from "@modelworks/engine-tif";
import { createContext, executeModel } from "@modelworks/model-kit";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 30);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function time(fn: () => unknown, repeats: number, warmup: number) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0]!, median: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

const single = await time(() => executeModel(tifV2, {}, createContext()), 2000, 200);
const matrixOut = await executeModel(tifIncentiveMatrixModel, {}, createContext());
const solveOut = await executeModel(tifSolveModel, {}, createContext());
const tier2Out = await executeModel(tifIncentiveMatrixModel, { tiers: [2] }, createContext());
const cases: [string, string, () => unknown][] = [
  [
    "incentive matrix, 3 tiers × 15 packages",
    `${matrixOut.engineRuns} engine runs`,
    () => executeModel(tifIncentiveMatrixModel, {}, createContext()),
  ],
  [
    "incentive matrix, tier 2 only",
    `${tier2Out.engineRuns} engine runs`,
    () => executeModel(tifIncentiveMatrixModel, { tiers: [2] }, createContext()),
  ],
  [
    "comparison (tier 2, fee waiver, lump sum)",
    "3 engine runs",
    () => executeModel(tifComparisonModel, {}, createContext()),
  ],
  [
    "solve: lump sum for +150 bps (tolerance 0.1 bps)",
    `${solveOut.engineRuns} engine runs, ${solveOut.iterations} iterations`,
    () => executeModel(tifSolveModel, {}, createContext()),
  ],
];

const lines = [
  `tif analyses — ${REPEATS} repeats after 5 warm-up, node ${process.version}`,
  `baseline: one tif@2 run (defaults), min ${single.min.toFixed(3)} ms, median ${single.median.toFixed(3)} ms, p95 ${single.p95.toFixed(3)} ms`,
  "",
  "| analysis | work | min | median | p95 | ratio to one run (min / median) |",
  "|---|---|---|---|---|---|",
];
for (const [name, work, fn] of cases) {
  const t = await time(fn, REPEATS, 5);
  lines.push(
    `| ${name} | ${work} | ${t.min.toFixed(1)} ms | ${t.median.toFixed(1)} ms | ${t.p95.toFixed(1)} ms | ${(t.min / single.min).toFixed(0)} / ${(t.median / single.median).toFixed(0)} |`,
  );
}
console.log(lines.join("\n"));
