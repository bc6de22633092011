import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { IdParams } from "@modelworks/contracts/common";
import { FileDto } from "@modelworks/contracts/files";
import { and, eq, inArray, lt, or } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { files, uploadSessions } from "../../db/schema.ts";
import { firstOr404 } from "../../db/scope.ts";
import { fileDto } from "../../dto/files.ts";
import { DomainError, notFound } from "../../errors/domain-error.ts";
import { createIngest, type IngestPhase } from "../../files/ingest.ts";
import { scratchDir } from "../../files/store.ts";
import { receive } from "../../files/upload.ts";
import {
  deleteChunks,
  loadUploadSession,
  notReceiving,
  offsetHeaders,
  PROCESSING,
  type Session,
  STALE_PROCESSING_MS,
} from "../../files/upload-sessions.ts";
import { orgOf } from "../../http/access.ts";
import { actorOf } from "../../http/actor.ts";

const tags = ["files"];

/** Resumable uploads: completing a session, through the same ingest as POST /files. */
export async function uploadCompleteRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const config = app.deps.config;
  const store = app.fileStore;
  const scratch = scratchDir(config);
  const loadSession = (orgId: string, id: string) => loadUploadSession(db, orgId, id);
  const ingest = createIngest({ db, store, config });

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
}
