import {
  ModelBuilder,
  type SolveOptions,
  type SolveResult,
  solveInThisThread,
  type Var,
} from "@modelworks/solver";
import type { DealPickerInput } from "./schema.ts";

/**
 * The Deal Picker formulation (spec §4.1). x_i ∈ {0,1} (whole) or [0,1] (fractional) is the
 * share of deal i bought.
 *
 *   cost_i   = price_i·(1 + τ_i) + capex_i         (per-deal; budget-haircut: price_i + capex_i)
 *   NOIeff_i = NOI_i·(1 − vacancy_i)
 *   Budget               Σ cost_i x_i ≤ B          (budget-haircut: B·(1 − τ))
 *   Sector / city caps   Σ_{i∈S} cost_i x_i ≤ α_S·D     D = Σ cost_i x_i (deployed) or B (budget)
 *   Single-asset cap     cost_i x_i ≤ β·D
 *   Asset counts         K_min ≤ Σ x_i ≤ K_max     (fractional: Σ y_i with m·y_i ≤ x_i ≤ y_i, y binary)
 *   Must-buy x_i = 1, excluded x_i = 0 (bounds).
 *
 * Deployed-basis caps use a variable D defined by the equality D − Σ cost_i x_i = 0, so each cap
 * row stays sparse (a single-asset cap on 10,000 deals is 10,000 rows of 2 entries, not 10⁸).
 */

export interface Prepared {
  input: DealPickerInput;
  cost: number[];
  noiEff: number[];
  usableBudget: number;
  /** Fractional selection with asset counts: indicator variables y_i. */
  indicators: boolean;
  kind: "lp" | "mip";
}

export type RowKind =
  | "budget"
  | "sector-cap"
  | "city-cap"
  | "single-asset-cap"
  | "min-assets"
  | "max-assets"
  | "internal";

export interface RowMeta {
  name: string;
  kind: RowKind;
  unit: string;
  /** The user-facing parameter this row comes from (sector/city name, deal id). */
  key?: string;
  /** Deployed-basis caps: the cap share α of the row Σ_S cost·x − α·D ≤ 0. */
  capShare?: number;
}

export interface Built {
  builder: ModelBuilder;
  rows: RowMeta[];
  x: Var[];
  coef: number[];
}

export function prepare(input: DealPickerInput): Prepared {
  const haircut = input.costTreatment === "budget-haircut";
  const cost = input.deals.map((d) =>
    haircut
      ? d.askPrice + d.capex
      : d.askPrice * (1 + (d.transactionCostRate ?? input.assumptions.transactionCostRate)) + d.capex,
  );
  const noiEff = input.deals.map((d) => d.noi * (1 - (d.vacancyHaircut ?? input.assumptions.vacancyHaircut)));
  const counted = input.minAssets !== undefined || input.maxAssets !== undefined;
  const indicators = input.selection === "fractional" && counted;
  return {
    input,
    cost,
    noiEff,
    usableBudget: haircut ? input.budget * (1 - input.assumptions.transactionCostRate) : input.budget,
    indicators,
    kind: input.selection === "whole" || indicators ? "mip" : "lp",
  };
}

/** Objective coefficient per whole deal; `q` is the Dinkelbach parameter for max-yield. */
export function coefficients(p: Prepared, q = 0): number[] {
  const { input } = p;
  return p.noiEff.map((n, i) => {
    const c = p.cost[i]!;
    if (input.objective === "noi-above-hurdle") return n - input.hurdleRate * c;
    if (input.objective === "risk-adjusted")
      return n - input.riskPenaltyPerPoint * input.deals[i]!.riskScore * c;
    if (input.objective === "max-yield") return n - q * c;
    return n;
  });
}

export const rowName = {
  budget: "Budget",
  sector: (s: string) => `Sector cap: ${s}`,
  city: (c: string) => `City cap: ${c}`,
  single: (id: string) => `Single-asset cap: ${id}`,
  minAssets: "Min assets",
  maxAssets: "Max assets",
};

