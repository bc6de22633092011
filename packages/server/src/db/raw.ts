import type { SQL } from "drizzle-orm";
import type { Db } from "./client.ts";

/**
 * Runs raw SQL and returns its rows typed as `Row`. Both drivers (node-postgres and PGlite) answer
 * `db.execute` with `{ rows }`; this is the one place that relies on it, so call sites declare
 * the row shape instead of casting the result.
 */
export async function queryRows<Row extends object>(db: Db, query: SQL): Promise<Row[]> {
  const res = (await db.execute(query)) as unknown as { rows: Row[] };
  return res.rows;
}
