import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  CreateScenarioBody,
  DiffQuery,
  DuplicateScenarioBody,
  ImportScenarioBody,
  ProjectScenariosParams,
  RevisionListQuery,
  RevisionPage,
  RevisionParams,
  SCENARIO_EXPORT_FORMAT,
  ScenarioDiffDto,
  ScenarioDto,
  ScenarioExportDto,
  ScenarioListQuery,
  ScenarioPage,
  ScenarioRevisionDto,
  UpdateScenarioBody,
} from "@modelworks/contracts/scenarios";
import { and, asc, count, desc, eq, ilike, inArray } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { likeLiteral } from "../db/like.ts";
import { projects, scenarioRevisions, scenarios } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { deleteInOrgAndAudit } from "../domain/delete-in-org.ts";
import { DomainError, notFound } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf, attributionOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { contentDisposition } from "../http/content-disposition.ts";
import { findModel } from "../models/find.ts";
import { inputHash } from "../runs/canonical.ts";
import { diffJson } from "../runs/json-diff.ts";
import { validateInput } from "../runs/service.ts";

const tags = ["scenarios"];
const NAME_MAX = 120;
type ScenarioRow = typeof scenarios.$inferSelect;
type RevisionRow = typeof scenarioRevisions.$inferSelect;

