import { ExportFormat as ExportFormatSchema } from "@modelworks/contracts/exports";
import type { AnyModel } from "@modelworks/model-kit";
import { hasResponseModelReport, RESPONSE_MODEL_REPORT } from "./response-model-report.ts";

/**
 * What a model offers for export, without the renderers: the API lists documents and checks
 * formats with this module alone, so it does not load ExcelJS, PDFKit, docx and ECharts (a third
 * of its module graph) — only the export threads (thread.ts → index.ts) do.
 */

/** The formats of the export query's schema (contracts), which the API validates against. */
export const EXPORT_FORMATS = ExportFormatSchema.options;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Formats an engine's own documents come in (they are pages, not tables). */
export const DOCUMENT_FORMATS: readonly ExportFormat[] = ["pdf", "docx"];

/** The document name that asks for a formula workbook (`GET /runs/:id/export?format=xlsx&document=formula-workbook`). */
export const FORMULA_WORKBOOK = "formula-workbook";

/** Whether this run can be written as the formula workbook. */
export function hasFormulaWorkbook(modelId: string, modelVersion: string): boolean {
  return modelId === "tif" && modelVersion.startsWith("2.");
}

/** The optimizers whose plans can be written as a formula workbook, by model version prefix. */
const OPTIMIZER_WORKBOOK_MODELS: Record<string, string> = {
  "leasing-mix": "2.",
  "deal-picker": "3.",
  "capex-phasing": "2.",
  "debt-stack": "3.",
};

export function hasOptimizerWorkbook(modelId: string, modelVersion: string): boolean {
  const v = OPTIMIZER_WORKBOOK_MODELS[modelId];
  return v !== undefined && modelVersion.startsWith(v);
}

const formulaWorkbook = (summary: string) => ({
  name: FORMULA_WORKBOOK,
  title: "Formula workbook (Excel)",
  summary,
  formats: ["xlsx" as ExportFormat],
});

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
          formulaWorkbook(
            "The pro forma, sources and uses, loan sizing and returns as live Excel formulas, with checks against this run.",
          ),
        ]
      : []),
    ...(hasOptimizerWorkbook(model.id, model.version)
      ? [
          formulaWorkbook(
            "The plan as live Excel formulas: inputs, the objective, every constraint's left-hand side, slack and feasibility, with checks against this run.",
          ),
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
