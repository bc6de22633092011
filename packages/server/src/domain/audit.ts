import type { Db } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";
import type { Attribution } from "./actor.ts";

export interface AuditEntry {
  action: string;
  orgId: string | null;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
  /** For events before anyone is signed in (sign-up, failed sign-in). */
  actorEmail?: string;
  /** Overrides the actor (e.g. the user who just signed in). */
  actorUserId?: string;
}

/**
 * Appends one audit event attributed to `who`. Call it with the transaction that makes the
 * change, so the record and the change commit or roll back together.
 */
export async function recordAuditAs(db: Db, who: Attribution, entry: AuditEntry): Promise<void> {
  const person = who.kind === "user" || who.kind === "jwt" ? who : null;
  const actorUserId = entry.actorUserId ?? person?.userId ?? null;
  await db.insert(auditEvents).values({
    orgId: entry.orgId,
    actorType: who.kind === "key" ? "api_key" : actorUserId ? "user" : "anonymous",
    actorUserId,
    actorApiKeyId: who.kind === "key" ? (who.keyId ?? null) : null,
    actorEmail: entry.actorEmail ?? person?.email ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: who.ip,
    userAgent: who.userAgent,
    requestId: who.requestId,
    metadata: entry.metadata ?? {},
  });
}
