import type { NumberStyle } from "@modelworks/contracts/number-style";
import ExcelJS from "exceljs";
import { excelNumFmt, withNegatives } from "./cells.ts";

/**
 * The TIF model (tif@2) as a formula-driven Excel workbook (issue 18 item 18): an analyst can
 * audit every step and change an input to see the effect, like in their own pro forma.
 *
 * Sheets:
 * - Inputs: the run's inputs the formulas read, with labels and units, then the engine values
 *   the workbook takes as given (each says why);
 * - Sources & Uses: TDC, construction loan, equity, and the balance check;
 * - Monthly: the pro forma, one row a month — occupancy, GPR, EGI, fees, opex, NOI, reserves,
 *   reversion, unlevered CF, the permanent loan's payments and balance, mezzanine, preferred,
 *   levered CF — as live formulas;
 * - Loan sizing: sizing NOI, value, LTV and DSCR amounts (Excel's PV), the cap at the
 *   construction loan, the payment (Excel's PMT);
 * - Returns: levered and unlevered IRR (Excel's IRR, annualized; XIRR on the month dates beside
 *   them), equity multiple, NPV; and the checks: each workbook result against the engine's.
 *
 * Scope (honest): taken from the engine as values, not formulas, are the construction draw
 * schedule (TDC draws, construction-loan draws, interest and payoff — the IDC is a fixed point
 * the engine iterates), the unit allocation (month-0 GPR), month-0 opex, the property tax net
 * of abatement and the TIF reimbursement per month, and the TIF lump-sum draws. Everything
 * downstream of them is a formula. tif@2 only (tif@1 keeps the prototype's defects).
 */

// biome-ignore lint/suspicious/noExplicitAny: the run's output is read by the tif@2 output's field names
type Json = any;

const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF5" } };
const INPUT_FONT: Partial<ExcelJS.Font> = { color: { argb: "FF1F4E9A" } }; // blue: typed inputs, the modelling convention

/**
 * The workbook's number formats in the org's way of writing negatives (issue 18 item 8), the
 * same as the run's other XLSX exports: `"$"#,##0.00;("$"#,##0.00)` for brackets, `[Red]` when
 * red, a minus when the org says nothing.
 */
export function tifWorkbookFormats(style: NumberStyle | null | undefined) {
  return {
    usd: excelNumFmt({ format: "currency", unit: "USD", decimals: 2, style: style ?? undefined })!,
    pct: withNegatives("0.0000%", style),
    rate: withNegatives("0.000000000%", style),
    ratio: withNegatives("0.00", style),
    multiple: withNegatives("0.000000×", style),
  };
}

interface InputRow {
  key: string;
  label: string;
  value: number | string;
  unit: string;
  numFmt?: string;
  note?: string;
}

/** A1 address of column `col` (1-based) and row `row`. */
const addr = (col: number, row: number, abs = false) => {
  let c = "";
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) c = String.fromCharCode(65 + ((n - 1) % 26)) + c;
  return abs ? `$${c}$${row}` : `${c}${row}`;
};

const monthDate = (month: string) => {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, 1));
};

