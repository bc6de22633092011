/**
 * Response model, data checks and evaluation at file scale (issue 15 items 1 and 4).
 *
 *   node --import tsx bench/response-model-data.ts        # BENCH_ROWS=200000 BENCH_EVAL_ROWS=1000000
 *
 * Checks: a generated customer file of BENCH_ROWS rows × 60 fields (30 recency 1–5 with gaps,
 * 20 letter codes, 8 nominal segments, one 5,000-level code, one leaked flag) → `checkData`
 * (profiles, High/Low orders, completion, |r| pairs over the 50 numeric/ordinal fields, leakage).
 * Evaluation: `evaluateScores` on BENCH_EVAL_ROWS scores (AUC + DeLong, KS, AP, log loss, Brier,
 * calibration, curves, deciles, gate). Baseline: sorting the same number of doubles once
 * (Float64Array.prototype.sort), the O(n log n) floor every ranked metric pays.
 */
import { checkData } from "../packages/engines/response-model/src/data/index.ts";
import { evaluateScores } from "../packages/engines/response-model/src/evaluate/index.ts";
import { generateCustomers, rng } from "./response-model-customers.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const EVAL_ROWS = Number(process.env.BENCH_EVAL_ROWS ?? 1_000_000);

const generate = generateCustomers;

/** Wall and CPU time (the VM is shared: CPU time is the steadier of the two). */
function time<T>(f: () => T): { ms: number; cpuMs: number; value: T } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = f();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, value };
}

const baseline = (n: number) => {
  const r = rng(3);
  const xs = Float64Array.from({ length: n }, () => r());
  return time(() => xs.sort()).cpuMs;
};

const { table, directions } = generate(ROWS);
const sortRows = baseline(ROWS);
const checks = time(() => checkData({ table, target: "target", directions }));
console.log(
  `checkData: ${ROWS.toLocaleString()} rows × ${table.names.length - 1} fields: ${checks.cpuMs.toFixed(0)} ms CPU (${checks.ms.toFixed(0)} ms wall)` +
    ` = ${(checks.cpuMs / sortRows).toFixed(0)}× one sort of ${ROWS.toLocaleString()} doubles (${sortRows.toFixed(1)} ms CPU);` +
    ` ${checks.value.leakageSplitsTested} leakage splits, flagged: ${checks.value.excluded.map((e) => `${e.field} (${e.reasons.join(",")})`).join(", ")}`,
);

const r = rng(11);
const y = new Uint8Array(EVAL_ROWS);
const p = new Float64Array(EVAL_ROWS);
for (let i = 0; i < EVAL_ROWS; i++) {
  y[i] = r() < 0.02 ? 1 : 0;
  p[i] = 1 / (1 + Math.exp(-(-4 + 1.5 * (y[i] as number) + r() * 2)));
}
const sortEval = baseline(EVAL_ROWS);
const evaluation = time(() => evaluateScores(y, p));
console.log(
  `evaluateScores: ${EVAL_ROWS.toLocaleString()} scores: ${evaluation.cpuMs.toFixed(0)} ms CPU (${evaluation.ms.toFixed(0)} ms wall)` +
    ` = ${(evaluation.cpuMs / sortEval).toFixed(1)}× one sort (${sortEval.toFixed(1)} ms CPU);` +
    ` AUC ${evaluation.value.auc.auc.toFixed(4)} [${evaluation.value.auc.lower.toFixed(4)}, ${evaluation.value.auc.upper.toFixed(4)}],` +
    ` top-decile lift ${evaluation.value.gate.topDecileLift.toFixed(2)}`,
);
