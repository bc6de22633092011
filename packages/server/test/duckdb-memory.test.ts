import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  configureDuck,
  csvBuffer,
  csvLayout,
  duckSettings,
  ingestCsv,
  profileParquet,
  readRows,
} from "../src/files/duck.ts";

/*
 * Issue 16: a 1M × 30 CSV (203 MB) failed to upload under the default 256 MB DuckDB cap with
 * "could not allocate block of size 152.5 MiB". The CSV reader's buffers (16 × the 10 MB line limit
 * each, up to the file's size) cannot spill, and the profile's 30 count(distinct) in one query held
 * more hash tables than the cap. This file's DuckDB instance (one per test process) runs under a
 * 40 MB cap on a file larger than the cap, with as many high-cardinality text columns as the
 * profile has to count: before the fix the parse alone asked for a buffer the size of the file.
 */
const work = mkdtempSync(path.join(os.tmpdir(), "mw-duck-memory-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ROWS = 520_000;
const CAP_MB = 40;

/**
 * id, 6 text columns with (nearly) a distinct value per row, a 7-value category and a quoted note
 * with a comma in it: ~83 bytes a row (43 MB).
 */
async function writeCsv(file: string, ragged?: number): Promise<void> {
  const out = createWriteStream(file);
  out.write("id,t1,t2,t3,t4,t5,t6,grade,note\n");
  let chunk = "";
  for (let i = 1; i <= ROWS; i++) {
    chunk += `${i},a${i},b${i * 3},c${i * 7},d${(i * 11) % 350_000},e${i * 13},f${i * 17},${"ABCDEFG"[i % 7]},"Unit ${i}, tower ${i % 40}"`;
    chunk += i === ragged ? ",extra\n" : "\n";
    if (i % 10_000 === 0) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "close");
}

describe("the DuckDB instance", () => {
  it("has a spill directory of its own even when the first caller configured nothing", async () => {
    // Nothing has called configureDuck in this process yet: the instance is created here.
    const first = await duckSettings();
    expect(first.tempDir).toBe(path.join(os.tmpdir(), `modelworks-duckdb-${process.pid}`));
    expect(first.memoryLimit).toBe("244.1 MiB"); // 256 MB

    // Configuring afterwards (as openRuntime does) still reaches the existing instance.
    const tempDir = path.join(work, "spill-a");
    await configureDuck({ memoryMb: 100, tempDir });
    expect(await duckSettings()).toEqual({ memoryLimit: "95.3 MiB", tempDir });
  });
});

describe("DuckDB under a cap smaller than the file", () => {
  beforeAll(async () => {
    await configureDuck({ memoryMb: CAP_MB, tempDir: path.join(work, "spill-b") });
    expect((await duckSettings()).memoryLimit).toBe("38.1 MiB"); // 40 MB
  });

  it("sizes the CSV buffers from the cap, never the 160 MB DuckDB would choose", () => {
    expect(csvBuffer(256)).toEqual({ bufferBytes: 16_000_000, maxLineBytes: 10_000_000 });
    expect(csvBuffer(4096)).toEqual({ bufferBytes: 16 * 1024 * 1024, maxLineBytes: 10_000_000 });
    expect(csvBuffer(CAP_MB)).toEqual({ bufferBytes: 2_500_000, maxLineBytes: 2_500_000 });
  });

  it("parses and profiles a file larger than the cap, in the file's row order", async () => {
    const csv = path.join(work, "wide.csv");
    await writeCsv(csv);
    const size = statSync(csv).size;
    expect(size).toBeGreaterThan(CAP_MB * 1_000_000); // the old whole-file buffer could not fit

    const layout = await csvLayout(csv, "utf-8");
    const parquet = path.join(work, "wide.parquet");
    const ingested = await ingestCsv(csv, layout, parquet);
    expect(ingested.rowCount).toBe(ROWS);

    const profile = await profileParquet(parquet, ingested.columns);
    const byName = Object.fromEntries(profile.columns.map((c) => [c.name, c]));
    expect(profile.rowCount).toBe(ROWS);
    for (const name of ["id", "t1", "t2", "t3", "t5", "t6"]) expect(byName[name]!.distinct).toBe(ROWS);
    expect(byName.t4!.distinct).toBe(350_000); // (i·11) mod 350,000 over 520,000 rows: every residue
    expect(byName.grade!.distinct).toBe(7);
    expect(byName.note).toMatchObject({ type: "string", distinct: ROWS, missing: 0 });
    expect(byName.id).toMatchObject({ type: "integer", min: 1, max: ROWS, mean: (ROWS + 1) / 2 });

    // Row order survives the parallel parse: row k (0-based) is id k + 1, at both ends and across
    // the many buffers in between.
    for (const offset of [0, 123_456, ROWS - 3]) {
      const rows = await readRows(parquet, offset, 3);
      expect(rows.map((r) => r.id)).toEqual([offset + 1, offset + 2, offset + 3]);
      expect(rows[0]!.t2).toBe(`b${(offset + 1) * 3}`);
      expect(rows[2]!.note).toBe(`Unit ${offset + 3}, tower ${(offset + 3) % 40}`);
    }
  });

  it("names a bad row deep in the file by its line", async () => {
    const csv = path.join(work, "ragged.csv");
    await writeCsv(csv, 300_000);
    const layout = await csvLayout(csv, "utf-8");
    // Data row 300,000 is line 300,001 (the header is line 1).
    await expect(ingestCsv(csv, layout, path.join(work, "ragged.parquet"))).rejects.toThrow(
      /^1 row could not be read: line 300001: 10 fields where the header has 9\.$/,
    );
  });
});
