import {
  buildCapexModel,
  buildModel as buildDealModel,
  buildDebtStackModel,
  buildLeasingModel,
  type CapexPhasingInputParsed,
  DealPickerInput,
  type DebtStackInputParsed,
  type LeasingMixInputParsed,
  prepare as prepareDeals,
} from "@modelworks/engine-optimizers";
import type { ModelSpec } from "@modelworks/solver";
import ExcelJS from "exceljs";
import {
  type Formulas,
  InputsSheet,
  MONEY,
  PCT,
  type PlanWorkbook,
  type Values,
  writePlan,
} from "./plan-workbook.ts";

/**
 * The four optimizers' plans as formula workbooks (./plan-workbook.ts lays them out): per engine,
 * its inputs with labels and units, the formulation rebuilt from the run's input by the engine's
 * own builder (the same rows the solver saw), the plan's decision values read from the output,
 * and formulas saying how each coefficient and limit comes from the inputs.
 */

// biome-ignore lint/suspicious/noExplicitAny: the run's output is read by the engine output's field names
type Json = any;

export const OPTIMIZER_WORKBOOK_MODELS: Record<string, string> = {
  "leasing-mix": "2.",
  "deal-picker": "3.",
  "capex-phasing": "2.",
  "debt-stack": "3.",
};

export function hasOptimizerWorkbook(modelId: string, modelVersion: string): boolean {
  const v = OPTIMIZER_WORKBOOK_MODELS[modelId];
  return v !== undefined && modelVersion.startsWith(v);
}

/** Whether this run's output has a plan to write (an infeasible run has none). */
export function hasPlan(output: Json): boolean {
  return output?.status === "optimal" || output?.status === "time_limit";
}

