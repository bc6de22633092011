import type { ModelSpec } from "@modelworks/solver";
import type ExcelJS from "exceljs";

/**
 * An optimizer's plan as a formula-driven Excel workbook (issue 18 item 18), one layout for the
 * four optimizers; ./optimizer-workbooks.ts says, per engine, which inputs the formulas read.
 *
 * Sheets:
 * - Inputs: the run's inputs with labels and units (blue: typed), as scalars and tables (one row
 *   per package, deal, project or tranche), with helper columns that are formulas (e.g. a deal's
 *   all-in cost);
 * - Plan: the plan's objective and its check against the engine's, then every constraint with its
 *   left-hand side (SUMPRODUCT of its coefficients and the decision values), its limits, slack,
 *   a feasibility flag within tolerance and the engine's left-hand side beside it; then the
 *   decision values (blue: change one to try another plan) with their bounds;
 * - Coefficients: the model's matrix — the objective's coefficients and one row per constraint,
 *   one column per decision variable — each coefficient a formula of the Inputs where the engine
 *   adapter says how, the formulation's number otherwise (the scope note on the Plan sheet says
 *   which rows);
 * - further sheets an engine adds (the debt stack's sources & uses and DSCR by year, capex's
 *   monthly cash by phase).
 */

export const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF5" } };
export const INPUT_FONT: Partial<ExcelJS.Font> = { color: { argb: "FF1F4E9A" } };
export const MONEY = "#,##0.00;[Red](#,##0.00)";
export const PCT = "0.00%";
/** Cells of the matrix beyond this are not written: the formula workbook is for plans one can read. */
export const MAX_MATRIX_CELLS = 400_000;
/** Money matches to the cent; counts and shares to 1e-9. */
export const CENT = 0.005;

/** The plan's matrix is beyond MAX_MATRIX_CELLS: a workbook nobody could read or recompute quickly. */
export class PlanTooLarge extends Error {
  constructor(
    readonly variables: number,
    readonly rows: number,
  ) {
    super(
      `this plan has ${variables} decision variables × ${rows} constraints, more than a formula workbook holds (${MAX_MATRIX_CELLS.toLocaleString("en-US")} coefficients); export the report instead`,
    );
  }
}

/** A1 address of column `col` (1-based) and row `row`. */
export const addr = (col: number, row: number, abs = false) => {
  let c = "";
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) c = String.fromCharCode(65 + ((n - 1) % 26)) + c;
  return abs ? `$${c}$${row}` : `${c}${row}`;
};
const quote = (sheet: string) => `'${sheet.replace(/'/g, "''")}'`;

export interface ScalarInput {
  key: string;
  label: string;
  value: number | string | boolean | null;
  unit: string;
  numFmt?: string;
  /** Not typed by the user: a formula of other inputs (without "="). */
  formula?: string;
}

export interface TableColumn {
  key: string;
  label: string;
  unit: string;
  numFmt?: string;
  width?: number;
  /** A helper column: the formula for row `r` given a function giving the address of column `k` in the same row. */
  formula?: (at: (key: string) => string) => string;
}

