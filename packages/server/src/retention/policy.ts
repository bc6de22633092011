import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditEvents, RETENTION_DEFAULTS, retentionPolicies } from "../db/schema.ts";

export interface RetentionPolicy {
  filesDays: number | null;
  runsDays: number | null;
  expiredShareLinksDays: number | null;
  isDefault: boolean;
  updatedAt: Date | null;
}

/** The organization's policy, or the defaults when it has not set one. */
export async function policyOf(db: Db, orgId: string): Promise<RetentionPolicy> {
  const [row] = await db.select().from(retentionPolicies).where(eq(retentionPolicies.orgId, orgId));
  if (!row) return { ...RETENTION_DEFAULTS, isDefault: true, updatedAt: null };
  return {
    filesDays: row.filesDays,
    runsDays: row.runsDays,
    expiredShareLinksDays: row.expiredShareLinksDays,
    isDefault: false,
    updatedAt: row.updatedAt,
  };
}

/** An audit event of the server itself (no request, no person): the retention sweep's deletions. */
export async function recordSystemAudit(
  db: Db,
  entry: {
    orgId: string | null;
    action: string;
    targetType?: string;
    targetId?: string;
    metadata?: Record<string, unknown>;
  },
): Promise<void> {
  await db.insert(auditEvents).values({
    orgId: entry.orgId,
    actorType: "system",
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    metadata: entry.metadata ?? {},
  });
}
