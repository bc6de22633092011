import { count, eq, sql } from "drizzle-orm";
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.ts";
import { auditEvents, files, organizations } from "../db/schema.ts";
import type { FileStore } from "../files/store.ts";
import { deleteFileBlobs } from "./blobs.ts";

export interface Erasure {
  auditEventsErased: number;
  filesDeleted: number;
  blobsDeleted: number;
}

/**
 * Erases an organization for good: its row (every org-owned table cascades from it), its audit
 * history, and its blobs in the file store. The audit trigger (migrations/0009_audit_erasure.sql)
 * lets this one transaction delete the org's audit rows: it names the org in
 * `modelworks.erase_org` and deletes the org row first. `record` runs in the same transaction,
 * after the erasure, to leave the org-less audit event that says it happened.
 */
export async function eraseOrganization(
  db: Db,
  store: FileStore,
  orgId: string,
  record: (tx: Db, erasure: Omit<Erasure, "blobsDeleted">) => Promise<void>,
  log?: Pick<FastifyBaseLogger, "warn">,
): Promise<Erasure> {
  const { blobs, erasure } = await db.transaction(async (tx) => {
    const blobs = await tx
      .select({ orgId: files.orgId, storageKey: files.storageKey, dataKey: files.dataKey })
      .from(files)
      .where(eq(files.orgId, orgId));
    await tx.execute(sql`select set_config('modelworks.erase_org', ${orgId}, true)`);
    await tx.delete(organizations).where(eq(organizations.id, orgId));
    const [n] = await tx.select({ n: count() }).from(auditEvents).where(eq(auditEvents.orgId, orgId));
    await tx.delete(auditEvents).where(eq(auditEvents.orgId, orgId));
    const erasure = { auditEventsErased: n?.n ?? 0, filesDeleted: blobs.length };
    await record(tx as unknown as Db, erasure);
    return { blobs, erasure };
  });
  // After the commit: blobs of rows that no longer exist. The whole org is gone, so no row can
  // still share an original — deleteFileBlobs checks anyway.
  const blobsDeleted = await deleteFileBlobs(db, store, blobs, log);
  return { ...erasure, blobsDeleted };
}
