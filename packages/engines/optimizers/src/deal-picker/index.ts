import { type ChartDescriptor, defineModel, type TableDescriptor } from "@modelworks/model-kit";
import { loadSolver } from "@modelworks/solver";
import { BINDING_FOCUS, CONSTRAINT_COLUMNS, priceColumns } from "../common/explain-tables.ts";
import { planOutcome } from "../common/outcome.ts";
import { explainEmptyPlan } from "./empty-plan.ts";
import { runDealPicker, runDealPickerWithReport } from "./engine.ts";
import { EXAMPLES } from "./examples.ts";
import { dealPickerPrototypeFormat } from "./prototype.ts";
import { DealPickerInput, DealPickerOutput } from "./schema.ts";
import { DealPickerV3Output, prototypeFromV3Output, toV3Output } from "./v3.ts";

export { checkPlan, planObjective } from "./check.ts";
export { EmptyPlan, explainEmptyPlan } from "./empty-plan.ts";
export { runDealPicker, runDealPickerWithReport } from "./engine.ts";
export { DUBAI_PIPELINE } from "./examples.ts";
export { buildModel, defaultTuning, prepare, type SolverTuning, solveCore } from "./model.ts";
export {
  dealPickerPrototypeFormat,
  PrototypeRequest,
  type PrototypeResponse,
  prototypeFromOutput,
  prototypeToInput,
} from "./prototype.ts";
export { DealPickerInput, type DealPickerInputRaw, DealPickerOutput } from "./schema.ts";
export { DealPickerV3Output, prototypeFromV3Output, toV3Output } from "./v3.ts";

const AED = "AED";

/** Tables and charts both versions show: the plan and the re-solved what-ifs. */
const SELECTION_TABLE: TableDescriptor = {
  name: "selection",
  title: "Selected deals",
  rows: "selection",
  columns: [
    { key: "id", title: "Deal", format: "text" },
    { key: "name", title: "Name", format: "text" },
    { key: "sector", title: "Sector", format: "text" },
    { key: "city", title: "City", format: "text" },
    { key: "share", title: "Share bought", unit: "fraction", format: "percent", decimals: 2 },
    { key: "capital", title: "Capital (all-in)", unit: AED, format: "currency", decimals: 0 },
    { key: "noi", title: "NOI after vacancy", unit: "AED/yr", format: "currency", decimals: 0 },
    { key: "yield", title: "Yield on cost", unit: "fraction/yr", format: "percent", decimals: 2 },
    { key: "riskScore", title: "Risk score", unit: "points (0–5)", format: "number", decimals: 1 },
    {
      key: "weightOfDeployed",
      title: "Weight of capital deployed",
      unit: "fraction",
      format: "percent",
      decimals: 2,
    },
    {
      key: "weightOfBudget",
      title: "Weight of budget",
      unit: "fraction",
      format: "percent",
      decimals: 2,
    },
  ],
};
const WHAT_IF_TABLE: TableDescriptor = {
  name: "what-if",
  title: "What-ifs (re-solved)",
  rows: "whatIf",
  columns: [
    { key: "question", title: "Question", format: "text" },
    { key: "to", title: "New value", format: "number", decimals: 4 },
    { key: "deltaObjective", title: "Change of objective", format: "number", decimals: 2 },
    { key: "capitalUsed", title: "Capital used", unit: AED, format: "currency", decimals: 0 },
    { key: "noi", title: "NOI", unit: "AED/yr", format: "currency", decimals: 0 },
    { key: "yield", title: "Yield", unit: "fraction/yr", format: "percent", decimals: 2 },
    { key: "answer", title: "Answer", format: "text" },
  ],
};
const CHARTS: ChartDescriptor[] = [
  {
    name: "allocation",
    title: "Capital by deal",
    kind: "pie",
    table: "selection",
    x: "id",
    y: ["capital"],
  },
  {
    name: "yields",
    title: "Yield on cost of the selected deals",
    kind: "bar",
    table: "selection",
    x: "id",
    y: ["yield"],
  },
];

/** The plan's NOI sums up a run in lists of runs (the objective's unit depends on its choice). */
const DEAL_PICKER_KEY_RESULT = {
  path: "kpis.noi",
  title: "Plan NOI",
  unit: "AED/yr",
  format: "currency",
  decimals: 0,
} as const;

