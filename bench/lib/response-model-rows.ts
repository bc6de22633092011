/**
 * What the two response-model scoring benches (CLI and server) set up alike: a model fitted once
 * on the bundled sample (3 folds, 20 lambdas: quick, and not what they time), a CSV of many rows
 * made from the sample's rows cycled (each with its own ID), and the timing of one scoring pass
 * with its largest RSS growth.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { responseModel, sampleRecords } from "@modelworks/engine-response-model";
import { createContext, executeModel } from "@modelworks/model-kit";

/** The bundled sample's model, with `ID` as the id column of the generated CSV. */
export async function fitSampleArtifact() {
  const example = responseModel.examples[0]!.input;
  const fit = await executeModel(
    responseModel,
    { ...example, folds: 3, lambdaCount: 20, selectionMaxSteps: 0 },
    createContext(),
  );
  return { ...fit.artifact, idField: "ID" };
}

/**
 * Writes `rows` records to `file`: `ID` (C0, C1, …) then the sample's fields, its rows cycled.
 * Written 10,000 rows a write so that a million rows never sit in memory. Returns the sample's
 * field names (without ID).
 */
export async function writeSampleCsv(file: string, rows: number): Promise<string[]> {
  const base = sampleRecords("campaigniq");
  const fields = Object.keys(base[0]!);
  const out = createWriteStream(file);
  out.write(`ID,${fields.join(",")}\n`);
  const lines = base.map((r) => fields.map((f) => r[f] ?? "").join(","));
  for (let i = 0; i < rows; i += 10_000) {
    let text = "";
    for (let k = i; k < Math.min(rows, i + 10_000); k++) text += `C${k},${lines[k % lines.length]}\n`;
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return fields;
}

const cpuS = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const mb = (b: number) => (b / 2 ** 20).toFixed(0);

/**
 * Runs one scoring pass over `rows` rows and prints its wall and CPU time, rows per CPU second and
 * the largest RSS growth; `run` calls `sample` once a batch so that the peak is seen.
 */
export async function timedScoring<T>(
  name: string,
  rows: number,
  run: (sample: () => void) => Promise<T>,
): Promise<{ cpu: number; result: T }> {
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  let maxRss = rss0;
  const sample = () => {
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
  };
  const wall0 = performance.now();
  const cpu0 = cpuS();
  const result = await run(sample);
  const cpu = cpuS() - cpu0;
  const wall = (performance.now() - wall0) / 1000;
  console.log(
    `${name}: ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU — ${Math.round(rows / cpu).toLocaleString("en-US")} rows per CPU second; RSS +${mb(maxRss - rss0)} MB at most`,
  );
  return { cpu, result };
}
