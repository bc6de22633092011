/**
 * The run of capex-phasing@2: solve, explain (binding months, labelled shadow prices, MIP gap),
 * answer what-ifs by re-solving, explain infeasibility (IIS + smallest relaxation), and re-check
 * the plan with the independent evaluator (check.ts).
 *
 * Solves run in the calling thread (`solveInThisThread`): the platform already runs engines in a
 * worker thread (decision 0007). Each solve has the request's time limit and MIP gap; the abort
 * signal is checked between solves.
 */

import { type DualReport, type SolveResult, solveInThisThread } from "@modelworks/solver";
import { groupBinding } from "../common/binding.ts";
import { explainInfeasibility } from "../common/infeasibility.ts";
import { type OptimizeOptions as BaseOptions, fmt, planStatus, signed } from "../common/outcome.ts";
import {
  checkSpendPlan,
  checkStartPlan,
  evaluateSpendPlan,
  evaluateStartPlan,
  type SpendPlan,
  type StartPlan,
} from "./check.ts";
import { type Built, balanceVar, buildModel, lpRelaxation, ROW } from "./formulation.ts";
import { greedySchedule } from "./greedy.ts";
import type {
  CapexModelworksParsed,
  CapexPhasingInputParsed,
  CapexPhasingOutputT,
  CapexPrototypeParsed,
} from "./schema.ts";
import { capOf } from "./schema.ts";

type Out = CapexPhasingOutputT;
type Status = Out["status"];

export interface OptimizeOptions extends BaseOptions {
  /**
   * Start the main solve from the greedy scheduler's plan (greedy.ts). Default true; the bench
   * turns it off to measure the difference in the same run.
   */
  greedyStart?: boolean;
  /** Ruin-and-recreate rounds of the greedy start; default `greedyRounds(input)`. */
  greedyRounds?: number;
}

/**
 * Ruin-and-recreate rounds of the greedy start. 1,500 pays on large programmes (60 × 36: a first
 * incumbent the MIP would take seconds to find); on a tiny one HiGHS proves the optimum from any
 * start, and the 1,500 rounds were ~40 % of a 5 × 12 run (issue 20 goal 3). Up to 72
 * project-months, five rounds per project-month (300 for 5 × 12). Checked on 200 random
 * programmes of 3 × 8 to 6 × 12, what-ifs on: outputs identical to 1,500 rounds to the last digit.
 * Larger programmes keep 1,500: from 8 × 12 on, a different start can leave the same plan with
 * different (degenerate) duals.
 */
export function greedyRounds(input: CapexModelworksParsed): number {
  const size = input.projects.length * input.horizonMonths;
  return size <= TINY_PROGRAMME ? 5 * size : 1500;
}
const TINY_PROGRAMME = 72;

/** The greedy plan as a MIP start (every start variable, and the balances with carry-over). */
function greedyStart(
  input: CapexModelworksParsed,
  built: Built,
  rounds: number,
): Record<string, number> | undefined {
  const g = greedySchedule(input, { improve: rounds });
  if (!g) return undefined;
  const start: Record<string, number> = {};
  for (const p of input.projects)
    for (const [t, name] of built.starts[p.id]!) start[name] = g.plan[p.id] === t ? 1 : 0;
  if (input.cashCarryOver)
    for (const line of evaluateStartPlan(input, g.plan).months)
      start[balanceVar(line.month)] = line.balanceEnd;
  return start;
}

interface Solved {
  built: Built;
  result: SolveResult;
  status: Status;
  starts: StartPlan | null;
  spends: SpendPlan | null;
}

