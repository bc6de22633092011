/**
 * A server scoring run's work at 1M rows (issue 15): fits the bundled sample once (not timed),
 * writes a CSV of ROWS records (the sample's rows cycled, each with an ID; 23 columns) and stores
 * it as Parquet with the server's own ingest (DuckDB, as an upload does; timed apart), then scores
 * the stored file twice in the same run:
 *   - before: the previous path — DuckDB chunks as one record object per row (`fileRecords`) →
 *     `scoreBatch` → the preparation counter per record → CSV text;
 *   - after: what `scoringTask` runs now — only the model's columns read, column-wise
 *     (`fileColumns`) → the engine's column scorer → CSV text (`scoredCsv`).
 * The CSV texts (SHA-256), decile and tier counts and the field report must be identical.
 * Not included: writing the scored CSV to scratch and ingesting it as a stored file (the upload
 * path's cost, bench/upload-profile.ts), and the run queue.
 *
 *   node --import tsx bench/response-model-score-server.ts [rows]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type CustomerRecord, preparationCounter, scoreBatch } from "@modelworks/engine-response-model";
import { configureDuck, csvLayout, ingestCsv } from "../packages/server/src/files/duck.ts";
import type { FileRow } from "../packages/server/src/files/ingest.ts";
import {
  type FileSource,
  fileColumns,
  fileRecords,
  MappingProblems,
} from "../packages/server/src/files/records.ts";
import type { FileStore } from "../packages/server/src/files/store.ts";
import {
  csvText,
  newTally,
  scoredCsv,
  scoringColumns,
} from "../packages/server/src/model-artifacts/scored-csv.ts";
import { fitSampleArtifact, timedScoring, writeSampleCsv } from "./lib/response-model-rows.ts";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const artifact = await fitSampleArtifact();
const dir = mkdtempSync(join(tmpdir(), "rm-score-server-"));
const csvFile = join(dir, "data.csv");
const parquet = join(dir, "data.parquet");
const fields = await writeSampleCsv(csvFile, ROWS);
// DuckDB as the server starts it, with 1 GB (the ingest is not what is measured), spilling to a
// scratch directory.
await configureDuck({ memoryMb: 1024, tempDir: join(dir, "duckdb") });
const t = performance.now();
const layout = await csvLayout(csvFile, "utf-8");
const ingested = await ingestCsv(csvFile, layout, parquet);
console.log(
  `response-model scoring run: ${ROWS.toLocaleString("en-US")} rows × ${fields.length + 1} columns, stored as Parquet in ${((performance.now() - t) / 1000).toFixed(1)} s (not in the numbers below); load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")} (shared machine: CPU time is the measure)`,
);
const store = { localPath: async () => parquet } as unknown as FileStore;
const source: FileSource = {
  file: {
    dataKey: "bench",
    rowCount: ingested.rowCount,
    profile: ingested.columns.map((c) => ({ name: c.name })),
  } as unknown as FileRow,
  mapping: null,
};

const timed = <T>(name: string, run: (sample: () => void) => Promise<T>) => timedScoring(name, ROWS, run);

const before = await timed("before (record per row → scoreBatch → counter.add)", async (sample) => {
  const hash = createHash("sha256");
  const byDecile = new Array<number>(10).fill(0);
  const byTier: Record<string, number> = {};
  const counter = preparationCounter(artifact.preparation);
  let rows = 0;
  hash.update("customer_id,probability,points,decile,tier\r\n");
  for await (const chunk of fileRecords(store, source, new MappingProblems(), "input")) {
    const records = chunk as CustomerRecord[];
    const scored = scoreBatch(artifact, records, rows + 1);
    for (const r of records) counter.add(r);
    let text = "";
    for (const s of scored) {
      byDecile[s.decile - 1]!++;
      byTier[s.tier] = (byTier[s.tier] ?? 0) + 1;
      text += `${csvText(s.customerId)},${s.probability},${s.points},${s.decile},${csvText(s.tier)}\r\n`;
    }
    rows += chunk.length;
    hash.update(text);
    sample();
  }
  return { sha: hash.digest("hex"), rows, byDecile, byTier, fields: counter.report() };
});
const after = await timed("after (model's columns, column-wise → column scorer)", async (sample) => {
  const hash = createHash("sha256");
  const wanted = scoringColumns(artifact);
  const tally = newTally(artifact);
  const problems = new MappingProblems();
  for await (const text of scoredCsv(
    artifact,
    wanted,
    fileColumns(store, source, wanted, problems, "input"),
    tally,
    sample,
  ))
    hash.update(text);
  return {
    sha: hash.digest("hex"),
    rows: tally.rows,
    byDecile: tally.byDecile,
    byTier: tally.byTier,
    fields: tally.counter.report(),
  };
});
const same = JSON.stringify(before.result) === JSON.stringify(after.result);
console.log(
  `speed-up ${(before.cpu / after.cpu).toFixed(1)}× (CPU); CSV, deciles, tiers and field report identical: ${same}`,
);
rmSync(dir, { recursive: true, force: true });
if (!same) process.exit(1);
