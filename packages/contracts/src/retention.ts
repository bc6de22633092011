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
    isDefault: z.boolean().describe("True while the organization has not set a policy of its own"),
    updatedAt: Timestamp.nullable(),
  })
  .meta({ id: "RetentionPolicy" });

/** PUT replaces the whole policy: every field is required, null means keep forever. */
export const UpdateRetentionBody = z
  .object({ filesDays: Days, runsDays: Days, expiredShareLinksDays: Days })
  .strict();

export const DeleteAccountBody = z
  .object({ password: z.string().min(1, "is required").max(200, "must be at most 200 characters") })
  .strict();
