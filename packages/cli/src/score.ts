/**
 * `modelworks score <model.json> --data new.csv --out scored.csv`: scores a customer file with a
 * fitted response model — the artifact itself, or a whole `run response-model` result that holds
 * it — streaming: a batch of rows in memory at a time, written as it is scored.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { ModelArtifact, scoreRecords } from "@modelworks/engine-response-model";
import { issuesOf } from "@modelworks/model-kit";
import { stringify } from "csv-stringify/sync";
import { readCsvRecords } from "./csv.ts";

export const SCORED_COLUMNS = ["customer_id", "probability", "points", "decile", "tier"] as const;

export type ScoreOutcome =
  | { ok: true; rows: number; seconds: number }
  | { ok: false; kind: "unreadable" | "invalid"; messages: string[] };

export async function scoreFile(options: {
  modelFile: string;
  dataFile: string;
  outFile: string;
  batchSize?: number;
  onBatch?: (rows: number) => void;
}): Promise<ScoreOutcome> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(options.modelFile, "utf8"));
  } catch (err) {
    return {
      ok: false,
      kind: "unreadable",
      messages: [`cannot read ${options.modelFile}: ${(err as Error).message}`],
    };
  }
  // A run's whole output carries the artifact under `artifact`.
  const candidate =
    document && typeof document === "object" && "artifact" in document
      ? (document as { artifact: unknown }).artifact
      : document;
  const parsed = ModelArtifact.safeParse(candidate);
  if (!parsed.success)
    return {
      ok: false,
      kind: "invalid",
      messages: issuesOf(parsed.error).map((i) => `${i.path}: ${i.message}`),
    };
  const started = performance.now();
  const out = createWriteStream(options.outFile);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  let rows = 0;
  try {
    await write(stringify([SCORED_COLUMNS as unknown as string[]]));
    for await (const batch of scoreRecords(parsed.data, readCsvRecords(options.dataFile), {
      batchSize: options.batchSize ?? 10_000,
    })) {
      // String(probability) is the shortest text that reads back as the same double.
      await write(
        stringify(batch.map((s) => [s.customerId, String(s.probability), s.points, s.decile, s.tier])),
      );
      rows += batch.length;
      options.onBatch?.(rows);
    }
  } catch (err) {
    out.destroy();
    return {
      ok: false,
      kind: "unreadable",
      messages: [`cannot score ${options.dataFile}: ${(err as Error).message}`],
    };
  }
  out.end();
  await once(out, "finish");
  return { ok: true, rows, seconds: (performance.now() - started) / 1000 };
}
