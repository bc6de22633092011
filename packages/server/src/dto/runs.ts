import type { RunRow } from "../runs/service.ts";

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A run as the API shows it (routes/runs.ts, routes/content-posts.ts). */
export function runSummaryDto(r: RunRow) {
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
