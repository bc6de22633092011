/**
 * The two formulations of leasing-mix@2 as solver models.
 *
 * `modelworks` (a MILP), with u_p ∈ ℤ₊ the units leased on package p in the next 12 months:
 *
 *   max  Σ_p ncf_p · u_p  − π · s                      (s: shortfall, soft mode only)
 *   ncf_p = R_p · max(0, min(12 − lag_p, T_p) − free_p) / 12 − inc_p − fees_p
 *   Σ_p u_p ≤ V                                         vacant units (hard)
 *   Σ_p u_p (+ s) ≥ N = ⌈target · U⌉ − occupied         occupancy target (hard without s)
 *   Σ_p inc_p · u_p ≤ B                                 incentive budget
 *   u_p ≤ α_p · Σ_q u_q                                 share cap of the newly leased units
 *   0 ≤ u_p ≤ min(V, D_p)                               demand limit
 *   rent-weighted WAULT ≥ W                             linearised below
 *
 * WAULT linearisation. The rent-weighted WAULT over the in-place leases i (annual rent R_i of the
 * whole lease, remaining term T_i) and the new leases (annual rent R_p per unit, term T_p) is
 *
 *   WAULT(u) = (Σ_i R_i T_i + Σ_p R_p T_p u_p) / (Σ_i R_i + Σ_p R_p u_p),
 *
 * a ratio of two affine functions of u. Whenever the denominator (the total annual rent) is
 * positive, WAULT(u) ≥ W ⇔ Σ_i R_i T_i + Σ_p R_p T_p u_p ≥ W · (Σ_i R_i + Σ_p R_p u_p)
 * ⇔ Σ_p R_p (T_p − W) u_p ≥ Σ_i R_i (W − T_i): multiplying by the positive denominator keeps the
 * inequality's direction and the result is linear in u, exact (no approximation, no big-M). When
 * the denominator is 0 (no rent at all) the WAULT is undefined and the row reads 0 ≥ 0, i.e. no
 * constraint. Its unit is rent-weighted months (currency/yr × months); its shadow price is per
 * such unit, so what-ifs on W are answered by re-solving, not from the price.
 *
 * The share cap is linearised the same way: u_p ≤ α Σ_q u_q ⇔ (1 − α) u_p − α Σ_{q≠p} u_q ≤ 0.
 *
 * `prototype` (an LP): exactly the seed-004 prototype's `solve_leasing_lp` (spec §1.4) — continuous
 * units, Σ u = units_needed (Python round), u_p ≤ cap · U (share of all units), unit-weighted
 * WAULT of the new leases Σ (T_p − W) u_p ≥ 0, objective Σ (rent − incentive) u_p; rows named
 * as the prototype named them.
 */
import { type DualReport, ModelBuilder, type ModelSpec } from "@modelworks/solver";
import { ncf12PerUnit, shortfallPenalty, unitsToTarget } from "./check.ts";
import type { LeasingMixInputParsed } from "./schema.ts";

export const ROW = {
  vacant: "Vacant units",
  occupancy: "Occupancy target",
  budget: "Incentive budget",
  wault: "WAULT target",
  share: (name: string) => `Share cap ${name}`,
} as const;

export const unitsVar = (id: string) => `units[${id}]`;
export const SHORTFALL = "shortfall";

export interface Built {
  spec: ModelSpec;
  /** Package id → variable name. */
  vars: Record<string, string>;
  /** Human explanation of each row, by row name. */
  about: Record<string, { what: string; kind: "vacant" | "occupancy" | "budget" | "wault" | "share" }>;
  objectiveUnit: string;
}

/** Python's repr of a float as the prototype prints it in f-strings ("18.0", "24.5"). */
export function pyFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

export function buildModel(input: LeasingMixInputParsed): Built {
  return input.formulation === "prototype" ? buildPrototype(input) : buildModelworks(input);
}

