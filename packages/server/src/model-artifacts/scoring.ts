import { Readable } from "node:stream";
import {
  type CreateScoringRunBody,
  SCORING_RUN_MODEL,
  ScoringRunInput,
  type ScoringRunOutput,
} from "@modelworks/contracts/model-artifacts";
import { type CustomerRecord, preparationCounter, scoreBatch } from "@modelworks/engine-response-model";
import type { z } from "zod";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { runs } from "../db/schema.ts";
import type { Actor, Logger } from "../domain/actor.ts";
import { DomainError } from "../errors/domain-error.ts";
import { createIngest } from "../files/ingest.ts";
import { fileRecords, loadFileSource, MappingProblems } from "../files/records.ts";
import { type FileStore, scratchDir } from "../files/store.ts";
import { receive } from "../files/upload.ts";
import type { PlatformTask } from "../runs/runner.ts";
import { type ArtifactRow, artifactJson, assertMayScore, loadArtifact } from "./service.ts";

/**
 * Scoring runs (issue 15 item 8): a stored file scored with a model artifact into a stored CSV
 * (customer_id, probability, points, decile, tier). They are runs — queued, leased, with
 * progress and cancel, in `runs` — whose work is the platform's own (reading and writing stored
 * files), so the run worker executes them in process as a *platform task* instead of handing
 * them to the engine pool; the scoring arithmetic is still the engine's (`scoreBatch`).
 * Memory is bounded: the file streams a DuckDB chunk at a time, the CSV streams to scratch.
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

      // The scored CSV, generated as the file streams in; `receive` writes and hashes it.
      async function* csv(): AsyncGenerator<string> {
        yield `${HEADER.join(",")}\r\n`;
        for await (const chunk of fileRecords(deps.store, source, problems, "input")) {
          if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("canceled");
          const records = chunk as CustomerRecord[];
          const scored = scoreBatch(artifact, records, rows + 1);
          for (const r of records) counter.add(r);
          let text = "";
          for (const s of scored) {
            byDecile[s.decile - 1]!++;
            byTier[s.tier] = (byTier[s.tier] ?? 0) + 1;
            // String(probability) is the shortest text that reads back as the same double.
            text += `${csvText(s.customerId)},${s.probability},${s.points},${s.decile},${csvText(s.tier)}\r\n`;
          }
          rows += chunk.length;
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
