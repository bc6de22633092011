import { catalog } from "@modelworks/catalog";
import { calculateDealV2 } from "@modelworks/engine-tif";
import ExcelJS from "exceljs";
import { unzipSync } from "fflate";
import { extractText } from "unpdf";
import { describe, expect, it } from "vitest";
import { renderDocx } from "../src/exports/docx.ts";
import { renderPdf } from "../src/exports/pdf.ts";
import {
  buildRunReport,
  type ExportableRun,
  inputLabel,
  paperFor,
  reportDocument,
} from "../src/exports/report.ts";
import { renderXlsx } from "../src/exports/xlsx.ts";

/** Exports an analyst trusts (issue 18 item 14): paper, cover, labelled inputs, a monthly table that fits, dates. */

// biome-ignore lint/suspicious/noExplicitAny: engine input and output read by field name
type Json = any;
const tif = catalog.find("tif")!;
const input = tif.input.parse(tif.examples[0]!.input) as Json;
const output = calculateDealV2(input);

const tifRun = (extra: Partial<ExportableRun> = {}): ExportableRun => ({
  id: "0b6f3f4e-2d1c-4c55-9a37-6d2f0c1e9a10",
  modelId: "tif",
  modelVersion: tif.version,
  status: "succeeded",
  input,
  output,
  createdAt: new Date("2026-12-06T09:00:00.123Z"),
  startedAt: new Date("2026-12-06T09:00:01.000Z"),
  finishedAt: new Date("2026-12-06T09:00:02.345Z"),
  scenarioRevision: 3,
  ...extra,
});

/** Page sizes in points, as pdfkit writes each page's MediaBox. */
const mediaBoxes = (pdf: Buffer) =>
  [...pdf.toString("latin1").matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((m) => [
    Math.round(Number(m[1])),
    Math.round(Number(m[2])),
  ]);

describe("printed report", () => {
  it("prints on Letter for a deal in US dollars or a US org, on A4 elsewhere", async () => {
    expect(paperFor(null, "USD", {})).toBe("LETTER");
    expect(paperFor(null, "AED", {})).toBe("A4");
    expect(paperFor(null, null, { landCostUsd: 1 })).toBe("LETTER");
    expect(paperFor(null, null, { budget: 1 })).toBe("A4");
    expect(paperFor("en-US", "AED", {})).toBe("LETTER");
    expect(paperFor("en-GB", "USD", {})).toBe("A4");
    expect(paperFor("de_DE", null, {})).toBe("A4");

    const letter = mediaBoxes(await renderPdf(reportDocument(buildRunReport(tif, tifRun()))));
    expect(letter[0]).toEqual([612, 792]); // US Letter, portrait
    const a4 = mediaBoxes(await renderPdf(reportDocument(buildRunReport(tif, tifRun({ locale: "fr-FR" })))));
    expect(a4[0]).toEqual([595, 842]);
    // Word: the section's page size in twips.
    const pageSize = async (run: ExportableRun) => {
      const docx = await renderDocx(reportDocument(buildRunReport(tif, run)));
      const xml = new TextDecoder().decode(unzipSync(new Uint8Array(docx))["word/document.xml"]);
      return /<w:pgSz [^>]*w:w="(\d+)"[^>]*w:h="(\d+)"/.exec(xml)?.slice(1, 3);
    };
    expect(await pageSize(tifRun())).toEqual(["12240", "15840"]);
    expect(await pageSize(tifRun({ locale: "en-GB" }))).toEqual(["11906", "16838"]);
  });

  it("opens with the deal's name and its key results, not a run id and milliseconds", async () => {
    const report = buildRunReport(tif, tifRun({ dealName: "East Riverside Lofts" }));
    const pdf = await renderPdf(reportDocument(report));
    const { text: pages } = await extractText(new Uint8Array(pdf), { mergePages: false });
    const first = pages[0]!.replace(/\s+/g, " ");
    expect(first.startsWith("East Riverside Lofts")).toBe(true);
    expect(first).toContain("Key results");
    expect(first).toContain("Levered IRR");
    expect(first.indexOf("Key results")).toBeLessThan(first.indexOf("Levered IRR"));
    expect(first).not.toContain(tifRun().id);
    const all = pages.join(" ").replace(/\s+/g, " ");
    // The run's details are at the end, at minute precision, its duration in seconds.
    expect(all).toContain(tifRun().id);
    expect(all).toContain("2026-12-06 09:00 UTC");
    expect(all).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}/);
    expect(all).toMatch(/Duration \(s\) 1\.3/);
  });

  it("lists inputs by label with units: money in USD, rates in %, rows counted from 1", () => {
    const report = buildRunReport(tif, tifRun());
    const byLabel = new Map(report.inputs.map((f) => [f.label, f]));
    expect(byLabel.get("Land cost")).toMatchObject({ value: 3_000_000, unit: "USD", format: "currency" });
    expect(byLabel.get("Exit cap rate")).toMatchObject({ value: 0.055, format: "percent" });
    expect(byLabel.get("Unit mix, row 2: gross sqft")).toMatchObject({ value: 750, unit: "sq ft" });
    expect(byLabel.get("Predevelopment months")).toMatchObject({ unit: "months" });
    expect(byLabel.get("Mezzanine: amount")).toMatchObject({ unit: "USD" });
    expect([...byLabel.keys()].some((l) => /\.\d|\.\w/.test(l) && !/\d\.\d/.test(l))).toBe(false);
    expect(inputLabel("tranches.0.rateAnnual")).toBe("Tranches, row 1: rate annual");
  });

  it("prints the monthly table landscape, in fewer parts and pages than portrait did", async () => {
    const report = buildRunReport(tif, tifRun());
    const monthly = report.tables.find((t) => t.name === "periods")!;
    const parts = reportDocument(report).blocks.filter(
      (b) => b.kind === "table" && b.title?.startsWith("Monthly cash flow"),
    );
    expect(parts.length).toBe(Math.ceil((monthly.columns.length - 1) / 12));
    expect(parts.length).toBeLessThan(Math.ceil((monthly.columns.length - 1) / 6)); // portrait's parts
    expect(parts.every((b) => b.kind === "table" && b.landscape)).toBe(true);
    const boxes = mediaBoxes(await renderPdf(reportDocument(report)));
    const landscape = boxes.filter(([w, h]) => w! > h!);
    expect(landscape.length).toBeGreaterThanOrEqual(parts.length);
    expect(landscape.every(([w, h]) => w === 792 && h === 612)).toBe(true);
    console.log(
      `tif report: ${boxes.length} pages, ${landscape.length} landscape, ${parts.length} monthly parts`,
    );
  });
});

describe("XLSX", () => {
  it("writes months as dates, not text", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderXlsx(buildRunReport(tif, tifRun()))) as never);
    const sheet = wb.getWorksheet("Monthly cash flow")!;
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    const month = header.indexOf("Month");
    const cell = sheet.getRow(2).getCell(month);
    expect(cell.value).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect(cell.numFmt).toBe("mmm yyyy");
    expect(sheet.getRow(32).getCell(month).value).toEqual(new Date(Date.UTC(2028, 6, 1))); // period 31: 2028-07
  });
});
