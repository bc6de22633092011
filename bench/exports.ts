/**
 * Exports (issue 6): XLSX of a 100,000-row table, and the PDF (plus XLSX and Word) report of a
 * tif run. Each case runs in a fresh child process so its peak RSS is its own; the baseline is
 * the CSV of the same 100,000 rows, measured the same way, and the child's RSS before rendering.
 *
 *   npm run bench:exports            (BENCH_ROWS=100000, BENCH_REPEATS=5 for the tif report)
 */

import { execFileSync } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { tifV2 } from "@modelworks/engine-tif";
import { createContext, defineModel, executeModel } from "@modelworks/model-kit";
import { z } from "zod";
import type { ExportFormat } from "../packages/server/src/exports/documents.ts";
import { exportRun } from "../packages/server/src/exports/index.ts";
import { createExportPool } from "../packages/server/src/exports/pool.ts";
import type { ExportableRun } from "../packages/server/src/exports/report.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

/** A model whose one table has ROWS rows of 12 typed columns (integers, text, money, %, dates). */
const wide = defineModel({
  id: "bench-wide",
  version: "1.0.0",
  title: "Bench: a 100,000-row schedule",
  summary: "Synthetic loan-level schedule for export benchmarks.",
  input: z.object({ rows: z.number() }),
  output: z.object({ currency: z.string(), rows: z.array(z.record(z.string(), z.unknown())) }),
  examples: [],
  tables: [
    {
      name: "loans",
      title: "Loan-level schedule",
      rows: "rows",
      columns: [
        { key: "row", title: "Row", format: "integer" },
        { key: "loanId", title: "Loan", format: "text" },
        { key: "borrower", title: "Borrower", format: "text" },
        { key: "originated", title: "Originated", format: "date" },
        { key: "termMonths", title: "Term", unit: "months", format: "integer" },
        { key: "principal", title: "Principal", unit: "currency", format: "currency", decimals: 2 },
        { key: "rate", title: "Rate", unit: "fraction/yr", format: "percent", decimals: 3 },
        { key: "payment", title: "Payment", unit: "currency/month", format: "currency", decimals: 2 },
        { key: "balance", title: "Balance", unit: "currency", format: "currency", decimals: 2 },
        { key: "ltv", title: "LTV", unit: "fraction", format: "percent", decimals: 1 },
        { key: "dscr", title: "DSCR", unit: "x", format: "number", decimals: 2 },
        { key: "status", title: "Status", format: "text" },
      ],
    },
  ],
  run: () => ({ currency: "AED", rows: [] }),
});

function wideRun(): ExportableRun {
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    row: i + 1,
    loanId: `L-${String(i).padStart(6, "0")}`,
    borrower: `Borrower ${i % 997}`,
    originated: `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`,
    termMonths: 60 + (i % 5) * 60,
    principal: 100_000 + ((i * 7919) % 900_000) + 0.25,
    rate: 0.03 + (i % 40) / 1000,
    payment: 1_000 + ((i * 31) % 9_000) + 0.5,
    balance: 50_000 + ((i * 104_729) % 850_000) + 0.75,
    ltv: 0.4 + (i % 35) / 100,
    dscr: 1 + (i % 150) / 100,
    status: i % 13 === 0 ? "watch" : "performing",
  }));
  const now = new Date();
  return {
    id: "00000000-0000-4000-8000-000000000000",
    modelId: wide.id,
    modelVersion: wide.version,
    status: "succeeded",
    input: { rows: ROWS },
    output: { currency: "AED", rows },
    createdAt: now,
    startedAt: now,
    finishedAt: now,
    scenarioRevision: null,
  };
}

async function tifRun(): Promise<ExportableRun> {
  const example = tifV2.examples[0]!;
  const output = await executeModel(tifV2, example.input, createContext());
  const now = new Date();
  return {
    id: "11111111-0000-4000-8000-000000000000",
    modelId: tifV2.id,
    modelVersion: tifV2.version,
    status: "succeeded",
    input: tifV2.input.parse(example.input),
    output,
    createdAt: now,
    startedAt: now,
    finishedAt: now,
    scenarioRevision: null,
  };
}

/** One case, in this (child) process: timing of each repeat, file size, peak RSS. */
async function child(name: string) {
  const [kind, format, via] = name.split(":") as ["wide" | "tif", ExportFormat, "pool" | undefined];
  const model = kind === "wide" ? wide : tifV2;
  const run = kind === "wide" ? wideRun() : await tifRun();
  // "pool": rendered in an export thread as the server does; the stall is then the main thread's.
  const pool = via === "pool" ? createExportPool(1) : null;
  const render = () =>
    pool ? pool.render({ run, format, document: "report" }) : exportRun(model, run, format);
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
  const repeats = kind === "wide" ? 1 : REPEATS + 1; // the tif report: one warm-up, then REPEATS
  const times: number[] = [];
  let bytes = 0;
  // The longest the event loop was blocked while rendering: what other requests on the server would wait.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const file = await render();
    times.push(performance.now() - t0);
    bytes = file.body.length;
    // Let the delay monitor's timer run: a render that never yields is then recorded as one stall.
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  loop.disable();
  await pool?.close();
  const maxStallMs = loop.max / 1e6;
  const measured = kind === "wide" ? times : times.slice(1);
  measured.sort((a, b) => a - b);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      name,
      ms: measured[Math.floor(measured.length / 2)],
      bytes,
      rssBeforeMb,
      peakRssMb,
      maxStallMs,
    }),
  );
}

function measure(name: string) {
  const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), name], {
    encoding: "utf8",
    env: process.env,
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as {
    name: string;
    ms: number;
    bytes: number;
    rssBeforeMb: number;
    peakRssMb: number;
    maxStallMs: number;
  };
}

if (process.argv[2]) {
  await child(process.argv[2]);
} else {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(2)} MB`;
  const csv = measure("wide:csv");
  const xlsx = measure("wide:xlsx");
  const lines = [
    `Exports — node ${process.version}, ${ROWS.toLocaleString("en-US")}-row table × 12 columns; tif report median of ${REPEATS} after 1 warm-up`,
    "",
    "| case | time | ratio to CSV | file | peak RSS (RSS before rendering) | longest event-loop stall |",
    "|---|---|---|---|---|---|",
  ];
  const labels: Record<string, string> = {
    "wide:csv": "CSV (baseline)",
    "wide:xlsx": "XLSX",
  };
  for (const r of [csv, xlsx]) {
    lines.push(
      `| ${labels[r.name]} of ${ROWS.toLocaleString("en-US")} rows | ${(r.ms / 1000).toFixed(2)} s | ${(r.ms / csv.ms).toFixed(2)} | ${mb(r.bytes)} | ${r.peakRssMb.toFixed(0)} MB (${r.rssBeforeMb.toFixed(0)} MB) | ${r.maxStallMs.toFixed(0)} ms |`,
    );
  }
  for (const format of ["pdf", "docx", "xlsx", "pdf:pool"] as const) {
    const r = measure(`tif:${format}`);
    const label = format === "pdf:pool" ? "PDF in an export thread (as served)" : format.toUpperCase();
    lines.push(
      `| tif@2 run report, ${label} (67 periods, 2 charts) | ${r.ms.toFixed(0)} ms | — | ${mb(r.bytes)} | ${r.peakRssMb.toFixed(0)} MB (${r.rssBeforeMb.toFixed(0)} MB) | ${r.maxStallMs.toFixed(0)} ms |`,
    );
  }
  console.log(lines.join("\n"));
}
