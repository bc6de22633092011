/**
 * A hosted response-model fit (issue 15, the 219–306 s fit of a 50k-row file): the engine run the
 * platform's engine thread does — input validation, `runResponseModel`, output validation, the
 * output's JSON — on a generated customer file (bench/response-model-customers.ts), with CPU time
 * per phase (a phase = a progress message up to its first ":", as runs.phase_timings groups them).
 *
 *   npm run bench:response-model-hosted                 # BENCH_ROWS=50000 (the hosted maximum)
 *   BENCH_SAVE=/tmp/out.json npm run bench:response-model-hosted     # keep the output
 *   BENCH_COMPARE=/tmp/out.json npm run bench:response-model-hosted  # same numbers as a kept output?
 *   BENCH_PROFILE=1 …                                   # one thread, for node --cpu-prof
 *
 * CPU time is process-wide (helper threads included); on a shared machine it is the measure of the
 * work, wall time is reported beside it. The compare step walks both outputs and fails on any
 * difference in structure or text, or a number differing by more than 1e-12 (relative beyond 1).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseInput } from "@modelworks/model-kit";
import { responseModel } from "../packages/engines/response-model/src/model.ts";
import { runResponseModel } from "../packages/engines/response-model/src/pipeline.ts";
import { generateCustomers, tableRecords } from "./response-model-customers.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

type Phase = { name: string; cpuMs: number; wallMs: number };
const phases: Phase[] = [];
let current: { name: string; cpu0: number; wall0: number } | null = null;
function enter(name: string) {
  const cpu = cpuMs();
  const wall = performance.now();
  if (current) phases.push({ name: current.name, cpuMs: cpu - current.cpu0, wallMs: wall - current.wall0 });
  current = name ? { name, cpu0: cpu, wall0: wall } : null;
}

const { table, directions } = generateCustomers(ROWS);
const records = tableRecords(table);
const raw = {
  records,
  target: "target",
  fieldEnds: directions,
  mailing: { fileSize: 100_000, costPerPieceUsd: 0.65, valuePerResponseUsd: 45 },
};
console.log(
  `response-model hosted fit: ${ROWS.toLocaleString()} rows × ${table.names.length - 1} fields; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ")}`,
);

const cpuStart = cpuMs();
const wallStart = performance.now();
enter("validate input");
const input = parseInput(responseModel, raw);
const controller = new AbortController();
const output = await runResponseModel(input, {
  signal: controller.signal,
  progress: (_fraction, message) => {
    const name = (message ?? "").split(":")[0] as string;
    if (name !== current?.name) enter(name);
  },
});
enter("validate output");
const parsed = responseModel.output.safeParse(output);
if (!parsed.success) throw new Error(`output invalid: ${parsed.error.message}`);
enter("serialize output");
const json = JSON.stringify(parsed.data);
enter("");
const total = { cpuMs: cpuMs() - cpuStart, wallMs: performance.now() - wallStart };

const merged = new Map<string, Phase>();
for (const p of phases) {
  const m = merged.get(p.name) ?? { name: p.name, cpuMs: 0, wallMs: 0 };
  m.cpuMs += p.cpuMs;
  m.wallMs += p.wallMs;
  merged.set(p.name, m);
}
for (const p of merged.values())
  console.log(
    `  ${p.name.padEnd(34)} ${(p.cpuMs / 1000).toFixed(2).padStart(8)} s CPU ${(p.wallMs / 1000).toFixed(2).padStart(8)} s wall  ${((100 * p.cpuMs) / total.cpuMs).toFixed(1).padStart(5)} %`,
  );
console.log(
  `  ${"total".padEnd(34)} ${(total.cpuMs / 1000).toFixed(2).padStart(8)} s CPU ${(total.wallMs / 1000).toFixed(2).padStart(8)} s wall; output ${(json.length / 1e6).toFixed(1)} MB JSON; AUC ${output.kpis.holdoutAuc.toFixed(6)}, ${output.kpis.activeColumns} active columns, ${output.forwardSelection.rows.length} selection steps`,
);

if (process.env.BENCH_SAVE) writeFileSync(process.env.BENCH_SAVE, json);
if (process.env.BENCH_COMPARE) {
  const before = JSON.parse(readFileSync(process.env.BENCH_COMPARE, "utf8"));
  const after = JSON.parse(json);
  const diffs: string[] = [];
  let maxDiff = 0;
  const walk = (a: unknown, b: unknown, path: string) => {
    if (diffs.length >= 10) return;
    if (typeof a === "number" && typeof b === "number") {
      const d = Math.abs(a - b) / Math.max(1, Math.abs(a));
      maxDiff = Math.max(maxDiff, d);
      if (d > 1e-12) diffs.push(`${path}: ${a} → ${b}`);
    } else if (a && b && typeof a === "object" && typeof b === "object") {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys)
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    } else if (a !== b)
      diffs.push(`${path}: ${JSON.stringify(a)?.slice(0, 80)} → ${JSON.stringify(b)?.slice(0, 80)}`);
  };
  walk(before, after, "output");
  console.log(
    diffs.length
      ? `compare: DIFFERENT from ${process.env.BENCH_COMPARE}:\n  ${diffs.join("\n  ")}`
      : `compare: same as ${process.env.BENCH_COMPARE} (max relative difference ${maxDiff.toExponential(1)})`,
  );
  if (diffs.length) process.exitCode = 1;
}
