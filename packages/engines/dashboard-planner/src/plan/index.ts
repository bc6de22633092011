export { type BuiltinPlannerInput, planDashboard } from "./builtin.ts";
export { acceptOrFallBack, type CheckResult, checkPlan, type PlanNote } from "./check.ts";
export { type GoalIntent, readGoal } from "./goal.ts";
export * from "./schema.ts";
