import { defineModel } from "@modelworks/model-kit";
import { loadSolver } from "@modelworks/solver";
import { BINDING_FOCUS, CONSTRAINT_COLUMNS, priceColumns } from "../common/explain-tables.ts";
import { planOutcome } from "../common/outcome.ts";
import { CAPEX_PHASING_EXAMPLES } from "./examples.ts";
import { optimizeCapex } from "./optimize.ts";
import { capexPhasingPrototypeFormat } from "./prototype.ts";
import { CapexPhasingInput, CapexPhasingOutput } from "./schema.ts";

export const capexPhasingV2 = defineModel({
  id: "capex-phasing",
  version: "2.0.0",
  keyResult: {
    path: "kpis.upliftInHorizon",
    title: "Rent uplift in the horizon",
    unit: "currency",
    format: "currency",
    decimals: 0,
  },
  title: "Capex Phasing Planner",
  summary:
    "When to start each refurbishment project: a time-indexed MILP choosing start months within windows, with durations, " +
    "spend profiles, mandatory or optional projects, precedence, a monthly cash cap (optionally carrying unspent cash over) " +
    "and a limit on projects in parallel, maximising the (optionally discounted) rent uplift earned after completion within " +
    "the horizon minus rent lost during works. Gantt data, monthly spend, cash balance and uplift timeline, binding months, " +
    "labelled shadow prices, the MIP gap, re-solved what-ifs (cash ± step, capacity ± 1, window shifts) and, when no " +
    "schedule exists, the conflicting rules (IIS) and the smallest relaxation. Format 'prototype' reproduces seed 004.",
  input: CapexPhasingInput,
  output: CapexPhasingOutput,
  heavy: true,
  warmUp: loadSolver,
  view: "optimizer",
  outcome: planOutcome("schedule"),
  timeoutMs: 120_000,
  examples: CAPEX_PHASING_EXAMPLES,
  formats: { prototype: capexPhasingPrototypeFormat },
  tables: [
    {
      name: "schedule",
      title: "Schedule (Gantt)",
      rows: "schedule",
      columns: [
        { key: "projectId", title: "Project", format: "text" },
        { key: "name", title: "Name", format: "text" },
        { key: "scheduled", title: "Scheduled", format: "text" },
        { key: "startMonth", title: "Start", unit: "month", format: "integer" },
        { key: "endMonth", title: "End", unit: "month", format: "integer" },
        { key: "durationMonths", title: "Duration", unit: "months", format: "integer" },
        { key: "cost", title: "Spend", unit: "currency", format: "currency", decimals: 0 },
        {
          key: "upliftInHorizon",
          title: "Uplift in horizon",
          unit: "currency",
          format: "currency",
          decimals: 0,
        },
        { key: "downtimeLoss", title: "Downtime loss", unit: "currency", format: "currency", decimals: 0 },
        { key: "value", title: "Value (objective)", unit: "currency", format: "currency", decimals: 0 },
      ],
    },
    {
      name: "months",
      title: "Cash and uplift by month",
      rows: "months",
      columns: [
        { key: "month", title: "Month", format: "integer" },
        { key: "cashCap", title: "Cash cap", unit: "currency", format: "currency", decimals: 0 },
        { key: "cashAvailable", title: "Cash available", unit: "currency", format: "currency", decimals: 0 },
        { key: "spend", title: "Spend", unit: "currency", format: "currency", decimals: 0 },
        { key: "balanceEnd", title: "Balance carried", unit: "currency", format: "currency", decimals: 0 },
        { key: "activeProjects", title: "Projects under works", unit: "projects", format: "integer" },
        { key: "active", title: "Under works", format: "text" },
        { key: "upliftEarned", title: "Uplift earned", unit: "currency", format: "currency", decimals: 0 },
        {
          key: "upliftCumulative",
          title: "Cumulative uplift",
          unit: "currency",
          format: "currency",
          decimals: 0,
        },
        { key: "cashBinds", title: "Cash binds", format: "text" },
        { key: "capacityBinds", title: "Capacity binds", format: "text" },
        {
          key: "cashShadowPrice",
          title: "Cash price (fixed-integer LP)",
          unit: "objective currency per currency",
          format: "number",
          decimals: 6,
        },
        {
          key: "cashShadowPriceLpRelaxation",
          title: "Cash price (LP relaxation)",
          unit: "objective currency per currency",
          format: "number",
          decimals: 6,
        },
      ],
    },
    {
      name: "what-if",
      title: "What-if answers (re-solved)",
      rows: "whatIf",
      columns: [
        { key: "question", title: "Question", format: "text" },
        { key: "status", title: "Status", format: "text" },
        { key: "objective", title: "Objective", unit: "currency", format: "currency", decimals: 0 },
        { key: "deltaObjective", title: "Change", unit: "currency", format: "currency", decimals: 0 },
        { key: "projectsScheduled", title: "Projects scheduled", format: "integer" },
        { key: "changes", title: "Start months that change", format: "text" },
      ],
    },
    {
      name: "shadow-prices",
      title: "Shadow prices (see the basis label)",
      rows: "shadowPrices.rows",
      columns: priceColumns(),
    },
    {
      name: "lp-relaxation-prices",
      title: "Shadow prices of the LP relaxation (fractional starts)",
      rows: "lpRelaxationPrices.rows",
      columns: priceColumns(),
    },
    {
      name: "constraints",
      title: "Constraints at the plan",
      rows: "constraints",
      columns: CONSTRAINT_COLUMNS,
      focus: BINDING_FOCUS,
    },
  ],
  charts: [
    {
      name: "gantt",
      title: "Schedule (months of works)",
      kind: "gantt",
      table: "schedule",
      x: "projectId",
      y: ["startMonth", "endMonth"],
    },
    {
      name: "spend",
      title: "Spend and cash by month",
      kind: "bar",
      table: "months",
      x: "month",
      y: ["spend", "cashAvailable"],
    },
    {
      name: "uplift",
      title: "Cumulative rent uplift",
      kind: "line",
      table: "months",
      x: "month",
      y: ["upliftCumulative"],
    },
  ],
  run: (input, ctx) => {
    ctx.signal.throwIfAborted();
    return optimizeCapex(input, { signal: ctx.signal, progress: (f, m) => ctx.progress(f, m) });
  },
});
