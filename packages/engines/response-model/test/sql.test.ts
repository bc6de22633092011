/**
 * The exported scoring SELECT, run in real engines over the raw text columns, must reproduce the
 * engine's probabilities to 1e-12: DuckDB, PostgreSQL through PGlite, and a real PostgreSQL when
 * DATABASE_URL is set. Snowflake and BigQuery text is checked for its dialect's syntax only.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { fitLognet } from "../src/fit/lognet.ts";
import { type ScoringModel, scoreProbability } from "../src/fit/scoring-model.ts";
import { prepare } from "../src/prepare/prepare.ts";
import { buildScorecard, scoreRecord } from "../src/scorecard/index.ts";
import { doubleLiteral, type SqlDialect, scoringSql } from "../src/sql/index.ts";
import type { RawTable } from "../src/types.ts";
import { loadSample, syntheticTable } from "./helpers.ts";

function fitModel(
  table: RawTable,
  specs: Parameters<typeof prepare>[1],
  y: Float64Array,
  options = {},
): ScoringModel {
  const { preparation, design } = prepare(table, specs, options);
  const lambdaMax = fitLognet(design, y, { lambda: [1] }).lambdaMax;
  const fit = fitLognet(design, y, { lambda: [0.01 * lambdaMax], alpha: 0.5 });
  return { preparation, intercept: fit.intercept[0]!, coefficients: Array.from(fit.beta[0]!) };
}

/** A scoring file with what a warehouse meets: unseen levels, odd numeric text, quotes, spaces. */
function awkwardCopy(table: RawTable): RawTable {
  const columns = Object.fromEntries(Object.entries(table.columns).map(([k, v]) => [k, [...v]]));
  const n = table.rowCount;
  const set = (field: string, i: number, v: string | null) => {
    columns[field]![i % n] = v;
  };
  set("region", 0, "Atlantis"); // unseen level
  set("region", 1, "O'Brien\\land"); // unseen, with a quote and a backslash
  set("region", 2, "");
  set("income", 3, " $1,234.5 "); // spaces around cleaned text
  set("income", 4, "n/a"); // not a number: missing
  set("income", 5, "1e3");
  set("income", 6, "-.5%");
  set("income", 7, "0x10"); // JavaScript would read 16; not a number here
  set("income", 8, "12\t"); // a tab is not trimmed: not a number
  set("recency", 9, "7"); // beyond the training range, flipped about the training maximum
  set("grade", 10, "Z"); // unseen ordinal level
  set("grade", 11, null);
  set("spend", 12, "");
  return { names: table.names, columns, rowCount: n };
}

interface Case {
  name: string;
  model: ScoringModel;
  table: RawTable;
  scorecard: ReturnType<typeof buildScorecard>;
}
let cases: Case[];
beforeAll(() => {
  const sample = loadSample();
  const synth = syntheticTable(1500, 5);
  const sampleModel = fitModel(sample.table, sample.specs, sample.y);
  const synthModel = fitModel(synth.table, synth.specs, synth.y, {
    missingIndicators: true,
    minLevelCount: 360,
  });
  cases = [
    {
      name: "sample_data.csv",
      model: sampleModel,
      table: sample.table,
      scorecard: buildScorecard(sampleModel, { kind: "pdo", basePoints: 600, baseOdds: 1 / 50, pdo: 20 }),
    },
    {
      name: "synthetic, indicators + pooling, awkward scoring file",
      model: synthModel,
      table: awkwardCopy(synth.table),
      scorecard: buildScorecard(synthModel, { kind: "prototype" }),
    },
  ];
  // The synthetic case must exercise pooling and the indicators.
  const prep = cases[1]!.model.preparation;
  expect(prep.fields.find((f) => f.kind === "nominal")?.levels).toContain("OTHER");
  expect(prep.columns.some((c) => c.role === "missing")).toBe(true);
});

