import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../src/db/client.ts";
import { batchedInsert } from "../src/runs/insert-batch.ts";

/**
 * Group commit of single-row inserts (runs/insert-batch.ts, docs/decisions/0056): the rows of one
 * event-loop turn go in as one statement, each caller's promise settles once its row is stored,
 * and a row the database refuses fails only its own caller.
 */
let client: PGlite;
let db: Db;
/** Statements sent to the database, by their text. */
const statements: string[] = [];
const INSERT = "insert into t (id, doc, note) values ($1, $2::jsonb, $3)";

beforeAll(async () => {
  client = new PGlite();
  await client.exec("create table t (id int primary key, doc jsonb not null, note text)");
  const query = client.query.bind(client);
  client.query = (async (text: string, ...rest: unknown[]) => {
    if (text.startsWith("insert")) statements.push(text);
    return (query as (...a: unknown[]) => unknown)(text, ...rest);
  }) as typeof client.query;
  db = drizzle(client) as unknown as Db;
});
afterAll(async () => client?.close());
beforeEach(async () => {
  statements.length = 0;
  await client.exec("delete from t");
});

const stored = async () =>
  (await client.query<{ id: number; doc: unknown; note: string | null }>("select * from t order by id")).rows;
const placeholders = (text: string) => text.match(/\$\d+/g)?.length ?? 0;

describe("batchedInsert", () => {
  it("writes the rows handed in during one turn in one statement, each stored when its promise resolves", async () => {
    const batch = batchedInsert(db, INSERT);
    const rows = Array.from({ length: 5 }, (_, i) => [i + 1, JSON.stringify({ n: i, s: `row ${i}` }), null]);
    const seen: number[][] = [];
    await Promise.all(
      rows.map((values) =>
        batch.insert(values).then(async () => {
          // Resolved only once the row is there to read.
          seen.push((await stored()).map((r) => r.id));
        }),
      ),
    );
    expect(statements).toHaveLength(1);
    expect(placeholders(statements[0]!)).toBe(15);
    expect(seen.every((ids) => ids.includes(1) && ids.length === 5)).toBe(true);
    expect(await stored()).toEqual(
      rows.map(([id, doc]) => ({ id, doc: JSON.parse(doc as string), note: null })),
    );
  });

  it("a lone row is its own single-row statement; later turns make new statements", async () => {
    const batch = batchedInsert(db, INSERT);
    await batch.insert([1, "{}", "a"]);
    await Promise.all([batch.insert([2, "{}", "b"]), batch.insert([3, "{}", "c"])]);
    expect(statements.map(placeholders)).toEqual([3, 6]);
    expect((await stored()).map((r) => r.note)).toEqual(["a", "b", "c"]);
  });

  it("a row the database refuses fails its own caller only; the rest of its batch is stored", async () => {
    const batch = batchedInsert(db, INSERT);
    await batch.insert([7, "{}", "first"]);
    statements.length = 0;
    const results = await Promise.allSettled([
      batch.insert([1, '{"ok":1}', null]),
      batch.insert([7, "{}", "duplicate id"]),
      batch.insert([2, '"\\u0000"', "jsonb refuses NUL"]),
      batch.insert([3, '{"ok":3}', null]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    const reasons = results.map((r) => (r.status === "rejected" ? String(r.reason?.cause ?? r.reason) : ""));
    expect(reasons[1]).toMatch(/duplicate key/);
    expect(reasons[2]).toMatch(/\\u0000|unsupported Unicode/);
    // The batch (refused as a whole: nothing of it stored), then each row alone.
    expect(statements.map(placeholders)).toEqual([12, 3, 3, 3, 3]);
    expect((await stored()).map((r) => [r.id, r.note])).toEqual([
      [1, null],
      [3, null],
      [7, "first"],
    ]);
  });

  it("splits a turn's rows by count and by size", async () => {
    const byCount = batchedInsert(db, INSERT, { maxRows: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((id) => byCount.insert([id, "{}", null])));
    expect(statements.map(placeholders)).toEqual([6, 6, 3]);
    statements.length = 0;
    // 100-character values against a 250-character statement: two rows each, a large one alone.
    const bySize = batchedInsert(db, INSERT, { maxChars: 250 });
    const doc = (n: number) => JSON.stringify({ pad: "x".repeat(n) });
    await Promise.all([
      bySize.insert([11, doc(90), null]),
      bySize.insert([12, doc(90), null]),
      bySize.insert([13, doc(600), null]),
      bySize.insert([14, doc(90), null]),
    ]);
    expect(statements.map(placeholders)).toEqual([6, 3, 3]);
    expect((await stored()).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 11, 12, 13, 14]);
  });

  it("refuses a statement it cannot batch and a row of the wrong width", () => {
    expect(() => batchedInsert(db, `${INSERT} returning id`)).toThrow(/nothing after the values/);
    expect(() => batchedInsert(db, INSERT).insert([1, "{}"])).toThrow(/2 values for 3 placeholders/);
  });
});
