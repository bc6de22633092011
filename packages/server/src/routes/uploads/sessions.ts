import { IdParams, parseSort } from "@modelworks/contracts/common";
import { CreateUploadBody, UploadDto, UploadListQuery, UploadPage } from "@modelworks/contracts/uploads";
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { uploadSessions } from "../../db/schema.ts";
import { firstOr404 } from "../../db/scope.ts";
import { DomainError, unprocessable } from "../../errors/domain-error.ts";
import { FileRejected, kindFromName, safeFileName } from "../../files/sniff.ts";
import { scratchDir } from "../../files/store.ts";
import {
  deleteChunks,
  isProcessing,
  loadUploadSession,
  notReceiving,
  offsetHeaders,
  tooLarge,
  uploadDto,
} from "../../files/upload-sessions.ts";
import { orgOf } from "../../http/access.ts";
import { actorOf } from "../../http/actor.ts";
import { recordAudit } from "../../http/audit.ts";

const tags = ["files"];

/** Resumable uploads (docs/decisions/0013): start a session, list and read sessions, abandon one. */
export async function uploadSessionRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const config = app.deps.config;
  const store = app.fileStore;
  const _scratch = scratchDir(config);
  const loadSession = (orgId: string, id: string) => loadUploadSession(db, orgId, id);

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
        .send(uploadDto(session));
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
      return { items: rows.map(uploadDto), total: total?.n ?? 0, limit, offset };
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
      return reply.headers(offsetHeaders(s)).send(uploadDto(s));
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
}
