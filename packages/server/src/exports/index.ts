import type { ResponseModelOutput } from "@modelworks/engine-response-model";
import type { AnyModel } from "@modelworks/model-kit";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { renderCsv } from "./csv.ts";
import {
  DOCUMENT_FORMATS,
  documentsOf,
  type ExportFormat,
  FORMULA_WORKBOOK,
  hasFormulaWorkbook,
  hasOptimizerWorkbook,
} from "./documents.ts";
import { renderDocx } from "./docx.ts";
import { hasPlan, renderOptimizerWorkbook } from "./optimizer-workbooks.ts";
import { renderPdf } from "./pdf.ts";
import { PlanTooLarge } from "./plan-workbook.ts";
import { buildRunReport, type ExportableRun, engineDocument, reportDocument } from "./report.ts";
import {
  hasResponseModelReport,
  RESPONSE_MODEL_REPORT,
  responseModelDocument,
} from "./response-model-report.ts";
import { renderResponseModelWorkbook } from "./response-model-workbook.ts";
import { renderTifWorkbook } from "./tif-workbook.ts";
import { renderXlsx } from "./xlsx.ts";

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
