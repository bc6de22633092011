import type { InfeasibilityReport, SolveResult } from "@modelworks/solver";
import { fmt } from "../common/outcome.ts";
import { checkPlan } from "./check.ts";
import {
  type CoreSolve,
  type Prepared,
  prepare,
  type RowMeta,
  type SolverTuning,
  solveCore,
} from "./model.ts";
import type { DealPickerInput, DealPickerOutput } from "./schema.ts";

type Output = DealPickerOutput;

const pct = (v: number, digits = 2) => `${(v * 100).toFixed(digits)}%`;
const clean = (v: number) => (Object.is(v, -0) || Math.abs(v) < 1e-12 ? 0 : v);

export type Progress = (fraction: number, message?: string) => void;

interface Summary {
  capital: number;
  noi: number;
  yield: number | null;
  selected: Set<string>;
}

function summarize(p: Prepared, shares: number[]): Summary {
  let capital = 0;
  let noi = 0;
  const selected = new Set<string>();
  shares.forEach((s, i) => {
    capital += p.cost[i]! * s;
    noi += p.noiEff[i]! * s;
    if (s > 1e-6) selected.add(p.input.deals[i]!.id);
  });
  return { capital, noi, yield: capital > 1e-9 ? noi / capital : null, selected };
}

function statusLabel(core: CoreSolve, p: Prepared): { status: Output["status"]; label: string } {
  const r = core.result;
  if (!r.hasSolution) {
    if (r.status === "infeasible" || r.status === "infeasible_or_unbounded")
      return {
        status: "infeasible",
        label: "Infeasible: no plan satisfies every constraint (see infeasibility).",
      };
    return {
      status: "no_solution",
      label: `No plan found (${r.highsStatus}${core.timedOut ? ": the time limit ran out before a first plan" : ""}).`,
    };
  }
  const gap = r.mip?.gap;
  if (core.timedOut)
    return {
      status: "time_limit",
      label:
        `Time limit reached: this is the best plan found, not proven optimal` +
        (gap != null ? ` (MIP gap ${pct(gap, 3)}: the optimum is at most that much better).` : "."),
    };
  if (p.kind === "mip")
    return {
      status: "optimal",
      label: `Optimal within the MIP gap tolerance (gap ${pct(gap ?? 0, 4)}, tolerance ${pct(p.input.solver.mipRelGap, 4)}).`,
    };
  return { status: "optimal", label: "Optimal (LP)." };
}

/** Rows of the constraint table, with shadow prices from the solver's dual report. */
function constraintRows(core: CoreSolve, objectiveUnit: string, deployed: number): Output["constraints"] {
  const r = core.result;
  const duals = new Map((r.duals?.constraints ?? []).map((d) => [d.constraint, d]));
  const reports = new Map(r.constraints.map((c) => [c.constraint, c]));
  const out: Output["constraints"] = [];
  for (const meta of core.built.rows) {
    if (meta.kind === "internal") continue;
    const rep = reports.get(meta.name);
    if (!rep) continue;
    const isGe = meta.kind === "min-assets";
    // A deployed-basis cap row reads Σ_S cost·x − α·D ≤ 0; show it as "capital in S ≤ α·D"
    // (shift both sides, and the price's validity range, by α·D at this plan).
    const shift = meta.capShare !== undefined ? meta.capShare * deployed : 0;
    const limit = ((isGe ? rep.lower : rep.upper) ?? 0) + shift;
    const activity = rep.activity + shift;
    const d = duals.get(meta.name);
    out.push({
      constraint: meta.name,
      kind: meta.kind,
      unit: meta.unit,
      sense: isGe ? ">=" : "<=",
      activity: clean(activity),
      limit: clean(limit),
      slack: clean(isGe ? activity - limit : limit - activity),
      binding: rep.binding,
      shadowPrice: d ? clean(d.pricePerUnit) : null,
      priceUnit: d ? `${objectiveUnit} per ${meta.unit}` : null,
      validFrom: d?.validFrom == null ? null : d.validFrom + shift,
      validTo: d?.validTo == null ? null : d.validTo + shift,
    });
  }
  return out;
}

