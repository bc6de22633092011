/**
 * Run-machinery benchmark (issue 3): the internal test model with a trivial body (1 sample).
 * First, issue 20 goal 1: persisted tif runs with `?wait` at 8 clients, against an authenticated
 * `GET /projects?limit=10` and `/health` on the same server, once with every run queued
 * (`RUN_FAST_PATH=false`, the baseline) and once with the fast path (docs/decisions/0051) —
 * two servers one after the other in this script, so the before/after ratio is of one sitting.
 *
 *   npm run bench:runs                       # embedded PGlite
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… npm run bench:runs
 *   BENCH_RUNS_GOAL_ONLY=1 npm run bench:runs   # only the goal-1 comparison
 *   BENCH_RUNS_FAST_ONLY=1 …                   # of that, only the fast-path server (no queued baseline)
 *   BENCH_CPU_PROF=<dir> …                     # V8 CPU profiles of the server and its engine host
 *   BENCH_BASELINE_ROOT=<checkout> …           # the baseline is that checkout's server (fast path on),
 *                                              # not this one's with RUN_FAST_PATH=false: before/after
 *                                              # of a code change in one sitting
 *
 * The server runs as a child process (API + embedded worker, as `npm start`); load comes from
 * autocannon in this process over loopback. Every figure is also given as a ratio to GET /health
 * measured the same way in the same script, so results compare across machines.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { catalog } from "@modelworks/catalog";
import autocannon from "autocannon";
import { childPids, machineCpuSeconds, processCpuSeconds } from "./lib/proc.ts";
import { adminQuery, signUpInNewOrg, startBenchServer, startMailServer } from "./server-process.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const MODEL = "test-montecarlo-sum";
// Account mail (the sign-up's verification link) goes to a local SMTP server of the bench's own.
const mail = await startMailServer();
const trivial = (seed: number) => ({ terms: [{ mean: 1, sd: 1 }], samples: 1, seed });

const cpuSeconds = processCpuSeconds;

/**
 * CPU used by the server under test, by part: the API process, its children (the engine host,
 * whose threads run the engines) and, on PostgreSQL, the backends serving its connections
 * (found by their application_name). From /proc, so Linux only (null elsewhere). On a machine
 * shared with other work this is the measure to compare, not req/s: it counts only our processes.
 */
async function cpuSnapshot(server: { child: ChildProcess; appName: string }) {
  if (!existsSync("/proc/self/stat")) return null;
  const pid = server.child.pid!;
  const children = childPids(pid);
  const backends = process.env.DATABASE_URL
    ? (
        await adminQuery(
          process.env.DATABASE_URL,
          "select pid from pg_stat_activity where application_name = $1",
          [server.appName],
        )
      ).map((r) => Number(r.pid))
    : [];
  return {
    machine: machineCpuSeconds(),
    bench: process.cpuUsage(),
    api: cpuSeconds(pid),
    host: children.reduce((s, p) => s + cpuSeconds(p), 0),
    backends: new Map(backends.map((p) => [p, cpuSeconds(p)])),
  };
}

type Cpu = NonNullable<Awaited<ReturnType<typeof cpuSnapshot>>>;
/** Milliseconds of CPU per request between two snapshots, by part. */
function cpuPerRequest(a: Cpu | null, b: Cpu | null, requests: number) {
  if (!a || !b || requests === 0) return null;
  let db = 0;
  for (const [p, s] of b.backends) db += s - (a.backends.get(p) ?? 0); // a backend opened meanwhile started at ~0
  const ms = (seconds: number) => (seconds * 1000) / requests;
  const bench = process.cpuUsage(a.bench);
  return {
    api: ms(b.api - a.api),
    host: ms(b.host - a.host),
    db: ms(db),
    total: ms(b.api - a.api + b.host - a.host + db),
    /** The whole machine's busy CPU per request, and how busy it was (0–1). */
    machine:
      a.machine && b.machine
        ? {
            perRequest: ms(b.machine.busy - a.machine.busy),
            busyShare: (b.machine.busy - a.machine.busy) / (b.machine.all - a.machine.all),
          }
        : null,
    /** This process: autocannon, the load generator. */
    loadGenerator: ms((bench.user + bench.system) / 1e6),
  };
}

const PROFILE_DIR = process.env.BENCH_CPU_PROF;

