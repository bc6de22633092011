/**
 * The run of leasing-mix@2: solve, explain (binding rows, labelled shadow prices, MIP gap),
 * answer what-ifs by re-solving, explain infeasibility (IIS + smallest relaxation), and re-check
 * the plan with the independent evaluator (check.ts).
 *
 * Solves run in the calling thread (`solveInThisThread`): the platform already runs engines in a
 * worker thread (decision 0007). Each solve has the request's time limit; the abort signal is
 * checked between solves.
 */

import { type DualReport, type SolveResult, solveInThisThread } from "@modelworks/solver";
import { groupBinding } from "../common/binding.ts";
import { explainInfeasibility } from "../common/infeasibility.ts";
import { fmt, type OptimizeOptions, planStatus, signed } from "../common/outcome.ts";
import { checkPlan, evaluatePlan, ncf12PerUnit, type Plan } from "./check.ts";
import { type Built, buildModel, lpRelaxation, tieBreakLeastIncentive } from "./formulation.ts";
import type { LeasingMixInputParsed, LeasingMixOutputT } from "./schema.ts";

type Out = LeasingMixOutputT;
type Status = Out["status"];

interface Solved {
  built: Built;
  result: SolveResult;
  status: Status;
  plan: Plan | null;
  solves: number;
}

async function solvePlan(
  input: LeasingMixInputParsed,
  explain: { duals: boolean; diagnose: boolean },
): Promise<Solved> {
  const built = buildModel(input);
  const result = await solveInThisThread(built.spec, {
    timeLimitSeconds: input.solver.timeLimitSeconds,
    mipRelGap: input.solver.mipRelGap,
    mipFixedDuals: explain.duals,
    ranging: explain.duals,
    iis: explain.diagnose,
    relaxation: explain.diagnose,
  });
  let solves = 1;
  const status = planStatus(result);
  let plan: Plan | null = null;
  if (result.hasSolution) {
    let values = result.values;
    if (input.formulation === "prototype" && status === "optimal" && result.duals) {
      // Alternative optima (LM1): report the least-incentive optimal plan, as the prototype did.
      const tb = await solveInThisThread(tieBreakLeastIncentive(built, input, result.duals), {
        timeLimitSeconds: input.solver.timeLimitSeconds,
        ranging: false,
        iis: false,
        relaxation: false,
      });
      solves++;
      if (tb.status === "optimal" && tb.hasSolution) {
        values = tb.values;
        result.constraints = tb.constraints.map((c, i) =>
          reportAgainst(built.spec.constraints[i]!, c.activity),
        );
        result.binding = result.constraints.filter((c) => c.binding).map((c) => c.constraint);
      }
    }
    plan = {};
    for (const p of input.packages) plan[p.id] = values[built.vars[p.id]!] ?? 0;
  }
  return { built, result, status, plan, solves };
}

/** A constraint's report for an activity, against the row's own limits. */
function reportAgainst(
  row: Built["spec"]["constraints"][number],
  activity: number,
): Out["constraints"][number] {
  const fin = (x: number) => (Number.isFinite(x) ? x : null);
  const dl = Number.isFinite(row.lower) ? activity - row.lower : Number.POSITIVE_INFINITY;
  const du = Number.isFinite(row.upper) ? row.upper - activity : Number.POSITIVE_INFINITY;
  const limit = row.lower === row.upper ? "equality" : dl <= du ? "lower" : "upper";
  const slack = limit === "equality" ? Math.abs(dl) : Math.min(dl, du);
  const at = limit === "upper" ? row.upper : row.lower;
  const binding = Math.abs(slack) <= 1e-6 * Math.max(1, Math.abs(at));
  return {
    constraint: row.name,
    unit: row.unit ?? null,
    activity,
    lower: fin(row.lower),
    upper: fin(row.upper),
    slack: binding ? 0 : slack,
    binding,
    limit,
  };
}

function priceMeaning(row: DualReport["constraints"][number], built: Built, cur: string): string {
  const unit = row.unit ?? "unit";
  const kind = built.about[row.constraint]?.kind;
  const head =
    kind === "budget"
      ? `Each extra ${cur} of incentive budget`
      : kind === "occupancy"
        ? "Each extra unit the occupancy target requires"
        : kind === "vacant"
          ? "Each extra vacant unit"
          : kind === "wault"
            ? `Each extra ${unit} the WAULT row requires`
            : `Each +1 ${unit} on the limit of "${row.constraint}"`;
  const range =
    row.validFrom === null && row.validTo === null
      ? ""
      : ` while the limit stays within [${row.validFrom === null ? "−∞" : fmt(row.validFrom, 4)}, ${
          row.validTo === null ? "∞" : fmt(row.validTo, 4)
        }]`;
  return `${head} changes the objective by ${fmt(row.pricePerUnit, 6)} ${row.objectiveUnit ?? ""}${range}.`;
}

