import { defineModel } from "@modelworks/model-kit";
import { loadSolver } from "@modelworks/solver";
import { BINDING_FOCUS, CONSTRAINT_COLUMNS, priceColumns } from "../common/explain-tables.ts";
import { planOutcome } from "../common/outcome.ts";
import { LEASING_MIX_EXAMPLES } from "./examples.ts";
import { optimizeLeasingMix } from "./optimize.ts";
import { leasingMixPrototypeFormat } from "./prototype.ts";
import { LeasingMixInput, LeasingMixOutput } from "./schema.ts";

export const leasingMixV2 = defineModel({
  id: "leasing-mix",
  version: "2.0.0",
  keyResult: { path: "kpis.ncf12", title: "12-month NCF", unit: "currency", format: "currency", decimals: 0 },
  title: "Leasing Mix Optimizer",
  summary:
    "Which lease packages to offer on the vacant units: integer units per package maximising the 12-month net cash flow " +
    "(rent after lag and rent-free months, less incentives and fees) under an occupancy target (hard, or soft with a " +
    "shortfall penalty), an incentive budget, a rent-weighted WAULT target over in-place and new leases, share caps and " +
    "demand limits. Explains binding constraints, shadow prices (labelled), the MIP gap, re-solved what-ifs and, when no " +
    "plan exists, the conflicting constraints (IIS) and the smallest relaxation. Format 'prototype' reproduces seed 004.",
  input: LeasingMixInput,
  output: LeasingMixOutput,
  heavy: true,
  warmUp: loadSolver,
  view: "optimizer",
  outcome: planOutcome("leasing mix"),
  timeoutMs: 120_000,
  examples: LEASING_MIX_EXAMPLES,
  formats: { prototype: leasingMixPrototypeFormat },
  tables: [
    {
      name: "mix",
      title: "Lease mix",
      rows: "mix",
      columns: [
        { key: "packageId", title: "Package", format: "text" },
        { key: "name", title: "Name", format: "text" },
        { key: "units", title: "Units", unit: "units", format: "number", decimals: 4 },
        {
          key: "shareOfNewLeases",
          title: "Share of new leases",
          unit: "fraction",
          format: "percent",
          decimals: 1,
        },
        { key: "termMonths", title: "Lease term", unit: "months", format: "integer" },
        {
          key: "rentPerUnitAnnual",
          title: "Rent",
          unit: "currency/unit/yr",
          format: "currency",
          decimals: 0,
        },
        {
          key: "incentivePerUnit",
          title: "Incentive",
          unit: "currency/unit",
          format: "currency",
          decimals: 0,
        },
        {
          key: "ncf12PerUnit",
          title: "12-month NCF per unit",
          unit: "currency/unit",
          format: "currency",
          decimals: 2,
        },
        { key: "ncf12", title: "12-month NCF", unit: "currency", format: "currency", decimals: 2 },
        {
          key: "incentiveSpend",
          title: "Incentive spend",
          unit: "currency",
          format: "currency",
          decimals: 2,
        },
        { key: "demandUnits", title: "Demand limit", unit: "units", format: "integer" },
      ],
    },
    {
      name: "what-if",
      title: "What-if answers (re-solved)",
      rows: "whatIf",
      columns: [
        { key: "question", title: "Question", format: "text" },
        { key: "status", title: "Status", format: "text" },
        { key: "ncf12", title: "12-month NCF", unit: "currency", format: "currency", decimals: 2 },
        { key: "deltaNcf12", title: "Change of NCF", unit: "currency", format: "currency", decimals: 2 },
        { key: "occupancy", title: "Occupancy", unit: "fraction", format: "percent", decimals: 2 },
        { key: "waultMonths", title: "WAULT", unit: "months", format: "number", decimals: 2 },
        {
          key: "incentiveSpend",
          title: "Incentive spend",
          unit: "currency",
          format: "currency",
          decimals: 2,
        },
        { key: "answer", title: "Answer", format: "text" },
      ],
    },
    {
      name: "shadow-prices",
      title: "Shadow prices (see the basis label)",
      rows: "shadowPrices.rows",
      columns: priceColumns({ decimals: 4 }),
    },
    {
      name: "lp-relaxation-prices",
      title: "Shadow prices of the LP relaxation (fractional units)",
      rows: "lpRelaxationPrices.rows",
      columns: priceColumns({ decimals: 4 }),
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
    { name: "mix-units", title: "Units by package", kind: "bar", table: "mix", x: "packageId", y: ["units"] },
    {
      name: "what-if-ncf",
      title: "12-month NCF by what-if",
      kind: "bar",
      table: "what-if",
      x: "question",
      y: ["ncf12"],
    },
  ],
  run: (input, ctx) => {
    ctx.signal.throwIfAborted();
    return optimizeLeasingMix(input, { signal: ctx.signal, progress: (f, m) => ctx.progress(f, m) });
  },
});
