import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  CreateProjectBody,
  ProjectDto,
  ProjectListQuery,
  ProjectPage,
  UpdateProjectBody,
} from "@modelworks/contracts/projects";
import { and, asc, count, desc, eq, ilike, sql } from "drizzle-orm";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { likeLiteral } from "../db/like.ts";
import { projects } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { deleteInOrgAndAudit } from "../domain/delete-in-org.ts";
import { DomainError } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf, attributionOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import type { ReadCache } from "../http/read-cache.ts";
import { compiledResponse } from "../http/serializer.ts";

const tags = ["projects"];
type ProjectRow = typeof projects.$inferSelect;

function toDto(p: ProjectRow) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    status: p.status,
    createdBy: p.createdBy,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    archivedAt: p.archivedAt?.toISOString() ?? null,
  };
}

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Encodes a 200 answer with the route's own serializer, keeps the bytes in the read cache (unless
 * the organization was written to since `generation`) and sends them: a hit sends the same bytes.
 */
function sendCached(
  reply: FastifyReply,
  cache: ReadCache,
  orgId: string,
  key: string,
  generation: number,
  dto: unknown,
) {
  const body = Buffer.from(reply.serialize(dto) as string);
  cache.set(orgId, key, generation, body);
  return sendBytes(reply, body);
}

/** Bytes already encoded by the route's serializer: Fastify sends them as they are. */
function sendBytes(reply: FastifyReply, body: Buffer) {
  return reply.type(JSON_TYPE).send(body);
}

const duplicateName = (name: string) =>
  new DomainError("name_taken", `A project named "${name}" already exists in this organization.`);

/** Projects: the first org-scoped resource, and the pattern later ones follow. */
export async function projectRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const { readCache } = app.deps;

  r.post(
    "/projects",
    {
      config: { access: "projects:write" },
      schema: { tags, summary: "Create a project", body: CreateProjectBody, response: { 201: ProjectDto } },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const _p = req.principal!;
      const row = await db
        .transaction(async (tx) => {
          const [created] = await tx
            .insert(projects)
            .values({ orgId, ...req.body, createdBy: actorOf(req).userId })
            .returning();
          await recordAudit(tx, req, {
            action: "project.created",
            orgId,
            targetType: "project",
            targetId: created!.id,
            metadata: { name: created!.name },
          });
          return created!;
        })
        .catch((err) => {
          throw isUniqueViolation(err) ? duplicateName(req.body.name) : err;
        });
      await readCache.changed(orgId);
      return reply.code(201).header("location", `/api/v1/projects/${row.id}`).send(toDto(row));
    },
  );

  r.get(
    "/projects",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "List projects",
        querystring: ProjectListQuery,
        // The hot list: compiled serializer (every field comes from typed columns via toDto).
        response: { 200: compiledResponse(ProjectPage) },
      },
    },
    async (req, reply) => {
      const { limit, offset, sort, status, q } = req.query;
      const orgId = orgOf(req).id;
      // Answered from memory while no write to this organization's projects came in between
      // (src/http/read-cache.ts, decision 0053); the access check above ran as always.
      const key = `projects|${limit}|${offset}|${sort}|${status ?? ""}|${q ?? ""}`;
      const cached = readCache.get(orgId, key);
      if (cached) return sendBytes(reply, cached);
      const generation = readCache.generation(orgId);
      const pattern = q ? `%${likeLiteral(q)}%` : undefined;
      const rows = await listStatement(db, sort, status !== undefined, pattern !== undefined).execute({
        orgId,
        status,
        pattern,
        limit,
        offset,
      });
      // A page past the end has no row to carry the total: count separately (rare).
      const total =
        rows[0]?.total ??
        (offset > 0
          ? ((
              await db
                .select({ n: count() })
                .from(projects)
                .where(listWhere(orgId, status, pattern))
            )[0]?.n ?? 0)
          : 0);
      return sendCached(reply, readCache, orgId, key, generation, {
        items: rows.map((r) => toDto(r.project)),
        total,
        limit,
        offset,
      });
    },
  );

  r.get(
    "/projects/:id",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "Get a project",
        params: IdParams,
        response: { 200: compiledResponse(ProjectDto) },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const key = `project|${req.params.id}`;
      const cached = readCache.get(orgId, key);
      if (cached) return sendBytes(reply, cached);
      const generation = readCache.generation(orgId);
      const row = firstOr404(
        await db
          .select()
          .from(projects)
          .where(inOrg(projects, orgId, req.params.id)),
        "Project",
      );
      return sendCached(reply, readCache, orgId, key, generation, toDto(row));
    },
  );

  r.patch(
    "/projects/:id",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Rename, describe, archive (status=archived) or restore (status=active) a project",
        params: IdParams,
        body: UpdateProjectBody,
        response: { 200: ProjectDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const changes = req.body;
      const updated = await db
        .transaction(async (tx) => {
          const before = firstOr404(
            await tx
              .select()
              .from(projects)
              .where(inOrg(projects, orgId, req.params.id))
              .for("update"),
            "Project",
          );
          const archiving = changes.status && changes.status !== before.status;
          const [after] = await tx
            .update(projects)
            .set({
              ...changes,
              updatedAt: new Date(),
              ...(archiving ? { archivedAt: changes.status === "archived" ? new Date() : null } : {}),
            })
            .where(eq(projects.id, before.id))
            .returning();
          await recordAudit(tx, req, {
            action: archiving
              ? changes.status === "archived"
                ? "project.archived"
                : "project.restored"
              : "project.updated",
            orgId,
            targetType: "project",
            targetId: before.id,
            metadata: {
              before: Object.fromEntries(
                Object.keys(changes).map((k) => [k, before[k as keyof typeof changes]]),
              ),
              after: changes,
            },
          });
          return toDto(after!);
        })
        .catch((err) => {
          throw isUniqueViolation(err) ? duplicateName(changes.name ?? "") : err;
        });
      await readCache.changed(orgId);
      return updated;
    },
  );

  r.delete(
    "/projects/:id",
    {
      config: { access: "projects:delete" },
      schema: {
        tags,
        summary: "Delete a project and everything in it",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await db.transaction((tx) =>
        deleteInOrgAndAudit(
          tx,
          attributionOf(req),
          projects,
          { orgId, id: req.params.id },
          {
            label: "Project",
            action: "project.deleted",
            targetType: "project",
            metadata: (gone) => ({ name: gone.name }),
          },
        ),
      );
      await readCache.changed(orgId);
      return reply.code(204).send();
    },
  );
}

