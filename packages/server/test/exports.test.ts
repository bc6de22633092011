import { catalog } from "@modelworks/catalog";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { unzipSync } from "fflate";
import { extractText } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../src/db/schema.ts";
import { displayValue } from "../src/exports/cells.ts";
import {
  PAGED_MAX_COLUMNS,
  PAGED_MAX_COLUMNS_LANDSCAPE,
  PAGED_MAX_ROWS,
  pagedTable,
} from "../src/exports/report.ts";
import { createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Exports of runs, read back the way a user's tools would read them: the XLSX parsed by
 * exceljs, the CSVs unzipped and parsed, the PDF's text extracted, the DOCX unzipped.
 */

let t: TestApp;
let owner: Awaited<ReturnType<typeof createOwner>>;
const tif = catalog.find("tif")!;
const debtStack = catalog.find("debt-stack")!;
// biome-ignore lint/suspicious/noExplicitAny: outputs are read by path in assertions
type Json = any;
let tifRun: { id: string; output: Json };
let debtRun: { id: string; output: Json };
let injectedRun: { id: string; output: Json };
let mcRun: { id: string };

/** Spreadsheet formula payloads, as tranche and scenario ids that flow into the tables. */
const PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3", "@cmd", "\tTAB", "\rCR"];

async function run(modelId: string, input: unknown) {
  const res = await request(t.app, owner, {
    method: "POST",
    url: `/api/v1/models/${modelId}/runs?wait=60&cache=false`,
    payload: { input },
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  expect(body.status, JSON.stringify(body.error)).toBe("succeeded");
  return body;
}

const download = (runId: string, query: string) =>
  request(t.app, owner, { method: "GET", url: `/api/v1/runs/${runId}/export?${query}` });

async function workbook(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as never);
  return wb;
}

function rowOf(ws: ExcelJS.Worksheet, label: string): ExcelJS.Row {
  let found: ExcelJS.Row | undefined;
  ws.eachRow((row) => {
    if (row.getCell(1).value === label) found = row;
  });
  if (!found) throw new Error(`no row "${label}" in ${ws.name}`);
  return found;
}

const pdfText = async (buf: Buffer) =>
  (await extractText(new Uint8Array(buf), { mergePages: true })).text.replace(/\s+/g, " ");

beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200", INTERNAL_MODELS: "true" }, { worker: true });
  owner = await createOwner(t.app, "Exporters");
  tifRun = await run("tif", tif.examples[0]!.input);
  debtRun = await run("debt-stack", debtStack.examples[0]!.input);
  const base = debtStack.examples[0]!.input as Json;
  injectedRun = await run("debt-stack", {
    ...base,
    tranches: base.tranches.map((tr: Json, i: number) => ({ ...tr, id: PAYLOADS[i], name: PAYLOADS[i + 2] })),
    rateScenarios: base.rateScenarios.map((s: Json, i: number) => ({ ...s, id: PAYLOADS[i + 4] })),
  });
  mcRun = await run("test-montecarlo-sum", { terms: [{ mean: 10, sd: 2 }], samples: 5000, seed: 3 });
}, 120_000);
afterAll(async () => t?.close());

