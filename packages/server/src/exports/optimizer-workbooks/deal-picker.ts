import {
  buildModel as buildDealModel,
  DealPickerInput,
  prepare as prepareDeals,
} from "@modelworks/engine-optimizers";
import type { ModelSpec } from "@modelworks/solver";
import type ExcelJS from "exceljs";
import { type Formulas, type InputsSheet, MONEY, PCT, type Values, writePlan } from "../plan-workbook.ts";

/**
 * deal-picker@3's plan as a formula workbook (../plan-workbook.ts lays it out). Inputs: budget,
 * rules, caps and deals, with each deal's all-in cost and NOI after vacancy as formulas. The
 * budget, cap and count rows and the objective read them; max-yield's objective is the yield
 * NOI / capital of the plan. Fractional counts' indicator links keep their numbers.
 */
// biome-ignore lint/suspicious/noExplicitAny: the run's output is read by the engine output's field names
type Json = any;

export function dealPicker(
  wb: ExcelJS.Workbook,
  inputs: InputsSheet,
  raw: unknown,
  out: Json,
  title: string,
) {
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
  const vars = new Map(spec.variables.map((v, j) => [v.name, j]));
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
