import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminQuery } from "./admin-query.ts";
import { createTestApp, type TestApp } from "./harness.ts";

/**
 * On a PostgreSQL built with lz4, the server's sessions compress large values (a run's output)
 * with lz4 rather than pglz: less backend CPU per stored run (issue 20; docs/decisions/0052).
 */
const serverUrl = process.env.DATABASE_URL;
let t: TestApp;
let lz4 = false;

beforeAll(async () => {
  if (!serverUrl) return;
  const [row] = await adminQuery(
    serverUrl,
    "select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'",
  );
  lz4 = row?.lz4 === true;
  t = await createTestApp();
}, 120_000);
afterAll(async () => t?.close());

describe.skipIf(!serverUrl)("large values on PostgreSQL", () => {
  it("are compressed with lz4 when the server has it, with pglz otherwise", async () => {
    const client = await t.database.pool!.connect();
    try {
      await client.query("create temp table big (v jsonb)");
      // ~100 KB of compressible JSON: stored compressed, in line or in TOAST.
      const value = JSON.stringify({
        rows: Array.from({ length: 2000 }, (_, i) => ({ period: i, noi: i % 7 })),
      });
      await client.query("insert into big values ($1::jsonb)", [value]);
      const { rows } = await client.query(
        "select pg_column_compression(v) as method, v = $1::jsonb as same from big",
        [value],
      );
      expect(rows[0]).toEqual({ method: lz4 ? "lz4" : "pglz", same: true });
    } finally {
      client.release();
    }
  });
});
