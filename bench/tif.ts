/**
 * tif single-run timing (issue 4): median and p99 of one run of each golden case (67 periods) on
 * tif@1 and on tif@2,
 * in-process through executeModel (validation included), after warm-up. Baseline in the same
 * process: validating the same input alone, so the ratio shows the engine's own cost.
 *
 *   npm run bench:tif
 */

import { tifV1, tifV2 } from "@modelworks/engine-tif";
import { createContext, executeModel, parseInput } from "@modelworks/model-kit";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function time(fn: () => unknown | Promise<unknown>) {
  for (let i = 0; i < 200; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

const lines = [
  `tif single run — ${ITERATIONS} iterations per case after 200 warm-up, node ${process.version}`,
  "",
  "| model | case | median | p99 | baseline (input validation) median | ratio |",
  "|---|---|---|---|---|---|",
];
for (const model of [tifV1, tifV2] as const) {
  for (const example of model.examples ?? []) {
    // biome-ignore lint/suspicious/noExplicitAny: the two versions' input types differ
    const m = model as any;
    const run = await time(() => executeModel(m, example.input, createContext()));
    const base = await time(() => parseInput(m, example.input));
    lines.push(
      `| tif@${model.version} | ${example.name} | ${run.median.toFixed(3)} ms | ${run.p99.toFixed(3)} ms | ${base.median.toFixed(3)} ms | ${(run.median / base.median).toFixed(1)} |`,
    );
  }
}
console.log(lines.join("\n"));