describe("XLSX", () => {
  it("has a Summary sheet and one sheet per declared table, typed, formatted, with frozen headers", async () => {
    const res = await download(tifRun.id, "format=xlsx");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(res.headers["content-disposition"]).toBe(
      `attachment; filename="tif-run-${tifRun.id.slice(0, 8)}.xlsx"`,
    );
    const wb = await workbook(res.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "Summary",
      "Monthly cash flow",
      "Unit mix and rents",
      "Annual summary",
    ]);

    const cf = wb.getWorksheet("Monthly cash flow")!;
    expect(cf.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    const header = cf.getRow(1);
    expect(header.getCell(1).value).toBe("Period");
    expect(header.getCell(4).value).toBe("Levered cash flow");
    expect(header.font?.bold).toBe(true);
    const periods = tifRun.output.periods as Json[];
    expect(cf.rowCount).toBe(periods.length + 1);
    const columns = tif.tables![0]!.columns.map((c) => c.key);
    const col = (key: string) => columns.indexOf(key) + 1;
    for (const i of [0, 30, periods.length - 1]) {
      const row = cf.getRow(i + 2);
      expect(row.getCell(col("period")).value).toBe(periods[i].period);
      // Full precision: the number format decides what is shown, not the stored value.
      expect(row.getCell(col("leveredCf")).value).toBe(periods[i].leveredCf);
      expect(row.getCell(col("occupancy")).value).toBe(periods[i].occupancy);
      expect(row.getCell(col("phase")).value).toBe(periods[i].phase);
    }
    const sample = cf.getRow(10);
    expect(typeof sample.getCell(col("leveredCf")).value).toBe("number");
    expect(sample.getCell(col("leveredCf")).numFmt).toBe('"$"#,##0.00;-"$"#,##0.00');
    expect(sample.getCell(col("occupancy")).numFmt).toBe("0.0000%");
    expect(sample.getCell(col("period")).numFmt).toBe("#,##0");
    expect(cf.getColumn(col("leveredCf")).width).toBeGreaterThanOrEqual(12);

    const summary = wb.getWorksheet("Summary")!;
    expect(summary.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    const irr = rowOf(summary, "Levered IRR");
    expect(irr.getCell(2).value).toBe(tifRun.output.returns.leveredIrr);
    expect(irr.getCell(2).numFmt).toBe("0.00%");
    expect(rowOf(summary, "Run").getCell(2).value).toBe(tifRun.id);
    expect(rowOf(summary, "Key results").getCell(1).font?.bold).toBe(true);
    expect(rowOf(summary, "Inputs")).toBeDefined();
  });

  it("formats by unit: the run's currency, months, multiples", async () => {
    const wb = await workbook((await download(debtRun.id, "format=xlsx")).rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "Summary",
      // The grouped binding limits, first: what holds the plan back (issue 18 item 13).
      "What binds",
      "Debt stack",
      "DSCR and debt yield by year and",
      "Amortization schedule per tranc",
      "Shadow prices (LP duals with ra",
      "What-if answers (re-solved)",
    ]);
    const stack = wb.getWorksheet("Debt stack")!;
    expect(stack.getRow(1).getCell(3).value).toBe("Amount");
    expect(stack.getRow(1).getCell(6).value).toBe("Expected interest (AED/yr)");
    expect(stack.getRow(2).getCell(3).value).toBe(debtRun.output.tranches[0].amount);
    expect(stack.getRow(2).getCell(3).numFmt).toBe('#,##0 "AED"');
    expect(stack.getRow(2).getCell(4).numFmt).toBe("0.00%");
    const coverage = wb.getWorksheet("DSCR and debt yield by year and")!;
    expect(coverage.getRow(2).getCell(5).numFmt).toBe('#,##0.000 "x"');
    const summary = wb.getWorksheet("Summary")!;
    expect(rowOf(summary, "Total debt").getCell(2).value).toBe(debtRun.output.kpis.totalDebt);
    expect(rowOf(summary, "Total debt").getCell(3).value).toBe("AED");
    // The run's answer opens the Summary.
    expect(summary.getRow(2).getCell(1).value).toBe("Outcome");
    expect(summary.getRow(3).getCell(2).value).toBe("Optimal financing stack");
  });

  it("neutralizes formula payloads: text with a leading ', never a formula", async () => {
    const wb = await workbook((await download(injectedRun.id, "format=xlsx")).rawPayload);
    const stack = wb.getWorksheet("Debt stack")!;
    const ids = [stack.getRow(2).getCell(1).value, stack.getRow(3).getCell(1).value];
    expect(ids.sort()).toEqual([`'${PAYLOADS[0]}`, `'${PAYLOADS[1]}`].sort());
    const scenarios = new Set<unknown>();
    wb.getWorksheet("DSCR and debt yield by year and")!.eachRow((row, n) => {
      if (n > 1) scenarios.add(row.getCell(2).value);
    });
    // XML turns a carriage return into a line feed; either way the text starts with '.
    expect([...scenarios].sort()).toEqual([`'${PAYLOADS[4]}`, `'${PAYLOADS[5]!.replace("\r", "\n")}`].sort());
    let formulas = 0;
    let dangerous = 0;
    for (const ws of wb.worksheets) {
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          if (cell.type === ExcelJS.ValueType.Formula) formulas++;
          if (typeof cell.value === "string" && /^[=+\-@\t\r]/.test(cell.value)) dangerous++;
        }),
      );
    }
    expect({ formulas, dangerous }).toEqual({ formulas: 0, dangerous: 0 });
    // The input listing on the Summary sheet is neutralized too.
    expect(rowOf(wb.getWorksheet("Summary")!, "Tranches, row 1: id").getCell(2).value).toBe(
      `'${PAYLOADS[0]}`,
    );
  });
});

