/**
 * The hosted response model end to end on the prototype's sample file (sample_data.csv with its
 * High/Low file, CONFIDENCE_LEVEL left out as leakage by default): the numbers a user sees, checked
 * against a golden value and against an independent recomputation from the scored probabilities;
 * the prototype tables' headers against the fixture CSVs; scoring and SQL against the fit.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  createContext,
  executeModel,
  ModelCanceledError,
  ModelInputError,
  parseInput,
} from "@modelworks/model-kit";
import { createTestLlm } from "@modelworks/model-kit/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { auc } from "../src/evaluate/auc.ts";
import { stratifiedHoldout } from "../src/evaluate/split.ts";
import { evaluateScores } from "../src/evaluate/summary.ts";
import { sampleRecords } from "../src/examples/samples.ts";
import { scoreProbability } from "../src/fit/scoring-model.ts";
import { type ResponseModelOutput, responseModel } from "../src/index.ts";
import { recordsToTable } from "../src/records.ts";
import { scoreBatch, scoreRecords, scoringModelOf } from "../src/score.ts";
import { builtInSummary, executiveSummary, summaryFacts, unsupportedNumbers } from "../src/summary.ts";
import { FIXTURES } from "./helpers.ts";

type Rec = Record<string, string | number | boolean | null>;
// The example names the bundled sample; these tests give records (with IDs) instead.
const { sampleData: _bundled, ...example } = responseModel.examples[0]!.input;
// An ID column, so scored files and SQL carry the customer, as a real file does.
const sample: Rec[] = sampleRecords("campaigniq");
const records: Rec[] = sample.map((r, i) => ({ INDIVIDUALID: `C${100000 + i}`, ...r }));
// Fewer lambdas and folds than the defaults keep the test short; the pipeline is the same.
const input = {
  ...example,
  records,
  idField: "INDIVIDUALID",
  folds: 5,
  lambdaCount: 40,
  selectionMaxSteps: 6,
};
const y = Uint8Array.from(records.map((r) => Number(r.TARGET)));

let out: ResponseModelOutput;
const progress: number[] = [];
beforeAll(async () => {
  out = await executeModel(responseModel, input, createContext({ onProgress: (f) => progress.push(f) }));
}, 240_000);

const header = (file: string) =>
  readFileSync(join(FIXTURES, file), "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)[0]!
    .split(",");

describe("response-model on sample_data.csv", () => {
  it("leaves CONFIDENCE_LEVEL out as leakage and fits the other fields", () => {
    const leak = out.dataReport.excluded.find((e) => e.field === "CONFIDENCE_LEVEL");
    expect(leak?.reasons).toContain("leakage");
    expect(out.dataReport.specs.map((s) => s.name)).not.toContain("CONFIDENCE_LEVEL");
    expect(out.dataReport.specs.map((s) => s.name)).not.toContain("INDIVIDUALID");
    expect(out.split).toEqual({ trainRows: 2000, holdoutRows: 500, seed: 42, holdoutShare: 0.2 });
    expect(out.coefficients.length).toBe(out.artifact.preparation.columns.length);
    // progress rises to 1
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
  });

  it("holdout AUC: a sane value, the regression golden, and the evaluation recomputed from the probabilities", () => {
    expect(out.kpis.holdoutAuc).toBeGreaterThan(0.75);
    expect(out.kpis.holdoutAuc).toBeLessThan(0.95);
    expect(out.kpis.holdoutAuc).toBeCloseTo(GOLDEN_HOLDOUT_AUC, 9);
    // Independently: score the records with the artifact, take the same seeded holdout, and
    // compute AUC by its definition (all pairs), and every metric by evaluateScores.
    const p = scoreBatch(out.artifact, records).map((s) => s.probability);
    const split = stratifiedHoldout(y, { holdoutShare: 0.2, seed: 42 });
    const yh = Array.from(split.holdout, (i) => y[i]!);
    const ph = Array.from(split.holdout, (i) => p[i]!);
    let pairs = 0;
    let wins = 0;
    for (let i = 0; i < yh.length; i++)
      for (let j = 0; j < yh.length; j++)
        if (yh[i] === 1 && yh[j] === 0) {
          pairs++;
          wins += ph[i]! > ph[j]! ? 1 : ph[i] === ph[j] ? 0.5 : 0;
        }
    expect(Math.abs(wins / pairs - out.holdout.auc.auc)).toBeLessThan(1e-12);
    expect(Math.abs(auc(yh, ph) - out.holdout.auc.auc)).toBeLessThan(1e-14); // Mann–Whitney vs DeLong's sums
    expect(evaluateScores(yh, ph, { minTopDecileLift: 2 })).toEqual(out.holdout);
    expect(evaluateScores(y, p, { minTopDecileLift: 2 })).toEqual(out.allRows);
  });

  it("deciles are labelled 10 = best and nearly monotone", () => {
    const d = [...out.allRows.deciles].sort((a, b) => a.decile - b.decile);
    expect(d.map((r) => r.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(d.reduce((s, r) => s + r.count, 0)).toBe(2500);
    expect(d[9]!.rate).toBe(Math.max(...d.map((r) => r.rate)));
    expect(d[0]!.rate).toBe(Math.min(...d.map((r) => r.rate)));
    // Monotone-ish: at most one adjacent inversion, and then a small one.
    const inversions = d.slice(1).filter((r, i) => r.rate < d[i]!.rate);
    expect(inversions.length).toBeLessThanOrEqual(1);
    for (const r of d) expect(r.avgScore).toBeGreaterThanOrEqual(r.minScore);
    expect(out.original.response_rates.map((r) => r.decile)).toEqual(d.map((r) => `D${r.decile}`));
  });

  it("the gate passes exactly when the holdout's top-decile lift reaches 2.0", () => {
    const top = out.holdout.deciles.find((r) => r.decile === 10)!;
    expect(out.holdout.gate.topDecileLift).toBe(top.lift);
    expect(out.holdout.gate.pass).toBe(top.lift >= 2);
    expect(out.kpis.gatePass).toBe(out.holdout.gate.pass);
    expect(top.lift).toBeCloseTo(top.rate / out.holdout.responseRate, 12);
  });

  it("declares the prototype's original CSVs with their exact headers", () => {
    const files = [
      "response_rates",
      "feature_analysis",
      "report_metrics",
      "variable_combinations",
      "scoring_rules",
      "scored_results_sample",
      "original_match_rates",
      "model_features",
    ] as const;
    for (const name of files) {
      const table = responseModel.tables!.find((t) => t.name === name)!;
      expect(
        table.columns.map((c) => c.title),
        name,
      ).toEqual(header(`${name}.csv`));
      expect(
        table.columns.every((c) => c.unit === undefined),
        name,
      ).toBe(true);
      const rows = out.original[name] as Record<string, unknown>[];
      expect(rows.length, name).toBeGreaterThan(0);
      for (const c of table.columns) expect(rows[0]!, `${name}.${c.key}`).toHaveProperty(c.key);
    }
    expect(out.original.scoring_rules[0]).toEqual({
      variable: "BASE",
      condition: "always",
      adjustment: 1000,
    });
    expect(out.original.scored_results_sample[0]!.INDIVIDUALID).toBe("C100000");
    expect(out.original.model_features.length).toBe(out.artifact.preparation.columns.length);
    // report_metrics: the three tiers by importance
    for (const r of out.original.report_metrics)
      expect(r.recommendation).toMatch(
        r.importance >= 0.15 ? /^Premium/ : r.importance >= 0.05 ? /^High-Value/ : /^Supplementary/,
      );
  });

  it("forward selection by source field: AUC per step, share of best from its own numbers", () => {
    const rows = out.forwardSelection.rows;
    expect(rows.length).toBe(Math.min(6, out.importance.filter((r) => r.importance > 0).length));
    expect(rows.map((r) => r.added_variable)).toEqual(
      out.importance.slice(0, rows.length).map((r) => r.field),
    );
    const best = Math.max(...rows.map((r) => r.auc_score));
    for (const r of rows) expect(r.share_of_best).toBeCloseTo((r.auc_score - 0.5) / (best - 0.5), 12);
  });

  it("scoring the training records reproduces the fit's probabilities exactly, in any batch size", async () => {
    const fitted = scoreProbability(scoringModelOf(out.artifact), recordsToTable(records));
    const streamed: number[] = [];
    const ids: string[] = [];
    const deciles = new Array(11).fill(0);
    for await (const batch of scoreRecords(out.artifact, records, { batchSize: 777 }))
      for (const s of batch) {
        streamed.push(s.probability);
        ids.push(s.customerId);
        deciles[s.decile]++;
      }
    expect(streamed).toEqual(Array.from(fitted));
    expect(ids[0]).toBe("C100000");
    // deciles by the fit's cut-offs: ~250 each on the training file itself
    for (let d = 1; d <= 10; d++) expect(Math.abs(deciles[d] - 250)).toBeLessThanOrEqual(25);
    // Points agree with the prototype scorecard sample
    const sample = scoreBatch(out.artifact, records.slice(0, 5));
    expect(sample.map((s) => s.points)).toEqual(
      out.original.scored_results_sample.slice(0, 5).map((r) => r.SCORE),
    );
    expect(sample[0]!.tier).toMatch(/^(Priority 1|Priority 2|Not mailed)$/);
  });

  it("the exported DuckDB SELECT scores the raw file as the engine does (1e-12)", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      const table = recordsToTable(records);
      const quote = (v: string) => `'${v.replaceAll("'", "''")}'`;
      await conn.run(`CREATE TABLE customers (${table.names.map((n) => `"${n}" VARCHAR`).join(", ")})`);
      const values = Array.from(
        { length: table.rowCount },
        (_, i) =>
          `(${table.names.map((n) => (table.columns[n]![i] === null ? "NULL" : quote(table.columns[n]![i]!))).join(", ")})`,
      );
      await conn.run(`INSERT INTO customers VALUES ${values.join(", ")}`);
      const rows = (await conn.runAndReadAll(out.sql.duckdb)).getRowObjectsJS() as {
        INDIVIDUALID: string;
        probability: number;
        points: number;
      }[];
      const engine = new Map(scoreBatch(out.artifact, records).map((s) => [s.customerId, s]));
      expect(rows.length).toBe(2500);
      let worst = 0;
      for (const r of rows) {
        const e = engine.get(r.INDIVIDUALID)!;
        worst = Math.max(worst, Math.abs(Number(r.probability) - e.probability));
        expect(Math.abs(Number(r.points) - e.points)).toBeLessThan(1e-9);
      }
      expect(worst).toBeLessThan(1e-12);
    } finally {
      conn.closeSync();
    }
  }, 60_000);

  it("writes the executive summary from the numbers only (built-in)", () => {
    const s = out.executiveSummary;
    expect(s.generatedBy).toBe("built-in");
    for (const section of ["Key findings", "Recommended targeting strategy", "Budget", "Data insights"])
      expect(s.text).toContain(section);
    expect(s.text).toContain("Priority 1");
    expect(s.text).toContain(out.holdout.auc.auc.toFixed(3));
    const { executiveSummary: _s, ...result } = out;
    expect(unsupportedNumbers(s.text, summaryFacts(result))).toEqual([]);
  });

  it("takes a language model's summary only when every number is in the results", async () => {
    const { executiveSummary: _s, ...result } = out;
    const facts = summaryFacts(result);
    const honest = `Key findings: AUC ${facts.holdoutAuc} on ${facts.holdoutRows} held-out customers; Priority 1 mails ${facts.tier1Pieces} pieces.`;
    const good = createTestLlm({ answer: () => honest, provider: "acme", model: "m1" });
    const a = await executiveSummary(result, { llm: good, signal: new AbortController().signal });
    expect(a).toEqual({ text: honest, generatedBy: { provider: "acme", model: "m1" } });
    // the facts went to the model as data
    expect(good.calls[0]!.prompt).toContain(`holdoutAuc: ${facts.holdoutAuc}`);

    const inventive = createTestLlm({ answer: () => `${honest} The client has 47,293 customer records.` });
    const b = await executiveSummary(result, { llm: inventive, signal: new AbortController().signal });
    expect(b.generatedBy).toBe("built-in");
    expect(b.text).toBe(builtInSummary(result, facts));
    expect(b.fallbackReason).toMatch(/llm_output_invalid: .*47293/);
  });
});

describe("response-model refuses what must be refused, naming the field", () => {
  const base = { ...example, records: sample, folds: 3, lambdaCount: 10, selectionMaxSteps: 0 };
  const run = (raw: unknown, signal?: AbortSignal) =>
    executeModel(responseModel, raw, createContext(signal ? { signal } : {}));

  it("records or a bundled sample, exactly one of them", () => {
    const issuesOf = (raw: unknown) => {
      try {
        parseInput(responseModel, raw);
        return [];
      } catch (e) {
        return (e as ModelInputError).issues.map((i) => i.path);
      }
    };
    expect(issuesOf({ ...base, sampleData: "campaigniq" })).toEqual(["records"]);
    const { records: _r, ...neither } = base;
    expect(issuesOf(neither)).toEqual(["records"]);
    expect(issuesOf({ ...neither, sampleData: "campaigniq" })).toEqual([]);
    expect(issuesOf({ ...neither, sampleData: "nope" })).toEqual(["sampleData"]);
    // The bundled sample is the prototype's file: 2,500 customers, 709 responders.
    const rows = sampleRecords("campaigniq");
    expect(rows).toHaveLength(2500);
    expect(rows.filter((r) => r.TARGET === "1")).toHaveLength(709);
  });

  it("a target that is not a yes/no flag", async () => {
    const recs = sample.map((r, i) => ({ ...r, TARGET: i === 7 ? "maybe" : r.TARGET! }));
    const err = await run({ ...base, records: recs }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelInputError);
    expect((err as ModelInputError).issues).toEqual([expect.objectContaining({ path: "target" })]);
    expect((err as ModelInputError).issues[0]!.message).toContain('"maybe"');
  });

  it("fewer than 100 rows, and an all-missing field", async () => {
    const recs = sample.slice(0, 60).map((r) => ({ ...r, EMPTY: null }));
    const err = (await run({ ...base, records: recs }).catch((e) => e)) as ModelInputError;
    expect(err).toBeInstanceOf(ModelInputError);
    const paths = err.issues.map((i) => i.path);
    expect(paths).toContain("records"); // 60 rows
    expect(paths).toContain("records.EMPTY");
    expect(err.issues.find((i) => i.path === "records")!.message).toMatch(/60 rows.*at least 100/);
  });

  it("a fixed lambda rule without a lambda, and an unknown ID field", async () => {
    expect(() => parseInput(responseModel, { ...base, lambdaRule: "fixed" })).toThrow(ModelInputError);
    const err = (await run({ ...base, idField: "NOPE" }).catch((e) => e)) as ModelInputError;
    expect(err.issues).toEqual([expect.objectContaining({ path: "idField" })]);
  });

  it("skips forward selection when asked (0 steps): no rows, the null model's AUC", async () => {
    const r = await run(base);
    expect(r.forwardSelection).toEqual({ rows: [], bestAuc: 0.5, bestStep: 0 });
    expect(r.original.variable_combinations).toEqual([]);
    expect(r.crossValidation.folds).toBe(3);
    expect(r.crossValidation.path.length).toBeLessThanOrEqual(10);
  }, 60_000);

  it("stops when canceled during cross-validation", async () => {
    const ac = new AbortController();
    const ctx = createContext({
      signal: ac.signal,
      onProgress: (_f, m) => {
        if (m?.startsWith("lambda path")) ac.abort();
      },
    });
    const err = await executeModel(responseModel, base, ctx).catch((e) => e);
    expect(err).toBeInstanceOf(ModelCanceledError);
  }, 60_000);
});

// Regression golden (seed 42, 5 folds, 40 lambdas, lambda.1se); change only with a reason.
const GOLDEN_HOLDOUT_AUC = 0.8532535998111576;