function buildModelworks(input: LeasingMixInputParsed): Built {
  const cur = input.currency;
  const soft = input.occupancy.mode === "soft";
  const objectiveUnit = soft ? `${cur} (12-month NCF − shortfall penalty)` : `${cur} (12-month NCF)`;
  const m = new ModelBuilder("max", { objectiveUnit });
  const { vacantNow } = input.inventory;
  const about: Built["about"] = {};
  const vars: Record<string, string> = {};
  const meanRent =
    input.packages.reduce((s, p) => s + p.rentPerUnitAnnual, 0) / Math.max(1, input.packages.length) || 1;
  const meanInc =
    input.packages.reduce((s, p) => s + p.incentivePerUnit, 0) / Math.max(1, input.packages.length) || 1;

  const u = input.packages.map((p) => {
    const demandBinds = p.demandUnits !== null && p.demandUnits < vacantNow;
    const name = unitsVar(p.id);
    vars[p.id] = name;
    return m.variable({
      name,
      integer: true,
      lower: 0,
      upper: demandBinds ? (p.demandUnits as number) : vacantNow,
      cost: ncf12PerUnit(input, p),
      unit: "units",
      // A demand limit may be relaxed in the feasibility relaxation ("find more tenants"), one
      // unit of demand weighing as much as one unit of occupancy; the vacancy bound is physical.
      boundPenalty: demandBinds ? 1 : null,
    });
  });
  const all = u.map((v) => [v, 1] as const);

  m.constraint({ name: ROW.vacant, terms: all, upper: vacantNow, unit: "units", relaxPenalty: null });
  about[ROW.vacant] = { what: "new leases cannot exceed the vacant units", kind: "vacant" };

  const need = unitsToTarget(input);
  const occTerms: [(typeof u)[number], number][] = all.map(([v, c]) => [v, c]);
  if (soft) {
    const s = m.variable({
      name: SHORTFALL,
      lower: 0,
      upper: need,
      cost: -shortfallPenalty(input),
      unit: "units",
    });
    occTerms.push([s, 1]);
  }
  m.constraint({ name: ROW.occupancy, terms: occTerms, lower: need, unit: "units", relaxPenalty: 1 });
  about[ROW.occupancy] = {
    what: soft
      ? `units leased plus the shortfall reach the ${need} units the target needs (shortfall penalised)`
      : `units leased reach the ${need} units the occupancy target needs`,
    kind: "occupancy",
  };

  if (input.incentiveBudget !== null) {
    m.constraint({
      name: ROW.budget,
      terms: input.packages.map((p, j) => [u[j]!, p.incentivePerUnit] as const),
      upper: input.incentiveBudget,
      unit: cur,
      // One average unit's incentive weighs as much as one unit of occupancy.
      relaxPenalty: 1 / meanInc,
    });
    about[ROW.budget] = { what: "incentives paid stay within the budget", kind: "budget" };
  }

  input.packages.forEach((p, j) => {
    const a = p.maxShare ?? input.maxSharePerPackage;
    if (a >= 1) return;
    const name = ROW.share(p.id);
    m.constraint({
      name,
      terms: input.packages.map((_, q) => [u[q]!, q === j ? 1 - a : -a] as const),
      upper: 0,
      unit: "units",
      relaxPenalty: 1,
    });
    about[name] = { what: `${p.id} is at most ${a * 100}% of the newly leased units`, kind: "share" };
  });

  if (input.minWaultMonths !== null) {
    const W = input.minWaultMonths;
    const rhs = input.inPlaceLeases.reduce(
      (s, l) => s + l.units * l.rentPerUnitAnnual * (W - l.remainingTermMonths),
      0,
    );
    m.constraint({
      name: ROW.wault,
      terms: input.packages.map((p, j) => [u[j]!, p.rentPerUnitAnnual * (p.termMonths - W)] as const),
      lower: rhs,
      unit: `${cur}/yr × months (rent-weighted months)`,
      // One average unit's annual rent for one month weighs as much as one unit of occupancy.
      relaxPenalty: 1 / meanRent,
    });
    about[ROW.wault] = {
      what: `rent-weighted WAULT of in-place and new leases ≥ ${W} months (linearised: Σ R_p(T_p − W)u_p ≥ Σ R_i(W − T_i))`,
      kind: "wault",
    };
  }
  return { spec: m.build(), vars, about, objectiveUnit };
}

