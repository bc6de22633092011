/**
 * The scoring CSV reader against csv-parse (what `readCsvRecords` uses) on awkward files, read in
 * chunks of a few bytes so that rows, quoted cells, CRLF pairs and multi-byte characters straddle
 * chunk boundaries.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { CsvShapeError, cellText, readCsvRowChunks } from "../src/csv-rows.ts";

const dir = mkdtempSync(join(tmpdir(), "csv-rows-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rows(text: string, chunkBytes: number) {
  const file = join(dir, "f.csv");
  writeFileSync(file, text);
  const out: (string | null)[][] = [];
  let header: string[] = [];
  for await (const chunk of readCsvRowChunks(
    file,
    (h) => {
      header = h;
    },
    chunkBytes,
  ))
    for (let r = 0; r < chunk.rowCount; r++)
      out.push(Array.from({ length: chunk.width }, (_, c) => cellText(chunk, r, c)));
  return { header, out };
}

const AWKWARD =
  '\ufeffID,NAME,CITY\r\nC1,"Smith, J","São Paulo"\r\n\r\nC2,,"say ""hi""\nthere"\r\nC3,Ünal,\r\n"C4","",Zürich';

describe("readCsvRowChunks", () => {
  it.each([1, 2, 3, 5, 7, 64, 1 << 20])("reads as csv-parse does, chunks of %i bytes", async (bytes) => {
    const expected = parse(AWKWARD, { bom: true, columns: true, skip_empty_lines: true }) as Record<
      string,
      string
    >[];
    const { header, out } = await rows(AWKWARD, bytes);
    expect(header).toEqual(["ID", "NAME", "CITY"]);
    expect(out).toEqual(expected.map((r) => header.map((h) => (r[h] === "" ? null : r[h]!))));
    expect(out[1]).toEqual(["C2", null, 'say "hi"\nthere']);
  });

  it.each([
    [
      "A,B\n1,x\ry\n2,z\n",
      [
        ["1", "x\ry"],
        ["2", "z"],
      ],
    ],
    ["A,B\r\n1,x\ry\r\n", [["1", "x\ry"]]],
    [
      "A,B\r1,x\r2,y\r",
      [
        ["1", "x"],
        ["2", "y"],
      ],
    ],
  ])(
    "a CR alone is text unless the header's row ends with one, as csv-parse reads %j",
    async (text, cells) => {
      const expected = parse(text, { bom: true, columns: true, skip_empty_lines: true }) as Record<
        string,
        string
      >[];
      expect(expected.map((r) => [r.A, r.B])).toEqual(cells);
      for (const bytes of [1, 2, 3, 64]) expect((await rows(text, bytes)).out).toEqual(cells);
    },
  );

  it("a comma at the very end is one more, empty cell; an empty file has no columns", async () => {
    expect((await rows("A,B\n1,", 3)).out).toEqual([["1", null]]);
    expect(await rows("", 4)).toEqual({ header: [], out: [] });
  });

  it("hands over each cell's bytes: plain cells point into the file, quoted ones are unescaped in place", async () => {
    const file = join(dir, "b.csv");
    writeFileSync(file, 'A,B\nx1,"a ""b"""\n');
    for await (const chunk of readCsvRowChunks(file, () => {})) {
      expect(chunk.ascii).toBe(true);
      expect([...chunk.bounds.subarray(0, 4)]).toEqual([4, 6, 8, 13]);
      expect(chunk.bytes.toString("latin1", 8, 13)).toBe('a "b"');
    }
  });

  it("refuses a row with the wrong number of cells, and an unclosed quote", async () => {
    await expect(rows("A,B\n1,2\n3\n", 3)).rejects.toThrow(
      new CsvShapeError("row 3: 1 cells, the header has 2"),
    );
    await expect(rows('A,B\n1,"2\n', 3)).rejects.toThrow(/row 2: a quoted cell is not closed/);
  });
});