describe("formula workbook (tif@2)", () => {
  it("is an Excel workbook of live formulas with checks against the run (recomputed in tif-workbook.test.ts)", async () => {
    const res = await download(tifRun.id, "format=xlsx&document=formula-workbook");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-disposition"]).toMatch(/-formulas\.xlsx"$/);
    const wb = await workbook(res.rawPayload);
    expect(wb.worksheets.filter((w) => w.state !== "hidden").map((w) => w.name)).toEqual([
      "Inputs",
      "Sources & Uses",
      "Monthly",
      "Loan sizing",
      "Returns",
    ]);
    const inputs = wb.getWorksheet("Inputs")!;
    expect(rowOf(inputs, "Exit cap rate").getCell(2).value).toBe(
      (tif.examples[0]!.input as Json).exitCapRate,
    );
    expect(rowOf(inputs, "Exit cap rate").getCell(3).value).toBe("%");
    const monthly = wb.getWorksheet("Monthly")!;
    expect(monthly.rowCount).toBe(tifRun.output.periods.length + 1);
    // Months are dates, money cells are formulas, not text.
    expect(monthly.getCell("B2").value).toBeInstanceOf(Date);
    expect((monthly.getCell("W2").value as Json).formula).toMatch(/^P2\+Q2\+S2/);
    const returns = wb.getWorksheet("Returns")!;
    expect((rowOf(returns, "Levered IRR (annual)").getCell(2).value as Json).formula).toMatch(
      /IRR\(Monthly!\$W\$2:/,
    );
    expect(rowOf(returns, "Levered IRR (annual)").getCell(3).value).toBe(tifRun.output.returns.leveredIrr);
    const tifModel = (await t.app.inject({ method: "GET", url: "/api/v1/models/tif" })).json();
    expect(tifModel.documents.map((d: Json) => [d.name, d.formats])).toContainEqual([
      "formula-workbook",
      ["xlsx"],
    ]);
    // The CSV of a model with several tables is a zip, and the listing says so.
    expect(tifModel.documents[0].summary).toMatch(/CSV comes as a \.zip of \d+ CSV files, one per table/);
  });
});

describe("formula workbook (optimizers)", () => {
  it("offers the plan as live formulas for the four optimizers (recomputed in optimizer-workbooks.test.ts)", async () => {
    for (const id of ["leasing-mix", "deal-picker", "capex-phasing", "debt-stack"]) {
      const m = (await t.app.inject({ method: "GET", url: `/api/v1/models/${id}` })).json();
      expect(
        m.documents.map((d: Json) => [d.name, d.formats]),
        id,
      ).toContainEqual(["formula-workbook", ["xlsx"]]);
    }
    const res = await download(debtRun.id, "format=xlsx&document=formula-workbook");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-disposition"]).toMatch(/-formulas\.xlsx"$/);
    const wb = await workbook(res.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "Inputs",
      "Plan",
      "Coefficients",
      "Sources & Uses",
      "DSCR by year",
      "Unit schedule",
    ]);
    const input = debtStack.examples[0]!.input as Json;
    const price = rowOf(wb.getWorksheet("Inputs")!, "Purchase price");
    expect([price.getCell(2).value, price.getCell(3).value]).toEqual([input.purchasePrice, "AED"]);
    const plan = wb.getWorksheet("Plan")!;
    // Every constraint's left-hand side is a SUMPRODUCT of its coefficients and the plan.
    const ltv = rowOf(plan, "Max LTV");
    expect((ltv.getCell(2).value as Json).formula).toMatch(/^SUMPRODUCT\(Coefficients!/);
    expect((ltv.getCell(4).value as Json).formula).toMatch(/Inputs!\$B\$\d+\*Inputs!\$B\$\d+/);
    expect(ltv.getCell(8).value).toBe(
      debtRun.output.constraints.find((c: Json) => c.constraint === "Max LTV").activity,
    );
    expect(rowOf(plan, `Objective (AED/yr)`).getCell(3).value).toBe(debtRun.output.kpis.objective);
  });

  it("says why there is no workbook: another format is 422 on the field, a run without a plan 409", async () => {
    const pdf = await download(debtRun.id, "format=pdf&document=formula-workbook");
    expect(pdf.statusCode).toBe(422);
    expect(JSON.stringify(pdf.json())).toContain("query.format");
    const base = debtStack.examples[0]!.input as Json;
    const none = await run("debt-stack", {
      ...base,
      equityAvailable: 0,
      targets: { ...base.targets, maxLtv: 0.3 },
    });
    expect(none.output.status).toBe("infeasible");
    const res = await download(none.id, "format=xlsx&document=formula-workbook");
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().code ?? res.json().type).toMatch(/export_empty/);
  });
});

