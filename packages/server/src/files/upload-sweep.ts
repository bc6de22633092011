import { inArray, lt } from "drizzle-orm";
import { everyInterval, type Stoppable } from "../background.ts";
import type { Db } from "../db/client.ts";
import { uploadSessions } from "../db/schema.ts";
import type { Logger } from "../domain/actor.ts";
import type { FileStore } from "./store.ts";

/** How often each instance removes expired upload sessions. */
export const UPLOAD_SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Removes expired sessions and their chunks, whatever their phase. The row goes first (so a
 * chunk arriving meanwhile finds no session and removes its own object), then the objects.
 * Every instance runs it every 10 minutes; two sweeping at once delete disjoint rows.
 */
export async function sweepExpiredUploads(
  db: Db,
  store: FileStore,
  now = new Date(),
): Promise<{ sessions: number; chunks: number }> {
  const expired = db
    .select({ id: uploadSessions.id })
    .from(uploadSessions)
    .where(lt(uploadSessions.expiresAt, now))
    .limit(200);
  const gone = await db
    .delete(uploadSessions)
    .where(inArray(uploadSessions.id, expired))
    .returning({ chunks: uploadSessions.chunks });
  let chunks = 0;
  for (const s of gone) {
    for (const c of s.chunks) {
      await store.delete(c.key).catch(() => {});
      chunks++;
    }
  }
  return { sessions: gone.length, chunks };
}

/** The upload sweep as a background task (registered in app.ts). */
export function startUploadSweeper(o: { db: Db; store: FileStore; log: Pick<Logger, "warn"> }): Stoppable {
  return everyInterval({
    intervalMs: UPLOAD_SWEEP_INTERVAL_MS,
    tick: () => sweepExpiredUploads(o.db, o.store),
    onError: (err) => o.log.warn({ err }, "upload sweep failed"),
  });
}
