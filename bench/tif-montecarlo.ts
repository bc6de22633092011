/**
 * tif-montecarlo timing (issue 4): 10,000 iterations of the model's example (every input varied)
 * in this thread, in a 1-thread engine pool and in a 2-thread pool (the run's thread plus one
 * helper working its chunks). Each mode: one warm-up run, then the median of BENCH_REPEATS runs.
 * Baseline in the same process: one tif@2 run on the example's deal. Also checks that the three
 * modes give the same output.
 *
 *   npm run bench:tif-montecarlo
 */

import { isDeepStrictEqual } from "node:util";
import { calculateDealV2, TifV2Input, tifMonteCarlo } from "@modelworks/engine-tif";
import { createContext, executeModel } from "@modelworks/model-kit";
import { createEnginePool, type EnginePool } from "../packages/server/src/runs/pool.ts";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const example = tifMonteCarlo.examples.find((e) => e.name === "default-deal-all-inputs")!;
const input = example.input;
const iterations = input.iterations!;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time, and CPU time of this process (all its threads): on a shared, loaded VM the CPU time is the steadier measure. */
async function time(run: () => Promise<unknown>) {
  let output = await run(); // warm-up (JIT, threads' first use)
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    output = await run();
    const c = process.cpuUsage(c0);
    samples.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { median: median(samples), min: Math.min(...samples), cpu: median(cpu), output };
}

// Baseline: one deal run, the unit of work of one iteration.
const deal = TifV2Input.parse({});
for (let i = 0; i < 500; i++) calculateDealV2(deal);
const single: number[] = [];
for (let i = 0; i < 2_000; i++) {
  const t0 = performance.now();
  calculateDealV2(deal);
  single.push(performance.now() - t0);
}
const oneRun = median(single);

const inThread = await time(() => executeModel(tifMonteCarlo, input, createContext()));

async function inPool(pool: EnginePool) {
  await pool.ready();
  const r = await time(async () => {
    const res = await pool.run(
      { modelId: tifMonteCarlo.id, modelVersion: tifMonteCarlo.version, input, data: {} },
      { abort: new AbortController().signal, onMessage: () => {} },
    );
    if (!res.ok) throw new Error(res.message);
    return res.output;
  });
  await pool.close();
  return r;
}
const pool1 = await inPool(createEnginePool(1));
const pool2Engine = createEnginePool(2);
const pool2 = await inPool(pool2Engine);

const same =
  isDeepStrictEqual(inThread.output, pool1.output) && isDeepStrictEqual(inThread.output, pool2.output);
const row = (name: string, r: { median: number; min: number; cpu: number }) =>
  `| ${name} | ${(r.median / 1000).toFixed(2)} s | ${(r.min / 1000).toFixed(2)} s | ${(r.cpu / 1000).toFixed(2)} s | ${((r.median * 1000) / iterations).toFixed(0)} µs | ${(r.median / (oneRun * iterations)).toFixed(2)} |`;

console.log(
  [
    `tif-montecarlo@${tifMonteCarlo.version}, example "${example.name}" (${iterations.toLocaleString("en-US")} iterations, 9 inputs varied), ` +
      `median of ${REPEATS} after a warm-up, node ${process.version}`,
    `baseline: one tif@2 run (calculateDealV2, defaults) median ${(oneRun * 1000).toFixed(0)} µs`,
    "",
    "| mode | wall, median | wall, best | CPU (all threads), median | wall per iteration | wall ratio to iterations × one run |",
    "|---|---|---|---|---|---|",
    row("this thread (CLI)", inThread),
    row("engine pool, 1 thread", pool1),
    row("engine pool, 2 threads (run + 1 helper)", pool2),
    "",
    `speed-up of the 2-thread pool over this thread: ${(inThread.median / pool2.median).toFixed(2)}× ` +
      `(helpers lent ${pool2Engine.lent.helpers}, chunks they did ${pool2Engine.lent.parts})`,
    `identical output in all three modes: ${same ? "yes" : "NO"}`,
  ].join("\n"),
);
if (!same) process.exitCode = 1;