function listWhere(orgId: unknown, status: unknown, pattern: unknown) {
  return and(
    eq(projects.orgId, orgId as string),
    status !== undefined ? eq(projects.status, status as ProjectRow["status"]) : undefined,
    pattern !== undefined ? ilike(projects.name, pattern as string) : undefined,
  );
}

/**
 * The list's statement, built once per shape (sort, and whether it filters by status or name) with
 * placeholders for the values: Drizzle rebuilt the same SQL text on every request (~10 % of a
 * read's CPU, issue 20 goal 2). The page and the total come in one statement (a window count): one
 * round trip, not two. `prepare("")`: PostgreSQL's unnamed statement, parsed per execution as
 * before — a named one would outlive a migration that changes the table on a running instance.
 */
const listStatements = new WeakMap<Db, Map<string, ReturnType<typeof buildListStatement>>>();

function listStatement(db: Db, sort: string, byStatus: boolean, byName: boolean) {
  let forDb = listStatements.get(db);
  if (!forDb) {
    forDb = new Map();
    listStatements.set(db, forDb);
  }
  const shape = `${sort}|${byStatus}|${byName}`;
  let statement = forDb.get(shape);
  if (!statement) {
    statement = buildListStatement(db, sort, byStatus, byName);
    forDb.set(shape, statement);
  }
  return statement;
}

function buildListStatement(db: Db, sort: string, byStatus: boolean, byName: boolean) {
  const { field, descending } = parseSort<"createdAt" | "name" | "updatedAt">(sort);
  const column = { createdAt: projects.createdAt, name: projects.name, updatedAt: projects.updatedAt }[field];
  if (!column) throw new Error(`unknown sort ${sort}`);
  return db
    .select({ project: projects, total: sql<number>`cast(count(*) over () as integer)` })
    .from(projects)
    .where(
      listWhere(
        sql.placeholder("orgId"),
        byStatus ? sql.placeholder("status") : undefined,
        byName ? sql.placeholder("pattern") : undefined,
      ),
    )
    .orderBy(descending ? desc(column) : asc(column), asc(projects.id))
    .limit(sql.placeholder("limit"))
    .offset(sql.placeholder("offset"))
    .prepare("");
}
