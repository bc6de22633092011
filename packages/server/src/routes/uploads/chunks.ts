import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { IdParams } from "@modelworks/contracts/common";
import { ChunkHeaders } from "@modelworks/contracts/uploads";
import { and, eq, sql } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { uploadSessions } from "../../db/schema.ts";
import { DomainError } from "../../errors/domain-error.ts";
import { rejected } from "../../files/ingest.ts";
import { checkContent, FileRejected } from "../../files/sniff.ts";
import { scratchDir } from "../../files/store.ts";
import {
  CHUNK_TYPES,
  ChunkTooLarge,
  loadUploadSession,
  notReceiving,
  offsetConflict,
  offsetHeaders,
  type Session,
  TUS,
  tooLarge,
} from "../../files/upload-sessions.ts";
import { orgOf } from "../../http/access.ts";

const tags = ["files"];

/** Resumable uploads: appending a chunk at the session's offset (tus PATCH). */
export async function uploadChunkRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const config = app.deps.config;
  const store = app.fileStore;
  const scratch = scratchDir(config);
  const loadSession = (orgId: string, id: string) => loadUploadSession(db, orgId, id);
  // A chunk's body is read by the handler, streamed to scratch: never buffered, never size-capped
  // by the JSON body limit (the session's declared size caps it instead).
  app.addContentTypeParser(CHUNK_TYPES, (_req, _payload, done) => done(null));

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
