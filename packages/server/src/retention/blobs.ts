import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { files } from "../db/schema.ts";
import type { Logger } from "../domain/actor.ts";
import type { FileStore } from "../files/store.ts";

export interface FileBlobs {
  orgId: string;
  storageKey: string;
  dataKey: string;
}

/**
 * Removes the blobs of file rows already deleted (and committed). Each row owns its parsed data;
 * the original bytes are shared by every row of the organization with the same content, so they
 * go only when no row is left pointing at them. A failure leaves an unreferenced blob (logged),
 * never a row without one. Returns the number of blobs deleted.
 */
export async function deleteFileBlobs(
  db: Db,
  store: FileStore,
  gone: FileBlobs[],
  log?: Pick<Logger, "warn">,
): Promise<number> {
  let deleted = 0;
  const tryDelete = async (key: string) => {
    try {
      await store.delete(key);
      deleted++;
    } catch (err) {
      log?.warn({ err, key }, "file blob not deleted");
    }
  };
  const originals = new Map<string, string>();
  for (const f of gone) {
    await tryDelete(f.dataKey);
    originals.set(f.storageKey, f.orgId);
  }
  for (const [storageKey, orgId] of originals) {
    const [still] = await db
      .select({ id: files.id })
      .from(files)
      .where(and(eq(files.orgId, orgId), eq(files.storageKey, storageKey)))
      .limit(1);
    if (!still) await tryDelete(storageKey);
  }
  return deleted;
}
