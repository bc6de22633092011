import { buildDebtStackModel, type DebtStackInputParsed } from "@modelworks/engine-optimizers";
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
 * debt-stack@3's plan as a formula workbook (../plan-workbook.ts lays it out). Inputs: the deal,
 * the lender tests, NOI and index rates by year and scenario, tranches and hedges. A unit schedule
 * (one unit of principal of each tranche in each scenario, month by month, as the engine's
 * schedule.ts) gives the per-unit debt service the DSCR rows and the objective read; Sources &
 * Uses, loan sizing and DSCR by year are formulas of the plan's amounts. Hedge costs and the hedge
 * rows keep the formulation's numbers.
 */
// biome-ignore lint/suspicious/noExplicitAny: the run's output is read by the engine output's field names
type Json = any;

export function debtStack(
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
  const groups = input.tranches.flatMap((t, k) => S.map((sc, s) => ({ t, k, sc, s })));
  const G = 4; // rate, opening balance, interest, principal
  const gcol = (g: number, c: number) => 3 + g * G + c;
  const mRow = (m: number) => 2 + m;
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
  const worstRow = /^Worst case ≥ cost in (.+)$/;
  /**
   * Variable j's annual cost in scenario s, as the formulation prices it: a tranche's interest
   * over the horizon per unit / N + its upfront fee / N; a used flag's fixed fee / N; equity's
   * cost rate. Hedges: undefined (their per-unit costs stay numbers).
   */
  const scenarioCost = (j: number, s: number): string | undefined => {
    const name = spec.variables[j]!.name;
    if (name === "equity") return inputs.at("equityCost");
    const vk = varKind(name);
    if (!vk) return undefined;
    const [kind, k] = vk;
    if (kind === "used") return `${TR(k, "fixedFee")}/${N}`;
    const interest = Array.from({ length: N }, (_, y) => yearly(groupOf(k, s), 2, y + 1)).join("+");
    return `(${interest})/${N}+${TR(k, "upfront")}/${N}`;
  };
  const formulas: Formulas = {
    scope:
      "the funding, equity, LTV, LTC, debt-yield, tranche-size and DSCR rows and the tranches' and equity's objective coefficients are formulas of the Inputs and of the unit schedule; the hedge rows and the hedges' costs are the formulation's numbers.",
    cost: (j) => {
      if (!expected) return undefined;
      const terms = S.map((_, s) => {
        const c = scenarioCost(j, s);
        return c === undefined ? undefined : `${inputs.cell("scenarios", s, "weight")}/${wSum}*${c}`;
      });
      return terms.some((t) => t === undefined) ? undefined : terms.join("+");
    },
    coef: (i, j) => {
      const row = spec.constraints[i]!.name;
      const worst = worstRow.exec(row);
      if (worst && spec.variables[j]!.name !== "worst-case annual cost") {
        const c = scenarioCost(j, scenarioIndex(worst[1]!));
        return c === undefined ? undefined : `-(${c})`;
      }
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

  // ---- Unit schedule: one unit of principal of each tranche in each scenario, month by month
  // (written last: it is the detail behind the DSCR rows and the objective's coefficients).
  const writeUnitSchedule = () => {
    const us = wb.addWorksheet("Unit schedule", { views: [{ state: "frozen", xSplit: 2, ySplit: 2 }] });
    us.getCell(1, 1).value = "Per unit of principal";
    us.getCell(2, 1).value = "Month";
    us.getCell(2, 2).value = "Year";
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
  };
  writeUnitSchedule();

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