/** Writes the Inputs sheet and hands out the address of each input. */
export class InputsSheet {
  readonly ws: ExcelJS.Worksheet;
  private readonly cells = new Map<string, string>();
  private readonly tables = new Map<string, { cols: Map<string, number>; first: number; count: number }>();
  constructor(wb: ExcelJS.Workbook) {
    this.ws = wb.addWorksheet("Inputs", { views: [{ state: "frozen", ySplit: 1 }] });
    this.ws.columns = [
      { header: "Input", width: 40 },
      { header: "Value", width: 18 },
      { header: "Unit", width: 16 },
      { header: "Name in the model", width: 28 },
    ];
    this.ws.getRow(1).font = { bold: true };
    this.ws.getRow(1).fill = HEADER_FILL;
  }
  section(title: string) {
    this.ws.addRow([]);
    this.ws.addRow([title]).font = { bold: true };
  }
  scalars(rows: ScalarInput[]) {
    for (const r of rows) {
      const value = r.formula ? { formula: r.formula } : r.value;
      const row = this.ws.addRow([r.label, value, r.unit, r.key]);
      if (r.numFmt) row.getCell(2).numFmt = r.numFmt;
      if (!r.formula) row.getCell(2).font = INPUT_FONT;
      this.cells.set(r.key, `Inputs!${addr(2, row.number, true)}`);
    }
  }
  /** A table: a header row of labels with units, then one row per item. */
  table(name: string, columns: TableColumn[], rows: Record<string, number | string | boolean | null>[]) {
    const header = this.ws.addRow(columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label)));
    header.font = { bold: true };
    header.fill = HEADER_FILL;
    header.alignment = { wrapText: true, vertical: "top" };
    const cols = new Map(columns.map((c, i) => [c.key, i + 1]));
    const first = header.number + 1;
    for (const [i, item] of rows.entries()) {
      const r = first + i;
      const at = (k: string) => {
        const c = cols.get(k);
        if (!c) throw new Error(`workbook table ${name} has no column ${k}`);
        return addr(c, r, true);
      };
      const row = this.ws.addRow(
        columns.map((c) => (c.formula ? { formula: c.formula(at) } : (item[c.key] ?? null))),
      );
      columns.forEach((c, j) => {
        const cell = row.getCell(j + 1);
        if (c.numFmt) cell.numFmt = c.numFmt;
        if (!c.formula) cell.font = INPUT_FONT;
      });
    }
    for (const [j, c] of columns.entries()) {
      const col = this.ws.getColumn(j + 1);
      col.width = Math.max(col.width ?? 10, c.width ?? 14);
    }
    this.tables.set(name, { cols, first, count: rows.length });
  }
  /** The address of a scalar input, `Inputs!$B$5`. */
  at(key: string): string {
    const a = this.cells.get(key);
    if (!a) throw new Error(`workbook input ${key} missing`);
    return a;
  }
  /** The address of column `key` of item `i` of table `name`. */
  cell(name: string, i: number, key: string): string {
    const t = this.tables.get(name);
    const c = t?.cols.get(key);
    if (!t || !c || i < 0 || i >= t.count) throw new Error(`workbook table ${name}[${i}].${key} missing`);
    return `Inputs!${addr(c, t.first + i, true)}`;
  }
  /** The whole column of a table, `Inputs!$C$10:$C$14` (null when the table is empty). */
  column(name: string, key: string): string | null {
    const t = this.tables.get(name);
    const c = t?.cols.get(key);
    if (!t || !c) throw new Error(`workbook table ${name}.${key} missing`);
    if (t.count === 0) return null;
    return `Inputs!${addr(c, t.first, true)}:${addr(c, t.first + t.count - 1, true)}`;
  }
}

/** The Plan sheet's range of `n` decision values from variable `j0` (they are one column). */
export type Values = (j0: number, n: number) => string;

/** How an engine's formulation reads its inputs: formulas for coefficients and limits, by row. */
export interface Formulas {
  /** The objective coefficient of variable j, or undefined to write the formulation's number. */
  cost?(j: number): string | undefined;
  /** The coefficient of variable j in constraint row i. */
  coef?(i: number, j: number): string | undefined;
  lower?(i: number): string | undefined;
  upper?(i: number): string | undefined;
  /** The objective, when it is not linear (deal picker's yield): a formula of the decision values. */
  objective?(values: Values): string;
  /** Rows whose coefficients and limits are all formulas, for the scope note. */
  scope: string;
}

