/**
 * Test helper: the fixture CSVs loaded into an in-memory DuckDB as tables named after their files,
 * and profiled the way the server's `files/duck.ts` profiles an upload (same type mapping, counts,
 * distinct, min/max, mean, five examples from the first 200 rows), plus every row as the sample.
 */
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { sharedPath } from "../../../../test-support/shared-dir.ts";
import type { CellValue, ColumnProfile, ColumnType, TableProfile } from "../src/profile/index.ts";

export const FIXTURES = sharedPath("fixtures", "dashboard");
export const FIXTURE_NAMES = ["mpg", "midwest", "caschools", "us_state_guns_panel"] as const;

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

export async function openFixtures(names: readonly string[] = FIXTURE_NAMES): Promise<DuckDBConnection> {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const c = await db.connect();
  for (const n of names) {
    await c.run(
      `create table ${ident(n)} as select * from read_csv('${path.join(FIXTURES, `${n}.csv`).replaceAll("'", "''")}', header=true)`,
    );
  }
  return c;
}

function columnType(duckType: string): ColumnType {
  const t = duckType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(t))
    return "integer";
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL)/.test(t)) return "number";
  if (t === "BOOLEAN") return "boolean";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP")) return "datetime";
  if (t.startsWith("TIME")) return "time";
  return "string";
}

export function jsValue(v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

export async function rowsOf(c: DuckDBConnection, sql: string, params?: CellValue[]) {
  const res = params === undefined ? await c.runAndReadAll(sql) : await c.runAndReadAll(sql, params as never);
  return res
    .getRowObjectsJS()
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsValue(v)]))) as Record<
    string,
    CellValue
  >[];
}

/** `sample`: rows to keep as the sample (a seeded reservoir); default every row. */
export async function profileTable(
  c: DuckDBConnection,
  table: string,
  sample?: number,
): Promise<TableProfile> {
  const desc = await rowsOf(c, `describe ${ident(table)}`);
  const rowCount = Number((await rowsOf(c, `select count(*) n from ${ident(table)}`))[0]!.n);
  const first = await rowsOf(c, `select * from ${ident(table)} limit 200`);
  const rows =
    sample === undefined
      ? await rowsOf(c, `select * from ${ident(table)}`)
      : await rowsOf(
          c,
          `select * from ${ident(table)} using sample reservoir(${Math.trunc(sample)} rows) repeatable (42)`,
        );
  const columns: ColumnProfile[] = [];
  for (const d of desc) {
    const name = String(d.column_name);
    const type = columnType(String(d.column_type));
    const q = ident(name);
    const numeric = type === "integer" || type === "number";
    const [agg] = await rowsOf(
      c,
      `select count(${q}) c, count(distinct ${q}) d, ${
        numeric
          ? `min(${q})::double lo, max(${q})::double hi, avg(${q})::double m`
          : `min(${q})::varchar lo, max(${q})::varchar hi, null m`
      } from ${ident(table)}`,
    );
    const seen = new Set<string>();
    const examples: (string | number | boolean)[] = [];
    for (const r of first) {
      const v = r[name];
      if (v === null || v === "" || seen.has(String(v)) || examples.length === 5) continue;
      seen.add(String(v));
      examples.push(v as string | number | boolean);
    }
    const count = Number(agg!.c);
    columns.push({
      name,
      type,
      pattern: null,
      count,
      missing: rowCount - count,
      distinct: Number(agg!.d),
      min: type === "string" ? null : (agg!.lo as number | string | null),
      max: type === "string" ? null : (agg!.hi as number | string | null),
      mean: agg!.m as number | null,
      examples,
    });
  }
  return { name: table, rowCount, columns, sampleRows: rows };
}