async function startServer(
  extraEnv: Record<string, string> = {},
  root = ROOT,
): Promise<{
  base: string;
  child: ChildProcess;
  appName: string;
  dbName: string | null;
  stop(): Promise<void>;
}> {
  // Start-up on a loaded machine (PGlite, migrations, the engine host) can take a minute.
  return startBenchServer({
    root,
    tag: "mwbench",
    smtpUrl: mail.url,
    ownDatabase: true,
    profileDir: PROFILE_DIR,
    env: {
      INTERNAL_MODELS: "true",
      RUN_RATE_LIMIT_PER_HOUR: "100000000",
      RUN_ORG_CONCURRENCY: "64",
      RUN_POLL_MS: "200",
      ...extraEnv,
    },
  });
}

async function apiKey(base: string): Promise<string> {
  const { headers } = await signUpInNewOrg(base, mail, "runs");
  const key = await fetch(`${base}/api/v1/org/api-keys`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: "bench", scope: "run" }),
  });
  return ((await key.json()) as { key: string }).key;
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Milliseconds of CPU per request (API, engine host, database backends), when measured. */
  cpu?: ReturnType<typeof cpuPerRequest>;
  /** 1-minute load average at the end of the load (the machine may be shared). */
  loadavg?: number;
}

async function load(
  opts: autocannon.Options,
  server?: { child: ChildProcess; appName: string },
): Promise<Load> {
  const before = server ? await cpuSnapshot(server) : null;
  const r = await autocannon({ duration: SECONDS, ...opts });
  const after = server ? await cpuSnapshot(server) : null;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    cpu: cpuPerRequest(before, after, r.requests.total),
    loadavg: loadavg()[0]!,
  };
}

/** POST bodies that differ per request (a fresh seed), so every run is computed. */
function freshRunRequests(key: string, wait: number): autocannon.Options["requests"] {
  let seed = Math.floor(Math.random() * 1e9);
  return [
    {
      method: "POST",
      path: `/api/v1/models/${MODEL}/runs?cache=false&wait=${wait}`,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ input: trivial(seed++) }) }),
    },
  ];
}

/** Creates `count` runs as fast as `concurrency` clients can, then waits until all have finished. */
async function burst(base: string, key: string, count: number, concurrency: number) {
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const started = performance.now();
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const seed = 1e9 + next++;
        const res = await fetch(`${base}/api/v1/models/${MODEL}/runs?cache=false`, {
          method: "POST",
          headers,
          body: JSON.stringify({ input: trivial(seed) }),
        });
        ids.push(((await res.json()) as { id: string }).id);
      }
    }),
  );
  const created = performance.now();
  for (;;) {
    const res = await fetch(`${base}/api/v1/runs?status=succeeded&limit=1`, { headers });
    const { total } = (await res.json()) as { total: number };
    if (total >= count) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const done = performance.now();
  return {
    createdPerSecond: count / ((created - started) / 1000),
    completedPerSecond: count / ((done - started) / 1000),
  };
}

const TIF = catalog.find("tif");
if (!TIF?.examples?.[0]) throw new Error("tif with an example is not in the catalog");
const tifInput = TIF.examples[0].input;

/** Goal 1 on one server: /health, an authenticated read, and tif `?wait` runs, 8 clients each. */
async function goal(extraEnv: Record<string, string>, root = ROOT) {
  const server = await startServer(extraEnv, root);
  try {
    const key = await apiKey(server.base);
    const auth = { authorization: `Bearer ${key}` };
    const runPath = `/api/v1/models/tif/runs?cache=false&wait=30`;
    const body = JSON.stringify({ input: tifInput });
    const headers = { ...auth, "content-type": "application/json" };
    // Warm-up: the engine threads load tif and the server learns its run time.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.base}${runPath}`, { method: "POST", headers, body });
      const run = (await res.json()) as { status: string };
      if (run.status !== "succeeded") throw new Error(`warm-up tif run: ${JSON.stringify(run)}`);
    }
    const outputBytes = Buffer.byteLength(
      JSON.stringify(
        (
          (await (await fetch(`${server.base}${runPath}`, { method: "POST", headers, body })).json()) as {
            output: unknown;
          }
        ).output,
      ),
    );
    const health = await load({ url: `${server.base}/health`, connections: 8 }, server);
    const read = await load(
      {
        url: `${server.base}/api/v1/projects?limit=10`,
        connections: 8,
        headers: auth,
      },
      server,
    );
    const runs = await load(
      {
        url: `${server.base}${runPath}`,
        method: "POST",
        connections: 8,
        timeout: 60,
        headers,
        body,
      },
      server,
    );
    // Every acknowledged run is stored: the count of succeeded tif runs covers all 200s.
    const listed = (await (
      await fetch(`${server.base}/api/v1/runs?modelId=tif&status=succeeded&limit=1`, { headers: auth })
    ).json()) as { total: number };
    // How many took the queue after all (a fast run is born finished: created = started, no lease
    // was ever taken; a queued run is created before a worker starts it). PostgreSQL only.
    const queued =
      server.dbName && process.env.DATABASE_URL
        ? Number(
            (
              await adminQuery(
                process.env.DATABASE_URL,
                "select count(*) filter (where started_at > created_at) as n from runs where model_id = 'tif'",
                [],
                server.dbName,
              )
            )[0]!.n,
          )
        : null;
    return { health, read, runs, outputBytes, stored: listed.total, queued };
  } finally {
    await server.stop();
  }
}

