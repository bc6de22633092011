import { IdParams } from "@modelworks/contracts/common";
import { ExportQuery } from "@modelworks/contracts/exports";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { runs } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { closeExportPool, EXPORT_DESCRIPTION, exportAndAudit } from "../exports/run-export.ts";
import { orgOf } from "../http/access.ts";
import { attributionOf } from "../http/actor.ts";
import { sendFile } from "../http/send-file.ts";

/** Downloads of a run's results: XLSX, CSV, PDF and Word. */
export async function exportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  app.addHook("onClose", async () => closeExportPool(app.deps));

  r.get(
    "/runs/:id/export",
    {
      config: { access: "runs:read" },
      schema: {
        tags: ["runs"],
        summary: "Download a run's results as XLSX, CSV, PDF or Word",
        description: EXPORT_DESCRIPTION,
        params: IdParams,
        querystring: ExportQuery,
        produces: [
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "text/csv",
          "application/zip",
          "application/pdf",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ],
        response: { 200: z.any().describe("The file, as an attachment") },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const run = firstOr404(
        await db
          .select()
          .from(runs)
          .where(inOrg(runs, orgId, req.params.id)),
        "Run",
      );
      const file = await exportAndAudit(app.deps, attributionOf(req), { orgId, run, ...req.query });
      return sendFile(reply, file);
    },
  );
}
