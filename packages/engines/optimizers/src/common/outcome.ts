import type { SolveResult } from "@modelworks/solver";
import type { z } from "zod";
import type { SolveStatus } from "./explain-schema.ts";

/** What every optimizer's `optimize*` takes besides its input: cancellation and progress. */
export interface OptimizeOptions {
  signal?: AbortSignal;
  progress?: (fraction: number, message?: string) => void;
}

/**
 * The outcome the output reports for a solve: a plan proven optimal (within the MIP gap), no plan
 * because the rules conflict, a plan the solver stopped at before proving it (time limit: shown
 * with its gap, labelled as such), or nothing found in the time.
 */
export function planStatus(r: SolveResult): z.output<typeof SolveStatus> {
  if (r.status === "optimal" && r.hasSolution) return "optimal";
  if (r.status === "infeasible") return "infeasible";
  if (r.hasSolution) return "time_limit";
  return "no_plan";
}

/** A number for the explanations' text: thousands separators, at most `d` decimals. */
export const fmt = (x: number, d = 0) =>
  x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 });
/** The same with its sign, − as a minus sign: a change. */
export const signed = (x: number, d = 0) => `${x >= 0 ? "+" : "−"}${fmt(Math.abs(x), d)}`;