export function relaxText(name: string, unit: string | null, from: number, to: number): string {
  const u = unit ? ` ${unit}` : "";
  if (name.startsWith("share:")) {
    const id = name.slice("share:".length);
    return `drop the must-buy flag of ${id} (buy ${fmt(to, 3)} of it instead of all)`;
  }
  const verb = to > from ? "raise" : "lower";
  const digits = unit === "assets" ? 2 : 0;
  return `${verb} ${name} from ${fmt(from, digits)} to ${fmt(to, digits)}${u} (${to > from ? "+" : ""}${fmt(to - from, digits)})`;
}

function explainInfeasibility(
  p: Prepared,
  r: SolveResult,
  rows: RowMeta[],
): NonNullable<Output["infeasibility"]> {
  const inf = r.infeasibility;
  const byName = new Map(rows.map((m) => [m.name, m]));
  const describeRow = (name: string, lower: number | null, upper: number | null, unit: string | null) => {
    const meta = byName.get(name);
    if (meta?.kind === "internal") return `${name}`;
    const u = unit ? ` ${unit}` : "";
    if (meta?.kind === "min-assets") return `${name} (≥ ${fmt(lower ?? 0)}${u})`;
    if (name === "Budget") return `Budget (≤ ${fmt(upper ?? 0)}${u} usable)`;
    if (
      meta &&
      (meta.kind === "sector-cap" || meta.kind === "city-cap" || meta.kind === "single-asset-cap")
    ) {
      const cap =
        meta.kind === "sector-cap"
          ? p.input.caps.sector[meta.key!]
          : meta.kind === "city-cap"
            ? p.input.caps.city[meta.key!]
            : p.input.caps.singleAsset;
      return `${name} (≤ ${pct(cap ?? 0, 1)} of ${p.input.caps.basis === "deployed" ? "capital deployed" : "the budget"})`;
    }
    return `${name} (≤ ${fmt(upper ?? 0)}${u})`;
  };
  const conflicting: string[] = [];
  for (const c of inf?.iis?.constraints ?? [])
    conflicting.push(describeRow(c.constraint, c.lower, c.upper, c.unit));
  for (const b of inf?.iis?.bounds ?? []) {
    if (b.variable.startsWith("share:") || b.variable.startsWith("buy:")) {
      const id = b.variable.replace(/^(share|buy):/, "");
      const d = p.input.deals.find((x) => x.id === id);
      if (d?.mustBuy && b.bound !== "upper") conflicting.push(`must-buy ${id}`);
      else if (d?.excluded && b.bound !== "lower") conflicting.push(`excluded ${id}`);
      else conflicting.push(`${id}: at most the whole deal (share ≤ 1)`);
    } else conflicting.push(`${b.variable} ${b.bound} bound`);
  }
  const relaxation = (inf?.relaxation?.changes ?? []).map((c) => ({
    name: c.kind === "bound" ? `must-buy ${c.name.replace(/^share:/, "")}` : c.name,
    unit: c.unit,
    from: c.current,
    to: c.required,
    change: c.change,
    text: relaxText(c.name, c.kind === "bound" ? null : c.unit, c.current, c.required),
  }));
  const notes: string[] = [];
  if (inf?.iisNote) notes.push(inf.iisNote);
  if (inf?.relaxationNote) notes.push(inf.relaxationNote);
  if (p.kind === "mip")
    notes.push(
      "The smallest change is computed with budget and caps weighted 1 per AED and one asset weighted as the median deal cost.",
    );
  const summary =
    (conflicting.length > 0
      ? `No plan satisfies all constraints; these conflict: ${conflicting.join("; ")}.`
      : "No plan satisfies all constraints.") +
    (relaxation.length > 0
      ? ` Smallest change that makes it feasible: ${relaxation.map((r) => r.text).join("; ")}.`
      : "");
  return {
    summary,
    conflicting,
    irreducible: inf?.iis ? inf.iis.irreducible : null,
    relaxation,
    notes,
  };
}

function cloneInput(input: DealPickerInput): DealPickerInput {
  return structuredClone(input);
}

interface WhatIfSpec {
  question: string;
  parameter: string;
  from: number;
  to: number;
  apply(i: DealPickerInput): void;
}

