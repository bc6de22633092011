/**
 * Organization export benchmark (issue 6, item 6): GET /org/export of an organization holding
 * one large uploaded CSV (≈200 MB by default), through the real server.
 *
 *   npm run bench:org-export                 # embedded PGlite; BENCH_ROWS=1260000 (≈200 MB) by default
 *   DATABASE_URL=postgres://… npm run bench:org-export   # in a fresh database, dropped after
 *
 * The server runs as a child process as `npm start` does. The file is uploaded first, then the
 * server is restarted on the same data, so the upload's own peak (DuckDB parsing) does not hide
 * the export's: the export's memory is the server's resident set sampled every 20 ms while the
 * zip downloads, minus its resident set just before. The download is streamed to disk here.
 * Baselines, in this process on the same file: one SHA-256 pass, and one raw-deflate pass (the
 * zip deflates CSV, so that is the floor for the export's CPU work).
 */
import { createHash } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openAsBlob,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDeflateRaw } from "node:zlib";
import yauzl from "yauzl";
import { generateCsv } from "./generate-csv.ts";
import {
  adminQuery,
  freePort,
  signUpVerified,
  spawnBenchServer,
  startMailServer,
  stopChild,
  waitReady,
} from "./server-process.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const ROWS = Number(process.env.BENCH_ROWS ?? 1_260_000);
// Account mail (the sign-up's verification link) goes to a local SMTP server of the bench's own.
const mail = await startMailServer();

async function startServer(dataDir: string, databaseUrl: string | undefined, port: number) {
  const child = spawnBenchServer({
    root: ROOT,
    port,
    dataDir,
    smtpUrl: mail.url,
    stdout: "inherit",
    env: {
      RUN_EMBEDDED_WORKER: "false",
      RETENTION_SWEEP_MINUTES: "0",
      FILES_MAX_BYTES: String(1024 * 1024 * 1024),
      // The upload is set-up here, not what is measured: room for DuckDB to parse a big file.
      FILES_DUCKDB_MEMORY_MB: "1024",
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base, 300);
  return {
    base,
    child,
    async stop() {
      await stopChild(child);
    },
  };
}

const rssMb = (pid: number, field: "VmRSS" | "VmHWM") => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const sink = () =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });

/** Name and uncompressed size of every entry of a zip on disk. */
function zipEntries(file: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, number>();
      zip.on("entry", (e: yauzl.Entry) => {
        out.set(e.fileName, e.uncompressedSize);
        zip.readEntry();
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

const work = mkdtempSync(path.join(tmpdir(), "mw-bench-export-"));
const csv = path.join(work, "deals.csv");
const serverUrl = process.env.DATABASE_URL;
const dbName = `mw_bench_export_${Date.now().toString(36)}`;
let databaseUrl: string | undefined;
if (serverUrl) {
  await adminQuery(serverUrl, `create database ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  databaseUrl = u.toString();
}
try {
  await generateCsv(csv, ROWS);
  const size = statSync(csv).size;
  console.log(`database: ${serverUrl ? "PostgreSQL" : "embedded PGlite"}`);
  console.log(`file: ${ROWS.toLocaleString("en")} rows, ${(size / 1e6).toFixed(1)} MB`);
  const hashMs = await timed(async () => {
    const h = createHash("sha256");
    for await (const c of createReadStream(csv)) h.update(c as Buffer);
    h.digest();
  });
  const deflateMs = await timed(() => pipeline(createReadStream(csv), createDeflateRaw(), sink()));

  console.log("baselines done; starting the server");
  const dataDir = path.join(work, "data");
  const port = await freePort();
  // 1. Upload, as an owner with a cookie session (exports take a person, not an API key).
  let server = await startServer(dataDir, databaseUrl, port);
  const { cookie, csrfToken } = await signUpVerified(server.base, mail, {
    email: `bench-${Date.now()}@example.com`,
    password: "bench passphrase 2026",
    name: "B",
  });
  const headers = { cookie, "x-csrf-token": csrfToken };
  await fetch(`${server.base}/api/v1/orgs`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ name: "Export Bench" }),
  });
  const form = new FormData();
  form.append("file", await openAsBlob(csv, { type: "text/csv" }), "deals.csv");
  const upload = await fetch(`${server.base}/api/v1/files`, { method: "POST", headers, body: form });
  if (upload.status !== 201) throw new Error(`upload failed: ${upload.status} ${await upload.text()}`);
  const { id: fileId } = (await upload.json()) as { id: string };
  console.log("uploaded; restarting the server");
  await server.stop();

  // 2. A fresh server on the same data: its peak so far is start-up only.
  server = await startServer(dataDir, databaseUrl, port);
  try {
    const pid = server.child.pid!;
    const before = rssMb(pid, "VmRSS");
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(pid, "VmRSS"));
    }, 20);
    const zipPath = path.join(work, "export.zip");
    const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    let firstByteMs = 0;
    const exportMs = await timed(async () => {
      const t0 = performance.now();
      const res = await fetch(`${server.base}/api/v1/org/export`, { headers });
      if (res.status !== 200 || !res.body)
        throw new Error(`export failed: ${res.status} ${await res.text()}`);
      firstByteMs = performance.now() - t0;
      await pipeline(Readable.fromWeb(res.body as never), createWriteStream(zipPath));
    });
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid, "VmRSS"));
    const hwm = rssMb(pid, "VmHWM");
    const entries = await zipEntries(zipPath);
    const original = entries.get(`files/${fileId}/deals.csv`);
    if (original !== size) throw new Error(`the zip holds ${original} bytes of the file, expected ${size}`);
    const zipBytes = statSync(zipPath).size;

    console.log(`\n| measure | value | ratio to one SHA-256 pass (${hashMs.toFixed(0)} ms) |`);
    console.log("|---|---|---|");
    console.log(
      `| one raw-deflate pass over the file (baseline) | ${(deflateMs / 1000).toFixed(2)} s | ${(deflateMs / hashMs).toFixed(1)} |`,
    );
    console.log(
      `| GET /org/export, downloaded to disk (${entries.size} entries, zip ${(zipBytes / 1e6).toFixed(1)} MB) | ${(exportMs / 1000).toFixed(2)} s | ${(exportMs / hashMs).toFixed(1)} (${(exportMs / deflateMs).toFixed(2)} × deflate) |`,
    );
    console.log(`| … time to first byte | ${firstByteMs.toFixed(0)} ms | |`);
    console.log(
      `| server resident set: before ${before.toFixed(0)} MB, peak while exporting ${peak.toFixed(0)} MB | Δ ${(peak - before).toFixed(0)} MB | |`,
    );
    console.log(`| server VmHWM (peak since start) | ${hwm.toFixed(0)} MB | |`);
    console.log(`\nmachine load average before the export: ${load} (on ${os.availableParallelism()} cores)`);
  } finally {
    await server.stop();
  }
} finally {
  if (serverUrl) await adminQuery(serverUrl, `drop database if exists ${dbName} with (force)`);
  rmSync(work, { recursive: true, force: true });
  await mail.close();
}
