import type { DealPickerInput } from "./schema.ts";

/**
 * Independent feasibility check of a plan: recomputes every quantity from the input (not from
 * the solver's model or its row activities) and lists each rule the plan breaks. Used on every
 * plan the engine returns and by the tests (issue 5, "Correctness").
 */
export function checkPlan(
  input: DealPickerInput,
  shares: Record<string, number>,
  tol = 1e-7,
): { feasible: boolean; violations: string[] } {
  const v: string[] = [];
  const haircut = input.costTreatment === "budget-haircut";
  const costOf = (d: DealPickerInput["deals"][number]) =>
    haircut
      ? d.askPrice + d.capex
      : d.askPrice * (1 + (d.transactionCostRate ?? input.assumptions.transactionCostRate)) + d.capex;
  const usable = haircut ? input.budget * (1 - input.assumptions.transactionCostRate) : input.budget;
  const moneyTol = (x: number) => tol * Math.max(1, Math.abs(x), input.budget);
  const counted = input.minAssets !== undefined || input.maxAssets !== undefined;
  let deployed = 0;
  let count = 0;
  const bySector = new Map<string, number>();
  const byCity = new Map<string, number>();
  for (const d of input.deals) {
    const s = shares[d.id] ?? 0;
    if (!Number.isFinite(s)) v.push(`${d.id}: share is not a number`);
    if (s < -tol || s > 1 + tol) v.push(`${d.id}: share ${s} outside [0, 1]`);
    if (input.selection === "whole" && Math.abs(s - Math.round(s)) > 1e-6)
      v.push(`${d.id}: share ${s} is not whole (0 or 1)`);
    if (d.excluded && s > tol) v.push(`${d.id}: excluded but bought (${s})`);
    if (d.mustBuy && s < 1 - 1e-6) v.push(`${d.id}: must-buy but share is ${s}`);
    if (input.selection === "fractional" && counted && s > 1e-6 && s < input.minFraction - 1e-6)
      v.push(`${d.id}: share ${s} below the minimum fraction ${input.minFraction}`);
    const c = costOf(d) * s;
    deployed += c;
    if (s > 1e-6) count++;
    bySector.set(d.sector, (bySector.get(d.sector) ?? 0) + c);
    byCity.set(d.city, (byCity.get(d.city) ?? 0) + c);
  }
  if (deployed > usable + moneyTol(usable)) v.push(`capital ${deployed} exceeds the usable budget ${usable}`);
  const base = input.caps.basis === "budget" ? input.budget : deployed;
  for (const [kind, caps, used] of [
    ["sector", input.caps.sector, bySector],
    ["city", input.caps.city, byCity],
  ] as const) {
    for (const [key, cap] of Object.entries(caps)) {
      const c = used.get(key) ?? 0;
      if (c > cap * base + moneyTol(base)) v.push(`${kind} ${key}: ${c} exceeds ${cap} × ${base}`);
    }
  }
  if (input.caps.singleAsset !== undefined) {
    for (const d of input.deals) {
      const c = costOf(d) * (shares[d.id] ?? 0);
      if (c > input.caps.singleAsset * base + moneyTol(base))
        v.push(`${d.id}: ${c} exceeds the single-asset cap ${input.caps.singleAsset} × ${base}`);
    }
  }
  if (input.minAssets !== undefined && count < input.minAssets)
    v.push(`${count} assets bought, at least ${input.minAssets} required`);
  if (input.maxAssets !== undefined && count > input.maxAssets)
    v.push(`${count} assets bought, at most ${input.maxAssets} allowed`);
  return { feasible: v.length === 0, violations: v };
}

/** The objective of a plan, computed from the input alone (for brute force and tests). */
export function planObjective(input: DealPickerInput, shares: Record<string, number>): number | null {
  const haircut = input.costTreatment === "budget-haircut";
  let noi = 0;
  let cost = 0;
  let risk = 0;
  for (const d of input.deals) {
    const s = shares[d.id] ?? 0;
    const c = haircut
      ? d.askPrice + d.capex
      : d.askPrice * (1 + (d.transactionCostRate ?? input.assumptions.transactionCostRate)) + d.capex;
    noi += d.noi * (1 - (d.vacancyHaircut ?? input.assumptions.vacancyHaircut)) * s;
    cost += c * s;
    risk += d.riskScore * c * s;
  }
  switch (input.objective) {
    case "max-noi":
      return noi;
    case "noi-above-hurdle":
      return noi - input.hurdleRate * cost;
    case "risk-adjusted":
      return noi - input.riskPenaltyPerPoint * risk;
    case "max-yield":
      return cost > 0 ? noi / cost : null;
  }
}
