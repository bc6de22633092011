import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { uploadSessions } from "../db/schema.ts";
import { firstOr404 } from "../db/scope.ts";
import { DomainError } from "../errors/domain-error.ts";
import type { FileStore } from "./store.ts";

/** Resumable upload sessions (tus subset, docs/decisions/0013): what the upload routes share. */
export type Session = typeof uploadSessions.$inferSelect;

/** Suggested chunk size: small enough that a dropped connection loses little, large enough to be cheap. */
export const CHUNK_SIZE_HINT_BYTES = 8 * 1024 * 1024;
/** A completion whose processing phase has not moved for this long is taken to have died with its instance. */
export const STALE_PROCESSING_MS = 15 * 60 * 1000;
export const PROCESSING = ["checking", "parsing", "profiling"] as const;
export const CHUNK_TYPES = ["application/offset+octet-stream", "application/octet-stream"];
export const TUS = { "tus-resumable": "1.0.0" };

export function uploadDto(s: Session) {
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    sizeBytes: s.sizeBytes,
    offsetBytes: s.offsetBytes,
    chunkSizeBytes: Math.min(CHUNK_SIZE_HINT_BYTES, s.sizeBytes),
    phase: s.phase,
    error: s.error,
    fileId: s.fileId,
    sheet: s.parseOptions.sheet ?? null,
    delimiter: s.parseOptions.delimiter ?? null,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
  };
}

export const offsetHeaders = (s: Pick<Session, "offsetBytes" | "sizeBytes">) => ({
  ...TUS,
  "upload-offset": String(s.offsetBytes),
  "upload-length": String(s.sizeBytes),
  "cache-control": "no-store",
});

export const tooLarge = (path: string, message: string) =>
  new DomainError("file_too_large", `The upload was refused: ${message}.`, [{ path, message }]);

export class ChunkTooLarge extends Error {}

/** The session, if it is this organization's and has not expired (an expired one is as good as gone). */
export const loadUploadSession = async (db: Db, orgId: string, id: string) =>
  firstOr404(
    await db
      .select()
      .from(uploadSessions)
      .where(
        and(
          eq(uploadSessions.orgId, orgId),
          eq(uploadSessions.id, id),
          sql`${uploadSessions.expiresAt} > now()`,
        ),
      ),
    "Upload",
  );

export function isProcessing(s: Session): boolean {
  return (
    (PROCESSING as readonly string[]).includes(s.phase) &&
    s.updatedAt.getTime() > Date.now() - STALE_PROCESSING_MS
  );
}

export function notReceiving(s: Session): DomainError {
  const why =
    s.phase === "stored"
      ? "it is complete and stored (see fileId)"
      : s.phase === "failed"
        ? `it failed: ${s.error ?? "see GET /uploads/{id}"}`
        : s.offsetBytes === s.sizeBytes && s.phase === "receiving"
          ? "all its bytes are in"
          : `it is being processed (${s.phase})`;
  return new DomainError(
    "upload_closed",
    `The upload takes no more changes: ${why}.`,
    undefined,
    offsetHeaders(s),
  );
}

export function offsetConflict(s: Session, sent: number): DomainError {
  return new DomainError(
    "upload_offset_mismatch",
    `The chunk starts at byte ${sent} but the upload has ${s.offsetBytes} bytes; resume from ${s.offsetBytes}.`,
    [{ path: "headers.upload-offset", message: `must be ${s.offsetBytes}` }],
    offsetHeaders(s),
  );
}

export async function deleteChunks(
  store: FileStore,
  chunks: { key: string }[],
  log: { warn: (o: object, m: string) => void },
) {
  for (const c of chunks) {
    await store.delete(c.key).catch((err) => log.warn({ err, key: c.key }, "upload chunk not deleted"));
  }
}
