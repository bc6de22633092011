import { z } from "zod";

/**
 * Which edition of a reference dataset a run used, recorded in the output (provenance). Apart
 * from ./schema.ts so the output schema can name it without an import cycle.
 */
export const DatasetRef = z.object({
  dataset: z.string(),
  version: z.string(),
  effectiveDate: z.string().nullable(),
  source: z.string(),
});
export type DatasetRef = z.output<typeof DatasetRef>;
