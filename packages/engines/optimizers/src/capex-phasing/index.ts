// Names carry "capex" where a sibling optimizer exports the same generic name (src/index.ts re-exports all).
export {
  checkSpendPlan as checkCapexSpendPlan,
  checkStartPlan as checkCapexStartPlan,
  evaluateSpendPlan as evaluateCapexSpendPlan,
  evaluateStartPlan as evaluateCapexStartPlan,
  type SpendPlan as CapexSpendPlan,
  type StartPlan as CapexStartPlan,
} from "./check.ts";
export { CAPEX_PHASING_EXAMPLES } from "./examples.ts";
export { buildModel as buildCapexModel, startMonths, startValue } from "./formulation.ts";
export { greedySchedule as greedyCapexSchedule } from "./greedy.ts";
export { capexPhasingV2 } from "./model.ts";
export { type OptimizeOptions as CapexOptimizeOptions, optimizeCapex } from "./optimize.ts";
export {
  capexPhasingPrototypeFormat,
  PrototypeCapexRequest,
  prototypeFromOutput as capexPrototypeFromOutput,
  prototypeToInput as capexPrototypeToInput,
} from "./prototype.ts";
export {
  CapexModelworksInput,
  type CapexModelworksParsed,
  type CapexModelworksRaw,
  CapexPhasingInput,
  type CapexPhasingInputParsed,
  type CapexPhasingInputRaw,
  CapexPhasingOutput,
  type CapexPhasingOutputT,
  CapexPrototypeInput,
  findCycle,
} from "./schema.ts";
