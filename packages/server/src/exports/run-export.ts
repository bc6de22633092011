import { catalog } from "@modelworks/catalog";
import type { AnyModel } from "@modelworks/model-kit";
import { and, eq } from "drizzle-orm";
import { organizations, scenarios } from "../db/schema.ts";
import type { AppDeps } from "../deps.ts";
import type { Attribution } from "../domain/actor.ts";
import { recordAuditAs } from "../domain/audit.ts";
import { DomainError } from "../errors/domain-error.ts";
import type { RunRow } from "../runs/service.ts";
import type { ExportFormat } from "./documents.ts";
import type { ExportFile } from "./index.ts";
import { createExportPool, type ExportPool } from "./pool.ts";
import type { ExportableRun } from "./report.ts";

export const EXPORT_DESCRIPTION =
  "Built from the model's declared tables, charts and headline results. `xlsx`: a Summary sheet (run, key results, " +
  "inputs) and one sheet per table with typed cells, number formats by unit and a frozen header. `csv`: the table, or " +
  "a zip of one CSV per table. `pdf` / `docx`: a report with inputs, key results, charts and tables (long tables cut " +
  "at 100 rows with a note). `document=<name>` exports one of the model's own documents instead (PDF or Word; " +
  "the formula workbooks and the response model's `model-report` also as XLSX; GET /models/{id} lists them and their formats). Text that a spreadsheet would run as a formula is written with a leading `'`. " +
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

/** The app's export threads: one pool per app (keyed by its deps, shared by every route plugin), closed with it. */
const pools = new WeakMap<object, ExportPool>();
function poolOf(deps: AppDeps): ExportPool {
  let pool = pools.get(deps);
  if (!pool) {
    pool = createExportPool(deps.config.EXPORT_THREADS);
    pools.set(deps, pool);
  }
  return pool;
}

/** Stops the export threads of these deps (the app closing). */
export async function closeExportPool(deps: AppDeps): Promise<void> {
  await pools.get(deps)?.close();
  pools.delete(deps);
}

/**
 * What the exporters need from outside the run (issue 18 item 14): the deal's name for the cover
 * (the run's scenario), and the org's locale (paper, dates) and way of writing negatives.
 */
async function presentationOf(
  deps: AppDeps,
  orgId: string,
  scenarioId: string | null,
): Promise<Pick<ExportableRun, "dealName" | "locale" | "numberStyle">> {
  const { db } = deps.database;
  const [org] = await db
    .select({
      locale: organizations.locale,
      negatives: organizations.negativeNumbers,
      red: organizations.negativesRed,
    })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  const [scenario] = scenarioId
    ? await db
        .select({ name: scenarios.name })
        .from(scenarios)
        .where(and(eq(scenarios.orgId, orgId), eq(scenarios.id, scenarioId)))
    : [];
  return {
    dealName: scenario?.name ?? null,
    locale: org?.locale ?? null,
    numberStyle: org ? { negatives: org.negatives, red: org.red } : null,
  };
}

/** Renders an export (in an export thread) and writes its audit record (`run.exported`), with how it was reached. */
export async function exportAndAudit(
  deps: AppDeps,
  who: Attribution,
  args: { orgId: string; run: RunRow; format: ExportFormat; document: string; shareLinkId?: string },
): Promise<ExportFile> {
  const run = { ...exportable(args.run), ...(await presentationOf(deps, args.orgId, args.run.scenarioId)) };
  modelOfRun(run);
  const file = await poolOf(deps).render({ run, format: args.format, document: args.document });
  await recordAuditAs(deps.database.db, who, {
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
