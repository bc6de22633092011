import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request } from "./harness.ts";
import { multipart } from "./multipart.ts";

/*
 * Uploads end to end through the real app: multipart → scratch → checks → DuckDB → store → row.
 * A 64 KiB size limit and a 4 MiB zip expansion limit keep the bad-input cases small.
 */
const t = await createTestApp({
  FILES_MAX_BYTES: String(64 * 1024),
  FILES_XLSX_MAX_UNCOMPRESSED_BYTES: String(4 * 1024 * 1024),
});
afterAll(async () => t.close());
let owner: Actor & { orgId: string };
beforeAll(async () => {
  owner = await createOwner(t.app, "Files Org");
});

const filesDir = path.join(t.runtime.config.DATA_DIR, "files");
const upload = (name: string, content: Buffer | string, query = "") => {
  const body = multipart(name, content);
  return t.app.inject({
    method: "POST",
    url: `/api/v1/files${query}`,
    payload: body.payload,
    headers: { ...body.headers, cookie: owner.cookie, "x-csrf-token": owner.csrf },
  });
};
const get = (url: string) => request(t.app, owner, { method: "GET", url });
const rowsOf = async (id: string, q = "?limit=100") =>
  (await get(`/api/v1/files/${id}/rows${q}`)).json().rows;

/** Every file under the store and its scratch space, to prove a refused upload left nothing. */
function storedFiles(): string[] {
  const walk = (dir: string): string[] => {
    try {
      return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
      );
    } catch {
      return [];
    }
  };
  return walk(filesDir).filter((f) => !f.includes(`${path.sep}duckdb${path.sep}`));
}
const fileCount = async () => (await get("/api/v1/files?limit=1")).json().total as number;

async function xlsx(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const r of rows) ws.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Expects a refusal with a message, and nothing written: no row, no blob, no scratch file. */
async function expectRefused(res: Awaited<ReturnType<typeof upload>>, status: number, message: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers["content-type"]).toMatch(/problem\+json/);
  expect(res.json().detail).toMatch(message);
  expect(res.json().errors?.[0]?.path).toBe("body.file");
}

