/** A run's lifecycle. Here rather than in db/schema.ts so the API contracts (and the web app that imports them) stay free of the database layer. */
export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "canceled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The statuses a run never leaves: defined once (the runner, retention, the API and the web use this). */
export const FINISHED_RUN_STATUSES = [
  "succeeded",
  "failed",
  "canceled",
] as const satisfies readonly RunStatus[];
export type FinishedRunStatus = (typeof FINISHED_RUN_STATUSES)[number];

/** Whether a run has finished; exhaustive, so a new status must be placed on one side. */
export function isFinishedRunStatus(status: RunStatus): status is FinishedRunStatus {
  switch (status) {
    case "queued":
    case "running":
      return false;
    case "succeeded":
    case "failed":
    case "canceled":
      return true;
    default:
      return status satisfies never;
  }
}

/**
 * Why a run failed (`run.error.code`), or `retrying` while a failed attempt waits for the next.
 * The runner writes only these (runs/runner.ts); clients branch on them.
 */
export const RUN_ERROR_CODES = [
  "invalid_input",
  "model_error",
  "model_bug",
  "resource_limit",
  "timeout",
  "engine_crashed",
  "worker_lost",
  "infrastructure",
  "retrying",
  // A model call the engine could not fall back from (issue 14; the API's catalogue has the same codes).
  "llm_unavailable",
  "llm_budget_exhausted",
  "llm_provider_unknown",
  "llm_key_invalid",
  "llm_output_invalid",
  "llm_provider_error",
  "llm_key_unreadable",
] as const;
export type RunErrorCode = (typeof RUN_ERROR_CODES)[number];
