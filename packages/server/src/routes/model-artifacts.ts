import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  ApproveModelArtifactBody,
  ArtifactSqlQuery,
  CreateModelArtifactBody,
  CreateScoringRunBody,
  ModelArtifactDto,
  ModelArtifactListQuery,
  ModelArtifactPage,
} from "@modelworks/contracts/model-artifacts";
import { RunDto } from "@modelworks/contracts/runs";
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import { modelArtifacts } from "../db/schema.ts";
import { runDto } from "../dto/runs.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { contentDisposition } from "../http/content-disposition.ts";
import { createScoringRun } from "../model-artifacts/scoring.ts";
import {
  type ArtifactRow,
  approveArtifact,
  artifactJson,
  artifactSql,
  createArtifactFromRun,
  loadArtifact,
  retireArtifact,
} from "../model-artifacts/service.ts";
import { wakeWorkers } from "../runs/service.ts";
import { withRunBudget } from "../runs/with-budget.ts";

const tags = ["model-artifacts"];
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toDto(r: ArtifactRow): z.infer<typeof ModelArtifactDto> {
  const a = artifactJson(r);
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    state: r.state,
    modelId: r.modelId,
    modelVersion: r.modelVersion,
    sourceRunId: r.sourceRunId,
    dataFingerprint: r.dataFingerprint,
    trainedRows: a.trainedRows,
    target: a.target,
    idField: a.idField,
    metrics: a.metrics,
    gateOverrideReason: r.gateOverrideReason,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    approvedBy: r.approvedBy,
    approvedAt: iso(r.approvedAt),
    retiredBy: r.retiredBy,
    retiredAt: iso(r.retiredAt),
  };
}

const fileStem = (r: ArtifactRow) => `${r.name.replace(/[^A-Za-z0-9._-]+/g, "-")}-v${r.version}`;

/** Fitted models as artifacts: create from a fit, list, read, approve, retire, download, SQL. */
export async function modelArtifactRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.post(
    "/model-artifacts",
    {
      config: { access: "runs:execute" },
      schema: {
        tags,
        summary: "Make a draft model artifact from a succeeded response-model fit run",
        description:
          "The run's scoring artifact (preparation, coefficients, cut-offs, scorecard, metrics) is copied and never changes; " +
          "each artifact of a name gets the next version.",
        body: CreateModelArtifactBody,
        response: { 201: ModelArtifactDto },
      },
    },
    async (req, reply) => {
      const row = await createArtifactFromRun(db, actorOf(req), req.body);
      return reply.code(201).header("location", `/api/v1/model-artifacts/${row.id}`).send(toDto(row));
    },
  );

  r.get(
    "/model-artifacts",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "List the organization's model artifacts",
        querystring: ModelArtifactListQuery,
        response: { 200: ModelArtifactPage },
      },
    },
    async (req) => {
      const { limit, offset, sort, name, state } = req.query;
      const where = and(
        eq(modelArtifacts.orgId, orgOf(req).id),
        name ? sql`lower(${modelArtifacts.name}) = ${name.toLowerCase()}` : undefined,
        state ? eq(modelArtifacts.state, state) : undefined,
      );
      const { field, descending } = parseSort<"createdAt" | "name">(sort);
      const column = { createdAt: modelArtifacts.createdAt, name: modelArtifacts.name }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(modelArtifacts)
          .where(where)
          .orderBy(
            descending ? desc(column) : asc(column),
            desc(modelArtifacts.version),
            asc(modelArtifacts.id),
          )
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(modelArtifacts).where(where),
      ]);
      return { items: rows.map(toDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/model-artifacts/:id",
    {
      config: { access: "runs:read" },
      schema: { tags, summary: "A model artifact", params: IdParams, response: { 200: ModelArtifactDto } },
    },
    async (req) => toDto(await loadArtifact(db, orgOf(req).id, req.params.id)),
  );

  r.post(
    "/model-artifacts/:id/approve",
    {
      config: { access: "models:approve" },
      schema: {
        tags,
        summary:
          "Approve a draft (an admin): refused when the deployment gate failed, unless overridden with a reason",
        params: IdParams,
        body: ApproveModelArtifactBody,
        response: { 200: ModelArtifactDto },
      },
    },
    async (req) => toDto(await approveArtifact(db, actorOf(req), req.params.id, req.body.overrideReason)),
  );

  r.post(
    "/model-artifacts/:id/retire",
    {
      config: { access: "models:approve" },
      schema: {
        tags,
        summary: "Retire a model artifact: it no longer scores, and stays for the record",
        params: IdParams,
        response: { 200: ModelArtifactDto },
      },
    },
    async (req) => toDto(await retireArtifact(db, actorOf(req), req.params.id)),
  );

  r.get(
    "/model-artifacts/:id/download",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "The artifact as JSON: the file `modelworks score model.json --data new.csv` reads",
        params: IdParams,
        produces: ["application/json"],
      },
    },
    async (req, reply) => {
      const row = await loadArtifact(db, orgOf(req).id, req.params.id);
      return reply
        .type("application/json; charset=utf-8")
        .header("content-disposition", contentDisposition(`${fileStem(row)}.json`))
        .send(JSON.stringify(artifactJson(row)));
    },
  );

  r.get(
    "/model-artifacts/:id/sql",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "The artifact as one SELECT for PostgreSQL, DuckDB, Snowflake or BigQuery",
        description:
          "CASE expressions apply the stored preparation to the raw table's columns; the result has the ID field, " +
          "`log_odds`, `probability` and `points` (the prototype scorecard). The data processor scores in its own warehouse.",
        params: IdParams,
        querystring: ArtifactSqlQuery,
        produces: ["application/sql"],
      },
    },
    async (req, reply) => {
      const row = await loadArtifact(db, orgOf(req).id, req.params.id);
      return reply
        .type("application/sql; charset=utf-8")
        .header("content-disposition", contentDisposition(`${fileStem(row)}-${req.query.dialect}.sql`))
        .send(artifactSql(row, req.query.dialect, req.query.table.split(".")));
    },
  );

  r.post(
    "/model-artifacts/:id/scoring-runs",
    {
      config: { access: "runs:execute" },
      schema: {
        tags,
        summary: "Score a stored file with the artifact: a run that writes a scored CSV as a stored file",
        description:
          "The artifact must be approved (or a draft with `allowDraft: true`). The run streams the file, scores it " +
          "with the artifact's preparation and coefficients, and stores customer_id, probability, points, decile and " +
          "tier as a new file (`output.scoredFileId`); unseen levels are counted per field. Follow it as any run.",
        params: IdParams,
        body: CreateScoringRunBody,
        response: { 202: RunDto },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      // Scoring a file is charged as a heavy run: it reads and writes whole files.
      const run = await withRunBudget(app.deps, actor, req.log, { heavy: true }, 1, () =>
        createScoringRun(db, actor, app.deps.config, req.params.id, req.body),
      );
      await wakeWorkers(app.deps);
      return reply
        .code(202)
        .header("location", `/api/v1/runs/${run.id}`)
        .send(runDto(run) as never);
    },
  );
}
