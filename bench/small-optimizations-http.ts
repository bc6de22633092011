/**
 * Small optimizations through HTTP (issue 20, goal 3: ≤ 50 decision variables in < 20 ms end to
 * end in a warm server, explanations included).
 *
 *   npm run bench:small-optimizations-http                  # embedded PGlite
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… npm run bench:small-optimizations-http
 *
 * The server runs as a child process exactly as `npm start` runs it (API + embedded run worker and
 * its engine host). The bench signs a person up, creates an organization and, for each instance
 * — the four of `bench:small-optimizations` and each optimizer's `examples[0]` — posts
 * `POST /api/v1/models/<id>/runs?wait=10&cache=false` with the session cookie and CSRF token, one
 * client, `BENCH_WARMUP` (150) warm-up runs and then the median of `BENCH_REPS` (20). In the same
 * script, between the HTTP runs, it times the same input on an engine pool of its own
 * (`createEnginePool(1)`: engine host, worker thread, messages — what a run costs without the
 * platform around it), and reports HTTP ÷ pool and the platform's overhead (HTTP − pool) in ms.
 *
 * It also reads, per HTTP run, the server's own account of the request from its `Server-Timing`
 * header (where the server sends one): the engine's time and the rest.
 *
 * The machine is shared, so next to wall times it gives the server's CPU per run (API process and
 * engine host, from /proc; PostgreSQL's backends not included) and the load average.
 *
 * `BENCH_BASELINE_ROOT=<checkout>` also starts the server of another checkout of this repository
 * (its node_modules linked; e.g. `git worktree add /tmp/base <commit>`) and alternates the two run
 * by run: before and after in the same minutes. Alternating leaves each server's work after its
 * response (storing the run, audit) running beside the next request and the in-process engine
 * runs, and counts it against the next run. `BENCH_STEADY=1` measures the servers one after the
 * other instead, each warmed up and then run back to back with nothing else between, as a warm
 * server serving one client is; the engine pool and this thread are timed after.
 * `BENCH_CPU_PROF=<dir>` writes V8 CPU profiles of
 * the servers (and their engine hosts). `BENCH_CASES=deal,debt` picks instances by name,
 * `BENCH_POOL=0` skips the engine pool.
 */
import type { ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { createContext, executeModel, parseInput } from "@modelworks/model-kit";
import { createEnginePool } from "../packages/server/src/runs/pool.ts";
import { childPids, processCpuMsPrecise } from "./lib/proc.ts";
import { EXAMPLE_CASES, SMALL_CASES, selectCases } from "./lib/small-optimization-cases.ts";
import { signUpInNewOrg, startBenchServer, startMailServer } from "./server-process.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const REPS = Number(process.env.BENCH_REPS ?? 20);
// A warm server: the JIT needs ~100 runs of an engine (in each engine thread) before its CPU settles;
// with 30, the server's engine host still spent 4–6× the engine's settled CPU per run.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 150);
const WITH_POOL = process.env.BENCH_POOL !== "0";
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT;
const DATABASE_URL = process.env.DATABASE_URL;
const STEADY = process.env.BENCH_STEADY === "1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CASES = selectCases([...SMALL_CASES, ...EXAMPLE_CASES]);
const mail = await startMailServer();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");

/** On-CPU milliseconds (all live threads, ns resolution) of a process and of its children so far (Linux). */
function cpuMsOf(pid: number): { api: number; host: number } {
  return {
    api: processCpuMsPrecise(pid),
    host: childPids(pid).reduce((s, p) => s + processCpuMsPrecise(p), 0),
  };
}

interface Server {
  label: string;
  base: string;
  child: ChildProcess;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

async function startServer(label: string, root: string): Promise<Server> {
  const { base, port, child, stop } = await startBenchServer({
    root,
    tag: "mwhttpbench",
    smtpUrl: mail.url,
    ownDatabase: true,
    profileDir: PROFILE_DIR,
    env: { RUN_RATE_LIMIT_PER_HOUR: "100000000", RUN_HEAVY_RATE_LIMIT_PER_HOUR: "100000" },
  });
  try {
    const { headers } = await signUpInNewOrg(base, mail, `http-${port}`);
    return { label, base, child, headers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Strips the fields that measure time, through JSON (as stored), so two runs' outputs compare. */
const untimed = (v: unknown): unknown => JSON.parse(JSON.stringify(stripTimes(v)));
function stripTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripTimes);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !/Ms$|^solveSeconds$|^elapsed/.test(k))
        .map(([k, x]) => [k, stripTimes(x)]),
    );
  return v;
}

interface HttpRun {
  ms: number;
  bytes: number;
  output: unknown;
  /** `Server-Timing` entries, name → ms. */
  timing: Record<string, number>;
}

async function runOnce(server: Server, modelId: string, body: string): Promise<HttpRun> {
  const t = performance.now();
  const res = await fetch(`${server.base}/api/v1/models/${modelId}/runs?wait=10&cache=false`, {
    method: "POST",
    headers: server.headers,
    body,
  });
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`${server.label} ${modelId}: ${res.status} ${text.slice(0, 300)}`);
  const run = JSON.parse(text) as { status: string; output: unknown; error: unknown };
  if (run.status !== "succeeded")
    throw new Error(`${server.label} ${modelId}: ${run.status} ${JSON.stringify(run.error)}`);
  const timing: Record<string, number> = {};
  for (const part of (res.headers.get("server-timing") ?? "").split(",")) {
    const m = /^\s*([\w+-]+)(?:;[^,]*?dur=([\d.]+))?/.exec(part);
    if (m?.[2]) timing[m[1]!] = Number(m[2]);
  }
  return { ms, bytes: Buffer.byteLength(text), output: run.output, timing };
}

