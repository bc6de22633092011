import { catalog } from "@modelworks/catalog";
import { IdParams } from "@modelworks/contracts/common";
import { ExportQuery } from "@modelworks/contracts/exports";
import type { AnyModel } from "@modelworks/model-kit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { runs } from "../db/schema.ts";
import { DomainError } from "../errors/domain-error.ts";
import { contentDisposition, type ExportFile, type ExportFormat } from "../exports/index.ts";
import { createExportPool, type ExportPool } from "../exports/pool.ts";
import type { ExportableRun } from "../exports/report.ts";
import { orgOf } from "../http/access.ts";
import { recordAudit } from "../http/audit.ts";
import { firstOr404, inOrg } from "../http/scope.ts";
import type { RunRow } from "../runs/service.ts";

export const EXPORT_DESCRIPTION =
  "Built from the model's declared tables, charts and headline results. `xlsx`: a Summary sheet (run, key results, " +
  "inputs) and one sheet per table with typed cells, number formats by unit and a frozen header. `csv`: the table, or " +
  "a zip of one CSV per table. `pdf` / `docx`: a report with inputs, key results, charts and tables (long tables cut " +
  "at 100 rows with a note). `document=<name>` exports one of the model's own documents instead (PDF or Word; " +
  "GET /models/{id} lists them). Text that a spreadsheet would run as a formula is written with a leading `'`. " +
  "Only succeeded runs export (409 otherwise).";

/** The model a stored run ran, or 409 when this build no longer hosts that version. */
export function modelOfRun(run: { modelId: string; modelVersion: string }): AnyModel {
  const model = catalog.find(run.modelId, run.modelVersion);
  if (!model)
    throw new DomainError(
      "model_not_hosted",
      `${run.modelId}@${run.modelVersion} is no longer hosted, so its runs cannot be exported.`,
    );
  return model;
}

export function exportable(run: RunRow): ExportableRun {
  if (run.status !== "succeeded")
    throw new DomainError("run_not_succeeded", `Only finished runs export: this run is ${run.status}.`);
  return {
    id: run.id,
    modelId: run.modelId,
    modelVersion: run.modelVersion,
    status: run.status,
    input: run.input,
    output: run.output,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    scenarioRevision: run.scenarioRevision,
  };
}

/** Sends a file as a download: never cached by shared caches, never sniffed into something else. */
export function sendFile(reply: FastifyReply, file: ExportFile) {
  return reply
    .header("content-type", file.contentType)
    .header("content-disposition", contentDisposition(file.fileName))
    .header("content-length", file.body.length)
    .header("cache-control", "private, no-store")
    .header("x-content-type-options", "nosniff")
    .send(file.body);
}

/** The app's export threads: one pool per app (keyed by its deps, shared by every route plugin), closed with it. */
const pools = new WeakMap<object, ExportPool>();
function poolOf(app: FastifyInstance): ExportPool {
  let pool = pools.get(app.deps);
  if (!pool) {
    pool = createExportPool(app.deps.config.EXPORT_THREADS);
    pools.set(app.deps, pool);
  }
  return pool;
}

/** Renders an export (in an export thread) and writes its audit record (`run.exported`), with how it was reached. */
export async function exportAndAudit(
  app: FastifyInstance,
  req: FastifyRequest,
  args: { orgId: string; run: RunRow; format: ExportFormat; document: string; shareLinkId?: string },
): Promise<ExportFile> {
  const run = exportable(args.run);
  modelOfRun(run);
  const file = await poolOf(app).render({ run, format: args.format, document: args.document });
  await recordAudit(app.deps.database.db, req, {
    action: "run.exported",
    orgId: args.orgId,
    targetType: "run",
    targetId: run.id,
    metadata: {
      format: args.format,
      document: args.document,
      bytes: file.body.length,
      ...(args.shareLinkId ? { via: "share-link", shareLinkId: args.shareLinkId } : {}),
    },
  });
  return file;
}

/** Downloads of a run's results: XLSX, CSV, PDF and Word. */
export async function exportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  app.addHook("onClose", async () => {
    await pools.get(app.deps)?.close();
    pools.delete(app.deps);
  });

  r.get(
    "/runs/:id/export",
    {
      config: { access: "runs:read" },
      schema: {
        tags: ["runs"],
        summary: "Download a run's results as XLSX, CSV, PDF or Word",
        description: EXPORT_DESCRIPTION,
        params: IdParams,
        querystring: ExportQuery,
        produces: [
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "text/csv",
          "application/zip",
          "application/pdf",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ],
        response: { 200: z.any().describe("The file, as an attachment") },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const run = firstOr404(
        await db
          .select()
          .from(runs)
          .where(inOrg(runs, orgId, req.params.id)),
        "Run",
      );
      const file = await exportAndAudit(app, req, { orgId, run, ...req.query });
      return sendFile(reply, file);
    },
  );
}
