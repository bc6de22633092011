/**
 * Small optimizations end to end (issue 20, goal 3: ≤ 50 decision variables in < 20 ms in a warm
 * server, explanations included; every size ≤ 2× native HiGHS).
 *
 *   npm run bench:small-optimizations        # BENCH_REPS (default 7) warm runs per mode
 *
 * One small instance per optimizer (20-deal Deal Picker, Leasing Mix with 40 vacant units, the
 * 3-tranche Debt Stack example, a 5-project × 12-month Capex programme), each timed as the median
 * of BENCH_REPS warm runs, what-ifs and explanations included:
 *   - in this thread through `executeModel` (input and output validation, as the engine thread does);
 *   - through the server's engine pool (`createEnginePool(1)`: host process, worker thread,
 *     messaging and structured clone), if it starts;
 *   - native HiGHS (scipy's bundled HiGHS, `python3-scipy`) on the problems the engine asked the
 *     solver for in that run (`observeSolves`: base plan, what-ifs, LP relaxations — however the
 *     solver then answered them), written by HiGHS as MPS files, with the options the solve would
 *     give HiGHS (presolve, MIP gap, feasibility jump, the start), ranging after each LP: "native,
 *     same problems"; the same with HiGHS's default options: "native, HiGHS defaults". "Native,
 *     one solve" is the first MIP (or LP) alone, the figure the issue quotes. "HiGHS runs" and
 *     "native, same HiGHS runs" are the models HiGHS itself ran in the engine (fewer, where the
 *     solver answers a problem without HiGHS's MIP: search.ts, proofs).
 * The machine is shared: every figure comes with its ratio to native measured in the same run, and
 * the CPU time of this process is given next to the wall time.
 *
 * `BENCH_BEFORE=dir` also runs the engines of an earlier commit, checked out in `dir` by
 * `bench/small-optimizations-before.sh <commit> <dir>`, in the same process, alternating run by
 * run with this tree's: CPU before and after from the same minutes of the same machine, and the
 * outputs compared field by field.
 *
 * Each instance is warmed up by `BENCH_WARMUP` (50) runs before timing: the JIT needs ~30–100 runs
 * of an engine before its CPU settles (Deal Picker: ~35 ms in runs 11–30, ~4 ms after 100), and a
 * warm server has run it many times.
 *
 * `BENCH_SAVE=file` writes the four outputs (without timings) to a file; `BENCH_COMPARE=file`
 * checks this run's outputs against it — e.g. before and after a change to the solver — and lists
 * every field that differs. `BENCH_CASES=deal,debt` runs only the instances whose name contains
 * one of the words (case-insensitive); `BENCH_POOL=0` skips the engine pool and `BENCH_NATIVE=0`
 * native HiGHS. The goal part alone (CPU in this thread): `BENCH_POOL=0 BENCH_NATIVE=0`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { createContext, executeModel, type Model, parseInput } from "@modelworks/model-kit";
import { createEnginePool } from "../packages/server/src/runs/pool.ts";
import type { ModelSpec, SolveOptions } from "../packages/solver/src/index.ts";
import * as solverRun from "../packages/solver/src/run.ts";
import { SMALL_CASES, selectCases } from "./lib/small-optimization-cases.ts";

const { getHighs } = solverRun;

const REPS = Number(process.env.BENCH_REPS ?? 7);
const WITH_POOL = process.env.BENCH_POOL !== "0";
const WITH_NATIVE = process.env.BENCH_NATIVE !== "0";
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const BEFORE = process.env.BENCH_BEFORE;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");

const CASES = selectCases(SMALL_CASES);

// Capture every model HiGHS runs (for the native comparison) by wrapping the model class's `run`.
interface Captured {
  mps: Uint8Array;
  mip: boolean;
  presolve: string;
  mipRelGap: number;
  feasibilityJump: boolean;
  cols: number;
}
let capture: Captured[] | null = null;
{
  const highs = await getHighs();
  const probe = highs.createModel();
  const proto = Object.getPrototypeOf(probe) as { run: (this: typeof probe) => unknown };
  probe.dispose();
  const run = proto.run;
  proto.run = function (this: typeof probe) {
    if (capture) {
      const lp = this.getLp();
      capture.push({
        mps: this.exportModel("mps"),
        mip: (lp.integrality ?? []).some((t: number) => t !== 0),
        presolve: String(this.options.get("presolve")),
        mipRelGap: Number(this.options.get("mip_rel_gap")),
        feasibilityJump: Boolean(this.options.get("mip_heuristic_run_feasibility_jump")),
        cols: lp.numCols,
      });
    }
    return run.call(this);
  };
}

// Capture every problem the engine asks the solver for (if this solver can say: older trees, as in
// a before/after comparison, cannot — their HiGHS runs stand in for the problems).
interface Request {
  mps: Uint8Array;
  mip: boolean;
  presolve: string;
  mipRelGap: number;
  feasibilityJump: boolean;
  ranging: boolean;
  start: { indices: number[]; values: number[] } | null;
  cols: number;
}
let requests: Request[] | null = null;
const observeSolves = (solverRun as { observeSolves?: (fn: unknown) => void }).observeSolves;
if (observeSolves) {
  const highs = await getHighs();
  observeSolves((spec: ModelSpec, opts: SolveOptions) => {
    if (!requests) return;
    const mip = spec.variables.some((v) => v.integer);
    const model = highs.createModel(solverRun.toModelData(highs, spec, true));
    const start: Request["start"] = mip && opts.start ? { indices: [], values: [] } : null;
    if (start)
      spec.variables.forEach((v, j) => {
        const x = opts.start?.[v.name];
        if (x !== undefined && Number.isFinite(x)) {
          start.indices.push(j);
          start.values.push(x);
        }
      });
    requests.push({
      mps: model.exportModel("mps"),
      mip,
      presolve: opts.presolve ?? "choose",
      mipRelGap: opts.mipRelGap ?? 1e-4,
      feasibilityJump: opts.feasibilityJump ?? spec.variables.length > solverRun.SMALL_MIP_COLUMNS,
      ranging: opts.ranging !== false,
      start: start && start.indices.length > 0 ? start : null,
      cols: spec.variables.length,
    });
    model.dispose();
  });
}

/** Strips the fields that measure time, so two runs' outputs can be compared. */
function untimed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untimed);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !/Ms$|^solveSeconds$|^elapsed/.test(k))
        .map(([k, x]) => [k, untimed(x)]),
    );
  return v;
}