function whatIfSpecs(
  p: Prepared,
  constraints: Output["constraints"],
  rows: RowMeta[],
  deployed: number,
): WhatIfSpec[] {
  const { input } = p;
  const specs: WhatIfSpec[] = [];
  const step = input.whatIf.budgetStep;
  for (const sign of [1, -1]) {
    const to = input.budget + sign * step;
    if (to <= 0) continue;
    specs.push({
      question: `What if the budget were ${sign > 0 ? "raised" : "cut"} by ${fmt(step)} AED?`,
      parameter: "budget",
      from: input.budget,
      to,
      apply: (i) => {
        i.budget = to;
      },
    });
  }
  const byName = new Map(rows.map((r) => [r.name, r]));
  // Caps worth probing: binding ones, and (whole deals rarely fill a cap exactly) those whose
  // slack is within one step of the cap, nearest first.
  const capBase = input.caps.basis === "budget" ? input.budget : deployed;
  const isCap = (k: string) => k === "sector-cap" || k === "city-cap" || k === "single-asset-cap";
  const candidates = constraints
    .filter((c) => {
      const meta = byName.get(c.constraint);
      if (!meta) return false;
      if (isCap(meta.kind)) return c.binding || c.slack <= input.whatIf.capStep * capBase + 1e-6;
      return c.binding;
    })
    .sort((a, b) => a.slack - b.slack);
  let caps = 0;
  for (const c of candidates) {
    const meta = byName.get(c.constraint)!;
    if (isCap(meta.kind)) {
      if (caps >= input.whatIf.maxCaps) continue;
      const field = meta.kind === "sector-cap" ? "sector" : meta.kind === "city-cap" ? "city" : null;
      // Every deal has its own single-asset cap row but they share one input: probe it once.
      if (!field && specs.some((sp) => sp.parameter === "caps.singleAsset")) continue;
      caps++;
      const key = meta.key!;
      const current = field ? input.caps[field][key]! : input.caps.singleAsset!;
      for (const sign of [1, -1]) {
        const to = Math.min(1, Math.max(0, current + sign * input.whatIf.capStep));
        if (Math.abs(to - current) < 1e-12) continue;
        const label = field ? `${field} cap for ${key}` : "single-asset cap";
        specs.push({
          question: `What if the ${label} were ${pct(to, 1)} instead of ${pct(current, 1)}?`,
          parameter: field ? `caps.${field}.${key}` : "caps.singleAsset",
          from: current,
          to,
          apply: (i) => {
            if (field) i.caps[field][key] = to;
            else i.caps.singleAsset = to;
          },
        });
      }
    } else if (meta.kind === "max-assets") {
      const to = input.maxAssets! + 1;
      specs.push({
        question: `What if one more asset were allowed (${to})?`,
        parameter: "maxAssets",
        from: input.maxAssets!,
        to,
        apply: (i) => {
          i.maxAssets = to;
        },
      });
    } else if (meta.kind === "min-assets" && input.minAssets! > 0) {
      const to = input.minAssets! - 1;
      specs.push({
        question: `What if one asset fewer were required (${to})?`,
        parameter: "minAssets",
        from: input.minAssets!,
        to,
        apply: (i) => {
          i.minAssets = to;
        },
      });
    }
  }
  return specs;
}

async function answerWhatIf(
  base: { objective: number | null; summary: Summary | null },
  spec: WhatIfSpec,
  input: DealPickerInput,
  objectiveUnit: string,
  signal?: AbortSignal,
  tuning?: SolverTuning,
): Promise<Output["whatIf"][number]> {
  const changed = cloneInput(input);
  spec.apply(changed);
  const p = prepare(changed);
  const core = await solveCore(p, {
    diagnose: false,
    duals: false,
    ...(signal ? { signal } : {}),
    ...(tuning ? { tuning } : {}),
  });
  if (!core.result.hasSolution) {
    return {
      question: spec.question,
      parameter: spec.parameter,
      from: spec.from,
      to: spec.to,
      status: core.result.status,
      objective: null,
      deltaObjective: null,
      capitalUsed: null,
      noi: null,
      yield: null,
      deltaYield: null,
      added: [],
      removed: [],
      answer:
        core.result.status === "infeasible"
          ? "No feasible plan."
          : `No plan found (${core.result.highsStatus}).`,
    };
  }
  const s = summarize(p, core.shares);
  const added = [...s.selected].filter((id) => !base.summary?.selected.has(id));
  const removed = [...(base.summary?.selected ?? [])].filter((id) => !s.selected.has(id));
  const dObj = core.objective !== null && base.objective !== null ? core.objective - base.objective : null;
  const dYield = s.yield !== null && base.summary?.yield != null ? s.yield - base.summary.yield : null;
  const objText =
    dObj === null
      ? ""
      : objectiveUnit === "fraction/yr"
        ? `yield ${dObj >= 0 ? "+" : ""}${(dObj * 10_000).toFixed(1)} bp`
        : `objective ${dObj >= 0 ? "+" : ""}${fmt(dObj)} ${objectiveUnit}`;
  const parts = [objText, `capital ${fmt(s.capital)} AED`, `NOI ${fmt(s.noi)} AED/yr`];
  if (s.yield !== null) parts.push(`yield ${pct(s.yield)}`);
  if (added.length) parts.push(`adds ${added.join(", ")}`);
  if (removed.length) parts.push(`drops ${removed.join(", ")}`);
  if (!added.length && !removed.length) parts.push("same deals");
  return {
    question: spec.question,
    parameter: spec.parameter,
    from: spec.from,
    to: spec.to,
    status: core.timedOut ? "time_limit" : core.result.status,
    objective: core.objective,
    deltaObjective: dObj,
    capitalUsed: s.capital,
    noi: s.noi,
    yield: s.yield,
    deltaYield: dYield,
    added,
    removed,
    answer: parts.filter(Boolean).join("; ") + (core.timedOut ? " (time limit: best plan found)" : ""),
  };
}

