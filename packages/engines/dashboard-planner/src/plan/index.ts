export { type BuiltinPlannerInput, planDashboard } from "./builtin.ts";
export { acceptOrFallBack, type CheckResult, checkPlan, type PlanNote } from "./check.ts";
export { type PlanningContext, planningContext } from "./context.ts";
export { diffPlans, type EditResult, editVisual, type PlanChange } from "./edit.ts";
export { type GoalIntent, readGoal } from "./goal.ts";
export {
  ChatMessage,
  EditAnswer,
  type EditOutcome,
  type EditRequest,
  editWithModel,
  type PlanOutcome,
  type PlanRequest,
  planWithModel,
} from "./llm-planner.ts";
export {
  applyLayoutPatch,
  applyVisualEdit,
  LayoutPatch,
  LayoutTile,
  type ManualEditResult,
  VisualEdit,
} from "./manual.ts";
export * from "./schema.ts";
