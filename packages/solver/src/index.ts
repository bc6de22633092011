export {
  type ConstraintInput,
  type ConstraintSpec,
  ModelBuilder,
  type ModelSpec,
  type Sense,
  SolverModelError,
  type Terms,
  type Var,
  type VariableInput,
  type VariableSpec,
  validateModel,
} from "./model.ts";
export { modelFile } from "./model-file.ts";
export {
  closeDefaultPool,
  createSolverPool,
  getDefaultPool,
  SolveAbortedError,
  type SolverPool,
  solve,
} from "./pool.ts";
export type * from "./result.ts";
export { loadSolver, solveInThisThread } from "./run.ts";
