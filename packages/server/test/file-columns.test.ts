/**
 * `fileColumns` (scoring runs: only the wanted columns, column-wise) must give what `fileRecords`
 * (one mapped record per row) gives for those columns, and count the same mapping problems at the
 * same places: pass-through columns, a source consumed by the mapping, casts, scale, value maps,
 * a constant, a target mapped twice (the last entry wins), a wanted column neither mapped nor in
 * the file, and cells that cannot be mapped — over more than one DuckDB chunk, a value memoised
 * per mapping entry on the way.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { csvLayout, ingestCsv } from "../src/files/duck.ts";
import type { FileRow } from "../src/files/ingest.ts";
import type { ColumnMapping } from "../src/files/mapping.ts";
import { type FileSource, fileColumns, fileRecords, MappingProblems } from "../src/files/records.ts";
import type { FileStore } from "../src/files/store.ts";

const dir = mkdtempSync(join(tmpdir(), "file-columns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 5000; // DuckDB chunks hold 2,048 rows: three chunks
const CITIES = ["Leeds", "york", " Hull ", "", "Bath"];

async function stored(): Promise<{ store: FileStore; file: FileRow }> {
  const csv = join(dir, "f.csv");
  let text = "ID,AMOUNT,CITY,FLAG,NOTE,CODE\n";
  for (let i = 0; i < ROWS; i++) {
    const amount = i % 97 === 0 ? "n/a" : i % 13 === 0 ? "" : `${(i * 7) % 1000}.5`;
    text += `C${i},${amount},${CITIES[i % CITIES.length]},${i % 3 === 0 ? "yes" : i % 3 === 1 ? "no" : "maybe"},note ${i % 11},${i % 4}\n`;
  }
  writeFileSync(csv, text);
  const parquet = join(dir, "f.parquet");
  const ingested = await ingestCsv(csv, await csvLayout(csv, "utf-8"), parquet);
  const file = {
    dataKey: "f",
    rowCount: ingested.rowCount,
    profile: ingested.columns.map((c) => ({ name: c.name })),
  } as unknown as FileRow;
  return { store: { localPath: async () => parquet } as unknown as FileStore, file };
}

describe("fileColumns = fileRecords, column-wise", () => {
  it("the same values and the same problems, mapped or not", async () => {
    const { store, file } = await stored();
    const mapping: ColumnMapping[] = [
      { target: "SPEND", source: "AMOUNT", cast: "number", scale: 1000 },
      { target: "TOWN", source: "CITY", valueMap: { york: "York", hull: "Hull" } },
      { target: "OPTED_IN", source: "FLAG", cast: "boolean" },
      { target: "CHANNEL", source: null, constant: "mail" },
      { target: "CODE", source: "CODE", cast: "string" },
      { target: "TOWN", source: "CITY", cast: "string" },
    ];
    const wanted = ["ID", "SPEND", "TOWN", "OPTED_IN", "CHANNEL", "CODE", "NOTE", "CITY", "ABSENT"];
    for (const m of [mapping, null]) {
      const source: FileSource = { file, mapping: m };
      const recordProblems = new MappingProblems();
      const expected: unknown[][] = wanted.map(() => []);
      for await (const chunk of fileRecords(store, source, recordProblems, "input"))
        for (const r of chunk)
          wanted.forEach((w, k) => {
            expected[k]!.push(r[w] ?? null);
          });
      const columnProblems = new MappingProblems();
      const got: unknown[][] = wanted.map(() => []);
      let chunks = 0;
      for await (const chunk of fileColumns(store, source, wanted, columnProblems, "input")) {
        chunks++;
        chunk.columns.forEach((values, k) => {
          expect(values).toHaveLength(chunk.rowCount);
          got[k]!.push(...values);
        });
      }
      expect(chunks).toBeGreaterThan(1);
      expect(got).toEqual(expected);
      expect(columnProblems.count).toBe(recordProblems.count);
      expect(columnProblems.items).toEqual(recordProblems.items);
      if (m) {
        // Some of everything: unreadable numbers and yes/no, scaled values, the later TOWN entry.
        expect(columnProblems.count).toBeGreaterThan(ROWS / 3);
        expect(columnProblems.items.map((p) => p.path)).toContain("input.rows.1.SPEND");
        expect(got[1]!.slice(1, 3)).toEqual([7500, 14500]);
        expect(got[2]!.slice(0, 3)).toEqual(["Leeds", "york", "Hull"]);
        expect(got[6]![0]).toBe("note 0");
        expect(got[7]!.every((v) => v === null)).toBe(true); // CITY is consumed by the mapping
      } else expect(got[7]!.slice(0, 2)).toEqual(["Leeds", "york"]);
      expect(got[8]!.every((v) => v === null)).toBe(true);
    }
  }, 120_000);
});
