/** A run's lifecycle. Here rather than in db/schema.ts so the API contracts (and the web app that imports them) stay free of the database layer. */
export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "canceled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
