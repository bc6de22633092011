/**
 * `modelworks score` at scale (issue 15's goal: 1M rows < 2 s streaming, < 300 MB added memory):
 * fits the bundled sample once (3 folds, 20 lambdas: not what is timed), writes a CSV of ROWS
 * records (the sample's rows cycled, each with its own ID, about 100 bytes a row), then scores it
 * twice in the same run:
 *   - before: the previous path — csv-parse records → `scoreRecords` → csv-stringify;
 *   - after: `scoreFile` as the CLI runs it — CSV bytes a chunk at a time (cells as byte bounds) →
 *     the engine's column scorer (levels interned by their bytes, plain decimals parsed from bytes)
 *     → one output buffer per chunk.
 * Both outputs must be byte-identical. Reports CPU and wall time, rows/s and the largest RSS growth.
 *
 *   node --import tsx bench/response-model-score-cli.ts [rows]
 */
import { once } from "node:events";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { scoreRecords } from "@modelworks/engine-response-model";
import { stringify } from "csv-stringify/sync";
import { readCsvRecords } from "../packages/cli/src/csv.ts";
import { SCORED_COLUMNS, scoreFile } from "../packages/cli/src/score.ts";
import { fitSampleArtifact, timedScoring, writeSampleCsv } from "./lib/response-model-rows.ts";

const ROWS = Number(process.argv[2] ?? 1_000_000);

const artifact = await fitSampleArtifact();
const dir = mkdtempSync(join(tmpdir(), "rm-score-"));
const data = join(dir, "data.csv");
const modelFile = join(dir, "model.json");
writeFileSync(modelFile, JSON.stringify(artifact));
const fields = await writeSampleCsv(data, ROWS);
console.log(
  `response-model score: ${ROWS.toLocaleString("en-US")} rows × ${fields.length + 1} columns; load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")} (shared machine: CPU time is the measure)`,
);
const timed = async (name: string, run: (sample: () => void) => Promise<void>) =>
  (await timedScoring(name, ROWS, run)).cpu;

const before = await timed("before (csv-parse records → scoreRecords → csv-stringify)", async (sample) => {
  const out = createWriteStream(join(dir, "before.csv"));
  out.write(stringify([SCORED_COLUMNS as unknown as string[]]));
  for await (const batch of scoreRecords(artifact, readCsvRecords(data), { batchSize: 10_000 })) {
    const text = stringify(
      batch.map((s) => [s.customerId, String(s.probability), s.points, s.decile, s.tier]),
    );
    if (!out.write(text)) await once(out, "drain");
    sample();
  }
  out.end();
  await once(out, "finish");
});
const after = await timed(
  "after (modelworks score: CSV bytes → column scorer → one buffer per chunk)",
  async (sample) => {
    const r = await scoreFile({
      modelFile,
      dataFile: data,
      outFile: join(dir, "after.csv"),
      onBatch: sample,
    });
    if (!r.ok || r.rows !== ROWS) throw new Error(`scoreFile failed: ${JSON.stringify(r)}`);
  },
);
const same = readFileSync(join(dir, "before.csv")).equals(readFileSync(join(dir, "after.csv")));
console.log(`speed-up ${(before / after).toFixed(1)}× (CPU); outputs byte-identical: ${same}`);
rmSync(dir, { recursive: true, force: true });
if (!same) process.exit(1);
