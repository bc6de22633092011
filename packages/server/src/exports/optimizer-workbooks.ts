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
  addr,
  type Formulas,
  HEADER_FILL,
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
  if (input.formulation === "prototype") {
    // The seed-004 prototype's spend model: its rows' numbers as the formulation wrote them.
    inputs.section("Horizon");
    inputs.scalars([{ key: "H", label: "Horizon", value: input.horizonMonths, unit: "months" }]);
    writePlan(
      wb,
      {
        title: `${title} — capex phasing (prototype formulation)`,
        objectiveUnit: out.kpis?.objectiveUnit ?? cur,
        spec,
        values,
        engineObjective: out.kpis.objective,
        engineActivity: activities(out),
      },
      { scope: "the prototype formulation: the coefficients and limits are the formulation's numbers." },
    );
    return;
  }
  const H = input.horizonMonths;
  const projects = input.projects;
  inputs.section("Horizon and cash");
  inputs.scalars([
    { key: "H", label: "Horizon", value: H, unit: "months" },
    { key: "r", label: "Discount rate", value: input.discountRateAnnual, unit: "% / yr", numFmt: PCT },
    { key: "carry", label: "Unspent cash carries over", value: input.cashCarryOver, unit: "yes / no" },
    { key: "opening", label: "Opening cash", value: input.openingCash, unit: cur, numFmt: MONEY },
    {
      key: "P",
      label: "Projects under works at once (max)",
      value: input.maxParallelProjects,
      unit: "projects",
    },
  ]);
  inputs.section("Cash cap by month");
  inputs.table(
    "cash",
    [
      { key: "month", label: "Month", unit: "" },
      { key: "cap", label: "Cash cap", unit: cur, numFmt: MONEY },
    ],
    Array.from({ length: H }, (_, m) => ({
      month: m + 1,
      cap: typeof input.monthlyCashCap === "number" ? input.monthlyCashCap : input.monthlyCashCap[m]!,
    })),
  );
  inputs.section("Projects");
  inputs.table(
    "projects",
    [
      { key: "id", label: "Project", unit: "", width: 16 },
      { key: "earliest", label: "Earliest start", unit: "month" },
      { key: "latest", label: "Latest start", unit: "month" },
      { key: "duration", label: "Duration", unit: "months" },
      { key: "cost", label: "Cost", unit: cur, numFmt: MONEY },
      { key: "uplift", label: "Rent uplift", unit: `${cur}/yr`, numFmt: MONEY },
      { key: "downtime", label: "Downtime loss", unit: `${cur}/month`, numFmt: MONEY },
      { key: "mandatory", label: "Mandatory", unit: "" },
      { key: "predecessors", label: "After", unit: "", width: 18 },
    ],
    projects.map((p) => ({
      id: p.id,
      earliest: p.earliestStartMonth,
      latest: p.latestStartMonth,
      duration: p.durationMonths,
      cost: p.cost,
      uplift: p.rentUpliftAnnual,
      downtime: p.downtimeLossPerMonth,
      mandatory: p.mandatory,
      predecessors: p.predecessors.join(", "),
    })),
  );
  inputs.section("Spend profile: share of the cost spent in each month of works (flat: 1 / duration)");
  const maxDur = Math.max(...projects.map((p) => p.durationMonths));
  const pKey = (k: number) => `p${k}`;
  inputs.table(
    "profile",
    [
      { key: "k", label: "Month of works", unit: "" },
      ...projects.map((p, k) => ({ key: pKey(k), label: p.id, unit: "%", numFmt: PCT })),
    ],
    Array.from({ length: maxDur }, (_, k) => ({
      k: k + 1,
      ...Object.fromEntries(
        projects.map((p, j) => [
          pKey(j),
          k < p.durationMonths ? (p.spendProfile ? p.spendProfile[k]! : null) : 0,
        ]),
      ),
    })),
  );
  // A flat profile is a formula of the duration, so a changed duration flows through.
  for (const [j, p] of projects.entries()) {
    if (p.spendProfile) continue;
    for (let k = 0; k < p.durationMonths; k++) {
      const cell = inputs.cell("profile", k, pKey(j)).replace("Inputs!", "").replaceAll("$", "");
      inputs.ws.getCell(cell).value = { formula: `1/${inputs.cell("projects", j, "duration")}` };
    }
  }
  const PR = (j: number, col: string) => inputs.cell("projects", j, col);
  const profile = (j: number, k: number) => inputs.cell("profile", k, pKey(j));
  // The Monthly cash sheet lays month m on row m + 1; its column D is the discount factor.
  const disc = (m0: number, m1: number) => `SUM('Monthly cash'!$D$${m0 + 1}:$D$${m1 + 1})`;
  const projectOf = new Map<string, [number, number]>();
  for (const [j, p] of projects.entries())
    for (const [t, name] of built.starts[p.id] ?? []) projectOf.set(name, [j, t]);
  const cashRow = /^Cash month (\d+)$/;
  const formulas: Formulas = {
    scope:
      "the start values (discounted uplift after completion − downtime during works), the cash rows' spend coefficients and limits and the capacity limits are formulas of the Inputs; the schedule, precedence and order rows are the formulation's 0/±1.",
    cost: (j) => {
      const at = projectOf.get(spec.variables[j]!.name);
      if (!at) return undefined;
      const [k, t] = at;
      const d = projects[k]!.durationMonths;
      const works = `-${PR(k, "downtime")}*${disc(t, t + d - 1)}`;
      return t + d <= H ? `${works}+${PR(k, "uplift")}/12*${disc(t + d, H)}` : works;
    },
    coef: (i, j) => {
      const m = cashRow.exec(spec.constraints[i]!.name);
      const at = projectOf.get(spec.variables[j]!.name);
      if (!m || !at) return undefined;
      const [k, t] = at;
      return `${PR(k, "cost")}*${profile(k, Number(m[1]) - t)}`;
    },
    lower: (i) => {
      const m = cashRow.exec(spec.constraints[i]!.name);
      if (!m || !input.cashCarryOver) return undefined;
      const month = Number(m[1]);
      return `${inputs.cell("cash", month - 1, "cap")}${month === 1 ? `+${inputs.at("opening")}` : ""}`;
    },
    upper: (i) => {
      const name = spec.constraints[i]!.name;
      const m = cashRow.exec(name);
      if (m) {
        const month = Number(m[1]);
        return `${inputs.cell("cash", month - 1, "cap")}${input.cashCarryOver && month === 1 ? `+${inputs.at("opening")}` : ""}`;
      }
      if (name.startsWith("Capacity month ")) return inputs.at("P");
      return undefined;
    },
  };
  const plan = writePlan(
    wb,
    {
      title: `${title} — capex phasing`,
      objectiveUnit: out.kpis?.objectiveUnit ?? cur,
      spec,
      values,
      engineObjective: out.kpis.objective,
      engineActivity: activities(out),
    },
    formulas,
  );

  // ---- Phases: each project's start month and completion, from the plan's start variables.
  const ph = wb.addWorksheet("Phases");
  ph.columns = [
    { header: "Project", width: 18 },
    { header: "Scheduled (0/1)", width: 12 },
    { header: "Start month", width: 12 },
    { header: "Works end (month)", width: 14 },
    { header: "Duration (months)", width: 12 },
    { header: `Cost (${cur})`, width: 16 },
    { header: `Rent uplift (${cur}/yr)`, width: 16 },
    { header: `Downtime loss (${cur}/month)`, width: 16 },
    { header: "Engine's start month", width: 14 },
  ];
  ph.getRow(1).font = { bold: true };
  ph.getRow(1).fill = HEADER_FILL;
  for (const [j, p] of projects.entries()) {
    const r = j + 2;
    const zs = (built.starts[p.id] ?? []).map(([t, name]) => [t, plan.value(name)!] as const);
    ph.addRow([
      p.id,
      { formula: zs.length ? zs.map(([, c]) => c).join("+") : "0" },
      { formula: zs.length ? `IF(B${r}>0,${zs.map(([t, c]) => `${t}*${c}`).join("+")},0)` : "0" },
      { formula: `IF(B${r}>0,C${r}+E${r}-1,0)` },
      { formula: PR(j, "duration") },
      { formula: PR(j, "cost") },
      { formula: PR(j, "uplift") },
      { formula: PR(j, "downtime") },
      starts.get(p.id) ?? null,
    ]);
  }
  const n = projects.length;
  const col = (c: string) => `Phases!$${c}$2:$${c}$${n + 1}`;
  const [sched, st, dur] = [col("B"), col("C"), col("E")];

  // ---- Monthly cash by phase: one row a month, one spend column per project.
  const mc = wb.addWorksheet("Monthly cash", { views: [{ state: "frozen", xSplit: 1, ySplit: 1 }] });
  const fixed = [
    "Month",
    `Cash cap (${cur})`,
    `Cash available (${cur})`,
    "Discount factor",
    `Spend (${cur})`,
    `Balance carried out (${cur})`,
    "Projects under works",
    `Rent uplift earned (${cur})`,
    `Downtime loss (${cur})`,
    "Cash OK",
    `Engine's spend (${cur})`,
    "Matches",
  ];
  const F = fixed.length;
  mc.columns = [
    ...fixed.map((h) => ({ header: h, width: 14 })),
    ...projects.map((p) => ({ header: `Spend: ${p.id}`, width: 14 })),
  ];
  mc.getRow(1).font = { bold: true };
  mc.getRow(1).fill = HEADER_FILL;
  mc.getRow(1).alignment = { wrapText: true, vertical: "top" };
  const engineMonths = new Map<number, Json>((out.months ?? []).map((m: Json) => [m.month, m]));
  for (let m = 1; m <= H; m++) {
    const r = m + 1;
    const spendCells = projects.map((_, j) => {
      const start = `Phases!$C$${j + 2}`;
      const k = `(${m}-${start}+1)`;
      // The project's spend this month: cost × the profile's share for this month of works.
      return {
        formula: `IF(AND(Phases!$B$${j + 2}>0,${k}>=1,${k}<=${PR(j, "duration")}),${PR(j, "cost")}*INDEX(${inputs.column("profile", pKey(j))},${k}),0)`,
      };
    });
    const active = `(${sched}>0)*(${m}>=${st})*(${m}<${st}+${dur})`;
    const row = mc.addRow([
      m,
      { formula: inputs.cell("cash", m - 1, "cap") },
      {
        formula: input.cashCarryOver ? `B${r}+${m === 1 ? inputs.at("opening") : `F${r - 1}`}` : `B${r}`,
      },
      { formula: `(1+${inputs.at("r")})^(-A${r}/12)` },
      { formula: `SUM(${addr(F + 1, r)}:${addr(F + n, r)})` },
      { formula: input.cashCarryOver ? `C${r}-E${r}` : "0" },
      { formula: `SUMPRODUCT(${active})` },
      { formula: `SUMPRODUCT((${sched}>0)*(${m}>=${st}+${dur})*${col("G")})/12` },
      { formula: `SUMPRODUCT(${active}*${col("H")})` },
      { formula: `IF(E${r}<=C${r}+1E-6*MAX(1,ABS(C${r})),"OK","NO")` },
      engineMonths.get(m)?.spend ?? null,
      { formula: `IF(ABS(E${r}-K${r})<=0.005,"OK","NO")` },
      ...spendCells,
    ]);
    for (const c of [2, 3, 5, 6, 8, 9, 11]) row.getCell(c).numFmt = MONEY;
    for (let c = F + 1; c <= F + n; c++) row.getCell(c).numFmt = MONEY;
    row.getCell(4).numFmt = "0.000000";
  }
  const range = (c: string) => `'Monthly cash'!$${c}$2:$${c}$${H + 1}`;
  addChecks(wb, [
    { label: `Total spend (${cur})`, formula: `SUM(${range("E")})`, engine: out.kpis.totalSpend },
    {
      label: `Rent uplift in the horizon (${cur})`,
      formula: `SUM(${range("H")})`,
      engine: out.kpis.upliftInHorizon,
    },
    { label: `Downtime loss (${cur})`, formula: `SUM(${range("I")})`, engine: out.kpis.downtimeLoss },
    {
      label: `Objective from the months (${cur})`,
      formula: `SUMPRODUCT(${range("H")}-${range("I")},${range("D")})`,
      engine: out.kpis.objective,
    },
    {
      label: "Months within the cash limit",
      formula: `COUNTIF(${range("J")},"OK")`,
      engine: H,
      tolerance: 0,
    },
    {
      label: "Months whose spend is the engine's",
      formula: `COUNTIF(${range("L")},"OK")`,
      engine: H,
      tolerance: 0,
    },
  ]);
}

