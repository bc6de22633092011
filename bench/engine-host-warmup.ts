/**
 * The engine host's warm-up cost per optimizer run (issue 20, goal 3): the host's CPU per run over
 * its first runs after start, against the engine's own time in its thread.
 *
 *   npm run bench:engine-host-warmup
 *   BENCH_BASELINE_ROOT=/tmp/base npm run bench:engine-host-warmup   # before/after, alternated
 *
 * Starts the server's engine pool (`createEnginePool(BENCH_THREADS)`, default 2: the server's
 * thread count on a 2-core machine) and sends it `BENCH_RUNS` (300) runs of one small instance
 * (`BENCH_CASES`, default the 20-deal Deal Picker) the way the server's fast path sends them
 * (serialized output, no progress), `BENCH_CONCURRENCY` (default: one per thread) at a time, so
 * every thread works as under several clients. Per run it reads the host process's CPU (the sum of its
 * threads' on-CPU time from /proc/<pid>/task/<tid>/schedstat, nanoseconds) and the thread's
 * `engineMs`; it prints them per block of `BENCH_BLOCK` (25) runs.
 *
 * With `BENCH_BASELINE_ROOT=<checkout>` (another checkout of this repository whose node_modules
 * resolve its own packages) it also starts that checkout's engine pool and alternates the two run
 * by run, so both see the same machine load. CPU is counted per host process, so a loaded machine
 * lengthens wall times but not these figures.
 */
import { loadavg } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { EnginePool } from "../packages/server/src/runs/pool.ts";
import { childPids, processCpuMsPrecise } from "./lib/proc.ts";
import { SMALL_CASES, selectCases } from "./lib/small-optimization-cases.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const BLOCK = Number(process.env.BENCH_BLOCK ?? 25);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
// Runs in flight at once per host: with one, the pool may hand every run to the same thread and
// the other threads never warm up; a server with several clients keeps them all busy.
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? THREADS);
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT;
const ROOT = path.resolve(import.meta.dirname, "..");

const theCase = selectCases(SMALL_CASES, process.env.BENCH_CASES ?? "deal picker")[0]!;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");

/** Child process ids of this process (the engine hosts). */
const children = () => childPids(process.pid);

interface Side {
  label: string;
  pool: EnginePool;
  pid: number;
  startCpuMs: number;
  hostMs: number[];
  engineMs: number[];
  output: string | null;
  same: boolean;
}

async function startSide(label: string, root: string): Promise<Side> {
  const mod = (await import(pathToFileURL(path.join(root, "packages/server/src/runs/pool.ts")).href)) as {
    createEnginePool: (threads: number) => EnginePool;
  };
  const before = new Set(children());
  const pool = mod.createEnginePool(THREADS);
  await pool.ready();
  const pid = children().find((p) => !before.has(p));
  if (!pid) throw new Error(`${label}: no engine host process found`);
  // Start-up (TypeScript, engines, HiGHS in each thread) counted apart from the runs.
  return {
    label,
    pool,
    pid,
    startCpuMs: processCpuMsPrecise(pid),
    hostMs: [],
    engineMs: [],
    output: null,
    same: true,
  };
}

const sides = [await startSide("this tree", ROOT)];
if (BASELINE_ROOT) sides.push(await startSide("baseline", path.resolve(BASELINE_ROOT)));

console.log(
  `engine host warm-up: ${theCase.name}, ${THREADS} threads, ${RUNS} runs ${CONCURRENCY} at a time, Node ${process.version}` +
    (BASELINE_ROOT ? `; baseline ${BASELINE_ROOT}, alternated run by run` : ""),
);
console.log(`load average at start (1/5/15 min): ${load()}`);
for (const s of sides) console.log(`${s.label}: host start-up CPU ${s.startCpuMs.toFixed(0)} ms`);

const task = {
  modelId: theCase.model.id,
  modelVersion: theCase.model.version,
  input: theCase.raw,
  data: {},
  serialize: true,
  progress: false,
};
const opts = { abort: new AbortController().signal, onMessage: () => {} };
for (let r = 0; r < RUNS; r += CONCURRENCY) {
  for (const s of r % 2 ? [...sides].reverse() : sides) {
    const c0 = processCpuMsPrecise(s.pid);
    const batch = await Promise.all(Array.from({ length: CONCURRENCY }, () => s.pool.run(task, opts)));
    const perRun = (processCpuMsPrecise(s.pid) - c0) / CONCURRENCY;
    for (const res of batch) {
      s.hostMs.push(perRun);
      if (!res.ok) throw new Error(`${s.label}: ${res.message}`);
      s.engineMs.push(res.engineMs ?? Number.NaN);
      // Outputs carry timings (solve ms); compare without them.
      const out = JSON.stringify(untimed(JSON.parse(res.json!.output)));
      s.output ??= out;
      s.same &&= s.output === out;
    }
  }
}
console.log(`load average at end: ${load()}`);

function untimed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untimed);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !/ms$|Ms$|time|elapsed/i.test(k))
        .map(([k, x]) => [k, untimed(x)]),
    );
  return v;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const header = ["runs", ...sides.flatMap((s) => [`${s.label}: host CPU/run`, "engine ms/run"])];
console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (let b = 0; b < RUNS; b += BLOCK) {
  const cells = sides.flatMap((s) => [
    mean(s.hostMs.slice(b, b + BLOCK)).toFixed(1),
    mean(s.engineMs.slice(b, b + BLOCK)).toFixed(1),
  ]);
  console.log(`| ${b + 1}–${Math.min(RUNS, b + BLOCK)} | ${cells.join(" | ")} |`);
}
for (const s of sides)
  console.log(
    `${s.label}: host CPU over all ${RUNS} runs ${mean(s.hostMs).toFixed(1)} ms/run, ` +
      `engine ${mean(s.engineMs).toFixed(1)} ms/run; outputs identical run to run: ${s.same}`,
  );
if (sides.length === 2) {
  console.log(
    `outputs identical between the two trees: ${isDeepStrictEqual(sides[0]!.output, sides[1]!.output)}`,
  );
  console.log(
    `host CPU, this tree ÷ baseline: ${(mean(sides[0]!.hostMs) / mean(sides[1]!.hostMs)).toFixed(2)}`,
  );
}
await Promise.all(sides.map((s) => s.pool.close()));
