import { defineModel } from "@modelworks/model-kit";
import { loadSolver } from "@modelworks/solver";
import { priceColumns } from "../common/explain-tables.ts";
import { planOutcome } from "../common/outcome.ts";
import { DEBT_STACK_EXAMPLES } from "./examples.ts";
import { optimizeDebtStack } from "./optimize.ts";
import { debtStackPrototypeFormat } from "./prototype.ts";
import { DebtStackInput, DebtStackOutput } from "./schema.ts";
import { debtStackTermSheetDocument } from "./term-sheet.ts";

export const debtStackV3 = defineModel({
  id: "debt-stack",
  version: "3.0.0",
  title: "Debt Stack Mixer",
  summary:
    "How to fund an acquisition: equity and tranche amounts (fixed or floating, interest-only then amortizing; lender " +
    "minimums and fixed fees make a tranche an on/off choice) plus optional caps and swaps (constant or amortizing with a " +
    "tranche), at minimum expected (or worst-case) annual financing cost, with sources = uses, equity available, LTV/LTC, " +
    "DSCR on real debt service in every year and rate scenario, debt yield and a minimum fixed-or-hedged share of the " +
    "balance outstanding every year. Explains binding covenants, shadow prices with units and ranges (LP duals, or duals " +
    "with the on/off choices fixed), re-solved what-ifs and, when no stack exists, the conflicting covenants (IIS) and the " +
    "smallest relaxation. Format 'prototype' reads seed-004 requests.",
  input: DebtStackInput,
  output: DebtStackOutput,
  heavy: true,
  warmUp: loadSolver,
  view: "optimizer",
  outcome: planOutcome("financing stack"),
  timeoutMs: 120_000,
  examples: DEBT_STACK_EXAMPLES,
  formats: { prototype: debtStackPrototypeFormat },
  tables: [
    {
      name: "tranches",
      title: "Debt stack",
      rows: "tranches",
      columns: [
        { key: "trancheId", title: "Tranche", format: "text" },
        { key: "rateType", title: "Rate", format: "text" },
        { key: "amount", title: "Amount", unit: "currency", format: "currency", decimals: 0 },
        { key: "shareOfPrice", title: "Share of price", unit: "fraction", format: "percent", decimals: 2 },
        { key: "shareOfDebt", title: "Share of debt", unit: "fraction", format: "percent", decimals: 2 },
        {
          key: "expectedAnnualInterest",
          title: "Expected interest",
          unit: "currency/yr",
          format: "currency",
          decimals: 0,
        },
        { key: "minAmount", title: "Minimum", unit: "currency", format: "currency", decimals: 0 },
        { key: "totalFees", title: "Fees", unit: "currency", format: "currency", decimals: 0 },
      ],
    },
    {
      name: "coverage",
      title: "DSCR and debt yield by year and scenario",
      rows: "byYearScenario",
      columns: [
        { key: "year", title: "Year", format: "integer" },
        { key: "scenario", title: "Scenario", format: "text" },
        { key: "noi", title: "NOI", unit: "currency/yr", format: "currency", decimals: 0 },
        { key: "debtService", title: "Debt service", unit: "currency/yr", format: "currency", decimals: 0 },
        { key: "dscr", title: "DSCR", unit: "x", format: "number", decimals: 3 },
        { key: "debtYield", title: "Debt yield", unit: "fraction", format: "percent", decimals: 2 },
        {
          key: "fixedOrHedgedShare",
          title: "Fixed or hedged",
          unit: "fraction",
          format: "percent",
          decimals: 2,
        },
      ],
    },
    {
      name: "amortization",
      title: "Amortization schedule per tranche (annual)",
      rows: "amortization",
      columns: [
        { key: "trancheId", title: "Tranche", format: "text" },
        { key: "scenario", title: "Scenario", format: "text" },
        { key: "year", title: "Year", format: "integer" },
        { key: "rate", title: "Rate", unit: "fraction/yr", format: "percent", decimals: 3 },
        {
          key: "openingBalance",
          title: "Opening balance",
          unit: "currency",
          format: "currency",
          decimals: 2,
        },
        { key: "interest", title: "Interest", unit: "currency/yr", format: "currency", decimals: 2 },
        { key: "principal", title: "Principal", unit: "currency/yr", format: "currency", decimals: 2 },
        { key: "payment", title: "Debt service", unit: "currency/yr", format: "currency", decimals: 2 },
        {
          key: "closingBalance",
          title: "Closing balance",
          unit: "currency",
          format: "currency",
          decimals: 2,
        },
      ],
    },
    {
      name: "shadow-prices",
      // Kept as in 2.0.0 (sheet names in exports); with on/off tranches these are the duals of the
      // LP with the choices fixed, as `shadowPrices.basis` and `label` say.
      title: "Shadow prices (LP duals with ranges)",
      rows: "shadowPrices.rows",
      columns: priceColumns({
        priceTitle: "Annual cost change per +1 of the limit",
        priceUnit: "currency/yr per limit unit",
      }),
    },
    {
      name: "what-if",
      title: "What-if answers (re-solved)",
      rows: "whatIf",
      columns: [
        { key: "question", title: "Question", format: "text" },
        { key: "status", title: "Status", format: "text" },
        { key: "objective", title: "Annual cost", unit: "currency/yr", format: "currency", decimals: 2 },
        { key: "deltaObjective", title: "Change", unit: "currency/yr", format: "currency", decimals: 2 },
        { key: "totalDebt", title: "Debt", unit: "currency", format: "currency", decimals: 0 },
        { key: "answer", title: "Answer", format: "text" },
      ],
    },
  ],
  kpis: [
    { path: "kpis.totalDebt", title: "Total debt", unit: "currency", format: "currency", decimals: 0 },
    { path: "kpis.equity", title: "Equity", unit: "currency", format: "currency", decimals: 0 },
    { path: "kpis.ltv", title: "Loan-to-value", unit: "fraction", format: "percent", decimals: 2 },
    { path: "kpis.blendedRate", title: "Blended rate", unit: "fraction/yr", format: "percent", decimals: 3 },
    {
      path: "kpis.expectedAnnualCost",
      title: "Expected annual cost",
      unit: "currency/yr",
      format: "currency",
      decimals: 0,
    },
    { path: "kpis.minDscr", title: "Minimum DSCR", unit: "x", format: "number", decimals: 2 },
    {
      path: "kpis.year1DebtYield",
      title: "Year-1 debt yield",
      unit: "fraction",
      format: "percent",
      decimals: 2,
    },
  ],
  documents: [debtStackTermSheetDocument],
  charts: [
    { name: "stack", title: "Debt stack", kind: "bar", table: "tranches", x: "trancheId", y: ["amount"] },
    { name: "dscr", title: "DSCR by year", kind: "line", table: "coverage", x: "year", y: ["dscr"] },
  ],
  run: (input, ctx) => {
    ctx.signal.throwIfAborted();
    return optimizeDebtStack(input, { signal: ctx.signal, progress: (f, m) => ctx.progress(f, m) });
  },
});