function debtStack(
  wb: ExcelJS.Workbook,
  inputs: InputsSheet,
  input: DebtStackInputParsed,
  out: Json,
  title: string,
) {
  const cur = input.currency;
  const N = input.noi.length;
  const T = input.targets;
  inputs.section("Deal and lender tests");
  inputs.scalars([
    { key: "price", label: "Purchase price", value: input.purchasePrice, unit: cur, numFmt: MONEY },
    { key: "closing", label: "Closing costs", value: input.closingCosts, unit: cur, numFmt: MONEY },
    {
      key: "appraised",
      label: "Appraised value (blank: the price)",
      value: input.appraisedValue ?? null,
      unit: cur,
      numFmt: MONEY,
    },
    {
      key: "equityAvailable",
      label: "Equity available",
      value: input.equityAvailable,
      unit: cur,
      numFmt: MONEY,
    },
    { key: "equityCost", label: "Cost of equity", value: input.equityCostRate, unit: "% / yr", numFmt: PCT },
    { key: "maxLtv", label: "Max LTV", value: T.maxLtv, unit: "% of value", numFmt: PCT },
    { key: "maxLtc", label: "Max LTC", value: T.maxLtc, unit: "% of cost", numFmt: PCT },
    { key: "minDscr", label: "Min DSCR", value: T.minDscr, unit: "×", numFmt: "0.00" },
    { key: "minDy", label: "Min debt yield", value: T.minDebtYield, unit: "% / yr", numFmt: PCT },
    { key: "objective", label: "Objective", value: input.objective, unit: "" },
  ]);
  inputs.scalars([
    {
      key: "uses",
      label: "Uses (price + closing costs)",
      value: null,
      unit: cur,
      numFmt: MONEY,
      formula: `${inputs.at("price")}+${inputs.at("closing")}`,
    },
    {
      key: "value",
      label: "Value for the LTV",
      value: null,
      unit: cur,
      numFmt: MONEY,
      formula: `IF(ISBLANK(${inputs.at("appraised")}),${inputs.at("price")},${inputs.at("appraised")})`,
    },
  ]);
  inputs.section("NOI and index rate by year (one column per rate scenario)");
  const S = input.rateScenarios;
  const sKey = (k: number) => `s${k}`;
  inputs.table(
    "years",
    [
      { key: "year", label: "Year", unit: "" },
      { key: "noi", label: "NOI", unit: `${cur}/yr`, numFmt: MONEY },
      ...S.map((sc, k) => ({ key: sKey(k), label: `Index, ${sc.id}`, unit: "% / yr", numFmt: PCT })),
    ],
    input.noi.map((noi, y) => ({
      year: y + 1,
      noi,
      ...Object.fromEntries(
        S.map((sc, k) => [sKey(k), Array.isArray(sc.indexRate) ? sc.indexRate[y]! : sc.indexRate]),
      ),
    })),
  );
  inputs.section("Rate scenarios");
  inputs.table(
    "scenarios",
    [
      { key: "id", label: "Scenario", unit: "" },
      { key: "weight", label: "Weight", unit: "" },
    ],
    S.map((sc) => ({ id: sc.id, weight: sc.weight })),
  );
  inputs.section("Tranches");
  inputs.table(
    "tranches",
    [
      { key: "id", label: "Tranche", unit: "", width: 16 },
      { key: "rateType", label: "Rate", unit: "fixed / floating" },
      { key: "fixedRate", label: "Fixed rate", unit: "% / yr", numFmt: PCT },
      { key: "spread", label: "Spread", unit: "% / yr", numFmt: PCT },
      { key: "maxShare", label: "Max share of price", unit: "%", numFmt: PCT },
      { key: "io", label: "Interest-only", unit: "months" },
      { key: "amort", label: "Amortization", unit: "months" },
      { key: "upfront", label: "Upfront fee", unit: "% of amount", numFmt: PCT },
      { key: "fixedFee", label: "Fixed fee", unit: cur, numFmt: MONEY },
      { key: "minAmount", label: "Minimum amount", unit: cur, numFmt: MONEY },
    ],
    input.tranches.map((t) => ({
      id: t.id,
      rateType: t.rateType,
      fixedRate: t.fixedRate,
      spread: t.spread,
      maxShare: t.maxShare,
      io: t.ioMonths,
      amort: t.amortizationMonths,
      upfront: t.upfrontFee,
      fixedFee: t.fixedFee,
      minAmount: t.minAmount,
    })),
  );
  if (input.hedges.length > 0) {
    inputs.section(
      "Hedges (their yearly cost per unit of notional is the engine's, on the Coefficients sheet)",
    );
    inputs.table(
      "hedges",
      [
        { key: "id", label: "Hedge", unit: "" },
        { key: "type", label: "Type", unit: "cap / swap" },
        { key: "strike", label: "Strike", unit: "% / yr", numFmt: PCT },
        { key: "fixedRate", label: "Swap rate", unit: "% / yr", numFmt: PCT },
        { key: "premium", label: "Premium", unit: "% / yr", numFmt: PCT },
        { key: "tenor", label: "Tenor", unit: "years" },
        { key: "follows", label: "Follows tranche", unit: "" },
      ],
      input.hedges.map((h) => ({
        id: h.id,
        type: h.type,
        strike: h.strike,
        fixedRate: h.fixedRate,
        premium: h.premiumRate,
        tenor: h.tenorYears,
        follows: h.trancheId,
      })),
    );
  }
  const TR = (k: number, col: string) => inputs.cell("tranches", k, col);

  // ---- Unit schedule: one unit of principal of each tranche in each scenario, month by month.
  const us = wb.addWorksheet("Unit schedule", { views: [{ state: "frozen", xSplit: 2, ySplit: 2 }] });
  const groups = input.tranches.flatMap((t, k) => S.map((sc, s) => ({ t, k, sc, s })));
  us.getCell(1, 1).value = "Per unit of principal";
  us.getCell(2, 1).value = "Month";
  us.getCell(2, 2).value = "Year";
  const G = 4; // rate, opening balance, interest, principal
  const gcol = (g: number, c: number) => 3 + g * G + c;
  groups.forEach((gr, g) => {
    us.getCell(1, gcol(g, 0)).value = `${gr.t.id} · ${gr.sc.id}`;
    ["Rate (annual)", "Opening balance", "Interest", "Principal"].forEach((h, c) => {
      us.getCell(2, gcol(g, c)).value = h;
    });
  });
  for (const r of [1, 2]) {
    us.getRow(r).font = { bold: true };
    us.getRow(r).fill = HEADER_FILL;
  }
  const mRow = (m: number) => 2 + m;
  for (let m = 1; m <= 12 * N; m++) {
    const r = mRow(m);
    const y = Math.ceil(m / 12);
    us.getCell(r, 1).value = m;
    us.getCell(r, 2).value = y;
    groups.forEach((gr, g) => {
      const [rate, bal, int, prin] = [0, 1, 2, 3].map((c) => addr(gcol(g, c), r));
      const prev = (c: number) => addr(gcol(g, c), r - 1);
      us.getCell(rate!).value = {
        formula:
          gr.t.rateType === "fixed"
            ? TR(gr.k, "fixedRate")
            : `${inputs.cell("years", y - 1, sKey(gr.s))}+${TR(gr.k, "spread")}`,
      };
      us.getCell(bal!).value = m === 1 ? 1 : { formula: `${prev(1)}-${prev(3)}` };
      us.getCell(int!).value = { formula: `${bal}*${rate}/12` };
      // The level payment on the balance over the months left, re-set each month (as the engine).
      const i = `(${rate}/12)`;
      const left = `(${TR(gr.k, "amort")}-(${m}-${TR(gr.k, "io")})+1)`;
      const pay =
        gr.t.amortizationMonths === null
          ? int!
          : `IF(${m}<=${TR(gr.k, "io")},${int},IF(${left}>=1,IF(ABS(${i})<1E-12,${bal}/${left},${bal}*${i}/(1-(1+${i})^(-${left}))),${int}))`;
      us.getCell(prin!).value = { formula: `MIN(${bal},${pay}-${int})` };
    });
  }
  const yearly = (g: number, c: number, y: number, fn = "SUM") =>
    `${fn}('Unit schedule'!${addr(gcol(g, c), mRow(12 * (y - 1) + 1), true)}:${addr(gcol(g, c), mRow(12 * y), true)})`;
  const groupOf = (k: number, s: number) => k * S.length + s;
  /** Debt service of one unit of tranche k in year y of scenario s. */
  const kappa = (k: number, s: number, y: number) =>
    `(${yearly(groupOf(k, s), 2, y)}+${yearly(groupOf(k, s), 3, y)})`;
  const wSum = `SUM(${inputs.column("scenarios", "weight")})`;

  const built = buildDebtStackModel(input);
  const spec = built.spec;
  const amounts = new Map<string, number>((out.tranches ?? []).map((t: Json) => [t.trancheId, t.amount]));
  const usedOf = new Map<string, boolean>((out.tranches ?? []).map((t: Json) => [t.trancheId, t.used]));
  const notionals = new Map<string, number>((out.hedges ?? []).map((h: Json) => [h.hedgeId, h.notional]));
  const varKind = (name: string): [string, number] | null => {
    for (const [re, kind] of [
      [/^amount\[(.+)\]$/, "amount"],
      [/^used\[(.+)\]$/, "used"],
    ] as const) {
      const m = re.exec(name);
      if (m) return [kind, input.tranches.findIndex((t) => t.id === m[1])];
    }
    return null;
  };
  const values = spec.variables.map((v) => {
    let m = /^amount\[(.+)\]$/.exec(v.name);
    if (m) return amounts.get(m[1]!) ?? 0;
    m = /^used\[(.+)\]$/.exec(v.name);
    if (m) return usedOf.get(m[1]!) ? 1 : 0;
    m = /^notional\[(.+)\]$/.exec(v.name);
    if (m) return notionals.get(m[1]!) ?? 0;
    if (v.name === "equity") return out.kpis?.equity ?? 0;
    if (v.name === "worst-case annual cost") return out.kpis?.worstCaseAnnualCost ?? 0;
    return 0;
  });
  const expected = input.objective !== "worst-case";
  const dscrRow = /^Min DSCR year (\d+) scenario (.+)$/;
  const scenarioIndex = (id: string) => S.findIndex((sc) => sc.id === id);
  const formulas: Formulas = {
    scope:
      "the funding, equity, LTV, LTC, debt-yield, tranche-size and DSCR rows and the tranches' and equity's objective coefficients are formulas of the Inputs and of the unit schedule; the hedge rows, the hedges' costs and the worst-case rows are the formulation's numbers.",
    cost: (j) => {
      const name = spec.variables[j]!.name;
      if (!expected) return undefined;
      if (name === "equity") return inputs.at("equityCost");
      const vk = varKind(name);
      if (!vk) return undefined;
      const [kind, k] = vk;
      // Σ_s w_s/Σw · (Σ_t interest per unit / N + fee / N); a used flag: the fixed fee / N.
      if (kind === "used") return `${TR(k, "fixedFee")}/${N}`;
      const perScenario = S.map(
        (_, s) =>
          `${inputs.cell("scenarios", s, "weight")}/${wSum}*(${Array.from({ length: N }, (_, y) => yearly(groupOf(k, s), 2, y + 1)).join("+")})`,
      );
      return `(${perScenario.join("+")})/${N}+${TR(k, "upfront")}/${N}`;
    },
    coef: (i, j) => {
      const row = spec.constraints[i]!.name;
      const vk = varKind(spec.variables[j]!.name);
      if (!vk) return undefined;
      const [kind, k] = vk;
      if (row === "Sources = uses")
        return kind === "amount" ? `1-${TR(k, "upfront")}` : `-${TR(k, "fixedFee")}`;
      if (row === `Max share ${input.tranches[k]!.id}` && kind === "used")
        return `-${TR(k, "maxShare")}*${inputs.at("price")}`;
      if (row === `Min size ${input.tranches[k]!.id}` && kind === "used") return `-${TR(k, "minAmount")}`;
      const d = dscrRow.exec(row);
      if (d && kind === "amount") return kappa(k, scenarioIndex(d[2]!), Number(d[1]));
      return undefined;
    },
    lower: (i) => (spec.constraints[i]!.name === "Sources = uses" ? inputs.at("uses") : undefined),
    upper: (i) => {
      const row = spec.constraints[i]!.name;
      if (row === "Sources = uses") return inputs.at("uses");
      if (row === "Equity available") return inputs.at("equityAvailable");
      if (row === "Max LTV") return `${inputs.at("maxLtv")}*${inputs.at("value")}`;
      if (row === "Max LTC") return `${inputs.at("maxLtc")}*${inputs.at("uses")}`;
      if (row === "Min debt yield") return `${inputs.cell("years", 0, "noi")}/${inputs.at("minDy")}`;
      const d = dscrRow.exec(row);
      if (d) return `${inputs.cell("years", Number(d[1]) - 1, "noi")}/${inputs.at("minDscr")}`;
      const k = input.tranches.findIndex((t) => row === `Max share ${t.id}`);
      if (k >= 0) return `${TR(k, "maxShare")}*${inputs.at("price")}`;
      return undefined;
    },
  };
  const plan = writePlan(
    wb,
    {
      title: `${title} — debt stack`,
      objectiveUnit: `${cur}/yr`,
      spec,
      values,
      engineObjective: out.kpis.objective,
      engineActivity: activities(out),
    },
    formulas,
  );
  const amount = (k: number) => plan.value(`amount[${input.tranches[k]!.id}]`)!;
  const usedCell = (k: number) => plan.value(`used[${input.tranches[k]!.id}]`);
  const equity = plan.value("equity")!;

  // ---- Sources & uses and loan sizing.
  const su = wb.addWorksheet("Sources & Uses");
  su.columns = [{ width: 46 }, { width: 20 }, { width: 20 }, { width: 14 }, { width: 10 }];
  const head = (cells: string[]) => {
    const r = su.addRow(cells);
    r.font = { bold: true };
    r.fill = HEADER_FILL;
    return r;
  };
  const line = (label: string, formula: string, numFmt = MONEY) => {
    const r = su.addRow([label, { formula }]);
    r.getCell(2).numFmt = numFmt;
    return `'Sources & Uses'!$B$${r.number}`;
  };
  head(["Uses", cur]);
  line("Purchase price", inputs.at("price"));
  line("Closing costs", inputs.at("closing"));
  const usesCell = line("Total uses", `${inputs.at("price")}+${inputs.at("closing")}`);
  head(["Sources", cur]);
  const debtCells: string[] = [];
  const feeCells: string[] = [];
  input.tranches.forEach((t, k) => {
    debtCells.push(line(`${t.id}: amount`, amount(k)));
    const used = usedCell(k) ?? `IF(${amount(k)}>1E-6,1,0)`;
    feeCells.push(
      line(
        `${t.id}: fees (upfront + fixed if used)`,
        `${amount(k)}*${TR(k, "upfront")}+${used}*${TR(k, "fixedFee")}`,
      ),
    );
  });
  const debt = line("Total debt", debtCells.join("+") || "0");
  const fees = line("Financing fees", feeCells.join("+") || "0");
  const net = line("Net debt proceeds", `${debt}-${fees}`);
  line("Equity", equity);
  const sources = line("Total sources (net proceeds + equity)", `${net}+${equity}`);
  line("Sources − uses (0 when funded)", `${sources}-${usesCell}`);
  head(["Loan sizing", cur]);
  const ltvMax = line("Max debt by LTV (max LTV × value)", `${inputs.at("maxLtv")}*${inputs.at("value")}`);
  const sizes = [ltvMax];
  if (T.maxLtc !== null)
    sizes.push(line("Max debt by LTC (max LTC × uses)", `${inputs.at("maxLtc")}*${inputs.at("uses")}`));
  if (T.minDebtYield !== null)
    sizes.push(
      line(
        "Max debt by debt yield (year-1 NOI / min debt yield)",
        `${inputs.cell("years", 0, "noi")}/${inputs.at("minDy")}`,
      ),
    );
  const tranchesMax = line(
    "Max debt by the tranches' caps (Σ max share × price)",
    input.tranches.map((_, k) => `${TR(k, "maxShare")}*${inputs.at("price")}`).join("+"),
  );
  sizes.push(tranchesMax);
  const maxDebt = line("Largest debt the size tests allow (before DSCR)", `MIN(${sizes.join(",")})`);
  line("Headroom (largest − total debt)", `${maxDebt}-${debt}`);
  const ltv = line("LTV", `${debt}/${inputs.at("value")}`, PCT);
  const ltc = line("LTC", `${debt}/${inputs.at("uses")}`, PCT);

  // ---- DSCR by year and scenario: debt service from the unit schedule × the amounts, plus hedges.
  const ds = wb.addWorksheet("DSCR by year");
  ds.columns = [
    { header: "Year", width: 8 },
    { header: "Scenario", width: 14 },
    { header: `NOI (${cur})`, width: 18 },
    { header: `Loan debt service (${cur})`, width: 20 },
    { header: `Hedge net cost (${cur})`, width: 18 },
    { header: `Debt service (${cur})`, width: 20 },
    { header: "DSCR", width: 10 },
    { header: "Min DSCR", width: 10 },
    { header: "Meets", width: 8 },
    { header: "Engine's DSCR", width: 14 },
    { header: "Matches", width: 10 },
  ];
  ds.getRow(1).font = { bold: true };
  ds.getRow(1).fill = HEADER_FILL;
  const engineRows = new Map<string, Json>(
    (out.byYearScenario ?? []).map((r: Json) => [`${r.year}|${r.scenario}`, r]),
  );
  const hedgeVars = input.hedges.map((h) => spec.variables.findIndex((v) => v.name === `notional[${h.id}]`));
  for (let y = 1; y <= N; y++) {
    S.forEach((sc, s) => {
      const r = ds.rowCount + 1;
      const loans = input.tranches.map((_, k) => `${kappa(k, s, y)}*${amount(k)}`).join("+") || "0";
      // The hedges' net cost of the year, per unit of notional as the formulation has it (its DSCR row).
      const dscrSpec = spec.constraints.find((c) => c.name === `Min DSCR year ${y} scenario ${sc.id}`);
      const e = engineRows.get(`${y}|${sc.id}`);
      // Without a DSCR target the formulation has no such row: the engine's hedge cost, as a number.
      const hedge = dscrSpec
        ? input.hedges
            .map((h, j) => {
              const at = dscrSpec.vars.indexOf(hedgeVars[j]!);
              return at >= 0 ? `${dscrSpec.coefs[at]!}*${plan.value(`notional[${h.id}]`)}` : "0";
            })
            .join("+") || "0"
        : String(e?.hedgeCost ?? 0);
      const row = ds.addRow([
        y,
        sc.id,
        { formula: inputs.cell("years", y - 1, "noi") },
        { formula: loans },
        { formula: hedge },
        { formula: `D${r}+E${r}` },
        { formula: `IF(F${r}>0,C${r}/F${r},"")` },
        T.minDscr === null ? null : { formula: inputs.at("minDscr") },
        { formula: `IF(OR(ISBLANK(H${r}),G${r}="",G${r}>=H${r}-1E-9),"OK","NO")` },
        e?.dscr ?? null,
        e?.dscr == null ? null : { formula: `IF(ABS(G${r}-J${r})<=1E-9,"OK","NO")` },
      ]);
      for (const c of [3, 4, 5, 6]) row.getCell(c).numFmt = MONEY;
      for (const c of [7, 8, 10]) row.getCell(c).numFmt = "0.0000";
    });
  }
  const last = ds.rowCount;
  ds.addRow([]);
  const minRow = ds.addRow(["Min DSCR", "", "", "", "", "", { formula: `MIN(G2:G${last})` }]);
  minRow.font = { bold: true };
  minRow.getCell(7).numFmt = "0.0000";
  const minDscrCell = `'DSCR by year'!$G$${minRow.number}`;

  // The engine's headline numbers against the workbook's, on the Plan sheet's check list.
  addChecks(wb, [
    { label: `Total debt (${cur})`, formula: debt, engine: out.kpis.totalDebt },
    { label: `Financing fees (${cur})`, formula: fees, engine: out.kpis.financingFees },
    { label: `Net debt proceeds (${cur})`, formula: net, engine: out.kpis.netDebtProceeds },
    { label: "LTV", formula: ltv, engine: out.kpis.ltv, tolerance: 1e-9 },
    { label: "LTC", formula: ltc, engine: out.kpis.ltc, tolerance: 1e-9 },
    ...(out.kpis.minDscr === null
      ? []
      : [{ label: "Min DSCR", formula: minDscrCell, engine: out.kpis.minDscr as number, tolerance: 1e-9 }]),
    {
      label: "DSCR rows matching the engine's",
      formula: `COUNTIF('DSCR by year'!K2:K${last},"OK")`,
      engine: (out.byYearScenario ?? []).filter((r: Json) => r.dscr !== null).length,
      tolerance: 0,
    },
  ]);
}

