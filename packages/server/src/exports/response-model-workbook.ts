import type { NumberStyle } from "@modelworks/contracts/number-style";
import type { ResponseModelOutput } from "@modelworks/engine-response-model";
import ExcelJS from "exceljs";
import { excelNumFmt, sheetValue, titleWithUnit, type ValueFormat } from "./cells.ts";
import { chartSvg, svgToPng } from "./charts.ts";
import type { Field, ResolvedTable } from "./report.ts";
import {
  bestDepthFields,
  calibrationTable,
  coefficientTable,
  curveTables,
  dataCheckTables,
  decileTables,
  fitFields,
  importanceTable,
  mailingTable,
  metricRows,
  reportCharts,
  scorecardTable,
  selectionTable,
  tierTable,
} from "./response-model-report.ts";

/**
 * The response model's workbook (issue 15 item 9): one sheet per part of the report
 * (./response-model-report.ts builds the rows), typed cells with number formats by kind
 * (percent, USD, 4-decimal probabilities), the gate coloured pass/fail, and the charts as
 * pictures on a Charts sheet. exceljs cannot write native Excel charts, so each picture's
 * points are on the Chart data sheet as plain tables an analyst can chart in one click.
 */

const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF5" } };
const PASS_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD3F0DA" } };
const FAIL_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFF8D7DA" } };

export const WORKBOOK_SHEETS = [
  "Summary",
  "Deciles",
  "Coefficients",
  "Importance",
  "Forward selection",
  "Scorecard",
  "Mailing plan",
  "Calibration",
  "Data checks",
  "Charts",
  "Chart data",
] as const;

const styledFmt = (f: ValueFormat, style: NumberStyle | null) => excelNumFmt(style ? { ...f, style } : f);

/** Writes a titled table from `row`; returns the first free row after it and a blank one. */
function writeTable(ws: ExcelJS.Worksheet, row: number, t: ResolvedTable, style: NumberStyle | null): number {
  ws.getCell(row, 1).value = t.title;
  ws.getCell(row, 1).font = { bold: true, size: 12 };
  const header = ws.getRow(row + 1);
  t.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = titleWithUnit(c.title, c);
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    const w = ws.getColumn(i + 1);
    w.width = Math.max(w.width ?? 10, Math.min(48, cell.value.length + 2));
  });
  const fmts = t.columns.map((c) => styledFmt(c, style));
  t.rows.forEach((r, n) => {
    const line = ws.getRow(row + 2 + n);
    t.columns.forEach((c, i) => {
      const cell = line.getCell(i + 1);
      cell.value = sheetValue(r[c.key], c);
      if (fmts[i] && typeof cell.value === "number") cell.numFmt = fmts[i]!;
    });
  });
  return row + 2 + t.rows.length + 1;
}

function writeFields(
  ws: ExcelJS.Worksheet,
  row: number,
  title: string,
  fields: Field[],
  style: NumberStyle | null,
) {
  ws.getCell(row, 1).value = title;
  ws.getCell(row, 1).font = { bold: true, size: 12 };
  fields.forEach((f, n) => {
    const line = ws.getRow(row + 1 + n);
    line.getCell(1).value = f.label;
    const cell = line.getCell(2);
    cell.value = sheetValue(f.value, f);
    const fmt = styledFmt(f, style);
    if (fmt && typeof cell.value === "number") cell.numFmt = fmt;
  });
  return row + 1 + fields.length + 1;
}

