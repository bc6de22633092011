import { issuesOf, ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import type { DealPickerInputRaw, DealPickerOutput } from "./schema.ts";

/**
 * The prototype's request and response (spec §1.1, `schemas/deal_picker.py`), as a model format:
 * `toInput` turns a prototype request (exactly the fixtures' `request` field) into a
 * deal-picker@2 input that reproduces the prototype's model — fractional shares, transaction
 * costs deducted from the budget (`costTreatment: "budget-haircut"`), caps as shares of the
 * stated budget on ask prices — and `fromOutput` turns the result into the prototype's response
 * shape, so old numbers can be reconciled.
 *
 * Kept on purpose (the prototype's behaviour): `risk_adjusted_yield` equals `cash_yield`;
 * `max_assets`, `must_buy` and `allow_fractional_allocations` are accepted and ignored (a note
 * says so); `weight` is capital / budget; shadow prices carry SciPy's sign (the negative of
 * "objective change per +1 AED of limit") and unit "AED". Differences: `what_if` is computed by
 * re-solving with the budget raised by 1,000,000 AED (the prototype returned a constant
 * "+~0.2%"), `downloads` is absent (the prototype named files it never wrote), and infeasible
 * requests list the smallest relaxation instead of two canned tips.
 */

const PrototypeDeal = z.object({
  deal_id: z.string(),
  ask_price: z.number().gt(0),
  expected_noi: z.number().min(0),
  sector: z.string(),
  city: z.string(),
  risk_score: z.number().min(0).max(5).default(3),
  must_buy: z.boolean().default(false),
});

export const PrototypeRequest = z.object({
  budget: z.number().gt(0),
  objective: z
    .string()
    .regex(/^(cash_yield|risk_adjusted)$/, "String should match pattern '^(cash_yield|risk_adjusted)$'"),
  risk_penalty_per_point: z.number().min(0).default(0),
  max_assets: z.number().int().min(1).nullable().optional(),
  max_alloc_per_sector: z.record(z.string(), z.number().min(0).max(1)).default({}),
  max_alloc_per_city: z.record(z.string(), z.number().min(0).max(1)).default({}),
  allow_fractional_allocations: z.boolean().default(true),
  assumptions: z.record(z.string(), z.number().min(0)).default({}),
  deals: z.array(PrototypeDeal),
});
export type PrototypeRequest = z.input<typeof PrototypeRequest>;

export function prototypeToInput(raw: unknown): DealPickerInputRaw {
  const r = PrototypeRequest.safeParse(raw);
  if (!r.success) throw new ModelInputError(issuesOf(r.error));
  const q = r.data;
  return {
    budget: q.budget,
    deals: q.deals.map((d) => ({
      id: d.deal_id,
      askPrice: d.ask_price,
      noi: d.expected_noi,
      sector: d.sector,
      city: d.city,
      riskScore: d.risk_score,
    })),
    selection: "fractional",
    objective: q.objective === "risk_adjusted" ? "risk-adjusted" : "max-noi",
    riskPenaltyPerPoint: q.risk_penalty_per_point,
    assumptions: {
      transactionCostRate: q.assumptions.deal_cost_rate ?? 0,
      vacancyHaircut: q.assumptions.vacancy_haircut ?? 0,
    },
    costTreatment: "budget-haircut",
    caps: { basis: "budget", sector: q.max_alloc_per_sector, city: q.max_alloc_per_city },
    whatIf: { enabled: true, budgetStep: 1_000_000, capStep: 0.05, maxCaps: 0 },
  };
}

/** `int(cap·100)` as Python computes it (truncation of the same double product). */
const capPercent = (cap: number) => Math.trunc(cap * 100);

export interface PrototypeResponse {
  portfolio_summary: {
    capital_used: number;
    cash_yield: number;
    risk_adjusted_yield: number;
    num_assets_selected: number;
  };
  asset_allocations: { deal_id: string; weight: number; capital: number; expected_noi: number }[];
  constraints_report: {
    binding: { name: string; slack: number }[];
    shadow_prices: { constraint: string; unit: string; marginal_value: number }[];
  };
  what_if: { change: string; delta_cash_yield: string }[];
  notes?: string[];
}

export function prototypeFromOutput(
  output: DealPickerOutput,
  input: { caps?: { sector?: Record<string, number>; city?: Record<string, number> } } | undefined,
): PrototypeResponse | { error: string; fix_suggestions: { change: string }[] } {
  if (!output.kpis) {
    return {
      error: "Model infeasible",
      fix_suggestions: (output.infeasibility?.relaxation ?? []).map((c) => ({ change: c.text })),
    };
  }
  const sectorCaps = input?.caps?.sector ?? {};
  const cityCaps = input?.caps?.city ?? {};
  const protoName = (name: string): string => {
    if (name.startsWith("Sector cap: ")) {
      const key = name.slice("Sector cap: ".length);
      return `Max ${key} Allocation ${capPercent(sectorCaps[key] ?? 0)}%`;
    }
    if (name.startsWith("City cap: ")) {
      const key = name.slice("City cap: ".length);
      return `Max ${key} Allocation ${capPercent(cityCaps[key] ?? 0)}%`;
    }
    return name;
  };
  const capital = output.kpis.capitalUsed;
  const cashYield = capital > 0 ? output.kpis.noi / capital : 0;
  const budgetUp = output.whatIf.find((w) => w.parameter === "budget" && w.to > w.from);
  const rows = output.constraints.filter(
    (c) => c.kind === "budget" || c.kind === "sector-cap" || c.kind === "city-cap",
  );
  return {
    portfolio_summary: {
      capital_used: capital,
      cash_yield: cashYield,
      risk_adjusted_yield: cashYield,
      num_assets_selected: output.selection.filter((s) => s.share > 1e-6).length,
    },
    asset_allocations: output.selection.map((s) => ({
      deal_id: s.id,
      weight: s.weightOfBudget,
      capital: s.capital,
      expected_noi: s.noi,
    })),
    constraints_report: {
      binding: rows
        .filter((c) => c.binding)
        .map((c) => ({ name: protoName(c.constraint), slack: Math.max(0, c.slack) })),
      shadow_prices: rows.map((c) => ({
        constraint: protoName(c.constraint),
        unit: "AED",
        marginal_value: c.shadowPrice === null || c.shadowPrice === 0 ? 0 : -c.shadowPrice,
      })),
    },
    what_if: budgetUp
      ? [
          {
            change: `Increase budget +${(budgetUp.to - budgetUp.from).toLocaleString("en-US")} AED`,
            delta_cash_yield:
              budgetUp.deltaYield === null
                ? "n/a"
                : `${budgetUp.deltaYield >= 0 ? "+" : ""}${(budgetUp.deltaYield * 100).toFixed(3)}%`,
          },
        ]
      : [],
    notes: output.notes,
  };
}

export const dealPickerPrototypeFormat = {
  title: "Prototype (seed 004 FastAPI /deal-picker request and response)",
  toInput: prototypeToInput as (raw: unknown) => unknown,
  fromOutput: (output: unknown, input: unknown): unknown =>
    prototypeFromOutput(output as DealPickerOutput, input as Parameters<typeof prototypeFromOutput>[1]),
};
