/**
 * The response model from the command line, on the prototype's sample file: `run response-model
 * --data` fits it from a CSV, and `score` streams a scored file whose probabilities are the fit's
 * own (the all-rows AUC recomputed from the scored file equals the run's, exactly).
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { evaluateScores } from "@modelworks/engine-response-model";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedPath } from "../../../test-support/shared-dir.ts";
import { EXIT, main } from "../src/main.ts";

const FIXTURES = sharedPath("fixtures", "campaigniq");
const SAMPLE = path.join(FIXTURES, "sample_data.csv");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

let dir: string;
let resultFile: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mw-cli-rm-"));
  resultFile = path.join(dir, "result.json");
  const meta = parse(readFileSync(path.join(FIXTURES, "sample_data_meta.csv")), {
    bom: true,
    columns: true,
  }) as {
    Field: string;
    High: string;
    Low: string;
  }[];
  const spec = {
    target: "TARGET",
    fieldEnds: meta.filter((m) => m.High && m.Low).map((m) => ({ field: m.Field, high: m.High, low: m.Low })),
    folds: 3,
    lambdaCount: 20,
    selectionMaxSteps: 2,
  };
  const specFile = path.join(dir, "spec.json");
  await writeFile(specFile, JSON.stringify(spec));
  const c = capture();
  const code = await main(
    ["run", "response-model", "--in", specFile, "--data", SAMPLE, "--out", resultFile, "--quiet"],
    c.io,
  );
  expect(c.err.join("")).toBe("");
  expect(code).toBe(EXIT.ok);
}, 180_000);

describe("modelworks run response-model --data / score", () => {
  it("fits from the CSV: 2,500 records, CONFIDENCE_LEVEL left out", async () => {
    const result = JSON.parse(await readFile(resultFile, "utf8"));
    expect(result.dataReport.rowCount).toBe(2500);
    expect(result.dataReport.target.positives).toBe(709);
    expect(result.dataReport.excluded.map((e: { field: string }) => e.field)).toContain("CONFIDENCE_LEVEL");
    expect(result.artifact.format).toBe("modelworks.response-model/1");
  });

  it("scores the training file back to the fit's probabilities, streaming in batches", async () => {
    const result = JSON.parse(await readFile(resultFile, "utf8"));
    const scoredFile = path.join(dir, "scored.csv");
    const c = capture();
    const code = await main(
      ["score", resultFile, "--data", SAMPLE, "--out", scoredFile, "--batch-size", "600"],
      c.io,
    );
    expect(code).toBe(EXIT.ok);
    expect(c.err.join("")).toMatch(/600 rows scored\n1,200 rows scored\n.*scored 2,500 rows in/s);
    const rows = parse(readFileSync(scoredFile), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(["customer_id", "probability", "points", "decile", "tier"]);
    expect(rows.length).toBe(2500);
    expect(rows[0]!.customer_id).toBe("1");
    const y = (parse(readFileSync(SAMPLE), { bom: true, columns: true }) as { TARGET: string }[]).map((r) =>
      Number(r.TARGET),
    );
    const p = rows.map((r) => Number(r.probability));
    expect(evaluateScores(y, p, { minTopDecileLift: 2 })).toEqual(result.allRows);
    // Points are the prototype scorecard's (scored_results_sample has the first 999).
    expect(rows.slice(0, 999).map((r) => Number(r.points))).toEqual(
      result.original.scored_results_sample.map((r: { SCORE: number }) => r.SCORE),
    );
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.decile!, (counts.get(r.decile!) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => Number(a) - Number(b))).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
      "9",
      "10",
    ]);
  });

  it("the artifact alone scores the same; a file that is not a model exits 3", async () => {
    const result = JSON.parse(await readFile(resultFile, "utf8"));
    const artifactFile = path.join(dir, "model.json");
    await writeFile(artifactFile, JSON.stringify(result.artifact));
    const a = path.join(dir, "a.csv");
    const b = path.join(dir, "b.csv");
    expect(await main(["score", artifactFile, "--data", SAMPLE, "--out", a, "--quiet"], capture().io)).toBe(
      EXIT.ok,
    );
    expect(await main(["score", resultFile, "--data", SAMPLE, "--out", b, "--quiet"], capture().io)).toBe(
      EXIT.ok,
    );
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));

    const bad = path.join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ format: "something-else" }));
    const c = capture();
    expect(await main(["score", bad, "--data", SAMPLE, "--out", path.join(dir, "x.csv")], c.io)).toBe(
      EXIT.invalidInput,
    );
    expect(c.err.join("")).toMatch(/is not a fitted response model:\n {2}format: /);
    const u = capture();
    expect(await main(["score", artifactFile, "--out", "x.csv"], u.io)).toBe(EXIT.usage);
  });
});