describe("CSV", () => {
  it("sniffs a semicolon file, profiles each column and pages its rows", async () => {
    const csv = "id;price;city\nA1;1200.5;Dubai\nA2;;Abu Dhabi\nA3;800;Dubai\n";
    const res = await upload("deals.csv", csv);
    expect(res.statusCode, res.body).toBe(201);
    const f = res.json();
    expect(f).toMatchObject({
      name: "deals.csv",
      kind: "csv",
      rowCount: 3,
      columnCount: 3,
      sizeBytes: csv.length,
    });
    expect(f.layout).toMatchObject({ delimiter: ";", encoding: "utf-8", bom: false });
    const p = (await get(`/api/v1/files/${f.id}/profile`)).json();
    expect(p.rowCount).toBe(3);
    const byName = Object.fromEntries(p.columns.map((c: { name: string }) => [c.name, c]));
    expect(byName.price).toMatchObject({
      type: "number",
      count: 2,
      missing: 1,
      missingPct: 33.33,
      distinct: 2,
      min: 800,
      max: 1200.5,
      mean: 1000.25,
    });
    expect(byName.city).toMatchObject({ type: "string", distinct: 2, examples: ["Dubai", "Abu Dhabi"] });
    expect(await rowsOf(f.id, "?offset=1&limit=5")).toEqual([
      { id: "A2", price: null, city: "Abu Dhabi" },
      { id: "A3", price: 800, city: "Dubai" },
    ]);
  });

  it.each([
    ["tab", "\t"],
    ["pipe", "|"],
    ["tilde", "~"],
  ])("sniffs a %s delimiter", async (_, d) => {
    const csv = [`code${d}units${d}note`, `X${d}1${d}a, b`, `Y${d}2${d}c`].join("\n");
    const res = await upload(`d-${_}.txt`, csv);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().layout.delimiter).toBe(d);
    expect(await rowsOf(res.json().id)).toEqual([
      { code: "X", units: 1, note: "a, b" },
      { code: "Y", units: 2, note: "c" },
    ]);
  });

  it("takes a delimiter the caller names", async () => {
    const res = await upload("named.csv", "a:b\n1:2\n", "?delimiter=:");
    expect(res.statusCode, res.body).toBe(201);
    expect(await rowsOf(res.json().id)).toEqual([{ a: 1, b: 2 }]);
  });

  it("drops a UTF-8 byte-order mark from the first header", async () => {
    const res = await upload(
      "bom.csv",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("name,n\nZoë,1\n")]),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().layout).toMatchObject({ bom: true, columns: ["name", "n"] });
    expect(await rowsOf(res.json().id)).toEqual([{ name: "Zoë", n: 1 }]);
  });

  it("reads a Latin-1 (Windows) file", async () => {
    const res = await upload("latin1.csv", Buffer.from("name;city\nJosé;Zürich\n", "latin1"));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().layout.encoding).toBe("latin-1");
    expect(await rowsOf(res.json().id)).toEqual([{ name: "José", city: "Zürich" }]);
  });

  it("profiles a ;-separated Latin-1 file with decimal commas to the same numbers as its plain twin", async () => {
    // Issue 16: `72,0` was typed as text. The twins differ in delimiter, encoding and decimal mark only.
    const rows = [
      ["Müller", "72,0", "1,5", "3"],
      ["Gómez", "68,25", "-0,75", "4"],
      ["Øre", "80,5", "2,0", "5"],
    ];
    const european = ["name;weight_kg;delta;n", ...rows.map((r) => r.join(";"))].join("\r\n");
    const plain = [
      "name,weight_kg,delta,n",
      ...rows.map((r) => r.map((c) => c.replace(",", ".")).join(",")),
    ].join("\n");
    const eu = await upload("weights-eu.csv", Buffer.from(european, "latin1"));
    const us = await upload("weights.csv", Buffer.from(plain, "utf8"));
    expect(eu.statusCode, eu.body).toBe(201);
    expect(us.statusCode, us.body).toBe(201);
    expect(eu.json().layout).toMatchObject({ delimiter: ";", encoding: "latin-1", decimal: "," });
    expect(us.json().layout).toMatchObject({ delimiter: ",", encoding: "utf-8", decimal: "." });
    const profile = async (id: string) => (await get(`/api/v1/files/${id}/profile`)).json().columns;
    const [pe, pu] = [await profile(eu.json().id), await profile(us.json().id)];
    expect(pe).toEqual(pu);
    const weight = pe.find((c: { name: string }) => c.name === "weight_kg");
    expect(weight).toMatchObject({ type: "number", min: 68.25, max: 80.5 });
    expect(weight.mean).toBeCloseTo((72 + 68.25 + 80.5) / 3, 12);
    expect(await rowsOf(eu.json().id)).toEqual(await rowsOf(us.json().id));
    expect((await rowsOf(eu.json().id))[0]).toEqual({ name: "Müller", weight_kg: 72, delta: 1.5, n: 3 });
  });

  it("keeps a ;-separated file that mixes 1.5 and 1,5 on the point decimal (comma cells stay text)", async () => {
    const res = await upload("mixed.csv", "a;b\n1.5;x\n2,5;y\n");
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().layout.decimal).toBe(".");
    const a = (await get(`/api/v1/files/${res.json().id}/profile`)).json().columns[0];
    expect(a.type).toBe("string");
  });

  it("reads a UTF-16 file with its byte-order mark", async () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("name,n\nŁódź,7\n", "utf16le")]);
    const res = await upload("utf16.csv", body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().layout.encoding).toBe("utf-16");
    expect(await rowsOf(res.json().id)).toEqual([{ name: "Łódź", n: 7 }]);
  });

  it("answers the same bytes with the existing file (deduplicated per organization)", async () => {
    const csv = "k,v\nsame,1\n";
    const first = await upload("one.csv", csv);
    const again = await upload("two.csv", csv);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(again.json().sha256).toBe(createHash("sha256").update(csv).digest("hex"));
  });

  it("lists files and deletes one with its blobs, audited", async () => {
    const res = await upload("delete-me.csv", "a\n1\n2\n");
    const id = res.json().id;
    const before = storedFiles();
    expect(before.filter((f) => f.includes(id))).toHaveLength(1); // its parquet
    const list = (await get("/api/v1/files?sort=name&limit=100")).json();
    expect(list.items.map((f: { id: string }) => f.id)).toContain(id);
    const del = await request(t.app, owner, { method: "DELETE", url: `/api/v1/files/${id}` });
    expect(del.statusCode).toBe(204);
    expect((await get(`/api/v1/files/${id}`)).statusCode).toBe(404);
    expect(storedFiles().filter((f) => f.includes(id))).toEqual([]);
    const after = storedFiles();
    const removed = before.filter((f) => !after.includes(f)).map((f) => path.extname(f));
    expect(removed.sort()).toEqual([".csv", ".parquet"]);
    const audit = (await get("/api/v1/org/audit-events?action=file.*&limit=100")).json();
    const actions = audit.items
      .filter((e: { targetId: string }) => e.targetId === id)
      .map((e: { action: string }) => e.action);
    expect(actions.sort()).toEqual(["file.deleted", "file.uploaded"]);
  });
});

