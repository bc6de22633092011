/**
 * A hosted response-model fit through the server, in process (issue 15): the generated 50k-row
 * customer file (bench/response-model-customers.ts) uploaded as CSV, then
 * POST /models/response-model/runs with `data: { fileId }` as the web does, and the run followed
 * over its event stream, as the web follows it. Reports the request's time (file → records →
 * input validation → the run stored), the run's time to finish, the server process's CPU time
 * (the engine runs in its own host process, not counted here: bench:response-model-hosted
 * measures its work), the run's own phase timings (runs.phase_timings), and what one
 * GET /runs/:id (which the web's run page fetched every 3 s while a run ran) and one runs list cost.
 *
 *   npm run bench:response-model-hosted-server                    # BENCH_ROWS=50000
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres …    # PostgreSQL (else PGlite)
 */
import { loadavg } from "node:os";
import { createOwner, createTestApp, request } from "../packages/server/test/harness.ts";
import { multipart } from "../packages/server/test/multipart.ts";
import { generateCustomers } from "./response-model-customers.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const cpuS = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

const { table, directions } = generateCustomers(ROWS);
const lines = [["customer_id", ...table.names].join(",")];
for (let i = 0; i < table.rowCount; i++)
  lines.push([`C${i}`, ...table.names.map((n) => table.columns[n]?.[i] ?? "")].join(","));
const csv = `${lines.join("\n")}\n`;

const t = await createTestApp({}, { worker: true });
try {
  const owner = await createOwner(t.app, "Bench agency");
  const as = (method: "GET" | "POST", url: string, payload?: unknown) =>
    request(t.app, owner, {
      method,
      url,
      headers: { "x-organization-id": owner.orgId },
      ...(payload === undefined ? {} : { payload }),
    });
  const body = multipart("customers.csv", csv);
  const up = await t.app.inject({
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: {
      ...body.headers,
      cookie: owner.cookie,
      "x-csrf-token": owner.csrf,
      "x-organization-id": owner.orgId,
    },
  });
  if (up.statusCode !== 201) throw new Error(`upload: ${up.statusCode} ${up.body}`);
  const fileId = up.json().id as string;
  console.log(
    `response-model hosted fit through the server: ${ROWS.toLocaleString()} rows × ${table.names.length} columns (${(csv.length / 1e6).toFixed(1)} MB CSV), ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" / ")}`,
  );

  const cpu0 = cpuS();
  const wall0 = performance.now();
  const res = await as("POST", "/api/v1/models/response-model/runs?cache=false", {
    input: {
      target: "target",
      idField: "customer_id",
      fieldEnds: directions,
      mailing: { fileSize: 100_000, costPerPieceUsd: 0.65, valuePerResponseUsd: 45 },
    },
    data: { fileId },
  });
  if (res.statusCode !== 202 && res.statusCode !== 200) throw new Error(`run: ${res.statusCode} ${res.body}`);
  const requestS = (performance.now() - wall0) / 1000;
  const requestCpu = cpuS() - cpu0;
  const id = res.json().id as string;
  // Followed as the web follows it: the event stream, which ends with the final status.
  await as("GET", `/api/v1/runs/${id}/events`);
  const totalS = (performance.now() - wall0) / 1000;
  const cpu = cpuS() - cpu0;
  // What the web's run page fetched every 3 s while the run ran (its safety net beside the
  // stream), and the runs list: timed once each, after the run.
  const readCpu0 = cpuS();
  const readWall0 = performance.now();
  const got = await as("GET", `/api/v1/runs/${id}`);
  const readS = (performance.now() - readWall0) / 1000;
  const readCpu = cpuS() - readCpu0;
  const listCpu0 = cpuS();
  const listWall0 = performance.now();
  const list = await as("GET", "/api/v1/runs?limit=20");
  const listS = (performance.now() - listWall0) / 1000;
  const listCpu = cpuS() - listCpu0;
  const run = got.json() as {
    status: string;
    phaseTimings: { message: string; durationMs: number }[] | null;
    error?: unknown;
  };
  console.log(
    `  request (file → records → run stored): ${requestS.toFixed(2)} s wall, ${requestCpu.toFixed(2)} s CPU`,
  );
  const phases = new Map<string, number>();
  for (const p of run.phaseTimings ?? []) {
    const name = p.message.split(":")[0] as string;
    phases.set(name, (phases.get(name) ?? 0) + p.durationMs);
  }
  for (const [name, ms] of phases)
    console.log(`  ${name.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(8)} s wall`);
  console.log(
    `  total: ${totalS.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (server process); run ${run.status}`,
  );
  console.log(
    `  GET /runs/:id after: ${readS.toFixed(2)} s wall, ${readCpu.toFixed(2)} s CPU, ${(got.body.length / 1e6).toFixed(1)} MB; GET /runs?limit=20: ${listS.toFixed(2)} s wall, ${listCpu.toFixed(2)} s CPU, ${(list.body.length / 1e3).toFixed(1)} kB`,
  );
  // The phases are printed for a failed run too (a timeout says how far it got).
  if (run.status !== "succeeded") throw new Error(`run ${run.status}: ${JSON.stringify(run.error)}`);
} finally {
  await t.close();
}
