// Names carry "debtStack" where a sibling optimizer exports the same generic name (src/index.ts re-exports all).
export {
  checkPlan as checkDebtStackPlan,
  evaluatePlan as evaluateDebtStackPlan,
  type Plan as DebtStackPlan,
  simulateLoan,
} from "./check.ts";
export { DEBT_STACK_EXAMPLES } from "./examples.ts";
export { buildModel as buildDebtStackModel } from "./formulation.ts";
export { debtStackV3 } from "./model.ts";
export { optimizeDebtStack } from "./optimize.ts";
export {
  debtStackPrototypeFormat,
  PrototypeDebtStackRequest,
  prototypeFromOutput as debtStackPrototypeFromOutput,
  prototypeToInput as debtStackPrototypeToInput,
} from "./prototype.ts";
export { pmt, unitSchedule } from "./schedule.ts";
export {
  DebtStackInput,
  type DebtStackInputParsed,
  type DebtStackInputRaw,
  DebtStackOutput,
  type DebtStackOutputT,
} from "./schema.ts";