export async function renderTifWorkbook(
  inputJson: unknown,
  outputJson: unknown,
  meta: { title: string; numberStyle?: NumberStyle | null | undefined },
): Promise<Buffer> {
  const { usd: USD, pct: PCT, rate: RATE, ratio, multiple } = tifWorkbookFormats(meta.numberStyle);
  const input = inputJson as Json;
  const out = outputJson as Json;
  const periods: Json[] = out.periods;
  const ph = out.phaseEnds;
  const C: number = ph.constructionEnd;
  const L: number = ph.leaseupEnd;
  const T: number = ph.totalPeriods;

  const wb = new ExcelJS.Workbook();
  wb.creator = "Modelworks";
  wb.title = meta.title;
  wb.calcProperties = { fullCalcOnLoad: true };

  // ---- Inputs ----
  const inputsWs = wb.addWorksheet("Inputs", { views: [{ state: "frozen", ySplit: 1 }] });
  inputsWs.columns = [
    { header: "Input", key: "label", width: 46 },
    { header: "Value", key: "value", width: 20 },
    { header: "Unit", key: "unit", width: 14 },
    { header: "Name in the model", key: "key", width: 34 },
    { header: "Note", key: "note", width: 70 },
  ];
  inputsWs.getRow(1).font = { bold: true };
  inputsWs.getRow(1).fill = HEADER_FILL;
  const cell: Record<string, string> = {};
  const section = (title: string) => {
    inputsWs.addRow([title]).font = { bold: true };
  };
  const put = (r: InputRow, typed: boolean) => {
    const row = inputsWs.addRow([r.label, r.value, r.unit, r.key, r.note ?? ""]);
    if (r.numFmt) row.getCell(2).numFmt = r.numFmt;
    if (typed) row.getCell(2).font = INPUT_FONT;
    cell[r.key] = `Inputs!${addr(2, row.number, true)}`;
  };
  section("Inputs of the run");
  const inputs: InputRow[] = [
    { key: "maxOccupancy", label: "Stabilized occupancy", value: input.maxOccupancy, unit: "%", numFmt: PCT },
    {
      key: "leaseupPacePerMonth",
      label: "Lease-up pace",
      value: input.leaseupPacePerMonth,
      unit: "% / month",
      numFmt: PCT,
    },
    {
      key: "vacancyRate",
      label: "Underwriting vacancy (loan sizing)",
      value: input.vacancyRate,
      unit: "%",
      numFmt: PCT,
    },
    {
      key: "managementFeeShareOfEgi",
      label: "Management fee",
      value: input.managementFeeShareOfEgi,
      unit: "% of EGI",
      numFmt: PCT,
    },
    {
      key: "reservesShareOfEgi",
      label: "Replacement reserves",
      value: input.reservesShareOfEgi,
      unit: "% of EGI",
      numFmt: PCT,
    },
    {
      key: "marketRentGrowthAnnual",
      label: "Market rent growth",
      value: input.marketRentGrowthAnnual,
      unit: "% / year",
      numFmt: PCT,
    },
    {
      key: "affordableRentGrowthAnnual",
      label: "Affordable rent growth",
      value: input.affordableRentGrowthAnnual,
      unit: "% / year",
      numFmt: PCT,
    },
    {
      key: "opexGrowthAnnual",
      label: "Operating expense growth",
      value: input.opexGrowthAnnual,
      unit: "% / year",
      numFmt: PCT,
    },
    { key: "exitCapRate", label: "Exit cap rate", value: input.exitCapRate, unit: "%", numFmt: PCT },
    {
      key: "sellingCostsShare",
      label: "Selling costs",
      value: input.sellingCostsShare,
      unit: "% of sale",
      numFmt: PCT,
    },
    {
      key: "constructionLtc",
      label: "Construction loan to cost",
      value: input.constructionLtc,
      unit: "%",
      numFmt: PCT,
    },
    {
      key: "permRateEffectiveAnnual",
      label: "Permanent loan rate (after any buydown)",
      value: out.incentives.permRateEffectiveAnnual,
      unit: "% / year",
      numFmt: PCT,
    },
    {
      key: "permAmortYears",
      label: "Permanent loan amortization",
      value: input.permAmortYears,
      unit: "years",
    },
    { key: "permLtvMax", label: "Permanent loan max LTV", value: input.permLtvMax, unit: "%", numFmt: PCT },
    {
      key: "permDscrMin",
      label: "Permanent loan min DSCR",
      value: input.permDscrMin,
      unit: "×",
      numFmt: ratio,
    },
    {
      key: "mezzanineAmountUsd",
      label: "Mezzanine amount",
      value: input.mezzanine.amountUsd,
      unit: "USD",
      numFmt: USD,
    },
    {
      key: "mezzanineRateAnnual",
      label: "Mezzanine rate",
      value: input.mezzanine.rateAnnual,
      unit: "% / year",
      numFmt: PCT,
    },
    {
      key: "preferredAmountUsd",
      label: "Preferred equity amount",
      value: input.preferredEquity.amountUsd,
      unit: "USD",
      numFmt: USD,
    },
    {
      key: "preferredReturnAnnual",
      label: "Preferred return",
      value: input.preferredEquity.returnAnnual,
      unit: "% / year",
      numFmt: PCT,
    },
    {
      key: "npvDiscountRateAnnual",
      label: "NPV discount rate",
      value: input.npvDiscountRateAnnual,
      unit: "% / year",
      numFmt: PCT,
    },
  ];
  for (const r of inputs) put(r, true);
  section("Phases (months from the start)");
  put({ key: "C", label: "Construction ends", value: C, unit: "month" }, true);
  put(
    { key: "L", label: "Lease-up ends (permanent loan funds the month after)", value: L, unit: "month" },
    true,
  );
  put({ key: "T", label: "Sale (last month)", value: T, unit: "month" }, true);
  section("From the engine (taken as given, not recomputed here)");
  const su = out.sourcesUses;
  const given: InputRow[] = [
    {
      key: "gprMarketMonthlyUsd",
      label: "Market GPR at month 0",
      value: out.units.gprMarketMonthlyUsd,
      unit: "USD / month",
      numFmt: USD,
      note: "unit allocation by the unit mix (rounded as the engine rounds)",
    },
    {
      key: "gprAffordableMonthlyUsd",
      label: "Affordable GPR at month 0",
      value: out.units.gprAffordableMonthlyUsd,
      unit: "USD / month",
      numFmt: USD,
      note: "AMI rent limits × affordable units",
    },
    {
      key: "monthlyOpexUsd",
      label: "Operating expenses at month 0",
      value: opexAtMonth0(periods, input, C),
      unit: "USD / month",
      numFmt: USD,
      note: "per-unit opex × units / 12",
    },
    { key: "landUsd", label: "Land", value: su.landUsd, unit: "USD", numFmt: USD },
    {
      key: "hardUsd",
      label: "Hard costs incl. contingency",
      value: su.hardCostsInclContingencyUsd,
      unit: "USD",
      numFmt: USD,
    },
    {
      key: "softUsd",
      label: "Soft costs incl. reserves, predevelopment, developer fee",
      value: su.softCostsInclReservesPredevDevFeeUsd,
      unit: "USD",
      numFmt: USD,
      note: "net of any SMART fee waiver",
    },
    {
      key: "idcUsd",
      label: "Interest during construction",
      value: su.idcUsd,
      unit: "USD",
      numFmt: USD,
      note: `a fixed point the engine solves (${su.idcIterations} iterations)`,
    },
    {
      key: "tifLumpSumUsd",
      label: "TIF lump sum applied",
      value: su.tifLumpSumUsd,
      unit: "USD",
      numFmt: USD,
    },
    {
      key: "constructionPayoffUsd",
      label: "Construction loan payoff at conversion",
      value: out.permanentLoan.constructionPayoffAtConversionUsd,
      unit: "USD",
      numFmt: USD,
      note: "the draw schedule's balance at the end of lease-up",
    },
  ];
  for (const r of given) put(r, false);
  const inp = (k: string) => {
    const a = cell[k];
    if (!a) throw new Error(`workbook input ${k} missing`);
    return a;
  };

  // ---- Sources & Uses ----
  const suWs = wb.addWorksheet("Sources & Uses");
  suWs.columns = [
    { header: "Item", width: 44 },
    { header: "Amount (USD)", width: 22 },
    { header: "Formula", width: 50 },
  ];
  suWs.getRow(1).font = { bold: true };
  suWs.getRow(1).fill = HEADER_FILL;
  const suCell: Record<string, string> = {};
  const suRow = (key: string, label: string, formula: string) => {
    const row = suWs.addRow([label, { formula }, `=${formula}`]);
    row.getCell(2).numFmt = USD;
    suCell[key] = `'Sources & Uses'!${addr(2, row.number, true)}`;
  };
  suWs.addRow(["Uses"]).font = { bold: true };
  suRow("land", "Land", inp("landUsd"));
  suRow("hard", "Hard costs incl. contingency", inp("hardUsd"));
  suRow("soft", "Soft costs", inp("softUsd"));
  suRow("idc", "Interest during construction", inp("idcUsd"));
  suRow("tdc", "Total development cost", `SUM(B3:B6)`);
  suWs.addRow(["Sources"]).font = { bold: true };
  suRow("loan", "Construction loan", `B7*${inp("constructionLtc")}`);
  suRow("tif", "TIF lump sum", inp("tifLumpSumUsd"));
  suRow("equity", "Equity", `B7-B9-B10`);
  suRow("sources", "Total sources", `SUM(B9:B11)`);
  suRow("balance", "Sources − uses (0 when balanced)", `B12-B7`);

  // ---- Monthly ----
  const mWs = wb.addWorksheet("Monthly", { views: [{ state: "frozen", xSplit: 3, ySplit: 1 }] });
  const cols = [
    ["period", "Month #", 8, "0"],
    ["date", "Month", 11, "mmm yyyy"],
    ["phase", "Phase", 14, undefined],
    ["year", "Escalation year", 10, "0"],
    ["occupancy", "Occupancy", 11, PCT],
    ["gpr", "Gross potential rent", 16, USD],
    ["egi", "Effective gross income", 16, USD],
    ["mgmt", "Management fee", 14, USD],
    ["opex", "Operating expenses", 14, USD],
    ["tax", "Property tax, net (engine)", 16, USD],
    ["tifReimb", "TIF reimbursement (engine)", 16, USD],
    ["noi", "NOI", 16, USD],
    ["reserves", "Replacement reserves", 14, USD],
    ["reversion", "Sale proceeds, net", 18, USD],
    ["tdcDraw", "Development cost draw (engine)", 18, USD],
    ["unlevered", "Unlevered cash flow", 18, USD],
    ["constNet", "Construction loan draw / payoff (engine)", 20, USD],
    ["permBal", "Permanent loan balance", 18, USD],
    ["permNet", "Permanent loan cash flow", 18, USD],
    ["mezz", "Mezzanine cash flow", 16, USD],
    ["pref", "Preferred equity cash flow", 16, USD],
    ["tifDraw", "TIF lump sum draw (engine)", 16, USD],
    ["levered", "Levered cash flow", 18, USD],
  ] as const;
  const col = Object.fromEntries(cols.map(([k], i) => [k, i + 1])) as Record<
    (typeof cols)[number][0],
    number
  >;
  mWs.columns = cols.map(([, title, width, numFmt]) => ({
    header: title,
    width,
    ...(numFmt ? { style: { numFmt } } : {}),
  }));
  mWs.getRow(1).font = { bold: true };
  mWs.getRow(1).fill = HEADER_FILL;
  mWs.getRow(1).alignment = { wrapText: true, vertical: "top" };
  const first = 2;
  const last = first + T - 1;
  const rowOf = (p: number) => first + p - 1;
  const at = (k: keyof typeof col, r: number) => addr(col[k], r);
  const rp = `(${inp("permRateEffectiveAnnual")}/12)`;
  const nper = `(${inp("permAmortYears")}*12)`;
  const trailing = input.reversionNoiBasis === "trailing";
  const [Cc, Lc, Tc] = [inp("C"), inp("L"), inp("T")];
  for (const [i, per] of periods.entries()) {
    const p = i + 1;
    const r = rowOf(p);
    const P = at("period", r);
    const f = (formula: string) => ({ formula });
    const reversion = trailing
      ? `IF(${P}=${Tc},SUM(${at("noi", rowOf(Math.max(1, T - 12)))}:${at("noi", r - 1)})/${inp("exitCapRate")}*(1-${inp("sellingCostsShare")}),0)`
      : `IF(${P}=${Tc},${at("noi", r)}*12/${inp("exitCapRate")}*(1-${inp("sellingCostsShare")}),0)`;
    const prevBal = at("permBal", r - 1);
    const values: Record<keyof typeof col, unknown> = {
      period: p,
      date: monthDate(per.month),
      phase: per.phase,
      year: per.escalationYear,
      occupancy: f(
        `IF(${P}<=${Cc},0,IF(${P}<=${Lc},MIN(${inp("maxOccupancy")},${inp("leaseupPacePerMonth")}*(${P}-${Cc})),${inp("maxOccupancy")}))`,
      ),
      gpr: f(
        `IF(${P}<=${Cc},0,${inp("gprMarketMonthlyUsd")}*(1+${inp("marketRentGrowthAnnual")})^${at("year", r)}+${inp("gprAffordableMonthlyUsd")}*(1+${inp("affordableRentGrowthAnnual")})^${at("year", r)})`,
      ),
      egi: f(`${at("gpr", r)}*${at("occupancy", r)}`),
      mgmt: f(`${at("egi", r)}*${inp("managementFeeShareOfEgi")}`),
      opex: f(`IF(${P}<=${Cc},0,${inp("monthlyOpexUsd")}*(1+${inp("opexGrowthAnnual")})^${at("year", r)})`),
      tax: per.propertyTaxesNet,
      tifReimb: per.tifReimbursement,
      noi: f(`${at("egi", r)}-${at("mgmt", r)}-${at("opex", r)}-${at("tax", r)}+${at("tifReimb", r)}`),
      reserves: f(`IF(${at("egi", r)}>0,-${at("egi", r)}*${inp("reservesShareOfEgi")},0)`),
      reversion: f(reversion),
      tdcDraw: per.tdcDraw,
      unlevered: f(
        `IF(${P}<=${Cc},-${at("tdcDraw", r)},0)+${at("noi", r)}+${at("reserves", r)}+${at("reversion", r)}`,
      ),
      constNet: per.constDebtNetCf,
      // The balance after this month's payment; the loan funds at L + 1 and is repaid at the sale.
      permBal:
        p === 1
          ? f(`IF(${P}=${Lc}+1,'Loan sizing'!$B$11-('Loan sizing'!$B$12-'Loan sizing'!$B$11*${rp}),0)`)
          : f(
              `IF(${P}=${Lc}+1,'Loan sizing'!$B$11-('Loan sizing'!$B$12-'Loan sizing'!$B$11*${rp}),IF(AND(${P}>${Lc}+1,${P}<${Tc}),${prevBal}-('Loan sizing'!$B$12-${prevBal}*${rp}),0))`,
            ),
      permNet:
        p === 1
          ? f(`IF(${P}=${Lc}+1,'Loan sizing'!$B$11-'Loan sizing'!$B$12,0)`)
          : f(
              `IF(${P}=${Lc}+1,'Loan sizing'!$B$11-'Loan sizing'!$B$12,IF(AND(${P}>${Lc}+1,${P}<${Tc}),-'Loan sizing'!$B$12,IF(AND(${P}=${Tc},${P}>${Lc}+1),-'Loan sizing'!$B$12-(${prevBal}-('Loan sizing'!$B$12-${prevBal}*${rp})),0)))`,
            ),
      mezz: f(
        `IF(${P}=1,${inp("mezzanineAmountUsd")},-${inp("mezzanineAmountUsd")}*${inp("mezzanineRateAnnual")}/12-IF(${P}=${Tc},${inp("mezzanineAmountUsd")},0))`,
      ),
      pref: f(
        `IF(${P}=1,${inp("preferredAmountUsd")},-${inp("preferredAmountUsd")}*${inp("preferredReturnAnnual")}/12-IF(${P}=${Tc},${inp("preferredAmountUsd")},0))`,
      ),
      tifDraw: per.tifLumpSumDraw ?? 0,
      levered: f(
        `${at("unlevered", r)}+${at("constNet", r)}+${at("permNet", r)}+${at("mezz", r)}+${at("pref", r)}+${at("tifDraw", r)}`,
      ),
    };
    mWs.addRow(cols.map(([k]) => values[k]));
  }
  const range = (k: keyof typeof col) => `Monthly!${addr(col[k], first, true)}:${addr(col[k], last, true)}`;
  const conv = rowOf(L + 1);

  // ---- Loan sizing ----
  const lsWs = wb.addWorksheet("Loan sizing");
  lsWs.columns = [
    { header: "Item", width: 44 },
    { header: "Value", width: 22 },
    { header: "How", width: 70 },
  ];
  lsWs.getRow(1).font = { bold: true };
  lsWs.getRow(1).fill = HEADER_FILL;
  const ls = (label: string, formula: string, numFmt: string, how: string) => {
    const row = lsWs.addRow([label, { formula }, how]);
    row.getCell(2).numFmt = numFmt;
    return row.number;
  };
  const egiU = `(Monthly!${addr(col.gpr, conv)}*(1-${inp("vacancyRate")}))`;
  ls("EGI at conversion at underwriting vacancy", egiU, USD, "the conversion month's GPR × (1 − vacancy)"); // B2
  ls(
    "Sizing NOI (annual)",
    `(B2-B2*${inp("managementFeeShareOfEgi")}-Monthly!${addr(col.opex, conv)}-Monthly!${addr(col.tax, conv)}+Monthly!${addr(col.tifReimb, conv)}-B2*${inp("reservesShareOfEgi")})*12`,
    USD,
    "(EGI − fee − opex − net tax + TIF − reserves) × 12, the conversion month's",
  ); // B3
  ls("Value at the exit cap rate", `B3/${inp("exitCapRate")}`, USD, "NOI / cap rate"); // B4
  ls("LTV amount", `B4*${inp("permLtvMax")}`, USD, "value × max LTV"); // B5
  ls(
    "DSCR amount",
    `-PV(${rp},${nper},B3/${inp("permDscrMin")}/12,0)`,
    USD,
    "PV of the payment the NOI covers at the min DSCR",
  ); // B6
  ls("Construction loan (cap)", suCell.loan!, USD, "the perm loan is capped at the construction loan"); // B7
  ls("Maximum loan", "MIN(B5,B6,B7)", USD, "the smallest of the three"); // B8
  ls("Construction loan payoff", inp("constructionPayoffUsd"), USD, "the balance to refinance at conversion"); // B9
  lsWs.addRow(["Binding constraint", { formula: 'IF(B7<MIN(B5,B6),"CAP",IF(B5<=B6,"LTV","DSCR"))' }, ""]); // B10
  ls("Permanent loan funded", "MIN(B8,B9)", USD, "no more than the payoff"); // B11
  ls("Monthly payment", `IF(B11>0,-PMT(${rp},${nper},B11),0)`, USD, "Excel's PMT over the amortization"); // B12

  // ---- Returns and checks ----
  const rWs = wb.addWorksheet("Returns");
  rWs.columns = [
    { header: "Result", width: 40 },
    { header: "Workbook", width: 22 },
    { header: "Engine", width: 22 },
    { header: "Difference", width: 16 },
    { header: "Matches", width: 10 },
  ];
  rWs.getRow(1).font = { bold: true };
  rWs.getRow(1).fill = HEADER_FILL;
  const checks: number[] = [];
  const check = (
    label: string,
    formula: string,
    engine: number | null,
    numFmt: string,
    tolerance: number,
  ) => {
    const row = rWs.addRow([
      label,
      { formula },
      engine,
      { formula: `B${rWs.rowCount + 1}-C${rWs.rowCount + 1}` },
    ]);
    const n = row.number;
    row.getCell(5).value = { formula: `IF(ABS(D${n})<${tolerance},"yes","NO")` };
    for (const c of [2, 3, 4]) row.getCell(c).numFmt = numFmt;
    checks.push(n);
    return n;
  };
  const cents = 0.005;
  const r = out.returns;
  check("Levered IRR (annual)", `(1+IRR(${range("levered")},0))^12-1`, r.leveredIrr, RATE, 1e-9);
  check("Unlevered IRR (annual)", `(1+IRR(${range("unlevered")},0))^12-1`, r.unleveredIrr, RATE, 1e-9);
  check(
    "Equity multiple",
    `SUMIF(${range("levered")},">0")/ABS(SUMIF(${range("levered")},"<0"))`,
    r.equityMultiple,
    multiple,
    1e-9,
  );
  const m = `((1+${inp("npvDiscountRateAnnual")})^(1/12)-1)`;
  check(
    "NPV of levered cash flow",
    `Monthly!${addr(col.levered, first)}+NPV(${m},Monthly!${addr(col.levered, first + 1)}:${addr(col.levered, last)})`,
    r.npvLeveredUsd,
    USD,
    cents,
  );
  check("Sizing NOI", "'Loan sizing'!B3", out.permanentLoan.stabilizedNoiForSizingUsd, USD, cents);
  check("Permanent loan funded", "'Loan sizing'!B11", out.permanentLoan.fundedUsd, USD, cents);
  check("Permanent loan payment", "'Loan sizing'!B12", out.permanentLoan.monthlyPaymentUsd, USD, cents);
  check("Total development cost", suCell.tdc!, su.tdcUsd, USD, cents);
  check("Construction loan", suCell.loan!, su.constructionLoanUsd, USD, cents);
  check("Equity", suCell.equity!, su.equityUsd, USD, cents);
  check("Sale proceeds, net", `SUM(${range("reversion")})`, out.totals.reversionValueNetUsd, USD, cents);
  check("Total NOI", `SUM(${range("noi")})`, out.totals.totalNoiUsd, USD, cents);
  // Every month's cash flows, not only their sums: the largest difference over the months.
  const sumAbsDiff = (k: keyof typeof col, engine: (p: Json) => number) => {
    const ws = wb.addWorksheet(`Engine ${k}`, { state: "hidden" });
    for (const p of periods) ws.addRow([engine(p)]);
    return `SUMPRODUCT(ABS(${range(k)}-'Engine ${k}'!$A$1:$A$${T}))`;
  };
  check(
    "Σ |levered CF − engine's| over months",
    sumAbsDiff("levered", (p) => p.leveredCf),
    0,
    USD,
    cents,
  );
  check(
    "Σ |unlevered CF − engine's| over months",
    sumAbsDiff("unlevered", (p) => p.unleveredCf),
    0,
    USD,
    cents,
  );
  rWs.addRow([]);
  const all = rWs.addRow([
    "All checks match the engine",
    { formula: `IF(COUNTIF(E${checks[0]}:E${checks[checks.length - 1]},"yes")=${checks.length},"yes","NO")` },
  ]);
  all.font = { bold: true };
  rWs.addRow([]);
  const x = rWs.addRow([
    "Levered XIRR (actual days, for reference)",
    { formula: `XIRR(${range("levered")},${range("date")},0)` },
  ]);
  x.getCell(2).numFmt = PCT;
  rWs.addRow(["Levered IRR (monthly)", { formula: `IRR(${range("levered")},0)` }]).getCell(2).numFmt = RATE;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Month-0 opex: the first operating row's opex de-escalated (the engine keeps it internal). */
function opexAtMonth0(periods: Json[], input: Json, C: number): number {
  const row = periods[C]; // period C + 1, the first month with rents
  if (!row) return 0;
  return row.opexExTaxes / (1 + input.opexGrowthAnnual) ** row.escalationYear;
}