function summarySheet(
  wb: ExcelJS.Workbook,
  o: ResponseModelOutput,
  title: string,
  style: NumberStyle | null,
) {
  const ws = wb.addWorksheet("Summary");
  ws.getColumn(1).width = 34;
  ws.getColumn(2).width = 18;
  ws.getColumn(3).width = 18;
  ws.getCell("A1").value = title;
  ws.getCell("A1").font = { bold: true, size: 14 };
  const gate = o.holdout.gate;
  ws.getCell("A2").value = "Deployment gate";
  ws.getCell("B2").value = gate.pass ? "PASS" : "FAIL";
  ws.getCell("B2").font = { bold: true };
  ws.getCell("B2").fill = gate.pass ? PASS_FILL : FAIL_FILL;
  ws.getCell("C2").value = sheetValue(gate.message, {});
  let row = 4;
  ws.getCell(row, 1).value = "Metrics";
  ws.getCell(row, 1).font = { bold: true, size: 12 };
  const header = ws.getRow(row + 1);
  ["Metric", "Holdout", "All rows"].forEach((h, i) => {
    header.getCell(i + 1).value = h;
    header.getCell(i + 1).font = { bold: true };
    header.getCell(i + 1).fill = HEADER_FILL;
  });
  row += 2;
  for (const m of metricRows(o)) {
    const line = ws.getRow(row++);
    line.getCell(1).value = m.label;
    const fmt = styledFmt(m, style);
    for (const [i, v] of [m.holdout, m.allRows].entries()) {
      const cell = line.getCell(2 + i);
      cell.value = sheetValue(v, m);
      if (fmt && typeof v === "number") cell.numFmt = fmt;
      if (m.label === "Gate") cell.fill = v === "PASS" ? PASS_FILL : FAIL_FILL;
    }
  }
  row = writeFields(ws, row + 1, "Fit", fitFields(o), style);
  row = writeFields(ws, row, "Best mailing depth", bestDepthFields(o), style);
  ws.getCell(row, 1).value = "Executive summary";
  ws.getCell(row, 1).font = { bold: true, size: 12 };
  for (const line of o.executiveSummary.text.split(/\r?\n/))
    ws.getCell(++row, 1).value = sheetValue(line, {});
}

function tablesSheet(wb: ExcelJS.Workbook, name: string, tables: ResolvedTable[], style: NumberStyle | null) {
  const ws = wb.addWorksheet(name);
  let row = 1;
  for (const t of tables) row = writeTable(ws, row, t, style);
  return ws;
}

const CHART_W = 720;
const CHART_H = 340;

function chartsSheet(wb: ExcelJS.Workbook, o: ResponseModelOutput) {
  const ws = wb.addWorksheet("Charts");
  ws.getCell("A1").value =
    "Charts drawn from the numbers on the other sheets (pictures; the points are on Chart data).";
  let row = 2;
  for (const c of reportCharts(o)) {
    ws.getCell(row + 1, 1).value = c.title;
    ws.getCell(row + 1, 1).font = { bold: true };
    const png = svgToPng(chartSvg(c, CHART_W, CHART_H), 1.5);
    const image = wb.addImage({ buffer: png as unknown as ExcelJS.Buffer, extension: "png" });
    ws.addImage(image, { tl: { col: 0, row: row + 1 }, ext: { width: CHART_W, height: CHART_H } });
    // About 20 px per default row: leave the picture's height and a gap.
    row += Math.ceil(CHART_H / 20) + 3;
  }
}

export async function renderResponseModelWorkbook(
  o: ResponseModelOutput,
  meta: { title: string; numberStyle?: NumberStyle | null | undefined },
): Promise<Buffer> {
  const style = meta.numberStyle ?? null;
  const wb = new ExcelJS.Workbook();
  wb.creator = "Modelworks";
  wb.title = meta.title;
  summarySheet(wb, o, meta.title, style);
  tablesSheet(wb, "Deciles", decileTables(o), style);
  tablesSheet(wb, "Coefficients", [coefficientTable(o)], style);
  tablesSheet(wb, "Importance", [importanceTable(o)], style);
  tablesSheet(wb, "Forward selection", [selectionTable(o)], style);
  tablesSheet(wb, "Scorecard", [scorecardTable(o)], style);
  const plan = wb.addWorksheet("Mailing plan");
  let row = writeFields(plan, 1, "Best mailing depth", bestDepthFields(o), style);
  row = writeTable(plan, row, mailingTable(o), style);
  writeTable(plan, row, tierTable(o), style);
  tablesSheet(wb, "Calibration", [calibrationTable(o)], style);
  tablesSheet(wb, "Data checks", dataCheckTables(o), style);
  chartsSheet(wb, o);
  const { roc, gains, pr } = curveTables(o);
  tablesSheet(wb, "Chart data", [roc, gains, pr], style);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