async function solvePlan(
  input: CapexPhasingInputParsed,
  explain: { duals: boolean; diagnose: boolean },
  timeLimitSeconds = input.solver.timeLimitSeconds,
  start?: Record<string, number>,
  /** Rounds of the greedy start (null: no greedy start). */
  greedy: number | null = null,
): Promise<Solved> {
  // Row descriptions only where something reads them (prices, binding, infeasibility).
  const built = buildModel(input, { labels: explain.duals || explain.diagnose });
  if (!start && greedy !== null && input.formulation === "modelworks") {
    // The greedy plan's time (~0.1 s of CPU for 60 × 36) comes out of the solve's time limit.
    const t0 = performance.now();
    start = greedyStart(input, built, greedy);
    timeLimitSeconds = Math.max(0.05, timeLimitSeconds - (performance.now() - t0) / 1000);
  }
  const result = await solveInThisThread(built.spec, {
    ...(start ? { start } : {}),
    // Unscaled (decision 0059): HiGHS was never measured wrong on Capex's models, and scaled it
    // took 2.8× as long on a 20 × 24 programme and stopped at a worse plan on a 30 × 36 one.
    scale: false,
    timeLimitSeconds,
    mipRelGap: input.solver.mipRelGap,
    mipFixedDuals: explain.duals,
    ranging: explain.duals,
    iis: explain.diagnose,
    relaxation: explain.diagnose,
  });
  const status = planStatus(result);
  let starts: StartPlan | null = null;
  let spends: SpendPlan | null = null;
  if (result.hasSolution) {
    if (input.formulation === "modelworks") {
      starts = {};
      for (const p of input.projects) {
        const on = built.starts[p.id]!.find(([, name]) => (result.values[name] ?? 0) > 0.5);
        starts[p.id] = on ? on[0] : null;
      }
    } else {
      spends = {};
      for (const p of input.projects) {
        const row = new Array<number>(input.horizonMonths).fill(0);
        for (const [t, name] of built.spends[p.id]!) row[t - 1] = result.values[name] ?? 0;
        spends[p.id] = row;
      }
    }
  }
  return { built, result, status, starts, spends };
}

function priceMeaning(row: DualReport["constraints"][number], built: Built, cur: string): string {
  const about = built.about[row.constraint];
  const head =
    about?.kind === "cash"
      ? `Each extra ${cur} of month ${about.month}'s cash cap`
      : about?.kind === "capacity"
        ? `One more project in parallel in month ${about.month}`
        : `Each +1 ${row.unit ?? "unit"} on the limit of "${row.constraint}"`;
  const range =
    row.validFrom === null && row.validTo === null
      ? ""
      : ` while the limit stays within [${row.validFrom === null ? "−∞" : fmt(row.validFrom, 4)}, ${
          row.validTo === null ? "∞" : fmt(row.validTo, 4)
        }]`;
  return `${head} changes the objective by ${fmt(row.pricePerUnit, 6)} ${row.objectiveUnit ?? ""}${range}.`;
}

function prices(
  d: DualReport | null | undefined,
  built: Built,
  cur: string,
  label: string,
  basis?: "lp-relaxation",
) {
  if (!d) return null;
  return {
    basis: basis ?? d.basis,
    label,
    rows: d.constraints
      // Cash and capacity limits are what users can move; the logical rows are kept out.
      .filter((c) => {
        const k = built.about[c.constraint]?.kind;
        return k === "cash" || k === "capacity" || k === "spend-range";
      })
      .map((c) => ({ ...c, meaning: priceMeaning(c, built, cur) })),
  };
}

/** A what-if's input value: a cap (one for every month, or per month), a start month, a flag. */
type WhatIfValue = number | boolean | number[];

interface WhatIfCase {
  name: string;
  question: string;
  /** The input path changed, so a client can run the change as a new run (issue 18 item 13). */
  parameter: string;
  from: WhatIfValue;
  to: WhatIfValue;
  input: CapexModelworksParsed;
}

