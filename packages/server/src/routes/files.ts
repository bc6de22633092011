import { rm } from "node:fs/promises";
import multipart from "@fastify/multipart";
import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  FileDto,
  FileListQuery,
  FilePage,
  MapBody,
  MapResultDto,
  ProfileDto,
  RowsDto,
  RowsQuery,
  SuggestionsDto,
  TargetRef,
  UploadQuery,
} from "@modelworks/contracts/files";
import { and, asc, count, desc, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { fieldMappings, files } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { deleteInOrgAndAudit } from "../domain/delete-in-org.ts";
import { fileDto as toDto } from "../dto/files.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { readRows } from "../files/duck.ts";
import { CONTENT_TYPES, createIngest, rejected } from "../files/ingest.ts";
import { applyMapping, type ColumnMapping, suggestMapping } from "../files/mapping.ts";
import { FileRejected, kindFromName, safeFileName } from "../files/sniff.ts";
import { scratchDir } from "../files/store.ts";
import { resolveTarget } from "../files/target-ref.ts";
import { receive } from "../files/upload.ts";
import { orgOf } from "../http/access.ts";
import { actorOf, attributionOf } from "../http/actor.ts";
import { contentDisposition } from "../http/content-disposition.ts";

const tags = ["files"];

/**
 * Uploads (multipart, streamed to scratch then to the file store), their profiles and rows, and
 * mapping their columns onto a model's input table. See docs/decisions/0011-file-ingest.md.
 */
export async function fileRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const config = app.deps.config;
  const store = app.fileStore;
  const scratch = scratchDir(config);
  const { ingest, sameContent } = createIngest({ db, store, config });
  await app.register(multipart, {
    limits: { fileSize: config.FILES_MAX_BYTES, files: 1, fields: 0, parts: 2 },
  });

  const loadFile = async (orgId: string, id: string) =>
    firstOr404(
      await db
        .select()
        .from(files)
        .where(inOrg(files, orgId, id)),
      "File",
    );

  r.post(
    "/files",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Upload a CSV or XLSX file (multipart/form-data, field `file`)",
        description:
          "The file is streamed to storage (never held in memory), checked by its bytes (a binary renamed .csv " +
          "is refused; an XLSX must be a sound workbook, not a zip bomb), parsed and profiled. 201 with the new " +
          "file; 200 with the existing one when the organization already uploaded the same bytes with the same " +
          "options. Progress: the upload is one streamed request, so a client follows the bytes it sends " +
          "(e.g. XMLHttpRequest upload progress); parsing 1M rows takes a few seconds more. To resume after a " +
          "dropped connection, or to let another tab follow the processing phase, use POST /uploads instead.",
        consumes: ["multipart/form-data"],
        querystring: UploadQuery,
        response: { 200: FileDto, 201: FileDto },
      },
    },
    async (req, reply) => {
      const part = await req.file().catch((err) => {
        throw multipartProblem(err, config.FILES_MAX_BYTES);
      });
      if (!part)
        throw unprocessable([{ path: "body.file", message: "attach the file as multipart field `file`" }]);
      if (part.fieldname !== "file") {
        part.file.resume();
        throw unprocessable([
          { path: `body.${part.fieldname}`, message: "the file goes in the field named `file`" },
        ]);
      }
      const startedAt = performance.now();
      let name: string;
      let kind: "csv" | "xlsx";
      try {
        name = safeFileName(part.filename);
        kind = kindFromName(name);
      } catch (err) {
        part.file.resume();
        throw err instanceof FileRejected ? rejected(err) : err;
      }
      // Over the limit, the parser stops writing and marks the stream truncated: stop reading too.
      part.file.on("limit", () =>
        part.file.destroy(Object.assign(new Error("too large"), { code: "FST_REQ_FILE_TOO_LARGE" })),
      );
      const received = await receive(part.file, scratch).catch((err) => {
        throw multipartProblem(err, config.FILES_MAX_BYTES);
      });
      if (part.file.truncated) {
        await rm(received.path, { force: true });
        throw multipartProblem({ code: "FST_REQ_FILE_TOO_LARGE" }, config.FILES_MAX_BYTES);
      }
      const actor = actorOf(req);
      const outcome = await ingest(actor, req.log, {
        name,
        kind,
        options: { sheet: req.query.sheet, delimiter: req.query.delimiter },
        received,
        createdBy: actor.userId,
        startedAt,
      });
      if (outcome.created) reply.header("location", `/api/v1/files/${outcome.row.id}`);
      return reply.code(outcome.created ? 201 : 200).send(toDto(outcome.row));
    },
  );

  r.get(
    "/files",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "List uploaded files",
        querystring: FileListQuery,
        response: { 200: FilePage },
      },
    },
    async (req) => {
      const { limit, offset, sort, kind } = req.query;
      const where = and(eq(files.orgId, orgOf(req).id), kind ? eq(files.kind, kind) : undefined);
      const { field, descending } = parseSort<"createdAt" | "name" | "sizeBytes">(sort);
      const column = { createdAt: files.createdAt, name: files.name, sizeBytes: files.sizeBytes }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(files)
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(files.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(files).where(where),
      ]);
      return { items: rows.map(toDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/files/:id",
    {
      config: { access: "projects:read" },
      schema: { tags, summary: "An uploaded file", params: IdParams, response: { 200: FileDto } },
    },
    async (req) => toDto(await loadFile(orgOf(req).id, req.params.id)),
  );

  r.get(
    "/files/:id/profile",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Per-column profile: inferred type, missing %, distinct count, min/max, examples",
        params: IdParams,
        response: { 200: ProfileDto },
      },
    },
    async (req) => {
      const f = await loadFile(orgOf(req).id, req.params.id);
      return {
        fileId: f.id,
        rowCount: f.rowCount,
        columns: f.profile as z.infer<typeof ProfileDto>["columns"],
      };
    },
  );

  r.get(
    "/files/:id/rows",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "A page of the file's rows, typed as profiled",
        params: IdParams,
        querystring: RowsQuery,
        response: { 200: RowsDto },
      },
    },
    async (req) => {
      const f = await loadFile(orgOf(req).id, req.params.id);
      const { offset, limit } = req.query;
      const rows = await readRows(await store.localPath(f.dataKey), offset, limit);
      return {
        columns: (f.profile as { name: string }[]).map((c) => c.name),
        rows,
        total: f.rowCount,
        offset,
        limit,
      };
    },
  );

  r.get(
    "/files/:id/download",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "The file's bytes as uploaded (or as a scoring run wrote them), streamed",
        params: IdParams,
        produces: ["text/csv", CONTENT_TYPES.xlsx],
      },
    },
    async (req, reply) => {
      const f = await loadFile(orgOf(req).id, req.params.id);
      return reply
        .type(f.kind === "csv" ? "text/csv; charset=utf-8" : f.contentType)
        .header("content-disposition", contentDisposition(f.name))
        .send(await store.read(f.storageKey));
    },
  );

  r.delete(
    "/files/:id",
    {
      config: { access: "projects:delete" },
      schema: {
        tags,
        summary: "Delete an uploaded file",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const gone = await db.transaction((tx) =>
        deleteInOrgAndAudit(
          tx,
          attributionOf(req),
          files,
          { orgId, id: req.params.id },
          {
            label: "File",
            action: "file.deleted",
            targetType: "file",
            metadata: (f) => ({ name: f.name, sha256: f.sha256 }),
          },
        ),
      );
      // After the commit: a failed delete leaves an unreferenced blob, never a row without one.
      await store.delete(gone.dataKey).catch((err) => req.log.warn({ err }, "file data not deleted"));
      if (!(await sameContent(orgId, gone.sha256))) {
        await store.delete(gone.storageKey).catch((err) => req.log.warn({ err }, "file blob not deleted"));
      }
      return reply.code(204).send();
    },
  );

  r.post(
    "/files/:id/mapping-suggestions",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Suggest how the file's columns fill a model's input table, with confidence",
        params: IdParams,
        body: TargetRef,
        response: { 200: SuggestionsDto },
      },
    },
    async (req) => {
      const f = await loadFile(orgOf(req).id, req.params.id);
      const { target, table } = resolveTarget(app, req.body);
      return {
        ...target,
        columns: table.columns,
        suggestions: suggestMapping(table, f.profile as never),
      };
    },
  );

  r.post(
    "/files/:id/map",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Apply a mapping: transformed rows validated by the model's own row schema",
        description:
          "Nothing is saved: the answer is a validation report (row, column, problem) and the rows that passed, " +
          "ready to place into a scenario's input.",
        params: IdParams,
        body: MapBody,
        response: { 200: MapResultDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const f = await loadFile(orgId, req.params.id);
      const { target, table } = resolveTarget(app, req.body);
      let columns = req.body.columns as ColumnMapping[] | undefined;
      if (req.body.mappingId) {
        const saved = firstOr404(
          await db
            .select()
            .from(fieldMappings)
            .where(inOrg(fieldMappings, orgId, req.body.mappingId)),
          "Field mapping",
        );
        columns = saved.columns as ColumnMapping[];
      }
      if (f.rowCount > config.FILES_MAP_MAX_ROWS) {
        throw unprocessable(
          [
            {
              path: "params.id",
              message: `the file has ${f.rowCount} rows; at most ${config.FILES_MAP_MAX_ROWS}`,
            },
          ],
          "The file is too large to map into a model input.",
        );
      }
      const source = await readRows(await store.localPath(f.dataKey), 0, f.rowCount);
      const result = applyMapping(
        table,
        columns!,
        source,
        (f.profile as { name: string }[]).map((c) => c.name),
      );
      return {
        ...target,
        valid: result.problemCount === 0,
        ...result,
      };
    },
  );
}

/** @fastify/multipart's errors, as problems a person can act on. */
function multipartProblem(err: unknown, maxBytes: number): unknown {
  const code = (err as { code?: string }).code;
  if (code === "FST_REQ_FILE_TOO_LARGE") {
    const message = `the file is larger than the ${maxBytes.toLocaleString("en")}-byte limit`;
    return new DomainError("file_too_large", `The upload was refused: ${message}.`, [
      { path: "body.file", message },
    ]);
  }
  if (code === "FST_INVALID_MULTIPART_CONTENT_TYPE")
    return new DomainError("unsupported_media_type", "Send the file as multipart/form-data.");
  if (code === "FST_FILES_LIMIT" || code === "FST_PARTS_LIMIT" || code === "FST_FIELDS_LIMIT")
    return unprocessable([{ path: "body", message: "send exactly one file, in the field `file`" }]);
  return err;
}
