/**
 * Upload + profile benchmark (issue 6): a generated 1,000,000-row × 20-column CSV uploaded
 * through the real server and profiled.
 *
 *   npm run bench:upload-profile            # embedded PGlite; BENCH_ROWS=1000000 by default
 *   DATABASE_URL=postgres://… npm run bench:upload-profile   # in a fresh database, dropped after
 *   BENCH_COLUMNS=30 npm run bench:upload-profile            # issue 16: 1M rows × 30 columns (goal < 5 s)
 *
 * The server runs as a child process exactly as `npm start` does; this process generates the CSV
 * to a temporary file and uploads it with fetch + a file-backed Blob (streamed, not read into
 * memory). The server's peak memory is its VmHWM (peak resident set) from /proc. Baseline: one
 * SHA-256 pass over the same file in this process, so the upload is also a ratio to "read it once".
 */
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, openAsBlob, readFileSync, rmSync, statSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { generateCsv } from "./generate-csv.ts";
import { processCpuSeconds } from "./lib/proc.ts";
import {
  adminQuery,
  freePort,
  signUpVerified,
  spawnBenchServer,
  startMailServer,
  stopChild,
  waitReady,
} from "./server-process.ts";

// Account mail (the sign-up's verification link) goes to a local SMTP server of the bench's own.
const mail = await startMailServer();

const ROOT = path.resolve(import.meta.dirname, "..");
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** BENCH_COLUMNS=30: issue 16's profile benchmark (1M rows × 30 columns, goal < 5 s). */
const COLUMNS = Math.max(20, Number(process.env.BENCH_COLUMNS ?? 20));
/** The server's "file stored" log lines: [0] POST /files, [1] the resumable upload's completion. */
const phases: { receivedMs: number; parsedMs: number; storedMs: number }[] = [];

async function startServer(
  dataDir: string,
): Promise<{ base: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  // On PostgreSQL the bench works in a database of its own, never in the one it was pointed at.
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  const dbName = `mw_bench_${port}_${Date.now().toString(36)}`;
  if (serverUrl) {
    await adminQuery(serverUrl, `create database ${dbName}`);
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const child = spawnBenchServer({
    root: ROOT,
    port,
    dataDir,
    smtpUrl: mail.url,
    stdout: "pipe",
    env: {
      // The "file stored" lines below are info.
      LOG_LEVEL: "info",
      RUN_EMBEDDED_WORKER: "false",
      FILES_MAX_BYTES: String(1024 * 1024 * 1024),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
  });
  // The server logs where each upload's time went ("file stored"); keep those lines.
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) if (line.includes('"file stored"')) phases.push(JSON.parse(line));
  });
  const base = `http://127.0.0.1:${port}`;
  // Up to 2 minutes: on a shared machine under load, compiling and starting the server alone took > 30 s.
  await waitReady(base, 1200);
  return {
    base,
    child,
    async stop() {
      await stopChild(child);
      if (serverUrl) await adminQuery(serverUrl, `drop database if exists ${dbName} with (force)`);
    },
  };
}

async function apiKey(base: string): Promise<string> {
  const email = `bench-${Date.now()}@example.com`;
  const { cookie, csrfToken } = await signUpVerified(base, mail, {
    email,
    password: "bench passphrase 2026",
    name: "Bench",
  });
  const headers = { "content-type": "application/json", cookie, "x-csrf-token": csrfToken };
  await fetch(`${base}/api/v1/orgs`, { method: "POST", headers, body: JSON.stringify({ name: "Bench" }) });
  const key = await fetch(`${base}/api/v1/org/api-keys`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: "bench", scope: "run" }),
  });
  return ((await key.json()) as { key: string }).key;
}

async function hashPass(file: string): Promise<number> {
  const t0 = performance.now();
  const h = createHash("sha256");
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  h.digest();
  return performance.now() - t0;
}

const peakRssMb = (pid: number) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};
/** CPU seconds (user + system) a process has used: unlike wall time, not stretched by other load. */
const cpuSeconds = processCpuSeconds;
const currentRssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

const CHUNK_MB = Number(process.env.BENCH_CHUNK_MB ?? 8);

/** POST /uploads, PATCH the file in CHUNK_MB slices (file-backed Blobs), POST …/complete. */
async function chunkedUpload(base: string, key: string, file: string, size: number, pid: number) {
  const auth = { authorization: `Bearer ${key}` };
  const cpuBefore = cpuSeconds(pid);
  const t0 = performance.now();
  const created = await fetch(`${base}/api/v1/uploads`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name: "deals-1m.csv", sizeBytes: size }),
  });
  const { id } = (await created.json()) as { id: string };
  const blob = await openAsBlob(file);
  const step = CHUNK_MB * 1024 * 1024;
  let chunks = 0;
  for (let offset = 0; offset < size; offset += step) {
    const res = await fetch(`${base}/api/v1/uploads/${id}`, {
      method: "PATCH",
      headers: {
        ...auth,
        "content-type": "application/offset+octet-stream",
        "upload-offset": String(offset),
      },
      body: blob.slice(offset, Math.min(size, offset + step)),
    });
    if (res.status !== 204) throw new Error(`chunk at ${offset}: ${res.status} ${await res.text()}`);
    chunks++;
  }
  const chunksMs = performance.now() - t0;
  const done = await fetch(`${base}/api/v1/uploads/${id}/complete`, { method: "POST", headers: auth });
  if (done.status !== 201) throw new Error(`complete: ${done.status} ${await done.text()}`);
  const totalMs = performance.now() - t0;
  return { chunks, chunksMs, completeMs: totalMs - chunksMs, totalMs, cpu: cpuSeconds(pid) - cpuBefore };
}