function whatIfCases(input: CapexModelworksParsed, starts: StartPlan | null): WhatIfCase[] {
  const cases: WhatIfCase[] = [];
  const w = input.whatIf;
  const H = input.horizonMonths;
  const caps = Array.from({ length: H }, (_, i) => capOf(input, i + 1));
  for (const sign of [1, -1]) {
    const f = 1 + sign * w.cashStepFraction;
    const cap = input.monthlyCashCap;
    // To the cent: the value is a run's input (110,000, not 110,000.00000000001).
    const scaled = (c: number) => Math.round(c * f * 100) / 100;
    cases.push({
      name: sign > 0 ? "cash-up" : "cash-down",
      question: `What if every month's cash cap were ${signed(sign * w.cashStepFraction * 100)}%?`,
      parameter: "monthlyCashCap",
      from: cap,
      // The input's own form: one cap for every month stays one number.
      to: typeof cap === "number" ? scaled(cap) : caps.map(scaled),
      input: { ...input, monthlyCashCap: caps.map(scaled) },
    });
  }
  if (input.maxParallelProjects !== null) {
    const P = input.maxParallelProjects;
    for (const to of [P + 1, P - 1]) {
      if (to < 1) continue;
      cases.push({
        name: to > P ? "parallel-up" : "parallel-down",
        question: `What if ${to} projects could run in parallel (now ${P})?`,
        parameter: "maxParallelProjects",
        from: P,
        to,
        input: { ...input, maxParallelProjects: to },
      });
    }
  }
  // Window shifts: projects held back by their window (scheduled at their earliest start), most
  // valuable first; skipped optional projects: the cost of forcing them in.
  if (starts) {
    const shift = w.windowShiftMonths;
    const held = input.projects
      .filter((p) => starts[p.id] === p.earliestStartMonth && p.earliestStartMonth > 1)
      .sort((a, b) => b.rentUpliftAnnual - a.rentUpliftAnnual);
    const skipped = input.projects.filter((p) => starts[p.id] === null);
    const picks = [...held.map((p) => ["earlier", p] as const), ...skipped.map((p) => ["force", p] as const)];
    for (const [kind, p] of picks.slice(0, w.maxWindowCases)) {
      if (kind === "earlier") {
        const to = Math.max(1, p.earliestStartMonth - shift);
        cases.push({
          name: `earlier-${p.id}`,
          question: `What if ${p.id} could start in month ${to} (window opens ${p.earliestStartMonth - to} month${p.earliestStartMonth - to === 1 ? "" : "s"} earlier)?`,
          parameter: `projects.${input.projects.indexOf(p)}.earliestStartMonth`,
          from: p.earliestStartMonth,
          to,
          input: {
            ...input,
            projects: input.projects.map((q) => (q.id === p.id ? { ...q, earliestStartMonth: to } : q)),
          },
        });
      } else {
        cases.push({
          name: `force-${p.id}`,
          question: `What if ${p.id} (skipped) had to be done?`,
          parameter: `projects.${input.projects.indexOf(p)}.mandatory`,
          from: p.mandatory,
          to: true,
          input: {
            ...input,
            projects: input.projects.map((q) => (q.id === p.id ? { ...q, mandatory: true } : q)),
          },
        });
      }
    }
  }
  return cases;
}

function relaxationText(
  c: { kind: "constraint" | "bound"; name: string; unit: string | null; current: number; required: number },
  built: Built,
  cur: string,
): string {
  const about = built.about[c.name];
  if (about?.kind === "cash")
    return `Raise month ${about.month}'s cash cap by ${fmt(c.required - c.current, 2)} ${cur} (to ${fmt(c.required, 2)}).`;
  if (about?.kind === "capacity")
    return `Allow ${fmt(c.required, 2)} projects in parallel in month ${about.month} (now ${fmt(c.current, 0)}).`;
  if (about?.kind === "spend-range")
    return `Move ${about.projectId}'s ${c.required < c.current ? "minimum" : "maximum"} spend from ${fmt(c.current, 2)} to ${fmt(c.required, 2)} ${cur}.`;
  return `Move the limit of "${c.name}" from ${fmt(c.current, 4)} to ${fmt(c.required, 4)} ${c.unit ?? ""}.`;
}

