import { buildCapexModel, type CapexPhasingInputParsed } from "@modelworks/engine-optimizers";
import type ExcelJS from "exceljs";
import {
  activities,
  addChecks,
  addr,
  type Formulas,
  HEADER_FILL,
  type InputsSheet,
  MONEY,
  PCT,
  writePlan,
} from "../plan-workbook.ts";

/**
 * capex-phasing@2's plan as a formula workbook (../plan-workbook.ts lays it out). Inputs: horizon,
 * cash caps by month, projects and spend profiles. The start values, cash rows and capacity
 * limits read them; the Phases sheet turns the plan's start variables into start and completion
 * months and the Monthly cash sheet spends each project's cost by its profile, month by month,
 * against the cash available, with uplift and downtime. The prototype formulation keeps its rows'
 * numbers.
 */
// biome-ignore lint/suspicious/noExplicitAny: the run's output is read by the engine output's field names
type Json = any;

export function capexPhasing(
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
