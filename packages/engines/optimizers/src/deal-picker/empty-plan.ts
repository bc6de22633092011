import { z } from "zod";
import { fmt, signed } from "../common/outcome.ts";
import { runDealPickerWithReport } from "./engine.ts";
import { prepare } from "./model.ts";
import type { DealPickerInput } from "./schema.ts";

/**
 * Why the best plan buys nothing (issue 18 item 9): for each candidate deal, the limit that stops
 * it, found by re-solving with that deal forced in. An infeasible re-solve names the limit in the
 * way (the solver's smallest relaxation); a feasible one means buying it is allowed but lowers the
 * objective (a hurdle or risk charge above its NOI).
 */
export const EmptyPlanBlocker = z.object({
  deal: z.string(),
  limit: z.string().nullable().describe("the constraint that stops the deal; null = the objective does"),
  family: z.string().nullable().describe("the kind of limit, e.g. 'Single-asset cap'"),
  kind: z.enum(["limit", "objective"]),
  explanation: z.string(),
});
export const EmptyPlan = z.object({
  reason: z.string().describe("one sentence: why the plan is empty and which limit causes it"),
  blockers: z.array(EmptyPlanBlocker),
  checked: z.number().describe("candidates re-solved (the most valuable first)"),
  candidates: z.number().describe("deals not excluded"),
});
export type EmptyPlan = z.output<typeof EmptyPlan>;

/** Candidates re-solved at most: each is one solve, and a dozen name every usual cause. */
const MAX_CHECKED = 12;

/** Rows of the formulation a user did not write: the definition of capital deployed, indicator links. */
const INTERNAL = /^(Capital deployed \(definition\)|Link (upper|lower): )/;
/** Changes whose wording reads right as advice (a deployed-basis cap's relaxed right-hand side does not). */
const WORDED_CHANGE = /^(Budget|Min assets|Max assets)$/;
/** "Single-asset cap: A" → "Single-asset cap"; "Budget" → "Budget". */
const familyOf = (limit: string) => limit.split(":")[0]!;

/** The family with the input's share, for the reason's sentence: "single-asset cap (20.0% of capital deployed)". */
function capShare(input: DealPickerInput, family: string): string {
  const of = input.caps.basis === "deployed" ? "capital deployed" : "the budget";
  if (family === "Single-asset cap" && input.caps.singleAsset !== undefined)
    return `single-asset cap (${fmt(input.caps.singleAsset * 100, 1)}% of ${of})`;
  if (family === "Budget") return `budget (${fmt(input.budget)} AED)`;
  return family.toLowerCase().replace(/^min assets|^max assets/, (m) => `${m} limit`);
}

export async function explainEmptyPlan(input: DealPickerInput, signal?: AbortSignal): Promise<EmptyPlan> {
  const p = prepare(input);
  const open = input.deals
    .map((d, i) => ({ d, noi: p.noiEff[i]! }))
    .filter(({ d }) => !d.excluded)
    .sort((a, b) => b.noi - a.noi);
  const blockers: z.output<typeof EmptyPlanBlocker>[] = [];
  for (const { d } of open.slice(0, MAX_CHECKED)) {
    signal?.throwIfAborted();
    const forced: DealPickerInput = {
      ...structuredClone(input),
      whatIf: { ...input.whatIf, enabled: false },
    };
    forced.deals = forced.deals.map((x) => (x.id === d.id ? { ...x, mustBuy: true } : x));
    const { output, infeasibility } = await runDealPickerWithReport(forced, signal ? { signal } : {});
    if (output.status === "infeasible") {
      // The user-facing limits in the conflict (not the internal definition rows or the forcing).
      const limits = (infeasibility?.iis?.constraints ?? [])
        .map((c) => c.constraint)
        .filter((n) => !INTERNAL.test(n));
      const described = (output.infeasibility?.conflicting ?? []).filter(
        (c) => !INTERNAL.test(c) && !c.startsWith("must-buy") && !c.includes("at most the whole deal"),
      );
      // The deal's own cap first: it is the one no other deal can lift.
      const own = limits.find((n) => n.endsWith(`: ${d.id}`));
      const limit = own ?? limits[0] ?? null;
      if (limit) described.sort((a, b) => Number(b.startsWith(limit)) - Number(a.startsWith(limit)));
      const change = output.infeasibility?.relaxation.find((r) => WORDED_CHANGE.test(r.name));
      blockers.push({
        deal: d.id,
        limit,
        family: limit === null ? null : familyOf(limit),
        kind: "limit",
        explanation:
          `${d.id} (${fmt(p.cost[input.deals.indexOf(d)]!)} AED all-in) cannot be bought: ` +
          (described.length
            ? `it breaks ${described[0]}${described.length > 1 ? `, together with ${described.slice(1).join("; ")}` : ""}`
            : "it breaks the limits") +
          (change ? `; to buy it, ${change.text}` : "") +
          ".",
      });
    } else if (output.kpis) {
      blockers.push({
        deal: d.id,
        limit: null,
        family: null,
        kind: "objective",
        explanation: `${d.id} is allowed, but buying it changes the objective by ${signed(output.kpis.objective)} ${output.model.objectiveUnit}.`,
      });
    }
  }
  // The limit stopping most candidates is the plan's cause; say it first.
  const counts = new Map<string, number>();
  for (const b of blockers) {
    const key = b.family ?? "the objective";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const [top, n] = ranked[0] ?? ["", 0];
  const checked = `${n} of the ${blockers.length} deal${blockers.length === 1 ? "" : "s"} checked`;
  const reason =
    blockers.length === 0
      ? "The plan is empty: every deal is excluded."
      : top === "the objective"
        ? `The plan is empty because buying a deal would lower the objective (${checked}).`
        : `The plan is empty because of the ${capShare(input, top)}: it stops ${checked}` +
          (ranked.length > 1
            ? `; also ${ranked
                .slice(1)
                .map(([k, c]) => `${k} (${fmt(c)})`)
                .join(", ")}.`
            : ".");
  return { reason, blockers, checked: blockers.length, candidates: open.length };
}