export interface PlanWorkbook {
  title: string;
  /** "AED" etc.; the objective's unit. */
  objectiveUnit: string;
  spec: ModelSpec;
  /** The plan: one value per formulation variable, as the engine reported it. */
  values: number[];
  /** The engine's objective, as its output reports it. */
  engineObjective: number;
  /** Default: to the cent. */
  objectiveTolerance?: number;
  /** The engine's reported left-hand side of its constraint rows, by name. */
  engineActivity: Map<string, number>;
  /** Extra checks an engine sheet adds: label, workbook formula, engine value. */
  extraChecks?: {
    label: string;
    formula: (values: Values) => string;
    engine: number;
    tolerance?: number;
    numFmt?: string;
  }[];
}

/**
 * Writes the Plan and Coefficients sheets for `plan` into `wb` (whose Inputs sheet is `inputs`).
 * Returns the address of the objective cell and a function giving the address of a decision
 * value by variable name, for an engine's own sheets.
 */
export function writePlan(wb: ExcelJS.Workbook, plan: PlanWorkbook, f: Formulas) {
  const { spec, values } = plan;
  const nVar = spec.variables.length;
  const nRow = spec.constraints.length;
  if (nVar * (nRow + 2) > MAX_MATRIX_CELLS) throw new PlanTooLarge(nVar, nRow);

  const planWs = wb.addWorksheet("Plan", { views: [{ state: "frozen", ySplit: 0 }] });
  const coefWs = wb.addWorksheet("Coefficients", { views: [{ state: "frozen", xSplit: 2, ySplit: 3 }] });
  const C = "Coefficients";

  // ---- Coefficients: row 1 names, row 2 objective, row 3 the plan's values, rows 4… the constraints.
  const firstVarCol = 3;
  const lastVarCol = firstVarCol + nVar - 1;
  const rowOfConstraint = (i: number) => 4 + i;
  coefWs.getColumn(1).width = 40;
  coefWs.getColumn(2).width = 18;
  coefWs.getCell(1, 1).value = "Variable";
  coefWs.getCell(1, 2).value = "Unit";
  coefWs.getCell(2, 1).value = `Objective coefficient (${plan.objectiveUnit} per unit)`;
  coefWs.getCell(3, 1).value = "Plan (linked to the Plan sheet)";
  coefWs.getRow(1).font = { bold: true };
  coefWs.getRow(1).fill = HEADER_FILL;

  // ---- Plan: header, objective checks, constraints table, decision values table.
  planWs.columns = [
    { width: 44 },
    { width: 22 },
    { width: 18 },
    { width: 18 },
    { width: 18 },
    { width: 16 },
    { width: 12 },
    { width: 20 },
    { width: 10 },
  ];
  planWs.addRow([plan.title]).font = { bold: true, size: 13 };
  planWs.addRow([
    `Scope: ${f.scope} Change a blue cell (an input or a decision value) to see the plan re-evaluated.`,
  ]);
  planWs.addRow([]);
  const checkHeader = planWs.addRow(["Check", "Workbook", "Engine", "Difference", "Matches"]);
  checkHeader.font = { bold: true };
  checkHeader.fill = HEADER_FILL;
  const objRow = planWs.addRow([`Objective (${plan.objectiveUnit})`]);
  const extraRows = (plan.extraChecks ?? []).map((c) => planWs.addRow([c.label]));
  const feasRow = planWs.addRow(["Every constraint holds (within tolerance)"]);
  const lhsRow = planWs.addRow(["Every left-hand side equals the engine's"]);
  const allRow = planWs.addRow(["All checks"]);
  allRow.font = { bold: true };
  planWs.addRow([]);

  const consHeader = planWs.addRow([
    "Constraint",
    "Left-hand side",
    "Lower limit",
    "Upper limit",
    "Slack",
    "Unit",
    "Feasible",
    "Engine's left-hand side",
    "Matches",
  ]);
  consHeader.font = { bold: true };
  consHeader.fill = HEADER_FILL;
  const firstCons = consHeader.number + 1;
  const lastCons = firstCons + nRow - 1;
  planWs.getRow(consHeader.number).alignment = { wrapText: true, vertical: "top" };
  const firstVarRow = lastCons + 3;

  const valueAddr = (j: number) => `Plan!${addr(3, firstVarRow + j, true)}`;
  const varCol = (j: number) => firstVarCol + j;

  // Decision values: name, unit, value, lower, upper, within bounds.
  ["Decision variable", "Unit", "Value (the plan)", "Lower bound", "Upper bound", "Within bounds"].forEach(
    (h, k) => {
      const c = planWs.getCell(lastCons + 2, k + 1);
      c.value = h;
      c.font = { bold: true };
      c.fill = HEADER_FILL;
    },
  );
  spec.variables.forEach((v, j) => {
    const r = firstVarRow + j;
    const row = planWs.getRow(r);
    row.getCell(1).value = v.name;
    row.getCell(2).value = v.integer ? `${v.unit ?? ""} (whole)` : (v.unit ?? "");
    row.getCell(3).value = values[j] ?? 0;
    row.getCell(3).font = INPUT_FONT;
    row.getCell(4).value = Number.isFinite(v.lower) ? v.lower : null;
    row.getCell(5).value = Number.isFinite(v.upper) ? v.upper : null;
    const x = `C${r}`;
    const lo = `OR(ISBLANK(D${r}),${x}>=D${r}-1E-9*MAX(1,ABS(D${r})))`;
    const up = `OR(ISBLANK(E${r}),${x}<=E${r}+1E-9*MAX(1,ABS(E${r})))`;
    const whole = v.integer ? `,ABS(${x}-ROUND(${x},0))<1E-9` : "";
    row.getCell(6).value = { formula: `IF(AND(${lo},${up}${whole}),"OK","NO")` };
    // Coefficients header, objective and linked value.
    const col = varCol(j);
    coefWs.getCell(1, col).value = v.name;
    coefWs.getCell(1, col).alignment = { textRotation: 90 };
    coefWs.getCell(2, col).value = cellValue(f.cost?.(j), v.cost);
    coefWs.getCell(3, col).value = { formula: valueAddr(j) };
  });
  coefWs.getCell(2, 2).value = plan.objectiveUnit;

  // The matrix, sparse: only the nonzero coefficients are written.
  const valuesRow = `${addr(firstVarCol, 3, true)}:${addr(lastVarCol, 3, true)}`;
  spec.constraints.forEach((c, i) => {
    const r = rowOfConstraint(i);
    coefWs.getCell(r, 1).value = c.name;
    coefWs.getCell(r, 2).value = c.unit ?? "";
    c.vars.forEach((j, k) => {
      coefWs.getCell(r, varCol(j)).value = cellValue(f.coef?.(i, j), c.coefs[k]!);
    });
    const pr = firstCons + i;
    const row = planWs.getRow(pr);
    row.getCell(1).value = c.name;
    row.getCell(2).value = {
      formula: `SUMPRODUCT(${C}!${addr(firstVarCol, r)}:${addr(lastVarCol, r)},${C}!${valuesRow})`,
    };
    row.getCell(3).value = Number.isFinite(c.lower) ? cellValue(f.lower?.(i), c.lower) : null;
    row.getCell(4).value = Number.isFinite(c.upper) ? cellValue(f.upper?.(i), c.upper) : null;
    const [L, lo, up] = [`B${pr}`, `C${pr}`, `D${pr}`];
    row.getCell(5).value = {
      formula: `MIN(IF(ISBLANK(${lo}),1E+300,${L}-${lo}),IF(ISBLANK(${up}),1E+300,${up}-${L}))`,
    };
    row.getCell(6).value = c.unit ?? "";
    // Feasible within 1e-6 relative (the solver's feasibility tolerance), at least 1e-6 absolute.
    row.getCell(7).value = {
      formula: `IF(E${pr}>=-1E-6*MAX(1,ABS(${lo}),ABS(${up})),"OK","NO")`,
    };
    const engine = plan.engineActivity.get(c.name);
    row.getCell(8).value = engine ?? null;
    if (engine !== undefined)
      row.getCell(9).value = {
        formula: `IF(ABS(${L}-H${pr})<=MAX(${CENT},1E-12*ABS(H${pr})),"OK","NO")`,
      };
    for (const k of [2, 3, 4, 5, 8]) row.getCell(k).numFmt = MONEY;
  });

  // The checks.
  const objFormula = `SUMPRODUCT(${C}!${addr(firstVarCol, 2, true)}:${addr(lastVarCol, 2, true)},${C}!${valuesRow})${
    spec.objectiveOffset ? `+${spec.objectiveOffset}` : ""
  }`;
  const checkRow = (row: ExcelJS.Row, formula: string, engine: number, tol: number, numFmt = MONEY) => {
    const n = row.number;
    row.getCell(2).value = { formula };
    row.getCell(3).value = engine;
    row.getCell(4).value = { formula: `B${n}-C${n}` };
    row.getCell(5).value = { formula: `IF(ABS(D${n})<=MAX(${tol},1E-12*ABS(C${n})),"OK","NO")` };
    for (const k of [2, 3, 4]) row.getCell(k).numFmt = numFmt;
  };
  const range: Values = (j0, n) => `Plan!$C$${firstVarRow + j0}:$C$${firstVarRow + j0 + n - 1}`;
  checkRow(
    objRow,
    f.objective ? f.objective(range) : objFormula,
    plan.engineObjective,
    plan.objectiveTolerance ?? CENT,
  );
  for (const [k, c] of (plan.extraChecks ?? []).entries())
    checkRow(extraRows[k]!, c.formula(range), c.engine, c.tolerance ?? CENT, c.numFmt);
  const consRange = (col: string) => `${col}${firstCons}:${col}${Math.max(firstCons, lastCons)}`;
  const varRange = `F${firstVarRow}:F${firstVarRow + Math.max(0, nVar - 1)}`;
  feasRow.getCell(2).value = {
    formula: `COUNTIF(${consRange("G")},"NO")+COUNTIF(${varRange},"NO")`,
  };
  feasRow.getCell(3).value = 0;
  feasRow.getCell(5).value = { formula: `IF(B${feasRow.number}=0,"OK","NO")` };
  lhsRow.getCell(2).value = { formula: `COUNTIF(${consRange("I")},"NO")` };
  lhsRow.getCell(3).value = 0;
  lhsRow.getCell(5).value = { formula: `IF(B${lhsRow.number}=0,"OK","NO")` };
  const firstCheck = objRow.number;
  allRow.getCell(5).value = {
    formula: `IF(COUNTIF(E${firstCheck}:E${lhsRow.number},"OK")=${lhsRow.number - firstCheck + 1},"OK","NO")`,
  };
  allRow.getCell(2).value = { formula: `E${allRow.number}` };
  const byName = new Map(spec.variables.map((v, j) => [v.name, j]));
  return {
    objective: `Plan!$B$${objRow.number}`,
    value: (name: string) => {
      const j = byName.get(name);
      return j === undefined ? null : valueAddr(j);
    },
  };
}

const cellValue = (formula: string | undefined, value: number): ExcelJS.CellValue =>
  formula ? { formula, result: value } : value;

/** The sheet name quoted for a formula. */
export const sheetRef = (sheet: string, cell: string) => `${quote(sheet)}!${cell}`;

/**
 * Appends checks to the Plan sheet's list (under "All checks", which then counts them too).
 */
export function addChecks(
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

/** The engine's reported left-hand side of each constraint row, by name. */
export const activities = (out: { constraints?: { constraint: string; activity: number }[] }) =>
  new Map<string, number>((out.constraints ?? []).map((c) => [c.constraint, c.activity]));
