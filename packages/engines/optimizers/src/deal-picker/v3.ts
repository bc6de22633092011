import type { InfeasibilityReport } from "@modelworks/solver";
import { z } from "zod";
import { groupBinding } from "../common/binding.ts";
import {
  BindingGroup,
  ConstraintRow,
  Infeasibility,
  MipReport,
  Prices,
  SolveStatus,
  Verification,
} from "../common/explain-schema.ts";
import { explainInfeasibility } from "../common/infeasibility.ts";
import { fmt, signed } from "../common/outcome.ts";
import { EmptyPlan } from "./empty-plan.ts";
import { relaxText } from "./engine.ts";
import { type PrototypeResponse, prototypeFromOutput } from "./prototype.ts";
import { DealPickerOutput } from "./schema.ts";

/**
 * deal-picker@3's output: deal-picker@2's plan, KPIs and what-ifs (the same solve, the same
 * numbers) with its explanation in the optimizers' shared shapes (common/explain-schema.ts), so
 * every optimizer is read and shown by one component: constraint rows with lower/upper limits,
 * shadow prices as `{ basis, label, rows }`, the solver's IIS and relaxation as structured rows,
 * and the plan's independent re-check as `verification`. A new major version because the
 * explanation's published shape changes; deal-picker@2 stays hosted for its existing runs.
 */
const v2 = DealPickerOutput.shape;

export const DealPickerV3Output = z.object({
  status: SolveStatus,
  statusLabel: z.string(),
  model: v2.model,
  kpis: v2.kpis,
  selection: v2.selection,
  deals: v2.deals,
  constraints: z.array(
    ConstraintRow.extend({
      kind: z.enum(["budget", "sector-cap", "city-cap", "single-asset-cap", "min-assets", "max-assets"]),
    }),
  ),
  binding: v2.binding,
  /** What binds, by kind, with the re-solved what-if that relaxes it (issue 18 item 5); absent in runs before it. */
  bindingGroups: z.array(BindingGroup).optional(),
  shadowPrices: Prices.nullable(),
  mip: MipReport.extend({ reducedCostFixing: v2.mip.unwrap().shape.reducedCostFixing }).nullable(),
  whatIf: v2.whatIf,
  infeasibility: Infeasibility.nullable(),
  /** Set when the best plan buys nothing: why, and the limit stopping each candidate (issue 18 item 9). */
  emptyPlan: EmptyPlan.nullable().optional(),
  verification: Verification.extend({ method: z.string() }).nullable(),
  notes: v2.notes,
  solveMs: v2.solveMs,
});
export type DealPickerV3Output = z.output<typeof DealPickerV3Output>;
type V2 = z.output<typeof DealPickerOutput>;

const FAMILY: Record<string, { label: string; relaxes: (w: V2["whatIf"][number]) => boolean }> = {
  budget: { label: "Budget", relaxes: (w) => w.parameter === "budget" && w.to > w.from },
  "sector-cap": {
    label: "Sector cap",
    relaxes: (w) => w.parameter.startsWith("caps.sector.") && w.to > w.from,
  },
  "city-cap": { label: "City cap", relaxes: (w) => w.parameter.startsWith("caps.city.") && w.to > w.from },
  "single-asset-cap": {
    label: "Single-asset cap",
    relaxes: (w) => w.parameter === "caps.singleAsset" && w.to > w.from,
  },
  "min-assets": { label: "Minimum number of assets", relaxes: (w) => w.parameter === "minAssets" },
  "max-assets": { label: "Maximum number of assets", relaxes: (w) => w.parameter === "maxAssets" },
};

/**
 * Binding limits by kind, each with the re-solved what-if that relaxes it (the best one when
 * several caps of a kind were probed): the marginal value of a whole-deal plan, where the
 * fixed-integer LP's price is 0 (issue 18 item 5).
 */
function bindingGroupsOf(o: V2) {
  const kind = new Map(o.constraints.map((c) => [c.constraint, c.kind]));
  return groupBinding(
    o.binding,
    (name) => {
      const k = kind.get(name);
      return k && FAMILY[k] ? { family: k, label: FAMILY[k].label } : null;
    },
    o.constraints.flatMap((c) =>
      c.shadowPrice === null ? [] : [{ constraint: c.constraint, pricePerUnit: c.shadowPrice }],
    ),
    (family) => {
      const best = o.whatIf
        .filter((w) => FAMILY[family]?.relaxes(w))
        .sort((a, b) => (b.deltaObjective ?? -Infinity) - (a.deltaObjective ?? -Infinity))[0];
      return best
        ? { question: best.question, deltaObjective: best.deltaObjective, answer: best.answer }
        : null;
    },
  );
}

