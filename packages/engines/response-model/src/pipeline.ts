/**
 * The response model end to end, one pipeline (issue 15): checks → stratified seeded holdout →
 * preparation learnt on the training part → cross-validated lambda path → the fit at the chosen
 * lambda → evaluation on the holdout and on all rows → coefficients, odds ratios, importance by
 * source field → forward selection → scorecards → mailing plan → the fitted artifact → SQL.
 * Pure: the platform (or the CLI) hands in records and a context.
 */
import type { FanOut, ModelLlm } from "@modelworks/model-kit";
import { ModelInputError } from "@modelworks/model-kit";
import { crossValidateInParts } from "./cv-parts.ts";
import { assertFitReady, checkData } from "./data/checks.ts";
import { parseTarget } from "./data/target.ts";
import { auc } from "./evaluate/auc.ts";
import { decileTable } from "./evaluate/deciles.ts";
import { type SelectionScore, selectionRows } from "./evaluate/forward.ts";
import { mailingPlan } from "./evaluate/mailing.ts";
import { stratifiedHoldout } from "./evaluate/split.ts";
import { type Evaluation, evaluateScores } from "./evaluate/summary.ts";
import { sampleRecords } from "./examples/samples.ts";
import { type DesignMatrix, fitLognet, linearPredictor, sigmoid } from "./fit/lognet.ts";
import { type ScoringModel, scoreProbability } from "./fit/scoring-model.ts";
import type { ModelArtifact, ResponseModelInput, ResponseModelOutput } from "./model-schema.ts";
import { applyPreparation, prepare } from "./prepare/prepare.ts";
import type { Design } from "./prepare/types.ts";
import { prototypeTables } from "./prototype-tables.ts";
import { type CustomerRecord, recordsToTable, subsetTable, tableFingerprint } from "./records.ts";
import { buildScorecard, scoreRecord } from "./scorecard/scorecard.ts";
import { SQL_DIALECTS } from "./sql/dialects.ts";
import { scoringSql } from "./sql/scoring-sql.ts";
import { executiveSummary } from "./summary.ts";

export interface PipelineContext {
  progress: (fraction: number, message?: string) => void;
  signal: AbortSignal;
  /** The platform's helper threads for the CV folds (absent: this thread). */
  fanOut?: FanOut;
  llm?: ModelLlm;
}

/** Identity of the hosted model, written into the artifact. */
export const MODEL_ID = "response-model";
export const MODEL_VERSION = "1.0.0";

/** Scored customers in `scored_results_sample` (the prototype's file held 999). */
const SCORED_SAMPLE_ROWS = 999;

/** Columns of a column-major design, in the given order, as a new design. */
function selectColumns(design: DesignMatrix, columns: readonly number[]): DesignMatrix {
  const n = design.rowCount;
  const x = new Float64Array(n * columns.length);
  columns.forEach((j, k) => {
    x.set(design.x.subarray(j * n, (j + 1) * n), k * n);
  });
  return { x, rowCount: n, columnCount: columns.length };
}

/** Population sd of each design column (glmnet's internal standardization, weights 1/n). */
function columnSds(design: Design): number[] {
  const n = design.rowCount;
  const sds: number[] = [];
  for (let j = 0; j < design.columnCount; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += design.x[j * n + i] as number;
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += ((design.x[j * n + i] as number) - mean) ** 2;
    sds.push(Math.sqrt(ss / n));
  }
  return sds;
}

function pick<T extends ArrayLike<number>>(values: T, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i] as number] as number;
  return out;
}

/** Lowest probability among the top `share` of `sortedDesc` (a tier's probability cut-off). */
function cutoffAtShare(sortedDesc: Float64Array, share: number): number {
  const k = Math.max(1, Math.min(sortedDesc.length, Math.ceil(sortedDesc.length * share - 1e-9)));
  return sortedDesc[k - 1] as number;
}