describe("CSV", () => {
  it("zips one CSV per table when the model declares several", async () => {
    const res = await download(tifRun.id, "format=csv");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/zip");
    expect(res.headers["content-disposition"]).toBe(
      `attachment; filename="tif-run-${tifRun.id.slice(0, 8)}-csv.zip"`,
    );
    const files = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(files).sort()).toEqual(["annual.csv", "periods.csv", "unit-mix.csv"]);
    expect(Array.from(files["periods.csv"]!.subarray(0, 3))).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
    const text = new TextDecoder().decode(files["periods.csv"]);
    const rows: string[][] = parse(text, { bom: true });
    const periods = tifRun.output.periods as Json[];
    expect(rows).toHaveLength(periods.length + 1);
    expect(rows[0]!.slice(0, 4)).toEqual(["Period", "Month", "Phase", "Levered cash flow"]);
    expect(rows[0]).toContain("Escalation year");
    expect(Number(rows[5]![3])).toBe(periods[4].leveredCf);
    expect(rows[5]![2]).toBe(periods[4].phase);
  });

  it("is a single CSV for a model with one table", async () => {
    const res = await download(mcRun.id, "format=csv");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const rows: string[][] = parse(res.body, { bom: true });
    expect(rows[0]).toEqual(["From", "To", "Samples", "Share"]);
    expect(rows.slice(1).reduce((s, r) => s + Number(r[2]), 0)).toBe(5000);
  });

  it("neutralizes formula payloads", async () => {
    const files = unzipSync(new Uint8Array((await download(injectedRun.id, "format=csv")).rawPayload));
    const tranches: string[][] = parse(new TextDecoder().decode(files["tranches.csv"]), {
      bom: true,
      relax_quotes: true,
    });
    expect(
      tranches
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([`'${PAYLOADS[0]}`, `'${PAYLOADS[1]}`].sort());
    for (const [name, bytes] of Object.entries(files)) {
      const rows: string[][] = parse(new TextDecoder().decode(bytes), { bom: true });
      const bad = rows.flat().filter((cell) => /^[=+@\t\r]/.test(cell) || /^-[^\d.]/.test(cell));
      expect(bad, name).toEqual([]);
    }
  });
});

describe("PDF", () => {
  it("is a PDF report with the title, key results, chart legends and table values", async () => {
    const res = await download(tifRun.id, "format=pdf");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(res.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    const text = await pdfText(res.rawPayload);
    expect(text).toContain("Austin TIF development model (corrected) — run report");
    expect(text).toContain("Key results");
    const irr = displayValue(tifRun.output.returns.leveredIrr, { format: "percent", decimals: 2 });
    expect(text).toContain(`Levered IRR ${irr}`);
    expect(text).toContain("Levered and unlevered cash flow by month");
    expect(text).toContain("Levered cash flow (USD)"); // the chart's legend, drawn from the ECharts SVG
    const last = tifRun.output.periods.at(-1);
    expect(text).toContain(displayValue(last.leveredCf, { format: "currency", unit: "USD", decimals: 2 }));
    expect(text).toContain("Monthly cash flow (part 2 of");
  });

  it("renders an engine's own document: the debt-stack term sheet", async () => {
    const res = await download(debtRun.id, "format=pdf&document=term-sheet");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-disposition"]).toBe(
      `attachment; filename="debt-stack-run-${debtRun.id.slice(0, 8)}-term-sheet.pdf"`,
    );
    const text = await pdfText(res.rawPayload);
    expect(text).toContain("Indicative term sheet");
    expect(text).toContain("Sources");
    expect(text).toContain("Covenants");
    expect(text).toContain("Senior Bank (senior)");
    const debt = displayValue(debtRun.output.kpis.totalDebt, {
      format: "currency",
      unit: "AED",
      decimals: 0,
    });
    expect(text).toContain(`Total debt ${debt}`);
  });

  it("cuts long tables with a note and splits wide ones into parts", () => {
    const columns = Array.from({ length: 15 }, (_, i) => ({
      key: `c${i}`,
      title: `C${i}`,
      format: "number" as const,
    }));
    const rows = Array.from({ length: 250 }, (_, r) =>
      Object.fromEntries(columns.map((c, i) => [c.key, r * i])),
    );
    const blocks = pagedTable({ title: "Wide", columns, rows });
    const tables = blocks.filter((b) => b.kind === "table");
    // Wider than a portrait page: landscape parts of PAGED_MAX_COLUMNS_LANDSCAPE − 1 columns
    // after the key, the key repeated in each.
    expect(tables).toHaveLength(Math.ceil(14 / (PAGED_MAX_COLUMNS_LANDSCAPE - 1)));
    expect(tables.map((b) => b.kind === "table" && b.title)).toEqual([
      "Wide (part 1 of 2)",
      "Wide (part 2 of 2)",
    ]);
    expect(tables.every((b) => b.kind === "table" && b.landscape === true)).toBe(true);
    expect(
      pagedTable({ title: "Narrow", columns: columns.slice(0, PAGED_MAX_COLUMNS), rows })[0],
    ).not.toHaveProperty("landscape");
    for (const b of tables) {
      if (b.kind !== "table") continue;
      expect(b.columns[0]!.key).toBe("c0");
      expect(b.rows).toHaveLength(PAGED_MAX_ROWS);
    }
    expect(blocks.at(-1)).toEqual({
      kind: "paragraph",
      note: true,
      text: "Showing the first 100 of 250 rows; the XLSX and CSV exports hold every row.",
    });
  });
});

