import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { and, eq } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { files } from "../db/schema.ts";
import type { Actor, Logger } from "../domain/actor.ts";
import { recordAuditAs } from "../domain/audit.ts";
import { DomainError } from "../errors/domain-error.ts";
import { type FileKind, FileRejected } from "./sniff.ts";
import type { FileStore } from "./store.ts";
import { type ParseOptions, parseUpload, type Received } from "./upload.ts";

export type FileRow = typeof files.$inferSelect;
/** The processing phases after the bytes are in, as an upload session reports them. */
export type IngestPhase = "checking" | "parsing" | "profiling";

export const CONTENT_TYPES = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
} as const;

/** A refusal of the file's content, as the 422 problem both upload paths answer with. */
export const rejected = (err: FileRejected) =>
  new DomainError(err.code, err.message, [{ path: "body.file", message: err.message }]);

/** `sheet=…&delimiter=…` as kept in `files.parseOptions` ('' for the defaults): part of the dedup key. */
export function parseOptionsKey(opts: ParseOptions): string {
  return [opts.sheet ? `sheet=${opts.sheet}` : "", opts.delimiter ? `delimiter=${opts.delimiter}` : ""]
    .filter(Boolean)
    .join("&");
}

export interface IngestInput {
  name: string;
  kind: FileKind;
  options: ParseOptions;
  /** The whole file in scratch; ingest owns it from here and removes it. */
  received: Received;
  createdBy: string | null;
  /** The upload session the bytes came through, recorded in the audit event. */
  uploadId?: string;
  /** `performance.now()` when the request began, so the logged timings count from there. */
  startedAt?: number;
  onPhase?: (phase: IngestPhase) => void;
}

/**
 * The one pipeline from received bytes to a stored file, shared by POST /files and the
 * resumable uploads' completion: dedup by content, checks and parse/profile (./upload.ts),
 * blobs first and then the row with its audit event in one transaction. Scratch files are gone
 * when it returns or throws. A refused file throws the 413/422 problem.
 */
export function createIngest(deps: { db: Database["db"]; store: FileStore; config: Config }) {
  const { db, store, config } = deps;

  async function sameContent(orgId: string, sha256: string, parseOptions?: string) {
    const [row] = await db
      .select()
      .from(files)
      .where(
        and(
          eq(files.orgId, orgId),
          eq(files.sha256, sha256),
          parseOptions === undefined ? undefined : eq(files.parseOptions, parseOptions),
        ),
      )
      .limit(1);
    return row;
  }

  async function ingest(
    actor: Actor,
    log: Logger,
    input: IngestInput,
  ): Promise<{ row: FileRow; created: boolean }> {
    const scratchFiles = [input.received.path];
    try {
      return await storeUpload(actor, log, input, scratchFiles);
    } finally {
      // Scratch files go before the answer does, so a caller never sees them linger.
      await Promise.all(scratchFiles.map((f) => rm(f, { force: true })));
    }
  }

  async function storeUpload(
    actor: Actor,
    log: Logger,
    input: IngestInput,
    scratchFiles: string[],
  ): Promise<{ row: FileRow; created: boolean }> {
    const { orgId } = actor;
    const { name, kind, received } = input;
    const started = input.startedAt ?? performance.now();
    const ms = () => Math.round(performance.now() - started);
    const receivedMs = ms();
    const parseOptions = parseOptionsKey(input.options);
    const existing = await sameContent(orgId, received.sha256, parseOptions);
    if (existing) return { row: existing, created: false };
    const parsed = await parseUpload(
      received,
      kind,
      input.options,
      {
        maxUncompressedBytes: config.FILES_XLSX_MAX_UNCOMPRESSED_BYTES,
        maxRatio: config.FILES_XLSX_MAX_RATIO,
      },
      input.onPhase &&
        ((phase) =>
          input.onPhase!(
            phase === "checking" ? "checking" : phase === "profiling" ? "profiling" : "parsing",
          )),
    ).catch((err) => {
      throw err instanceof FileRejected ? rejected(err) : err;
    });
    scratchFiles.push(...parsed.scratchFiles);
    const parsedMs = ms();
    const id = randomUUID();
    const storageKey = `${orgId}/${received.sha256}.${kind}`;
    const dataKey = `${orgId}/${id}.parquet`;
    // Blobs first, row last: a failure on the way removes what this request wrote, and a row
    // never points at a missing blob.
    const hadOriginal = await store.exists(storageKey);
    try {
      if (!hadOriginal) await store.put(storageKey, received.path, CONTENT_TYPES[kind]);
      await store.put(dataKey, parsed.parquet, "application/vnd.apache.parquet");
      const row = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(files)
          .values({
            id,
            orgId,
            name,
            kind,
            contentType: CONTENT_TYPES[kind],
            sizeBytes: received.size,
            sha256: received.sha256,
            parseOptions,
            storageKey,
            dataKey,
            rowCount: parsed.rowCount,
            layout: parsed.layout,
            profile: parsed.profile,
            createdBy: input.createdBy,
          })
          .returning();
        await recordAuditAs(tx, actor, {
          action: "file.uploaded",
          orgId,
          targetType: "file",
          targetId: id,
          metadata: {
            name,
            kind,
            sizeBytes: received.size,
            sha256: received.sha256,
            rowCount: parsed.rowCount,
            ...(input.uploadId ? { uploadId: input.uploadId } : {}),
          },
        });
        return created!;
      });
      // Where an upload's time goes, for operators (and bench/upload-profile.ts).
      log.info(
        {
          fileId: id,
          sizeBytes: received.size,
          rows: parsed.rowCount,
          ...(input.uploadId ? { uploadId: input.uploadId } : {}),
          receivedMs,
          parsedMs,
          storedMs: ms(),
        },
        "file stored",
      );
      return { row, created: true };
    } catch (err) {
      await store.delete(dataKey).catch(() => {});
      if (!hadOriginal && !(await sameContent(orgId, received.sha256))) {
        await store.delete(storageKey).catch(() => {});
      }
      if (isUniqueViolation(err)) {
        const winner = await sameContent(orgId, received.sha256, parseOptions);
        if (winner) return { row: winner, created: false };
      }
      throw err;
    }
  }

  return { ingest, sameContent };
}

export type Ingest = ReturnType<typeof createIngest>;