function prices(d: DualReport | null, built: Built, cur: string, label: string, basis?: "lp-relaxation") {
  if (!d) return null;
  return {
    basis: basis ?? d.basis,
    label,
    rows: d.constraints.map((c) => ({ ...c, meaning: priceMeaning(c, built, cur) })),
  };
}

/** What the plan is, in output rows. */
function mixRows(input: LeasingMixInputParsed, plan: Plan) {
  const leased = Object.values(plan).reduce((s, x) => s + x, 0);
  return input.packages
    .filter((p) => (plan[p.id] ?? 0) > 1e-9)
    .map((p) => {
      const units = plan[p.id]!;
      const per = ncf12PerUnit(input, p);
      return {
        packageId: p.id,
        name: p.name || p.id,
        units,
        shareOfNewLeases: leased > 0 ? units / leased : 0,
        termMonths: p.termMonths,
        rentPerUnitAnnual: p.rentPerUnitAnnual,
        incentivePerUnit: p.incentivePerUnit,
        ncf12PerUnit: per,
        ncf12: per * units,
        incentiveSpend: p.incentivePerUnit * units,
        demandUnits: p.demandUnits,
      };
    });
}

interface WhatIfCase {
  name: string;
  question: string;
  parameter: string;
  unit: string;
  from: number | null;
  to: number | null;
  input: LeasingMixInputParsed;
}

function whatIfCases(input: LeasingMixInputParsed): WhatIfCase[] {
  const cases: WhatIfCase[] = [];
  const cur = input.currency;
  const w = input.whatIf;
  if (input.incentiveBudget !== null) {
    const b = input.incentiveBudget;
    const step =
      w.incentiveBudgetStep ??
      (b > 0 ? b * 0.1 : Math.max(1, ...input.packages.map((p) => p.incentivePerUnit)));
    for (const sign of [1, -1]) {
      const to = Math.max(0, b + sign * step);
      if (to === b) continue;
      cases.push({
        name: sign > 0 ? "budget-up" : "budget-down",
        question: `What if the incentive budget were ${fmt(to)} ${cur} (${signed(to - b)})?`,
        parameter: "incentiveBudget",
        unit: cur,
        from: b,
        to,
        input: { ...input, incentiveBudget: to },
      });
    }
  }
  if (input.minWaultMonths !== null) {
    const W = input.minWaultMonths;
    for (const sign of [1, -1]) {
      const to = Math.max(0, W + sign * w.waultStepMonths);
      if (to === W) continue;
      cases.push({
        name: sign > 0 ? "wault-up" : "wault-down",
        question: `What if the WAULT target were ${fmt(to, 2)} months (${signed(to - W, 2)})?`,
        parameter: "minWaultMonths",
        unit: "months",
        from: W,
        to,
        input: { ...input, minWaultMonths: to },
      });
    }
  }
  const t = input.occupancy.target;
  for (const sign of [1, -1]) {
    const to = Math.min(1, Math.max(0, Math.round((t + sign * w.occupancyStepPoints) * 1e9) / 1e9));
    if (to === t) continue;
    cases.push({
      name: sign > 0 ? "occupancy-up" : "occupancy-down",
      question: `What if the occupancy target were ${fmt(to * 100, 2)}% (${signed((to - t) * 100, 2)} points)?`,
      parameter: "occupancy.target",
      unit: "fraction",
      from: t,
      to,
      input: { ...input, occupancy: { ...input.occupancy, target: to } },
    });
  }
  return cases;
}

function relaxationText(
  c: { kind: "constraint" | "bound"; name: string; unit: string | null; current: number; required: number },
  input: LeasingMixInputParsed,
  built: Built,
): string {
  const unit = c.unit ?? "";
  if (c.kind === "bound") {
    const id = Object.entries(built.vars).find(([, v]) => v === c.name)?.[0] ?? c.name;
    return `Find demand for ${fmt(c.required, 2)} units on package ${id} instead of ${fmt(c.current, 2)}.`;
  }
  const kind = built.about[c.name]?.kind;
  if (kind === "budget")
    return `Raise the incentive budget from ${fmt(c.current, 2)} to ${fmt(c.required, 2)} ${input.currency}.`;
  if (kind === "occupancy") {
    const occ =
      (input.inventory.unitsTotal - input.inventory.vacantNow + c.required) / input.inventory.unitsTotal;
    return `Require ${fmt(c.required, 2)} new leases instead of ${fmt(c.current, 2)} (occupancy target ${fmt(occ * 100, 2)}%).`;
  }
  if (kind === "wault")
    return `Lower the WAULT requirement by ${fmt(c.current - c.required, 2)} ${unit}; the what-ifs show the plan at a WAULT target ${input.whatIf.waultStepMonths} months lower.`;
  return `Move the limit of "${c.name}" from ${fmt(c.current, 4)} to ${fmt(c.required, 4)} ${unit}.`;
}

