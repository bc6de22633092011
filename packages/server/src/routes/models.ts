import { catalog } from "@modelworks/catalog";
import { ModelDto, ModelIdParams, ModelQuery, ModelSummaryDto } from "@modelworks/contracts/runs";
import type { AnyModel } from "@modelworks/model-kit";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { documentsOf } from "../exports/documents.ts";
import { findModel } from "../models/find.ts";

const tags = ["models"];

function summary(m: AnyModel) {
  return {
    id: m.id,
    version: m.version,
    versions: catalog.versions(m.id).map((v) => v.version),
    title: m.title,
    summary: m.summary,
    heavy: m.heavy ?? false,
  };
}

/** The catalog: what can be run, with the JSON Schemas forms and clients are built from. Public. */
export async function modelRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const defaultTimeout = app.deps.config.RUN_TIMEOUT_SECONDS;

  r.get(
    "/models",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "List the models you can run",
        response: { 200: z.object({ items: z.array(ModelSummaryDto) }) },
      },
    },
    async () => ({
      items: catalog.list({ includeInternal: app.deps.config.INTERNAL_MODELS }).map(summary),
    }),
  );

  r.get(
    "/models/:id",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "A model: input and output JSON Schemas, examples, tables and charts",
        params: ModelIdParams,
        querystring: ModelQuery,
        response: { 200: ModelDto },
      },
    },
    async (req) => {
      const m = findModel(app, req.params.id, req.query.version);
      return {
        ...summary(m),
        inputSchema: z.toJSONSchema(m.input, { io: "input", unrepresentable: "any" }) as Record<
          string,
          unknown
        >,
        outputSchema: z.toJSONSchema(m.output, { io: "output", unrepresentable: "any" }) as Record<
          string,
          unknown
        >,
        examples: m.examples,
        tables: m.tables ?? [],
        charts: m.charts ?? [],
        kpis: m.kpis ?? [],
        documents: documentsOf(m),
        layout: m.layout ?? null,
        view: m.view ?? "generic",
        outcome: m.outcome ?? null,
        timeoutSeconds: (m.timeoutMs ?? defaultTimeout * 1000) / 1000,
        formats: Object.entries(m.formats ?? {}).map(([name, f]) => ({ name, title: f.title })),
      };
    },
  );
}