describe("XLSX", () => {
  it("reads the first sheet, or the one asked for; formulas give their cached value, text stays text", async () => {
    const wb = new ExcelJS.Workbook();
    const a = wb.addWorksheet("Summary");
    a.addRow(["k", "v"]);
    a.addRow(["x", 1]);
    const d = wb.addWorksheet("Deals");
    d.addRow(["id", "price", "closing", "note"]);
    d.addRow(["D1", 100, new Date(Date.UTC(2026, 0, 15)), '=HYPERLINK("http://evil","x")']);
    d.addRow(["D2", { formula: "A1*2", result: 250 }, new Date(Date.UTC(2026, 1, 1)), "plain"]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());

    const first = await upload("book.xlsx", buf);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().layout).toMatchObject({ sheet: "Summary", sheets: ["Summary", "Deals"] });
    expect(await rowsOf(first.json().id)).toEqual([{ k: "x", v: 1 }]);

    const chosen = await upload("book.xlsx", buf, "?sheet=Deals");
    expect(chosen.statusCode, chosen.body).toBe(201);
    expect(chosen.json().id).not.toBe(first.json().id);
    expect(await rowsOf(chosen.json().id)).toEqual([
      { id: "D1", price: 100, closing: "2026-01-15", note: '=HYPERLINK("http://evil","x")' },
      { id: "D2", price: 250, closing: "2026-02-01", note: "plain" },
    ]);
    const profile = (await get(`/api/v1/files/${chosen.json().id}/profile`)).json();
    expect(profile.columns.map((c: { type: string }) => c.type)).toEqual([
      "string",
      "integer",
      "date",
      "string",
    ]);
  });

  it("names the sheets when the one asked for is missing", async () => {
    const res = await upload(
      "sheets.xlsx",
      await xlsx({ One: [["a"], [1]], Two: [["b"], [2]] }),
      "?sheet=Three",
    );
    await expectRefused(res, 422, /no sheet "Three"; it has "One", "Two"/);
  });
});