export const dealPickerV2 = defineModel({
  id: "deal-picker",
  version: "2.0.0",
  keyResult: DEAL_PICKER_KEY_RESULT,
  title: "Deal Picker: which deals to buy with a limited budget",
  summary:
    "Whole-deal (0-1) or fractional acquisition selection on HiGHS: all-in cost, NOI after vacancy; max NOI, " +
    "NOI above a hurdle, max portfolio yield (Dinkelbach) or risk-adjusted NOI; budget, sector/city/single-asset " +
    "concentration, asset counts, must-buy and excluded deals. Explains the plan: binding constraints, shadow " +
    "prices with units and ranges, MIP gap, what-ifs by re-solving, infeasibility by IIS and minimal relaxation.",
  input: DealPickerInput,
  output: DealPickerOutput,
  examples: EXAMPLES,
  heavy: true,
  warmUp: loadSolver,
  view: "optimizer",
  outcome: planOutcome("plan", { path: "selection", label: "Empty plan: buys no deal" }),
  formats: { prototype: dealPickerPrototypeFormat },
  timeoutMs: 180_000,
  tables: [
    SELECTION_TABLE,
    {
      name: "constraints",
      title: "Constraints and shadow prices",
      rows: "constraints",
      focus: BINDING_FOCUS,
      columns: [
        { key: "constraint", title: "Constraint", format: "text" },
        { key: "sense", title: "Sense", format: "text" },
        { key: "limit", title: "Limit", format: "number", decimals: 2 },
        { key: "activity", title: "Activity", format: "number", decimals: 2 },
        { key: "slack", title: "Slack", format: "number", decimals: 2 },
        { key: "unit", title: "Unit", format: "text" },
        { key: "binding", title: "Binding", format: "text" },
        {
          key: "shadowPrice",
          title: "Shadow price (objective per +1 of limit)",
          format: "number",
          decimals: 6,
        },
        { key: "priceUnit", title: "Price unit", format: "text" },
        { key: "validFrom", title: "Price valid from (limit)", format: "number", decimals: 2 },
        { key: "validTo", title: "Price valid to (limit)", format: "number", decimals: 2 },
      ],
    },
    WHAT_IF_TABLE,
  ],
  charts: CHARTS,
  run(input, ctx) {
    return runDealPicker(input, { progress: (f, m) => ctx.progress(f, m), signal: ctx.signal });
  },
});

/**
 * deal-picker@3: the same solve and numbers as deal-picker@2, its explanation in the optimizers'
 * shared shapes (./v3.ts), so the platform shows it with the same panels as debt-stack,
 * leasing-mix and capex-phasing. Runs of 2.0.0 keep their version and view.
 */
const { id, title, summary, input, examples, heavy, warmUp, view, outcome, timeoutMs, charts } = dealPickerV2;
export const dealPickerV3 = defineModel({
  id,
  title,
  summary,
  input,
  examples,
  heavy,
  warmUp,
  view,
  outcome,
  timeoutMs,
  charts,
  version: "3.0.0",
  keyResult: DEAL_PICKER_KEY_RESULT,
  output: DealPickerV3Output,
  formats: {
    prototype: {
      ...dealPickerPrototypeFormat,
      fromOutput: (output, input) =>
        prototypeFromV3Output(output, input as Parameters<typeof prototypeFromV3Output>[1]),
    },
  },
  tables: [
    SELECTION_TABLE,
    {
      name: "constraints",
      title: "Constraints",
      rows: "constraints",
      columns: CONSTRAINT_COLUMNS,
      focus: BINDING_FOCUS,
    },
    {
      name: "shadow-prices",
      title: "Shadow prices",
      rows: "shadowPrices.rows",
      columns: priceColumns({
        priceTitle: "Objective change per +1 of the limit",
        priceUnit: "AED/yr per limit unit",
      }),
    },
    WHAT_IF_TABLE,
  ],
  async run(input, ctx) {
    const { output, infeasibility } = await runDealPickerWithReport(input, {
      progress: (f, m) => ctx.progress(f, m),
      signal: ctx.signal,
    });
    const v3 = toV3Output(output, infeasibility);
    // An optimal plan that buys nothing says why (issue 18 item 9): one re-solve per candidate.
    if (v3.status === "optimal" && v3.selection.length === 0) {
      ctx.progress(0.95, "explaining the empty plan");
      v3.emptyPlan = await explainEmptyPlan(input, ctx.signal);
    }
    return v3;
  },
});
