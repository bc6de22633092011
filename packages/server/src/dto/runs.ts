import type { RunRow } from "../runs/service.ts";

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The columns `runSummaryDto` reads: a list selects these, not the input and output (megabytes each). */
export const RUN_SUMMARY_COLUMNS = [
  "id",
  "modelId",
  "modelVersion",
  "projectId",
  "scenarioId",
  "scenarioRevision",
  "sweepId",
  "status",
  "progress",
  "progressMessage",
  "inputHash",
  "cacheHit",
  "cachedFromRunId",
  "error",
  "attempts",
  "createdBy",
  "createdByApiKey",
  "createdAt",
  "startedAt",
  "finishedAt",
  "cancelRequestedAt",
  "referenceData",
  "keyResult",
] as const satisfies readonly (keyof RunRow)[];
export type RunSummaryRow = Pick<RunRow, (typeof RUN_SUMMARY_COLUMNS)[number]>;

/** A run as the API shows it in lists (routes/runs.ts). */
export function runSummaryDto(r: RunSummaryRow) {
  return {
    id: r.id,
    modelId: r.modelId,
    modelVersion: r.modelVersion,
    projectId: r.projectId,
    scenarioId: r.scenarioId,
    scenarioRevision: r.scenarioRevision,
    sweepId: r.sweepId,
    status: r.status,
    progress: r.progress,
    progressMessage: r.progressMessage,
    inputHash: r.inputHash,
    cacheHit: r.cacheHit,
    cachedFromRunId: r.cachedFromRunId,
    error: r.error ?? null,
    attempts: r.attempts,
    createdBy: r.createdBy,
    createdByApiKey: r.createdByApiKey,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    durationMs: r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
    cancelRequestedAt: iso(r.cancelRequestedAt),
    referenceData: r.referenceData?.datasets ?? null,
    keyResult: r.keyResult ?? null,
  };
}

export function runDto(r: RunRow) {
  return {
    ...runSummaryDto(r),
    input: r.input,
    phaseTimings: r.phaseTimings ?? null,
    // Last: routes/runs.ts splices the stored output text in at the end.
    output: r.output ?? null,
  };
}