/** deal-picker@2's output (and the solver's infeasibility report) in deal-picker@3's shape. */
export function toV3Output(o: V2, report: InfeasibilityReport | null): DealPickerV3Output {
  const objectiveUnit = o.model.objective === "max-yield" ? "AED/yr (NOI − q·capital)" : "AED/yr";
  const side = (c: V2["constraints"][number]) => (c.sense === ">=" ? "lower" : "upper") as "lower" | "upper";
  // Inside its validity range the objective moves linearly with a limit; for max-yield the prices
  // are those of Dinkelbach's last subproblem, whose objective is not the yield, so no level is given.
  const objectiveAt = (c: V2["constraints"][number], limit: number | null) =>
    limit === null || o.kpis === null || o.model.objective === "max-yield" || c.shadowPrice === null
      ? null
      : o.kpis.objective + c.shadowPrice * (limit - c.limit);
  const notes = [...o.notes];
  let infeasibility: DealPickerV3Output["infeasibility"] = null;
  if (o.infeasibility) {
    const shared = explainInfeasibility(
      report ?? { iis: null, relaxation: null },
      {},
      (c) => relaxText(c.name, c.kind === "bound" ? null : c.unit, c.current, c.required),
      { rules: "constraints", plan: "plan" },
    );
    // deal-picker's own wording of the conflict names caps by their share and basis: keep it first.
    infeasibility = { ...shared, summary: [o.infeasibility.summary, ...shared.summary.slice(1)] };
    notes.push(...o.infeasibility.notes.filter((n) => n !== shared.iisNote && n !== shared.relaxationNote));
  }
  return {
    status: o.status === "no_solution" ? "no_plan" : o.status,
    statusLabel: o.statusLabel,
    model: o.model,
    kpis: o.kpis,
    selection: o.selection,
    deals: o.deals,
    constraints: o.constraints.map((c) => ({
      constraint: c.constraint,
      kind: c.kind,
      unit: c.unit,
      activity: c.activity,
      lower: c.sense === ">=" ? c.limit : null,
      upper: c.sense === "<=" ? c.limit : null,
      slack: c.slack,
      binding: c.binding,
      limit: side(c),
    })),
    binding: o.binding,
    bindingGroups: bindingGroupsOf(o),
    shadowPrices:
      o.shadowPrices.basis === null
        ? null
        : {
            basis: o.shadowPrices.basis,
            label: o.shadowPrices.label,
            rows: o.constraints.flatMap((c) =>
              c.shadowPrice === null
                ? []
                : [
                    {
                      constraint: c.constraint,
                      unit: c.unit,
                      objectiveUnit,
                      limit: side(c),
                      limitValue: c.limit,
                      pricePerUnit: c.shadowPrice,
                      validFrom: c.validFrom,
                      validTo: c.validTo,
                      objectiveAtValidFrom: objectiveAt(c, c.validFrom),
                      objectiveAtValidTo: objectiveAt(c, c.validTo),
                      binding: c.binding,
                      meaning:
                        c.shadowPrice === 0
                          ? `One more ${c.unit} of this limit does not change the objective.`
                          : `Each +1 ${c.unit} of this limit changes the objective by ${signed(c.shadowPrice, 4)} ${objectiveUnit}` +
                            (c.validFrom !== null || c.validTo !== null
                              ? `, while the limit stays within ${c.validFrom === null ? "−∞" : fmt(c.validFrom, 2)} … ${c.validTo === null ? "∞" : fmt(c.validTo, 2)}.`
                              : "."),
                    },
                  ],
            ),
          },
    mip: o.mip,
    whatIf: o.whatIf,
    infeasibility,
    emptyPlan: null,
    verification: o.kpis
      ? { feasible: o.check.feasible, violations: o.check.violations, method: o.check.method }
      : null,
    notes,
    solveMs: o.solveMs,
  };
}

/** The prototype's response from a deal-picker@3 output: the fields it reads, in v2's names. */
export function prototypeFromV3Output(
  o: DealPickerV3Output,
  input: Parameters<typeof prototypeFromOutput>[1],
): PrototypeResponse | { error: string; fix_suggestions: { change: string }[] } {
  const price = new Map((o.shadowPrices?.rows ?? []).map((r) => [r.constraint, r.pricePerUnit]));
  const asV2 = {
    kpis: o.kpis,
    whatIf: o.whatIf,
    selection: o.selection,
    notes: o.notes,
    constraints: o.constraints.map((c) => ({ ...c, shadowPrice: price.get(c.constraint) ?? null })),
    infeasibility: o.infeasibility && {
      relaxation: (o.infeasibility.relaxation ?? []).map((r) => ({ text: r.explanation })),
    },
  };
  return prototypeFromOutput(asV2 as unknown as V2, input);
}