/** What the first server is: this checkout with every run queued, or another checkout's fast path. */
const BEFORE = process.env.BENCH_BASELINE_ROOT
  ? `baseline: ${process.env.BENCH_BASELINE_ROOT} (fast path)`
  : "every run queued (RUN_FAST_PATH=false)";

async function goalComparison(backend: string) {
  const fastOnly = !!process.env.BENCH_RUNS_FAST_ONLY;
  const baseline = process.env.BENCH_BASELINE_ROOT;
  const before = fastOnly
    ? null
    : baseline
      ? await goal({ RUN_FAST_PATH: "true" }, path.resolve(baseline))
      : await goal({ RUN_FAST_PATH: "false" });
  const after = await goal({ RUN_FAST_PATH: "true" });
  report(backend, before, after);
}

type Goal = Awaited<ReturnType<typeof goal>>;

/** The goal-1 tables; without a first server (BENCH_RUNS_FAST_ONLY) only the fast path's rows. */
function report(backend: string, before: Goal | null, after: Goal) {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const row = (name: string, g: Goal) =>
    `| ${name} | ${g.health.rps.toFixed(0)} | ${g.read.rps.toFixed(0)} | ${g.runs.rps.toFixed(1)} (p50 ${ms(g.runs.p50)}, p99 ${ms(g.runs.p99)}) | ${(g.runs.rps / g.read.rps).toFixed(3)} | ${(g.read.rps / g.health.rps).toFixed(3)} | ${g.stored}${g.queued === null ? "" : ` (${g.queued} through the queue)`} |`;
  const cpu = (l: Load) =>
    l.cpu
      ? `${l.cpu.total.toFixed(2)} ms (API ${l.cpu.api.toFixed(2)}, engine host ${l.cpu.host.toFixed(2)}${process.env.DATABASE_URL ? `, PostgreSQL ${l.cpu.db.toFixed(2)}` : ""})`
      : "n/a";
  const machine = (l: Load) =>
    l.cpu?.machine
      ? `${l.cpu.machine.perRequest.toFixed(2)} ms (load generator ${l.cpu.loadGenerator.toFixed(2)}; machine ${(l.cpu.machine.busyShare * 100).toFixed(0)} % busy)`
      : "n/a";
  const cpuRow = (name: string, g: Goal) =>
    `| ${name} | ${cpu(g.health)} | ${cpu(g.read)} | ${cpu(g.runs)} | ${machine(g.runs)} | ${g.runs.loadavg?.toFixed(1) ?? "n/a"} |`;
  const lines = [
    `Issue 20 goal 1 — ${backend}, ${SECONDS} s per load, 8 clients, tif example (${(after.outputBytes / 1024).toFixed(0)} KB output), node ${process.version}`,
    "",
    "| server | GET /health req/s | GET /projects?limit=10 (API key) req/s | tif ?wait runs/s | runs ÷ authenticated GET | GET ÷ /health | succeeded tif runs stored |",
    "|---|---|---|---|---|---|---|",
    ...(before ? [row(BEFORE, before)] : []),
    row("fast path (default)", after),
    "",
    before
      ? `fast path ÷ first server: ${(after.runs.rps / before.runs.rps).toFixed(2)}× runs/s (p99 ${ms(before.runs.p99)} → ${ms(after.runs.p99)}); ` +
        `runs ÷ authenticated GET ${(before.runs.rps / before.read.rps).toFixed(3)} → ${(after.runs.rps / after.read.rps).toFixed(3)} (goal ≥ 0.40)`
      : `runs ÷ authenticated GET ${(after.runs.rps / after.read.rps).toFixed(3)} (goal ≥ 0.40)`,
    "",
    "CPU per request (the server's own processes, from /proc; comparable on a shared machine):",
    "",
    "| server | GET /health | GET /projects?limit=10 | tif ?wait run | tif ?wait run, whole machine | load average (1 min) after the runs |",
    "|---|---|---|---|---|---|",
    ...(before ? [cpuRow(BEFORE, before)] : []),
    cpuRow("fast path", after),
  ];
  if (after.runs.cpu && after.read.cpu)
    lines.push(
      "",
      (before?.runs.cpu
        ? `CPU per run, fast ÷ first server: ${(after.runs.cpu.total / before.runs.cpu.total).toFixed(2)}; `
        : "") +
        `CPU per run ÷ CPU per authenticated GET: ${(after.runs.cpu.total / after.read.cpu.total).toFixed(1)} (the goal's 0.40 throughput ratio needs ≤ 2.5)`,
    );
  const errors = [before, after]
    .filter((g) => g !== null)
    .reduce((s, g) => s + g.runs.non2xx + g.read.non2xx, 0);
  if (errors > 0) lines.push("", `WARNING: ${errors} non-2xx responses during the loads`);
  console.log(lines.join("\n"));
}

