import { catalog } from "@modelworks/catalog";
import { type ResponseModelOutput, responseModel } from "@modelworks/engine-response-model";
import ExcelJS from "exceljs";
import { extractText } from "unpdf";
import { beforeAll, describe, expect, it } from "vitest";
import { displayValue } from "../src/exports/cells.ts";
import { chartSvg } from "../src/exports/charts.ts";
import { documentsOf } from "../src/exports/documents.ts";
import { exportRun } from "../src/exports/index.ts";
import { buildRunReport, type ExportableRun } from "../src/exports/report.ts";
import {
  decileTables,
  RESPONSE_MODEL_REPORT,
  reportCharts,
  responseModelDocument,
} from "../src/exports/response-model-report.ts";
import { WORKBOOK_SHEETS } from "../src/exports/response-model-workbook.ts";

/**
 * The response model's own workbook and PDF (issue 15 item 9), from a real fit of the bundled
 * sample (3 folds, a short lambda path and 4 selection steps keep it to seconds).
 */

let output: ResponseModelOutput;
let run: ExportableRun;
const model = catalog.find(responseModel.id, responseModel.version)!;

beforeAll(async () => {
  const input = responseModel.input.parse({
    ...responseModel.examples![0]!.input,
    folds: 3,
    lambdaCount: 20,
    selectionMaxSteps: 4,
  });
  output = (await responseModel.run(input, {
    progress() {},
    signal: new AbortController().signal,
  } as never)) as ResponseModelOutput;
  run = {
    id: "0f8e7d6c-5b4a-4392-8172-6a5b4c3d2e1f",
    modelId: responseModel.id,
    modelVersion: responseModel.version,
    status: "succeeded",
    input,
    output,
    createdAt: new Date("2026-12-06T09:00:00Z"),
    startedAt: new Date("2026-12-06T09:00:01Z"),
    finishedAt: new Date("2026-12-06T09:00:08Z"),
    scenarioRevision: null,
    locale: "en-US",
  };
}, 120_000);

async function workbook(): Promise<ExcelJS.Workbook> {
  const file = await exportRun(model, run, "xlsx", RESPONSE_MODEL_REPORT);
  expect(file.fileName).toMatch(/^response-model-run-0f8e7d6c-model-report\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file.body as unknown as ExcelJS.Buffer);
  return wb;
}

/** Row number of the first cell in column A equal to `text`. */
function rowOf(ws: ExcelJS.Worksheet, text: string, from = 1): number {
  for (let r = from; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === text) return r;
  throw new Error(`no row "${text}" on ${ws.name}`);
}

