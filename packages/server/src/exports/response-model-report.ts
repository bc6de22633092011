import type { ResponseModelOutput } from "@modelworks/engine-response-model";
import type { ChartKind } from "@modelworks/model-kit";
import { displayValue as displayValueOf, type ValueFormat } from "./cells.ts";
import type {
  Column,
  ExportableRun,
  Field,
  PagedBlock,
  PagedDocument,
  ResolvedChart,
  ResolvedTable,
  RunReport,
} from "./report.ts";
import { pagedTable } from "./report.ts";

/**
 * The response model's own report (issue 15 item 9): the tables a statistician and a mailing
 * planner read — metrics with the AUC's confidence interval and the gate, deciles on the holdout
 * and on all rows, coefficients, importance, forward selection, scorecard rules, the mailing plan
 * with the best depth, calibration and the data checks — built once from the run's output and
 * written by ./response-model-workbook.ts (XLSX) and as a paged document (PDF, Word) with the
 * executive summary and the charts drawn from the same rows. Pure: no I/O.
 */

export const RESPONSE_MODEL_REPORT = "model-report";

export function hasResponseModelReport(modelId: string, modelVersion: string): boolean {
  return modelId === "response-model" && modelVersion.startsWith("1.");
}

type Out = ResponseModelOutput;
type Evaluation = Out["holdout"];

/** Formats shared by the workbook and the paper: probabilities to 4 decimals, shares as %, money in USD. */
const PROB: ValueFormat = { format: "number", decimals: 4 };
const PCT1: ValueFormat = { format: "percent", decimals: 1 };
const PCT0: ValueFormat = { format: "percent", decimals: 0 };
const USD0: ValueFormat = { format: "currency", unit: "USD", decimals: 0 };
const USD2: ValueFormat = { format: "currency", unit: "USD", decimals: 2 };
const INT: ValueFormat = { format: "integer" };
const TEXT: ValueFormat = { format: "text" };
const dec = (decimals: number): ValueFormat => ({ format: "number", decimals });
/**
 * Shares the engine writes in percent points (31.0 = 31 %) are shown as fractions with a percent
 * format, so a spreadsheet computes with them as shares (`points` divides those keys by 100).
 */
const PCT_POINTS = (decimals: number): ValueFormat => ({ format: "percent", decimals });
function points<T extends object>(rows: readonly T[], keys: string[]): Record<string, unknown>[] {
  return rows.map((r) => {
    const out = { ...r } as Record<string, unknown>;
    for (const k of keys) {
      const v = out[k];
      if (typeof v === "number") out[k] = v / 100;
    }
    return out;
  });
}

const col = (key: string, title: string, f: ValueFormat): Column => ({ key, title, ...f }) as Column;

/** One metric of the summary, on the holdout and on all rows. */
export interface MetricRow extends ValueFormat {
  label: string;
  holdout: number | string | null;
  allRows: number | string | null;
}

export function metricRows(o: Out): MetricRow[] {
  const h = o.holdout;
  const a = o.allRows;
  const both = (
    label: string,
    f: ValueFormat,
    get: (e: Evaluation) => number | string | null,
  ): MetricRow => ({
    label,
    ...f,
    holdout: get(h),
    allRows: get(a),
  });
  return [
    both("Rows", INT, (e) => e.rows),
    both("Responders", INT, (e) => e.responders),
    both("Response rate", PCT1, (e) => e.responseRate),
    both("AUC", PROB, (e) => e.auc.auc),
    both("AUC 95 % CI, lower (DeLong)", PROB, (e) => e.auc.lower),
    both("AUC 95 % CI, upper (DeLong)", PROB, (e) => e.auc.upper),
    both("AUC standard error", PROB, (e) => e.auc.standardError),
    both("Gini", PROB, (e) => e.gini),
    both("KS", PROB, (e) => e.ks),
    both("Average precision", PROB, (e) => e.averagePrecision),
    both("Log loss", PROB, (e) => e.logLoss),
    both("Brier score", PROB, (e) => e.brier),
    both("Top-decile response rate", PCT1, (e) => e.gate.topDecileRate),
    both("Top-decile lift", dec(2), (e) => e.gate.topDecileLift),
    both("Gate: minimum top-decile lift", dec(2), (e) => e.gate.minTopDecileLift),
    both("Gate", TEXT, (e) => (e.gate.pass ? "PASS" : "FAIL")),
  ];
}

