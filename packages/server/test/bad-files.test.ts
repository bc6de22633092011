import { MODELS } from "@modelworks/catalog";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripBidi } from "../src/files/names.ts";
import { safeFileName } from "../src/files/sniff.ts";
import { contentDisposition } from "../src/http/content-disposition.ts";
import { type Actor, createOwner, createTestApp, request } from "./harness.ts";
import { multipart } from "./multipart.ts";

/** Issue 19 items 6 and 10d: workbooks with a DTD, and file names that lie about their extension. */
const t = await createTestApp();
afterAll(async () => t.close());
let owner: Actor & { orgId: string };
beforeAll(async () => {
  owner = await createOwner(t.app, "Bad Files Org");
});
const upload = (name: string, content: Buffer | string) => {
  const body = multipart(name, content);
  return t.app.inject({
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, cookie: owner.cookie, "x-csrf-token": owner.csrf },
  });
};
const call = (method: "GET" | "POST" | "PATCH", url: string, payload?: unknown, headers = {}) =>
  request(t.app, owner, { method, url, headers, ...(payload === undefined ? {} : { payload }) });
const fileCount = async () => (await call("GET", "/api/v1/files?limit=1")).json().total as number;

/** A real workbook from ExcelJS with one of its XML parts given a DOCTYPE declaring an entity. */
async function workbookWithDtd(part: "xl/sharedStrings.xml" | "xl/worksheets/sheet1.xml"): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Deals");
  ws.addRow(["deal", "price"]);
  ws.addRow(["Tower A", 12500]);
  const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
  const xml = await zip.file(part)!.async("string");
  expect(xml).toMatch(/^<\?xml[^>]*\?>/);
  const dtd = '<!DOCTYPE x [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"> ]>';
  zip.file(part, xml.replace(/^(<\?xml[^>]*\?>)/, `$1${dtd}`).replace("Tower A", "&b;"));
  return zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
}

describe("an XLSX whose XML declares a DTD (entities)", () => {
  it.each(["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] as const)(
    "in %s is refused with 422 as not a plain workbook, leaving nothing behind",
    async (part) => {
      const before = await fileCount();
      const res = await upload("deals.xlsx", await workbookWithDtd(part));
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toBe(
        `The XLSX file is not a plain workbook: ${part} declares a document type (<!DOCTYPE …>), which Excel never writes; refused.`,
      );
      expect(await fileCount()).toBe(before);
    },
  );

  it("is refused the same way through a resumable upload", async () => {
    const bytes = await workbookWithDtd("xl/sharedStrings.xml");
    const s = await call("POST", "/api/v1/uploads", { name: "deals.xlsx", sizeBytes: bytes.length });
    expect(s.statusCode, s.body).toBe(201);
    const id = s.json().id;
    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/uploads/${id}`,
      payload: bytes,
      headers: {
        cookie: owner.cookie,
        "x-csrf-token": owner.csrf,
        "content-type": "application/offset+octet-stream",
        "upload-offset": "0",
      },
    });
    expect(patched.statusCode, patched.body).toBe(204);
    const done = await call("POST", `/api/v1/uploads/${id}/complete`);
    expect(done.statusCode, done.body).toBe(422);
    expect(done.json().detail).toMatch(
      /not a plain workbook: xl\/sharedStrings\.xml declares a document type/,
    );
  });

  it("while the same workbook without the DTD is accepted", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.addRow(["deal", "price"]);
    ws.addRow(["Tower A", 12500]);
    const res = await upload("plain.xlsx", Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().rowCount).toBe(1);
  });
});

describe("bidirectional control characters in file names", () => {
  const RLO = "\u202e";
  it("are stripped from every kind: U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C", () => {
    const all = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";
    expect(stripBidi(`a${all}b`)).toBe("ab");
    // Other non-ASCII letters stay.
    expect(stripBidi("Zürich-عقود.csv")).toBe("Zürich-عقود.csv");
    expect(safeFileName(`invoice${RLO}vsc.xlsx`)).toBe("invoicevsc.xlsx");
  });

  it("an `exe.‮fdp`-style name is refused for what it really is, not for what it shows", async () => {
    // Displayed as "invoiceexe.pdf"; really an .exe.
    const exe = await upload(`invoice${RLO}fdp.exe`, "a,b\n1,2\n");
    expect(exe.statusCode).toBe(422);
    expect(exe.json().detail).toBe('Files of type ".exe" are not accepted; upload .csv, .tsv, .txt, .xlsx.');
    const shown = await upload(`exe.${RLO}fdp`, "a,b\n1,2\n");
    expect(shown.statusCode).toBe(422);
    expect(shown.json().detail).toMatch(/^Files of type "\.fdp" are not accepted/);
  });

  it("are not stored in an upload's name (POST /files and resumable uploads)", async () => {
    const res = await upload(`deals${RLO}vsc.csv`, "a,b\n1,2\n");
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().name).toBe("dealsvsc.csv");
    const s = await call("POST", "/api/v1/uploads", {
      name: `\u2067leases${RLO}xslx.csv\u2069`,
      sizeBytes: 8,
    });
    expect(s.statusCode, s.body).toBe(201);
    expect(s.json().name).toBe("leasesxslx.csv");
  });

  it("are not in an export's or a scenario download's Content-Disposition", async () => {
    expect(contentDisposition(`run${RLO}fdp.exe`)).toBe('attachment; filename="runfdp.exe"');
    const project = await call("POST", "/api/v1/projects", { name: "P" });
    const scenario = await call("POST", `/api/v1/projects/${project.json().id}/scenarios`, {
      name: `Base${RLO}nosj.exe`,
      modelId: "deal-picker",
      input: MODELS.find((m) => m.id === "deal-picker")!.examples[0]!.input,
    });
    expect(scenario.statusCode, scenario.body).toBe(201);
    const res = await call("GET", `/api/v1/scenarios/${scenario.json().id}/export`);
    expect(res.statusCode).toBe(200);
    const disposition = String(res.headers["content-disposition"]);
    expect(disposition).toBe(
      `attachment; filename="Basenosj.exe.scenario.json"; filename*=UTF-8''Basenosj.exe.scenario.json`,
    );
  });
});

describe("an XLSX cell holding a NUL character reference (&#0;)", () => {
  it("is refused with 422 as malformed, not a 500 from the parser", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.addRow(["deal", "price"]);
    ws.addRow(["Tower A", 12500]);
    const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
    const xml = await zip.file("xl/sharedStrings.xml")!.async("string");
    zip.file("xl/sharedStrings.xml", xml.replace("Tower A", "Tower&#0;A"));
    const res = await upload("nul.xlsx", await zip.generateAsync({ type: "nodebuffer" }));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().detail).toBe(
      "The XLSX file could not be read as a workbook: one of its XML parts is malformed.",
    );
  });
});