export async function optimizeLeasingMix(
  input: LeasingMixInputParsed,
  opts: OptimizeOptions = {},
): Promise<Out> {
  const started = performance.now();
  const cur = input.currency;
  const notes: string[] = [];
  opts.progress?.(0.05, "solving");
  const main = await solvePlan(input, { duals: true, diagnose: true });
  let solves = main.solves;
  const { built, result } = main;
  const proto = input.formulation === "prototype";

  let kpis: Out["kpis"] = null;
  let verification: Out["verification"] = null;
  let mix: Out["mix"] = [];
  if (main.plan) {
    const k = evaluatePlan(input, main.plan);
    kpis = k;
    mix = mixRows(input, main.plan);
    const violations = checkPlan(input, main.plan);
    verification = { feasible: violations.length === 0, violations };
  }

  // Shadow prices: the LP's own (prototype), or the LP with integers fixed (labelled) plus the
  // LP relaxation's (labelled) for the integer model.
  let shadowPrices: Out["shadowPrices"] = null;
  let lpRelaxationPrices: Out["lpRelaxationPrices"] = null;
  if (result.kind === "lp") {
    shadowPrices = prices(
      result.duals,
      built,
      cur,
      "LP duals with ranging (the prototype formulation is an LP).",
    );
  } else if (main.plan) {
    shadowPrices = prices(
      result.duals,
      built,
      cur,
      "Duals of the LP with the integer units fixed at the plan (HiGHS getFixedLp): valid for small moves of a limit " +
        "with the mix held fixed, so mostly zero; re-solving (what-ifs) is the reliable answer for an integer plan.",
    );
    if (!opts.signal?.aborted) {
      const relax = await solveInThisThread(lpRelaxation(built.spec), {
        timeLimitSeconds: input.solver.timeLimitSeconds,
        iis: false,
        relaxation: false,
      });
      solves++;
      if (relax.status === "optimal")
        lpRelaxationPrices = prices(
          relax.duals,
          built,
          cur,
          `Duals of the LP relaxation (fractional units allowed; its objective ${fmt(relax.objective ?? 0, 2)} bounds the integer optimum): ` +
            "the marginal value of each limit before rounding to whole units.",
          "lp-relaxation",
        );
    }
  }

  let mip: Out["mip"] = null;
  if (result.mip) {
    // The report's own fields only (not the search's `branchAndBound` counts): an output with no
    // key its schema lacks passes model-kit's plain check instead of zod's copy.
    mip = {
      gap: result.mip.gap,
      bestBound: result.mip.bestBound,
      nodes: result.mip.nodes,
      label:
        main.status === "optimal"
          ? `Optimal within HiGHS's relative MIP gap tolerance ${input.solver.mipRelGap} (gap ${result.mip.gap ?? "n/a"}).`
          : main.status === "time_limit"
            ? `Time limit of ${input.solver.timeLimitSeconds} s reached: best plan found, not proven optimal; relative gap ${result.mip.gap ?? "unknown"}, best bound ${result.mip.bestBound ?? "unknown"}.`
            : "No integer plan.",
    };
  }

  const statusLabel =
    main.status === "optimal"
      ? proto
        ? "Optimal (prototype LP formulation, fractional units)."
        : `Optimal plan (integer units; MIP gap ${result.mip?.gap ?? 0}).`
      : main.status === "time_limit"
        ? `Best plan found within the time limit of ${input.solver.timeLimitSeconds} s — NOT proven optimal (MIP gap ${result.mip?.gap ?? "unknown"}).`
        : main.status === "infeasible"
          ? "No plan satisfies every hard constraint: see infeasibility for the conflicting constraints (IIS) and the smallest changes that make a plan possible."
          : `No plan found (solver status: ${result.highsStatus}).`;

  // What-ifs: re-solve with one input changed.
  const whatIf: Out["whatIf"] = [];
  if (input.whatIf.enabled) {
    const cases = whatIfCases(input);
    for (const [i, c] of cases.entries()) {
      opts.signal?.throwIfAborted();
      opts.progress?.(0.3 + (0.65 * i) / cases.length, `what-if ${c.name}`);
      const s = await solvePlan(c.input, { duals: false, diagnose: false });
      solves += s.solves;
      const k = s.plan ? evaluatePlan(c.input, s.plan) : null;
      const units: Record<string, number> = {};
      if (s.plan) for (const [id, x] of Object.entries(s.plan)) if (x > 1e-9) units[id] = x;
      const delta = k && kpis ? k.ncf12 - kpis.ncf12 : null;
      const answer = !k
        ? s.status === "infeasible"
          ? "No feasible plan."
          : "No plan found within the time limit."
        : `12-month NCF ${fmt(k.ncf12, 2)} ${cur}${delta === null ? "" : ` (${signed(delta, 2)})`}, ` +
          `occupancy ${fmt(k.occupancy * 100, 2)}%, WAULT ${k.waultMonths === null ? "n/a" : `${fmt(k.waultMonths, 2)} months`}, ` +
          `incentives ${fmt(k.incentiveSpend, 2)} ${cur}${s.status === "time_limit" ? " (time limit: best plan found)" : ""}.`;
      whatIf.push({
        name: c.name,
        question: c.question,
        parameter: c.parameter,
        unit: c.unit,
        from: c.from,
        to: c.to,
        status: s.status,
        objective: k?.objective ?? null,
        ncf12: k?.ncf12 ?? null,
        deltaNcf12: delta,
        deltaObjective: k && kpis ? k.objective - kpis.objective : null,
        waultMonths: k?.waultMonths ?? null,
        occupancy: k?.occupancy ?? null,
        incentiveSpend: k?.incentiveSpend ?? null,
        units,
        answer,
      });
    }
  }

  // What binds, by kind, each with the re-solved what-if that relaxes it: for an integer plan that
  // is its marginal value (the fixed-integer LP's dual is often 0 while +25k of budget pays; issue
  // 18 item 5).
  const FAMILY: Record<string, { label: string; whatIf?: string }> = {
    vacant: { label: "Vacant units" },
    occupancy: { label: "Occupancy target", whatIf: "occupancy-down" },
    budget: { label: "Incentive budget", whatIf: "budget-up" },
    wault: { label: "WAULT target", whatIf: "wault-down" },
    share: { label: "Share cap per lease product" },
  };
  const bindingGroups = groupBinding(
    result.binding,
    (name) => {
      const about = built.about[name];
      const f = about ? FAMILY[about.kind] : undefined;
      return about && f ? { family: about.kind, label: f.label, what: about.what } : null;
    },
    lpRelaxationPrices?.rows ?? shadowPrices?.rows ?? [],
    (family) => {
      const w = whatIf.find((x) => x.name === FAMILY[family]?.whatIf);
      return w ? { question: w.question, deltaObjective: w.deltaObjective, answer: w.answer } : null;
    },
  );

  let infeasibility: Out["infeasibility"] = null;
  if (main.status === "infeasible" && result.infeasibility) {
    infeasibility = explainInfeasibility(
      result.infeasibility,
      built.about,
      (c) => relaxationText(c, input, built),
      {
        rules: "constraints",
        plan: "plan",
      },
    );
  }

  if (!proto) {
    if (input.inPlaceLeases.length === 0 && input.minWaultMonths !== null)
      notes.push("No in-place leases given: the WAULT covers the new leases only.");
    const covered = input.inPlaceLeases.reduce((s, l) => s + l.units, 0);
    const occupied = input.inventory.unitsTotal - input.inventory.vacantNow;
    if (input.inPlaceLeases.length > 0 && covered < occupied)
      notes.push(
        `The in-place leases cover ${covered} of ${occupied} occupied units; the rest do not enter the WAULT.`,
      );
    if (kpis && kpis.shortfallUnits > 0 && input.occupancy.mode === "soft")
      notes.push(
        `Soft occupancy target missed by ${kpis.shortfallUnits} units (penalty ${fmt(kpis.ncf12 - kpis.objective, 2)} ${cur} in the objective).`,
      );
  } else {
    notes.push(
      "Prototype formulation: fractional units, exactly units_needed leased (Python round), share caps of all units, " +
        "unit-weighted WAULT of new leases, NCF = rent − incentive. Among equally good plans the one with the least incentive spend is reported.",
    );
  }
  opts.progress?.(1, "done");
  return {
    model: "leasing-mix@2.0.0",
    formulation: input.formulation,
    currency: cur,
    status: main.status,
    statusLabel,
    mix,
    kpis,
    binding: result.binding,
    bindingGroups,
    constraints: result.constraints,
    shadowPrices,
    lpRelaxationPrices,
    mip,
    whatIf,
    infeasibility,
    verification,
    solve: {
      status: result.status,
      timeLimitSeconds: input.solver.timeLimitSeconds,
      mipRelGap: input.solver.mipRelGap,
      solveMs: performance.now() - started,
      solves,
    },
    notes,
  };
}