describe("bad input: refused with a clear message, nothing written", () => {
  const cases: [string, () => Promise<Awaited<ReturnType<typeof upload>>>, number, RegExp][] = [
    ["an empty file", () => upload("empty.csv", ""), 422, /The file is empty/],
    ["a header without rows", () => upload("header.csv", "a,b\n"), 422, /no data rows/],
    ["a wrong extension", () => upload("tool.exe", "MZ\u0090\u0000"), 422, /"\.exe" are not accepted/],
    ["no extension", () => upload("README", "a,b\n1,2\n"), 422, /"\(none\)" are not accepted/],
    [
      "a PNG renamed .csv",
      () =>
        upload(
          "photo.csv",
          Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex"),
        ),
      422,
      /named as text \(CSV\) but its content is PNG/,
    ],
    [
      "a binary without a signature renamed .csv",
      () => upload("blob.csv", Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01, 0x02, 0x03])),
      422,
      /contains binary data/,
    ],
    [
      "a CSV renamed .xlsx",
      () => upload("fake.xlsx", "a,b\n1,2\n"),
      422,
      /named \.xlsx but its content is not an Excel workbook/,
    ],
    [
      "ragged rows",
      () => upload("ragged.csv", `a,b,c\n${"1,2,3\n".repeat(20)}4,5\n6,7,8,9\n`),
      422,
      /2 rows could not be read: line 22: 2 fields where the header has 3; line 23: 4 fields where the header has 3/,
    ],
    [
      "a file over the size limit",
      () => upload("big.csv", `a,b\n${"123456,789\n".repeat(8000)}`),
      413,
      /larger than the 65,536-byte limit/,
    ],
    ["a file name that is only dots", () => upload("..", "a\n1\n"), 422, /not a usable file name/],
  ];

  it.each(cases)("%s", async (_, send, status, message) => {
    const files = storedFiles();
    const count = await fileCount();
    await expectRefused(await send(), status, message);
    expect(storedFiles()).toEqual(files);
    expect(await fileCount()).toBe(count);
  });

  it("a zip bomb disguised as XLSX (declared sizes over the limit)", async () => {
    const zip = new JSZip();
    zip.file("[Content_Types].xml", '<?xml version="1.0"?><Types/>');
    zip.file("xl/workbook.xml", "<workbook/>");
    zip.file("xl/worksheets/sheet1.xml", "0".repeat(6 * 1024 * 1024));
    const bomb = await zip.generateAsync({
      type: "nodebuffer",
      compression: "DEFLATE",
      compressionOptions: { level: 9 },
    });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const files = storedFiles();
    await expectRefused(
      await upload("report.xlsx", bomb),
      422,
      /possible zip bomb: entry xl\/worksheets\/sheet1\.xml expands \d+×/,
    );
    expect(storedFiles()).toEqual(files);
  });

  it("a zip bomb whose directory understates its sizes", async () => {
    const zip = new JSZip();
    zip.file("[Content_Types].xml", '<?xml version="1.0"?><Types/>');
    zip.file("xl/workbook.xml", "<workbook/>");
    zip.file("xl/worksheets/sheet1.xml", "0".repeat(6 * 1024 * 1024));
    const bomb = await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
    // Rewrite the sheet's declared uncompressed size to 1,000 bytes, in its local header and in
    // the central directory: the declared total now passes every limit.
    const name = Buffer.from("xl/worksheets/sheet1.xml");
    let patched = 0;
    for (let i = 0; i < bomb.length - 4; i++) {
      const sig = bomb.readUInt32LE(i);
      const [sizeAt, nameAt] = sig === 0x04034b50 ? [22, 30] : sig === 0x02014b50 ? [24, 46] : [0, 0];
      if (!sizeAt || !bomb.subarray(i + nameAt, i + nameAt + name.length).equals(name)) continue;
      bomb.writeUInt32LE(1000, i + sizeAt);
      patched++;
    }
    expect(patched).toBe(2);
    const files = storedFiles();
    await expectRefused(await upload("liar.xlsx", bomb), 422, /lies about its sizes.*possible zip bomb/);
    expect(storedFiles()).toEqual(files);
  });

  it("a zip that is not a workbook, renamed .xlsx", async () => {
    const zip = new JSZip();
    zip.file("[Content_Types].xml", "<Types/>");
    zip.file("xl/other.xml", "<x/>");
    const res = await upload("notbook.xlsx", await zip.generateAsync({ type: "nodebuffer" }));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().detail).toMatch(/not an Excel workbook/);
  });

  it("keeps only the last segment of a path-traversal file name; storage never uses the name", async () => {
    const res = await upload("../../../etc/passwd.csv", "user,shell\nroot,/bin/sh\n");
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().name).toBe("passwd.csv");
    const winRes = await upload("..\\..\\windows\\evil.csv", "user,shell\nadmin,cmd\n");
    expect(winRes.json().name).toBe("evil.csv");
    expect(
      storedFiles().every((f) => f.startsWith(filesDir) && !f.includes("passwd") && !f.includes("evil")),
    ).toBe(true);
  });

  it("keeps formula-injection payloads as text, never evaluated", async () => {
    const payloads = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "-2+3"];
    const csv = `id,note\n${payloads.map((p, i) => `${i},"${p.replaceAll('"', '""')}"`).join("\n")}\n`;
    const res = await upload("inject.csv", csv);
    expect(res.statusCode, res.body).toBe(201);
    expect((await rowsOf(res.json().id)).map((r: { note: string }) => r.note)).toEqual(payloads);
  });

  it("renames duplicate and blank headers and says so", async () => {
    const res = await upload("dupes.csv", "amount,Amount,,amount\n1,2,3,4\n");
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().layout.renamedHeaders).toEqual([
      { column: 2, from: "Amount", to: "Amount_2" },
      { column: 3, from: "", to: "column_3" },
      { column: 4, from: "amount", to: "amount_3" },
    ]);
    expect(await rowsOf(res.json().id)).toEqual([{ amount: 1, Amount_2: 2, column_3: 3, amount_3: 4 }]);
  });

  it("refuses an unknown query parameter", async () => {
    const res = await upload("q.csv", "a\n1\n", "?sheeet=2");
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe("query");
  });

  it("refuses a request that is not multipart", async () => {
    const res = await request(t.app, owner, { method: "POST", url: "/api/v1/files", payload: { file: "x" } });
    expect(res.statusCode).toBe(415);
  });
});