/** CREATE TABLE with text columns plus a row number, and INSERTs in batches. */
function loadStatements(table: RawTable, name: string, quote: (v: string) => string): string[] {
  const cols = table.names.map((c) => `"${c}"`);
  const out = [`CREATE TABLE ${name} ("row_id" INTEGER, ${cols.map((c) => `${c} VARCHAR`).join(", ")})`];
  for (let start = 0; start < table.rowCount; start += 500) {
    const rows: string[] = [];
    for (let i = start; i < Math.min(start + 500, table.rowCount); i++)
      rows.push(
        `(${i}, ${table.names.map((c) => (table.columns[c]![i] === null ? "NULL" : quote(table.columns[c]![i]!))).join(", ")})`,
      );
    out.push(`INSERT INTO ${name} VALUES ${rows.join(", ")}`);
  }
  return out;
}
const sqlString = (v: string) => `'${v.replaceAll("'", "''")}'`;

interface Row {
  row_id: number;
  probability: number;
  points: number;
}

/** Probabilities to 1e-12, and the scorecard's points as `scoreRecord` gives them (1e-9). */
function expectSame(c: Case, rows: Row[]) {
  const expected = scoreProbability(c.model, c.table);
  const card = c.scorecard;
  expect(rows.length).toBe(c.table.rowCount);
  let worst = 0;
  let worstPoints = 0;
  for (const r of rows) {
    const i = Number(r.row_id);
    worst = Math.max(worst, Math.abs(Number(r.probability) - expected[i]!));
    const record = Object.fromEntries(c.table.names.map((n) => [n, c.table.columns[n]![i]]));
    worstPoints = Math.max(worstPoints, Math.abs(Number(r.points) - scoreRecord(card, record)));
  }
  expect(worst, c.name).toBeLessThan(1e-12);
  expect(worstPoints, `${c.name}: points`).toBeLessThan(1e-9);
}

async function runPostgres(query: (sql: string) => Promise<Row[]>, prefix: string) {
  for (const [k, c] of cases.entries()) {
    const name = `${prefix}_${k}`;
    for (const s of loadStatements(c.table, name, sqlString)) await query(s);
    const sql = scoringSql(c.model, {
      dialect: "postgresql",
      table: name.split("."),
      passThrough: ["row_id"],
      scorecard: c.scorecard,
    });
    expectSame(c, await query(`${sql} ORDER BY 1`));
  }
}

// PGlite boots a WebAssembly PostgreSQL; on a loaded machine that alone can take 20 s.
describe("scoring SQL", () => {
  it("DuckDB reproduces the engine's probabilities to 1e-12", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      for (const [k, c] of cases.entries()) {
        for (const s of loadStatements(c.table, `t${k}`, sqlString)) await conn.run(s);
        const sql = scoringSql(c.model, {
          dialect: "duckdb",
          table: [`t${k}`],
          passThrough: ["row_id"],
          scorecard: c.scorecard,
        });
        const reader = await conn.runAndReadAll(sql);
        expectSame(c, reader.getRowObjectsJS() as unknown as Row[]);
      }
    } finally {
      conn.closeSync();
    }
  }, 120_000);

  it("PostgreSQL (PGlite) reproduces the engine's probabilities to 1e-12", async () => {
    const db = new PGlite();
    try {
      await runPostgres(async (s) => (await db.query<Row>(s)).rows, "t");
    } finally {
      await db.close();
    }
  }, 120_000);

  it.skipIf(!process.env.DATABASE_URL)(
    "a real PostgreSQL (DATABASE_URL) reproduces them too",
    async () => {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      const schema = `rm_sql_${process.pid}_${Date.now()}`;
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
        await runPostgres(async (s) => (await client.query(s)).rows, `${schema}.t`);
      } finally {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
    120_000,
  );

  it("writes every dialect's quoting, casts and literals", () => {
    const model = cases[1]!.model;
    const text = (dialect: SqlDialect) =>
      scoringSql(model, { dialect, table: ["crm", "customers"], passThrough: ["ID"] });
    expect(text("bigquery")).toContain("`crm`.`customers`");
    expect(text("bigquery")).toContain("SAFE_CAST(");
    expect(text("bigquery")).toContain("REGEXP_CONTAINS(");
    expect(text("snowflake")).toContain('"crm"."customers"');
    expect(text("snowflake")).toContain("TRY_TO_DOUBLE(");
    expect(text("postgresql")).toContain("BTRIM(");
    // Literals read back as the same double.
    for (const x of [0.1, -1 / 3, 1e-300, 123456789.12345679, 2 ** -1074, -0])
      expect(Number(doubleLiteral(x).replace(/[()]/g, ""))).toBe(x === 0 ? 0 : x);
  });
});
