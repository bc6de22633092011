import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { displayValue, excelNumFmt, sheetValue, titleWithUnit } from "./cells.ts";
import type { Field, ResolvedTable, RunReport } from "./report.ts";

/**
 * The XLSX export: a Summary sheet (run, key results, inputs) and one sheet per declared table,
 * each with a frozen, bold header row, typed cells (numbers stay numbers at full precision, the
 * number format says how to show them: currency, %, months…) and column widths fitted to the
 * content. Written with exceljs' streaming writer, which commits each row as it goes, so a
 * 100,000-row table never exists as a workbook object model in memory.
 */

const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF5" } };
const WIDTH_SAMPLE_ROWS = 200;

/** Excel's rules for sheet names: ≤ 31 characters, none of []:*?/\, unique (case-insensitive). */
export function sheetName(title: string, taken: Set<string>): string {
  const clean =
    title
      .replace(/[[\]:*?/\\]/g, " ")
      .replace(/\s+/g, " ")
      .replace(/^'+|'+$/g, "")
      .trim() || "Table";
  let name = clean.slice(0, 31);
  for (let n = 2; taken.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name = clean.slice(0, 31 - suffix.length) + suffix;
  }
  taken.add(name.toLowerCase());
  return name;
}

const widthOf = (text: string) => Math.min(60, Math.max(8, text.length + 2));

/** `2028-07`: a month the engines write as text; the sheet gets a real date (the 1st) shown as `Jul 2028`. */
const YEAR_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MONTH_FMT = "mmm yyyy";

/** Columns whose every sampled value is a year-month: written as dates so Excel can sort, filter and chart them. */
function monthColumns(t: ResolvedTable, sample: Record<string, unknown>[]): Set<string> {
  const keys = new Set<string>();
  for (const c of t.columns) {
    const values = sample.map((r) => r[c.key]).filter((v) => v !== null && v !== undefined);
    if (values.length > 0 && values.every((v) => typeof v === "string" && YEAR_MONTH.test(v)))
      keys.add(c.key);
  }
  return keys;
}

const monthDate = (v: unknown) => {
  const m = typeof v === "string" ? YEAR_MONTH.exec(v) : null;
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) : null;
};

/** Rows written between yields to the event loop, so one big export does not stall other requests. */
const ROWS_PER_SLICE = 2_000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function addTableSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, t: ResolvedTable, taken: Set<string>) {
  const ws = wb.addWorksheet(sheetName(t.title, taken), {
    views: [{ state: "frozen", xSplit: 0, ySplit: 1 }],
  });
  const sample = t.rows.slice(0, WIDTH_SAMPLE_ROWS);
  const months = monthColumns(t, sample);
  ws.columns = t.columns.map((c) => {
    const title = titleWithUnit(c.title, c);
    const longest = sample.reduce((w, r) => Math.max(w, displayValue(r[c.key], c).length), title.length);
    const numFmt = months.has(c.key) ? MONTH_FMT : excelNumFmt(c);
    return {
      header: title,
      key: c.key,
      width: widthOf("x".repeat(longest)),
      ...(numFmt ? { style: { numFmt } } : {}),
    };
  });
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.fill = HEADER_FILL;
  header.commit();
  // One style object per column, shared by all its cells: exceljs caches a style's id by object
  // identity, so this skips re-serializing the style of every cell (3× faster on 100,000 rows).
  const styles: Partial<ExcelJS.Style>[] = t.columns.map((c) => {
    const numFmt = months.has(c.key) ? MONTH_FMT : excelNumFmt(c);
    return numFmt ? { numFmt } : {};
  });
  for (const [n, row] of t.rows.entries()) {
    if (n > 0 && n % ROWS_PER_SLICE === 0) await yieldToEventLoop();
    const r = ws.addRow(
      t.columns.map((c) =>
        months.has(c.key) ? (monthDate(row[c.key]) ?? sheetValue(row[c.key], c)) : sheetValue(row[c.key], c),
      ),
    );
    for (let i = 0; i < styles.length; i++) r.getCell(i + 1).style = styles[i]!;
    r.commit();
  }
  ws.commit();
}

function addSummarySheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, r: RunReport, taken: Set<string>) {
  const ws = wb.addWorksheet(sheetName("Summary", taken), {
    views: [{ state: "frozen", xSplit: 0, ySplit: 1 }],
  });
  const fields = [...r.metadata, ...r.kpis, ...r.inputs];
  const longest = fields.reduce((w, f) => Math.max(w, f.label.length), 12);
  ws.columns = [
    { header: "Field", key: "field", width: widthOf("x".repeat(Math.min(longest, 58))) },
    { header: "Value", key: "value", width: 24 },
    { header: "Unit", key: "unit", width: 14 },
  ];
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.fill = HEADER_FILL;
  header.commit();
  const section = (title: string) => {
    const row = ws.addRow([title]);
    row.font = { bold: true };
    row.commit();
  };
  const field = (f: Field, typed: boolean) => {
    const row = ws.addRow([sheetValue(f.label, {}), sheetValue(f.value, f), f.unit ?? null]);
    const numFmt = typed ? excelNumFmt(f) : undefined;
    if (numFmt && typeof f.value === "number") row.getCell(2).numFmt = numFmt;
    row.commit();
  };
  // The run's answer first: a sheet of numbers under "succeeded" must not read as a plan when there is none.
  const o = r.outcome;
  if (o) {
    section("Outcome");
    ws.addRow(["Outcome", o.label]).commit();
    if (o.reason) ws.addRow(["Reason", sheetValue(o.reason, {})]).commit();
    for (const [i, d] of o.details.entries())
      ws.addRow([i === 0 ? (o.detailsTitle ?? "") : "", sheetValue(d, {})]).commit();
  }
  section("Run");
  for (const f of r.metadata) field(f, true);
  section("Key results");
  for (const f of r.kpis) field(f, true);
  section("Inputs");
  for (const f of r.inputs) field(f, false);
  if (r.inputsNote) ws.addRow([r.inputsNote]).commit();
  ws.commit();
}

export async function renderXlsx(r: RunReport): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on("end", resolve);
    out.on("error", reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = "Modelworks";
  wb.title = r.title;
  wb.created = new Date();
  const taken = new Set<string>();
  addSummarySheet(wb, r, taken);
  for (const t of r.tables) await addTableSheet(wb, t, taken);
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}
