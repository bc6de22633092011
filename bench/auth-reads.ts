/**
 * Authenticated reads (issue 20, goal 2): `GET /api/v1/projects?limit=10` with an API key and with
 * a session cookie, as a ratio to `GET /health` measured in the same server a moment before.
 * Each load runs twice: "before" — the credential cache off (AUTH_CACHE_TTL_MS=0: every request
 * looks the key or session and the membership up in the database), with Redis a Redis round trip
 * per request for the rate limit (RATE_LIMIT_SYNC_MS=0), and the read cache off
 * (READ_CACHE_TTL_MS=0: every list queries the database) — and "after" (the defaults), and
 * between them the defaults without the read cache (what a read that misses costs: the first
 * read of a page, or the first after a write). BENCH_ONLY=after measures only the defaults (the
 * goal's figure; a third of the time).
 *
 *   npm run bench:auth-reads                        # embedded PGlite
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… npm run bench:auth-reads
 *
 * BENCH_SECONDS (default 6) sets each load's length, BENCH_CONNECTIONS (default 10) the clients;
 * BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server (node --cpu-prof) into <dir>.
 *
 * BENCH_BASELINE_ROOT=<dir> compares code instead of settings: <dir> is another checkout of this
 * repository (e.g. `git worktree add /tmp/base <commit>`, its node_modules linked), and each
 * round measures the server of <dir> and then this one, both with the defaults, in the same
 * sitting; BENCH_ROUNDS (default 2) alternates them that many times.
 *
 * On a shared machine throughput follows the neighbours' load more than the code, so each load
 * also reports the server process's CPU time per request (user + system, from /proc): the ratio
 * of /health's CPU per request to a read's is what the throughput ratio would be with the API
 * process alone on a core (the database's and Redis's own CPU are not in it).
 */
import { loadavg } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { processCpuSeconds } from "./lib/proc.ts";
import { signUpInNewOrg, startBenchServer, startMailServer } from "./server-process.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const mail = await startMailServer();

async function startServer(settings: Record<string, string>, root = ROOT) {
  const server = await startBenchServer({
    root,
    tag: "mwbenchauth",
    smtpUrl: mail.url,
    profileDir: PROFILE_DIR,
    // Up to 3 minutes: PGlite's migrations on a loaded machine took more than one.
    readyTries: 1800,
    // Reads need no run worker (and its engine host would only slow start-up on a busy machine).
    env: { RUN_EMBEDDED_WORKER: "false", ...settings },
  });
  return { base: server.base, pid: server.child.pid!, stop: server.stop };
}

/** A verified person with a session, an organization holding 12 projects, and a read API key. */
async function caller(base: string) {
  const { cookie, headers } = await signUpInNewOrg(base, mail, "auth");
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`${base}/api/v1/projects`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: `Project ${i}` }),
    });
    if (res.status !== 201) throw new Error(`create project: ${res.status} ${await res.text()}`);
  }
  const key = await fetch(`${base}/api/v1/org/api-keys`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: "bench", scope: "read" }),
  });
  return { cookie, key: ((await key.json()) as { key: string }).key };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** The server process's CPU time per request, µs. */
  cpuUsPerRequest: number;
}

/** User + system CPU time of a process so far, in µs (Linux, clock ticks of 10 ms). */
const cpuUs = (pid: number) => processCpuSeconds(pid) * 1e6;

async function load(
  pid: number,
  url: string,
  headers: Record<string, string> = {},
  seconds = SECONDS,
): Promise<Load> {
  const before = cpuUs(pid);
  const r = await autocannon({ url, headers, duration: seconds, connections: CONNECTIONS });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx + r.errors,
    cpuUsPerRequest: (cpuUs(pid) - before) / Math.max(1, r.requests.total),
  };
}

/** "Before": every request looks its credential up, (with Redis) counts in Redis and queries the list. */
const BEFORE = { AUTH_CACHE_TTL_MS: "0", RATE_LIMIT_SYNC_MS: "0", READ_CACHE_TTL_MS: "0" };
/** The defaults but no read cache: what a read costs when it misses (first read, after a write). */
const NO_READ_CACHE = { READ_CACHE_TTL_MS: "0" };

