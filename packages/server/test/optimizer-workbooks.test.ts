import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capexPhasingV2, dealPickerV3, debtStackV3, leasingMixV2 } from "@modelworks/engine-optimizers";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderOptimizerWorkbook } from "../src/exports/optimizer-workbooks.ts";

/**
 * The optimizers' plan workbooks recomputed by LibreOffice headless (as tif-workbook.test.ts does,
 * all workbooks in one soffice run): every check cell reads OK, the objective equals the engine's
 * to the cent (a yield to 1e-9), each constraint's left-hand side its reported activity; and a
 * workbook whose inputs differ from the run's shows NO.
 */
const SOFFICE = process.env.SOFFICE_PATH ?? "/usr/bin/soffice";
const dir = mkdtempSync(join(tmpdir(), "mw-opt-wb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: the engines' inputs and outputs are read by field name
type Json = any;
const ctx = { progress() {}, signal: new AbortController().signal, log() {} } as Json;

interface Case {
  name: string;
  model: Json;
  input: Json;
  output: Json;
  /** The workbook's inputs, when they differ from the run's (the "changed input" cases). */
  bookInput?: Json;
}

const cases: Case[] = [];
const books = new Map<string, ExcelJS.Workbook>();
const resultOf = (v: ExcelJS.CellValue): unknown =>
  v && typeof v === "object" && "formula" in v ? (v.result ?? 0) : v;

async function example(model: Json, name: string) {
  const input = model.input.parse(model.examples.find((e: Json) => e.name === name).input);
  return { input, output: await model.run(input, ctx) };
}

beforeAll(async () => {
  for (const [model, names] of [
    [leasingMixV2, leasingMixV2.examples.map((e: Json) => e.name)],
    [dealPickerV3, dealPickerV3.examples.map((e: Json) => e.name)],
    [capexPhasingV2, capexPhasingV2.examples.map((e: Json) => e.name)],
    [debtStackV3, debtStackV3.examples.map((e: Json) => e.name)],
  ] as const) {
    for (const name of names) {
      const { input, output } = await example(model, name);
      if (output.status !== "optimal" && output.status !== "time_limit") continue;
      cases.push({ name: `${model.id}-${name}`, model, input, output });
    }
  }
  // Changed inputs: the engine's plan, the workbook's inputs from another run.
  const lm = cases.find((c) => c.model === leasingMixV2)!;
  cases.push({
    ...lm,
    name: "changed-leasing-mix",
    bookInput: {
      ...lm.input,
      packages: lm.input.packages.map((p: Json, k: number) =>
        k === 0 ? { ...p, rentPerUnitAnnual: p.rentPerUnitAnnual * 1.1 } : p,
      ),
      inventory: { ...lm.input.inventory, vacantNow: 0 },
    },
  });
  const dp = cases.find((c) => c.model === dealPickerV3)!;
  cases.push({
    ...dp,
    name: "changed-deal-picker",
    bookInput: { ...dp.input, budget: dp.input.budget * 0.5 },
  });

  const ds = cases.find((c) => c.model === debtStackV3)!;
  cases.push({
    ...ds,
    name: "changed-debt-stack",
    // Lower NOI breaks the DSCR test; a higher fixed rate raises the cost the formulas compute.
    bookInput: {
      ...ds.input,
      noi: ds.input.noi.map((x: number) => x * 0.6),
      tranches: ds.input.tranches.map((t: Json) =>
        t.rateType === "fixed" ? { ...t, fixedRate: t.fixedRate + 0.01 } : { ...t, spread: t.spread + 0.01 },
      ),
    },
  });

  const cx = cases.find((c) => c.model === capexPhasingV2 && c.input.formulation === "modelworks")!;
  cases.push({
    ...cx,
    name: "changed-capex",
    // Less cash every month and twice the rent uplift: spend no longer fits, the values move.
    bookInput: {
      ...cx.input,
      monthlyCashCap: Array.from(
        { length: cx.input.horizonMonths },
        (_, m) =>
          (typeof cx.input.monthlyCashCap === "number"
            ? cx.input.monthlyCashCap
            : cx.input.monthlyCashCap[m]) * 0.5,
      ),
      projects: cx.input.projects.map((p: Json) => ({ ...p, rentUpliftAnnual: p.rentUpliftAnnual * 2 })),
    },
  });

  const files: string[] = [];
  for (const c of cases) {
    const src = join(dir, `${c.name}.xlsx`);
    writeFileSync(
      src,
      await renderOptimizerWorkbook(c.model.id, c.bookInput ?? c.input, c.output, { title: c.name }),
    );
    files.push(src);
  }
  const outDir = join(dir, "out");
  mkdirSync(outDir);
  execFileSync(
    SOFFICE,
    [
      "--headless",
      "--norestore",
      `-env:UserInstallation=file://${join(dir, "profile")}`,
      "--convert-to",
      "xlsx",
      "--outdir",
      outDir,
      ...files,
    ],
    { stdio: "pipe", timeout: 300_000 },
  );
  for (const c of cases) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(join(outDir, `${c.name}.xlsx`)) as never);
    books.set(c.name, wb);
  }
}, 600_000);

