import { ReferenceDataList } from "@modelworks/contracts/reference-data";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

/**
 * The reference datasets engines read (AMI rent limits, tax rates) and the edition a run started
 * now would use. Public, like the model catalog: the tables are published data, and the answer
 * names no upstream URL (fallback reasons carry status codes and field paths only).
 */
export async function referenceDataRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/reference-data",
    {
      config: { access: "public" },
      schema: {
        tags: ["models"],
        summary: "List reference datasets and the edition runs currently use",
        description:
          "For each dataset: the resolved edition (version, effective date, source), whether it came from the " +
          "configured upstream source or is the edition shipped with the engine, and if shipped although an " +
          "upstream is configured, why. Resolving may fetch the upstream edition (cached for REFDATA_CACHE_TTL_SECONDS).",
        response: { 200: ReferenceDataList },
      },
    },
    async (req) => {
      const svc = app.deps.referenceData;
      const items = await Promise.all(
        svc.datasets().map(async (ds) => {
          const { info } = await svc.resolveOne(ds.connector, req.log);
          return {
            ...info,
            title: ds.title,
            upstreamConfigured: svc.upstreamConfigured(ds.connector),
            shippedVersion: (ds.shipped as { version: string }).version,
          };
        }),
      );
      return { items };
    },
  );
}
