/**
 * Dashboard visual queries on 1,000,000 rows (issue 16; goal: each visual's query < 200 ms).
 * A generated 1M-row table (a date over three years, 50 states, three small categories, an id and
 * five measures) in an in-process DuckDB limited to 2 threads (as the server's instance is); the
 * built-in planner plans it from a profile with a 2,000-row sample, and every visual's compiled
 * query runs 5 times (median reported), unfiltered and then with a slicer and a cross-filter set.
 * Baseline in the same run: `select count(*)` and a one-column `sum` over the same table (a scan).
 *
 * BENCH_SOURCE=parquet reads the table as the server does for a conversation's live queries
 * (src/conversations/query.ts): a view over the file's Parquet, named through `relations`.
 *
 *   npm run bench:dashboard-queries        # BENCH_ROWS=1000000 by default
 *   BENCH_SOURCE=parquet npm run bench:dashboard-queries
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { compileVisual, planDashboard, type QueryOptions } from "@modelworks/engine-dashboard-planner";
import { profileTable, rowsOf } from "../packages/engines/dashboard-planner/test/duck.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const db = await DuckDBInstance.create(":memory:", { threads: "2", memory_limit: "512MB" });
const c = await db.connect();
const t0 = performance.now();
await c.run(`create table orders as
  select i as order_id,
    DATE '2022-01-01' + (i % 1096)::INTEGER as day,
    (['Alabama','Alaska','Arizona','Arkansas','California','Colorado','Connecticut','Delaware','Florida','Georgia',
      'Hawaii','Idaho','Illinois','Indiana','Iowa','Kansas','Kentucky','Louisiana','Maine','Maryland',
      'Massachusetts','Michigan','Minnesota','Mississippi','Missouri','Montana','Nebraska','Nevada','New Hampshire','New Jersey',
      'New Mexico','New York','North Carolina','North Dakota','Ohio','Oklahoma','Oregon','Pennsylvania','Rhode Island','South Carolina',
      'South Dakota','Tennessee','Texas','Utah','Vermont','Virginia','Washington','West Virginia','Wisconsin','Wyoming'])[1 + (hash(i) % 50)::INTEGER] as state,
    (['web','store','phone'])[1 + (hash(i + 1) % 3)::INTEGER] as channel,
    (['a','b','c','d','e'])[1 + (hash(i + 2) % 5)::INTEGER] as segment,
    (hash(i + 3) % 20)::INTEGER + 1 as units,
    round((hash(i + 4) % 100000) / 100.0, 2) as price,
    round((hash(i + 5) % 300) / 1000.0, 3) as discount_rate,
    round((hash(i + 6) % 5000) / 10.0 + (hash(i + 3) % 20) * 3, 1) as revenue,
    round((hash(i + 7) % 1000) / 10.0, 1) as satisfaction_score
  from range(0, ${ROWS}) t(i)`);
const loadMs = performance.now() - t0;
const profile = await profileTable(c, "orders", 2000);
const plan = planDashboard({ tables: [profile] });
const PARQUET = process.env.BENCH_SOURCE === "parquet";
const scratch = mkdtempSync(path.join(tmpdir(), "mw-dash-bench-"));
let source = "orders";
if (PARQUET) {
  const file = path.join(scratch, "orders.parquet");
  await c.run(`copy orders to '${file}' (format parquet, compression snappy)`);
  await c.run(`create temp view orders_pq as select * from read_parquet('${file}')`);
  source = "orders_pq";
}
const relations = { orders: source };

async function median(sql: string, params: unknown[] = [], runs = 5) {
  await rowsOf(c, sql, params as never);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await rowsOf(c, sql, params as never);
    times.push(performance.now() - s);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const baseCount = await median(`select count(*) from ${source}`);
const baseSum = await median(`select sum(revenue) from ${source}`);
const filtered: QueryOptions = {
  relations,
  slicers: Object.fromEntries(
    plan.pages[0]!.slicers.filter((s) => s.kind === "list").map((s) => [s.id, { values: [] }]),
  ),
  selections: [{ field: { table: "orders", column: "state" }, values: ["Texas", "Ohio", "Utah"] }],
};
const channel = plan.pages[0]!.slicers.find((s) => s.field.column === "channel");
if (channel) filtered.slicers![channel.id] = { values: ["web", "store"] };

const lines = [
  `dashboard visual queries — ${ROWS.toLocaleString("en-US")} rows${PARQUET ? " from Parquet" : ""}, DuckDB 2 threads, node ${process.version}; table generated in ${loadMs.toFixed(0)} ms`,
  `baseline: count(*) ${baseCount.toFixed(1)} ms, sum(revenue) ${baseSum.toFixed(1)} ms`,
  "",
  "| visual | kind | median | with slicer + cross-filter | ratio to sum(revenue) |",
  "|---|---|---|---|---|",
];
for (const page of plan.pages) {
  for (const v of page.visuals) {
    const q = compileVisual(plan, v.id, [profile], { relations });
    const qf = compileVisual(plan, v.id, [profile], filtered);
    const ms = await median(q.sql, q.params);
    const msf = await median(qf.sql, qf.params);
    lines.push(
      `| ${v.id} | ${v.kind} | ${ms.toFixed(1)} ms | ${msf.toFixed(1)} ms | ${(ms / baseSum).toFixed(1)} |`,
    );
  }
}
console.log(lines.join("\n"));
c.closeSync();
rmSync(scratch, { recursive: true, force: true });
