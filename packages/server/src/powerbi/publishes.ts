import type { PowerBiEarlierPublish } from "@modelworks/contracts/powerbi";
import { POWERBI_PUBLISH_MODEL } from "@modelworks/contracts/powerbi";
import { and, desc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import { runs } from "../db/schema.ts";

/** Publishes looked at, newest first: far more than a dashboard is published in practice. */
const MAX_RUNS = 1000;

/**
 * The datasets succeeded publishes of one conversation made, one entry per dataset (its first
 * and latest publish), the newest dataset first — read from the runs themselves, so a publish of
 * another dashboard, or of another organization, never shows.
 */
/** The organization's succeeded Power BI publish runs of one conversation (dashboard). */
export function succeededPublishesOf(orgId: string, conversationId: string) {
  return and(
    eq(runs.orgId, orgId),
    eq(runs.modelId, POWERBI_PUBLISH_MODEL.id),
    eq(runs.status, "succeeded"),
    sql`${runs.input}->>'conversationId' = ${conversationId}`,
  );
}

export async function earlierPublishes(
  db: Db,
  orgId: string,
  conversationId: string,
): Promise<z.infer<typeof PowerBiEarlierPublish>[]> {
  const rows = await db
    .select({ id: runs.id, input: runs.input, output: runs.output, finishedAt: runs.finishedAt })
    .from(runs)
    .where(succeededPublishesOf(orgId, conversationId))
    .orderBy(desc(runs.finishedAt))
    .limit(MAX_RUNS);
  rows.reverse();
  const byDataset = new Map<string, z.infer<typeof PowerBiEarlierPublish>>();
  for (const r of rows) {
    const input = (r.input ?? {}) as { revision?: unknown };
    const output = (r.output ?? {}) as { datasetId?: unknown; datasetName?: unknown };
    if (typeof output.datasetId !== "string" || !r.finishedAt) continue;
    const at = r.finishedAt.toISOString();
    const latest = {
      datasetName: typeof output.datasetName === "string" ? output.datasetName : output.datasetId,
      updatedAt: at,
      revision: typeof input.revision === "number" ? input.revision : 0,
      runId: r.id,
    };
    // Oldest first: the first row of a dataset created it, each later one updated it.
    const seen = byDataset.get(output.datasetId);
    if (seen) Object.assign(seen, latest);
    else byDataset.set(output.datasetId, { datasetId: output.datasetId, publishedAt: at, ...latest });
  }
  return [...byDataset.values()].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
}
