import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditEvents, RETENTION_DEFAULTS, retentionPolicies } from "../db/schema.ts";

export interface RetentionPolicy {
  filesDays: number | null;
  runsDays: number | null;
  expiredShareLinksDays: number | null;
  /** Effective days for content items (null: kept forever), and where the number comes from. */
  contentItemsDays: number | null;
  contentItemsDaysSource: "organization" | "server";
  serverContentItemsDays: number | null;
  isDefault: boolean;
  updatedAt: Date | null;
}

/**
 * The days content items are kept, from the stored setting (null: follow the server, 0: keep
 * forever, n: n days) and the server's CONTENT_ITEMS_RETENTION_DAYS (0: keep forever); null: forever.
 */
export function contentItemsDaysOf(stored: number | null | undefined, serverDays: number | null | undefined) {
  if (stored === null || stored === undefined) return serverDays ? serverDays : null;
  return stored === 0 ? null : stored;
}

/** The organization's policy, or the defaults when it has not set one. */
export async function policyOf(db: Db, orgId: string, serverContentItemsDays = 0): Promise<RetentionPolicy> {
  const [row] = await db.select().from(retentionPolicies).where(eq(retentionPolicies.orgId, orgId));
  const stored = row?.contentItemsDays ?? null;
  const content = {
    contentItemsDays: contentItemsDaysOf(stored, serverContentItemsDays),
    contentItemsDaysSource: stored === null ? ("server" as const) : ("organization" as const),
    serverContentItemsDays: serverContentItemsDays || null,
  };
  if (!row) return { ...RETENTION_DEFAULTS, ...content, isDefault: true, updatedAt: null };
  return {
    filesDays: row.filesDays,
    runsDays: row.runsDays,
    expiredShareLinksDays: row.expiredShareLinksDays,
    ...content,
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
