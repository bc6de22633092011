import { buildLeasingModel, type LeasingMixInputParsed } from "@modelworks/engine-optimizers";
import type ExcelJS from "exceljs";
import { activities, type Formulas, type InputsSheet, MONEY, PCT, writePlan } from "../plan-workbook.ts";

/**
 * leasing-mix@2's plan as a formula workbook (../plan-workbook.ts lays it out). Inputs: the
 * building, targets, packages (with the 12-month NCF per unit as a formula of rent, term, lag,
 * rent-free months, incentive and leasing cost) and in-place leases. Every row of the modelworks
 * formulation reads them: occupancy need, vacancy, incentive budget, share caps and the
 * linearised WAULT. The prototype formulation keeps its rows' numbers.
 */
// biome-ignore lint/suspicious/noExplicitAny: the run's output is read by the engine output's field names
type Json = any;

export function leasingMix(
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
      key: "penaltyGiven",
      label: "Shortfall penalty (soft target; blank: the largest rent + incentive + leasing cost)",
      value: input.occupancy.shortfallPenaltyPerUnit,
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
      {
        key: "allIn",
        label: "Rent + incentive + leasing cost",
        unit: `${cur}/unit`,
        numFmt: MONEY,
        formula: (at) => `${at("rent")}+${at("incentive")}+${at("fees")}`,
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
  inputs.section("Derived");
  inputs.scalars([
    {
      key: "penalty",
      label: "Shortfall penalty applied",
      value: null,
      unit: `${cur} / unit`,
      numFmt: MONEY,
      formula: `IF(ISBLANK(${inputs.at("penaltyGiven")}),MAX(0,MAX(${inputs.column("packages", "allIn")})),${inputs.at("penaltyGiven")})`,
    },
  ]);
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
