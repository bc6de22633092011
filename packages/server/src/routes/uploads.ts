import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { IdParams, parseSort } from "@modelworks/contracts/common";
import { FileDto } from "@modelworks/contracts/files";
import {
  ChunkHeaders,
  CreateUploadBody,
  UploadDto,
  UploadListQuery,
  UploadPage,
} from "@modelworks/contracts/uploads";
import { and, asc, count, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { files, uploadSessions } from "../db/schema.ts";
import { firstOr404 } from "../db/scope.ts";
import { fileDto } from "../dto/files.ts";
import { DomainError, notFound, unprocessable } from "../errors/domain-error.ts";
import { duck } from "../files/duck.ts";
import { createIngest, type IngestPhase, rejected } from "../files/ingest.ts";
import { checkContent, FileRejected, kindFromName, safeFileName } from "../files/sniff.ts";
import { type FileStore, scratchDir } from "../files/store.ts";
import { receive } from "../files/upload.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";

const tags = ["files"];
type Session = typeof uploadSessions.$inferSelect;

/** Suggested chunk size: small enough that a dropped connection loses little, large enough to be cheap. */
export const CHUNK_SIZE_HINT_BYTES = 8 * 1024 * 1024;
/** A completion whose processing phase has not moved for this long is taken to have died with its instance. */
const STALE_PROCESSING_MS = 15 * 60 * 1000;
const PROCESSING = ["checking", "parsing", "profiling"] as const;
const CHUNK_TYPES = ["application/offset+octet-stream", "application/octet-stream"];
const TUS = { "tus-resumable": "1.0.0" };

function toDto(s: Session) {
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

const offsetHeaders = (s: Pick<Session, "offsetBytes" | "sizeBytes">) => ({
  ...TUS,
  "upload-offset": String(s.offsetBytes),
  "upload-length": String(s.sizeBytes),
  "cache-control": "no-store",
});

const tooLarge = (path: string, message: string) =>
  new DomainError("file_too_large", `The upload was refused: ${message}.`, [{ path, message }]);

class ChunkTooLarge extends Error {}

/**
 * Resumable uploads, after the tus 1.0 core protocol (docs/decisions/0013-resumable-uploads.md):
 * POST /uploads opens a session; PATCH /uploads/:id appends a chunk at `Upload-Offset` (409 with
 * the current offset when it does not match); HEAD/GET report the persisted offset and the
 * processing phase; POST /uploads/:id/complete runs the same pipeline as POST /files. Chunks are
 * objects in the file store and the session a database row, so any instance can take any request.
 */
export async function uploadRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const config = app.deps.config;
  // Uploads end in the same pipeline as POST /files, with the same store and scratch space.
  const store = app.fileStore;
  const scratch = scratchDir(config);
  await duck(config.FILES_DUCKDB_MEMORY_MB, `${scratch}/duckdb`);
  const ingest = createIngest({ db, store, config });

  // A chunk's body is read by the handler, streamed to scratch: never buffered, never size-capped
  // by the JSON body limit (the session's declared size caps it instead).
  app.addContentTypeParser(CHUNK_TYPES, (_req, _payload, done) => done(null));

  /** The session, if it is this organization's and has not expired (an expired one is as good as gone). */
  const loadSession = async (orgId: string, id: string) =>
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

  r.post(
    "/uploads",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Start a resumable upload of a CSV or XLSX file",
        description:
          "Declare the file's name, size and parse options; then send its bytes with PATCH /uploads/{id} " +
          "(`Upload-Offset` header, body `application/offset+octet-stream`) in one or more chunks, and finish " +
          "with POST /uploads/{id}/complete. A dropped chunk is resumed from the offset HEAD /uploads/{id} " +
          "reports. Sessions expire after UPLOADS_SESSION_TTL_HOURS (default 24 h) with their partial data.",
        body: CreateUploadBody,
        response: { 201: UploadDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const { name: rawName, sizeBytes, sheet, delimiter } = req.body;
      let name: string;
      let kind: "csv" | "xlsx";
      try {
        name = safeFileName(rawName);
        kind = kindFromName(name);
      } catch (err) {
        if (err instanceof FileRejected)
          throw new DomainError(err.code, "The request has invalid fields.", [
            { path: "body.name", message: err.message },
          ]);
        throw err;
      }
      if (kind === "xlsx" && delimiter)
        throw unprocessable([{ path: "body.delimiter", message: "applies to CSV files, not XLSX" }]);
      if (kind === "csv" && sheet)
        throw unprocessable([{ path: "body.sheet", message: "applies to XLSX files, not CSV" }]);
      if (sizeBytes > config.FILES_MAX_BYTES) {
        throw tooLarge(
          "body.sizeBytes",
          `the file is larger than the ${config.FILES_MAX_BYTES.toLocaleString("en")}-byte limit`,
        );
      }
      const session = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(uploadSessions)
          .values({
            orgId,
            name,
            kind,
            sizeBytes,
            parseOptions: { ...(sheet ? { sheet } : {}), ...(delimiter ? { delimiter } : {}) },
            createdBy: actorOf(req).userId,
            expiresAt: new Date(Date.now() + config.UPLOADS_SESSION_TTL_HOURS * 3600_000),
          })
          .returning();
        await recordAudit(tx, req, {
          action: "upload.started",
          orgId,
          targetType: "upload",
          targetId: created!.id,
          metadata: { name, kind, sizeBytes },
        });
        return created!;
      });
      return reply
        .code(201)
        .headers({ ...offsetHeaders(session), location: `/api/v1/uploads/${session.id}` })
        .send(toDto(session));
    },
  );

  r.get(
    "/uploads",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary:
          "The organization's upload sessions that have not expired, e.g. to follow one from another tab",
        querystring: UploadListQuery,
        response: { 200: UploadPage },
      },
    },
    async (req) => {
      const { limit, offset, sort, phase } = req.query;
      const where = and(
        eq(uploadSessions.orgId, orgOf(req).id),
        sql`${uploadSessions.expiresAt} > now()`,
        phase ? eq(uploadSessions.phase, phase) : undefined,
      );
      const { field, descending } = parseSort<"createdAt" | "updatedAt">(sort);
      const column = { createdAt: uploadSessions.createdAt, updatedAt: uploadSessions.updatedAt }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(uploadSessions)
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(uploadSessions.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(uploadSessions).where(where),
      ]);
      return { items: rows.map(toDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/uploads/:id",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "An upload's progress: bytes persisted, processing phase, and the file once stored",
        description:
          "Also answers HEAD, with the tus headers `Upload-Offset` and `Upload-Length`. The offset counts bytes " +
          "persisted, not bytes in flight: a client shows its own send progress for the chunk on the way.",
        params: IdParams,
        response: { 200: UploadDto },
      },
    },
    async (req, reply) => {
      const s = await loadSession(orgOf(req).id, req.params.id);
      return reply.headers(offsetHeaders(s)).send(toDto(s));
    },
  );

  r.patch(
    "/uploads/:id",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Append a chunk of the file at Upload-Offset",
        description:
          "Body: raw bytes, `Content-Type: application/offset+octet-stream`. `Upload-Offset` must equal the " +
          "session's offset (else 409, with the current one in the `Upload-Offset` header); the chunk may not " +
          "reach past the declared size (413). 204 with the new `Upload-Offset`. If the connection drops " +
          "mid-chunk, the bytes that arrived are kept: HEAD tells where to resume. The first chunk's leading " +
          "bytes are checked at once, so a binary named .csv is refused before the rest is sent.",
        consumes: CHUNK_TYPES,
        params: IdParams,
        headers: ChunkHeaders,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const version = req.headers["tus-resumable"];
      if (version !== undefined && version !== "1.0.0") {
        // tus: a version the server does not speak is refused before anything is read.
        throw new DomainError(
          "upload_version_unsupported",
          "Only tus protocol version 1.0.0 is supported.",
          [{ path: "headers.tus-resumable", message: "must be 1.0.0" }],
          { ...TUS, "tus-version": "1.0.0" },
        );
      }
      const offset = Number(req.headers["upload-offset"]);
      const s = await loadSession(orgId, req.params.id);
      if (s.phase !== "receiving") throw notReceiving(s);
      if (offset !== s.offsetBytes) throw offsetConflict(s, offset);
      const remaining = s.sizeBytes - s.offsetBytes;
      const declared = req.headers["content-length"];
      if (declared !== undefined && Number(declared) > remaining) {
        throw tooLarge(
          "headers.content-length",
          `the chunk of ${declared} bytes at offset ${offset} reaches past the declared size of ${s.sizeBytes} bytes`,
        );
      }
      const chunk = await receiveChunk(req, remaining);
      if (chunk.sizeBytes === 0) {
        await rm(chunk.path, { force: true });
        return reply.code(204).headers(offsetHeaders(s)).send();
      }
      // The scratch copy goes before the answer does, so a caller never sees it linger.
      const moved = await appendChunk(req, s, offset, chunk).finally(() => rm(chunk.path, { force: true }));
      return reply.code(204).headers(offsetHeaders(moved)).send();
    },
  );

  /** Stores a received chunk as an object and moves the session's offset past it. */
  async function appendChunk(
    req: FastifyRequest,
    s: Session,
    offset: number,
    chunk: { path: string; sizeBytes: number; interrupted: boolean },
  ): Promise<Session> {
    const orgId = s.orgId;
    // file-type wants ~4 KB to name a format; a shorter first chunk waits for completion's check.
    if (offset === 0 && (chunk.sizeBytes >= 4100 || chunk.sizeBytes === s.sizeBytes))
      await checkFirstChunk(req, s, chunk.path);
    const key = `${orgId}/uploads/${s.id}/${offset}-${randomUUID().slice(0, 8)}.part`;
    await store.put(key, chunk.path, "application/octet-stream");
    // Appended only if nobody else moved the offset meanwhile (another instance, a retry racing
    // the request it retries); the loser's chunk object is removed.
    const [moved] = await db
      .update(uploadSessions)
      .set({
        offsetBytes: sql`${uploadSessions.offsetBytes} + ${chunk.sizeBytes}`,
        chunks: sql`${uploadSessions.chunks} || ${JSON.stringify([{ key, sizeBytes: chunk.sizeBytes }])}::jsonb`,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(uploadSessions.id, s.id),
          eq(uploadSessions.offsetBytes, offset),
          eq(uploadSessions.phase, "receiving"),
        ),
      )
      .returning();
    if (!moved) {
      await store.delete(key).catch(() => {});
      const now = await loadSession(orgId, s.id);
      throw now.phase === "receiving" ? offsetConflict(now, offset) : notReceiving(now);
    }
    if (chunk.interrupted) req.log.info({ uploadId: s.id, kept: chunk.sizeBytes }, "upload chunk cut short");
    return moved;
  }

  r.post(
    "/uploads/:id/complete",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Finish an upload: check, parse, profile and store it as a file",
        description:
          "The same checks and pipeline as POST /files, with the same answer: 201 with the new file, 200 with " +
          "an existing one of the same bytes and options. Another tab follows the phase with GET /uploads/{id}. " +
          "Repeating the call after success answers with the file again. A refused file (e.g. a binary " +
          "named .csv) ends the session `failed` and removes its data.",
        params: IdParams,
        response: { 200: FileDto, 201: FileDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const startedAt = performance.now();
      const s = await loadSession(orgId, req.params.id);
      if (s.phase === "stored") return reply.code(200).send(fileDto(await storedFile(s)));
      if (s.phase === "failed") {
        // The same answer as the completion that failed, for a client whose connection dropped.
        const reason = s.error ?? "The file was refused.";
        throw new DomainError("file_invalid", reason, [{ path: "body.file", message: reason }]);
      }
      if (s.offsetBytes < s.sizeBytes && s.phase === "receiving") {
        throw new DomainError(
          "upload_incomplete",
          `The upload has ${s.offsetBytes} of its ${s.sizeBytes} bytes; send the rest first.`,
          undefined,
          offsetHeaders(s),
        );
      }
      const staleBefore = new Date(Date.now() - STALE_PROCESSING_MS);
      const [claimed] = await db
        .update(uploadSessions)
        .set({ phase: "checking", updatedAt: new Date() })
        .where(
          and(
            eq(uploadSessions.id, s.id),
            eq(uploadSessions.offsetBytes, s.sizeBytes),
            or(
              eq(uploadSessions.phase, "receiving"),
              and(inArray(uploadSessions.phase, [...PROCESSING]), lt(uploadSessions.updatedAt, staleBefore)),
            ),
          ),
        )
        .returning();
      if (!claimed) throw notReceiving(await loadSession(orgId, s.id));

      let phaseWrites = Promise.resolve();
      const setPhase = (phase: IngestPhase) => {
        phaseWrites = phaseWrites.then(async () => {
          await db
            .update(uploadSessions)
            .set({ phase, updatedAt: new Date() })
            .where(and(eq(uploadSessions.id, s.id), inArray(uploadSessions.phase, [...PROCESSING])));
        });
      };
      try {
        const received = await receive(assemble(claimed), scratch);
        if (received.size !== claimed.sizeBytes) {
          await rm(received.path, { force: true });
          throw new Error(`upload ${s.id}: assembled ${received.size} bytes, expected ${claimed.sizeBytes}`);
        }
        const outcome = await ingest.ingest(actorOf(req), req.log, {
          name: claimed.name,
          kind: claimed.kind,
          options: claimed.parseOptions,
          received,
          createdBy: claimed.createdBy,
          uploadId: claimed.id,
          startedAt,
          onPhase: setPhase,
        });
        await phaseWrites;
        await db
          .update(uploadSessions)
          .set({ phase: "stored", fileId: outcome.row.id, chunks: [], updatedAt: new Date() })
          .where(eq(uploadSessions.id, s.id));
        await deleteChunks(store, claimed.chunks, req.log);
        if (outcome.created) reply.header("location", `/api/v1/files/${outcome.row.id}`);
        return reply.code(outcome.created ? 201 : 200).send(fileDto(outcome.row));
      } catch (err) {
        await phaseWrites.catch(() => {});
        if (err instanceof DomainError && (err.status === 422 || err.status === 413)) {
          // The content itself is refused: no retry can help, so nothing of it is kept.
          await db
            .update(uploadSessions)
            .set({ phase: "failed", error: err.detail ?? err.title, chunks: [], updatedAt: new Date() })
            .where(eq(uploadSessions.id, s.id));
          await deleteChunks(store, claimed.chunks, req.log);
        } else {
          // Ours, not the file's (storage or database trouble): keep the bytes so completing can be retried.
          await db
            .update(uploadSessions)
            .set({ phase: "receiving", updatedAt: new Date() })
            .where(eq(uploadSessions.id, s.id));
        }
        throw err;
      }
    },
  );

  r.delete(
    "/uploads/:id",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Abort an upload and remove its partial data",
        description: "A stored file stays (delete it with DELETE /files/{id}); only the session goes.",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const s = await loadSession(orgId, req.params.id);
      if (isProcessing(s)) throw notReceiving(s);
      const gone = await db.transaction(async (tx) => {
        const [row] = await tx
          .delete(uploadSessions)
          .where(and(eq(uploadSessions.id, s.id), eq(uploadSessions.orgId, orgId)))
          .returning();
        const deleted = firstOr404(row ? [row] : [], "Upload");
        await recordAudit(tx, req, {
          action: "upload.deleted",
          orgId,
          targetType: "upload",
          targetId: deleted.id,
          metadata: { name: deleted.name, offsetBytes: deleted.offsetBytes, phase: deleted.phase },
        });
        return deleted;
      });
      await deleteChunks(store, gone.chunks, req.log);
      return reply.code(204).send();
    },
  );

  /** The chunks in offset order, as one stream. */
  function assemble(s: Session): Readable {
    return Readable.from(
      (async function* () {
        for (const c of s.chunks) yield* await store.read(c.key);
      })(),
    );
  }

  async function storedFile(s: Session) {
    if (!s.fileId) throw notFound("File");
    return firstOr404(
      await db
        .select()
        .from(files)
        .where(and(eq(files.orgId, s.orgId), eq(files.id, s.fileId))),
      "File",
    );
  }

  /** Magic bytes of the first chunk, so a binary named .csv is refused before the rest is sent. */
  async function checkFirstChunk(req: FastifyRequest, s: Session, chunkPath: string) {
    try {
      await checkContent(chunkPath, s.kind, s.sizeBytes);
    } catch (err) {
      if (!(err instanceof FileRejected)) throw err;
      await db
        .update(uploadSessions)
        .set({ phase: "failed", error: err.message, updatedAt: new Date() })
        .where(and(eq(uploadSessions.id, s.id), eq(uploadSessions.phase, "receiving")));
      req.log.info({ uploadId: s.id }, "upload refused on its first chunk");
      throw rejected(err);
    }
  }

  /**
   * Streams the request body to a scratch file, at most `maxBytes` (413 past it). A body cut
   * short by the client going away is not an error: what arrived is returned as `interrupted`.
   */
  async function receiveChunk(req: FastifyRequest, maxBytes: number) {
    await mkdir(scratch, { recursive: true });
    const file = path.join(scratch, `${randomUUID()}.chunk`);
    let size = 0;
    const limiter = new Transform({
      transform(data: Buffer, _enc, done) {
        size += data.length;
        if (size > maxBytes) done(new ChunkTooLarge());
        else done(null, data);
      },
    });
    const out = createWriteStream(file);
    try {
      await pipeline(req.raw, limiter, out);
      return { path: file, sizeBytes: size, interrupted: false };
    } catch (err) {
      if (err instanceof ChunkTooLarge) {
        await rm(file, { force: true });
        throw tooLarge("body", `the chunk reaches past the declared size (${maxBytes} bytes remain)`);
      }
      // Client gone mid-body: keep what reached the disk (TCP delivered it in order, so it is a
      // true prefix of the chunk) once the file is closed.
      if (!out.closed) await new Promise<void>((resolve) => out.once("close", () => resolve()));
      const written = await stat(file).then(
        (st) => st.size,
        () => 0,
      );
      return { path: file, sizeBytes: Math.min(written, maxBytes), interrupted: true };
    }
  }
}

function isProcessing(s: Session): boolean {
  return (
    (PROCESSING as readonly string[]).includes(s.phase) &&
    s.updatedAt.getTime() > Date.now() - STALE_PROCESSING_MS
  );
}

function notReceiving(s: Session): DomainError {
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

function offsetConflict(s: Session, sent: number): DomainError {
  return new DomainError(
    "upload_offset_mismatch",
    `The chunk starts at byte ${sent} but the upload has ${s.offsetBytes} bytes; resume from ${s.offsetBytes}.`,
    [{ path: "headers.upload-offset", message: `must be ${s.offsetBytes}` }],
    offsetHeaders(s),
  );
}

async function deleteChunks(
  store: FileStore,
  chunks: { key: string }[],
  log: { warn: (o: object, m: string) => void },
) {
  for (const c of chunks) {
    await store.delete(c.key).catch((err) => log.warn({ err, key: c.key }, "upload chunk not deleted"));
  }
}