export function buildModel(p: Prepared, q = 0): Built {
  const { input } = p;
  const b = new ModelBuilder("max", { objectiveUnit: "AED/yr" });
  const coef = coefficients(p, q);
  const whole = input.selection === "whole";
  const n = input.deals.length;
  // Typical cost of a deal: the weight of one asset in the feasibility relaxation, so that
  // "one more asset" and "this much more budget" are compared in the same currency.
  const sorted = [...p.cost].sort((a, c) => a - c);
  const typicalCost = sorted[Math.floor(n / 2)] ?? 1;
  const x = input.deals.map((d, i) =>
    b.variable({
      name: `share:${d.id}`,
      lower: d.mustBuy ? 1 : 0,
      upper: d.excluded ? 0 : 1,
      ...(whole ? { integer: true } : {}),
      cost: coef[i]!,
      unit: "share",
      ...(d.mustBuy ? { boundPenalty: p.cost[i]! } : {}),
    }),
  );
  const rows: RowMeta[] = [];
  const costTerms = x.map((v, i) => [v, p.cost[i]!] as const);
  b.constraint({
    name: rowName.budget,
    terms: costTerms,
    upper: p.usableBudget,
    unit: "AED",
    relaxPenalty: 1,
  });
  rows.push({ name: rowName.budget, kind: "budget", unit: "AED" });

  const deployedBasis = input.caps.basis === "deployed";
  // Deployed-basis sector/city caps are written densely, Σ_i (1[i∈S] − α)·cost_i·x_i ≤ 0 (few rows,
  // and HiGHS solves them several times faster than through a defined variable D); D is only
  // introduced for single-asset caps, where the dense form would need n rows of n entries.
  let D: Var | undefined;
  if (deployedBasis && input.caps.singleAsset !== undefined) {
    D = b.variable({ name: "capital deployed", lower: 0, upper: Number.POSITIVE_INFINITY, unit: "AED" });
    b.constraint({
      name: "Capital deployed (definition)",
      terms: [[D, 1], ...costTerms.map(([v, c]) => [v, -c] as const)],
      lower: 0,
      upper: 0,
      unit: "AED",
      relaxPenalty: null,
    });
    rows.push({ name: "Capital deployed (definition)", kind: "internal", unit: "AED" });
  }
  const capRow = (name: string, kind: RowKind, key: string, members: number[], cap: number) => {
    const terms: (readonly [Var, number])[] = members.map((i) => [x[i]!, p.cost[i]!] as const);
    if (deployedBasis && !D) {
      for (const [v, c] of costTerms) terms.push([v, -cap * c]);
      b.constraint({ name, terms, upper: 0, unit: "AED", relaxPenalty: 1 });
      rows.push({ name, kind, unit: "AED", key, capShare: cap });
    } else if (D) {
      terms.push([D, -cap]);
      b.constraint({ name, terms, upper: 0, unit: "AED", relaxPenalty: 1 });
      rows.push({ name, kind, unit: "AED", key, capShare: cap });
    } else {
      b.constraint({ name, terms, upper: cap * input.budget, unit: "AED", relaxPenalty: 1 });
      rows.push({ name, kind, unit: "AED", key });
    }
  };
  for (const [field, kind, label] of [
    ["sector", "sector-cap", rowName.sector],
    ["city", "city-cap", rowName.city],
  ] as const) {
    for (const [key, cap] of Object.entries(input.caps[field])) {
      const members = input.deals.flatMap((d, i) => (d[field] === key ? [i] : []));
      if (members.length === 0) continue; // nothing to cap (reported as a note)
      capRow(label(key), kind, key, members, cap);
    }
  }
  if (input.caps.singleAsset !== undefined) {
    const beta = input.caps.singleAsset;
    input.deals.forEach((d, i) => {
      // With the budget as basis a deal costing no more than β·B can never break its cap.
      if (!D && p.cost[i]! <= beta * input.budget) return;
      capRow(rowName.single(d.id), "single-asset-cap", d.id, [i], beta);
    });
  }
  let counters: Var[] = x;
  if (p.indicators) {
    counters = input.deals.map((d) =>
      b.variable({
        name: `buy:${d.id}`,
        binary: true,
        lower: d.mustBuy ? 1 : 0,
        upper: d.excluded ? 0 : 1,
      }),
    );
    const m = Math.max(input.minFraction, 1e-3);
    input.deals.forEach((d, i) => {
      const name1 = `Link upper: ${d.id}`;
      b.constraint({
        name: name1,
        terms: [
          [x[i]!, 1],
          [counters[i]!, -1],
        ],
        upper: 0,
        relaxPenalty: null,
      });
      rows.push({ name: name1, kind: "internal", unit: "share" });
      const name2 = `Link lower: ${d.id}`;
      b.constraint({
        name: name2,
        terms: [
          [x[i]!, 1],
          [counters[i]!, -m],
        ],
        lower: 0,
        relaxPenalty: null,
      });
      rows.push({ name: name2, kind: "internal", unit: "share" });
    });
  }
  const countTerms = counters.map((v) => [v, 1] as const);
  if (input.minAssets !== undefined && input.minAssets > 0) {
    b.constraint({
      name: rowName.minAssets,
      terms: countTerms,
      lower: input.minAssets,
      unit: "assets",
      relaxPenalty: typicalCost,
    });
    rows.push({ name: rowName.minAssets, kind: "min-assets", unit: "assets" });
  }
  if (input.maxAssets !== undefined) {
    b.constraint({
      name: rowName.maxAssets,
      terms: countTerms,
      upper: input.maxAssets,
      unit: "assets",
      relaxPenalty: typicalCost,
    });
    rows.push({ name: rowName.maxAssets, kind: "max-assets", unit: "assets" });
  }
  return { builder: b, rows, x, coef };
}