export async function renderOptimizerWorkbook(
  modelId: string,
  input: unknown,
  output: unknown,
  meta: { title: string },
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Modelworks";
  wb.title = meta.title;
  wb.calcProperties = { fullCalcOnLoad: true };
  const inputs = new InputsSheet(wb);
  const out = output as Json;
  switch (modelId) {
    case "leasing-mix":
      leasingMix(wb, inputs, input as LeasingMixInputParsed, out, meta.title);
      break;
    case "deal-picker":
      dealPicker(wb, inputs, input, out, meta.title);
      break;
    case "capex-phasing":
      capexPhasing(wb, inputs, input as CapexPhasingInputParsed, out, meta.title);
      break;
    case "debt-stack":
      debtStack(wb, inputs, input as DebtStackInputParsed, out, meta.title);
      break;
    default:
      throw new Error(`no formula workbook for ${modelId}`);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const activities = (out: Json) =>
  new Map<string, number>((out.constraints ?? []).map((c: Json) => [c.constraint, c.activity]));

/** Index of each row of the spec by name, and a lookup of variable index by name. */
const indexOf = (spec: ModelSpec) => {
  const rows = new Map(spec.constraints.map((c, i) => [c.name, i]));
  const vars = new Map(spec.variables.map((v, j) => [v.name, j]));
  return { rows, vars };
};

// ---------------------------------------------------------------------------------------------
// Leasing mix

function leasingMix(
  wb: ExcelJS.Workbook,
  inputs: InputsSheet,
  input: LeasingMixInputParsed,
  out: Json,
  title: string,
) {
  const cur = input.currency;
  const proto = input.formulation === "prototype";
  inputs.section("Building and targets");
  inputs.scalars([
    { key: "unitsTotal", label: "Units in the building", value: input.inventory.unitsTotal, unit: "units" },
    { key: "vacantNow", label: "Vacant units now", value: input.inventory.vacantNow, unit: "units" },
    {
      key: "target",
      label: "Occupancy target",
      value: input.occupancy.target,
      unit: "% of units",
      numFmt: PCT,
    },
    { key: "mode", label: "Occupancy target is", value: input.occupancy.mode, unit: "hard / soft" },
    {
      key: "penalty",
      label: "Shortfall penalty (soft target)",
      value: out.kpis ? shortfallPenaltyOf(input) : null,
      unit: `${cur} / unit`,
      numFmt: MONEY,
    },
    {
      key: "budget",
      label: "Incentive budget",
      value: input.incentiveBudget,
      unit: cur,
      numFmt: MONEY,
    },
    { key: "W", label: "WAULT target", value: input.minWaultMonths, unit: "months" },
    {
      key: "maxShare",
      label: "Largest share of new leases per package",
      value: input.maxSharePerPackage,
      unit: "% of new leases",
      numFmt: PCT,
    },
  ]);
  inputs.scalars([
    {
      key: "occupied",
      label: "Occupied units",
      value: null,
      unit: "units",
      formula: `${inputs.at("unitsTotal")}-${inputs.at("vacantNow")}`,
    },
    {
      key: "need",
      label: "New leases the target needs",
      value: null,
      unit: "units",
      // The smallest whole number of units reaching the target (1e-9 absorbs 0.29·100 = 28.999…96).
      formula: `MAX(0,ROUNDUP(${inputs.at("target")}*${inputs.at("unitsTotal")}-1E-9,0)-${inputs.at("unitsTotal")}+${inputs.at("vacantNow")})`,
    },
  ]);
  inputs.section("Lease packages");
  const share = (at: (k: string) => string) =>
    `IF(ISBLANK(${at("maxShare")}),${inputs.at("maxShare")},${at("maxShare")})`;
  inputs.table(
    "packages",
    [
      { key: "id", label: "Package", unit: "", width: 18 },
      { key: "termMonths", label: "Term", unit: "months" },
      { key: "rent", label: "Rent", unit: `${cur}/unit/yr`, numFmt: MONEY },
      { key: "incentive", label: "Incentive", unit: `${cur}/unit`, numFmt: MONEY },
      { key: "rentFree", label: "Rent-free", unit: "months" },
      { key: "lag", label: "Start lag", unit: "months" },
      { key: "fees", label: "Leasing cost", unit: `${cur}/unit`, numFmt: MONEY },
      { key: "demand", label: "Demand", unit: "units" },
      { key: "maxShare", label: "Share cap", unit: "% of new leases", numFmt: PCT },
      {
        key: "shareUsed",
        label: "Share cap applied",
        unit: "%",
        numFmt: PCT,
        formula: share,
      },
      {
        key: "ncf",
        label: "12-month NCF per unit",
        unit: `${cur}/unit`,
        numFmt: MONEY,
        width: 18,
        formula: (at) =>
          proto
            ? `${at("rent")}-${at("incentive")}`
            : `${at("rent")}*MAX(0,MIN(12-${at("lag")},${at("termMonths")})-${at("rentFree")})/12-${at("incentive")}-${at("fees")}`,
      },
    ],
    input.packages.map((p) => ({
      id: p.id,
      termMonths: p.termMonths,
      rent: p.rentPerUnitAnnual,
      incentive: p.incentivePerUnit,
      rentFree: p.rentFreeMonths,
      lag: p.startLagMonths,
      fees: p.leasingCostPerUnit,
      demand: p.demandUnits,
      maxShare: p.maxShare,
    })),
  );
  inputs.section("In-place leases (for the WAULT)");
  inputs.table(
    "leases",
    [
      { key: "units", label: "Units", unit: "units" },
      { key: "rent", label: "Rent", unit: `${cur}/unit/yr`, numFmt: MONEY },
      { key: "term", label: "Remaining term", unit: "months" },
    ],
    input.inPlaceLeases.map((l) => ({
      units: l.units,
      rent: l.rentPerUnitAnnual,
      term: l.remainingTermMonths,
    })),
  );

  const built = buildLeasingModel(input);
  const spec = built.spec;
  if (input.packages.some((p, k) => spec.variables[k]?.name !== built.vars[p.id]))
    throw new Error("leasing-mix: the package variables are not first");
  const pkgOfVar = new Map(input.packages.map((p, k) => [built.vars[p.id]!, k]));
  const pkgOf = (j: number) => pkgOfVar.get(spec.variables[j]!.name);
  const P = (k: number, col: string) => inputs.cell("packages", k, col);
  const units = new Map<string, number>((out.mix ?? []).map((m: Json) => [m.packageId, m.units]));
  const values = spec.variables.map((v) => {
    const k = pkgOfVar.get(v.name);
    if (k !== undefined) return units.get(input.packages[k]!.id) ?? 0;
    if (v.name === "shortfall") return out.kpis?.shortfallUnits ?? 0;
    return 0;
  });
  const rowName = (i: number) => spec.constraints[i]!.name;
  const W = inputs.at("W");
  const leaseCols = ["units", "rent", "term"].map((c) => inputs.column("leases", c));
  const formulas: Formulas = {
    scope: proto
      ? "the prototype formulation: the objective's coefficients are formulas of the package inputs; the rows' coefficients are the formulation's numbers."
      : "every coefficient and limit is a formula of the Inputs (NCF per unit, incentives, share caps, the linearised WAULT Σ R_p(T_p − W)u_p ≥ Σ R_i(W − T_i)).",
    cost: (j) => {
      const k = pkgOf(j);
      if (k !== undefined) return P(k, "ncf");
      if (spec.variables[j]!.name === "shortfall") return `-${inputs.at("penalty")}`;
      return undefined;
    },
    coef: (i, j) => {
      if (proto) return undefined;
      const k = pkgOf(j);
      const name = rowName(i);
      if (k === undefined) return undefined;
      if (name === "Incentive budget") return P(k, "incentive");
      if (name === "WAULT target") return `${P(k, "rent")}*(${P(k, "termMonths")}-${W})`;
      if (name.startsWith("Share cap ")) {
        const own = name === `Share cap ${input.packages[k]!.id}`;
        const owner = input.packages.findIndex((p) => name === `Share cap ${p.id}`);
        return own ? `1-${P(owner, "shareUsed")}` : `-${P(owner, "shareUsed")}`;
      }
      return undefined;
    },
    lower: (i) => {
      const name = rowName(i);
      if (proto) return undefined;
      if (name === "Occupancy target") return inputs.at("need");
      if (name === "WAULT target")
        return leaseCols[0] ? `SUMPRODUCT(${leaseCols[0]},${leaseCols[1]},${W}-${leaseCols[2]})` : "0";
      return undefined;
    },
    upper: (i) => {
      const name = rowName(i);
      if (name === "Vacant units") return inputs.at("vacantNow");
      if (name === "Incentive budget") return inputs.at("budget");
      return undefined;
    },
  };
  writePlan(
    wb,
    {
      title: `${title} — leasing mix`,
      objectiveUnit: built.objectiveUnit,
      spec,
      values,
      engineObjective: out.kpis.objective,
      engineActivity: activities(out),
      extraChecks: [
        {
          label: `12-month NCF (${cur})`,
          formula: (x) => `SUMPRODUCT(${inputs.column("packages", "ncf")},${x(0, input.packages.length)})`,
          engine: out.kpis.ncf12,
        },
      ],
    },
    formulas,
  );
}

function shortfallPenaltyOf(input: LeasingMixInputParsed): number {
  if (input.occupancy.shortfallPenaltyPerUnit !== null) return input.occupancy.shortfallPenaltyPerUnit;
  return Math.max(
    0,
    ...input.packages.map((p) => p.rentPerUnitAnnual + p.incentivePerUnit + p.leasingCostPerUnit),
  );
}

// ---------------------------------------------------------------------------------------------
// Deal picker

function dealPicker(wb: ExcelJS.Workbook, inputs: InputsSheet, raw: unknown, out: Json, title: string) {
  const input = DealPickerInput.parse(raw);
  const a = input.assumptions;
  inputs.section("Budget and rules");
  inputs.scalars([
    { key: "budget", label: "Budget", value: input.budget, unit: "AED", numFmt: MONEY },
    { key: "objective", label: "Objective", value: input.objective, unit: "" },
    { key: "costTreatment", label: "Transaction costs", value: input.costTreatment, unit: "" },
    {
      key: "tx",
      label: "Transaction cost rate (default)",
      value: a.transactionCostRate,
      unit: "%",
      numFmt: PCT,
    },
    { key: "vac", label: "Vacancy haircut (default)", value: a.vacancyHaircut, unit: "%", numFmt: PCT },
    { key: "hurdle", label: "Hurdle rate", value: input.hurdleRate, unit: "% / yr", numFmt: PCT },
    {
      key: "riskPenalty",
      label: "Risk penalty per point",
      value: input.riskPenaltyPerPoint,
      unit: "AED/yr per AED·point",
    },
    { key: "capsBasis", label: "Caps are shares of", value: input.caps.basis, unit: "budget / deployed" },
    {
      key: "single",
      label: "Single-asset cap",
      value: input.caps.singleAsset ?? null,
      unit: "%",
      numFmt: PCT,
    },
    { key: "minAssets", label: "Min assets", value: input.minAssets ?? null, unit: "assets" },
    { key: "maxAssets", label: "Max assets", value: input.maxAssets ?? null, unit: "assets" },
  ]);
  const haircut = input.costTreatment === "budget-haircut";
  inputs.scalars([
    {
      key: "usable",
      label: "Usable budget",
      value: null,
      unit: "AED",
      numFmt: MONEY,
      formula: haircut ? `${inputs.at("budget")}*(1-${inputs.at("tx")})` : inputs.at("budget"),
    },
  ]);
  inputs.section("Caps by sector and city");
  const capRows = [
    ...Object.entries(input.caps.sector).map(([k, v]) => ({ kind: "sector", key: k, share: v })),
    ...Object.entries(input.caps.city).map(([k, v]) => ({ kind: "city", key: k, share: v })),
  ];
  inputs.table(
    "caps",
    [
      { key: "kind", label: "Cap on", unit: "" },
      { key: "key", label: "Sector / city", unit: "", width: 18 },
      { key: "share", label: "Cap", unit: "%", numFmt: PCT },
    ],
    capRows,
  );
  inputs.section("Deals");
  inputs.table(
    "deals",
    [
      { key: "id", label: "Deal", unit: "", width: 16 },
      { key: "sector", label: "Sector", unit: "" },
      { key: "city", label: "City", unit: "" },
      { key: "ask", label: "Ask price", unit: "AED", numFmt: MONEY },
      { key: "capex", label: "Capex", unit: "AED", numFmt: MONEY },
      { key: "noi", label: "NOI", unit: "AED/yr", numFmt: MONEY },
      { key: "tx", label: "Transaction cost rate", unit: "%", numFmt: PCT },
      { key: "vac", label: "Vacancy haircut", unit: "%", numFmt: PCT },
      { key: "risk", label: "Risk score", unit: "0–5" },
      {
        key: "cost",
        label: "All-in cost",
        unit: "AED",
        numFmt: MONEY,
        width: 18,
        formula: (at) =>
          haircut
            ? `${at("ask")}+${at("capex")}`
            : `${at("ask")}*(1+IF(ISBLANK(${at("tx")}),${inputs.at("tx")},${at("tx")}))+${at("capex")}`,
      },
      {
        key: "noiEff",
        label: "NOI after vacancy",
        unit: "AED/yr",
        numFmt: MONEY,
        width: 18,
        formula: (at) => `${at("noi")}*(1-IF(ISBLANK(${at("vac")}),${inputs.at("vac")},${at("vac")}))`,
      },
    ],
    input.deals.map((d) => ({
      id: d.id,
      sector: d.sector,
      city: d.city,
      ask: d.askPrice,
      capex: d.capex,
      noi: d.noi,
      tx: d.transactionCostRate ?? null,
      vac: d.vacancyHaircut ?? null,
      risk: d.riskScore,
    })),
  );
  const p = prepareDeals(input);
  const built = buildDealModel(p);
  const spec = built.builder.build();
  const { vars } = indexOf(spec);
  const n = input.deals.length;
  const D = (i: number, col: string) => inputs.cell("deals", i, col);
  const dealOfVar = new Map(input.deals.map((d, i) => [`share:${d.id}`, i]));
  const buyOfVar = new Map(input.deals.map((d, i) => [`buy:${d.id}`, i]));
  const shares = new Map<string, number>((out.deals ?? []).map((d: Json) => [d.id, d.share]));
  const shareOf = (i: number) => shares.get(input.deals[i]!.id) ?? 0;
  const deployed = input.deals.reduce((s, _, i) => s + p.cost[i]! * shareOf(i), 0);
  const values = spec.variables.map((v) => {
    const i = dealOfVar.get(v.name);
    if (i !== undefined) return shareOf(i);
    const b = buyOfVar.get(v.name);
    if (b !== undefined) return shareOf(b) > 1e-6 ? 1 : 0;
    if (v.name === "capital deployed") return deployed;
    return 0;
  });
  const hasD = vars.has("capital deployed");
  const capShare = (name: string): string | undefined => {
    const k = capRows.findIndex(
      (c) => name === (c.kind === "sector" ? `Sector cap: ${c.key}` : `City cap: ${c.key}`),
    );
    if (k >= 0) return inputs.cell("caps", k, "share");
    if (name.startsWith("Single-asset cap: ")) return inputs.at("single");
    return undefined;
  };
  const member = (name: string, i: number) => {
    const d = input.deals[i]!;
    return (
      name === `Sector cap: ${d.sector}` ||
      name === `City cap: ${d.city}` ||
      name === `Single-asset cap: ${d.id}`
    );
  };
  const deployedBasis = input.caps.basis === "deployed";
  const objCoef = (i: number) => {
    switch (input.objective) {
      case "noi-above-hurdle":
        return `${D(i, "noiEff")}-${inputs.at("hurdle")}*${D(i, "cost")}`;
      case "risk-adjusted":
        return `${D(i, "noiEff")}-${inputs.at("riskPenalty")}*${D(i, "risk")}*${D(i, "cost")}`;
      case "max-noi":
        return D(i, "noiEff");
      default:
        return undefined; // max-yield: Dinkelbach's last q, the yield itself is checked below
    }
  };
  const formulas: Formulas = {
    scope:
      "every coefficient and limit is a formula of the Inputs (all-in costs, NOI after vacancy, cap shares, counts); the indicator links of fractional counts are the formulation's numbers.",
    cost: (j) => {
      const i = dealOfVar.get(spec.variables[j]!.name);
      return i === undefined ? undefined : objCoef(i);
    },
    coef: (r, j) => {
      const name = spec.constraints[r]!.name;
      const vname = spec.variables[j]!.name;
      const i = dealOfVar.get(vname);
      if (name === "Budget" && i !== undefined) return D(i, "cost");
      if (name === "Capital deployed (definition)") return i !== undefined ? `-${D(i, "cost")}` : undefined;
      const cap = capShare(name);
      if (cap) {
        if (vname === "capital deployed") return `-${cap}`;
        if (i === undefined) return undefined;
        if (deployedBasis && !hasD) return `(${member(name, i) ? 1 : 0}-${cap})*${D(i, "cost")}`;
        return D(i, "cost");
      }
      return undefined;
    },
    lower: (r) => (spec.constraints[r]!.name === "Min assets" ? inputs.at("minAssets") : undefined),
    upper: (r) => {
      const name = spec.constraints[r]!.name;
      if (name === "Budget") return inputs.at("usable");
      if (name === "Max assets") return inputs.at("maxAssets");
      const cap = capShare(name);
      if (cap && !deployedBasis) return `${cap}*${inputs.at("budget")}`;
      return undefined;
    },
  };
  if (input.deals.some((d, i) => vars.get(`share:${d.id}`) !== i))
    throw new Error("deal-picker: shares are not first");
  const noi = (x: Values) => `SUMPRODUCT(${inputs.column("deals", "noiEff")},${x(0, n)})`;
  const capital = (x: Values) => `SUMPRODUCT(${inputs.column("deals", "cost")},${x(0, n)})`;
  const yieldPlan = input.objective === "max-yield";
  writePlan(
    wb,
    {
      title: `${title} — deal picker`,
      objectiveUnit: yieldPlan ? "yield (NOI / capital, per year)" : "AED/yr",
      spec: yieldPlan ? { ...spec, objectiveOffset: 0 } : spec,
      values,
      engineObjective: out.kpis.objective,
      ...(yieldPlan ? { objectiveTolerance: 1e-9 } : {}),
      engineActivity: dealActivities(out, spec),
      extraChecks: [
        { label: "NOI after vacancy (AED/yr)", formula: noi, engine: sumOf(out.selection, "noi") },
        { label: "Capital deployed (AED)", formula: capital, engine: sumOf(out.selection, "capital") },
      ],
    },
    { ...formulas, ...(yieldPlan ? { objective: (x: Values) => `${noi(x)}/${capital(x)}` } : {}) },
  );
}

const sumOf = (rows: Json[] | undefined, key: string) => (rows ?? []).reduce((s, r) => s + (r[key] ?? 0), 0);

/**
 * deal-picker reports deployed-basis caps as "capital in the group ≤ share × deployed"; the row
 * the solver saw is Σ (1[i∈S] − α)·cost·x ≤ 0, so its engine left-hand side is activity − limit.
 */
function dealActivities(out: Json, spec: ModelSpec): Map<string, number> {
  const m = new Map<string, number>();
  const rows = new Map(spec.constraints.map((c) => [c.name, c]));
  for (const c of out.constraints ?? []) {
    const row = rows.get(c.constraint);
    if (!row) continue;
    const upper = Number.isFinite(row.upper) ? row.upper : null;
    const reportedUpper = c.upper ?? c.limit ?? null;
    m.set(
      c.constraint,
      upper === 0 && reportedUpper !== null && reportedUpper !== 0 ? c.activity - reportedUpper : c.activity,
    );
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Capex phasing and debt stack: their formulation's coefficients as numbers (for now), with the
// plan's rows recomputed by SUMPRODUCT and checked.

function capexPhasing(
  wb: ExcelJS.Workbook,
  inputs: InputsSheet,
  input: CapexPhasingInputParsed,
  out: Json,
  title: string,
) {
  const cur = input.currency;
  inputs.section("Horizon and cash");
  inputs.scalars([
    { key: "H", label: "Horizon", value: input.horizonMonths, unit: "months" },
    {
      key: "P",
      label: "Projects under works at once (max)",
      value: input.maxParallelProjects,
      unit: "projects",
    },
  ]);
  const built = buildCapexModel(input);
  const spec = built.spec;
  const starts = new Map<string, number | null>(
    (out.schedule ?? []).map((s: Json) => [s.projectId, s.startMonth]),
  );
  const balances = new Map<number, number>((out.months ?? []).map((m: Json) => [m.month, m.balanceEnd ?? 0]));
  const spend = new Map<string, number>(
    (out.spendByProjectMonth ?? []).map((s: Json) => [`${s.projectId}@${s.month}`, s.spend]),
  );
  const values = spec.variables.map((v) => {
    let m = /^start\[(.+)@(\d+)\]$/.exec(v.name);
    if (m) return starts.get(m[1]!) === Number(m[2]) ? 1 : 0;
    m = /^balance\[(\d+)\]$/.exec(v.name);
    if (m) return balances.get(Number(m[1])) ?? 0;
    m = /^spend\[(.+)@(\d+)\]$/.exec(v.name);
    if (m) return spend.get(`${m[1]}@${m[2]}`) ?? 0;
    m = /^works\[(.+)@(\d+)\]$/.exec(v.name);
    if (m) return (spend.get(`${m[1]}@${m[2]}`) ?? 0) > 1e-6 ? 1 : 0;
    return 0;
  });
  writePlan(
    wb,
    {
      title: `${title} — capex phasing`,
      objectiveUnit: out.kpis?.objectiveUnit ?? cur,
      spec,
      values,
      engineObjective: out.kpis.objective,
      engineActivity: activities(out),
    },
    { scope: "the coefficients and limits are the formulation's numbers." },
  );
}

function debtStack(
  wb: ExcelJS.Workbook,
  inputs: InputsSheet,
  input: DebtStackInputParsed,
  out: Json,
  title: string,
) {
  const cur = input.currency;
  const built = buildDebtStackModel(input);
  const spec = built.spec;
  inputs.section("Deal");
  inputs.scalars([{ key: "currency", label: "Currency", value: cur, unit: "" }]);
  const amounts = new Map<string, number>((out.tranches ?? []).map((t: Json) => [t.trancheId, t.amount]));
  const notionals = new Map<string, number>((out.hedges ?? []).map((h: Json) => [h.hedgeId, h.notional]));
  const values = spec.variables.map((v) => {
    let m = /^amount\[(.+)\]$/.exec(v.name);
    if (m) return amounts.get(m[1]!) ?? 0;
    m = /^used\[(.+)\]$/.exec(v.name);
    if (m) return (out.tranches ?? []).find((t: Json) => t.trancheId === m![1])?.used ? 1 : 0;
    m = /^notional\[(.+)\]$/.exec(v.name);
    if (m) return notionals.get(m[1]!) ?? 0;
    if (v.name === "equity") return out.kpis?.equity ?? 0;
    if (v.name === "worst-case annual cost") return out.kpis?.worstCaseAnnualCost ?? 0;
    return 0;
  });
  writePlan(
    wb,
    {
      title: `${title} — debt stack`,
      objectiveUnit: `${cur}/yr`,
      spec,
      values,
      engineObjective: out.kpis.objective,
      engineActivity: activities(out),
    },
    { scope: "the coefficients and limits are the formulation's numbers." },
  );
}