/** The fit's settings and the chosen lambda. */
export function fitFields(o: Out): Field[] {
  const cv = o.crossValidation;
  return [
    { label: "Training rows", value: o.split.trainRows, ...INT },
    { label: "Holdout rows", value: o.split.holdoutRows, ...INT },
    { label: "Holdout share", value: o.split.holdoutShare, ...PCT0 },
    { label: "Cross-validation folds", value: cv.folds, ...INT },
    { label: "Lambda rule", value: cv.lambdaRule, ...TEXT },
    { label: "Lambda (chosen)", value: cv.chosenLambda, ...dec(6) },
    { label: "lambda.min", value: cv.lambdaMin, ...dec(6) },
    { label: "lambda.1se", value: cv.lambda1se, ...dec(6) },
    { label: "Active columns", value: o.kpis.activeColumns, ...INT },
    { label: "Intercept", value: o.intercept, ...dec(6) },
  ];
}

const DECILE_COLUMNS: Column[] = [
  col("decile", "Decile (10 = best)", INT),
  col("count", "Customers", INT),
  col("responders", "Responders", INT),
  col("rate", "Response rate", PCT1),
  col("lift", "Lift", dec(2)),
  col("cumulativeCapturePct", "Cumulative capture", PCT_POINTS(1)),
  col("cumulativeLift", "Cumulative lift", dec(2)),
  col("avgScore", "Mean probability", PROB),
  col("minScore", "Lowest probability", PROB),
  col("maxScore", "Highest probability", PROB),
];

/** Best decile first, as the decile table is read. */
const decileRows = (e: Evaluation) =>
  points(
    [...e.deciles].sort((x, y) => y.decile - x.decile),
    ["cumulativeCapturePct"],
  );

export function decileTables(o: Out): ResolvedTable[] {
  return [
    {
      name: "deciles-holdout",
      title: "Deciles on the holdout",
      columns: DECILE_COLUMNS,
      rows: decileRows(o.holdout),
    },
    {
      name: "deciles-all",
      title: "Deciles on all rows",
      columns: DECILE_COLUMNS,
      rows: decileRows(o.allRows),
    },
  ];
}

export function coefficientTable(o: Out, top?: number): ResolvedTable {
  const rows = [...o.coefficients].sort((a, b) => Math.abs(b.standardized) - Math.abs(a.standardized));
  const shown = top === undefined ? rows : rows.filter((r) => r.coefficient !== 0).slice(0, top);
  return {
    name: "coefficients",
    title: top === undefined ? "Coefficients" : `Top ${shown.length} coefficients by |standardized|`,
    columns: [
      col("column", "Column", TEXT),
      col("field", "Source field", TEXT),
      col("level", "Level", TEXT),
      col("coefficient", "Coefficient (original units)", dec(6)),
      col("standardized", "Standardized", dec(6)),
      col("oddsRatio", "Odds ratio", dec(4)),
    ],
    rows:
      top === undefined
        ? [{ column: "(intercept)", field: null, level: null, coefficient: o.intercept }, ...shown]
        : shown,
  };
}

export function importanceTable(o: Out): ResolvedTable {
  return {
    name: "importance",
    title: "Importance by source field",
    columns: [
      col("field", "Source field", TEXT),
      col("importance", "Importance (Σ |standardized coef.|)", dec(4)),
      col("sharePct", "Share", PCT_POINTS(1)),
      col("activeColumns", "Active columns", INT),
      col("matchRatePct", "Completion", PCT_POINTS(1)),
    ],
    rows: points(o.importance, ["sharePct", "matchRatePct"]),
  };
}

export function selectionTable(o: Out): ResolvedTable {
  return {
    name: "forward-selection",
    title: "Forward selection by source field",
    columns: [
      col("n_variables", "Fields", INT),
      col("added_variable", "Field added", TEXT),
      col("auc_score", "Holdout AUC", PROB),
      col("incremental_auc", "AUC gained", PROB),
      col("share_of_best", "Share of best performance", PCT1),
      col("top_decile_response", "Top-decile response", PCT_POINTS(1)),
      col("cost_per_variable", "Cost of the field", USD2),
      col("cumulative_cost", "Cumulative cost", USD2),
      col("roi_metric", "Return per field", dec(4)),
    ],
    rows: points(o.forwardSelection.rows, ["top_decile_response"]),
  };
}

