import { Readable } from "node:stream";
import {
  type CreateScoringRunBody,
  SCORING_RUN_MODEL,
  ScoringRunInput,
  type ScoringRunOutput,
} from "@modelworks/contracts/model-artifacts";
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
import { newTally, scoredCsv, scoringColumns } from "./scored-csv.ts";
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
      const wanted = scoringColumns(artifact);
      const tally = newTally(artifact);
      const csv = scoredCsv(
        artifact,
        wanted,
        fileColumns(deps.store, source, wanted, problems, "input"),
        tally,
        (rows) => {
          // Between chunks: a cancel stops the stream here.
          if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("canceled");
          ctx.progress(Math.min(0.95, (0.95 * rows) / total), `scored ${rows.toLocaleString("en-US")} rows`);
        },
      );
      const received = await receive(Readable.from(csv), scratchDir(deps.config));
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
      const { rows, byDecile, byTier, counter } = tally;
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