export async function runResponseModel(
  input: ResponseModelInput,
  ctx: PipelineContext,
): Promise<ResponseModelOutput> {
  const { signal } = ctx;
  const records = input.records ?? sampleRecords(input.sampleData ?? "campaigniq");
  const table = recordsToTable(records as CustomerRecord[]);
  ctx.progress(0.01, "checking the data");

  // ---- checks: errors are field-level input errors; flagged fields are left out unless kept ----
  const ignore = [...input.ignoreFields, ...(input.idField ? [input.idField] : [])];
  if (input.idField && !table.columns[input.idField])
    throw new ModelInputError([{ path: "idField", message: `no record has the field "${input.idField}"` }]);
  const report = checkData({
    table,
    target: input.target,
    ignore,
    overrides: input.fieldOverrides,
    directions: input.fieldEnds,
    keep: input.keepFlaggedFields,
  });
  assertFitReady(report, (field) =>
    field === null ? "records" : field === input.target ? "target" : `records.${field}`,
  );
  const parsed = parseTarget(input.target, table.columns[input.target] ?? []);
  if (!parsed.ok) throw new Error("target passed the checks but does not parse"); // unreachable: checkData parsed it
  const y = parsed.y;
  signal.throwIfAborted();

  // ---- holdout, preparation on the training part ----
  const split = stratifiedHoldout(y, { holdoutShare: input.holdoutShare, seed: input.seed });
  const trainTable = subsetTable(table, split.train);
  const yTrain = pick(y, split.train);
  const yHoldout = pick(y, split.holdout);
  const {
    preparation,
    design,
    report: prepReport,
  } = (() => {
    try {
      return prepare(trainTable, report.specs, {
        missingIndicators: input.missingIndicators,
        minLevelCount: input.minLevelCount,
      });
    } catch (e) {
      // preparation names fields as `fields.<name>`; the input calls them records.<name>
      if (e instanceof ModelInputError)
        throw new ModelInputError(
          e.issues.map((i) => ({ ...i, path: i.path.replace(/^fields\./, "records.") })),
        );
      throw e;
    }
  })();
  ctx.progress(0.05, `prepared ${design.columnCount} design columns from ${report.specs.length} fields`);

  // ---- cross-validated lambda path ----
  const fitOptions = { alpha: input.alpha, nLambda: input.lambdaCount, signal };
  const folds = input.folds;
  const cv = await crossValidateInParts(ctx, design, yTrain, {
    alpha: input.alpha,
    nLambda: input.lambdaCount,
    folds,
    seed: input.seed,
    onLambda: (l) => ctx.progress(0.05 + (0.1 * (l + 1)) / input.lambdaCount, `lambda path: ${l + 1} fitted`),
    onFold: (done, total) =>
      ctx.progress(0.15 + (0.55 * done) / total, `cross-validation: ${done} of ${total} folds`),
  });
  const chosenLambda =
    input.lambdaRule === "fixed"
      ? (input.lambda as number)
      : input.lambdaRule === "min"
        ? cv.lambdaMin
        : cv.lambda1se;
  let intercept: number;
  let beta: Float64Array;
  if (input.lambdaRule === "fixed") {
    const f = fitLognet(design, yTrain, { ...fitOptions, lambda: [chosenLambda] });
    intercept = f.intercept[0] as number;
    beta = f.beta[0] as Float64Array;
  } else {
    const index = input.lambdaRule === "min" ? cv.indexMin : cv.index1se;
    intercept = cv.fit.intercept[index] as number;
    beta = cv.fit.beta[index] as Float64Array;
  }
  const model: ScoringModel = { preparation, intercept, coefficients: Array.from(beta) };
  ctx.progress(0.72, "evaluating");

  // ---- evaluation: holdout and all rows, probabilities by the stored preparation ----
  const pAll = scoreProbability(model, table);
  const pHoldout = pick(pAll, split.holdout);
  const evalOptions = { minTopDecileLift: input.gateTopDecileLift };
  const holdout: Evaluation = evaluateScores(yHoldout, pHoldout, evalOptions);
  const allRows: Evaluation = evaluateScores(y, pAll, evalOptions);

  // ---- coefficients, odds ratios, importance by source field ----
  const sds = columnSds(design);
  const coefficients = preparation.columns.map((c, j) => ({
    column: c.name,
    field: c.field,
    level: c.level ?? null,
    role: c.role,
    coefficient: beta[j] as number,
    standardized: (beta[j] as number) * (sds[j] as number),
    oddsRatio: Math.exp(beta[j] as number),
  }));
  const completion = new Map(report.completion.map((c) => [c.field, c.completionPct]));
  const byField = new Map<string, { importance: number; active: number }>();
  for (const f of preparation.fields) byField.set(f.field, { importance: 0, active: 0 });
  for (const c of coefficients) {
    const g = byField.get(c.field) as { importance: number; active: number };
    g.importance += Math.abs(c.standardized);
    if (c.coefficient !== 0) g.active++;
  }
  const totalImportance = [...byField.values()].reduce((s, g) => s + g.importance, 0);
  const importance = [...byField]
    .map(([field, g]) => ({
      field,
      importance: g.importance,
      sharePct: totalImportance > 0 ? (100 * g.importance) / totalImportance : 0,
      activeColumns: g.active,
      matchRatePct: completion.get(field) ?? null,
    }))
    .sort((a, b) => b.importance - a.importance || a.field.localeCompare(b.field));
  signal.throwIfAborted();

  // ---- forward selection by source field, refitting at the chosen lambda ----
  const groups = importance
    .filter((r) => r.importance > 0)
    .slice(0, input.selectionMaxSteps)
    .map((r) => ({
      name: r.field,
      baseField: r.field,
      importance: r.importance,
      ...(r.matchRatePct !== null ? { matchRatePct: r.matchRatePct } : {}),
      ...(input.costPerFieldUsd !== undefined ? { costPerField: input.costPerFieldUsd } : {}),
    }));
  const holdoutDesign = applyPreparation(preparation, subsetTable(table, split.holdout)).design;
  // Each step walks the CV path down to the chosen lambda (warm starts, as the main fit did):
  // a cold start at a small lambda can stall glmnet's IRLS on near-separable subsets.
  const selectionPath = [...cv.lambda.filter((l) => l > chosenLambda), chosenLambda];
  const scores: SelectionScore[] = [];
  for (let k = 1; k <= groups.length; k++) {
    signal.throwIfAborted();
    const fields = new Set(groups.slice(0, k).map((g) => g.name));
    const cols = preparation.columns.flatMap((c, j) => (fields.has(c.field) ? [j] : []));
    const f = fitLognet(selectColumns(design, cols), yTrain, { ...fitOptions, lambda: selectionPath });
    const last = f.lambda.length - 1;
    const eta = linearPredictor(
      selectColumns(holdoutDesign, cols),
      f.intercept[last] as number,
      f.beta[last] as Float64Array,
    );
    const p = eta.map(sigmoid);
    const top = decileTable(yHoldout, p).find((r) => r.decile === 10);
    scores.push({ auc: auc(yHoldout, p), topDecileResponse: 100 * (top?.rate ?? 0) });
    ctx.progress(0.75 + (0.17 * k) / groups.length, `forward selection: ${k} of ${groups.length} fields`);
  }
  // No step asked for (or no active field): the null model, AUC 0.5 at step 0, as selection starts from.
  const forwardSelection =
    groups.length > 0
      ? selectionRows(groups, scores, 100 * holdout.responseRate)
      : { rows: [], bestAuc: 0.5, bestStep: 0 };

  // ---- scorecards, mailing plan ----
  const prototypeCard = buildScorecard(model, { kind: "prototype" });
  const pdoCard = buildScorecard(model, { kind: "pdo", ...input.scorecard });
  const plan = mailingPlan({
    fileSize: input.mailing.fileSize,
    costPerPieceUsd: input.mailing.costPerPieceUsd,
    valuePerResponseUsd: input.mailing.valuePerResponseUsd,
    ...(input.mailing.budgetUsd !== undefined ? { budgetUsd: input.mailing.budgetUsd } : {}),
    gains: holdout.gains,
    baseRate: input.mailing.expectedResponseRate ?? (report.target?.rate as number),
    tiers: input.mailing.tiers,
  });

  // ---- the artifact scoring needs ----
  const sortedDesc = Float64Array.from(pAll).sort().reverse();
  let tierShare = 0;
  const tiers = input.mailing.tiers.map((t) => {
    tierShare = Math.min(100, tierShare + t.sharePct);
    return { name: t.name, minProbability: cutoffAtShare(sortedDesc, tierShare / 100) };
  });
  const artifact: ModelArtifact = {
    format: "modelworks.response-model/1",
    model: { id: MODEL_ID, version: MODEL_VERSION },
    target: input.target,
    idField: input.idField ?? null,
    dataFingerprint: tableFingerprint(table),
    trainedRows: split.train.length,
    preparation,
    intercept,
    coefficients: model.coefficients,
    alpha: input.alpha,
    lambda: chosenLambda,
    lambdaRule: input.lambdaRule,
    decileCutoffs: [...allRows.deciles].sort((a, b) => a.decile - b.decile).map((d) => d.minScore),
    tiers,
    scorecard: prototypeCard,
    metrics: {
      holdoutAuc: holdout.auc.auc,
      holdoutTopDecileLift: holdout.gate.topDecileLift,
      gatePass: holdout.gate.pass,
      responseRate: allRows.responseRate,
    },
  };
  const sqlOptions = {
    table: input.sqlTable,
    passThrough: input.idField ? [input.idField] : [],
    scorecard: prototypeCard,
  };
  const sql = Object.fromEntries(
    SQL_DIALECTS.map((dialect) => [dialect, scoringSql(model, { ...sqlOptions, dialect })]),
  ) as ResponseModelOutput["sql"];

  // ---- the prototype's original CSVs ----
  const sampleRows = Math.min(SCORED_SAMPLE_ROWS, table.rowCount);
  const scoredSample = Array.from({ length: sampleRows }, (_, i) => {
    const record: Record<string, string | null> = {};
    for (const name of table.names) record[name] = table.columns[name]?.[i] ?? null;
    return {
      INDIVIDUALID: (input.idField ? record[input.idField] : null) ?? String(i + 1),
      SCORE: scoreRecord(prototypeCard, record),
      TARGET: y[i] as number,
    };
  });
  const original = prototypeTables({
    coefficients,
    completion,
    responseRate: allRows.responseRate,
    costPerFieldUsd: input.costPerFieldUsd,
    responseRates: allRows.responseRates,
    selection: forwardSelection.rows,
    scorecard: prototypeCard,
    scoredSample,
    matchRates: report.completion.map((c) => ({ field: c.field, match_rate: c.completionPct })),
    features: preparation.columns.map((c) => c.name),
  });

  const cvPath = cv.lambda.map((lambda, l) => ({
    lambda,
    logLambda: Math.log(lambda),
    cvDeviance: cv.cvm[l] as number,
    cvDevianceLower: (cv.cvm[l] as number) - (cv.cvsd[l] as number),
    cvDevianceUpper: (cv.cvm[l] as number) + (cv.cvsd[l] as number),
    nonZero: (cv.fit.beta[l] as Float64Array).reduce((s, b) => s + (b !== 0 ? 1 : 0), 0),
  }));

  const result: Omit<ResponseModelOutput, "executiveSummary"> = {
    kpis: {
      holdoutAuc: holdout.auc.auc,
      holdoutAucLower: holdout.auc.lower,
      holdoutAucUpper: holdout.auc.upper,
      topDecileLift: holdout.gate.topDecileLift,
      gatePass: holdout.gate.pass,
      gate: holdout.gate.pass ? "pass" : "fail",
      bestDepthPct: plan.bestDepth?.depthPct ?? null,
      bestDepthRoi: plan.bestDepth?.roi ?? null,
      lambda: chosenLambda,
      activeColumns: coefficients.filter((c) => c.coefficient !== 0).length,
    },
    dataReport: report,
    split: {
      trainRows: split.train.length,
      holdoutRows: split.holdout.length,
      seed: input.seed,
      holdoutShare: input.holdoutShare,
    },
    preparationReport: prepReport,
    crossValidation: {
      folds,
      lambdaMin: cv.lambdaMin,
      lambda1se: cv.lambda1se,
      chosenLambda,
      lambdaRule: input.lambdaRule,
      path: cvPath,
    },
    holdout,
    allRows,
    coefficients,
    intercept,
    importance,
    forwardSelection,
    scorecards: { prototype: prototypeCard, pdo: pdoCard },
    mailingPlan: plan,
    artifact,
    sql,
    original,
  };
  ctx.progress(0.95, "writing the executive summary");
  const executive = await executiveSummary(result, { llm: ctx.llm, signal });
  ctx.progress(1, "done");
  return { ...result, executiveSummary: executive };
}
