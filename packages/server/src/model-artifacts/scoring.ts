import { Readable } from "node:stream";
import {
  type CreateScoringRunBody,
  SCORING_RUN_MODEL,
  ScoringRunInput,
  type ScoringRunOutput,
} from "@modelworks/contracts/model-artifacts";
import {
  type CellValue,
  cellText,
  columnScorerOf,
  preparationCounter,
} from "@modelworks/engine-response-model";
import type { z } from "zod";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { runs } from "../db/schema.ts";
import type { Actor, Logger } from "../domain/actor.ts";
import { DomainError } from "../errors/domain-error.ts";
import { createIngest } from "../files/ingest.ts";
import { fileColumns, loadFileSource, MappingProblems } from "../files/records.ts";
import { type FileStore, scratchDir } from "../files/store.ts";
import { receive } from "../files/upload.ts";
import type { PlatformTask } from "../runs/runner.ts";
import { type ArtifactRow, artifactJson, assertMayScore, loadArtifact } from "./service.ts";

/**
 * Scoring runs (issue 15 item 8): a stored file scored with a model artifact into a stored CSV
 * (customer_id, probability, points, decile, tier). They are runs — queued, leased, with
 * progress and cancel, in `runs` — whose work is the platform's own (reading and writing stored
 * files), so the run worker executes them in process as a *platform task* instead of handing
 * them to the engine pool; the scoring arithmetic is still the engine's (its column scorer, the
 * same terms as `scoreBatch`). Memory is bounded: only the columns the model reads stream from the
 * Parquet copy, a DuckDB chunk at a time and column-wise (no object per row), the CSV streams to
 * scratch.
 */

/** Queues a scoring run (after checking the artifact may score and the file and mapping exist). */
export async function createScoringRun(
  db: Db,
  actor: Actor,
  config: Config,
  artifactId: string,
  body: z.infer<typeof CreateScoringRunBody>,
) {
  const artifact = await loadArtifact(db, actor.orgId, artifactId);
  assertMayScore(artifact, body.allowDraft);
  await loadFileSource(db, actor.orgId, body, "body");
  const input: ScoringRunInput = { ...body, artifactId };
  const [row] = await db
    .insert(runs)
    .values({
      orgId: actor.orgId,
      modelId: SCORING_RUN_MODEL.id,
      modelVersion: SCORING_RUN_MODEL.version,
      input,
      inputHash: `${artifactId}:${body.fileId}:${body.mappingId ?? ""}`,
      createdBy: actor.userId,
      createdByApiKey: actor.keyId ?? null,
      timeoutMs: config.RUN_TIMEOUT_SECONDS * 1000,
      maxAttempts: config.RUN_MAX_ATTEMPTS,
    })
    .returning();
  return row!;
}

