/**
 * Scale (issue 20, goal 6): many concurrent users against two app instances behind nginx on one
 * PostgreSQL database and one Redis, as deploy/compose.yaml runs them.
 *
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… npm run bench:load
 *
 * LOAD_USERS (default 1000) virtual users, each a real account with its own session, in
 * organizations of 10 (analysts), for LOAD_SECONDS (default 60). Each user repeats: think
 * (uniform 0.5–1.5 × LOAD_THINK_MS, default 3000 ms), then one operation, picked by weight:
 *
 *   browse   45 %  GET /projects?limit=10, /runs?limit=20 or /projects/:id/scenarios in turn
 *   edit     20 %  PATCH /scenarios/:id — a new revision with one number changed (baseRevision sent)
 *   run      20 %  POST /models/tif/runs?cache=false (no wait), then follow /runs/:id/events (SSE)
 *                  until its final status: the time reported is until that status arrived
 *   export   15 %  GET /runs/:id/export?format=csv of the user's latest finished run
 *
 * Every request goes through nginx. Reported: p50/p99/max per operation, errors (any non-2xx, a
 * run that did not succeed, a network error; goal 0), throughput, and each instance's RSS
 * (sampled every 0.5 s from /proc: peak and at the end).
 *
 * Accounts, organizations and sessions are written straight into the database before the load
 * (a session row with the SHA-256 of a token this script made, as sign-in writes it): 1,000
 * sign-ups would spend minutes hashing passwords (Argon2id) and measure nothing of the load.
 * Projects and scenarios are made through the API, as users would.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { adminQuery } from "../packages/server/test/admin-query.ts";
import { startNginx } from "../packages/server/test/process/nginx-proxy.ts";
import {
  killAll,
  makeTempDir,
  type ServerProcess,
  startServer,
  waitForReady,
} from "../packages/server/test/process/spawn.ts";

const ADMIN_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
if (!ADMIN_URL || !REDIS_URL) {
  console.error("bench:load needs DATABASE_URL and REDIS_URL (two instances share them)");
  process.exit(2);
}
const USERS = Number(process.env.LOAD_USERS ?? 1000);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const THINK_MS = Number(process.env.LOAD_THINK_MS ?? 3000);
const ORG_SIZE = 10;
const SESSION_SECRET = randomBytes(32).toString("base64url");

type Op = "browse" | "edit" | "run" | "export";
const WEIGHTS: [Op, number][] = [
  ["browse", 0.45],
  ["edit", 0.2],
  ["run", 0.2],
  ["export", 0.15],
];

interface User {
  cookie: string;
  csrf: string;
  projectId: string;
  scenarioId: string;
  revision: number;
  input: Record<string, unknown>;
  lastRunId: string | null;
  browseTurn: number;
}

const samples = new Map<Op | "setup", number[]>();
const errors = new Map<string, number>();
function record(op: Op | "setup", ms: number) {
  const list = samples.get(op) ?? [];
  list.push(ms);
  samples.set(op, list);
}
function fail(op: string, why: string) {
  const key = `${op}: ${why}`;
  errors.set(key, (errors.get(key) ?? 0) + 1);
}

const admin = (sql: string, params: unknown[] = [], db?: string) => adminQuery(ADMIN_URL!, sql, params, db);

const dbName = `mw_load_${randomBytes(5).toString("hex")}`;
const tmp = makeTempDir("mw-load-");
const apps: ServerProcess[] = [];
let stopProxy: (() => Promise<void>) | undefined;

async function main(): Promise<void> {
  await admin(`create database ${dbName}`);
  const dbUrl = new URL(ADMIN_URL!);
  dbUrl.pathname = `/${dbName}`;
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: REDIS_URL!,
    REDIS_KEY_PREFIX: `mwload${randomBytes(4).toString("hex")}:`,
    SESSION_SECRET,
    TRUST_PROXY: "true",
    COOKIE_SECURE: "false",
    SEED_DEMO: "false",
    LOG_LEVEL: "warn",
    // Every user comes from 127.0.0.1 through nginx: the per-IP limit would see one client.
    RATE_LIMIT_MAX: "1000000",
    RUN_RATE_LIMIT_PER_HOUR: "1000000",
    RUN_HEAVY_RATE_LIMIT_PER_HOUR: "1000000",
    CONTENT_INGEST_SECONDS: "0",
  };
  apps.push(await startServer(env), await startServer(env));
  await Promise.all(apps.map((a) => waitForReady(`${a.url}/ready`, a, 180_000)));
  const proxy = await startNginx(
    apps.map((a) => `127.0.0.1:${a.port}`),
    tmp.dir,
  );
  stopProxy = proxy.stop;
  const base = `${proxy.base}/api/v1`;

  // Accounts and sessions, as sign-up and sign-in would leave them.
  const tokens: string[] = [];
  const orgs = Math.ceil(USERS / ORG_SIZE);
  await admin(
    `insert into organizations (name, slug)
       select 'Load org ' || g, 'load-org-' || g from generate_series(1, $1) g`,
    [orgs],
    dbName,
  );
  await admin(
    `insert into users (email, name, email_verified_at)
       select 'load-' || g || '@example.com', 'Load user ' || g, now() from generate_series(1, $1) g`,
    [USERS],
    dbName,
  );
  await admin(
    `insert into memberships (org_id, user_id, role)
       select o.id, u.id, 'analyst' from users u
         join organizations o on o.slug = 'load-org-' || ((substring(u.email from 'load-(\\d+)@')::int - 1) / ${ORG_SIZE} + 1)`,
    [],
    dbName,
  );
  const hashes: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const token = `mws_${randomBytes(32).toString("base64url")}`;
    tokens.push(token);
    hashes.push(createHash("sha256").update(token).digest("base64url"));
  }
  await admin(
    `insert into sessions (token_hash, user_id, active_org_id, expires_at)
       select h.hash, u.id, m.org_id, now() + interval '1 day'
         from unnest($1::text[]) with ordinality as h(hash, n)
         join users u on u.email = 'load-' || h.n || '@example.com'
         join memberships m on m.user_id = u.id`,
    [hashes],
    dbName,
  );

  const model = (await (await fetch(`${base}/models/tif`, { headers: auth(tokens[0]!) })).json()) as {
    examples?: { input: Record<string, unknown> }[];
  };
  const example = model.examples?.[0]?.input;
  if (!example) throw new Error("GET /models/tif has no example input");
  const candidates = numbersIn(example);
  if (candidates.length === 0) throw new Error("the tif example has no number to vary");

  // Each user's project and scenario, through the API (not timed as load).
  const users: User[] = [];
  const setupStart = performance.now();
  await pool(
    tokens.map((token, i) => async () => {
      const headers = auth(token);
      const project = await json(
        await send(`${base}/projects`, "POST", headers, { name: `Load project ${i + 1}` }),
        "create project",
      );
      const scenario = await json(
        await send(`${base}/projects/${project.id}/scenarios`, "POST", headers, {
          name: "Base case",
          modelId: "tif",
          input: example,
        }),
        "create scenario",
      );
      users.push({
        ...headers,
        projectId: project.id as string,
        scenarioId: scenario.id as string,
        revision: scenario.revision as number,
        input: structuredClone(example),
        lastRunId: null,
        browseTurn: 0,
      });
    }),
    50,
  );
  // The first number whose 0.05 % change the model accepts (an integer count would refuse it).
  let numericPath: string[] | null = null;
  for (const path of candidates) {
    try {
      await OPS.edit(base, users[0]!, path);
      numericPath = path;
      break;
    } catch {}
  }
  if (!numericPath) throw new Error("no number of the tif example can be edited by 0.05 %");
  console.log(`scenario edits change ${numericPath.join(".")}`);
  console.log(
    `setup: ${users.length} users with a project and a scenario in ${sec(performance.now() - setupStart)}`,
  );

  // RSS of each instance, sampled while the load runs.
  const rss = apps.map(() => ({ peakMb: 0, lastMb: 0 }));
  const sampler = setInterval(() => {
    apps.forEach((a, i) => {
      const mb = rssMb(a.pid);
      rss[i]!.lastMb = mb;
      rss[i]!.peakMb = Math.max(rss[i]!.peakMb, mb);
    });
  }, 500);
  const rssBefore = apps.map((a) => rssMb(a.pid));

  const deadline = performance.now() + SECONDS * 1000;
  let requests = 0;
  const loadStart = performance.now();
  await Promise.all(
    users.map(async (u, i) => {
      // Users arrive over the first think time, not all in the same millisecond.
      await sleep((i / users.length) * THINK_MS);
      while (performance.now() < deadline) {
        const op = pick();
        const t0 = performance.now();
        try {
          const sent = await OPS[op](base, u, numericPath);
          requests += sent;
          record(op, performance.now() - t0);
        } catch (err) {
          fail(op, (err as Error).message.slice(0, 120));
        }
        await sleep(THINK_MS * (0.5 + Math.random()));
      }
    }),
  );
  const elapsedMs = performance.now() - loadStart;
  clearInterval(sampler);

  console.log(
    `\n${USERS} users, ${SECONDS} s of load (+ the last operations finishing: ${sec(elapsedMs)}), ` +
      `think ${THINK_MS} ms, 2 instances behind nginx, PostgreSQL + Redis; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
  );
  console.log(`${requests} requests, ${(requests / (elapsedMs / 1000)).toFixed(0)} req/s\n`);
  console.log("| operation | count | errors | p50 ms | p99 ms | max ms |");
  console.log("|---|---|---|---|---|---|");
  for (const [op] of WEIGHTS) {
    const list = (samples.get(op) ?? []).sort((a, b) => a - b);
    const errs = [...errors].filter(([k]) => k.startsWith(`${op}:`)).reduce((s, [, n]) => s + n, 0);
    console.log(`| ${op} | ${list.length} | ${errs} | ${q(list, 0.5)} | ${q(list, 0.99)} | ${q(list, 1)} |`);
  }
  const totalErrors = [...errors.values()].reduce((a, b) => a + b, 0);
  console.log(`\nerrors: ${totalErrors}`);
  for (const [k, n] of errors) console.log(`  ${n} × ${k}`);
  for (const [i, r] of rss.entries()) {
    console.log(
      `instance ${i + 1}: RSS ${rssBefore[i]!.toFixed(0)} MB before the load, peak ${r.peakMb.toFixed(0)} MB, ${r.lastMb.toFixed(0)} MB at the end`,
    );
  }
  process.exitCode = totalErrors === 0 ? 0 : 1;
}

const OPS: Record<Op, (base: string, u: User, numericPath: string[]) => Promise<number>> = {
  async browse(base, u) {
    const turn = u.browseTurn++ % 3;
    const url =
      turn === 0
        ? `${base}/projects?limit=10`
        : turn === 1
          ? `${base}/runs?limit=20`
          : `${base}/projects/${u.projectId}/scenarios`;
    await json(await send(url, "GET", u), "browse");
    return 1;
  },
  async edit(base, u, numericPath) {
    const next = structuredClone(u.input);
    const parent = numericPath.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as never, next);
    const key = numericPath.at(-1)!;
    parent[key] = (parent[key] as number) * (1 + (Math.random() - 0.5) / 1000);
    const res = await send(`${base}/scenarios/${u.scenarioId}`, "PATCH", u, {
      input: next,
      baseRevision: u.revision,
    });
    const body = await json(res, "edit");
    u.revision = body.revision as number;
    u.input = next;
    return 1;
  },
  async run(base, u) {
    const res = await send(`${base}/models/tif/runs?cache=false`, "POST", u, { input: u.input });
    const run = await json(res, "run");
    let status = run.status as string;
    let requests = 1;
    if (status !== "succeeded") {
      requests++;
      status = await followEvents(`${base}/runs/${run.id}/events`, u);
    }
    if (status !== "succeeded") throw new Error(`run ended ${status}`);
    u.lastRunId = run.id as string;
    return requests;
  },
  async export(base, u) {
    if (!u.lastRunId) return OPS.browse(base, u, []);
    const res = await send(`${base}/runs/${u.lastRunId}/export?format=csv`, "GET", u);
    if (res.status !== 200) throw new Error(`export answered ${res.status}`);
    await res.arrayBuffer();
    return 1;
  },
};

/** Reads the SSE stream until `event: status`; returns that final status. */
async function followEvents(url: string, u: User): Promise<string> {
  const res = await fetch(url, { headers: { cookie: u.cookie, accept: "text/event-stream" } });
  if (res.status !== 200 || !res.body) throw new Error(`events answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (frame.startsWith("event: status")) {
        const data = frame.split("\n").find((l) => l.startsWith("data: "));
        return (JSON.parse(data!.slice(6)) as { status: string }).status;
      }
      end = buffer.indexOf("\n\n");
    }
  }
  throw new Error("events ended without a final status");
}

function auth(token: string): { cookie: string; csrf: string } {
  const tokenHash = createHash("sha256").update(token).digest("base64url");
  const csrf = createHmac("sha256", SESSION_SECRET).update(`csrf:${tokenHash}`).digest("base64url");
  return { cookie: `mw_session=${token}`, csrf };
}

function send(url: string, method: string, who: { cookie: string; csrf: string }, body?: unknown) {
  return fetch(url, {
    method,
    headers: {
      cookie: who.cookie,
      ...(method === "GET" ? {} : { "x-csrf-token": who.csrf }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function json(res: Response, what: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${what} answered ${res.status}: ${text.slice(0, 80)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

function pick(): Op {
  let r = Math.random();
  for (const [op, w] of WEIGHTS) {
    r -= w;
    if (r < 0) return op;
  }
  return "browse";
}

/** The paths of the positive numbers in an input (values an analyst would edit), objects only. */
function numbersIn(o: unknown, at: string[] = []): string[][] {
  if (typeof o === "number" && o > 0) return [at];
  if (o && typeof o === "object" && !Array.isArray(o))
    return Object.entries(o).flatMap(([k, v]) => numbersIn(v, [...at, k]));
  return [];
}

async function pool(tasks: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function q(sorted: number[], p: number): string {
  if (sorted.length === 0) return "–";
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(0);
}
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

try {
  await main();
} finally {
  await stopProxy?.().catch(() => {});
  await Promise.all(apps.map((a) => a.stop("SIGTERM", 15_000).catch(() => {})));
  await killAll();
  await admin(`drop database if exists ${dbName} with (force)`).catch(() => {});
  tmp.remove();
}
