export { type BuiltinPlannerInput, planDashboard } from "./builtin.ts";
export { type GoalIntent, readGoal } from "./goal.ts";
export * from "./schema.ts";