const work = mkdtempSync(path.join(tmpdir(), "mw-bench-upload-"));
const csv = path.join(work, "deals-1m.csv");
try {
  let t0 = performance.now();
  await generateCsv(csv, ROWS, COLUMNS - 20);
  const size = statSync(csv).size;
  console.log(`database: ${process.env.DATABASE_URL ? "PostgreSQL" : "embedded PGlite"}`);
  console.log(
    `generated ${ROWS.toLocaleString("en")} rows × ${COLUMNS} columns: ${(size / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const baselineMs = await hashPass(csv);

  const server = await startServer(path.join(work, "data"));
  try {
    const key = await apiKey(server.base);
    const idleRss = currentRssMb(server.child.pid!);
    const form = new FormData();
    form.append("file", await openAsBlob(csv, { type: "text/csv" }), "deals-1m.csv");
    const cpuBefore = cpuSeconds(server.child.pid!);
    const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    t0 = performance.now();
    const res = await fetch(`${server.base}/api/v1/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    const uploadMs = performance.now() - t0;
    const uploadCpu = cpuSeconds(server.child.pid!) - cpuBefore;
    const body = (await res.json()) as { id: string; rowCount: number; columnCount: number; detail?: string };
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(body)}`);
    t0 = performance.now();
    const profile = (await (
      await fetch(`${server.base}/api/v1/files/${body.id}/profile`, {
        headers: { authorization: `Bearer ${key}` },
      })
    ).json()) as { columns: { name: string; type: string; distinct: number; missingPct: number }[] };
    const profileMs = performance.now() - t0;
    t0 = performance.now();
    await fetch(`${server.base}/api/v1/files/${body.id}/rows?offset=900000&limit=100`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const pageMs = performance.now() - t0;
    const peak = peakRssMb(server.child.pid!);

    console.log(`\n| measure | value | ratio to one SHA-256 pass (${baselineMs.toFixed(0)} ms) |`);
    console.log("|---|---|---|");
    console.log(
      `| upload + parse + profile + store (POST /files, ${body.rowCount.toLocaleString("en")} rows, ${body.columnCount} columns) | ${(uploadMs / 1000).toFixed(2)} s | ${(uploadMs / baselineMs).toFixed(1)} |`,
    );
    console.log(
      `| server CPU time for that request (user + system; 2 cores) | ${uploadCpu.toFixed(2)} s | ${((uploadCpu * 1000) / baselineMs).toFixed(1)} |`,
    );
    const ph = phases[0];
    if (ph) {
      const row = (what: string, ms: number) =>
        console.log(`| … ${what} | ${ms} ms | ${(ms / baselineMs).toFixed(1)} |`);
      row("of which: request received, hashed, on disk", ph.receivedMs);
      row("checked, parsed to Parquet, profiled (DuckDB)", ph.parsedMs - ph.receivedMs);
      row("stored and recorded", ph.storedMs - ph.parsedMs);
    }
    console.log(
      `| GET /files/:id/profile | ${profileMs.toFixed(0)} ms | ${(profileMs / baselineMs).toFixed(3)} |`,
    );
    console.log(
      `| GET /files/:id/rows?offset=900000&limit=100 | ${pageMs.toFixed(0)} ms | ${(pageMs / baselineMs).toFixed(3)} |`,
    );
    console.log(
      `| server peak RSS (VmHWM) | ${peak.toFixed(0)} MB (idle before upload: ${idleRss.toFixed(0)} MB) | |`,
    );
    console.log(`\nmachine load average before the upload: ${load} (on ${os.availableParallelism()} cores)`);

    // The same file through a resumable upload session, in CHUNK_MB chunks, in an organization of
    // its own (so it is not answered by deduplication against the upload above).
    const chunked = await chunkedUpload(server.base, await apiKey(server.base), csv, size, server.child.pid!);
    const chPhase = phases[1];
    console.log(
      `\n| resumable upload (${CHUNK_MB} MiB chunks: ${chunked.chunks} PATCHes + complete) | value | ratio to POST /files |`,
    );
    console.log("|---|---|---|");
    console.log(
      `| wall: session + chunks + complete | ${(chunked.totalMs / 1000).toFixed(2)} s | ${(chunked.totalMs / uploadMs).toFixed(2)} |`,
    );
    console.log(
      `| … of which the chunks (streamed to scratch, stored as objects) | ${(chunked.chunksMs / 1000).toFixed(2)} s | |`,
    );
    console.log(
      `| … of which complete (assemble + hash, then the same pipeline) | ${(chunked.completeMs / 1000).toFixed(2)} s | |`,
    );
    if (chPhase) console.log(`| … … assembling the chunks into scratch | ${chPhase.receivedMs} ms | |`);
    console.log(
      `| server CPU time (user + system) | ${chunked.cpu.toFixed(2)} s | ${(chunked.cpu / uploadCpu).toFixed(2)} |`,
    );
    console.log(`| server peak RSS (VmHWM, whole run) | ${peakRssMb(server.child.pid!).toFixed(0)} MB | |`);
    console.log(
      `\ngoal (issue 6): < 10 s and < 1 GB → ${uploadMs < 10_000 ? "met" : "NOT met"} (${(uploadMs / 1000).toFixed(2)} s), ${peak < 1024 ? "met" : "NOT met"} (${peak.toFixed(0)} MB)`,
    );
    console.log(
      "\ncolumn types:",
      profile.columns
        .map((c) => `${c.name}:${c.type}${c.missingPct ? ` (${c.missingPct}% missing)` : ""}`)
        .join(", "),
    );
  } finally {
    await server.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  await mail.close();
}
