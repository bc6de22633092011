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
 *   - native HiGHS (scipy's bundled HiGHS, `python3-scipy`) on exactly the models the engine
 *     solved in that run, written by HiGHS as MPS files, with the same options (presolve,
 *     MIP gap, feasibility jump), ranging after each LP: "native, all solves"; the same with
 *     HiGHS's default feasibility jump (on): "native, HiGHS default options". "Native, one
 *     solve" is the first MIP (or LP) alone, the figure the issue quotes.
 * The machine is shared: every figure comes with its ratio to native measured in the same run, and
 * the CPU time of this process is given next to the wall time.
 *
 * `BENCH_SAVE=file` writes the four outputs (without timings) to a file; `BENCH_COMPARE=file`
 * checks this run's outputs against it — e.g. before and after a change to the solver.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { createContext, executeModel, type Model, parseInput } from "@modelworks/model-kit";
import { generateDeals } from "../packages/engines/optimizers/src/deal-picker/generate.ts";
import {
  capexPhasingV2,
  DEBT_STACK_EXAMPLES,
  dealPickerV2,
  debtStackV3,
  leasingMixV2,
} from "../packages/engines/optimizers/src/index.ts";
import { randomProgramme } from "../packages/engines/optimizers/test/capex-phasing/gen.ts";
import { randomInstance as leasingInstance } from "../packages/engines/optimizers/test/leasing-mix/gen.ts";
import { createEnginePool } from "../packages/server/src/runs/pool.ts";
import { getHighs } from "../packages/solver/src/run.ts";

const REPS = Number(process.env.BENCH_REPS ?? 7);
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

interface Case {
  name: string;
  model: Model;
  raw: unknown;
}
const debtExample = DEBT_STACK_EXAMPLES.find((e) => e.name === "office-refinance-lender-minimums")!;
const CASES: Case[] = [
  {
    name: "Deal Picker, 20 deals (whole, max NOI)",
    model: dealPickerV2,
    raw: { ...generateDeals(20, 42), selection: "whole", objective: "max-noi" },
  },
  {
    name: "Leasing Mix, 6 packages, 40 vacant units",
    model: leasingMixV2,
    raw: { ...leasingInstance(1, 6, { vacant: 40 }), whatIf: { enabled: true } },
  },
  { name: "Debt Stack, 3 tranches (example)", model: debtStackV3, raw: debtExample.input },
  {
    name: "Capex Phasing, 5 projects × 12 months",
    model: capexPhasingV2,
    raw: { ...randomProgramme(1, 5, 12, {}), whatIf: { enabled: true } },
  },
];

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
from scipy.optimize._highspy import _core
spec = json.load(open(sys.argv[1]))
reps = int(sys.argv[2])
out = {}
for case in spec:
    def solve_all(models, defaults=False):
        wall = 0.0; cpu = 0.0
        for m in models:
            h = _core._Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("presolve", m["presolve"])
            h.setOptionValue("mip_rel_gap", m["mipRelGap"])
            h.setOptionValue("mip_heuristic_run_feasibility_jump", True if defaults else m["feasibilityJump"])
            h.readModel(m["path"])
            w = time.perf_counter(); c = time.process_time()
            h.run()
            if not m["mip"] and h.getModelStatus() == _core.HighsModelStatus.kOptimal:
                h.getRanging()
            wall += time.perf_counter() - w; cpu += time.process_time() - c
        return wall * 1000, cpu * 1000
    first = [m for m in case["models"] if m["mip"]][:1] or case["models"][:1]
    res = {"all": [], "allCpu": [], "one": [], "oneCpu": [], "dflt": [], "dfltCpu": []}
    for r in range(reps + 1):
        a = solve_all(case["models"]); o = solve_all(first); d = solve_all(case["models"], True)
        if r == 0: continue  # warm-up
        res["all"].append(a[0]); res["allCpu"].append(a[1]); res["one"].append(o[0]); res["oneCpu"].append(o[1])
        res["dflt"].append(d[0]); res["dfltCpu"].append(d[1])
    out[case["name"]] = {k: sorted(v)[len(v) // 2] for k, v in res.items()}
print(json.dumps(out))
`;

console.log(`small optimizations, ${REPS} warm runs per mode, Node ${process.version}`);
console.log(`load average at start (1/5/15 min): ${load()}`);

const dir = mkdtempSync(join(tmpdir(), "small-opt-"));
const pool = createEnginePool(1);
let poolOk = true;
try {
  await pool.ready();
} catch (err) {
  poolOk = false;
  console.log(`engine pool did not start: ${err instanceof Error ? err.message : String(err)}`);
}

interface Row {
  name: string;
  vars: number;
  solves: number;
  mips: number;
  thread: number;
  threadCpu: number;
  pool: number | null;
  same: boolean;
}
const rows: Row[] = [];
const outputs: Record<string, unknown> = {};
const nativeSpec: { name: string; models: (Omit<Captured, "mps"> & { path: string })[] }[] = [];
for (const c of CASES) {
  const input = parseInput(c.model, c.raw);
  // Warm-up (JIT, wasm, zod) and the capture of the solved models.
  for (let i = 0; i < 3; i++) await executeModel(c.model, input, createContext());
  capture = [];
  const reference = await executeModel(c.model, input, createContext());
  const captured = capture;
  capture = null;
  outputs[c.name] = untimed(reference);
  const models = captured.map((m, k) => {
    const path = join(dir, `${c.model.id}-${k}.mps`);
    writeFileSync(path, m.mps);
    const { mps: _mps, ...rest } = m;
    return { ...rest, path };
  });
  nativeSpec.push({ name: c.name, models });

  const wall: number[] = [];
  const cpu: number[] = [];
  let same = true;
  for (let r = 0; r < REPS; r++) {
    const c0 = cpuMs();
    const t = performance.now();
    const out = await executeModel(c.model, input, createContext());
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c0);
    same &&= isDeepStrictEqual(untimed(out), untimed(reference));
  }
  let poolMedian: number | null = null;
  if (poolOk) {
    const times: number[] = [];
    const task = { modelId: c.model.id, modelVersion: c.model.version, input: c.raw, data: {} };
    const opts = { abort: new AbortController().signal, onMessage: () => {} };
    for (let r = 0; r < 3; r++) await pool.run(task, opts);
    for (let r = 0; r < REPS; r++) {
      const t = performance.now();
      const res = await pool.run(task, opts);
      times.push(performance.now() - t);
      if (!res.ok) throw new Error(`${c.name}: ${res.message}`);
      same &&= isDeepStrictEqual(untimed(res.output), untimed(reference));
    }
    poolMedian = median(times);
  }
  const firstMip = captured.find((m) => m.mip) ?? captured[0];
  rows.push({
    name: c.name,
    vars: firstMip?.cols ?? 0,
    solves: captured.length,
    mips: captured.filter((m) => m.mip).length,
    thread: median(wall),
    threadCpu: median(cpu),
    pool: poolMedian,
    same,
  });
}
await pool.close();

const py = spawnSync("python3", ["-c", NATIVE, writeJson(nativeSpec), String(REPS)], { encoding: "utf8" });
rmSync(dir, { recursive: true, force: true });
if (py.status !== 0) {
  console.log(`native HiGHS (scipy) failed: ${py.stderr.trim().split("\n").slice(-1)[0]}`);
  console.log("install it with: apt-get install -y python3-scipy");
}
const native: Record<
  string,
  { all: number; allCpu: number; one: number; oneCpu: number; dflt: number; dfltCpu: number }
> = py.status === 0 ? JSON.parse(py.stdout) : {};

function writeJson(v: unknown): string {
  const path = join(dir, "models.json");
  writeFileSync(path, JSON.stringify(v));
  return path;
}

const f = (ms: number | null | undefined) => (ms == null ? "–" : `${ms.toFixed(1)} ms`);
const x = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || b === 0 ? "–" : `${(a / b).toFixed(1)}×`;
console.log(
  "| instance | columns | HiGHS runs (MIPs) | this thread, wall | CPU | engine pool, wall | native, all solves (wall / CPU) | native, HiGHS default options (wall / CPU) | native, one solve | thread ÷ native all | pool ÷ native all | CPU ÷ native CPU | CPU ÷ native default CPU | same output |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
for (const r of rows) {
  const n = native[r.name];
  console.log(
    `| ${r.name} | ${r.vars} | ${r.solves} (${r.mips}) | ${f(r.thread)} | ${f(r.threadCpu)} | ${f(r.pool)} | ${f(n?.all)} / ${f(n?.allCpu)} | ${f(n?.dflt)} / ${f(n?.dfltCpu)} | ${f(n?.one)} | ${x(r.thread, n?.all)} | ${x(r.pool, n?.all)} | ${x(r.threadCpu, n?.allCpu)} | ${x(r.threadCpu, n?.dfltCpu)} | ${r.same ? "yes" : "NO"} |`,
  );
}
console.log(`load average at the end (1/5/15 min): ${load()}`);
if (rows.some((r) => !r.same)) process.exitCode = 1;
if (process.env.BENCH_SAVE) writeFileSync(process.env.BENCH_SAVE, JSON.stringify(outputs));
if (process.env.BENCH_COMPARE) {
  const saved = JSON.parse(readFileSync(process.env.BENCH_COMPARE, "utf8")) as Record<string, unknown>;
  // Through JSON on both sides, so -0 and undefined compare as they are stored.
  const now = JSON.parse(JSON.stringify(outputs)) as Record<string, unknown>;
  for (const name of Object.keys(saved)) {
    const same = isDeepStrictEqual(saved[name], now[name]);
    console.log(`output identical to ${process.env.BENCH_COMPARE}: ${name}: ${same ? "yes" : "NO"}`);
    if (!same) process.exitCode = 1;
  }
}