/** The Plan sheet's check rows and constraint rows, as recomputed. */
function readPlan(wb: ExcelJS.Workbook) {
  const ws = wb.getWorksheet("Plan")!;
  const checks = new Map<string, { workbook: unknown; engine: unknown; matches: unknown }>();
  const constraints: { name: string; lhs: number; slack: number; feasible: string; engine: unknown }[] = [];
  let section: "none" | "checks" | "constraints" | "vars" = "none";
  ws.eachRow((row) => {
    const a = row.getCell(1).value;
    if (a === "Check") section = "checks";
    else if (a === "Constraint") section = "constraints";
    else if (a === "Decision variable") section = "vars";
    else if (typeof a === "string" && section === "checks")
      checks.set(a, {
        workbook: resultOf(row.getCell(2).value),
        engine: row.getCell(3).value,
        matches: resultOf(row.getCell(5).value),
      });
    else if (typeof a === "string" && section === "constraints")
      constraints.push({
        name: a,
        lhs: Number(resultOf(row.getCell(2).value)),
        slack: Number(resultOf(row.getCell(5).value)),
        feasible: String(resultOf(row.getCell(7).value)),
        engine: row.getCell(8).value,
      });
    // An engine's own checks (sources & uses, DSCR, monthly cash) sit to the right of the list.
    const k = row.getCell(11).value;
    if (typeof k === "string" && k !== "Engine check")
      checks.set(k, {
        workbook: resultOf(row.getCell(12).value),
        engine: row.getCell(13).value,
        matches: resultOf(row.getCell(15).value),
      });
  });
  return { checks, constraints };
}

