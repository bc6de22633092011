/**
 * CLI batch benchmark (issue 20, "each CLI process adds 0.2–2.4 s before the first solve"):
 * the same N small deal-picker instances run as N separate `modelworks run` processes, then as
 * one `modelworks run --batch` process, in the same run, so the ratio is measured under the same
 * load.
 *
 *   npm run bench:cli-batch            # BENCH_N=50 for more instances, BENCH_DEALS=12 for their size
 *
 * The processes are started as `node packages/cli/bin/modelworks.js …` (what the `modelworks`
 * bin runs; `npx` would add its own start-up to every separate process, so this is the smaller
 * saving). Reported: wall time, and the CPU time of the child processes (user + system, from
 * /proc/self/stat's cutime/cstime: what a shared machine cannot stretch). The answers of the two
 * ways are compared (the `solveMs` wall time aside), so both did the same work.
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { generateDeals } from "../packages/engines/optimizers/src/deal-picker/generate.ts";

const N = Number(process.env.BENCH_N ?? 20);
const DEALS = Number(process.env.BENCH_DEALS ?? 12);
const BIN = path.resolve(import.meta.dirname, "../packages/cli/bin/modelworks.js");
const run = promisify(execFile);

/** CPU seconds of this process's waited-for children (Linux: fields 16–17 of /proc/self/stat). */
function childrenCpuS(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[13]) + Number(fields[14]); // cutime + cstime (fields 16, 17)
  return ticks / 100; // USER_HZ is 100 on Linux
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
const withoutTiming = ({ solveMs: _, ...rest }: Record<string, unknown>) => JSON.stringify(rest);

const dir = await mkdtemp(path.join(tmpdir(), "mw-bench-cli-"));
const inputs = Array.from({ length: N }, (_, i) => generateDeals(DEALS, i + 1));
console.log(
  `${N} deal-picker instances of ${DEALS} deals; node ${process.version}; load average ${load()} at start`,
);

/**
 * N separate processes, one after another (as a shell loop would run them), each way alternating
 * instance by instance so both see the same load: from the CLI's bundle with its WebAssembly
 * tiering budget (the default), and as before decision 0058 — the sources through tsx, V8's
 * default tiering.
 */
const SOURCES_ENV = { ...process.env, MODELWORKS_CLI_BUNDLE: "0", MODELWORKS_WASM_TIERING_BUDGET: "0" };
// Builds the bundle if the sources changed, so no timed process pays for that.
await run(process.execPath, [BIN, "models"]);
const ways = {
  bundle: { env: process.env, outputs: [] as Record<string, unknown>[], ms: [] as number[], cpuS: 0 },
  sources: { env: SOURCES_ENV, outputs: [] as Record<string, unknown>[], ms: [] as number[], cpuS: 0 },
};
for (const [i, input] of inputs.entries()) {
  const inFile = path.join(dir, `in-${i}.json`);
  await writeFile(inFile, JSON.stringify(input));
  for (const [name, way] of Object.entries(ways)) {
    const outFile = path.join(dir, `out-${name}-${i}.json`);
    const cpu = childrenCpuS();
    const t = performance.now();
    await run(process.execPath, [BIN, "run", "deal-picker", "--in", inFile, "--out", outFile, "--quiet"], {
      env: way.env,
    });
    way.ms.push(performance.now() - t);
    way.cpuS += childrenCpuS() - cpu;
    way.outputs.push(JSON.parse(await readFile(outFile, "utf8")));
  }
}
const separateOutputs = ways.bundle.outputs;
const perProcessMs = ways.bundle.ms;
const separateWallS = ways.bundle.ms.reduce((a, b) => a + b, 0) / 1000;
const separateCpuS = ways.bundle.cpuS;
const sourcesWallS = ways.sources.ms.reduce((a, b) => a + b, 0) / 1000;
const sourcesDiffer = ways.sources.outputs.filter(
  (o, i) => withoutTiming(o) !== withoutTiming(separateOutputs[i]!),
);
if (sourcesDiffer.length)
  throw new Error(`${sourcesDiffer.length} answers differ between bundle and sources`);

// One batch process over the same inputs.
const cpu0 = childrenCpuS();
const t0 = performance.now();
let firstAnswerMs = 0;
const batchStdout = await new Promise<string>((resolve, reject) => {
  const p = spawn(process.execPath, [BIN, "run", "deal-picker", "--batch", "--quiet"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  p.stdout.setEncoding("utf8").on("data", (s: string) => {
    if (!out) firstAnswerMs = performance.now() - t0;
    out += s;
  });
  p.on("error", reject);
  p.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`batch exited ${code}`))));
  p.stdin.end(inputs.map((input, i) => `${JSON.stringify({ id: i, input })}\n`).join(""));
});
const batchWallS = (performance.now() - t0) / 1000;
const batchCpuS = childrenCpuS() - cpu0;

const answers = batchStdout
  .trimEnd()
  .split("\n")
  .map((l) => JSON.parse(l) as { id: number; ok: boolean; output: Record<string, unknown> });
if (answers.length !== N || answers.some((a, i) => !a.ok || a.id !== i)) {
  throw new Error("the batch did not answer every instance, in order");
}
const differ = answers.filter((a, i) => withoutTiming(a.output) !== withoutTiming(separateOutputs[i]!));
if (differ.length) throw new Error(`${differ.length} batch answers differ from the separate runs`);
await rm(dir, { recursive: true, force: true });

const solveMs = answers.map((a) => a.output.solveMs as number);
console.log(`answers identical (solveMs aside): ${N} of ${N}, in all three ways`);
console.log("| way | wall | per instance (wall) | CPU (children) |");
console.log("|---|---|---|---|");
console.log(
  `| ${N} separate \`run\` processes, sources through tsx, V8's default tiering (before 0058) | ${sourcesWallS.toFixed(2)} s | median ${(median(ways.sources.ms) / 1000).toFixed(2)} s per process | ${ways.sources.cpuS.toFixed(2)} s |`,
);
console.log(
  `| ${N} separate \`run\` processes (bundle, tiering budget) | ${separateWallS.toFixed(2)} s | median ${(median(perProcessMs) / 1000).toFixed(2)} s per process | ${separateCpuS.toFixed(2)} s |`,
);
console.log(
  `| one \`run --batch\` process | ${batchWallS.toFixed(2)} s | ${((batchWallS * 1000) / N).toFixed(0)} ms mean; first answer after ${(firstAnswerMs / 1000).toFixed(2)} s | ${batchCpuS.toFixed(2)} s |`,
);
console.log(
  `| ratio sources / bundle, separate processes | **${(sourcesWallS / separateWallS).toFixed(1)}×** | | **${(ways.sources.cpuS / separateCpuS).toFixed(1)}×** |`,
);
console.log(
  `| ratio separate (bundle) / batch | **${(separateWallS / batchWallS).toFixed(1)}×** | | **${(separateCpuS / batchCpuS).toFixed(1)}×** |`,
);
console.log(
  `engine solve time inside the batch (solveMs): median ${median(solveMs).toFixed(1)} ms; load average ${load()} at end`,
);