export interface CoreSolve {
  result: SolveResult;
  built: Built;
  shares: number[];
  /** The objective in the user's terms: AED/yr, or the yield (fraction/yr) for max-yield. */
  objective: number | null;
  /** Dinkelbach parameter of the final subproblem (max-yield). */
  q: number | null;
  iterations: number | null;
  timedOut: boolean;
}

/** How the MIPs are solved; exact either way (tests compare both). */
export interface SolverTuning {
  /**
   * Reduced-cost fixing (`@modelworks/solver`): LP first, a restricted MIP for a plan, then every
   * deal whose LP reduced cost proves it in or out of any plan at least as good is fixed. Default:
   * on for MIPs — the LP bound of a deal knapsack is tight, so almost every deal is fixed (10,000
   * deals: ~9,800) and HiGHS works on the few hundred near the margin.
   */
  reducedCostFixing?: SolveOptions["reducedCostFixing"];
  /**
   * HiGHS presolve. Default "off" for 1,000 deals or more: on these few-row, many-column models it
   * finds nothing to remove and costs more than the LP it precedes (10,000 deals: 180 of 280 ms).
   */
  presolve?: SolveOptions["presolve"];
}

export interface CoreOptions {
  diagnose?: boolean;
  duals?: boolean;
  signal?: AbortSignal;
  tuning?: SolverTuning;
}

export function defaultTuning(p: Prepared): SolverTuning {
  return {
    reducedCostFixing: p.kind === "mip",
    ...(p.input.deals.length >= 1_000 ? { presolve: "off" as const } : {}),
  };
}

const sum = (a: number[], w: number[]) => a.reduce((s, v, i) => s + v * w[i]!, 0);

/**
 * Solves the model once (max-noi, hurdle, risk-adjusted) or by Dinkelbach iterations
 * (max-yield): q_{k+1} = NOI(x_k)/cost(x_k) where x_k maximises Σ (NOIeff_i − q_k·cost_i)·x_i
 * under the same constraints; stops when that maximum is 0 (within tolerance), at which point
 * q_k is the optimal yield. Works unchanged for whole and fractional selection.
 */
export async function solveCore(p: Prepared, opts: CoreOptions = {}): Promise<CoreSolve> {
  const { input } = p;
  const deadline = performance.now() + input.solver.timeLimitSeconds * 1000;
  const tuning = { ...defaultTuning(p), ...opts.tuning };
  const solveOpts = (): SolveOptions => ({
    ...(tuning.reducedCostFixing ? { reducedCostFixing: tuning.reducedCostFixing } : {}),
    ...(tuning.presolve ? { presolve: tuning.presolve } : {}),
    timeLimitSeconds: Math.max(0.05, (deadline - performance.now()) / 1000),
    mipRelGap: input.solver.mipRelGap,
    ranging: opts.duals !== false,
    mipFixedDuals: opts.duals !== false,
    iis: opts.diagnose !== false,
    relaxation: opts.diagnose !== false,
  });
  const sharesOf = (r: SolveResult, built: Built) => built.x.map((v) => r.primal[v.index] ?? 0);
  if (input.objective !== "max-yield") {
    const built = buildModel(p);
    const result = await solveInThisThread(built.builder.build(), solveOpts());
    const shares = result.hasSolution ? sharesOf(result, built) : [];
    return {
      result,
      built,
      shares,
      objective: result.hasSolution ? sum(built.coef, shares) : null,
      q: null,
      iterations: null,
      timedOut: result.status === "time_limit",
    };
  }
  let q = 0;
  let best: CoreSolve | null = null;
  for (let k = 1; k <= 50; k++) {
    opts.signal?.throwIfAborted();
    const built = buildModel(p, q);
    const result = await solveInThisThread(built.builder.build(), solveOpts());
    if (!result.hasSolution) {
      // Infeasible at the first iteration: the model is infeasible. Later: out of time.
      return (
        best ?? {
          result,
          built,
          shares: [],
          objective: null,
          q,
          iterations: k,
          timedOut: result.status === "time_limit",
        }
      );
    }
    const shares = sharesOf(result, built);
    const noi = sum(p.noiEff, shares);
    const cost = sum(p.cost, shares);
    const F = noi - q * cost;
    const current: CoreSolve = {
      result,
      built,
      shares,
      objective: cost > 1e-9 ? noi / cost : null,
      q,
      iterations: k,
      timedOut: result.status === "time_limit",
    };
    // Keep the plan with the best yield seen (a limit-stopped subproblem may not improve).
    if (!best || (current.objective ?? -Infinity) >= (best.objective ?? -Infinity) - 1e-15) best = current;
    else best = { ...(best as CoreSolve), iterations: k };
    if (cost <= 1e-9) break; // nothing worth buying: the yield is undefined
    if (result.status === "time_limit" || performance.now() >= deadline) {
      best.timedOut = true;
      break;
    }
    if (k > 1 && F <= 1e-9 * Math.max(1, noi)) break;
    q = noi / cost;
  }
  return best!;
}