export function scorecardTable(o: Out): ResolvedTable {
  const scaleName = (s: Out["scorecards"]["pdo"]["scale"]) =>
    s.kind === "prototype"
      ? "Prototype (base 1,000, int(coef × 1,000))"
      : `PDO ${s.pdo} (base ${s.basePoints} points at odds ${s.baseOdds})`;
  const rows = [o.scorecards.prototype, o.scorecards.pdo].flatMap((card) =>
    card.rules.map((r) => ({
      scale: scaleName(card.scale),
      kind: r.kind,
      field: r.kind === "base" ? null : r.field,
      rule: r.text,
      points: r.kind === "linear" ? r.pointsPerUnit : r.points,
    })),
  );
  return {
    name: "scorecard",
    title: "Scorecard rules (raw units)",
    columns: [
      col("scale", "Scale", TEXT),
      col("kind", "Kind", TEXT),
      col("field", "Field", TEXT),
      col("rule", "Rule", TEXT),
      col("points", "Points (per unit for linear rules)", dec(2)),
    ],
    rows,
  };
}

export function mailingTable(o: Out): ResolvedTable {
  const plan = o.mailingPlan;
  const rows = points(plan.rows, ["depthPct"]).map((r, i) => ({
    ...r,
    best:
      [
        plan.bestDepth?.depthPct === plan.rows[i]!.depthPct ? "best" : null,
        plan.bestDepthWithinBudget?.depthPct === plan.rows[i]!.depthPct &&
        plan.bestDepthWithinBudget.depthPct !== plan.bestDepth?.depthPct
          ? "best within budget"
          : null,
      ]
        .filter(Boolean)
        .join(", ") || null,
    withinBudget: plan.rows[i]!.withinBudget ? "yes" : "no",
  }));
  return {
    name: "mailing-plan",
    title: "Mailing plan by depth",
    columns: [
      col("depthPct", "Depth", PCT_POINTS(0)),
      col("pieces", "Pieces", INT),
      col("costUsd", "Cost", USD0),
      col("expectedResponses", "Expected responses", dec(0)),
      col("responseRate", "Response rate", PCT1),
      col("costPerResponseUsd", "Cost per response", USD2),
      col("revenueUsd", "Revenue", USD0),
      col("profitUsd", "Profit", USD0),
      col("roi", "ROI", PCT0),
      col("withinBudget", "Within budget", TEXT),
      col("best", "Best depth", TEXT),
    ],
    rows,
  };
}

export function tierTable(o: Out): ResolvedTable {
  return {
    name: "tiers",
    title: "Priority tiers",
    columns: [
      col("name", "Tier", TEXT),
      col("fromPct", "From", PCT_POINTS(0)),
      col("toPct", "To", PCT_POINTS(0)),
      col("pieces", "Pieces", INT),
      col("expectedResponses", "Expected responses", dec(0)),
      col("responseRate", "Response rate", PCT1),
      col("costUsd", "Cost", USD0),
      col("profitUsd", "Profit", USD0),
      col("roi", "ROI", PCT0),
    ],
    rows: points(o.mailingPlan.tiers, ["fromPct", "toPct"]),
  };
}

/** The best depth (within the budget when one is given) as label–value rows. */
export function bestDepthFields(o: Out): Field[] {
  const best = o.mailingPlan.bestDepthWithinBudget ?? o.mailingPlan.bestDepth;
  if (!best) return [{ label: "Best depth", value: "none: no depth is profitable at these costs", ...TEXT }];
  return [
    { label: "Best depth", value: best.depthPct / 100, ...PCT_POINTS(0) },
    { label: "Pieces", value: best.pieces, ...INT },
    { label: "Cost", value: best.costUsd, ...USD0 },
    { label: "Expected responses", value: best.expectedResponses, ...dec(0) },
    { label: "Profit", value: best.profitUsd, ...USD0 },
    { label: "ROI", value: best.roi, ...PCT1 },
  ];
}

export function calibrationTable(o: Out): ResolvedTable {
  return {
    name: "calibration",
    title: "Calibration on the holdout",
    columns: [
      col("bin", "Bin", INT),
      col("lower", "From probability", PROB),
      col("upper", "To probability", PROB),
      col("count", "Customers", INT),
      col("responders", "Responders", INT),
      col("meanPredicted", "Mean predicted", PROB),
      col("observedRate", "Observed rate", PROB),
    ],
    rows: o.holdout.calibration,
  };
}