const NATIVE = `
import json, sys, time
import numpy as np
from scipy.optimize._highspy import _core
spec = json.load(open(sys.argv[1]))
reps = int(sys.argv[2])
out = {}
def solve_all(models, defaults=False):
    wall = 0.0; cpu = 0.0
    for m in models:
        h = _core._Highs()
        h.setOptionValue("output_flag", False)
        if not defaults:
            h.setOptionValue("presolve", m["presolve"])
            h.setOptionValue("mip_heuristic_run_feasibility_jump", m["feasibilityJump"])
        h.setOptionValue("mip_rel_gap", m["mipRelGap"])
        h.readModel(m["path"])
        if m.get("start"):
            st = m["start"]
            h.setSolution(len(st["indices"]), np.array(st["indices"], dtype=np.int32), np.array(st["values"], dtype=np.float64))
        w = time.perf_counter(); c = time.process_time()
        h.run()
        if not m["mip"] and m.get("ranging", True) and h.getModelStatus() == _core.HighsModelStatus.kOptimal:
            h.getRanging()
        wall += time.perf_counter() - w; cpu += time.process_time() - c
    return wall * 1000, cpu * 1000
for case in spec:
    reqs = case["requests"]
    first = [m for m in reqs if m["mip"]][:1] or reqs[:1]
    res = {k: [] for k in ["runs", "runsCpu", "req", "reqCpu", "one", "oneCpu", "dflt", "dfltCpu"]}
    for r in range(reps + 1):
        a = solve_all(case["runs"]); q = solve_all(reqs); o = solve_all(first); d = solve_all(reqs, True)
        if r == 0: continue  # warm-up
        for k, v in (("runs", a), ("req", q), ("one", o), ("dflt", d)):
            res[k].append(v[0]); res[k + "Cpu"].append(v[1])
    out[case["name"]] = {k: sorted(v)[len(v) // 2] for k, v in res.items()}
print(json.dumps(out))
`;

/** The earlier commit's engines and model kit (BENCH_BEFORE), with its own solver. */
interface Before {
  models: Record<string, Model>;
  executeModel: typeof executeModel;
  parseInput: typeof parseInput;
  createContext: typeof createContext;
}
const before: Before | null = BEFORE
  ? {
      models: (await import(join(BEFORE, "packages/engines/optimizers/src/index.ts"))) as Record<
        string,
        Model
      >,
      ...((await import(join(BEFORE, "packages/model-kit/src/index.ts"))) as Omit<Before, "models">),
    }
  : null;

