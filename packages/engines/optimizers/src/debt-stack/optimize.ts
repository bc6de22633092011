/**
 * The run of debt-stack@3: solve the LP (a MILP when a tranche has a minimum size or a fixed
 * fee), explain it (binding rows, shadow prices with units and ranges — with on/off tranches the
 * duals of the LP with the choices fixed), answer what-ifs by re-solving (LTV ± points, DSCR ±
 * step, equity ± step, each on/off tranche switched), explain
 * infeasibility (IIS + smallest relaxation), and re-check the plan with the independent
 * evaluator (check.ts). Solves run in the calling thread: the platform already runs engines in a
 * worker thread (decision 0007).
 */

import { type DualReport, type ModelSpec, solveInThisThread } from "@modelworks/solver";
import { groupBinding } from "../common/binding.ts";
import { explainInfeasibility } from "../common/infeasibility.ts";
import { fmt, type OptimizeOptions, planStatus, signed } from "../common/outcome.ts";
import { checkPlan, evaluatePlan, type Plan } from "./check.ts";
import {
  amountVar,
  type Built,
  buildModel,
  EQUITY,
  isSwitched,
  notionalVar,
  usedVar,
} from "./formulation.ts";
import type { DebtStackInputParsed, DebtStackOutputT } from "./schema.ts";

type Out = DebtStackOutputT;

async function solvePlan(input: DebtStackInputParsed, explain: boolean, start?: Record<string, number>) {
  const built = buildModel(input);
  const spec = built.spec;
  const result = await solveInThisThread(spec, {
    ...(start ? { start } : {}),
    timeLimitSeconds: input.solver.timeLimitSeconds,
    mipRelGap: input.solver.mipRelGap,
    // These models are small (≤ a few hundred rows, ≤ 50 binaries): HiGHS's presolve costs more
    // than it saves. Bench instance (5 tranches × 3 scenarios × 10 years, 2 cores under load),
    // median of 15: MILP 209 → 103 ms, LP 14 → 10 ms with presolve off; same optima.
    presolve: "off",
    ranging: explain,
    mipFixedDuals: explain,
    iis: explain,
    relaxation: explain,
  });
  const status = planStatus(result);
  let plan: Plan | null = null;
  if (status === "optimal" || status === "time_limit") {
    const v = result.values;
    // An unused switched tranche is exactly 0 (not the solver's 1e-9 noise).
    const off = (id: string) =>
      isSwitched(input.tranches.find((t) => t.id === id)!) && (v[usedVar(id)] ?? 0) < 0.5;
    plan = {
      amounts: Object.fromEntries(
        input.tranches.map((t) => [t.id, off(t.id) ? 0 : Math.max(0, v[amountVar(t.id)] ?? 0)]),
      ),
      equity: Math.max(0, v[EQUITY] ?? 0),
      notionals: Object.fromEntries(input.hedges.map((h) => [h.id, Math.max(0, v[notionalVar(h.id)] ?? 0)])),
    };
  }
  return { built, result, status, plan };
}

/**
 * Duals of the LP with the on/off choices fixed (`mip-integers-fixed`) refer to rows that still
 * carry the fixed binaries, e.g. d_k − U_k·y_k ≤ 0. Moving the fixed part to the right-hand side
 * gives the row the user reads (d_k ≤ U_k when used, ≤ 0 when not): the limit and its validity
 * range shift by that constant; the price and the objective at the range ends are unchanged. With this, strong
 * duality reads objective = Σ price × limit + the fixed fees of the tranches used.
 */
function effectiveLimits(d: DualReport, spec: ModelSpec, values: Record<string, number>): DualReport {
  if (d.basis !== "mip-integers-fixed") return d;
  const shift = new Map<string, number>();
  for (const c of spec.constraints) {
    let k = 0;
    c.vars.forEach((j, i) => {
      const v = spec.variables[j]!;
      if (v.integer) k += c.coefs[i]! * (values[v.name] ?? 0);
    });
    if (k !== 0) shift.set(c.name, k);
  }
  return {
    ...d,
    constraints: d.constraints.map((c) => {
      const k = shift.get(c.constraint);
      if (k === undefined) return c;
      return {
        ...c,
        limitValue: c.limitValue - k,
        validFrom: c.validFrom === null ? null : c.validFrom - k,
        validTo: c.validTo === null ? null : c.validTo - k,
      };
    }),
  };
}

