import { catalog } from "@modelworks/catalog";
import { calculateDealV2 } from "@modelworks/engine-tif";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { exportRun } from "../src/exports/index.ts";
import type { ExportableRun } from "../src/exports/report.ts";

/**
 * The TIF formula workbook writes negatives as the org does (issue 18 item 8), like the run's
 * other XLSX exports: its number formats come from the org's style, not its own.
 */

// biome-ignore lint/suspicious/noExplicitAny: engine input and output read by field name
type Json = any;
const tif = catalog.find("tif")!;
const input = tif.input.parse(tif.examples[0]!.input) as Json;
const output = calculateDealV2(input);

const run = (numberStyle: ExportableRun["numberStyle"]): ExportableRun => ({
  id: "7e1f0c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
  modelId: "tif",
  modelVersion: tif.version,
  status: "succeeded",
  input,
  output,
  createdAt: new Date("2026-12-06T09:00:00Z"),
  startedAt: null,
  finishedAt: null,
  scenarioRevision: null,
  numberStyle,
});

async function formats(numberStyle: ExportableRun["numberStyle"]) {
  const file = await exportRun(tif, run(numberStyle), "xlsx", "formula-workbook");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file.body as unknown as ArrayBuffer);
  const monthly = wb.getWorksheet("Monthly")!;
  let levered = 0;
  monthly.getRow(1).eachCell((c, n) => {
    if (c.value === "Levered cash flow") levered = n;
  });
  expect(levered).toBeGreaterThan(0);
  let occupancy = 0;
  monthly.getRow(1).eachCell((c, n) => {
    if (c.value === "Occupancy") occupancy = n;
  });
  return {
    money: monthly.getRow(3).getCell(levered).numFmt,
    percent: monthly.getRow(3).getCell(occupancy).numFmt,
  };
}

describe("TIF formula workbook in the org's number style", () => {
  it("brackets in red, brackets, or a minus, as the org writes negatives", async () => {
    expect(await formats({ negatives: "brackets", red: true })).toEqual({
      money: '"$"#,##0.00;[Red]("$"#,##0.00)',
      percent: "0.0000%;[Red](0.0000%)",
    });
    expect(await formats({ negatives: "brackets", red: false })).toEqual({
      money: '"$"#,##0.00;("$"#,##0.00)',
      percent: "0.0000%;(0.0000%)",
    });
    // A minus, as every other export writes it when the org says nothing (it was red brackets here).
    expect(await formats(null)).toEqual({ money: '"$"#,##0.00;-"$"#,##0.00', percent: "0.0000%" });
  }, 60_000);
});