function buildPrototype(input: LeasingMixInputParsed): Built {
  const cur = input.currency;
  const objectiveUnit = `${cur} (expected 12-month NCF, prototype)`;
  const m = new ModelBuilder("max", { objectiveUnit });
  const { unitsTotal, vacantNow } = input.inventory;
  const about: Built["about"] = {};
  const vars: Record<string, string> = {};
  const u = input.packages.map((p) => {
    const name = unitsVar(p.id);
    vars[p.id] = name;
    return m.variable({
      name,
      lower: 0,
      upper: vacantNow,
      cost: p.rentPerUnitAnnual - p.incentivePerUnit,
      unit: "units",
    });
  });
  if (input.incentiveBudget !== null) {
    m.constraint({
      name: ROW.budget,
      terms: input.packages.map((p, j) => [u[j]!, p.incentivePerUnit] as const),
      upper: input.incentiveBudget,
      unit: cur,
    });
    about[ROW.budget] = { what: "incentives paid stay within the budget", kind: "budget" };
  }
  const pct = Math.trunc(100 * input.maxSharePerPackage);
  const used = new Set<string>();
  input.packages.forEach((p, j) => {
    let name = `Max share ${p.name || p.id} ${pct}%`;
    // The prototype allowed repeated names; the solver needs unique row names.
    for (let k = 2; used.has(name); k++) name = `Max share ${p.name || p.id} ${pct}% (${k})`;
    used.add(name);
    m.constraint({
      name,
      terms: [[u[j]!, 1]],
      upper: input.maxSharePerPackage * unitsTotal,
      unit: "units",
    });
    about[name] = { what: `${p.name} ≤ ${pct}% of all units (prototype: share of the total)`, kind: "share" };
  });
  if (input.minWaultMonths !== null) {
    const W = input.minWaultMonths;
    const name = `Min WAULT ${pyFloat(W)}m`;
    m.constraint({
      name,
      terms: input.packages.map((p, j) => [u[j]!, p.termMonths - W] as const),
      lower: 0,
      unit: "unit-months",
    });
    about[name] = { what: `unit-weighted term of the new leases ≥ ${W} months (prototype)`, kind: "wault" };
  }
  const need = unitsToTarget(input);
  m.constraint({
    name: ROW.occupancy,
    terms: u.map((v) => [v, 1] as const),
    lower: need,
    upper: need,
    unit: "units",
  });
  about[ROW.occupancy] = { what: `exactly ${need} units leased (prototype: equality)`, kind: "occupancy" };
  return { spec: m.build(), vars, about, objectiveUnit };
}

/**
 * The prototype formulation's tie-break among alternative optima (LM1 is degenerate): minimise
 * the incentive spend over the optimal face — the plan the prototype returned on its fixture.
 * The face is exact, from complementary slackness: every variable with a nonzero reduced cost
 * stays at its bound and every row with a nonzero dual stays at its limit (no objective
 * tolerance that would let the plan drift off the vertex).
 */
export function tieBreakLeastIncentive(
  built: Built,
  input: LeasingMixInputParsed,
  duals: DualReport,
): ModelSpec {
  const spec = built.spec;
  const incentive = new Map(input.packages.map((p) => [built.vars[p.id]!, p.incentivePerUnit]));
  const rc = new Map(duals.variables.map((v) => [v.variable, v]));
  const price = new Map(duals.constraints.map((c) => [c.constraint, c]));
  const tol = 1e-9;
  return {
    ...spec,
    sense: "min",
    objectiveOffset: 0,
    variables: spec.variables.map((v) => {
      const s = rc.get(v.name);
      const fixed = s && s.position !== "basic" && Math.abs(s.reducedCost) > tol;
      return { ...v, cost: incentive.get(v.name) ?? 0, ...(fixed ? { lower: s.value, upper: s.value } : {}) };
    }),
    constraints: spec.constraints.map((c) => {
      const d = price.get(c.name);
      if (!d || Math.abs(d.pricePerUnit) <= tol) return c;
      return { ...c, lower: d.limitValue, upper: d.limitValue };
    }),
  };
}

/** The LP relaxation of a MILP (integrality dropped), for its labelled duals. */
export function lpRelaxation(spec: ModelSpec): ModelSpec {
  return { ...spec, variables: spec.variables.map((v) => ({ ...v, integer: false })) };
}
