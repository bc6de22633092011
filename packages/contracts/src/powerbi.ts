import { z } from "zod";
import { Uuid } from "./common.ts";

/**
 * Publishing a dashboard's semantic model to the Power BI service (issue 16 item 5d): an
 * organization's connection (a Microsoft Entra app registration allowed into one workspace) at
 * `/api/v1/org/powerbi`, and publish runs that create a push dataset and post the rows.
 */

/** A directory (tenant) id, or its verified domain name ("contoso.onmicrosoft.com"). */
const TenantId = z
  .string()
  .trim()
  .max(253)
  .regex(
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+)$/i,
    "a directory (tenant) id (GUID) or a domain name",
  );

export const PutPowerBiConnectionBody = z
  .object({
    tenantId: TenantId.describe("The Microsoft Entra directory (tenant) of the app registration"),
    clientId: Uuid.describe("The app registration's application (client) id"),
    clientSecret: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe("Sent once; stored encrypted and never returned. Omit to keep the stored one."),
    groupId: Uuid.describe("The workspace (group) id the app may write to"),
  })
  .strict();

export const PowerBiConnectionDto = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  groupId: z.string(),
  secretHint: z.string().describe("The last four characters of the client secret"),
  secretReadable: z.boolean().describe("false when the master key that sealed the secret is gone"),
  updatedAt: z.string(),
  lastTestedAt: z.string().nullable(),
});
export type PowerBiConnectionDto = z.infer<typeof PowerBiConnectionDto>;

export const PowerBiConnectionState = z.object({
  connection: PowerBiConnectionDto.nullable(),
  canStoreSecrets: z.boolean().describe("false when the server has no LLM_MASTER_KEY to seal secrets with"),
});

export const PowerBiTestResult = z.object({
  ok: z.literal(true),
  datasetsInWorkspace: z.number().int().describe("Datasets the app can see in the workspace"),
  latencyMs: z.number(),
});

/** Publish runs: a run of this id pushes a plan revision's model and rows (platform-side). */
export const POWERBI_PUBLISH_MODEL = { id: "dashboard-powerbi-publish", version: "1.0.0" } as const;

export const PowerBiPublishInput = z.object({
  conversationId: Uuid,
  revision: z.number().int().min(1),
  /** Refresh this dataset (one an earlier publish of the conversation made) instead of creating one. */
  datasetId: z.string().optional(),
});

/** The publish request: empty for a new dataset, or the dataset of an earlier publish to refresh. */
export const PowerBiPublishBody = z
  .object({
    datasetId: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        "Refresh this push dataset — the `datasetId` of an earlier succeeded publish of this conversation — " +
          "instead of creating a new one: its rows are replaced, and a table whose columns or measures changed " +
          "gets the new schema first (PutTableInGroup). The tables and relationships must be the same.",
      ),
  })
  .strict();
export type PowerBiPublishInput = z.infer<typeof PowerBiPublishInput>;

export const PowerBiPublishStarted = z.object({
  runId: Uuid.describe("Follow it at /runs/{id}/events (progress 10 → 30 → 50 → 90 → 100)"),
});

export const PowerBiPublishOutput = z.object({
  datasetId: z.string().describe("The push dataset the service created, or the one refreshed"),
  refreshed: z
    .boolean()
    .optional()
    .describe("True when an existing dataset was refreshed (its rows replaced) rather than created"),
  schemaUpdated: z
    .array(z.string())
    .optional()
    .describe("Tables of a refreshed dataset whose columns or measures were replaced (PutTableInGroup)"),
  datasetName: z.string(),
  groupId: z.string(),
  webUrl: z
    .string()
    .nullable()
    .describe(
      "The dataset's web URL as the service returned it (GetDatasetInGroup); null when it returned none",
    ),
  tables: z.array(z.object({ name: z.string(), rows: z.number().int(), batches: z.number().int() })),
  throttledRetries: z.number().int().describe("429 answers waited out (Retry-After) and retried"),
  notPublished: z
    .array(z.string())
    .describe("What a push dataset cannot carry and stays in the .pbip download (report pages, Power Query)"),
});
export type PowerBiPublishOutput = z.infer<typeof PowerBiPublishOutput>;

/** A dataset earlier publishes of one dashboard made: what "update the dataset published on …" offers. */
export const PowerBiEarlierPublish = z.object({
  datasetId: z.string().describe("The push dataset; pass it as `datasetId` to publish into it again"),
  datasetName: z.string().describe("Its name at its latest publish"),
  publishedAt: z.string().describe("When its first succeeded publish ended (the dataset was created)"),
  updatedAt: z.string().describe("When its latest succeeded publish (created or refreshed) ended"),
  revision: z.number().int().describe("The plan revision that latest publish carried"),
  runId: Uuid.describe("That latest publish run"),
});

export const PowerBiPublishList = z.object({
  items: z.array(PowerBiEarlierPublish).describe("One per dataset, the newest dataset first"),
});
