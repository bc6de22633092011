import { catalog } from "@modelworks/catalog";
import { createContext, executeModel } from "@modelworks/model-kit";
import ExcelJS from "exceljs";
import { extractText } from "unpdf";
import { describe, expect, it } from "vitest";
import { renderPdf } from "../src/exports/pdf.ts";
import { buildRunReport, type ExportableRun, reportDocument } from "../src/exports/report.ts";
import { renderXlsx } from "../src/exports/xlsx.ts";

/**
 * Exports say what an optimizer run answered (issue 18 items 4, 9 and 13): "No feasible plan"
 * with the smallest changes, "Empty plan" with its reason, on the PDF's first page and atop the
 * XLSX Summary, and what binds as a table.
 */

// biome-ignore lint/suspicious/noExplicitAny: engine input and output read by field name
type Json = any;
const M = 1_000_000;
const dealPicker = catalog.find("deal-picker")!;
const solve = (raw: Json) =>
  executeModel(
    dealPicker,
    { assumptions: { transactionCostRate: 0, vacancyHaircut: 0 }, solver: { mipRelGap: 0 }, ...raw },
    createContext({ signal: new AbortController().signal }),
  );

const runOf = (input: unknown, output: unknown): ExportableRun => ({
  id: "5c0d7a2e-11aa-4b3c-8d9e-0f1e2d3c4b5a",
  modelId: dealPicker.id,
  modelVersion: dealPicker.version,
  status: "succeeded",
  input,
  output,
  createdAt: new Date("2026-12-06T09:00:00Z"),
  startedAt: new Date("2026-12-06T09:00:01Z"),
  finishedAt: new Date("2026-12-06T09:00:02Z"),
  scenarioRevision: null,
  dealName: "Gulf portfolio",
});

const firstPage = async (buf: Buffer) =>
  (await extractText(new Uint8Array(buf), { mergePages: false })).text[0]!.replace(/\s+/g, " ");

async function summaryRows(buf: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  wb.getWorksheet("Summary")!.eachRow((row) => {
    rows.push([row.getCell(1).value, row.getCell(2).value]);
  });
  return rows;
}

describe("exports of an optimizer run's outcome", () => {
  it("an infeasible plan: 'No feasible plan' and the smallest change on the cover and the Summary", async () => {
    const input = {
      budget: 10 * M,
      deals: [
        { id: "TOWER", askPrice: 12 * M, noi: 900_000, sector: "Office", city: "DIFC", mustBuy: true },
        { id: "SHOP", askPrice: 3 * M, noi: 240_000, sector: "Retail", city: "JLT" },
      ],
    };
    const output = await solve(input);
    const report = buildRunReport(dealPicker, runOf(input, output));
    expect(report.outcome).toMatchObject({ code: "infeasible", label: "No feasible plan", tone: "bad" });
    const change = "raise Budget from 10,000,000 to 12,000,000 AED (+2,000,000)";
    expect(report.outcome!.details).toEqual([change]);

    const page = await firstPage(await renderPdf(reportDocument(report)));
    expect(page).toContain("Outcome: No feasible plan");
    expect(page).toContain("Smallest changes that make a plan possible");
    expect(page).toContain(change);
    // The answer comes before the numbers.
    expect(page.indexOf("Outcome: No feasible plan")).toBeLessThan(page.indexOf("Key results"));

    const rows = await summaryRows(await renderXlsx(report));
    expect(rows.slice(1, 3)).toEqual([
      ["Outcome", null],
      ["Outcome", "No feasible plan"],
    ]);
    expect(rows).toContainEqual(["Smallest changes that make a plan possible", change]);
  }, 60_000);

  it("an empty plan: its reason and what stops each deal", async () => {
    const input = {
      budget: 20 * M,
      caps: { basis: "deployed", sector: {}, city: {}, singleAsset: 0.2 },
      deals: [
        { id: "A", askPrice: 5 * M, noi: 500_000, sector: "Office", city: "DIFC" },
        { id: "B", askPrice: 6 * M, noi: 540_000, sector: "Retail", city: "JLT" },
        { id: "C", askPrice: 30 * M, noi: 2_000_000, sector: "Office", city: "DIFC" },
      ],
    };
    const output = (await solve(input)) as Json;
    const report = buildRunReport(dealPicker, runOf(input, output));
    const reason =
      "The plan is empty because of the single-asset cap (20% of capital deployed): it stops 2 of the 3 deals checked; also Budget (1).";
    expect(report.outcome).toMatchObject({ code: "empty", label: "Empty plan: buys no deal", reason });
    expect(report.outcome!.details).toHaveLength(3);

    const page = await firstPage(await renderPdf(reportDocument(report)));
    expect(page).toContain("Outcome: Empty plan: buys no deal");
    expect(page).toContain(reason);
    expect(page).toContain("What stops each deal");
    expect(page).toContain(output.emptyPlan.blockers[1].explanation.replace(/\s+/g, " ").slice(0, 40));

    const rows = await summaryRows(await renderXlsx(report));
    expect(rows).toContainEqual(["Outcome", "Empty plan: buys no deal"]);
    expect(rows).toContainEqual(["Reason", reason]);
    expect(rows).toContainEqual(["What stops each deal", output.emptyPlan.blockers[0].explanation]);
  }, 60_000);

  it("what binds: one row per kind of limit, with its count, top rows and re-solved what-if", async () => {
    const input = dealPicker.examples[0]!.input as Json;
    const output = (await solve(input)) as Json;
    const groups = output.bindingGroups as Json[];
    expect(groups.length).toBeGreaterThan(0);
    const report = buildRunReport(dealPicker, runOf(input, output));
    expect(report.outcome?.label).toBe("Optimal plan");
    const table = report.tables.find((t) => t.name === "binding-limits")!;
    expect(table.title).toBe("What binds");
    expect(table.rows.map((r) => [r.label, r.count])).toEqual(groups.map((g) => [g.label, g.count]));

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderXlsx(report)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("What binds")!;
    expect(ws.getRow(1).values).toEqual([
      undefined,
      "Limit",
      "Binding rows",
      "Tightest rows",
      "Re-solved what-if",
      "Objective change",
    ]);
    expect(ws.getCell("A2").value).toBe(groups[0].label);
    expect(ws.getCell("B2").value).toBe(groups[0].count);
    expect(ws.getCell("C2").value).toContain(groups[0].top[0].constraint);
    if (groups[0].resolved) expect(ws.getCell("D2").value).toContain(groups[0].resolved.question);

    const pdf = (
      await extractText(new Uint8Array(await renderPdf(reportDocument(report))), { mergePages: true })
    ).text;
    expect(pdf.replace(/\s+/g, " ")).toContain("What binds");
  }, 60_000);

  it("a model without outcomes (TIF) has none, and a failed run shows none", async () => {
    const tif = catalog.find("tif")!;
    expect(buildRunReport(tif, { ...runOf({}, {}), modelId: "tif" }).outcome).toBeNull();
    const failed = buildRunReport(dealPicker, { ...runOf({}, { status: "infeasible" }), status: "failed" });
    expect(failed.outcome).toBeNull();
  });
});
