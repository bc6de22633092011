import { catalog } from "@modelworks/catalog";
import type { ErrorCode } from "@modelworks/contracts/errors";
import { DomainError } from "../errors/domain-error.ts";
import type { ExportFormat } from "./documents.ts";
import { exportRun } from "./index.ts";
import type { ExportableRun } from "./report.ts";

/**
 * Entry point of an export worker thread (piscina). Rendering is CPU-bound and mostly
 * synchronous (pdfkit, ECharts, exceljs): a tif PDF holds a thread for about a second, a
 * 100,000-row XLSX for several. Here it does not hold the API's event loop.
 */
export interface ExportTask {
  run: ExportableRun;
  format: ExportFormat;
  document: string;
}

export type ExportResult =
  | { ok: true; body: Uint8Array; contentType: string; fileName: string }
  | {
      ok: false;
      code: ErrorCode;
      detail?: string | undefined;
      errors?: { path: string; message: string }[] | undefined;
    };

export default async function exportInThread(
  task: ExportTask | { warmUp: true },
): Promise<ExportResult | null> {
  if ("warmUp" in task) return null;
  const model = catalog.find(task.run.modelId, task.run.modelVersion);
  if (!model) {
    return {
      ok: false,
      code: "model_not_hosted",
      detail: `${task.run.modelId}@${task.run.modelVersion} is no longer hosted.`,
    };
  }
  try {
    const file = await exportRun(model, task.run, task.format, task.document);
    return {
      ok: true,
      body: new Uint8Array(file.body),
      contentType: file.contentType,
      fileName: file.fileName,
    };
  } catch (err) {
    if (err instanceof DomainError) {
      return { ok: false, code: err.code, detail: err.detail, errors: err.errors };
    }
    throw err;
  }
}
