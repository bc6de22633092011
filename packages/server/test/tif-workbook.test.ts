import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { calculateDealV2, tifV2 } from "@modelworks/engine-tif";
import ExcelJS from "exceljs";
import { afterAll, describe, expect, it } from "vitest";
import { renderTifWorkbook } from "../src/exports/tif-workbook.ts";

/**
 * The formula workbook recomputed by a real spreadsheet engine — LibreOffice headless, installed
 * from Debian (DEVELOPERS.md, .ci/run) — and its results read back: every check cell and every
 * month's cash flows must match the engine's to the cent, the IRRs to 1e-9.
 */
const SOFFICE = process.env.SOFFICE_PATH ?? "/usr/bin/soffice";
const dir = mkdtempSync(join(tmpdir(), "mw-tif-wb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: the engine's input and output are read by field name
type Json = any;
const model = tifV2 as Json;

/** Writes the workbook, has LibreOffice recalculate and save it, and reads the saved values. */
async function recompute(name: string, input: Json, output: Json) {
  const src = join(dir, `${name}.xlsx`);
  writeFileSync(src, await renderTifWorkbook(input, output, { title: name }));
  const outDir = join(dir, `${name}-out`);
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
      src,
    ],
    { stdio: "pipe", timeout: 120_000 },
  );
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(join(outDir, `${name}.xlsx`)) as never);
  // A formula whose result is 0 is saved without one; anything else must have been computed.
  const resultOf = (v: ExcelJS.CellValue): unknown =>
    v && typeof v === "object" && "formula" in v ? (v.result ?? 0) : v;
  return { wb, resultOf };
}

describe("TIF formula workbook, recomputed by LibreOffice", () => {
  it("has LibreOffice to recompute with", () => {
    const version = spawnSync(SOFFICE, ["--version"], { encoding: "utf8" });
    expect(
      version.status,
      `LibreOffice not found at ${SOFFICE}: apt-get install -y libreoffice-calc-nogui (see DEVELOPERS.md)`,
    ).toBe(0);
  });

  for (const name of ["defaults-market", "defaults-mixed-tif-lump-sum", "mezzanine-preferred-trailing"]) {
    it(`${name}: the workbook's results are the engine's`, async () => {
      const example = model.examples.find((e: Json) => e.name === name) ?? {
        // Mezzanine and preferred funded and repaid, a trailing-NOI exit: the formulas' other branches.
        input: {
          ...model.examples.find((e: Json) => e.name === "defaults-mixed-tif-lump-sum").input,
          mezzanine: { amountUsd: 4_000_000, rateAnnual: 0.11 },
          preferredEquity: { amountUsd: 2_500_000, returnAnnual: 0.09 },
          reversionNoiBasis: "trailing",
          permLtvMax: 0.45,
        },
      };
      const input = model.input.parse(example.input);
      const output: Json = calculateDealV2(input);
      const { wb, resultOf } = await recompute(name, input, output);

      const returns = wb.getWorksheet("Returns")!;
      const rows: { label: string; workbook: number; engine: number; matches: string }[] = [];
      returns.eachRow((row, n) => {
        if (n === 1) return;
        const label = row.getCell(1).value;
        const matches = resultOf(row.getCell(5).value);
        if (typeof label === "string" && matches !== null && matches !== undefined)
          rows.push({
            label,
            workbook: Number(resultOf(row.getCell(2).value)),
            engine: Number(row.getCell(3).value ?? 0),
            matches: String(matches),
          });
      });
      expect(rows.length).toBe(14);
      for (const r of rows) expect(r.matches, `${r.label}: ${r.workbook} vs ${r.engine}`).toBe("yes");
      const all = returns.getColumn(1).values.indexOf("All checks match the engine");
      expect(resultOf(returns.getRow(all).getCell(2).value)).toBe("yes");

      // Independently of the workbook's own checks: the IRRs it computed, and each month's flows.
      const irr = rows.find((r) => r.label === "Levered IRR (annual)")!;
      expect(Math.abs(irr.workbook - output.returns.leveredIrr)).toBeLessThan(1e-9);
      const loan = rows.find((r) => r.label === "Permanent loan funded")!;
      expect(loan.workbook).toBeCloseTo(output.permanentLoan.fundedUsd, 2);
      const monthly = wb.getWorksheet("Monthly")!;
      const header = (monthly.getRow(1).values as unknown[]).map(String);
      const colOf = (title: string) => header.indexOf(title);
      for (const [i, p] of output.periods.entries()) {
        const row = monthly.getRow(i + 2);
        for (const [title, key] of [
          ["Levered cash flow", "leveredCf"],
          ["Unlevered cash flow", "unleveredCf"],
          ["NOI", "noi"],
          ["Effective gross income", "egi"],
          ["Permanent loan cash flow", "permNetCf"],
          ["Mezzanine cash flow", "mezzanineNetCf"],
          ["Preferred equity cash flow", "preferredNetCf"],
        ] as const) {
          const got = Number(resultOf(row.getCell(colOf(title)).value));
          expect(Math.abs(got - p[key]), `month ${i + 1} ${title}`).toBeLessThan(0.005);
        }
      }
      // The engine's own XIRR counterpart is not reported; the workbook's must exist and be close
      // to the monthly IRR (actual days against twelfths of a year).
      const xirrRow = returns.getColumn(1).values.indexOf("Levered XIRR (actual days, for reference)");
      expect(
        Math.abs(Number(resultOf(returns.getRow(xirrRow).getCell(2).value)) - output.returns.leveredIrr),
      ).toBeLessThan(0.01);
    }, 180_000);
  }

  it("a changed input flows through: the check cell reports the workbook no longer matches", async () => {
    const input = model.input.parse(model.examples.find((e: Json) => e.name === "defaults-market").input);
    const output: Json = calculateDealV2(input);
    // The engine's output for one input, the workbook's inputs from another: a workbook made of
    // values would still "match"; live formulas must not.
    const { wb, resultOf } = await recompute("changed", { ...input, exitCapRate: 0.06 }, output);
    const returns = wb.getWorksheet("Returns")!;
    const all = returns.getColumn(1).values.indexOf("All checks match the engine");
    expect(resultOf(returns.getRow(all).getCell(2).value)).toBe("NO");
  }, 180_000);
});
