import type { z } from "zod";
import type { DataConnectors } from "./context.ts";

/**
 * A reference dataset an engine reads through `ctx.data[connector]` (AMI rent limits, tax rates…).
 * The engine declares it — its schema and the edition it ships — and the platform may supply a
 * newer edition fetched from an upstream source, validated by the same schema, before the run.
 */
export interface ReferenceDataset<K extends keyof DataConnectors = keyof DataConnectors> {
  /** The key in `ctx.data`. */
  connector: K;
  /** Stable id of the dataset (`austin-ami-rent-limits`); payloads carry it as `dataset`. */
  dataset: string;
  title: string;
  schema: z.ZodType<DataConnectors[K]>;
  /** The edition shipped with the engine: always available, the fallback. */
  shipped: DataConnectors[K];
}