describe("response model: the workbook", () => {
  it("is offered beside the run report as xlsx, pdf and docx, and not for other models", () => {
    const doc = documentsOf(model).find((d) => d.name === RESPONSE_MODEL_REPORT);
    expect(doc?.formats).toEqual(["xlsx", "pdf", "docx"]);
    const other = catalog.list().find((m) => m.id !== responseModel.id)!;
    expect(documentsOf(other).some((d) => d.name === RESPONSE_MODEL_REPORT)).toBe(false);
  });

  it("has the summary's metrics with the AUC's CI and the gate, equal to the run's output", async () => {
    const wb = await workbook();
    expect(wb.worksheets.map((w) => w.name)).toEqual([...WORKBOOK_SHEETS]);
    const ws = wb.getWorksheet("Summary")!;
    expect(ws.getCell("B2").value).toBe(output.holdout.gate.pass ? "PASS" : "FAIL");
    const metric = (label: string) => ws.getRow(rowOf(ws, label));
    const auc = metric("AUC");
    expect(auc.getCell(2).value).toBe(output.holdout.auc.auc);
    expect(auc.getCell(3).value).toBe(output.allRows.auc.auc);
    expect(auc.getCell(2).numFmt).toBe("#,##0.0000");
    expect(metric("AUC 95 % CI, lower (DeLong)").getCell(2).value).toBe(output.holdout.auc.lower);
    expect(metric("AUC 95 % CI, upper (DeLong)").getCell(2).value).toBe(output.holdout.auc.upper);
    expect(metric("KS").getCell(2).value).toBe(output.holdout.ks);
    expect(metric("Brier score").getCell(3).value).toBe(output.allRows.brier);
    const rate = metric("Response rate").getCell(2);
    expect(rate.value).toBe(output.holdout.responseRate);
    expect(rate.numFmt).toBe("0.0%");
    expect(metric("Top-decile lift").getCell(2).value).toBe(output.holdout.gate.topDecileLift);
    expect(metric("Lambda (chosen)").getCell(2).value).toBe(output.crossValidation.chosenLambda);
  });

  it("writes both decile tables best first, capture as a share with a percent format", async () => {
    const ws = (await workbook()).getWorksheet("Deciles")!;
    for (const [title, e] of [
      ["Deciles on the holdout", output.holdout],
      ["Deciles on all rows", output.allRows],
    ] as const) {
      const header = rowOf(ws, title) + 1;
      expect(ws.getCell(header, 1).value).toBe("Decile (10 = best)");
      const want = [...e.deciles].sort((a, b) => b.decile - a.decile);
      want.forEach((d, i) => {
        const row = ws.getRow(header + 1 + i);
        expect(row.getCell(1).value).toBe(d.decile);
        expect(row.getCell(2).value).toBe(d.count);
        expect(row.getCell(3).value).toBe(d.responders);
        expect(row.getCell(4).value).toBe(d.rate);
        expect(row.getCell(4).numFmt).toBe("0.0%");
        expect(row.getCell(5).value).toBe(d.lift);
        expect(row.getCell(6).value).toBeCloseTo(d.cumulativeCapturePct / 100, 12);
        expect(row.getCell(8).value).toBe(d.avgScore);
        expect(row.getCell(8).numFmt).toBe("#,##0.0000");
      });
      expect(ws.getCell(header + 11, 1).value).toBeNull();
    }
  });

  it("writes every coefficient with its odds ratio, importance, selection steps and scorecard rules", async () => {
    const wb = await workbook();
    const co = wb.getWorksheet("Coefficients")!;
    expect(co.getCell(3, 1).value).toBe("(intercept)");
    expect(co.getCell(3, 4).value).toBe(output.intercept);
    const byColumn = new Map(output.coefficients.map((c) => [c.column, c]));
    for (let r = 4; r < 4 + output.coefficients.length; r++) {
      const c = byColumn.get(String(co.getCell(r, 1).value))!;
      expect(co.getCell(r, 4).value).toBe(c.coefficient);
      expect(co.getCell(r, 5).value).toBe(c.standardized);
      expect(co.getCell(r, 6).value).toBe(c.oddsRatio);
      byColumn.delete(c.column);
    }
    expect(byColumn.size).toBe(0);
    const imp = wb.getWorksheet("Importance")!;
    output.importance.forEach((f, i) => {
      expect(imp.getCell(3 + i, 1).value).toBe(f.field);
      expect(imp.getCell(3 + i, 3).value).toBeCloseTo(f.sharePct / 100, 12);
    });
    const sel = wb.getWorksheet("Forward selection")!;
    expect(output.forwardSelection.rows.length).toBe(4);
    output.forwardSelection.rows.forEach((s, i) => {
      expect(sel.getCell(3 + i, 2).value).toBe(s.added_variable);
      expect(sel.getCell(3 + i, 3).value).toBe(s.auc_score);
      expect(sel.getCell(3 + i, 5).value).toBe(s.share_of_best);
    });
    const sc = wb.getWorksheet("Scorecard")!;
    const rules = [...output.scorecards.prototype.rules, ...output.scorecards.pdo.rules];
    rules.forEach((r, i) => {
      expect(sc.getCell(3 + i, 4).value).toBe(r.text);
      // toBeCloseTo: a rule's −0 points are written as 0.
      expect(sc.getCell(3 + i, 5).value).toBeCloseTo(r.kind === "linear" ? r.pointsPerUnit : r.points, 12);
    });
  });

  it("writes the mailing plan by depth in USD with the best depth marked, and the tiers", async () => {
    const ws = (await workbook()).getWorksheet("Mailing plan")!;
    const best = output.mailingPlan.bestDepth!;
    expect(ws.getCell(2, 1).value).toBe("Best depth");
    expect(ws.getCell(2, 2).value).toBeCloseTo(best.depthPct / 100, 12);
    expect(ws.getCell(4, 2).value).toBe(best.costUsd);
    expect(ws.getCell(4, 2).numFmt).toContain('"$"#,##0');
    const header = rowOf(ws, "Mailing plan by depth") + 1;
    output.mailingPlan.rows.forEach((r, i) => {
      const row = ws.getRow(header + 1 + i);
      expect(row.getCell(1).value).toBeCloseTo(r.depthPct / 100, 12);
      expect(row.getCell(3).value).toBe(r.costUsd);
      expect(row.getCell(8).value).toBe(r.profitUsd);
      expect(row.getCell(9).value).toBe(r.roi);
      expect(row.getCell(9).numFmt).toBe("0%");
      expect(row.getCell(11).value).toBe(r.depthPct === best.depthPct ? "best" : null);
    });
    const tiers = rowOf(ws, "Priority tiers") + 1;
    output.mailingPlan.tiers.forEach((t, i) => {
      expect(ws.getCell(tiers + 1 + i, 1).value).toBe(t.name);
      expect(ws.getCell(tiers + 1 + i, 4).value).toBe(t.pieces);
    });
  });

  it("has calibration, the data checks, the charts as pictures and their points", async () => {
    const wb = await workbook();
    const cal = wb.getWorksheet("Calibration")!;
    output.holdout.calibration.forEach((c, i) => {
      expect(cal.getCell(3 + i, 6).value).toBe(c.meanPredicted);
      expect(cal.getCell(3 + i, 7).value).toBe(c.observedRate);
    });
    const checks = wb.getWorksheet("Data checks")!;
    const leak = output.dataReport.issues.filter((x) => x.code === "leakage");
    expect(leak.length).toBeGreaterThan(0);
    const messages = new Set<unknown>();
    checks.eachRow((row) => messages.add(row.getCell(4).value));
    for (const x of leak) expect(messages).toContain(x.message);
    expect(wb.getWorksheet("Charts")!.getImages()).toHaveLength(reportCharts(output).length);
    const data = wb.getWorksheet("Chart data")!;
    const gains = rowOf(data, "Cumulative gains (holdout)") + 1;
    output.holdout.gains.forEach((g, i) => {
      expect(data.getCell(gains + 1 + i, 1).value).toBe(g.depth);
      expect(data.getCell(gains + 1 + i, 2).value).toBe(g.capture);
    });
  });

  it("refuses CSV for the model report at the query field", async () => {
    await expect(exportRun(model, run, "csv", RESPONSE_MODEL_REPORT)).rejects.toMatchObject({
      code: "validation_failed",
      errors: [expect.objectContaining({ path: "query.format" })],
    });
  });
});

