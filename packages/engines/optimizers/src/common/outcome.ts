import type { OutcomeDescriptor } from "@modelworks/model-kit";
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

const formats = new Map<number, Intl.NumberFormat>();
/**
 * A number for the explanations' text: thousands separators, at most `d` decimals. The same text
 * as `x.toLocaleString("en-US", …)`, which builds a new `Intl.NumberFormat` on every call (tens of
 * µs; an explanation formats hundreds of numbers), so one formatter per `d` is kept.
 */
export const fmt = (x: number, d = 0) => {
  let f = formats.get(d);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 });
    formats.set(d, f);
  }
  return f.format(x);
};
/** The same with its sign, − as a minus sign: a change. */
export const signed = (x: number, d = 0) => `${x >= 0 ? "+" : "−"}${fmt(Math.abs(x), d)}`;

/**
 * How an optimizer's `status` reads as the run's answer (model-kit OutcomeDescriptor): the run
 * succeeds whether or not a plan exists, so "no feasible plan" is shown beside it, not as a green
 * success alone (issue 18 item 4). `empty` names the plan's list for engines whose best plan can
 * hold nothing (issue 18 item 9).
 */
export function planOutcome(noun: string, empty?: { path: string; label: string }): OutcomeDescriptor {
  return {
    path: "status",
    values: {
      optimal: { label: `Optimal ${noun}`, tone: "good" },
      time_limit: { label: `Best ${noun} found, not proven optimal`, tone: "caution" },
      infeasible: { label: `No feasible ${noun}`, tone: "bad" },
      no_plan: { label: `No ${noun} found`, tone: "bad" },
      // deal-picker@2's name for no_plan.
      no_solution: { label: `No ${noun} found`, tone: "bad" },
    },
    ...(empty
      ? { empty: { path: empty.path, whenCode: "optimal", label: empty.label, tone: "caution" } }
      : {}),
  };
}