describe("optimizer plan workbooks, recomputed by LibreOffice", () => {
  it("has LibreOffice to recompute with", () => {
    const version = spawnSync(SOFFICE, ["--version"], { encoding: "utf8" });
    expect(version.status, `LibreOffice not found at ${SOFFICE}`).toBe(0);
  });

  it("covers every optimizer's examples that have a plan", () => {
    const ids = new Set(cases.filter((c) => !c.bookInput).map((c) => c.model.id));
    expect([...ids].sort()).toEqual(["capex-phasing", "deal-picker", "debt-stack", "leasing-mix"]);
  });

  it("each workbook's objective and every constraint's left-hand side are the engine's", () => {
    for (const c of cases.filter((c) => !c.bookInput)) {
      const { checks, constraints } = readPlan(books.get(c.name)!);
      const objective = [...checks.entries()].find(([k]) => k.startsWith("Objective"))![1];
      const engineObjective = c.output.kpis.objective;
      const tol = c.input.objective === "max-yield" ? 1e-9 : 0.005;
      expect(
        Math.abs(Number(objective.workbook) - engineObjective),
        `${c.name} objective`,
      ).toBeLessThanOrEqual(tol);
      for (const [label, r] of checks)
        expect(r.matches, `${c.name}: ${label} ${r.workbook} vs ${r.engine}`).toBe("OK");
      // Independently of the workbook's flags: the rows it recomputed against the engine's report
      // (LibreOffice saves 15 significant digits, so the engine's numbers are taken from the run).
      const reported = new Map<string, number>(
        c.output.constraints.map((r: Json) => [r.constraint, r.activity]),
      );
      let compared = 0;
      for (const row of constraints) {
        expect(row.feasible, `${c.name}: ${row.name}`).toBe("OK");
        expect(row.slack, `${c.name}: ${row.name} slack`).toBeGreaterThanOrEqual(
          -1e-6 * Math.max(1, Math.abs(row.lhs)),
        );
        if (typeof row.engine !== "number") continue;
        expect(Math.abs(row.lhs - row.engine), `${c.name}: ${row.name}`).toBeLessThanOrEqual(0.005);
        // deal-picker reports deployed-basis caps as "group ≤ share × deployed"; the others as the row.
        if (c.model.id !== "deal-picker")
          expect(Math.abs(row.lhs - reported.get(row.name)!), `${c.name}: ${row.name}`).toBeLessThanOrEqual(
            0.005,
          );
        compared++;
      }
      expect(constraints.length, c.name).toBeGreaterThan(0);
      expect(compared, `${c.name}: rows compared with the engine's`).toBe(
        constraints.filter((r) => reported.has(r.name)).length,
      );
      expect(compared, c.name).toBeGreaterThan(0);
      if (c.model === capexPhasingV2 && c.input.formulation === "modelworks") {
        // Monthly cash by phase: every month's spend is the engine's, within the month's cash.
        const H = c.input.horizonMonths;
        expect(checks.get("Months whose spend is the engine's")?.workbook, c.name).toBe(H);
        expect(checks.get("Months within the cash limit")?.workbook, c.name).toBe(H);
        expect(Number(checks.get(`Objective from the months (${c.output.currency})`)?.workbook)).toBeCloseTo(
          c.output.kpis.objective,
          2,
        );
        expect(Number(checks.get(`Total spend (${c.output.currency})`)?.workbook)).toBeCloseTo(
          c.output.kpis.totalSpend,
          2,
        );
      }
      if (c.model === debtStackV3) {
        // Sources & uses, loan sizing and DSCR by year: their formulas against the engine's numbers.
        const dscrRows = c.output.byYearScenario.filter((r: Json) => r.dscr !== null).length;
        expect(dscrRows, c.name).toBeGreaterThan(0);
        expect(checks.get("DSCR rows matching the engine's")?.workbook, c.name).toBe(dscrRows);
        expect(Math.abs(Number(checks.get("Min DSCR")?.workbook) - c.output.kpis.minDscr)).toBeLessThan(1e-9);
        expect(Math.abs(Number(checks.get("LTV")?.workbook) - c.output.kpis.ltv)).toBeLessThan(1e-9);
        expect(Number(checks.get(`Net debt proceeds (${c.output.currency})`)?.workbook)).toBeCloseTo(
          c.output.kpis.netDebtProceeds,
          2,
        );
      }
    }
  });

  it("the objective's coefficients are formulas of the Inputs, not the formulation's numbers", () => {
    const checked: string[] = [];
    for (const c of cases.filter((c) => !c.bookInput)) {
      // Kept as numbers, and said so on the Plan sheet: the prototype formulations, Dinkelbach's
      // last subproblem (max-yield), hedge costs and the worst-case objective's single variable.
      if (c.input.formulation === "prototype" || c.input.objective === "max-yield") continue;
      if (c.model === debtStackV3 && (c.input.hedges.length > 0 || c.input.objective === "worst-case"))
        continue;
      const ws = books.get(c.name)!.getWorksheet("Coefficients")!;
      const numbers: string[] = [];
      let formulas = 0;
      ws.getRow(2).eachCell((cell, col) => {
        if (col < 3) return;
        if (cell.type === ExcelJS.ValueType.Formula) formulas++;
        else if (cell.value !== 0 && cell.value !== null) numbers.push(String(ws.getCell(1, col).value));
      });
      expect(numbers, c.name).toEqual([]);
      expect(formulas, c.name).toBeGreaterThan(0);
      checked.push(c.model.id);
    }
    expect(new Set(checked).size).toBe(4);
  });

  it("a changed input flows through the formulas: the objective check and a row read NO", () => {
    for (const name of [
      "changed-leasing-mix",
      "changed-deal-picker",
      "changed-debt-stack",
      "changed-capex",
    ]) {
      const { checks, constraints } = readPlan(books.get(name)!);
      expect(checks.get("All checks")?.matches, name).toBe("NO");
      expect(
        constraints.some((r) => r.feasible === "NO"),
        `${name}: some row infeasible`,
      ).toBe(true);
    }
    const lm = readPlan(books.get("changed-leasing-mix")!);
    expect([...lm.checks.entries()].find(([k]) => k.startsWith("Objective"))![1].matches).toBe("NO");
    expect(lm.constraints.find((r) => r.name === "Vacant units")?.feasible).toBe("NO");
    const dp = readPlan(books.get("changed-deal-picker")!);
    expect(dp.constraints.find((r) => r.name === "Budget")?.feasible).toBe("NO");
    const ds = readPlan(books.get("changed-debt-stack")!);
    expect([...ds.checks.entries()].find(([k]) => k.startsWith("Objective"))![1].matches).toBe("NO");
    expect(ds.constraints.find((r) => r.name.startsWith("Min DSCR year 1"))?.feasible).toBe("NO");
    expect(ds.checks.get("Min DSCR")?.matches).toBe("NO");
    const cx = readPlan(books.get("changed-capex")!);
    expect([...cx.checks.entries()].find(([k]) => k.startsWith("Objective ("))![1].matches).toBe("NO");
    expect(cx.constraints.some((r) => r.name.startsWith("Cash month") && r.feasible === "NO")).toBe(true);
    expect(Number(cx.checks.get("Months within the cash limit")?.workbook)).toBeLessThan(
      cases.find((c) => c.name === "changed-capex")!.input.horizonMonths,
    );
  });
});