function meaning(
  c: { constraint: string; pricePerUnit: number; unit: string | null },
  built: Built,
  input: DebtStackInputParsed,
  plan: Plan | null,
): string {
  const a = built.about[c.constraint];
  const cur = input.currency;
  const p = c.pricePerUnit;
  if (!a) return "";
  if (
    (a.kind === "tranche-cap" || a.kind === "min-size") &&
    a.trancheId !== undefined &&
    plan &&
    !((plan.amounts[a.trancheId] ?? 0) > 0) &&
    input.tranches.some((t) => t.id === a.trancheId && isSwitched(t))
  )
    return `Tranche ${a.trancheId} is not used: with the on/off choices fixed its limit is 0, so this price (${signed(p, 6)} ${cur}/yr per +1 ${cur}) is what a little of it would save if it came without its minimum size and fixed fee. What switching it on costs is the what-if "with-${a.trancheId}" (a re-solve), not this price.`;
  if (Math.abs(p) < 1e-12) return `Not binding: moving this limit a little changes nothing (${a.what}).`;
  const per = `${signed(p, 6)} ${cur}/yr of annual cost`;
  switch (a.kind) {
    case "funding":
      return `${per} per +1 ${cur} of price or closing costs to fund.`;
    case "equity":
      return `${per} per +1 ${cur} of equity available.`;
    case "ltv":
      return `${per} per +1 ${cur} of LTV debt limit, i.e. ${signed((p * (input.appraisedValue ?? input.purchasePrice)) / 100, 2)} ${cur}/yr per +1 LTV point.`;
    case "ltc":
      return `${per} per +1 ${cur} of LTC debt limit.`;
    case "dscr":
      return `${per} per +1 ${cur}/yr of debt service allowed in year ${a.year}, scenario ${a.scenario} (= NOI / DSCR; lower DSCR or higher NOI raise it).`;
    case "debt-yield":
      return `${per} per +1 ${cur} of debt allowed by the debt-yield test.`;
    case "tranche-cap":
      return `${per} per +1 ${cur} of this tranche's cap.`;
    case "min-size":
      return `${per} per +1 ${cur} of this tranche's minimum amount (with the tranche used).`;
    case "hedge-tranche":
      return `${per} per +1 ${cur} of hedge notional allowed on this tranche.`;
    case "fixed-share":
      return `${per} per +1 ${cur} of fixed-or-hedged balance required beyond the minimum share (${a.what}).`;
    default:
      return `${per} per +1 of the limit (${a.what}).`;
  }
}

interface WhatIfCase {
  name: string;
  question: string;
  parameter: string;
  unit: string;
  from: number | string | null;
  to: number | string | null;
  input: DebtStackInputParsed;
  /** A what-if that switches a tranche: the base plan is no start for it (it breaks the switch). */
  switches?: boolean;
  /** The tranche a switch what-if forces on (its fee is paid even if it ends up lending nothing). */
  forcedOn?: { id: string; name: string };
  /** Only tightens a limit (lower max LTV, higher min DSCR, less equity): see `impliedAnswer`. */
  tightens?: boolean;
}

/**
 * Switching an on/off tranche is a step the fixed-choice prices cannot see: for each tranche with
 * a minimum or a fixed fee, re-solve with it forced the other way (on if unused, off if used).
 */
