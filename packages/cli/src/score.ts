/**
 * `modelworks score <model.json> --data new.csv --out scored.csv`: scores a customer file with a
 * fitted response model — the artifact itself, or a whole `run response-model` result that holds
 * it — streaming: the file is read a chunk at a time into a flat array of cells (csv-rows.ts),
 * each row is scored in place by the engine's row scorer, and the scored lines are written as
 * each chunk is done. No object per row (bench/response-model-score-cli.ts).
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { ModelArtifact, rowScorerOf, type ScoredRecord } from "@modelworks/engine-response-model";
import { issuesOf } from "@modelworks/model-kit";
import { stringify } from "csv-stringify/sync";
import { readCsvRowChunks } from "./csv-rows.ts";

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
  const batchSize = options.batchSize ?? 10_000;
  let nextReport = batchSize;
  try {
    await write(stringify([SCORED_COLUMNS as unknown as string[]]));
    let score:
      | ((cells: readonly (string | null)[], offset: number, position: number) => ScoredRecord)
      | null = null;
    const chunks = readCsvRowChunks(options.dataFile, (columns) => {
      const scorer = rowScorerOf(parsed.data, columns);
      score = scorer.score;
      return scorer.columnsRead;
    });
    for await (const chunk of chunks) {
      const scoreRow = score!;
      let text = "";
      for (let r = 0; r < chunk.rowCount; r++) {
        const s = scoreRow(chunk.cells, r * chunk.width, rows + 1);
        // String(probability) is the shortest text that reads back as the same double.
        text += `${csvCell(s.customerId)},${s.probability},${s.points},${s.decile},${csvCell(s.tier)}\n`;
        rows++;
        if (rows === nextReport) {
          options.onBatch?.(rows);
          nextReport += batchSize;
        }
      }
      await write(text);
    }
    if (rows > 0 && rows !== nextReport - batchSize) options.onBatch?.(rows);
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

/** A cell as csv-stringify writes it: quoted when it holds a comma, a quote or a line break. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
