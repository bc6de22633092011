import { POWERBI_PUBLISH_MODEL } from "@modelworks/contracts/powerbi";

/**
 * The datasets earlier publishes of a dashboard made, for the "update the dataset published on
 * <date>" choice (docs/decisions/0048 addendum: POST …/powerbi-publish with `{ datasetId }`).
 * Pure, so the choice is tested without a browser.
 */
export interface EarlierPublish {
  datasetId: string;
  datasetName: string;
  /** When the dataset was created (its first succeeded publish). */
  publishedAt: string;
  /** Its latest succeeded publish (created or refreshed). */
  updatedAt: string;
  /** The plan revision of that latest publish. */
  revision: number;
}

/** A publish run as GET /runs/:id answers it (only the fields read here). */
export interface PublishRunLike {
  modelId: string;
  status: string;
  finishedAt: string | null;
  input: unknown;
  output: unknown;
}

const record = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === "object" ? (v as Record<string, unknown>) : null;

/** Succeeded publishes of this conversation, one entry per dataset, the newest dataset first. */
export function earlierPublishes(runs: PublishRunLike[], conversationId: string): EarlierPublish[] {
  const byDataset = new Map<string, EarlierPublish>();
  for (const r of runs) {
    const input = record(r.input);
    const output = record(r.output);
    if (r.modelId !== POWERBI_PUBLISH_MODEL.id || r.status !== "succeeded" || !r.finishedAt) continue;
    if (input?.conversationId !== conversationId || typeof output?.datasetId !== "string") continue;
    const seen = byDataset.get(output.datasetId);
    const name = typeof output.datasetName === "string" ? output.datasetName : output.datasetId;
    const revision = typeof input.revision === "number" ? input.revision : 0;
    if (!seen) {
      byDataset.set(output.datasetId, {
        datasetId: output.datasetId,
        datasetName: name,
        publishedAt: r.finishedAt,
        updatedAt: r.finishedAt,
        revision,
      });
      continue;
    }
    if (r.finishedAt < seen.publishedAt) seen.publishedAt = r.finishedAt;
    if (r.finishedAt > seen.updatedAt)
      Object.assign(seen, { updatedAt: r.finishedAt, datasetName: name, revision });
  }
  return [...byDataset.values()].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
}

/** "new" for a new dataset, otherwise the id of the dataset to update. */
export type PublishChoice = "new" | (string & {});

/** The request body for a choice: empty for a new dataset. */
export function publishBody(choice: PublishChoice): { datasetId?: string } {
  return choice === "new" ? {} : { datasetId: choice };
}

/** The message the server gave for `body.datasetId` (e.g. a dataset whose tables changed). */
export function datasetIdError(fieldErrors: { path: string; message: string }[]): string | undefined {
  return fieldErrors.find((e) => e.path === "body.datasetId" || e.path === "datasetId")?.message;
}
