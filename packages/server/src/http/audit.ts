import type { FastifyRequest } from "fastify";
import type { Db } from "../db/client.ts";
import { type AuditEntry, recordAuditAs } from "../domain/audit.ts";
import { attributionOf } from "./actor.ts";

export type { AuditEntry } from "../domain/audit.ts";

/** Appends one audit event attributed to the request's caller (see domain/audit.ts). */
export function recordAudit(db: Db, req: FastifyRequest, entry: AuditEntry): Promise<void> {
  return recordAuditAs(db, attributionOf(req), entry);
}