console.log(
  `small optimizations through HTTP, ${DATABASE_URL ? "PostgreSQL + Redis" : "PGlite"}, ${WARMUP} warm-up and ${REPS} timed runs per instance, one client, ${STEADY ? "servers one after the other (steady)" : "servers alternating run by run"}, Node ${process.version}`,
);
console.log(`load average at start (1/5/15 min): ${load()}`);

const servers: Server[] = [];
const pool = WITH_POOL ? createEnginePool(1) : null;
try {
  if (BASELINE_ROOT) servers.push(await startServer("baseline", BASELINE_ROOT));
  servers.push(await startServer("this tree", ROOT));
  await pool?.ready();

  interface Row {
    name: string;
    thread: number;
    threadCpu: number;
    pool: number | null;
    by: Map<
      string,
      {
        http: number;
        min: number;
        cpuApi: number;
        cpuHost: number;
        bytes: number;
        timing: Record<string, number>;
        same: boolean;
      }
    >;
  }
  const rows: Row[] = [];
  for (const c of CASES) {
    const body = JSON.stringify({ input: c.raw, version: c.model.version });
    const opts = { abort: new AbortController().signal, onMessage: () => {} };
    const task = { modelId: c.model.id, modelVersion: c.model.version, input: c.raw, data: {} };
    const poolRun = async () => {
      const t = performance.now();
      const res = await pool!.run(task, opts);
      if (!res.ok) throw new Error(`${c.name}: ${res.message}`);
      return { ms: performance.now() - t, output: res.output };
    };
    // The engine alone, in this thread (input validation and output check included).
    const parsed = parseInput(c.model, c.raw);
    const threadRun = async () => {
      const c0 = process.cpuUsage();
      const t = performance.now();
      await executeModel(c.model, parsed, createContext());
      const cpu = process.cpuUsage(c0);
      return { ms: performance.now() - t, cpu: (cpu.user + cpu.system) / 1000 };
    };
    let reference: unknown = null;
    const threadTimes: number[] = [];
    const threadCpu: number[] = [];
    const poolTimes: number[] = [];
    const http = new Map(servers.map((s) => [s, [] as HttpRun[]]));
    const cpu = new Map(servers.map((s) => [s, { api: 0, host: 0 }]));
    if (STEADY) {
      // One server at a time, its runs back to back with nothing else on the machine; the CPU
      // read 300 ms after the last run, so the work a run leaves behind (stored, audited) counts.
      for (const s of servers) {
        for (let i = 0; i < WARMUP; i++) {
          // Not `reference ??= untimed(await runOnce(…))`: `??=` skips its right side once set, and
          // the server got one warm-up run instead of WARMUP (the cause of the engine host's
          // "unexplained" CPU: the timed runs were its JIT warm-up).
          const run = await runOnce(s, c.model.id, body);
          reference ??= untimed(run.output);
        }
        await sleep(300);
        const c0 = cpuMsOf(s.child.pid!);
        for (let r = 0; r < REPS; r++) http.get(s)!.push(await runOnce(s, c.model.id, body));
        await sleep(300);
        const c1 = cpuMsOf(s.child.pid!);
        cpu.set(s, { api: c1.api - c0.api, host: c1.host - c0.host });
      }
      for (let i = 0; i < WARMUP; i++) {
        if (pool) await poolRun();
        await threadRun();
      }
    } else
      for (let i = 0; i < WARMUP; i++) {
        for (const s of servers) {
          const run = await runOnce(s, c.model.id, body);
          reference ??= untimed(run.output);
        }
        if (pool) await poolRun();
        await threadRun();
      }
    let same = true;
    for (let r = 0; r < REPS; r++) {
      for (const s of STEADY ? [] : servers) {
        const c0 = cpuMsOf(s.child.pid!);
        const run = await runOnce(s, c.model.id, body);
        const c1 = cpuMsOf(s.child.pid!);
        const sum = cpu.get(s)!;
        sum.api += c1.api - c0.api;
        sum.host += c1.host - c0.host;
        http.get(s)!.push(run);
      }
      const th = await threadRun();
      threadTimes.push(th.ms);
      threadCpu.push(th.cpu);
      if (pool) {
        const p = await poolRun();
        poolTimes.push(p.ms);
        if (same && !isDeepStrictEqual(untimed(p.output), reference)) {
          same = false;
          console.log(
            `  pool, ${c.name}: outputs differ: ${differences(reference, untimed(p.output), "").slice(0, 5).join("; ")}`,
          );
        }
      }
    }
    const row: Row = {
      name: c.name,
      thread: median(threadTimes),
      threadCpu: median(threadCpu),
      pool: pool ? median(poolTimes) : null,
      by: new Map(),
    };
    for (const s of servers) {
      const runs = http.get(s)!;
      const names = new Set(runs.flatMap((x) => Object.keys(x.timing)));
      row.by.set(s.label, {
        http: median(runs.map((x) => x.ms)),
        min: Math.min(...runs.map((x) => x.ms)),
        cpuApi: cpu.get(s)!.api / REPS,
        cpuHost: cpu.get(s)!.host / REPS,
        bytes: median(runs.map((x) => x.bytes)),
        timing: Object.fromEntries(
          [...names].map((n) => [n, median(runs.flatMap((x) => (n in x.timing ? [x.timing[n]!] : [])))]),
        ),
        same: same && runs.every((x) => isDeepStrictEqual(untimed(x.output), reference)),
      });
      const other = runs.find((x) => !isDeepStrictEqual(untimed(x.output), reference));
      if (other)
        console.log(
          `  ${s.label}, ${c.name}: outputs differ: ${differences(reference, untimed(other.output), "").slice(0, 5).join("; ")}`,
        );
    }
    rows.push(row);
    const t = row.by.get("this tree")!;
    console.log(
      `  ${c.name}: HTTP ${t.http.toFixed(1)} ms, thread ${row.thread.toFixed(1)} ms (CPU ${row.threadCpu.toFixed(1)}), pool ${row.pool?.toFixed(1) ?? "–"} ms (load ${load()})`,
    );
  }

  const f = (ms: number | null | undefined) => (ms == null || Number.isNaN(ms) ? "–" : `${ms.toFixed(1)} ms`);
  console.log("");
  console.log(
    "| instance | server | HTTP, wall (median) | min | this thread, wall / CPU | engine pool, wall | HTTP ÷ pool | platform (HTTP − pool) | server CPU per run, mean: API + engine host | Server-Timing (median) | response | same output |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|");
  for (const r of rows) {
    for (const [label, t] of r.by) {
      const timing = Object.entries(t.timing)
        .map(([n, ms]) => `${n} ${ms.toFixed(1)}`)
        .join(", ");
      console.log(
        `| ${r.name} | ${label} | ${f(t.http)} | ${f(t.min)} | ${f(r.thread)} / ${f(r.threadCpu)} | ${f(r.pool)} | ${r.pool ? `${(t.http / r.pool).toFixed(2)}×` : "–"} | ${r.pool ? f(t.http - r.pool) : "–"} | ${f(t.cpuApi)} + ${f(t.cpuHost)} | ${timing || "–"} | ${(t.bytes / 1024).toFixed(1)} KB | ${t.same ? "yes" : "NO"} |`,
      );
      if (!t.same) process.exitCode = 1;
    }
  }
} finally {
  await pool?.close();
  for (const s of servers) await s.stop();
  await mail.close();
}
console.log(`load average at the end (1/5/15 min): ${load()}`);

/** Every leaf that differs between two outputs, as "path: a → b". */
function differences(a: unknown, b: unknown, at: string): string[] {
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`),
    );
  }
  return isDeepStrictEqual(a, b) ? [] : [`${at || "(output)"}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
}
