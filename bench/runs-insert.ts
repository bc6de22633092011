/**
 * PostgreSQL backend CPU per insert of one tif run (its 2 KB input and 51 KB output), by how the
 * output is stored: jsonb or json, pglz or lz4, prepared or not (decision 0052). Backend CPU from
 * /proc/<backend pid>/stat, so Linux with the server on this machine.
 *
 *   DATABASE_URL=postgres://… npm run bench:runs-insert
 */
import { readFileSync } from "node:fs";
import { catalog } from "@modelworks/catalog";
import { createContext, executeModel, parseInput } from "@modelworks/model-kit";
import pg from "pg";

const tif = catalog.find("tif");
if (!tif?.examples?.[0]) throw new Error("tif with an example is not in the catalog");
const input = parseInput(tif, tif.examples[0].input);
const outJson = JSON.stringify(await executeModel(tif, input, createContext(), { inputParsed: true }));
const inJson = JSON.stringify(input);
const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
await c.connect();
const {
  rows: [{ pid }],
} = await c.query("select pg_backend_pid() as pid");
const cpu = () => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};
await c.query(
  "create temp table t_jsonb (id serial primary key, input jsonb, output jsonb); create temp table t_json (id serial primary key, input jsonb, output json); create temp table t_text (id serial primary key, input jsonb, output text)",
);
const N = Number(process.env.BENCH_INSERTS ?? 400);
async function bench(name: string, setup: string, sqlText: string, prepared = false) {
  await c.query(setup);
  for (let i = 0; i < 20; i++) await c.query(sqlText, [inJson, outJson]);
  const a = cpu();
  const w = performance.now();
  for (let i = 0; i < N; i++)
    await c.query(
      prepared
        ? { name: name, text: sqlText, values: [inJson, outJson] }
        : { text: sqlText, values: [inJson, outJson] },
    );
  console.log(
    name.padEnd(30),
    ((cpu() - a) / N).toFixed(3),
    "ms backend cpu/insert",
    ((performance.now() - w) / N).toFixed(2),
    "ms wall",
  );
}
await bench(
  "jsonb pglz",
  "set default_toast_compression=pglz",
  "insert into t_jsonb (input, output) values ($1::jsonb, $2::jsonb)",
);
await bench(
  "jsonb lz4",
  "set default_toast_compression=lz4",
  "insert into t_jsonb (input, output) values ($1::jsonb, $2::jsonb)",
);
await bench(
  "jsonb lz4 prepared",
  "set default_toast_compression=lz4",
  "insert into t_jsonb (input, output) values ($1::jsonb, $2::jsonb)",
  true,
);
await bench(
  "json lz4",
  "set default_toast_compression=lz4",
  "insert into t_json (input, output) values ($1::jsonb, $2::json)",
);
await bench(
  "text lz4",
  "set default_toast_compression=lz4",
  "insert into t_text (input, output) values ($1::jsonb, $2)",
);
await bench(
  "jsonb lz4 again",
  "set default_toast_compression=lz4",
  "insert into t_jsonb (input, output) values ($1::jsonb, $2::jsonb)",
);
await bench(
  "jsonb pglz again",
  "set default_toast_compression=pglz",
  "insert into t_jsonb (input, output) values ($1::jsonb, $2::jsonb)",
);
const r = await c.query(
  "select pg_column_size(output) s, pg_column_compression(output) m from t_jsonb order by id desc limit 1",
);
console.log(r.rows, outJson.length);
await c.end();