console.log(
  `small optimizations, ${WARMUP} warm-up and ${REPS} timed runs per mode, Node ${process.version}` +
    (before ? `; before: ${BEFORE}` : ""),
);
console.log(`load average at start (1/5/15 min): ${load()}`);

const dir = mkdtempSync(join(tmpdir(), "small-opt-"));
const pool = WITH_POOL ? createEnginePool(1) : null;
let poolOk = pool !== null;
try {
  await pool?.ready();
} catch (err) {
  poolOk = false;
  console.log(`engine pool did not start: ${err instanceof Error ? err.message : String(err)}`);
}

interface Row {
  name: string;
  vars: number;
  requests: number;
  requestMips: number;
  solves: number;
  mips: number;
  thread: number;
  threadCpu: number;
  beforeCpu: number | null;
  pool: number | null;
  same: boolean;
}
const rows: Row[] = [];
const beforeDiffs: { name: string; diff: string[] }[] = [];
const outputs: Record<string, unknown> = {};
const nativeSpec: {
  name: string;
  runs: (Omit<Captured, "mps"> & { path: string })[];
  requests: (Omit<Request, "mps"> & { path: string })[];
}[] = [];
for (const c of CASES) {
  const input = parseInput(c.model, c.raw);
  // A first run (wasm, zod) before the capture of the solved models; the JIT's warm-up follows.
  await executeModel(c.model, input, createContext());
  capture = [];
  if (observeSolves) requests = [];
  const reference = await executeModel(c.model, input, createContext());
  const captured = capture;
  const asked: Request[] = requests ?? captured.map((m) => ({ ...m, ranging: true, start: null }));
  capture = null;
  requests = null;
  outputs[c.name] = untimed(reference);
  const write = <T extends { mps: Uint8Array }>(list: T[], kind: string) =>
    list.map((m, k) => {
      const path = join(dir, `${c.model.id}-${kind}-${k}.mps`);
      writeFileSync(path, m.mps);
      const { mps: _mps, ...rest } = m;
      return { ...rest, path };
    });
  nativeSpec.push({ name: c.name, runs: write(captured, "run"), requests: write(asked, "request") });

  const beforeModel = before?.models[c.key];
  const beforeInput = before && beforeModel ? before.parseInput(beforeModel, c.raw) : null;
  const runBefore = async () => before!.executeModel(beforeModel!, beforeInput, before!.createContext());
  for (let i = 0; i < WARMUP; i++) {
    await executeModel(c.model, input, createContext());
    if (beforeInput) await runBefore();
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  const beforeCpu: number[] = [];
  let same = true;
  let beforeOut: unknown = null;
  for (let r = 0; r < REPS; r++) {
    if (beforeInput) {
      const b0 = cpuMs();
      beforeOut = await runBefore();
      beforeCpu.push(cpuMs() - b0);
    }
    const c0 = cpuMs();
    const t = performance.now();
    const out = await executeModel(c.model, input, createContext());
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c0);
    same &&= isDeepStrictEqual(untimed(out), untimed(reference));
  }
  if (beforeInput) {
    const diff = differences(
      JSON.parse(JSON.stringify(untimed(beforeOut))),
      JSON.parse(JSON.stringify(untimed(reference))),
      "",
    );
    beforeDiffs.push({ name: c.name, diff });
  }
  let poolMedian: number | null = null;
  if (pool && poolOk) {
    const times: number[] = [];
    const task = { modelId: c.model.id, modelVersion: c.model.version, input: c.raw, data: {} };
    const opts = { abort: new AbortController().signal, onMessage: () => {} };
    for (let r = 0; r < WARMUP; r++) await pool.run(task, opts);
    for (let r = 0; r < REPS; r++) {
      const t = performance.now();
      const res = await pool.run(task, opts);
      times.push(performance.now() - t);
      if (!res.ok) throw new Error(`${c.name}: ${res.message}`);
      same &&= isDeepStrictEqual(untimed(res.output), untimed(reference));
    }
    poolMedian = median(times);
  }
  const firstMip = asked.find((m) => m.mip) ?? asked[0];
  rows.push({
    name: c.name,
    vars: firstMip?.cols ?? 0,
    requests: asked.length,
    requestMips: asked.filter((m) => m.mip).length,
    solves: captured.length,
    mips: captured.filter((m) => m.mip).length,
    thread: median(wall),
    threadCpu: median(cpu),
    beforeCpu: beforeCpu.length > 0 ? median(beforeCpu) : null,
    pool: poolMedian,
    same,
  });
}
await pool?.close();