function summaryDto(s: ScenarioRow, rev: RevisionRow) {
  return {
    id: s.id,
    projectId: s.projectId,
    modelId: s.modelId,
    name: s.name,
    description: s.description,
    revision: rev.revision,
    modelVersion: rev.modelVersion,
    inputHash: rev.inputHash,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
const scenarioDto = (s: ScenarioRow, rev: RevisionRow) => ({ ...summaryDto(s, rev), input: rev.input });

function revisionSummaryDto(r: RevisionRow) {
  return {
    scenarioId: r.scenarioId,
    revision: r.revision,
    modelVersion: r.modelVersion,
    inputHash: r.inputHash,
    note: r.note,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}

const duplicateName = (name: string) =>
  new DomainError("name_taken", `A scenario named "${name}" already exists in this project.`);
const creatorOf = (req: FastifyRequest) => actorOf(req).userId;
const currentRevisionJoin = and(
  eq(scenarioRevisions.scenarioId, scenarios.id),
  eq(scenarioRevisions.revision, scenarios.currentRevision),
);

/** A scenario of the organization with its current revision, or 404. */
async function loadCurrent(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select({ s: scenarios, rev: scenarioRevisions })
    .from(scenarios)
    .innerJoin(scenarioRevisions, currentRevisionJoin)
    .where(inOrg(scenarios, orgId, id));
  if (!row) throw notFound("Scenario");
  return row;
}

async function assertProject(db: Db, orgId: string, projectId: string) {
  firstOr404(
    await db
      .select({ id: projects.id })
      .from(projects)
      .where(inOrg(projects, orgId, projectId)),
    "Project",
  );
}

interface NewScenario {
  orgId: string;
  projectId: string;
  modelId: string;
  name: string;
  description: string;
  modelVersion: string;
  /** Already validated against the model version. */
  input: unknown;
  inputHash: string;
  note: string;
}

/** Inserts a scenario and its revision 1. */
async function insertScenario(tx: Db, req: FastifyRequest, n: NewScenario) {
  const createdBy = creatorOf(req);
  const [s] = await tx
    .insert(scenarios)
    .values({
      orgId: n.orgId,
      projectId: n.projectId,
      modelId: n.modelId,
      name: n.name,
      description: n.description,
      currentRevision: 1,
      createdBy,
    })
    .returning();
  const [rev] = await tx
    .insert(scenarioRevisions)
    .values({
      orgId: n.orgId,
      scenarioId: s!.id,
      revision: 1,
      modelVersion: n.modelVersion,
      input: n.input,
      inputHash: n.inputHash,
      note: n.note,
      createdBy,
    })
    .returning();
  return { s: s!, rev: rev! };
}

/** "<name> (copy)", then "<name> (copy 2)", …: the first not taken in the project (case-insensitively). */
async function freeCopyName(db: Db, projectId: string, name: string): Promise<string> {
  const candidate = (n: number) => {
    const suffix = n === 1 ? " (copy)" : ` (copy ${n})`;
    return `${name.slice(0, NAME_MAX - suffix.length).trimEnd()}${suffix}`;
  };
  const stem = name.slice(0, NAME_MAX - " (copy 1000)".length).trimEnd();
  const taken = new Set(
    (
      await db
        .select({ name: scenarios.name })
        .from(scenarios)
        .where(and(eq(scenarios.projectId, projectId), ilike(scenarios.name, `${likeLiteral(stem)}%`)))
    ).map((r) => r.name.toLowerCase()),
  );
  for (let n = 1; ; n++) {
    if (!taken.has(candidate(n).toLowerCase())) return candidate(n);
  }
}

/**
 * Scenarios: named inputs for one model inside a project. Every change of input (or model
 * version) is a new, immutable revision, so history can be listed, read back and diffed; runs
 * record the revision they ran. Renames and descriptions are not revisions.
 */
export async function scenarioRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  /** Create and import: validate against the model, then revision 1 and its audit entry in one transaction. */
  async function newScenario(
    req: FastifyRequest,
    projectId: string,
    f: {
      modelId: string;
      modelVersion?: string | undefined;
      name: string;
      description: string;
      input: unknown;
      note: string;
    },
    action: "scenario.created" | "scenario.imported",
    extra: Record<string, unknown> = {},
  ) {
    const orgId = orgOf(req).id;
    await assertProject(db, orgId, projectId);
    const model = findModel(app, f.modelId, f.modelVersion);
    const input = validateInput(model, f.input, "body.input");
    return db
      .transaction(async (tx) => {
        const created = await insertScenario(tx, req, {
          orgId,
          projectId,
          modelId: model.id,
          name: f.name,
          description: f.description,
          modelVersion: model.version,
          input,
          inputHash: inputHash(input),
          note: f.note,
        });
        await recordAudit(tx, req, {
          action,
          orgId,
          targetType: "scenario",
          targetId: created.s.id,
          metadata: { name: f.name, projectId, modelId: model.id, modelVersion: model.version, ...extra },
        });
        return created;
      })
      .catch((err) => {
        throw isUniqueViolation(err) ? duplicateName(f.name) : err;
      });
  }

  r.post(
    "/projects/:projectId/scenarios",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Create a scenario (its revision 1)",
        description:
          "Validates the input against the model (422 names each bad field under `body.input`) and stores it, " +
          "defaults filled in, as revision 1. Names are unique per project, case-insensitively (409).",
        params: ProjectScenariosParams,
        body: CreateScenarioBody,
        response: { 201: ScenarioDto },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { s, rev } = await newScenario(
        req,
        req.params.projectId,
        { ...b, note: b.note },
        "scenario.created",
      );
      return reply.code(201).header("location", `/api/v1/scenarios/${s.id}`).send(scenarioDto(s, rev));
    },
  );

  r.get(
    "/projects/:projectId/scenarios",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "List a project's scenarios (without inputs)",
        params: ProjectScenariosParams,
        querystring: ScenarioListQuery,
        response: { 200: ScenarioPage },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      await assertProject(db, orgId, req.params.projectId);
      const { limit, offset, sort, modelId, q } = req.query;
      const where = and(
        eq(scenarios.orgId, orgId),
        eq(scenarios.projectId, req.params.projectId),
        modelId ? eq(scenarios.modelId, modelId) : undefined,
        q ? ilike(scenarios.name, `%${likeLiteral(q)}%`) : undefined,
      );
      const { field, descending } = parseSort<"updatedAt" | "name" | "createdAt">(sort);
      const column = {
        updatedAt: scenarios.updatedAt,
        name: scenarios.name,
        createdAt: scenarios.createdAt,
      }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select({ s: scenarios, rev: scenarioRevisions })
          .from(scenarios)
          .innerJoin(scenarioRevisions, currentRevisionJoin)
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(scenarios.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(scenarios).where(where),
      ]);
      return { items: rows.map((x) => summaryDto(x.s, x.rev)), total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/scenarios/:id",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "A scenario with its current revision's input",
        params: IdParams,
        response: { 200: ScenarioDto },
      },
    },
    async (req) => {
      const { s, rev } = await loadCurrent(db, orgOf(req).id, req.params.id);
      return scenarioDto(s, rev);
    },
  );

  r.patch(
    "/scenarios/:id",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Edit a scenario: a new input or model version is saved as the next revision",
        description:
          "`input` and/or `modelVersion` make revision N+1 after validation (422 under `body.input`, or " +
          "`scenario.input` when only the version changes and the current input no longer fits it); an input " +
          "identical to the current one (same canonical hash and version) makes none. Without `modelVersion` the " +
          "input is validated against the current revision's version. `name` and `description` are not " +
          "revisioned. Send `baseRevision` (the revision you loaded) to get 409 instead of overwriting a newer save.",
        params: IdParams,
        body: UpdateScenarioBody,
        response: { 200: ScenarioDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const b = req.body;
      return db
        .transaction(async (tx) => {
          const s = firstOr404(
            await tx
              .select()
              .from(scenarios)
              .where(inOrg(scenarios, orgId, req.params.id))
              .for("update"),
            "Scenario",
          );
          if (b.baseRevision !== undefined && b.baseRevision !== s.currentRevision) {
            throw new DomainError(
              "revision_conflict",
              `The scenario is at revision ${s.currentRevision}, not ${b.baseRevision}: it was saved since you ` +
                "loaded it. Reload it and apply your changes again.",
            );
          }
          let [rev] = await tx
            .select()
            .from(scenarioRevisions)
            .where(
              and(eq(scenarioRevisions.scenarioId, s.id), eq(scenarioRevisions.revision, s.currentRevision)),
            );
          let revised = false;
          if (b.input !== undefined || b.modelVersion !== undefined) {
            const model = findModel(app, s.modelId, b.modelVersion ?? rev!.modelVersion);
            const input =
              b.input !== undefined
                ? validateInput(model, b.input, "body.input")
                : validateInput(model, rev!.input, "scenario.input");
            const hash = inputHash(input);
            if (hash !== rev!.inputHash || model.version !== rev!.modelVersion) {
              [rev] = await tx
                .insert(scenarioRevisions)
                .values({
                  orgId,
                  scenarioId: s.id,
                  revision: s.currentRevision + 1,
                  modelVersion: model.version,
                  input,
                  inputHash: hash,
                  note: b.note ?? "",
                  createdBy: creatorOf(req),
                })
                .returning();
              revised = true;
            }
          }
          const renamed: { name?: string; description?: string } = {};
          if (b.name !== undefined && b.name !== s.name) renamed.name = b.name;
          if (b.description !== undefined && b.description !== s.description)
            renamed.description = b.description;
          const keys = Object.keys(renamed) as (keyof typeof renamed)[];
          if (!revised && keys.length === 0) return scenarioDto(s, rev!); // nothing to save
          const [after] = await tx
            .update(scenarios)
            .set({ ...renamed, currentRevision: rev!.revision, updatedAt: new Date() })
            .where(eq(scenarios.id, s.id))
            .returning();
          await recordAudit(tx, req, {
            action: "scenario.updated",
            orgId,
            targetType: "scenario",
            targetId: s.id,
            metadata: {
              before: Object.fromEntries(keys.map((k) => [k, s[k]])),
              after: renamed,
              ...(revised
                ? {
                    revision: { from: s.currentRevision, to: rev!.revision },
                    modelVersion: rev!.modelVersion,
                    inputHash: rev!.inputHash,
                  }
                : {}),
            },
          });
          return scenarioDto(after!, rev!);
        })
        .catch((err) => {
          throw isUniqueViolation(err) ? duplicateName(b.name ?? "") : err;
        });
    },
  );

  r.delete(
    "/scenarios/:id",
    {
      config: { access: "projects:delete" },
      schema: {
        tags,
        summary: "Delete a scenario and its history (runs made from it keep their records)",
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
          scenarios,
          { orgId, id: req.params.id },
          {
            label: "Scenario",
            action: "scenario.deleted",
            targetType: "scenario",
            metadata: (gone) => ({
              name: gone.name,
              projectId: gone.projectId,
              modelId: gone.modelId,
              revisions: gone.currentRevision,
            }),
          },
        ),
      );
      return reply.code(204).send();
    },
  );

  r.get(
    "/scenarios/:id/revisions",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "A scenario's revisions, newest first (without inputs: read one revision for its input)",
        params: IdParams,
        querystring: RevisionListQuery,
        response: { 200: RevisionPage },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const s = firstOr404(
        await db
          .select({ id: scenarios.id })
          .from(scenarios)
          .where(inOrg(scenarios, orgId, req.params.id)),
        "Scenario",
      );
      const { limit, offset, sort } = req.query;
      const where = and(eq(scenarioRevisions.orgId, orgId), eq(scenarioRevisions.scenarioId, s.id));
      const order = parseSort<"revision">(sort).descending
        ? desc(scenarioRevisions.revision)
        : asc(scenarioRevisions.revision);
      const [rows, [total]] = await Promise.all([
        db.select().from(scenarioRevisions).where(where).orderBy(order).limit(limit).offset(offset),
        db.select({ n: count() }).from(scenarioRevisions).where(where),
      ]);
      return { items: rows.map(revisionSummaryDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/scenarios/:id/revisions/:revision",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "One revision of a scenario, with its input",
        params: RevisionParams,
        response: { 200: ScenarioRevisionDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const [row] = await db
        .select({ rev: scenarioRevisions })
        .from(scenarios)
        .leftJoin(
          scenarioRevisions,
          and(
            eq(scenarioRevisions.scenarioId, scenarios.id),
            eq(scenarioRevisions.revision, req.params.revision),
          ),
        )
        .where(inOrg(scenarios, orgId, req.params.id));
      if (!row) throw notFound("Scenario");
      if (!row.rev) throw notFound(`Scenario revision ${req.params.revision}`);
      return { ...revisionSummaryDto(row.rev), input: row.rev.input };
    },
  );

  r.get(
    "/scenarios/:id/diff",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: "What changed in the input between two revisions",
        description:
          "A structural diff of the two inputs: objects key by key, arrays position by position. Each change " +
          "has a dotted `path` (`terms.0.sd`), its `kind`, and `before` / `after` (absent when added / removed).",
        params: IdParams,
        querystring: DiffQuery,
        response: { 200: ScenarioDiffDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const { from, to } = req.query;
      const s = firstOr404(
        await db
          .select({ id: scenarios.id })
          .from(scenarios)
          .where(inOrg(scenarios, orgId, req.params.id)),
        "Scenario",
      );
      const revs = await db
        .select()
        .from(scenarioRevisions)
        .where(and(eq(scenarioRevisions.scenarioId, s.id), inArray(scenarioRevisions.revision, [from, to])));
      const pick = (n: number) => {
        const rev = revs.find((x) => x.revision === n);
        if (!rev) throw notFound(`Scenario revision ${n}`);
        return rev;
      };
      const a = pick(from);
      const b = pick(to);
      return {
        from,
        to,
        modelVersion: { from: a.modelVersion, to: b.modelVersion },
        changes: diffJson(a.input, b.input),
      };
    },
  );

  r.post(
    "/scenarios/:id/duplicate",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Copy a scenario's current input into a new scenario in the same project",
        params: IdParams,
        body: DuplicateScenarioBody,
        response: { 201: ScenarioDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      let name = req.body.name ?? "";
      const { s, rev } = await db
        .transaction(async (tx) => {
          const source = await loadCurrent(tx, orgId, req.params.id);
          name = req.body.name ?? (await freeCopyName(tx, source.s.projectId, source.s.name));
          const created = await insertScenario(tx, req, {
            orgId,
            projectId: source.s.projectId,
            modelId: source.s.modelId,
            name,
            description: source.s.description,
            modelVersion: source.rev.modelVersion,
            input: source.rev.input,
            inputHash: source.rev.inputHash,
            note: `Duplicated from "${source.s.name}" revision ${source.rev.revision}`,
          });
          await recordAudit(tx, req, {
            action: "scenario.duplicated",
            orgId,
            targetType: "scenario",
            targetId: created.s.id,
            metadata: { name, sourceId: source.s.id, sourceRevision: source.rev.revision },
          });
          return created;
        })
        .catch((err) => {
          throw isUniqueViolation(err) ? duplicateName(name) : err;
        });
      return reply.code(201).header("location", `/api/v1/scenarios/${s.id}`).send(scenarioDto(s, rev));
    },
  );

  r.get(
    "/scenarios/:id/export",
    {
      config: { access: "projects:read" },
      schema: {
        tags,
        summary: `Download a scenario's current input as a "${SCENARIO_EXPORT_FORMAT}" document`,
        params: IdParams,
        response: { 200: ScenarioExportDto },
      },
    },
    async (req, reply) => {
      const { s, rev } = await loadCurrent(db, orgOf(req).id, req.params.id);
      reply.header(
        "content-disposition",
        contentDisposition(s.name, {
          extension: ".scenario.json",
          fallback: "scenario",
          maxLength: 100,
          exactName: true,
        }),
      );
      return {
        format: SCENARIO_EXPORT_FORMAT,
        modelId: s.modelId,
        modelVersion: rev.modelVersion,
        name: s.name,
        description: s.description,
        input: rev.input,
        exportedAt: new Date().toISOString(),
      };
    },
  );

  r.post(
    "/projects/:projectId/scenarios/import",
    {
      config: { access: "projects:write" },
      schema: {
        tags,
        summary: "Create a scenario from an exported document",
        description:
          "Takes exactly what `GET /scenarios/{id}/export` returns. The input is validated against the named " +
          "model version as on create (422 under `body.input`; 404 if that version is not hosted).",
        params: ProjectScenariosParams,
        body: ImportScenarioBody,
        response: { 201: ScenarioDto },
      },
    },
    async (req, reply) => {
      const doc = req.body;
      const { s, rev } = await newScenario(
        req,
        req.params.projectId,
        { ...doc, note: `Imported (exported ${doc.exportedAt})` },
        "scenario.imported",
        { exportedAt: doc.exportedAt },
      );
      return reply.code(201).header("location", `/api/v1/scenarios/${s.id}`).send(scenarioDto(s, rev));
    },
  );
}
