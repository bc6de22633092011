import { and, eq } from "drizzle-orm";
import { projects, scenarioRevisions, scenarios } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import type { AppDeps } from "../deps.ts";
import { conflict, notFound, unprocessable } from "../errors/domain-error.ts";
import type { FileStore } from "../files/store.ts";
import { findModel } from "../models/find.ts";
import { inputWithFileTable } from "./file-input.ts";
import { inputFromFormat } from "./service.ts";

/**
 * What a run (or sweep) request runs: the model and its input — given inline, or a scenario's
 * current revision, which then also decides the project and, unless the request names one, the
 * model version it was saved for. Another organization's scenario or project is a 404.
 */
export async function resolveRunSource(
  deps: AppDeps,
  orgId: string,
  b: {
    modelId: string;
    version?: string | undefined;
    input?: unknown;
    scenarioId?: string | undefined;
    projectId?: string | undefined;
    format?: string | undefined;
    /** Fill an input table from a stored file (through a saved mapping) instead of inline rows. */
    data?: { fileId: string; mappingId?: string | undefined; field: string } | undefined;
  },
  store?: FileStore,
) {
  const { db } = deps.database;
  let input = b.input;
  let scenario: { id: string; projectId: string; revision: number; modelVersion: string } | null = null;
  if (b.scenarioId) {
    const [row] = await db
      .select({ s: scenarios, rev: scenarioRevisions })
      .from(scenarios)
      .innerJoin(
        scenarioRevisions,
        and(
          eq(scenarioRevisions.scenarioId, scenarios.id),
          eq(scenarioRevisions.revision, scenarios.currentRevision),
        ),
      )
      .where(inOrg(scenarios, orgId, b.scenarioId));
    if (!row) throw notFound("Scenario");
    if (row.s.modelId !== b.modelId)
      throw conflict(`The scenario is for model ${row.s.modelId}, not ${b.modelId}.`);
    input = row.rev.input;
    scenario = {
      id: row.s.id,
      projectId: row.s.projectId,
      revision: row.rev.revision,
      modelVersion: row.rev.modelVersion,
    };
  }
  const model = findModel({ deps }, b.modelId, b.version ?? scenario?.modelVersion);
  if (b.format) {
    if (scenario)
      throw unprocessable([{ path: "body.format", message: "applies to an inline input, not a scenario" }]);
    input = inputFromFormat(model, b.format, input);
  }
  if (b.data) {
    if (scenario || !store)
      throw unprocessable([{ path: "body.data", message: "fills an inline input, not a scenario" }]);
    input = await inputWithFileTable(deps, orgId, store, model, input, b.data);
  }
  if (b.projectId) {
    firstOr404(
      await db
        .select({ id: projects.id })
        .from(projects)
        .where(inOrg(projects, orgId, b.projectId)),
      "Project",
    );
  }
  return {
    model,
    input,
    scenario,
    projectId: scenario?.projectId ?? b.projectId ?? null,
    inputPath: scenario ? "scenario.input" : "body.input",
  };
}
