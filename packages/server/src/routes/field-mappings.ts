import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  CreateFieldMappingBody,
  FieldMappingDto,
  FieldMappingListQuery,
  FieldMappingPage,
  StandardSchemaDto,
  StandardSchemaName,
  TemplateParams,
  TemplateQuery,
  UpdateFieldMappingBody,
} from "@modelworks/contracts/files";
import { and, asc, count, desc, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { isUniqueViolation } from "../db/errors.ts";
import { fieldMappings } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { deleteInOrgAndAudit } from "../domain/delete-in-org.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { templateCsv } from "../files/mapping.ts";
import { type StandardSchemaName as SchemaName, STANDARD_SCHEMAS, standardTable } from "../files/standard.ts";
import { resolveModelTable, resolveTarget, type TargetRefInput } from "../files/target-ref.ts";
import { orgOf } from "../http/access.ts";
import { actorOf, attributionOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { contentDisposition } from "../http/content-disposition.ts";

const tags = ["files"];
type Row = typeof fieldMappings.$inferSelect;
type Columns = z.infer<typeof FieldMappingDto>["columns"];

function toDto(m: Row) {
  return {
    id: m.id,
    name: m.name,
    modelId: m.modelId,
    schema: m.schema,
    field: m.field,
    columns: m.columns as Columns,
    createdBy: m.createdBy,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

const duplicateName = (name: string) =>
  new DomainError("name_taken", `A field mapping named "${name}" already exists in this organization.`);

/** Every target of a mapping must be a column of the table; checked when it is saved. */
function checkTargets(app: FastifyInstance, ref: TargetRefInput, columns: Columns) {
  const { table, target } = resolveTarget(app, ref);
  const names = new Set(table.columns.map((c) => c.name));
  const errors = columns.flatMap((c, i) =>
    names.has(c.target)
      ? []
      : [
          {
            path: `body.columns.${i}.target`,
            message: `"${c.target}" is not a column of ${target.modelId ?? "schema"} ${target.field}`,
          },
        ],
  );
  if (errors.length) throw unprocessable(errors);
}

/** Saved mappings (reusable per organization) and the CSV template of each model input table. */
export async function fieldMappingRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.get(
    "/models/:id/templates/:field",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "A CSV template for one of a model's input tables (e.g. `deals.csv`)",
        description:
          "The header is the table's columns from the model's schema; `examples=true` adds its example rows.",
        params: TemplateParams,
        querystring: TemplateQuery,
        produces: ["text/csv"],
      },
    },
    async (req, reply) => {
      const field = req.params.field.replace(/\.csv$/, "");
      const { model, table } = resolveModelTable(app, {
        modelId: req.params.id,
        version: req.query.version,
        field,
      });
      const example = req.query.examples === "true" ? model.examples[0]?.input : undefined;
      const rows = field
        .split(".")
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], example);
      const filename = `${model.id}-${table.field}.csv`;
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", contentDisposition(filename))
        .send(templateCsv(table, Array.isArray(rows) ? rows : []));
    },
  );

  r.get(
    "/standard-schemas",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "Named standard schemas files can be mapped onto (besides models' input tables)",
        response: { 200: z.object({ items: z.array(StandardSchemaDto) }) },
      },
    },
    async () => ({
      items: Object.entries(STANDARD_SCHEMAS).map(([name, s]) => ({
        name,
        title: s.title,
        description: s.description,
        columns: standardTable(name as SchemaName).columns,
      })),
    }),
  );

  r.get(
    "/standard-schemas/:name/template.csv",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "A CSV template (the header) of a standard schema",
        params: z.object({ name: StandardSchemaName }).strict(),
        produces: ["text/csv"],
      },
    },
    async (req, reply) =>
      reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", contentDisposition(`${req.params.name}.csv`))
        .send(templateCsv(standardTable(req.params.name))),
  );

  r.post(
    "/field-mappings",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Save a field mapping",
        body: CreateFieldMappingBody,
        response: { 201: FieldMappingDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const { target } = resolveTarget(app, req.body);
      checkTargets(app, req.body, req.body.columns);
      const row = await db
        .transaction(async (tx) => {
          const [created] = await tx
            .insert(fieldMappings)
            .values({
              orgId,
              name: req.body.name,
              modelId: target.modelId,
              schema: target.schema,
              field: target.field,
              columns: req.body.columns,
              createdBy: actorOf(req).userId,
            })
            .returning();
          await recordAudit(tx, req, {
            action: "field_mapping.created",
            orgId,
            targetType: "field_mapping",
            targetId: created!.id,
            metadata: {
              name: created!.name,
              modelId: created!.modelId,
              schema: created!.schema,
              field: created!.field,
            },
          });
          return created!;
        })
        .catch((err) => {
          throw isUniqueViolation(err) ? duplicateName(req.body.name) : err;
        });
      return reply.code(201).header("location", `/api/v1/field-mappings/${row.id}`).send(toDto(row));
    },
  );

  r.get(
    "/field-mappings",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "List saved field mappings",
        querystring: FieldMappingListQuery,
        response: { 200: FieldMappingPage },
      },
    },
    async (req) => {
      const { limit, offset, sort, modelId, schema } = req.query;
      const where = and(
        eq(fieldMappings.orgId, orgOf(req).id),
        modelId ? eq(fieldMappings.modelId, modelId) : undefined,
        schema ? eq(fieldMappings.schema, schema) : undefined,
      );
      const { field, descending } = parseSort<"createdAt" | "name">(sort);
      const column = { createdAt: fieldMappings.createdAt, name: fieldMappings.name }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(fieldMappings)
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(fieldMappings.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(fieldMappings).where(where),
      ]);
      return { items: rows.map(toDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/field-mappings/:id",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "A saved field mapping",
        params: IdParams,
        response: { 200: FieldMappingDto },
      },
    },
    async (req) =>
      toDto(
        firstOr404(
          await db
            .select()
            .from(fieldMappings)
            .where(inOrg(fieldMappings, orgOf(req).id, req.params.id)),
          "Field mapping",
        ),
      ),
  );

  r.patch(
    "/field-mappings/:id",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Rename a field mapping or replace its columns",
        params: IdParams,
        body: UpdateFieldMappingBody,
        response: { 200: FieldMappingDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      return db
        .transaction(async (tx) => {
          const before = firstOr404(
            await tx
              .select()
              .from(fieldMappings)
              .where(inOrg(fieldMappings, orgId, req.params.id))
              .for("update"),
            "Field mapping",
          );
          if (req.body.columns) {
            const ref = before.schema
              ? { schema: before.schema as SchemaName }
              : { modelId: before.modelId!, field: before.field };
            checkTargets(app, ref, req.body.columns);
          }
          const [after] = await tx
            .update(fieldMappings)
            .set({ ...req.body, updatedAt: new Date() })
            .where(eq(fieldMappings.id, before.id))
            .returning();
          await recordAudit(tx, req, {
            action: "field_mapping.updated",
            orgId,
            targetType: "field_mapping",
            targetId: before.id,
            metadata: { changed: Object.keys(req.body) },
          });
          return toDto(after!);
        })
        .catch((err) => {
          throw isUniqueViolation(err) ? duplicateName(req.body.name ?? "") : err;
        });
    },
  );

  r.delete(
    "/field-mappings/:id",
    {
      config: { access: "projects:delete" },
      schema: {
        tags,
        summary: "Delete a saved field mapping",
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
          fieldMappings,
          { orgId, id: req.params.id },
          {
            label: "Field mapping",
            action: "field_mapping.deleted",
            targetType: "field_mapping",
            metadata: (gone) => ({ name: gone.name }),
          },
        ),
      );
      return reply.code(204).send();
    },
  );
}