const py = WITH_NATIVE
  ? spawnSync("python3", ["-c", NATIVE, writeJson(nativeSpec), String(REPS)], { encoding: "utf8" })
  : null;
rmSync(dir, { recursive: true, force: true });
if (py && py.status !== 0) {
  console.log(`native HiGHS (scipy) failed: ${py.stderr.trim().split("\n").slice(-1)[0]}`);
  console.log("install it with: apt-get install -y python3-scipy");
}
const native: Record<
  string,
  {
    runs: number;
    runsCpu: number;
    req: number;
    reqCpu: number;
    one: number;
    oneCpu: number;
    dflt: number;
    dfltCpu: number;
  }
> = py?.status === 0 ? JSON.parse(py.stdout) : {};

function writeJson(v: unknown): string {
  const path = join(dir, "models.json");
  writeFileSync(path, JSON.stringify(v));
  return path;
}

const f = (ms: number | null | undefined) => (ms == null ? "–" : `${ms.toFixed(1)} ms`);
const x = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || b === 0 ? "–" : `${(a / b).toFixed(1)}×`;
console.log(
  "| instance | columns | problems (MIPs) | HiGHS runs (MIPs) | this thread, wall | CPU | engine pool, wall | native, same problems (wall / CPU) | native, HiGHS defaults (wall / CPU) | native, one solve | native, same HiGHS runs (wall / CPU) | CPU ÷ native CPU | CPU ÷ native default CPU | thread ÷ native wall | pool ÷ native wall | same output |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
for (const r of rows) {
  const n = native[r.name];
  console.log(
    `| ${r.name} | ${r.vars} | ${r.requests} (${r.requestMips}) | ${r.solves} (${r.mips}) | ${f(r.thread)} | ${f(r.threadCpu)} | ${f(r.pool)} | ${f(n?.req)} / ${f(n?.reqCpu)} | ${f(n?.dflt)} / ${f(n?.dfltCpu)} | ${f(n?.one)} | ${f(n?.runs)} / ${f(n?.runsCpu)} | ${x(r.threadCpu, n?.reqCpu)} | ${x(r.threadCpu, n?.dfltCpu)} | ${x(r.thread, n?.req)} | ${x(r.pool, n?.req)} | ${r.same ? "yes" : "NO"} |`,
  );
}
if (before) {
  console.log("");
  console.log(
    "| instance | before: CPU | after: CPU | before ÷ after | after ÷ native CPU (same problems) | outputs |",
  );
  console.log("|---|---:|---:|---:|---:|---|");
  for (const r of rows) {
    const d = beforeDiffs.find((b) => b.name === r.name)?.diff ?? [];
    console.log(
      `| ${r.name} | ${f(r.beforeCpu)} | ${f(r.threadCpu)} | ${x(r.beforeCpu, r.threadCpu)} | ${x(r.threadCpu, native[r.name]?.reqCpu)} | ${d.length === 0 ? "identical" : `${d.length} field(s) differ`} |`,
    );
  }
  for (const { name, diff } of beforeDiffs)
    for (const d of diff) console.log(`  ${name}: before → after ${d}`);
}
console.log(`load average at the end (1/5/15 min): ${load()}`);
if (rows.some((r) => !r.same)) process.exitCode = 1;
if (process.env.BENCH_SAVE) writeFileSync(process.env.BENCH_SAVE, JSON.stringify(outputs));
if (process.env.BENCH_COMPARE) {
  const saved = JSON.parse(readFileSync(process.env.BENCH_COMPARE, "utf8")) as Record<string, unknown>;
  // Through JSON on both sides, so -0 and undefined compare as they are stored.
  const now = JSON.parse(JSON.stringify(outputs)) as Record<string, unknown>;
  for (const name of Object.keys(now)) {
    const same = isDeepStrictEqual(saved[name], now[name]);
    console.log(`output identical to ${process.env.BENCH_COMPARE}: ${name}: ${same ? "yes" : "NO"}`);
    if (!same) {
      process.exitCode = 1;
      for (const d of differences(saved[name], now[name], "")) console.log(`  ${d}`);
    }
  }
}

/** Every leaf that differs between two outputs, as "path: before → after". */
function differences(a: unknown, b: unknown, path: string): string[] {
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`),
    );
  }
  return isDeepStrictEqual(a, b)
    ? []
    : [`${path || "(output)"}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
}
