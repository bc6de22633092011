/**
 * Built-in dashboard planner timing (issue 16; goal: a plan in < 50 ms). Each fixture file is
 * profiled once with DuckDB (as the server does, every row as the sample), then planned repeatedly
 * in-process; plus a synthetic profile the size of the upload benchmark (1,000,000 rows ×
 * 30 columns, with a 5,000-row sample, the most the planner reads). Baseline in the same run:
 * `analyzeTables` alone (roles, grain, relationships), so the ratio shows what planning adds.
 *
 *   npm run bench:dashboard-plan
 */
import { analyzeTables, planDashboard, type TableProfile } from "@modelworks/engine-dashboard-planner";
import {
  FIXTURE_NAMES,
  openFixtures,
  profileTable,
} from "../packages/engines/dashboard-planner/test/duck.ts";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function time(fn: () => unknown) {
  for (let i = 0; i < 20; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 0.5), p99: percentile(samples, 0.99), max: samples.at(-1)! };
}

/** 1M rows × 30 columns: a date, 4 dimensions, a state, an id, 23 measures; 5,000 sampled rows. */
function syntheticProfile(): TableProfile {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const states = ["Texas", "Ohio", "Utah", "Iowa", "Maine", "Idaho", "Oregon", "Nevada"];
  const rows = Array.from({ length: 5000 }, (_, i) => {
    const row: Record<string, string | number> = {
      order_id: 1_000_000 + i,
      day: new Date(Date.UTC(2020, 0, 1 + (i % 1400))).toISOString().slice(0, 10),
      state: states[i % states.length]!,
      channel: ["web", "store", "phone"][i % 3]!,
      segment: ["a", "b", "c", "d", "e"][i % 5]!,
      tier: ["gold", "silver"][i % 2]!,
      sku_group: `g${i % 40}`,
    };
    for (let m = 0; m < 23; m++) row[`amount_${m}`] = Math.round(rand() * 1000 * (m + 1)) / 10;
    return row;
  });
  const names = Object.keys(rows[0]!);
  return {
    name: "orders",
    rowCount: 1_000_000,
    sampleRows: rows,
    columns: names.map((name) => {
      const values = rows.map((r) => r[name]!);
      const numeric = typeof values[0] === "number";
      const distinct = new Set(values).size;
      return {
        name,
        type: name === "day" ? "date" : numeric ? (name === "order_id" ? "integer" : "number") : "string",
        count: 1_000_000,
        missing: 0,
        distinct: name === "order_id" || name.startsWith("amount") ? 1_000_000 : distinct,
        min: name === "day" ? "2020-01-01" : numeric ? Math.min(...(values as number[])) : null,
        max: name === "day" ? "2023-10-31" : numeric ? Math.max(...(values as number[])) : null,
        examples: values.slice(0, 5),
      };
    }),
  };
}

const c = await openFixtures();
const cases: [string, TableProfile[]][] = [];
for (const n of FIXTURE_NAMES) cases.push([n, [await profileTable(c, n)]]);
c.closeSync();
cases.push(["synthetic 1M × 30 (5,000-row sample)", [syntheticProfile()]]);

const lines = [
  `built-in dashboard planner — ${ITERATIONS} plans per case after 20 warm-up, node ${process.version}`,
  "",
  "| table | visuals | median | p99 | max | baseline (analyzeTables) median | ratio |",
  "|---|---|---|---|---|---|---|",
];
for (const [name, tables] of cases) {
  const plan = planDashboard({ tables });
  const run = time(() => planDashboard({ tables }));
  const base = time(() => analyzeTables(tables));
  const count = plan.pages.reduce((s, p) => s + p.visuals.length, 0);
  lines.push(
    `| ${name} | ${count} | ${run.median.toFixed(2)} ms | ${run.p99.toFixed(2)} ms | ${run.max.toFixed(2)} ms | ${base.median.toFixed(2)} ms | ${(run.median / base.median).toFixed(1)} |`,
  );
}
console.log(lines.join("\n"));
