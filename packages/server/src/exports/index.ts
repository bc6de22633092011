import type { ResponseModelOutput } from "@modelworks/engine-response-model";
import type { AnyModel } from "@modelworks/model-kit";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { renderCsv } from "./csv.ts";
import { renderDocx } from "./docx.ts";
import { hasOptimizerWorkbook, hasPlan, renderOptimizerWorkbook } from "./optimizer-workbooks.ts";
import { renderPdf } from "./pdf.ts";
import { PlanTooLarge } from "./plan-workbook.ts";
import { buildRunReport, type ExportableRun, engineDocument, reportDocument } from "./report.ts";
import {
  hasResponseModelReport,
  RESPONSE_MODEL_REPORT,
  responseModelDocument,
} from "./response-model-report.ts";
import { renderResponseModelWorkbook } from "./response-model-workbook.ts";
import { FORMULA_WORKBOOK, hasFormulaWorkbook, renderTifWorkbook } from "./tif-workbook.ts";
import { renderXlsx } from "./xlsx.ts";

export const EXPORT_FORMATS = ["csv", "xlsx", "pdf", "docx"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Formats an engine's own documents come in (they are pages, not tables). */
export const DOCUMENT_FORMATS: readonly ExportFormat[] = ["pdf", "docx"];

export interface ExportFile {
  body: Buffer;
  contentType: string;
  fileName: string;
}

const TYPES = {
  csv: "text/csv; charset=utf-8",
  zip: "application/zip",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
} as const;

/** The documents a model offers besides the generic report, as `GET /models/:id` lists them. */
export function documentsOf(model: AnyModel) {
  return [
    {
      name: "report",
      title: "Run report",
      // Says what the CSV download is: with several tables it is a zip (named .zip), not one CSV.
      summary:
        (model.tables?.length ?? 0) > 1
          ? `Inputs, key results, charts and tables. CSV comes as a .zip of ${model.tables!.length} CSV files, one per table.`
          : "Inputs, key results, charts and tables.",
      formats: [...EXPORT_FORMATS],
    },
    ...(model.documents ?? []).map((d) => ({
      name: d.name,
      title: d.title,
      summary: d.summary ?? "",
      formats: [...DOCUMENT_FORMATS],
    })),
    ...(hasFormulaWorkbook(model.id, model.version)
      ? [
          {
            name: FORMULA_WORKBOOK,
            title: "Formula workbook (Excel)",
            summary:
              "The pro forma, sources and uses, loan sizing and returns as live Excel formulas, with checks against this run.",
            formats: ["xlsx" as ExportFormat],
          },
        ]
      : []),
    ...(hasOptimizerWorkbook(model.id, model.version)
      ? [
          {
            name: FORMULA_WORKBOOK,
            title: "Formula workbook (Excel)",
            summary:
              "The plan as live Excel formulas: inputs, the objective, every constraint's left-hand side, slack and feasibility, with checks against this run.",
            formats: ["xlsx" as ExportFormat],
          },
        ]
      : []),
    ...(hasResponseModelReport(model.id, model.version)
      ? [
          {
            name: RESPONSE_MODEL_REPORT,
            title: "Model report",
            summary:
              "The executive summary, metrics with the AUC's confidence interval and the gate, ROC, lift, gains and precision–recall charts, deciles, coefficients, the mailing plan and the data checks. Excel: one sheet per part, with the charts and their points.",
            formats: ["xlsx", "pdf", "docx"] as ExportFormat[],
          },
        ]
      : []),
  ];
}

/**
 * One export of a succeeded run: the generic report in any format, or one of the model's own
 * documents as PDF or Word. Bad requests are 422 on the query field at fault; a document that
 * has nothing to show for this run (e.g. no term sheet for an infeasible stack) is 409.
 */
export async function exportRun(
  model: AnyModel,
  run: ExportableRun,
  format: ExportFormat,
  document = "report",
): Promise<ExportFile> {
  const report = buildRunReport(model, run);
  if (document === FORMULA_WORKBOOK && hasFormulaWorkbook(model.id, model.version)) {
    if (format !== "xlsx")
      throw unprocessable([{ path: "query.format", message: "the formula workbook comes as xlsx" }]);
    return {
      body: await renderTifWorkbook(run.input, run.output, {
        title: report.title,
        numberStyle: run.numberStyle,
      }),
      contentType: TYPES.xlsx,
      fileName: `${report.fileStem}-formulas.xlsx`,
    };
  }
  if (document === FORMULA_WORKBOOK && hasOptimizerWorkbook(model.id, model.version)) {
    if (format !== "xlsx")
      throw unprocessable([{ path: "query.format", message: "the formula workbook comes as xlsx" }]);
    if (!hasPlan(run.output))
      throw new DomainError(
        "export_empty",
        "This run has no plan to write as a formula workbook: the optimizer found none.",
      );
    const parsed = model.input.safeParse(run.input);
    try {
      return {
        body: await renderOptimizerWorkbook(model.id, parsed.success ? parsed.data : run.input, run.output, {
          title: report.title,
        }),
        contentType: TYPES.xlsx,
        fileName: `${report.fileStem}-formulas.xlsx`,
      };
    } catch (e) {
      if (e instanceof PlanTooLarge) throw unprocessable([{ path: "query.document", message: e.message }]);
      throw e;
    }
  }
  if (document === RESPONSE_MODEL_REPORT && hasResponseModelReport(model.id, model.version)) {
    if (format === "csv")
      throw unprocessable([
        {
          path: "query.format",
          message: "the model report comes as xlsx, pdf or docx (the run report has the CSVs)",
        },
      ]);
    const output = run.output as ResponseModelOutput;
    if (format === "xlsx")
      return {
        body: await renderResponseModelWorkbook(output, {
          title: report.title,
          numberStyle: run.numberStyle,
        }),
        contentType: TYPES.xlsx,
        fileName: `${report.fileStem}-${RESPONSE_MODEL_REPORT}.xlsx`,
      };
    const doc = responseModelDocument(output, report, run);
    const body = format === "pdf" ? await renderPdf(doc) : await renderDocx(doc);
    return { body, contentType: TYPES[format], fileName: `${doc.fileStem}.${format}` };
  }
  if (document !== "report") {
    const known = model.documents?.some((d) => d.name === document);
    if (!known) {
      const offered = documentsOf(model).map((d) => d.name);
      throw unprocessable([
        { path: "query.document", message: `${model.id}@${model.version} offers: ${offered.join(", ")}` },
      ]);
    }
    if (!DOCUMENT_FORMATS.includes(format)) {
      throw unprocessable([
        {
          path: "query.format",
          message: `the ${document} document comes as ${DOCUMENT_FORMATS.join(" or ")}`,
        },
      ]);
    }
    const doc = engineDocument(model, report, run, document);
    if (!doc)
      throw new DomainError(
        "export_empty",
        `This run has no ${document}: the model produced nothing to put in it.`,
      );
    const body = format === "pdf" ? await renderPdf(doc) : await renderDocx(doc);
    return { body, contentType: TYPES[format], fileName: `${doc.fileStem}.${format}` };
  }
  switch (format) {
    case "xlsx":
      return { body: await renderXlsx(report), contentType: TYPES.xlsx, fileName: `${report.fileStem}.xlsx` };
    case "csv": {
      if (report.tables.length === 0) {
        throw unprocessable([
          { path: "query.format", message: "this model declares no tables to write as CSV" },
        ]);
      }
      const { body, zip } = await renderCsv(report);
      return zip
        ? { body, contentType: TYPES.zip, fileName: `${report.fileStem}-csv.zip` }
        : { body, contentType: TYPES.csv, fileName: `${report.fileStem}-${report.tables[0]!.name}.csv` };
    }
    case "pdf":
      return {
        body: await renderPdf(reportDocument(report)),
        contentType: TYPES.pdf,
        fileName: `${report.fileStem}.pdf`,
      };
    case "docx":
      return {
        body: await renderDocx(reportDocument(report)),
        contentType: TYPES.docx,
        fileName: `${report.fileStem}.docx`,
      };
  }
}
