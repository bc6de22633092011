import { catalog } from "@modelworks/catalog";
import { CompareBody, ComparisonDto } from "@modelworks/contracts/compare";
import { and, eq, inArray } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { runs } from "../db/schema.ts";
import { notFound } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { compareRuns } from "../runs/compare.ts";

/** Side-by-side comparison of runs of one model: input differences and output deltas. */
export async function compareRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.post(
    "/compare",
    {
      config: { access: "runs:read" },
      schema: {
        tags: ["runs"],
        summary: "Compare runs of one model",
        description:
          "Takes 2–20 succeeded runs of one model (the first is the baseline) and returns the input fields " +
          "that differ, every numeric output field and every declared table (rows aligned by index) with " +
          "absolute and relative deltas against the baseline. 404 if a run is not found in your organization, " +
          "422 if the runs are of different models, 409 if one has not succeeded. Runs of different versions " +
          "of the model are compared but flagged (`mixedVersions`).",
        body: CompareBody,
        response: { 200: ComparisonDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const ids = req.body.runIds.map((id) => id.toLowerCase());
      const rows = await db
        .select({
          id: runs.id,
          modelId: runs.modelId,
          modelVersion: runs.modelVersion,
          status: runs.status,
          input: runs.input,
          output: runs.output,
        })
        .from(runs)
        .where(and(eq(runs.orgId, orgId), inArray(runs.id, ids)));
      const byId = new Map(rows.map((row) => [row.id, row]));
      // Another organization's run is reported exactly like a missing one.
      const missing = ids.find((id) => !byId.has(id));
      if (missing) throw notFound(`Run ${missing}`);
      const ordered = ids.map((id) => byId.get(id)!);
      const baseline = ordered[0]!;
      const model = catalog.find(baseline.modelId, baseline.modelVersion) ?? catalog.find(baseline.modelId);
      return compareRuns({ tables: model?.tables }, ordered);
    },
  );
}