describe("DOCX", () => {
  it("is a Word document with the tables' values and the charts as SVG with a PNG fallback", async () => {
    const res = await download(debtRun.id, "format=docx");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    const files = unzipSync(new Uint8Array(res.rawPayload));
    const xml = new TextDecoder().decode(files["word/document.xml"]);
    expect(xml).toContain("Debt Stack Mixer — run report");
    for (const tr of debtRun.output.tranches as Json[]) {
      expect(xml).toContain(`>${tr.trancheId}<`);
      expect(xml).toContain(displayValue(tr.amount, { format: "currency", unit: "AED", decimals: 0 }));
    }
    const media = Object.keys(files).filter((f) => f.startsWith("word/media/"));
    expect(media.filter((f) => f.endsWith(".svg"))).toHaveLength(2);
    expect(media.filter((f) => f.endsWith(".png"))).toHaveLength(2);
    const png = files[media.find((f) => f.endsWith(".png"))!]!;
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
  });

  it("renders the term sheet as Word too", async () => {
    const res = await download(debtRun.id, "format=docx&document=term-sheet");
    expect(res.statusCode).toBe(200);
    const xml = new TextDecoder().decode(unzipSync(new Uint8Array(res.rawPayload))["word/document.xml"]);
    expect(xml).toContain("Indicative term sheet");
    expect(xml).toContain("Minimum DSCR");
  });
});

describe("rules", () => {
  it("exports only succeeded runs (409 otherwise)", async () => {
    const [failed] = await t.database.db
      .insert(runs)
      .values({
        orgId: owner.orgId,
        modelId: "tif",
        modelVersion: tif.version,
        input: {},
        inputHash: "failed-run",
        status: "failed",
        error: { code: "model_error", message: "boom" },
        timeoutMs: 1000,
      })
      .returning();
    const res = await download(failed!.id, "format=pdf");
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toBe("Only finished runs export: this run is failed.");
  });

  it("names the bad query field", async () => {
    const bad = await download(tifRun.id, "format=pptx");
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe("query.format");
    const doc = await download(tifRun.id, "format=pdf&document=term-sheet");
    expect(doc.statusCode).toBe(422);
    expect(doc.json().errors).toEqual([
      { path: "query.document", message: "tif@2.2.0 offers: report, formula-workbook" },
    ]);
    const formulas = await download(tifRun.id, "format=pdf&document=formula-workbook");
    expect(formulas.statusCode).toBe(422);
    expect(formulas.json().errors[0].path).toBe("query.format");
    const sheet = await download(debtRun.id, "format=xlsx&document=term-sheet");
    expect(sheet.statusCode).toBe(422);
    expect(sheet.json().errors[0].path).toBe("query.format");
  });

  it("lists the documents a model offers", async () => {
    const model = (await t.app.inject({ method: "GET", url: "/api/v1/models/debt-stack" })).json();
    expect(model.documents.map((d: Json) => [d.name, d.formats])).toEqual([
      ["report", ["csv", "xlsx", "pdf", "docx"]],
      ["term-sheet", ["pdf", "docx"]],
      ["formula-workbook", ["xlsx"]],
    ]);
    expect(model.kpis[0]).toEqual({
      path: "kpis.totalDebt",
      title: "Total debt",
      unit: "currency",
      format: "currency",
      decimals: 0,
    });
  });

  it("audits every export", async () => {
    const res = await request(t.app, owner, {
      method: "GET",
      url: "/api/v1/org/audit-events?action=run.exported&limit=100",
    });
    expect(res.statusCode).toBe(200);
    const events = res.json().items as Json[];
    const termSheet = events.find((e) => e.targetId === debtRun.id && e.metadata.document === "term-sheet");
    expect(termSheet).toMatchObject({ action: "run.exported", targetType: "run", actorUserId: owner.userId });
    expect(termSheet.metadata.format).toMatch(/^(pdf|docx)$/);
    expect(termSheet.metadata.bytes).toBeGreaterThan(1000);
  });
});
