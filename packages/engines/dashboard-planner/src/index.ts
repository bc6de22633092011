export { EXAMPLE_PROFILES } from "./examples/profiles.ts";
export {
  ColumnProfileInput,
  DashboardPlannerInput,
  DashboardPlannerOutput,
  dashboardPlanner,
  powerBiProjectFiles,
  TableInput,
} from "./model.ts";
export * from "./plan/index.ts";
// The Power BI writer has its own vocabulary (its `VisualKind`, `Aggregation`, `FieldRef` are Power
// BI's, not the plan's): import it as `powerBi.*` or from `src/powerbi/`.
export * as powerBi from "./powerbi/index.ts";
export * from "./profile/index.ts";
export * from "./query/index.ts";