type RunOptions = { progress?: Progress; signal?: AbortSignal; tuning?: SolverTuning };

/** Runs Deal Picker: solve, re-check, explain, answer the what-ifs by re-solving. */
export async function runDealPicker(input: DealPickerInput, opts: RunOptions = {}): Promise<Output> {
  return (await runDealPickerWithReport(input, opts)).output;
}

/**
 * The deal-picker@2 output and the solver's own infeasibility report (IIS, relaxation), from
 * which deal-picker@3 builds the optimizers' shared explanation (common/explain-schema.ts).
 */
export async function runDealPickerWithReport(
  input: DealPickerInput,
  opts: RunOptions = {},
): Promise<{ output: Output; infeasibility: InfeasibilityReport | null }> {
  const started = performance.now();
  const progress = opts.progress ?? (() => {});
  const p = prepare(input);
  progress(0.05, "solving");
  const core = await solveCore(p, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.tuning ? { tuning: opts.tuning } : {}),
  });
  const r = core.result;
  const { status, label } = statusLabel(core, p);
  const objectiveUnit = input.objective === "max-yield" ? "fraction/yr" : "AED/yr";
  const dualUnit = input.objective === "max-yield" ? "AED/yr (NOI − q·capital)" : "AED/yr";
  const notes: string[] = [];
  for (const field of ["sector", "city"] as const) {
    for (const key of Object.keys(input.caps[field])) {
      if (!input.deals.some((d) => d[field] === key))
        notes.push(`No deal is in ${field} "${key}": its cap constrains nothing.`);
    }
  }
  if (input.costTreatment === "budget-haircut") {
    notes.push(
      `Budget haircut (prototype formulation): transaction costs are deducted from the budget ` +
        `(usable ${fmt(p.usableBudget)} AED), deal cost = price + capex.`,
    );
    if (input.deals.some((d) => d.transactionCostRate !== undefined))
      notes.push("Per-deal transaction cost rates are ignored with the budget haircut.");
  }

  const base: Output = {
    status,
    statusLabel: label,
    model: {
      kind: p.kind,
      selection: input.selection,
      objective: input.objective,
      objectiveUnit,
      costTreatment: input.costTreatment,
      capsBasis: input.caps.basis,
      usableBudget: p.usableBudget,
      yieldMethod:
        input.objective === "max-yield"
          ? "Dinkelbach: repeat max Σ(NOI_i − q·cost_i)x_i with q = yield of the last plan until the maximum is 0"
          : null,
      dinkelbachIterations: core.iterations,
      variables: core.built.builder.variables.length,
      constraints: core.built.rows.length,
    },
    kpis: null,
    selection: [],
    deals: [],
    constraints: [],
    binding: [],
    shadowPrices: { basis: null, label: "No shadow prices: no plan." },
    mip: r.mip && {
      gap: r.mip.gap,
      bestBound: r.mip.bestBound,
      nodes: r.mip.nodes,
      ...(r.mip.reducedCostFixing
        ? {
            reducedCostFixing: {
              lpBound: r.mip.reducedCostFixing.lpBound,
              integers: r.mip.reducedCostFixing.integers,
              fixed: r.mip.reducedCostFixing.fixed,
              free: r.mip.reducedCostFixing.free,
            },
          }
        : {}),
    },
    whatIf: [],
    infeasibility: null,
    check: { feasible: false, violations: [], method: "" },
    notes,
    solveMs: 0,
  };

  if (!r.hasSolution) {
    if (status === "infeasible") base.infeasibility = explainInfeasibility(p, r, core.built.rows);
    base.check = { feasible: false, violations: ["no plan"], method: "none: no plan returned" };
    base.solveMs = performance.now() - started;
    progress(1, "done");
    return { output: base, infeasibility: r.infeasibility ?? null };
  }

  const shares = core.shares.map((s) => (input.selection === "whole" ? Math.round(s) : clean(s)));
  const sharesById = Object.fromEntries(input.deals.map((d, i) => [d.id, shares[i]!]));
  const s = summarize(p, shares);
  let weightedRisk = 0;
  const selection: Output["selection"] = [];
  input.deals.forEach((d, i) => {
    const sh = shares[i]!;
    if (sh <= 1e-9) return;
    const capital = p.cost[i]! * sh;
    weightedRisk += d.riskScore * capital;
    selection.push({
      id: d.id,
      name: d.name ?? null,
      sector: d.sector,
      city: d.city,
      share: sh,
      capital,
      noi: p.noiEff[i]! * sh,
      yield: p.noiEff[i]! / p.cost[i]!,
      riskScore: d.riskScore,
      weightOfBudget: capital / input.budget,
      weightOfDeployed: s.capital > 0 ? capital / s.capital : 0,
      mustBuy: d.mustBuy,
    });
  });
  const varSens = new Map((r.duals?.variables ?? []).map((v) => [v.variable, v]));
  base.deals = input.deals.map((d, i) => {
    const v = varSens.get(`share:${d.id}`);
    return {
      id: d.id,
      share: shares[i]!,
      allInCost: p.cost[i]!,
      effectiveNoi: p.noiEff[i]!,
      objectiveCoefficient: core.built.coef[i]!,
      reducedCost: v ? clean(v.reducedCost) : null,
      coefficientFrom: v?.costFrom ?? null,
      coefficientTo: v?.costTo ?? null,
    };
  });
  base.selection = selection;
  base.kpis = {
    budget: input.budget,
    capitalUsed: s.capital,
    capitalUsedShareOfBudget: s.capital / input.budget,
    noi: s.noi,
    yield: s.yield,
    objective: core.objective ?? 0,
    assetsSelected: s.selected.size,
    weightedRiskScore: s.capital > 0 ? weightedRisk / s.capital : null,
  };
  base.constraints = constraintRows(core, dualUnit, s.capital);
  base.binding = base.constraints.filter((c) => c.binding).map((c) => c.constraint);
  const basis = r.duals?.basis ?? null;
  base.shadowPrices = {
    basis,
    label:
      basis === "lp"
        ? `LP shadow prices: change of the objective (${dualUnit}) per +1 unit of each limit, valid over [validFrom, validTo].`
        : basis === "mip-integers-fixed"
          ? `LP with integers fixed (MIP): prices of the LP obtained by fixing every whole-deal choice at this plan; ` +
            `they hold only while the same deals are bought (often 0). Use the what-ifs, computed by re-solving, for real changes.`
          : "No shadow prices available for this solve.",
  };
  if (input.objective === "max-yield")
    base.notes.push(
      `Max yield by Dinkelbach (${core.iterations} solves): shadow prices and reduced costs refer to the last subproblem, ` +
        `max Σ (NOI − q·capital) with q = ${core.q?.toFixed(8)}; divide by the capital used for the change in yield.`,
    );
  const check = checkPlan(input, sharesById);
  base.check = {
    ...check,
    method:
      "independent re-check of budget, caps, counts, bounds and integrality from the input (not the solver)",
  };

  if (input.whatIf.enabled) {
    const specs = whatIfSpecs(p, base.constraints, core.built.rows, s.capital);
    const baseInfo = { objective: core.objective, summary: s };
    for (let k = 0; k < specs.length; k++) {
      opts.signal?.throwIfAborted();
      progress(0.3 + (0.65 * k) / specs.length, `what-if ${k + 1}/${specs.length}`);
      base.whatIf.push(
        await answerWhatIf(baseInfo, specs[k]!, input, objectiveUnit, opts.signal, opts.tuning),
      );
    }
  }
  base.solveMs = performance.now() - started;
  progress(1, "done");
  return { output: base, infeasibility: r.infeasibility ?? null };
}
