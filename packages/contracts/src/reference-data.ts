import { z } from "zod";

/** One reference dataset as resolved for runs: which edition, and where it came from. */
export const ResolvedDatasetDto = z
  .object({
    connector: z.string().describe("the key engines read it under (ctx.data)"),
    dataset: z.string(),
    version: z.string(),
    effectiveDate: z.string().nullable(),
    source: z.string().describe("the publisher, as the dataset names it"),
    origin: z
      .enum(["upstream", "shipped"])
      .describe("upstream: fetched from the configured HTTP source; shipped: the edition in the engine"),
    fetchedAt: z.string().nullable().describe("when the upstream edition was fetched"),
    fallbackReason: z
      .string()
      .nullable()
      .describe("why the shipped edition is used although an upstream source is configured"),
  })
  .meta({ id: "ResolvedDataset" });
export type ResolvedDatasetDto = z.output<typeof ResolvedDatasetDto>;

export const ReferenceDatasetDto = ResolvedDatasetDto.extend({
  title: z.string(),
  upstreamConfigured: z.boolean(),
  shippedVersion: z.string(),
}).meta({ id: "ReferenceDataset" });

export const ReferenceDataList = z.object({ items: z.array(ReferenceDatasetDto) });