async function main() {
  const backend = process.env.DATABASE_URL
    ? `PostgreSQL${process.env.REDIS_URL ? " + Redis" : ""}`
    : "PGlite (embedded)";
  await goalComparison(backend);
  if (process.env.BENCH_RUNS_GOAL_ONLY) {
    await mail.close();
    return;
  }
  console.log("");
  const server = await startServer();
  try {
    const key = await apiKey(server.base);
    const url = server.base;
    const health = await load({ url: `${url}/health`, connections: 10 });
    const cacheInput = JSON.stringify({ input: trivial(42) });
    await fetch(`${url}/api/v1/models/${MODEL}/runs?wait=30`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: cacheInput,
    });
    const cacheHit = await load({
      url: `${url}/api/v1/models/${MODEL}/runs`,
      method: "POST",
      connections: 10,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: cacheInput,
    });
    const waits: Record<number, Load> = {};
    for (const connections of [1, 10, 100]) {
      waits[connections] = await load({ url, connections, timeout: 60, requests: freshRunRequests(key, 30) });
    }
    const b = await burst(url, key, 500, 50);

    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const lines = [
      `Run benchmark — ${backend}, ${SECONDS} s per load, node ${process.version}`,
      "",
      "| measure | value | ratio to GET /health |",
      "|---|---|---|",
      `| GET /health (baseline), 10 clients | ${health.rps.toFixed(0)} req/s | 1.000 |`,
      `| cache-hit POST /runs, 10 clients | ${cacheHit.rps.toFixed(0)} req/s | ${(cacheHit.rps / health.rps).toFixed(3)} |`,
      ...[1, 10, 100].map(
        (c) =>
          `| ?wait runs, ${c} client${c > 1 ? "s" : ""} | ${waits[c]!.rps.toFixed(1)} runs/s, p50 ${ms(waits[c]!.p50)}, p99 ${ms(waits[c]!.p99)} | ${(waits[c]!.rps / health.rps).toFixed(4)} |`,
      ),
      `| burst of 500 runs (50 clients): created | ${b.createdPerSecond.toFixed(1)} runs/s | ${(b.createdPerSecond / health.rps).toFixed(4)} |`,
      `| burst of 500 runs: created and completed | ${b.completedPerSecond.toFixed(1)} runs/s | ${(b.completedPerSecond / health.rps).toFixed(4)} |`,
    ];
    const errors = [cacheHit, ...Object.values(waits)].reduce((s, l) => s + l.non2xx, 0);
    if (errors > 0) lines.push("", `WARNING: ${errors} non-2xx responses during the loads`);
    console.log(lines.join("\n"));
  } finally {
    await server.stop();
    await mail.close();
  }
}

await main();