describe("response model: the PDF report", () => {
  let pages: string[];
  let all: string;
  beforeAll(async () => {
    const file = await exportRun(model, run, "pdf", RESPONSE_MODEL_REPORT);
    expect(file.contentType).toBe("application/pdf");
    pages = (await extractText(new Uint8Array(file.body), { mergePages: false })).text;
    all = pages.join(" ").replace(/\s+/g, " ");
  }, 60_000);

  it("opens with a cover and the executive summary, on the org's paper", async () => {
    const first = pages[0]!.replace(/\s+/g, " ");
    expect(first).toContain("Executive summary");
    expect(first).toContain(run.id);
    expect(first).toContain(output.holdout.gate.pass ? "PASS" : "FAIL");
    // en-US prints on Letter (612 × 792 pt).
    const doc = responseModelDocument(output, buildRunReport(model, run), run);
    expect(doc.paper).toBe("LETTER");
    expect(pages.length).toBeGreaterThan(4);
  });

  it("contains every number of the executive summary", () => {
    const numbers = output.executiveSummary.text.match(/\d[\d,]*(?:\.\d+)?/g)!;
    expect(numbers.length).toBeGreaterThan(20);
    for (const n of numbers) expect(all).toContain(n);
    // And whole sentences of it, not only scattered digits.
    const line = output.executiveSummary.text.split("\n").find((l) => l.includes("AUC"))!;
    expect(all).toContain(line.replace(/^- /, "").replace(/\s+/g, " ").slice(0, 60));
  });

  it("contains the decile table's values, row by row", () => {
    const [holdout] = decileTables(output);
    for (const row of holdout!.rows) {
      const cells = holdout!.columns.map((c) => displayValue(row[c.key], c));
      // The row's cells in order, as the table prints them.
      const pattern = cells.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+");
      expect(all).toMatch(new RegExp(pattern));
    }
  });

  it("names each chart, the top coefficients, the mailing plan and the gate", () => {
    for (const c of reportCharts(output)) expect(all).toContain(c.title);
    expect(all).toMatch(/Top \d+ coefficients/);
    const top = [...output.coefficients].sort(
      (a, b) => Math.abs(b.standardized) - Math.abs(a.standardized),
    )[0]!;
    expect(all).toContain(top.column);
    expect(all).toContain("Mailing plan by depth");
    expect(all).toContain(`top-decile lift ${output.holdout.gate.topDecileLift.toFixed(2)}`);
  });
});