export function dataCheckTables(o: Out): ResolvedTable[] {
  const d = o.dataReport;
  return [
    {
      name: "data-issues",
      title: "Data checks: errors and warnings",
      columns: [
        col("severity", "Severity", TEXT),
        col("field", "Field", TEXT),
        col("code", "Check", TEXT),
        col("message", "Message", TEXT),
      ],
      rows: d.issues,
    },
    {
      name: "excluded",
      title: "Fields left out of the model",
      columns: [col("field", "Field", TEXT), col("reasons", "Why", TEXT)],
      rows: d.excluded.map((e) => ({ field: e.field, reasons: e.reasons.join(", ") })),
    },
    {
      name: "completion",
      title: "Field completion",
      columns: [
        col("field", "Field", TEXT),
        col("nonMissing", "Filled", INT),
        col("completionPct", "Completion", PCT_POINTS(1)),
      ],
      rows: points(d.completion, ["completionPct"]),
    },
  ];
}

/* ---- charts: declared over the rows above, drawn by ./charts.ts as vectors ---- */

function chart(
  name: string,
  title: string,
  kind: ChartKind,
  table: ResolvedTable,
  x: string,
  y: string[],
  xValue = false,
): ResolvedChart {
  return {
    name,
    title,
    descriptor: { name, title, kind, table: table.name, x, y },
    table,
    ...(xValue ? { xValue } : {}),
  };
}

/** The curves' points as tables (also the workbook's chart data), with the no-model reference line. */
export function curveTables(o: Out): { roc: ResolvedTable; gains: ResolvedTable; pr: ResolvedTable } {
  const h = o.holdout;
  return {
    roc: {
      name: "roc",
      title: "ROC curve (holdout)",
      columns: [
        col("fpr", "False positive rate", PROB),
        col("tpr", "True positive rate", PROB),
        col("chance", "No model", PROB),
        col("threshold", "Probability threshold", PROB),
      ],
      rows: h.roc.map((p) => ({ ...p, chance: p.fpr })),
    },
    gains: {
      name: "gains",
      title: "Cumulative gains (holdout)",
      columns: [
        col("depth", "Depth", PCT1),
        col("capture", "Responders captured", PCT1),
        col("random", "No model", PCT1),
        col("lift", "Cumulative lift", dec(2)),
      ],
      rows: h.gains.map((p) => ({ ...p, random: p.depth })),
    },
    pr: {
      name: "precision-recall",
      title: "Precision–recall (holdout)",
      columns: [
        col("recall", "Recall", PROB),
        col("precision", "Precision", PROB),
        col("baseRate", "No model", PROB),
        col("threshold", "Probability threshold", PROB),
      ],
      rows: h.precisionRecall.map((p) => ({ ...p, baseRate: h.responseRate })),
    },
  };
}

export function reportCharts(o: Out): ResolvedChart[] {
  const { roc, gains, pr } = curveTables(o);
  const [deciles] = decileTables(o);
  const ascending = { ...deciles!, rows: [...deciles!.rows].reverse() };
  return [
    chart("roc", "ROC curve (holdout)", "line", roc, "fpr", ["tpr", "chance"], true),
    chart("lift", "Lift by decile (holdout, 10 = best)", "bar", ascending, "decile", ["lift"]),
    chart("gains", "Cumulative gains (holdout)", "line", gains, "depth", ["capture", "random"], true),
    chart(
      "precision-recall",
      "Precision–recall (holdout)",
      "line",
      pr,
      "recall",
      ["precision", "baseRate"],
      true,
    ),
    chart("decile-rate", "Response rate by decile (holdout)", "bar", ascending, "decile", ["rate"]),
  ];
}

/* ---- the paged report (PDF, Word) ---- */

