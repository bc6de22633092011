import type { ChartDescriptor, TableDescriptor } from "@modelworks/model-kit";

const irr = (key: string, title: string) => ({
  key,
  title,
  unit: "fraction/yr",
  format: "percent" as const,
  decimals: 2,
});
const usd = (key: string, title: string) => ({
  key,
  title,
  unit: "USD",
  format: "currency" as const,
  decimals: 0,
});

export const MONTE_CARLO_TABLES: TableDescriptor[] = [
  {
    name: "percentiles",
    title: "Percentiles of the returns",
    rows: "percentiles",
    columns: [
      { key: "percentile", title: "Percentile", format: "integer" },
      irr("leveredIrr", "Levered IRR"),
      irr("unleveredIrr", "Unlevered IRR"),
      { key: "equityMultiple", title: "Equity multiple", unit: "×", format: "number", decimals: 2 },
      usd("npvLeveredUsd", "Levered NPV"),
      usd("profitUsd", "Profit"),
    ],
  },
  {
    name: "histogram",
    title: "Distribution of the levered IRR",
    rows: "histogram",
    columns: [
      irr("fromIrr", "From"),
      irr("toIrr", "To"),
      irr("midIrr", "Bin middle"),
      { key: "count", title: "Iterations", format: "integer" },
      { key: "share", title: "Share", unit: "fraction", format: "percent", decimals: 1 },
    ],
  },
  {
    name: "inputs",
    title: "Varied inputs and their rank correlation with the levered IRR",
    rows: "inputs",
    columns: [
      { key: "label", title: "Input", format: "text" },
      { key: "distribution", title: "Distribution", format: "text" },
      { key: "unit", title: "Unit", format: "text" },
      { key: "baseValue", title: "Deal's value", format: "number", decimals: 4 },
      { key: "sampledMean", title: "Sampled mean", format: "number", decimals: 4 },
      { key: "sampledP10", title: "Sampled P10", format: "number", decimals: 4 },
      { key: "sampledP90", title: "Sampled P90", format: "number", decimals: 4 },
      { key: "clampedDraws", title: "Clamped draws", format: "integer" },
      { key: "spearmanLeveredIrr", title: "Spearman ρ with levered IRR", format: "number", decimals: 3 },
    ],
  },
  {
    name: "tornado",
    title: "Tornado: levered IRR with each input at its P10 and P90",
    rows: "tornado",
    columns: [
      { key: "label", title: "Input", format: "text" },
      { key: "lowValue", title: "P10 value", format: "number", decimals: 4 },
      { key: "highValue", title: "P90 value", format: "number", decimals: 4 },
      irr("leveredIrrAtLow", "Levered IRR at P10"),
      irr("leveredIrrAtHigh", "Levered IRR at P90"),
      { key: "lowDeltaBps", title: "Δ at P10", unit: "bps", format: "number", decimals: 0 },
      { key: "highDeltaBps", title: "Δ at P90", unit: "bps", format: "number", decimals: 0 },
      { key: "swingBps", title: "Swing", unit: "bps", format: "number", decimals: 0 },
    ],
  },
];

export const MONTE_CARLO_CHARTS: ChartDescriptor[] = [
  { name: "irr-histogram", title: "Levered IRR", kind: "bar", table: "histogram", x: "midIrr", y: ["count"] },
  {
    name: "tornado",
    title: "Tornado (levered IRR vs the deal, bps)",
    kind: "bar",
    table: "tornado",
    x: "label",
    y: ["lowDeltaBps", "highDeltaBps"],
  },
  {
    name: "rank-correlation",
    title: "Rank correlation with the levered IRR",
    kind: "bar",
    table: "inputs",
    x: "label",
    y: ["spearmanLeveredIrr"],
  },
];
