import { z } from "zod";
import { Timestamp } from "./common.ts";

/** A retention period in days, or null to keep forever. */
const Days = z
  .number({ message: "must be a whole number of days or null" })
  .int("must be a whole number of days")
  .min(1, "must be at least 1 day")
  .max(3650, "must be at most 3650 days (10 years)")
  .nullable();

export const RetentionPolicyDto = z
  .object({
    filesDays: Days.describe(
      "Uploaded files (original and parsed data) are deleted this many days after upload",
    ),
    runsDays: Days.describe(
      "Finished runs (succeeded, failed, canceled) are deleted this many days after they finished; queued and running runs never are",
    ),
    expiredShareLinksDays: Days.describe(
      "Share links are deleted this many days after they expired or were revoked",
    ),
    contentItemsDays: z
      .number()
      .int()
      .nullable()
      .describe(
        "Stored content items (followed sources' articles) are deleted once both published and fetched this many days ago, except those behind measured posts; null keeps them forever. The organization's own setting, or the server's CONTENT_ITEMS_RETENTION_DAYS",
      ),
    contentItemsDaysSource: z
      .enum(["organization", "server"])
      .describe("Whether contentItemsDays is the organization's own setting or the server's default"),
    serverContentItemsDays: z
      .number()
      .int()
      .nullable()
      .describe("The server's default for content items (CONTENT_ITEMS_RETENTION_DAYS; null: kept forever)"),
    isDefault: z.boolean().describe("True while the organization has not set a policy of its own"),
    updatedAt: Timestamp.nullable(),
  })
  .meta({ id: "RetentionPolicy" });

/** Content items: up to 100 years, null to keep forever, or "server-default" to follow the server. */
export const CONTENT_ITEMS_MAX_DAYS = 36_500;
const ContentItemsDays = z.union(
  [
    z
      .number({ message: 'must be a whole number of days, null or "server-default"' })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(CONTENT_ITEMS_MAX_DAYS, "must be at most 36500 days (100 years)"),
    z.null(),
    z.literal("server-default"),
  ],
  { message: 'must be a whole number of days, null or "server-default"' },
);

/**
 * PUT replaces the policy: the three periods are required, null means keep forever.
 * `contentItemsDays` may be left out (the setting stays as it is), so clients that predate it
 * keep working; "server-default" hands it back to CONTENT_ITEMS_RETENTION_DAYS.
 */
export const UpdateRetentionBody = z
  .object({
    filesDays: Days,
    runsDays: Days,
    expiredShareLinksDays: Days,
    contentItemsDays: ContentItemsDays.optional(),
  })
  .strict();

export const DeleteAccountBody = z
  .object({ password: z.string().min(1, "is required").max(200, "must be at most 200 characters") })
  .strict();