/** The executive summary's lines as blocks: its section names as headings, bullets as paragraphs. */
export function summaryBlocks(text: string): PagedBlock[] {
  const blocks: PagedBlock[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || /^executive summary$/i.test(line)) continue;
    if (/^[-•*]\s+/.test(line))
      blocks.push({ kind: "paragraph", text: `• ${line.replace(/^[-•*]\s+/, "")}` });
    else if (line.length <= 60 && !/[.:;]$/.test(line))
      blocks.push({ kind: "heading", text: line.replace(/^#+\s*/, ""), level: 3 });
    else blocks.push({ kind: "paragraph", text: line });
  }
  return blocks;
}

const TOP_COEFFICIENTS = 15;

export function responseModelDocument(o: Out, r: RunReport, run: ExportableRun): PagedDocument {
  const h = o.holdout;
  const s = o.executiveSummary;
  const by =
    s.generatedBy === "built-in"
      ? `Written by the built-in template from the run's numbers${s.fallbackReason ? ` (the language model's text was not used: ${s.fallbackReason})` : ""}.`
      : `Written by ${s.generatedBy.provider} ${s.generatedBy.model} from the run's numbers; every number in it was checked against the results.`;
  const metrics = metricRows(o);
  const charts = reportCharts(o);
  const chartBlock = (name: string): PagedBlock => {
    const c = charts.find((x) => x.name === name)!;
    return { kind: "chart", title: c.title, chart: c };
  };
  const [holdoutDeciles, allDeciles] = decileTables(o);
  const gate = h.gate;
  const blocks: PagedBlock[] = [
    {
      kind: "fields",
      rows: [
        { label: "Run", value: run.id, ...TEXT },
        { label: "Model", value: `${r.model.title} (${run.modelId}@${run.modelVersion})`, ...TEXT },
        { label: "Customers", value: o.dataReport.rowCount, ...INT },
        { label: "Target", value: o.artifact.target, ...TEXT },
        {
          label: "Holdout AUC (95 % CI)",
          value: `${h.auc.auc.toFixed(3)} (${h.auc.lower.toFixed(3)}–${h.auc.upper.toFixed(3)})`,
          ...TEXT,
        },
        { label: "Deployment gate", value: `${gate.pass ? "PASS" : "FAIL"}: ${gate.message}`, ...TEXT },
      ],
    },
    { kind: "heading", text: "Executive summary", level: 2 },
    ...summaryBlocks(s.text),
    { kind: "paragraph", text: by, note: true },
    { kind: "pageBreak" },
    { kind: "heading", text: "Key results", level: 2 },
    {
      kind: "table",
      title: "Metrics",
      columns: [col("label", "Metric", TEXT), col("holdout", "Holdout", {}), col("allRows", "All rows", {})],
      // Each row has its own format: shown as text formatted by the row.
      rows: metrics.map((m) => ({
        label: m.label,
        holdout: formatted(m.holdout, m, r),
        allRows: formatted(m.allRows, m, r),
      })),
    },
    { kind: "heading", text: "Deployment gate", level: 3 },
    {
      kind: "paragraph",
      text: `${gate.pass ? "PASS" : "FAIL"} — top-decile lift ${gate.topDecileLift.toFixed(2)} against a minimum of ${gate.minTopDecileLift.toFixed(2)}. ${gate.message}`,
    },
    { kind: "heading", text: "Fit", level: 3 },
    { kind: "fields", rows: fitFields(o) },
    { kind: "heading", text: "Charts", level: 2 },
    chartBlock("roc"),
    chartBlock("lift"),
    chartBlock("gains"),
    chartBlock("precision-recall"),
    chartBlock("decile-rate"),
    { kind: "heading", text: holdoutDeciles!.title, level: 2 },
    ...pagedTable(holdoutDeciles!, true),
    { kind: "heading", text: allDeciles!.title, level: 2 },
    ...pagedTable(allDeciles!, true),
    { kind: "heading", text: "Top coefficients", level: 2 },
    ...pagedTable(coefficientTable(o, TOP_COEFFICIENTS)),
    ...pagedTable(importanceTable(o)),
    { kind: "heading", text: "Mailing plan", level: 2 },
    { kind: "fields", rows: bestDepthFields(o) },
    ...pagedTable(mailingTable(o)),
    ...pagedTable(tierTable(o)),
    { kind: "heading", text: "Data checks", level: 2 },
    ...pagedTable(dataCheckTables(o)[0]!),
  ];
  return {
    fileStem: `${r.fileStem}-${RESPONSE_MODEL_REPORT}`,
    title: r.dealName ?? "Direct-mail response model — model report",
    subtitle: `${r.model.title} (${run.modelId}@${run.modelVersion}) · run ${run.id}`,
    paper: r.paper,
    locale: r.locale,
    blocks,
  };
}

/** A metric written as its row's format says (the metrics table mixes rates, AUCs and counts). */
function formatted(v: number | string | null, f: ValueFormat, r: RunReport): string | null {
  if (v === null || typeof v === "string") return v;
  return displayValueOf(v, r.numberStyle ? { ...f, style: r.numberStyle } : f);
}