export async function optimizeCapex(
  input: CapexPhasingInputParsed,
  opts: OptimizeOptions = {},
): Promise<Out> {
  const started = performance.now();
  const cur = input.currency;
  const H = input.horizonMonths;
  const notes: string[] = [];
  opts.progress?.(0.05, "solving");
  const main = await solvePlan(
    input,
    { duals: true, diagnose: true },
    input.solver.timeLimitSeconds,
    undefined,
    opts.greedyStart === false || input.formulation !== "modelworks"
      ? null
      : (opts.greedyRounds ?? greedyRounds(input)),
  );
  let solves = 1;
  const { built, result } = main;
  const proto = input.formulation === "prototype";

  let lpRelaxationPrices: Out["lpRelaxationPrices"] = null;
  if (result.hasSolution && !opts.signal?.aborted) {
    const relax = await solveInThisThread(lpRelaxation(built.spec), {
      scale: false,
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
        `Duals of the LP relaxation (fractional starts allowed; its objective ${fmt(relax.objective ?? 0, 2)} bounds the ` +
          "integer optimum): the marginal value of each month's cash before whole-project choices; indicative only.",
        "lp-relaxation",
      );
  }
  const shadowPrices = result.hasSolution
    ? prices(
        result.duals,
        built,
        cur,
        proto
          ? "Duals of the LP with the works indicators fixed at the plan (HiGHS getFixedLp): the value of +1 of each limit with the same months under works."
          : "Duals of the LP with every start month fixed at the plan (HiGHS getFixedLp), objective currency per +1 currency " +
              "of a month's cap. With the schedule fixed, extra cash cannot change the objective, so in substance these are 0 " +
              "(the fixed LP's duals are not unique: any nonzero value is offset by the fixed starts' reduced costs). Cash " +
              "binds a schedule only through whole projects: the re-solved what-ifs and the LP-relaxation prices show its value.",
      )
    : null;
  const relaxPrice = new Map((lpRelaxationPrices?.rows ?? []).map((r) => [r.constraint, r.pricePerUnit]));
  const fixedPrice = new Map((shadowPrices?.rows ?? []).map((r) => [r.constraint, r.pricePerUnit]));

  let schedule: Out["schedule"] = [];
  let months: Out["months"] = [];
  let spendByProjectMonth: Out["spendByProjectMonth"] = [];
  let kpis: Out["kpis"] = null;
  let verification: Out["verification"] = null;
  const capacity = input.maxParallelProjects;

  if (!proto && main.starts) {
    const ev = evaluateStartPlan(input, main.starts);
    const violations = checkStartPlan(input, main.starts);
    verification = { feasible: violations.length === 0, violations };
    schedule = input.projects.map((p) => {
      const s = main.starts![p.id] ?? null;
      const pp = ev.perProject[p.id];
      return {
        projectId: p.id,
        name: p.name || p.id,
        scheduled: s !== null,
        mandatory: p.mandatory,
        startMonth: s,
        endMonth: s === null ? null : s + p.durationMonths - 1,
        durationMonths: p.durationMonths,
        cost: pp?.spent ?? 0,
        rentUpliftAnnual: p.rentUpliftAnnual,
        upliftInHorizon: pp?.uplift ?? 0,
        downtimeLoss: pp?.downtime ?? 0,
        value: pp?.value ?? 0,
        earliestStartMonth: p.earliestStartMonth,
        latestStartMonth: p.latestStartMonth,
      };
    });
    let cum = 0;
    months = ev.months.map((l) => {
      cum += l.upliftEarned;
      const left = l.cashAvailable - l.spend;
      return {
        month: l.month,
        cashCap: l.cashCap,
        cashAvailable: l.cashAvailable,
        spend: l.spend,
        balanceEnd: l.balanceEnd,
        activeProjects: l.active.length,
        active: l.active.join(", "),
        upliftEarned: l.upliftEarned,
        upliftCumulative: cum,
        downtimeLoss: l.downtimeLoss,
        cashBinds: left <= 1e-6 * Math.max(1, l.cashAvailable),
        capacityBinds: capacity !== null && l.active.length >= capacity,
        cashShadowPrice: fixedPrice.get(ROW.cash(l.month)) ?? null,
        cashShadowPriceLpRelaxation: relaxPrice.get(ROW.cash(l.month)) ?? null,
      };
    });
    for (const p of input.projects)
      ev.spend[p.id]!.forEach((x, i) => {
        if (x > 0) spendByProjectMonth.push({ month: i + 1, projectId: p.id, spend: x });
      });
    const scheduled = schedule.filter((r) => r.scheduled).length;
    kpis = {
      objective: ev.objective,
      objectiveUnit: built.objectiveUnit,
      upliftInHorizon: ev.upliftInHorizon,
      downtimeLoss: ev.downtimeLoss,
      totalSpend: ev.totalSpend,
      projectsScheduled: scheduled,
      projectsSkipped: input.projects.length - scheduled,
      runRateUpliftAnnualAtHorizon: ev.runRateUpliftAnnualAtHorizon,
      expectedAnnualNoiUplift: null,
    };
  } else if (proto && main.spends) {
    const ev = evaluateSpendPlan(input, main.spends);
    const violations = checkSpendPlan(input, main.spends);
    verification = { feasible: violations.length === 0, violations };
    schedule = input.projects.map((p) => {
      const row = main.spends![p.id]!;
      const on = row.map((x, i) => (x > 1e-6 ? i + 1 : 0)).filter((m) => m > 0);
      const total = ev.totals[p.id] ?? 0;
      return {
        projectId: p.id,
        name: p.id,
        scheduled: on.length > 0,
        mandatory: true,
        startMonth: on[0] ?? null,
        endMonth: on.at(-1) ?? null,
        durationMonths: on.length > 0 ? on.at(-1)! - on[0]! + 1 : null,
        cost: total,
        rentUpliftAnnual: p.upliftRateAnnual * total,
        upliftInHorizon: 0,
        downtimeLoss: 0,
        value: p.upliftRateAnnual * total,
        earliestStartMonth: p.earliestMonth,
        latestStartMonth: p.latestMonth,
      };
    });
    months = ev.months.map((l) => ({
      month: l.month,
      cashCap: l.cashCap,
      cashAvailable: l.cashCap,
      spend: l.spend,
      balanceEnd: 0,
      activeProjects: l.active.length,
      active: l.active.join(", "),
      upliftEarned: 0,
      upliftCumulative: 0,
      downtimeLoss: 0,
      cashBinds: l.cashCap - l.spend <= 1e-6 * Math.max(1, l.cashCap),
      capacityBinds: l.active.length >= input.maxParallelProjects,
      cashShadowPrice: fixedPrice.get(ROW.cash(l.month)) ?? null,
      cashShadowPriceLpRelaxation: relaxPrice.get(ROW.cash(l.month)) ?? null,
    }));
    for (const p of input.projects)
      main.spends[p.id]!.forEach((x, i) => {
        if (x > 1e-6) spendByProjectMonth.push({ month: i + 1, projectId: p.id, spend: x });
      });
    const scheduled = schedule.filter((r) => r.scheduled).length;
    kpis = {
      objective: ev.expectedAnnualNoiUplift,
      objectiveUnit: built.objectiveUnit,
      upliftInHorizon: 0,
      downtimeLoss: 0,
      totalSpend: ev.totalSpend,
      projectsScheduled: scheduled,
      projectsSkipped: input.projects.length - scheduled,
      runRateUpliftAnnualAtHorizon: ev.expectedAnnualNoiUplift,
      expectedAnnualNoiUplift: ev.expectedAnnualNoiUplift,
    };
  }
  spendByProjectMonth = spendByProjectMonth.sort((a, b) => a.month - b.month);

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
          ? `Optimal within the relative MIP gap tolerance ${input.solver.mipRelGap} (gap ${result.mip.gap ?? "n/a"}).`
          : main.status === "time_limit"
            ? `Time limit of ${input.solver.timeLimitSeconds} s reached: best plan found, NOT proven optimal; relative gap ${result.mip.gap ?? "unknown"}, best bound ${result.mip.bestBound ?? "unknown"}.`
            : "No integer plan.",
    };
  }
  const statusLabel =
    main.status === "optimal"
      ? proto
        ? "Optimal (prototype spend model: timing does not change the objective, so the month-by-month split is one of many)."
        : `Optimal schedule (MIP gap ${result.mip?.gap ?? 0}).`
      : main.status === "time_limit"
        ? `Best schedule found within the time limit of ${input.solver.timeLimitSeconds} s — NOT proven optimal (MIP gap ${result.mip?.gap ?? "unknown"}).`
        : main.status === "infeasible"
          ? "No schedule satisfies every rule: see infeasibility for the conflicting constraints (IIS) and the smallest changes that make a schedule possible."
          : `No schedule found (solver status: ${result.highsStatus}).`;

  const whatIf: Out["whatIf"] = [];
  if (!proto && input.whatIf.enabled && main.status !== "infeasible") {
    const cases = whatIfCases(input, main.starts);
    // The what-ifs share one time budget, so a hard programme cannot multiply the run's time.
    const budgetEnd = performance.now() + input.whatIf.timeBudgetSeconds * 1000;
    // Each variant starts from the base schedule (start months only; HiGHS completes the cash
    // balances and ignores the start where the variant makes it infeasible), so a variant that
    // relaxes a limit never reports a worse schedule than the base, even at its time limit.
    const start = Object.fromEntries(
      Object.values(built.starts)
        .flat()
        .map(([, name]) => [name, result.values[name] ?? 0]),
    );
    for (const [i, c] of cases.entries()) {
      opts.signal?.throwIfAborted();
      opts.progress?.(0.3 + (0.65 * i) / cases.length, `what-if ${c.name}`);
      const share = Math.max(0.05, (budgetEnd - performance.now()) / 1000 / (cases.length - i));
      const s = await solvePlan(
        c.input,
        { duals: false, diagnose: false },
        Math.min(input.solver.timeLimitSeconds, share),
        start,
      );
      solves++;
      const ev = s.starts ? evaluateStartPlan(c.input, s.starts) : null;
      const delta = ev && kpis ? ev.objective - kpis.objective : null;
      const moved: string[] = [];
      if (s.starts && main.starts)
        for (const p of input.projects) {
          const a = main.starts[p.id] ?? null;
          const b = s.starts[p.id] ?? null;
          if (a !== b) moved.push(`${p.id} ${a ?? "skipped"}→${b ?? "skipped"}`);
        }
      const scheduled = s.starts ? Object.values(s.starts).filter((x) => x !== null).length : null;
      whatIf.push({
        name: c.name,
        question: c.question,
        parameter: c.parameter,
        from: c.from,
        to: c.to,
        status: s.status,
        objective: ev?.objective ?? null,
        deltaObjective: delta,
        projectsScheduled: scheduled,
        changes: moved.join("; "),
        answer: !ev
          ? s.status === "infeasible"
            ? "No feasible schedule."
            : "No schedule found within the time limit."
          : `Objective ${fmt(ev.objective, 2)} ${cur}${delta === null ? "" : ` (${signed(delta, 2)})`}; ` +
            `${scheduled} project${scheduled === 1 ? "" : "s"} scheduled; ${moved.length ? `moves: ${moved.join(", ")}` : "same schedule"}` +
            `${s.status === "time_limit" ? " (time limit: best schedule found)" : ""}.`,
      });
    }
  }

  // What binds, by kind and ranked: the cash caps and contractor capacity a user can move, with
  // the re-solved what-if that relaxes each; the logical rows (each project starts once, spend
  // needs works, order of identical projects) bind by construction and are left out.
  const FAMILY: Partial<Record<string, { label: string; whatIf?: string }>> = {
    cash: { label: "Monthly cash cap", whatIf: "cash-up" },
    capacity: { label: "Projects under works at once", whatIf: "parallel-up" },
    precedence: { label: "Project order (a predecessor must finish first)" },
    "spend-range": { label: "Project spend range" },
  };
  // A precedence binds when the successor starts right after its predecessor ends; the model's
  // per-month precedence rows all hold at 0 = 0 wherever nothing starts, so they are not counted.
  const end = new Map(schedule.map((r) => [r.projectId, r.endMonth]));
  const tightOrder = new Map<string, string>();
  for (const r of schedule)
    for (const q of proto
      ? []
      : ((input as CapexModelworksParsed).projects.find((p) => p.id === r.projectId)?.predecessors ?? [])) {
      const e = end.get(q);
      if (r.startMonth !== null && e != null && r.startMonth === e + 1)
        tightOrder.set(
          `Precedence ${q}→${r.projectId}`,
          `${r.projectId} starts in month ${r.startMonth}, right after ${q} ends in month ${e}`,
        );
    }
  const bindingGroups = groupBinding(
    [...result.binding.filter((n) => built.about[n]?.kind !== "precedence"), ...tightOrder.keys()],
    (name) => {
      const order = tightOrder.get(name);
      if (order) return { family: "precedence", label: FAMILY.precedence!.label, what: order };
      const about = built.about[name];
      const f = about ? FAMILY[about.kind] : undefined;
      return about && f ? { family: about.kind, label: f.label, what: about.what } : null;
    },
    // Ranked by the LP-relaxation prices: the fixed-schedule duals are 0 in substance (see its label).
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
      (c) => relaxationText(c, built, cur),
      {
        rules: "rules",
        plan: "schedule",
      },
    );
  }

  if (proto) {
    notes.push(
      "Prototype spend model: every project is mandatory, spend per month is free between the min and max totals, " +
        "the objective (annual NOI uplift = rate × spend) ignores timing, and a project counts as under works in any month it spends in.",
    );
  } else {
    notes.push(
      "Rent uplift is earned from the month after the works end until the end of the horizon; downtime loss in every month of works" +
        (input.discountRateAnnual > 0
          ? `; both discounted monthly at (1 + ${input.discountRateAnnual})^(−month/12).`
          : "; undiscounted."),
    );
    if (Array.isArray(input.monthlyCashCap) && input.monthlyCashCap.length > H)
      notes.push(`monthlyCashCap has ${input.monthlyCashCap.length} entries; months after ${H} are ignored.`);
  }
  opts.progress?.(1, "done");
  return {
    model: "capex-phasing@2.0.0",
    formulation: input.formulation,
    currency: cur,
    status: main.status,
    statusLabel,
    schedule,
    months,
    spendByProjectMonth,
    kpis,
    bindingCashMonths: months.filter((m) => m.cashBinds).map((m) => m.month),
    bindingCapacityMonths: months.filter((m) => m.capacityBinds).map((m) => m.month),
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
      variables: built.spec.variables.length,
      constraints: built.spec.constraints.length,
      solveMs: performance.now() - started,
      solves,
    },
    notes,
  };
}

export type { CapexPrototypeParsed };