function switchCases(input: DebtStackInputParsed, plan: Plan): WhatIfCase[] {
  if (!input.whatIf.switchTranches) return [];
  return input.tranches.flatMap((t, k) => {
    if (!isSwitched(t)) return [];
    const used = (plan.amounts[t.id] ?? 0) > 0;
    const to: "on" | "off" = used ? "off" : "on";
    const terms = [
      t.minAmount > 0 ? `minimum ${fmt(t.minAmount)} ${input.currency}` : "",
      t.fixedFee > 0 ? `fixed fee ${fmt(t.fixedFee)} ${input.currency}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    return [
      {
        name: `${used ? "without" : "with"}-${t.id}`,
        question: used
          ? `What if ${t.name || t.id} were not used?`
          : `What if ${t.name || t.id} were used (${terms})?`,
        // One change of the input (the tranche's `use`, by its row), so the view can run it as it stands.
        parameter: `tranches.${k}.use`,
        unit: "auto/on/off",
        from: t.use,
        to: to,
        input: { ...input, tranches: input.tranches.map((x, j) => (j === k ? { ...x, use: to } : x)) },
        switches: true,
        ...(used ? {} : { forcedOn: { id: t.id, name: t.name || t.id } }),
      },
    ];
  });
}

/**
 * The base solve as the answer of a tightening what-if, when that is provably the answer: the base
 * plan is optimal (not merely the best found in the time limit) and passes the independent
 * re-check (check.ts) against the what-if's input. Null when the what-if must be solved.
 */
function impliedAnswer(c: WhatIfCase, main: Awaited<ReturnType<typeof solvePlan>>) {
  if (!c.tightens || !main.plan || main.status !== "optimal") return null;
  return checkPlan(c.input, main.plan).length === 0 ? main : null;
}

function whatIfCases(input: DebtStackInputParsed): WhatIfCase[] {
  const cases: WhatIfCase[] = [];
  const w = input.whatIf;
  const round = (x: number) => Math.round(x * 1e9) / 1e9;
  const ltv = input.targets.maxLtv;
  for (const sign of [1, -1]) {
    const to = Math.min(1, Math.max(0.0001, round(ltv + sign * w.ltvStepPoints)));
    if (to === ltv) continue;
    cases.push({
      name: sign > 0 ? "ltv-up" : "ltv-down",
      tightens: to < ltv,
      question: `What if the max LTV were ${fmt(to * 100, 2)}% (${signed((to - ltv) * 100, 2)} points)?`,
      parameter: "targets.maxLtv",
      unit: "fraction",
      from: ltv,
      to,
      input: { ...input, targets: { ...input.targets, maxLtv: to } },
    });
  }
  const D = input.targets.minDscr;
  if (D !== null)
    for (const sign of [1, -1]) {
      const to = Math.max(0.01, round(D + sign * w.dscrStep));
      if (to === D) continue;
      cases.push({
        name: sign > 0 ? "dscr-up" : "dscr-down",
        tightens: to > D,
        question: `What if the min DSCR were ${fmt(to, 2)}x (${signed(to - D, 2)})?`,
        parameter: "targets.minDscr",
        unit: "x",
        from: D,
        to,
        input: { ...input, targets: { ...input.targets, minDscr: to } },
      });
    }
  const Ea = input.equityAvailable;
  const step = w.equityStep ?? (Ea > 0 ? Ea * 0.1 : input.purchasePrice * 0.05);
  for (const sign of [1, -1]) {
    const to = Math.max(0, Ea + sign * step);
    if (to === Ea) continue;
    cases.push({
      name: sign > 0 ? "equity-up" : "equity-down",
      tightens: to < Ea,
      question: `What if the equity available were ${fmt(to)} ${input.currency} (${signed(to - Ea)})?`,
      parameter: "equityAvailable",
      unit: input.currency,
      from: Ea,
      to,
      input: { ...input, equityAvailable: to },
    });
  }
  return cases;
}

function relaxationText(
  c: { name: string; unit: string | null; current: number; required: number },
  built: Built,
  input: DebtStackInputParsed,
): string {
  const a = built.about[c.name];
  const cur = input.currency;
  switch (a?.kind) {
    case "equity":
      return `Bring ${fmt(c.required)} ${cur} of equity instead of ${fmt(c.current)} (${signed(c.required - c.current)}).`;
    case "ltv": {
      const v = input.appraisedValue ?? input.purchasePrice;
      return `Allow an LTV of ${fmt((100 * c.required) / v, 2)}% instead of ${fmt((100 * c.current) / v, 2)}% (debt limit ${fmt(c.required)} ${cur}).`;
    }
    case "dscr": {
      const noi = input.noi[(a.year ?? 1) - 1]!;
      return `In year ${a.year}, scenario ${a.scenario}: allow debt service of ${fmt(c.required)} ${cur}/yr instead of ${fmt(c.current)} — a min DSCR of ${c.required > 0 ? fmt(noi / c.required, 3) : "∞"}x instead of ${input.targets.minDscr}x, or NOI of ${fmt(c.current > 0 ? (noi * c.required) / c.current : 0)} ${cur}.`;
    }
    case "debt-yield":
      return `Allow total debt of ${fmt(c.required)} ${cur} under the debt-yield test (min debt yield ${c.required > 0 ? fmt(input.noi[0]! / c.required, 4) : "n/a"} instead of ${input.targets.minDebtYield}).`;
    case "tranche-cap":
      if (input.tranches.find((t) => t.id === a.trancheId && isSwitched(t)))
        return `Allow "${a.trancheId}" ${fmt(c.required - c.current)} ${cur} above its cap.`;
      return `Raise the cap of "${c.name.replace(/^Max share /, "")}" from ${fmt(c.current)} to ${fmt(c.required)} ${cur} (${fmt((100 * c.required) / input.purchasePrice, 2)}% of the price).`;
    case "min-size":
      return `Let "${a.trancheId}" be ${fmt(c.current - c.required)} ${cur} below its minimum amount.`;
    default:
      return `Move the limit of "${c.name}" from ${fmt(c.current, 4)} to ${fmt(c.required, 4)} ${c.unit ?? ""}.`;
  }
}

export async function optimizeDebtStack(
  input: DebtStackInputParsed,
  opts: OptimizeOptions = {},
): Promise<Out> {
  const started = performance.now();
  const cur = input.currency;
  const notes: string[] = [...input.inputNotes];
  opts.progress?.(0.05, "solving");
  const main = await solvePlan(input, true);
  let solves = 1;
  const { built, result, plan } = main;

  let kpis: Out["kpis"] = null;
  let verification: Out["verification"] = null;
  let tranches: Out["tranches"] = [];
  let hedges: Out["hedges"] = [];
  let byYearScenario: Out["byYearScenario"] = [];
  const amortization: Out["amortization"] = [];
  let termSheet: Out["termSheet"] = null;
  if (plan) {
    const e = evaluatePlan(input, plan);
    const violations = checkPlan(input, plan);
    verification = { feasible: violations.length === 0, violations };
    const tw = input.rateScenarios.reduce((a, s) => a + s.weight, 0);
    kpis = {
      uses: e.uses,
      equity: plan.equity,
      totalDebt: e.totalDebt,
      financingFees: e.financingFees,
      netDebtProceeds: e.netDebtProceeds,
      ltv: e.ltv,
      ltc: e.ltc,
      blendedRate: e.blendedRate,
      expectedAnnualCost: e.expectedAnnualCost,
      worstCaseAnnualCost: e.worstCaseAnnualCost,
      objective: result.objective ?? 0,
      minDscr: e.minDscr,
      year1DebtYield: e.year1DebtYield,
      fixedOrHedgedShare: e.fixedOrHedgedShare,
      minFixedOrHedgedShare: e.minFixedOrHedgedShare,
    };
    tranches = input.tranches.map((t) => {
      const a = plan.amounts[t.id] ?? 0;
      const N = input.noi.length;
      const expInt = input.rateScenarios.reduce(
        (s, sc) => s + ((sc.weight / tw) * e.loans[t.id]![sc.id]!.reduce((x, r) => x + r.interest, 0)) / N,
        0,
      );
      const fixedFee = e.used[t.id] ? t.fixedFee : 0;
      return {
        trancheId: t.id,
        name: t.name || t.id,
        rateType: t.rateType,
        amount: a,
        used: e.used[t.id]!,
        minAmount: t.minAmount,
        shareOfPrice: a / input.purchasePrice,
        shareOfDebt: e.totalDebt > 0 ? a / e.totalDebt : 0,
        upfrontFee: a * t.upfrontFee,
        fixedFee,
        totalFees: a * t.upfrontFee + fixedFee,
        expectedAnnualInterest: expInt,
        year1RateByScenario: Object.fromEntries(
          input.rateScenarios.map((s) => [s.id, e.loans[t.id]![s.id]![0]!.rate]),
        ),
      };
    });
    hedges = input.hedges.map((h) => ({
      hedgeId: h.id,
      type: h.type,
      notional: plan.notionals[h.id] ?? 0,
      follows: h.trancheId,
    }));
    byYearScenario = e.rows;
    for (const t of input.tranches)
      for (const s of input.rateScenarios)
        for (const r of e.loans[t.id]![s.id]!) amortization.push({ trancheId: t.id, scenario: s.id, ...r });
    // Gross sources and uses (fees as a use), so both columns add up to the same total.
    const origination = tranches.reduce((a, t) => a + t.upfrontFee, 0);
    const fixedFees = tranches.reduce((a, t) => a + t.fixedFee, 0);
    const sources = [
      { item: "Equity", amount: plan.equity },
      ...tranches.filter((t) => t.used).map((t) => ({ item: t.name, amount: t.amount })),
    ];
    const uses = [
      { item: "Purchase price", amount: input.purchasePrice },
      ...(input.closingCosts > 0 ? [{ item: "Closing costs", amount: input.closingCosts }] : []),
      ...(origination > 0 ? [{ item: "Origination fees", amount: origination }] : []),
      ...(fixedFees > 0 ? [{ item: "Fixed financing fees", amount: fixedFees }] : []),
    ];
    const total = e.uses + e.financingFees;
    const share = (x: { item: string; amount: number }) => ({
      ...x,
      share: total > 0 ? x.amount / total : 0,
    });
    termSheet = {
      sources: sources.map(share),
      uses: uses.map(share),
      tranches: input.tranches.map((t) => ({
        trancheId: t.id,
        name: t.name || t.id,
        amount: plan.amounts[t.id] ?? 0,
        pricing:
          t.rateType === "fixed"
            ? `fixed ${fmt((t.fixedRate as number) * 100, 3)}%`
            : `${t.index} + ${fmt(t.spread * 10000, 1)} bp`,
        termMonths: t.termMonths,
        ioMonths: t.ioMonths,
        amortizationMonths: t.amortizationMonths,
        minAmount: t.minAmount,
        originationFeeRate: t.upfrontFee,
        upfrontFee: (plan.amounts[t.id] ?? 0) * t.upfrontFee,
        fixedFee: e.used[t.id] ? t.fixedFee : 0,
        totalFees: (plan.amounts[t.id] ?? 0) * t.upfrontFee + (e.used[t.id] ? t.fixedFee : 0),
        balanceAtHorizonByScenario: Object.fromEntries(
          input.rateScenarios.map((s) => [s.id, e.loans[t.id]![s.id]!.at(-1)!.closingBalance]),
        ),
      })),
      fees: { origination, fixed: fixedFees, total: origination + fixedFees },
      hedges: input.hedges.map((h) => ({
        hedgeId: h.id,
        description:
          (h.type === "cap"
            ? `cap at ${fmt((h.strike as number) * 100, 3)}%, premium ${fmt(h.premiumRate * 10000, 1)} bp/yr, ${h.tenorYears} years`
            : `swap paying fixed ${fmt((h.fixedRate as number) * 100, 3)}% against the index${h.premiumRate > 0 ? `, premium ${fmt(h.premiumRate * 10000, 1)} bp/yr` : ""}, ${h.tenorYears} years`) +
          (h.trancheId === null
            ? ", constant notional"
            : `, notional amortizing with ${h.trancheId}'s balance`),
        notional: plan.notionals[h.id] ?? 0,
      })),
      covenants: {
        maxLtv: input.targets.maxLtv,
        maxLtc: input.targets.maxLtc,
        minDscr: input.targets.minDscr,
        minDebtYield: input.targets.minDebtYield,
        minFixedShare: input.targets.minFixedShare,
      },
    };
  }

  const duals = result.duals ? effectiveLimits(result.duals, built.spec, result.values) : null;
  const shadowPrices: Out["shadowPrices"] =
    duals && plan
      ? {
          basis: duals.basis,
          label:
            duals.basis === "lp"
              ? "LP duals: change of the objective (annual financing cost) per +1 unit of each constraint's limit, valid while the limit stays within [validFrom, validTo]."
              : "Duals of the LP with the on/off tranche choices FIXED at the plan (mip-integers-fixed): change of the annual financing cost per +1 unit of a limit while the same tranches stay used and unused, within [validFrom, validTo]. " +
                "They do not price switching a tranche on or off (a minimum size or a fixed fee is a step, not a slope): the what-ifs re-solve for that. Limits are shown with the fixed choices moved to the right-hand side (an unused tranche's cap is 0).",
          rows: duals.constraints.map((c) => ({ ...c, meaning: meaning(c, built, input, plan) })),
        }
      : null;

  const whatIf: Out["whatIf"] = [];
  if (input.whatIf.enabled) {
    const cases = [...whatIfCases(input), ...(plan ? switchCases(input, plan) : [])];
    for (const [i, c] of cases.entries()) {
      opts.signal?.throwIfAborted();
      opts.progress?.(0.3 + (0.65 * i) / cases.length, `what-if ${c.name}`);
      // A what-if that only tightens a limit, and that the base plan still meets, is answered by
      // the base plan itself: its plans are a subset of the base model's and include the base
      // optimum, so that optimum is its optimum (issue 20 goal 3: one MIP fewer, no change).
      const implied = impliedAnswer(c, main);
      // Else start from the base plan: HiGHS keeps it as the first incumbent when it is still feasible.
      const s =
        implied ??
        (await solvePlan(
          c.input,
          false,
          plan && result.kind === "mip" && !c.switches ? result.values : undefined,
        ));
      if (!implied) solves++;
      const obj = s.plan ? (s.result.objective ?? 0) : null;
      const delta = obj !== null && kpis ? obj - kpis.objective : null;
      const debt = s.plan ? Object.values(s.plan.amounts).reduce((a, b) => a + b, 0) : null;
      const amounts: Record<string, number> = {};
      if (s.plan) for (const [id, x] of Object.entries(s.plan.amounts)) if (x > 1e-6) amounts[id] = x;
      whatIf.push({
        name: c.name,
        question: c.question,
        parameter: c.parameter,
        unit: c.unit,
        from: c.from,
        to: c.to,
        status: s.status,
        objective: obj,
        deltaObjective: delta,
        totalDebt: debt,
        equity: s.plan?.equity ?? null,
        amounts,
        answer:
          obj === null
            ? s.status === "infeasible"
              ? "No feasible debt stack."
              : "No plan found."
            : `Annual financing cost ${fmt(obj, 2)} ${cur}/yr${delta === null ? "" : ` (${signed(delta, 2)})`}, debt ${fmt(debt ?? 0)} ${cur}, equity ${fmt(s.plan?.equity ?? 0)} ${cur}.${
                // A tranche with a fee but no minimum can be "used" at 0: the fee is then all it adds.
                c.forcedOn && !(amounts[c.forcedOn.id]! > 0)
                  ? ` Even with its fixed fee paid, the best stack borrows nothing from ${c.forcedOn.name}: using it cannot lower the cost.`
                  : ""
              }`,
      });
    }
  }

  // What binds, by kind, with the re-solved what-if that relaxes it (issue 18 item 5); sources =
  // uses and the worst-case definition hold by construction and are left out.
  const FAMILY: Partial<Record<string, { label: string; whatIf?: string }>> = {
    equity: { label: "Equity available", whatIf: "equity-up" },
    ltv: { label: "Max LTV", whatIf: "ltv-up" },
    ltc: { label: "Max LTC" },
    dscr: { label: "Min DSCR", whatIf: "dscr-down" },
    "debt-yield": { label: "Min debt yield" },
    "tranche-cap": { label: "Tranche share cap" },
    "min-size": { label: "Tranche minimum size" },
    "fixed-share": { label: "Fixed-or-hedged share" },
    "hedge-floating": { label: "Hedge limits" },
    "hedge-tranche": { label: "Hedge limits" },
    "hedge-cap": { label: "Hedge limits" },
  };
  const bindingGroups = groupBinding(
    result.binding,
    (name) => {
      const about = built.about[name];
      const f = about ? FAMILY[about.kind] : undefined;
      return about && f ? { family: f.label, label: f.label, what: about.what } : null;
    },
    shadowPrices?.rows ?? [],
    (family) => {
      const name = Object.values(FAMILY).find((f) => f?.label === family)?.whatIf;
      const w = whatIf.find((x) => x.name === name);
      return w ? { question: w.question, deltaObjective: w.deltaObjective, answer: w.answer } : null;
    },
  );

  let infeasibility: Out["infeasibility"] = null;
  if (main.status === "infeasible" && result.infeasibility) {
    infeasibility = explainInfeasibility(
      result.infeasibility,
      built.about,
      (c) => relaxationText(c, built, input),
      {
        rules: "constraints",
        plan: "stack",
      },
    );
  }

  const crit = input.objective === "worst-case" ? "minimum worst-case" : "minimum expected";
  const gapText = (g: number | null | undefined) =>
    g === null || g === undefined ? "unknown" : `${fmt(g * 100, 4)}%`;
  const statusLabel =
    main.status === "optimal"
      ? result.kind === "mip"
        ? `Optimal debt stack (MILP: on/off tranches with minimum sizes or fixed fees, MIP gap ${gapText(result.mip?.gap)}; ${crit} annual financing cost).`
        : `Optimal debt stack (LP; ${crit} annual financing cost).`
      : main.status === "time_limit"
        ? `Best debt stack found within the time limit, NOT proven optimal (MIP gap ${gapText(result.mip?.gap)}).`
        : main.status === "infeasible"
          ? "No debt stack satisfies every covenant: see infeasibility for the conflicting constraints (IIS) and the smallest changes that make a stack possible."
          : `No plan found (solver status: ${result.highsStatus}).`;
  if (
    input.rateScenarios.length > 1 &&
    Math.abs(input.rateScenarios.reduce((a, s) => a + s.weight, 0) - 1) > 1e-9
  )
    notes.push("Scenario weights did not sum to 1 and were normalised.");
  if (input.hedges.some((h) => h.trancheId === null))
    notes.push(
      "Hedges without a trancheId have a constant notional over their tenor; the fixed-or-hedged share and the hedge ≤ floating-debt test are checked on the balances outstanding at closing and at every anniversary.",
    );
  if (main.status === "infeasible" && result.kind === "mip")
    notes.push(
      "With on/off tranches the IIS is computed on the LP relaxation (tranches allowed to be partly on): it names covenants in conflict, not which tranche to switch; the smallest relaxation keeps the on/off choices whole.",
    );
  opts.progress?.(1, "done");
  return {
    model: "debt-stack@3.0.0",
    currency: cur,
    objective: input.objective,
    status: main.status,
    statusLabel,
    tranches,
    hedges,
    kpis,
    byYearScenario,
    amortization,
    termSheet,
    binding: result.binding,
    bindingGroups,
    constraints: result.constraints,
    shadowPrices,
    mip: result.mip
      ? {
          gap: result.mip.gap,
          bestBound: result.mip.bestBound,
          nodes: result.mip.nodes,
          binaries: built.spec.variables.filter((v) => v.integer).length,
        }
      : null,
    whatIf,
    infeasibility,
    verification,
    solve: { status: result.status, solveMs: performance.now() - started, solves },
    notes,
  };
}
