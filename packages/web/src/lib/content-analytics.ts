import type { ContentAnalyticsDto } from "@modelworks/contracts/content";
import type { z } from "zod";
import { formatValue } from "../format.ts";
import type { ChartOption } from "./charts.ts";

/**
 * The prototype's three analytics views (issue 17 item 6) as ECharts options, from the server's
 * GET /content/analytics (computed there from stored runs, posts and results; nothing here
 * invents a number). Pure, so the options are tested without a browser.
 */
export type ContentAnalytics = z.output<typeof ContentAnalyticsDto>;

const pct = (v: number) => formatValue(v, "fraction", 0);
const runLabel = (iso: string, i: number) => `#${i + 1} ${iso.slice(5, 10)}`;

/** Phase comparison: each run's phase scores (lines, 0–1) and its evidence and insight counts (bars). */
export function phaseComparisonOption(a: ContentAnalytics): ChartOption {
  const runs = a.phaseComparison.runs;
  const x = runs.map((r, i) => runLabel(r.finishedAt, i));
  const line = (name: string, data: number[]) => ({ name, type: "line", yAxisIndex: 0, data });
  const bar = (name: string, data: number[]) => ({ name, type: "bar", yAxisIndex: 1, data });
  return {
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 56, right: 56, top: 24, bottom: 56 },
    xAxis: { type: "category", data: x },
    yAxis: [
      { type: "value", min: 0, max: 1, axisLabel: { formatter: pct } },
      { type: "value", name: "count", minInterval: 1 },
    ],
    series: [
      line(
        "Query clarity",
        runs.map((r) => r.queryClarity),
      ),
      line(
        "Source quality",
        runs.map((r) => r.sourceQuality),
      ),
      line(
        "Engagement potential",
        runs.map((r) => r.engagementPotential),
      ),
      bar(
        "Sources used",
        runs.map((r) => r.sourcesUsed),
      ),
      bar(
        "Insights",
        runs.map((r) => r.insights),
      ),
      bar(
        "Unsupported claims",
        runs.map((r) => r.unsupportedClaims),
      ),
    ],
  };
}

/** Learning analytics: each pattern's confidence run by run (the 0.7 bar is where boosting starts), and the boost. */
export function learningOption(a: ContentAnalytics): ChartOption {
  const runs = a.learning.boostTrend;
  const x = runs.map((r, i) => runLabel(r.finishedAt, i));
  const index = new Map(runs.map((r, i) => [r.runId, i]));
  return {
    tooltip: { trigger: "axis", valueFormatter: (v: number) => (typeof v === "number" ? pct(v) : "—") },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 56, right: 24, top: 24, bottom: 56 },
    xAxis: { type: "category", data: x },
    yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: pct } },
    series: [
      ...a.learning.patterns.slice(0, 8).map((p) => {
        const data: (number | null)[] = runs.map(() => null);
        for (const h of p.history) {
          const i = index.get(h.runId);
          if (i !== undefined) data[i] = h.confidence;
        }
        return { name: p.id, type: "line", connectNulls: false, data };
      }),
      {
        name: "Learning boost",
        type: "bar",
        data: runs.map((r) => r.learningBoost),
        barMaxWidth: 16,
      },
    ],
  };
}

/** Predicted vs actual: one point per measured post, with the diagonal a perfect predictor would sit on. */
export function predictedVsActualOption(a: ContentAnalytics): ChartOption {
  const posts = a.predictedVsActual.posts;
  return {
    tooltip: {
      trigger: "item",
      formatter: (p: { data: [number, number, string] }) =>
        `${p.data[2]}: predicted ${pct(p.data[0])}, actual ${pct(p.data[1])}`,
    },
    grid: { left: 56, right: 24, top: 24, bottom: 48 },
    xAxis: { type: "value", name: "predicted", min: 0, max: 1, axisLabel: { formatter: pct } },
    yAxis: { type: "value", name: "actual (percentile)", min: 0, max: 1, axisLabel: { formatter: pct } },
    series: [
      {
        name: "Posts",
        type: "scatter",
        data: posts.map((p) => [p.predicted, p.actual, p.variantKind]),
      },
      {
        name: "Perfect prediction",
        type: "line",
        data: [
          [0, 0],
          [1, 1],
        ],
        showSymbol: false,
        lineStyle: { type: "dashed" },
        tooltip: { show: false },
      },
    ],
  };
}

/** The headline under predicted vs actual: how many posts, r and the mean absolute error. */
export function accuracySummary(a: ContentAnalytics): string {
  const { posts, correlation, meanAbsoluteError } = a.predictedVsActual;
  if (!posts.length) return "No published post with a prediction has recorded results yet.";
  const r =
    correlation === null ? "r not defined (under 3 posts, or no spread)" : `r = ${correlation.toFixed(2)}`;
  return `${posts.length} post${posts.length === 1 ? "" : "s"} · ${r} · mean absolute error ${formatValue(meanAbsoluteError, "fraction", 1)}`;
}