/**
 * Appends checks to the Plan sheet's list (under "All checks", which then counts them too).
 */
function addChecks(
  wb: ExcelJS.Workbook,
  checks: { label: string; formula: string; engine: number; tolerance?: number }[],
) {
  const ws = wb.getWorksheet("Plan")!;
  let allRow = 0;
  ws.eachRow((row, n) => {
    if (row.getCell(1).value === "All checks") allRow = n;
  });
  // Written to the right of the check list, so the Plan sheet's rows keep their places.
  const col = 11;
  const header = ws.getRow(4);
  ["Engine check", "Workbook", "Engine", "Difference", "Matches"].forEach((h, k) => {
    const c = header.getCell(col + k);
    c.value = h;
    c.font = { bold: true };
    c.fill = HEADER_FILL;
  });
  ws.getColumn(col).width = 34;
  for (const k of [1, 2, 3]) ws.getColumn(col + k).width = 18;
  const L = (k: number) => addr(col + k, 1).replace(/\d+$/, "");
  checks.forEach((c, k) => {
    const r = 5 + k;
    const row = ws.getRow(r);
    row.getCell(col).value = c.label;
    row.getCell(col + 1).value = { formula: c.formula };
    row.getCell(col + 2).value = c.engine;
    row.getCell(col + 3).value = { formula: `${L(1)}${r}-${L(2)}${r}` };
    row.getCell(col + 4).value = {
      formula: `IF(ABS(${L(3)}${r})<=MAX(${c.tolerance ?? 0.005},1E-12*ABS(${L(2)}${r})),"OK","NO")`,
    };
    for (const j of [1, 2, 3])
      row.getCell(col + j).numFmt = c.tolerance !== undefined && c.tolerance < 1e-3 ? "0.000000000" : MONEY;
  });
  const all = ws.getRow(allRow);
  const prev = (all.getCell(5).value as { formula: string }).formula;
  const first = 5;
  const lastR = 5 + checks.length - 1;
  all.getCell(5).value = {
    formula: `IF(AND(${prev.replace(/^IF\((.*),"OK","NO"\)$/, "$1")},COUNTIF(${L(4)}${first}:${L(4)}${lastR},"OK")=${checks.length}),"OK","NO")`,
  };
}
