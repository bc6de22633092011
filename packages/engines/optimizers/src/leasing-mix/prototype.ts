/**
 * The prototype's request and response JSON (seed 004, `schemas/leasing.py` / `leasing_lp.py`,
 * spec §1.4) ↔ leasing-mix@2 with `formulation: "prototype"`.
 *
 * `toInput` validates like the prototype's pydantic `LeasingRequest` (so the frontend payload
 * without `expected_takeup` — fixture LM1b — is rejected field by field, as the prototype did
 * with a 422) and parses the lease term from the start of the package name as the prototype did
 * (`re.match(r"(\d+)[mM]", name.strip())`, default 12). `fromOutput` writes the prototype's
 * response: mix, kpis, constraints_report (SciPy sign: marginals of the minimised negated
 * objective), its canned what_if, and the download path it never wrote.
 */
import { issuesOf, ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import { pyRound } from "./check.ts";
import type { LeasingMixInputParsed, LeasingMixInputRaw, LeasingMixOutputT } from "./schema.ts";

const ge0 = z.number().min(0);
const unit01 = z.number().min(0).max(1);

/** The prototype's `LeasingRequest` (pydantic v2: extra keys ignored, every field required). */
export const PrototypeLeasingRequest = z.object({
  inventory: z.object({ units_total: z.number().int().min(0), vacant_now: z.number().int().min(0) }),
  occupancy_target: unit01,
  incentive_budget: ge0,
  packages: z.array(
    z.object({
      name: z.string(),
      rent: ge0,
      inc_cost: ge0,
      expected_takeup: unit01,
    }),
  ),
  constraints: z.object({ max_share_per_package: unit01, min_wault_months: ge0 }),
});
export type PrototypeLeasingRequest = z.infer<typeof PrototypeLeasingRequest>;

/** The prototype's lease term: a number of months at the very start of the name, else 12. */
export function termFromName(name: string): number {
  const m = /^(\d+)[mM]/.exec(name.trim());
  return m ? Number.parseInt(m[1]!, 10) : 12;
}

export function prototypeToInput(raw: unknown): LeasingMixInputRaw {
  const r = PrototypeLeasingRequest.safeParse(raw);
  if (!r.success)
    throw new ModelInputError(
      issuesOf(r.error).map((i) => ({
        path: i.path,
        // pydantic's word for a missing field, so old error handling keeps working.
        message: /received undefined/.test(i.message) ? "Field required" : i.message,
      })),
      "This is not a valid prototype LeasingRequest.",
    );
  const q = r.data;
  const counts = new Map<string, number>();
  for (const p of q.packages) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  return {
    formulation: "prototype",
    currency: "AED",
    inventory: { unitsTotal: q.inventory.units_total, vacantNow: q.inventory.vacant_now },
    packages: q.packages.map((p, i) => ({
      // Ids must be unique; the prototype's names need not be.
      id: counts.get(p.name) === 1 && p.name.length > 0 && p.name.length <= 64 ? p.name : `package-${i + 1}`,
      name: p.name,
      termMonths: termFromName(p.name),
      rentPerUnitAnnual: p.rent,
      incentivePerUnit: p.inc_cost,
    })),
    occupancy: { target: q.occupancy_target, mode: "hard" },
    incentiveBudget: q.incentive_budget,
    minWaultMonths: q.constraints.min_wault_months,
    maxSharePerPackage: q.constraints.max_share_per_package,
    // The prototype answered with a canned what-if; the re-solved ones are in the native output.
    whatIf: { enabled: false },
  };
}

const PROTOTYPE_FIX_SUGGESTIONS = [
  { change: "Increase incentive budget", impact: "+ feasibility" },
  { change: "Lower min WAULT months", impact: "+ feasibility" },
  { change: "Reduce occupancy target", impact: "+ feasibility" },
];

/** leasing-mix@2 output (prototype formulation) → the prototype's response body. */
export function prototypeFromOutput(output: LeasingMixOutputT, input: LeasingMixInputParsed): unknown {
  if (output.status !== "optimal" || !output.kpis)
    return { error: "Model infeasible", fix_suggestions: PROTOTYPE_FIX_SUGGESTIONS };
  const k = output.kpis;
  const need = k.unitsToTarget;
  const term = new Map(input.packages.map((p) => [p.id, p.termMonths]));
  const mix = output.mix.map((m) => ({
    package: m.name,
    units: pyRound(m.units),
    share: m.units / Math.max(1, need),
    wault_contrib: term.get(m.packageId) ?? m.termMonths,
  }));
  // The prototype reports its inequality rows only (not the occupancy equality).
  const ineq = output.constraints.filter((c) => c.limit !== "equality");
  const price = new Map((output.shadowPrices?.rows ?? []).map((r) => [r.constraint, r]));
  return {
    mix,
    kpis: {
      wault_months: k.waultMonths ?? 0,
      expected_12m_ncf: k.ncf12,
      incentive_spend: k.incentiveSpend,
      occupancy: k.occupancy,
    },
    constraints_report: {
      binding: ineq
        .filter((c) => c.slack !== null && c.slack <= 1e-6)
        .map((c) => ({ name: c.constraint, slack: c.slack ?? 0 })),
      shadow_prices: ineq.map((c) => {
        const p = price.get(c.constraint)?.pricePerUnit ?? 0;
        // SciPy's marginals of min −f for A_ub x ≤ b: −(HiGHS dual) for ≤ rows; the WAULT row is
        // a ≥ row written as −a·x ≤ 0 there, so its marginal is +(HiGHS dual).
        const marginal = c.lower !== null && c.upper === null ? p : -p;
        return { constraint: c.constraint, unit: "AED", marginal_value: marginal === 0 ? 0 : marginal };
      }),
    },
    what_if: [
      {
        change: "+20,000 incentives",
        delta_expected_12m_ncf: "+~60,000",
        new_wault: Math.round((k.waultMonths ?? 0) * 10) / 10,
      },
    ],
    downloads: { xlsx_offer_plan: "/files/outputs/leasing_offer_plan_<timestamp>.xlsx" },
  };
}

export const leasingMixPrototypeFormat = {
  title:
    "The seed-004 prototype's LeasingRequest / response JSON (snake_case; the prototype's LP formulation)",
  toInput: (raw: unknown): unknown => prototypeToInput(raw),
  fromOutput: (output: unknown, input: unknown): unknown =>
    prototypeFromOutput(output as LeasingMixOutputT, input as LeasingMixInputParsed),
};