async function measure(settings: Record<string, string>, root = ROOT) {
  const server = await startServer(settings, root);
  try {
    const { cookie, key } = await caller(server.base);
    const list = `${server.base}/api/v1/projects?limit=10`;
    // Check once that both credentials read the list (a 401 would make a fast, meaningless load).
    const credentials: Record<string, string>[] = [{ authorization: `Bearer ${key}` }, { cookie }];
    for (const h of credentials) {
      const res = await fetch(list, { headers: h });
      if (res.status !== 200) throw new Error(`GET /projects: ${res.status} ${await res.text()}`);
    }
    // A warm-up of every path (the JIT: whichever load ran first paid for it), then each
    // authenticated load right after its own /health baseline.
    const pid = server.pid;
    await load(pid, `${server.base}/health`, {}, 2);
    await load(pid, list, { authorization: `Bearer ${key}` }, 2);
    await load(pid, list, { cookie }, 2);
    const healthKey = await load(pid, `${server.base}/health`);
    const apiKey = await load(pid, list, { authorization: `Bearer ${key}` });
    const healthSession = await load(pid, `${server.base}/health`);
    const session = await load(pid, list, { cookie });
    return { healthKey, apiKey, healthSession, session };
  } finally {
    await server.stop();
  }
}

const backend = process.env.DATABASE_URL
  ? `PostgreSQL${process.env.REDIS_URL ? " + Redis" : ""}`
  : "PGlite (embedded)";
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
try {
  const row = (what: string, l: Load, base: Load) =>
    `| ${what} | ${l.rps.toFixed(0)} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms | ${base.rps.toFixed(0)} req/s | **${(l.rps / base.rps).toFixed(3)}** | ${l.cpuUsPerRequest.toFixed(0)} µs / ${base.cpuUsPerRequest.toFixed(0)} µs | **${(base.cpuUsPerRequest / l.cpuUsPerRequest).toFixed(3)}** |`;
  const measured: Awaited<ReturnType<typeof measure>>[] = [];
  const rows: string[] = [];
  if (BASELINE_ROOT) {
    for (let round = 1; round <= ROUNDS; round++) {
      const base = await measure({}, path.resolve(BASELINE_ROOT));
      const now = await measure({});
      measured.push(base, now);
      rows.push(
        row(`API key, baseline tree (round ${round})`, base.apiKey, base.healthKey),
        row(`API key, this tree (round ${round})`, now.apiKey, now.healthKey),
        row(`session, baseline tree (round ${round})`, base.session, base.healthSession),
        row(`session, this tree (round ${round})`, now.session, now.healthSession),
      );
    }
  } else {
    if (process.env.BENCH_ONLY !== "after") {
      const off = await measure(BEFORE);
      measured.push(off);
      rows.push(
        row("API key, before", off.apiKey, off.healthKey),
        row("session, before", off.session, off.healthSession),
      );
      const miss = await measure(NO_READ_CACHE);
      measured.push(miss);
      rows.push(
        row("API key, after, read cache off (every read a miss)", miss.apiKey, miss.healthKey),
        row("session, after, read cache off (every read a miss)", miss.session, miss.healthSession),
      );
    }
    const on = await measure({});
    measured.push(on);
    rows.push(
      row("API key, after", on.apiKey, on.healthKey),
      row("session, after", on.session, on.healthSession),
    );
  }
  const lines = [
    `Authenticated reads — ${backend}, ${CONNECTIONS} clients, ${SECONDS} s per load, node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at the end${BASELINE_ROOT ? `, baseline tree ${BASELINE_ROOT}` : ""}`,
    "",
    "| GET /api/v1/projects?limit=10 | throughput | GET /health just before | throughput ratio | server CPU per request: read / health | CPU ratio (health ÷ read) |",
    "|---|---|---|---|---|---|",
    ...rows,
  ];
  const errors = measured.flatMap((m) => Object.values(m)).reduce((s, l) => s + l.non2xx, 0);
  if (errors > 0) lines.push("", `WARNING: ${errors} non-2xx responses or errors during the loads`);
  console.log(lines.join("\n"));
} finally {
  await mail.close();
}
