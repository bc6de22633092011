import { count, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditEvents, files, organizations } from "../db/schema.ts";
import type { Logger } from "../domain/actor.ts";
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
  log?: Pick<Logger, "warn">,
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

/**
 * Pseudonymizes a deleted person in the audit history that remains (account deletion): on the
 * events they made, their email, IP address and user agent are cleared; wherever their email is
 * in an event's metadata (an invitation someone else sent them, say), that key goes. The events
 * stay, with their user id, which no longer resolves to anyone. Runs in the transaction that
 * deleted the user row: the audit trigger (migrations/0010_audit_pseudonymize.sql) allows exactly
 * these updates, for the user named in `modelworks.erase_user`, once their row is gone.
 */
export async function pseudonymizeAuditActor(tx: Db, userId: string, email: string): Promise<void> {
  const address = email.toLowerCase();
  await tx.execute(
    sql`select set_config('modelworks.erase_user', ${userId}, true), set_config('modelworks.erase_email', ${address}, true)`,
  );
  await tx.execute(sql`
    update ${auditEvents}
       set actor_email = null, ip = null, user_agent = null,
           metadata = case when lower(metadata->>'email') = ${address} then metadata - 'email' else metadata end
     where actor_user_id = ${userId} or lower(actor_email) = ${address}`);
  await tx.execute(sql`
    update ${auditEvents} set metadata = metadata - 'email' where lower(metadata->>'email') = ${address}`);
}
