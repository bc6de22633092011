/**
 * Scoring at scale (issue 15's goal: 1M rows < 2 s streaming, < 300 MB added memory): fits the
 * sample file once (3 folds, 20 lambdas: the fit is not what is timed), then streams 1,000,000
 * records — the sample's rows cycled, each with its own ID — through `scoreRecords` in batches,
 * and reports rows/s and the largest RSS and heap growth seen. The baseline in the same run is a
 * plain pass over the same generator (what reading the records costs without scoring).
 *
 *   npx tsx bench/response-model-score.ts [rows] [batchSize]
 */

import {
  type CustomerRecord,
  responseModel,
  sampleRecords,
  scoreRecords,
} from "@modelworks/engine-response-model";
import { createContext, executeModel } from "@modelworks/model-kit";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const BATCH = Number(process.argv[3] ?? 10_000);

const example = responseModel.examples[0]!.input;
// The examples name the bundled sample (sampleData) rather than carrying its rows.
const base = sampleRecords("campaigniq");
const fit = await executeModel(
  responseModel,
  { ...example, folds: 3, lambdaCount: 20, selectionMaxSteps: 0 },
  createContext(),
);

function* records(): Generator<CustomerRecord> {
  for (let i = 0; i < ROWS; i++) yield { ID: String(i), ...(base[i % base.length] as CustomerRecord) };
}

const mb = (b: number) => (b / 2 ** 20).toFixed(0);
globalThis.gc?.();
const t0 = performance.now();
let n0 = 0;
for (const _ of records()) n0++;
const readSeconds = (performance.now() - t0) / 1000;

globalThis.gc?.();
const rss0 = process.memoryUsage().rss;
const heap0 = process.memoryUsage().heapUsed;
let maxRss = rss0;
let maxHeap = heap0;
let scored = 0;
let checksum = 0;
const t1 = performance.now();
for await (const batch of scoreRecords({ ...fit.artifact, idField: "ID" }, records(), { batchSize: BATCH })) {
  scored += batch.length;
  checksum += batch[0]!.probability;
  const m = process.memoryUsage();
  maxRss = Math.max(maxRss, m.rss);
  maxHeap = Math.max(maxHeap, m.heapUsed);
}
const scoreSeconds = (performance.now() - t1) / 1000;

console.log(`records generated (baseline): ${n0.toLocaleString("en-US")} in ${readSeconds.toFixed(2)} s`);
console.log(
  `scored: ${scored.toLocaleString("en-US")} rows in ${scoreSeconds.toFixed(2)} s (${Math.round(scored / scoreSeconds).toLocaleString("en-US")} rows/s; ${(scoreSeconds / readSeconds).toFixed(1)}× the baseline), batch ${BATCH.toLocaleString("en-US")}`,
);
console.log(
  `memory: RSS +${mb(maxRss - rss0)} MB, heap +${mb(maxHeap - heap0)} MB at most (checksum ${checksum.toFixed(6)})`,
);
