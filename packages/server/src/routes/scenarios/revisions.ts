import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  DiffQuery,
  RevisionListQuery,
  RevisionPage,
  RevisionParams,
  ScenarioDiffDto,
  ScenarioRevisionDto,
} from "@modelworks/contracts/scenarios";
import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { scenarioRevisions, scenarios } from "../../db/schema.ts";
import { firstOr404, inOrg } from "../../db/scope.ts";
import { notFound } from "../../errors/domain-error.ts";
import { orgOf } from "../../http/access.ts";
import { diffJson } from "../../runs/json-diff.ts";

import { revisionSummaryDto } from "../../scenarios/store.ts";

const tags = ["scenarios"];

/** A scenario's history: its revisions, one revision, and the diff of two. */
export async function scenarioRevisionRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

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
}
