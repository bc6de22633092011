import type { FastifyRequest } from "fastify";
import type { Db } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";

export interface AuditEntry {
  action: string;
  orgId: string | null;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
  /** For events before anyone is signed in (sign-up, failed sign-in). */
  actorEmail?: string;
  /** Overrides the actor taken from the request (e.g. the user who just signed in). */
  actorUserId?: string;
}

/**
 * Appends one audit event. Call it with the transaction that makes the change, so the record
 * and the change commit or roll back together.
 */
export async function recordAudit(db: Db, req: FastifyRequest, entry: AuditEntry): Promise<void> {
  const p = req.principal;
  const actorUserId = entry.actorUserId ?? (p && p.kind !== "api_key" ? p.userId : null);
  await db.insert(auditEvents).values({
    orgId: entry.orgId,
    actorType: p?.kind === "api_key" ? "api_key" : actorUserId ? "user" : "anonymous",
    actorUserId,
    actorApiKeyId: p?.kind === "api_key" ? p.apiKeyId : null,
    actorEmail: entry.actorEmail ?? (p && p.kind !== "api_key" ? p.email : null),
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: req.ip,
    userAgent: req.headers["user-agent"]?.slice(0, 500) ?? null,
    requestId: req.id,
    metadata: entry.metadata ?? {},
  });
}
