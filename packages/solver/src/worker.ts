import type { ModelSpec } from "./model.ts";
import type { SolveOptions, SolveResult } from "./result.ts";
import { getHighs, runSolve } from "./run.ts";

/**
 * Entry point of a solver worker thread (piscina). HiGHS calls are synchronous and CPU-bound;
 * running them here keeps the caller's event loop free, and terminating the thread is the only
 * way to stop a solve early (pool.ts).
 */
export interface SolverTask {
  spec: ModelSpec;
  options: SolveOptions;
}

export default async function solveTask(task: SolverTask | { warmUp: true }): Promise<SolveResult | null> {
  const highs = await getHighs();
  if ("warmUp" in task) return null;
  return runSolve(highs, task.spec, task.options);
}