/** The points of each polyline path (`M x y L x y …`) in an SVG, as ECharts writes a line series. */
function polylines(svg: string): [number, number][][] {
  const out: [number, number][][] = [];
  for (const m of svg.matchAll(/<path d="(M[^"]+)"[^>]*fill="none"/g)) {
    const nums = (m[1]!.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
    if (/[CQA]/.test(m[1]!)) continue;
    const pts: [number, number][] = [];
    for (let i = 0; i + 1 < nums.length; i += 2) pts.push([nums[i]!, nums[i + 1]!]);
    out.push(pts);
  }
  return out;
}

describe("response model: the charts as drawn", () => {
  it("draws the gains and ROC curves left to right, never going down", () => {
    for (const name of ["gains", "roc"]) {
      const c = reportCharts(output).find((x) => x.name === name)!;
      const lines = polylines(chartSvg(c, 720, 340)).filter((p) => p.length >= 20);
      // The model's curve and the no-model diagonal.
      expect(lines.length).toBe(2);
      for (const pts of lines) {
        for (let i = 1; i < pts.length; i++) {
          expect(pts[i]![0]).toBeGreaterThanOrEqual(pts[i - 1]![0] - 1e-9);
          // SVG's y grows downwards: a curve that rises has falling y.
          expect(pts[i]![1]).toBeLessThanOrEqual(pts[i - 1]![1] + 1e-9);
        }
      }
      // The model's curve lies above the diagonal (smaller y) somewhere in the middle.
      const [a, b] = lines;
      const mid = (p: [number, number][]) => p[Math.floor(p.length / 2)]![1];
      expect(Math.min(mid(a!), mid(b!))).toBeLessThan(Math.max(mid(a!), mid(b!)) - 20);
    }
  });
});

describe("response model: the executive summary in the report", () => {
  it("prints a language model's text by its sections and says who wrote it; the template's says so too", () => {
    const llm: ResponseModelOutput = {
      ...output,
      executiveSummary: {
        text: "## Key findings\n- AUC 0.858 on the holdout.\n\nMail the top 45 %.",
        generatedBy: { provider: "openai", model: "gpt-4.1" },
      },
    };
    const blocks = responseModelDocument(llm, buildRunReport(model, { ...run, output: llm }), run).blocks;
    expect(blocks).toContainEqual({ kind: "heading", text: "Key findings", level: 3 });
    expect(blocks).toContainEqual({ kind: "paragraph", text: "• AUC 0.858 on the holdout." });
    expect(blocks).toContainEqual({ kind: "paragraph", text: "Mail the top 45 %." });
    const note = (bs: typeof blocks) =>
      bs.find((b) => b.kind === "paragraph" && b.note === true && /^Written by/.test(b.text));
    expect(note(blocks)).toMatchObject({ text: expect.stringContaining("openai gpt-4.1") });
    const template = responseModelDocument(output, buildRunReport(model, run), run).blocks;
    expect(note(template)).toMatchObject({ text: expect.stringContaining("built-in template") });
  });
});