const HEADER = ["customer_id", "probability", "points", "decile", "tier"];
/** Rows scored together: the column scorer's typed arrays for them stay in cache. */
const BATCH_ROWS = 2048;
/** Quotes as needed, and defuses spreadsheet formulas in text (IDs and tier names). */
function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function scoringTask(deps: { db: Db; store: FileStore; config: Config; log: Logger }): PlatformTask {
  const ingest = createIngest({ db: deps.db, store: deps.store, config: deps.config });
  return {
    async run(run, ctx) {
      const input = ScoringRunInput.parse(run.input);
      const row: ArtifactRow = await loadArtifact(deps.db, run.orgId, input.artifactId);
      // Checked again when it runs: the artifact may have been retired while the run waited.
      assertMayScore(row, input.allowDraft);
      const artifact = artifactJson(row);
      const source = await loadFileSource(deps.db, run.orgId, input, "input");
      const total = Math.max(1, source.file.rowCount);
      const problems = new MappingProblems();
      const byDecile = new Array<number>(10).fill(0);
      const byTier: Record<string, number> = {};
      // Unseen levels, non-numeric text and missing values, counted as the preparation does.
      const counter = preparationCounter(artifact.preparation);
      let rows = 0;
      // The columns scoring reads: the model's fields, the scorecard's, the ID.
      const cardFields = (artifact.scorecard.rules as { field?: string }[]).flatMap((r) =>
        r.field ? [r.field] : [],
      );
      const prepFields = artifact.preparation.fields.map((f) => f.field);
      const wanted = [
        ...new Set([...prepFields, ...cardFields, ...(artifact.idField ? [artifact.idField] : [])]),
      ];
      const prepColumn = prepFields.map((f) => wanted.indexOf(f));
      const { scorer, idIndex, tierNames } = columnScorerOf(artifact, wanted, BATCH_ROWS);
      const tierText = tierNames.map(csvText);

      // The scored CSV, generated as the file streams in; `receive` writes and hashes it.
      async function* csv(): AsyncGenerator<string> {
        yield `${HEADER.join(",")}\r\n`;
        for await (const chunk of fileColumns(deps.store, source, wanted, problems, "input")) {
          if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("canceled");
          const { columns } = chunk;
          prepColumn.forEach((k, i) => {
            const values = columns[k]!;
            for (let r = 0; r < chunk.rowCount; r++) counter.addValue(i, values[r] as CellValue);
          });
          let text = "";
          for (let first = 0; first < chunk.rowCount; first += BATCH_ROWS) {
            const n = Math.min(BATCH_ROWS, chunk.rowCount - first);
            for (let s = 0; s < scorer.slotColumn.length; s++) {
              const values = columns[scorer.slotColumn[s]!]!;
              for (let r = 0; r < n; r++) scorer.setValue(s, r, values[first + r]);
            }
            const scored = scorer.score(n, (r) =>
              Object.fromEntries(
                wanted.map((name, k) => [name, cellText(columns[k]![first + r] as CellValue)]),
              ),
            );
            const ids = idIndex >= 0 ? columns[idIndex]! : null;
            for (let r = 0; r < n; r++) {
              rows++;
              const decile = scored.decile[r]!;
              byDecile[decile - 1]!++;
              const tier = scored.tier[r]!;
              byTier[tierNames[tier]!] = (byTier[tierNames[tier]!] ?? 0) + 1;
              const id = (ids && cellText(ids[first + r] as CellValue)) ?? String(rows);
              // String(probability) is the shortest text that reads back as the same double.
              text += `${csvText(id)},${scored.probability[r]},${scored.points[r]},${decile},${tierText[tier]}\r\n`;
            }
          }
          ctx.progress(Math.min(0.95, (0.95 * rows) / total), `scored ${rows.toLocaleString("en-US")} rows`);
          yield text;
        }
      }
      const received = await receive(Readable.from(csv()), scratchDir(deps.config));
      if (problems.count > 0)
        throw new DomainError(
          "input_invalid",
          `${problems.count} cell(s) of the file could not be mapped, e.g. ${problems.items
            .slice(0, 3)
            .map((p) => `${p.path}: ${p.message}`)
            .join("; ")}`,
        );
      ctx.progress(0.96, "storing the scored file");
      const actor: Actor = {
        kind: "user",
        userId: run.createdBy ?? "",
        email: null,
        orgId: run.orgId,
        role: "analyst",
        requestId: `run:${run.id}`,
        ip: null,
        userAgent: null,
      };
      const stem = `${row.name}-v${row.version}`.replace(/[^A-Za-z0-9._-]+/g, "-");
      const { row: stored } = await ingest.ingest(actor, deps.log, {
        name: `${stem}-scored-${source.file.name.replace(/\.(csv|xlsx)$/i, "")}.csv`,
        kind: "csv",
        options: {},
        received,
        createdBy: run.createdBy,
      });
      const withCounts = counter.report().filter((f) => f.missing + f.nonNumeric + f.unseenLevels > 0);
      const output: ScoringRunOutput = {
        artifactId: row.id,
        artifact: { name: row.name, version: row.version, state: row.state },
        fileId: source.file.id,
        scoredFileId: stored.id,
        rows,
        byDecile,
        byTier,
        fields: withCounts,
        unseenLevels: withCounts.reduce((s, f) => s + f.unseenLevels, 0),
      };
      return output;
    },
  };
}
