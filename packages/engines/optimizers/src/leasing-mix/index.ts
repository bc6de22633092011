// Names carry "leasing" where a sibling optimizer exports the same generic name (src/index.ts re-exports both).
export {
  checkPlan as checkLeasingPlan,
  evaluatePlan as evaluateLeasingPlan,
  ncf12PerUnit,
  type Plan as LeasingPlan,
  type PlanKpis as LeasingPlanKpis,
  unitsToTarget,
} from "./check.ts";
export { LEASING_MIX_EXAMPLES } from "./examples.ts";
export { buildModel as buildLeasingModel } from "./formulation.ts";
export { leasingMixV2 } from "./model.ts";
export { optimizeLeasingMix } from "./optimize.ts";
export {
  leasingMixPrototypeFormat,
  PrototypeLeasingRequest,
  prototypeFromOutput as leasingPrototypeFromOutput,
  prototypeToInput as leasingPrototypeToInput,
  termFromName,
} from "./prototype.ts";
export {
  LeasingMixInput,
  type LeasingMixInputParsed,
  type LeasingMixInputRaw,
  LeasingMixOutput,
  type LeasingMixOutputT,
} from "./schema.ts";
