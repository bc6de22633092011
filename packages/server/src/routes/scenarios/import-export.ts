import { IdParams } from "@modelworks/contracts/common";
import {
  DuplicateScenarioBody,
  ImportScenarioBody,
  ProjectScenariosParams,
  SCENARIO_EXPORT_FORMAT,
  ScenarioDto,
  ScenarioExportDto,
} from "@modelworks/contracts/scenarios";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { isUniqueViolation } from "../../db/errors.ts";
import { orgOf } from "../../http/access.ts";
import { actorOf } from "../../http/actor.ts";
import { recordAudit } from "../../http/audit.ts";
import { contentDisposition } from "../../http/content-disposition.ts";

import {
  duplicateName,
  freeCopyName,
  insertScenario,
  loadCurrent,
  newScenario,
  scenarioDto,
} from "../../scenarios/store.ts";

const tags = ["scenarios"];

/** Copies of scenarios: duplicate in place, export as a file, import into a project. */
export async function scenarioImportExportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

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
          const created = await insertScenario(tx, actorOf(req).userId, {
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
        app.deps,
        actorOf(req),
        req.params.projectId,
        { ...doc, note: `Imported (exported ${doc.exportedAt})` },
        "scenario.imported",
        { exportedAt: doc.exportedAt },
      );
      return reply.code(201).header("location", `/api/v1/scenarios/${s.id}`).send(scenarioDto(s, rev));
    },
  );
}
