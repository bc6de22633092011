import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  CreateScenarioBody,
  ProjectScenariosParams,
  ScenarioDto,
  ScenarioListQuery,
  ScenarioPage,
  UpdateScenarioBody,
} from "@modelworks/contracts/scenarios";
import { and, asc, count, desc, eq, ilike } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { isUniqueViolation } from "../../db/errors.ts";
import { likeLiteral } from "../../db/like.ts";
import { scenarioRevisions, scenarios } from "../../db/schema.ts";
import { firstOr404, inOrg } from "../../db/scope.ts";
import { deleteInOrgAndAudit } from "../../domain/delete-in-org.ts";
import { DomainError } from "../../errors/domain-error.ts";
import { orgOf } from "../../http/access.ts";
import { actorOf, attributionOf } from "../../http/actor.ts";
import { recordAudit } from "../../http/audit.ts";
import { findModel } from "../../models/find.ts";
import { inputHash } from "../../runs/canonical.ts";
import { validateInput } from "../../runs/service.ts";

import {
  assertProject,
  currentRevisionJoin,
  duplicateName,
  loadCurrent,
  newScenario,
  scenarioDto,
  summaryDto,
} from "../../scenarios/store.ts";

const tags = ["scenarios"];

/**
 * Scenarios: named inputs for one model inside a project. Every change of input (or model
 * version) is a new, immutable revision (./revisions.ts); renames and descriptions are not.
 */
export async function scenarioCrudRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.post(
    "/projects/:projectId/scenarios",
    {
      config: { access: "projects:write" },
      bodyLimit: app.deps.config.RUN_INPUT_LIMIT_BYTES,
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
        app.deps,
        actorOf(req),
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
      bodyLimit: app.deps.config.RUN_INPUT_LIMIT_BYTES,
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
                  createdBy: actorOf(req).userId,
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
}
