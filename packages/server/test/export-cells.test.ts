import { describe, expect, it } from "vitest";
import {
  csvValue,
  displayValue,
  excelNumFmt,
  neutralizeFormula,
  resolveUnit,
  sheetValue,
  titleWithUnit,
} from "../src/exports/cells.ts";
import { columnWidths } from "../src/exports/pdf.ts";
import { sheetName } from "../src/exports/xlsx.ts";
import { contentDisposition } from "../src/http/content-disposition.ts";

/** The cell rules every export shares: formula neutralization, number formats, names. */

describe("formula injection", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ["+SUM(A1)", "'+SUM(A1)"],
    ["-2+3", "'-2+3"],
    ["@cmd", "'@cmd"],
    ["\t=1", "'\t=1"],
    ["\r=1", "'\r=1"],
    ["plain", "plain"],
    ["a=b", "a=b"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(neutralizeFormula(input)).toBe(expected);
    expect(csvValue(input)).toBe(expected);
    expect(sheetValue(input, { format: "text" })).toBe(expected);
  });

  it("leaves numbers alone and neutralizes objects written as JSON", () => {
    expect(sheetValue(-5, { format: "number" })).toBe(-5);
    expect(csvValue(-5)).toBe("-5");
    expect(csvValue(["=x"])).toBe('["=x"]');
    expect(sheetValue(null, {})).toBeNull();
  });
});

describe("number formats by unit", () => {
  it.each([
    [{ format: "currency", unit: "USD", decimals: 2 }, '"$"#,##0.00;-"$"#,##0.00'],
    [{ format: "currency", unit: "AED", decimals: 0 }, '#,##0 "AED"'],
    [{ format: "currency", unit: "AED/yr", decimals: 2 }, '#,##0.00 "AED"'],
    [{ format: "currency", unit: "currency", decimals: 0 }, "#,##0"],
    [{ format: "percent", unit: "fraction", decimals: 2 }, "0.00%"],
    [{ format: "percent", decimals: 0 }, "0%"],
    [{ format: "integer", unit: "months" }, '#,##0 "months"'],
    [{ format: "number", unit: "x", decimals: 3 }, '#,##0.000 "x"'],
    [{ format: "number", unit: "sq ft/unit", decimals: 1 }, "#,##0.0"],
    [{ format: "date" }, "yyyy-mm-dd"],
    [{ format: "text" }, undefined],
  ] as const)("%j → %s", (f, expected) => {
    expect(excelNumFmt(f)).toBe(expected);
  });

  it("shows the same rules as text for PDF and Word", () => {
    expect(displayValue(-1234.5, { format: "currency", unit: "USD", decimals: 2 })).toBe("−$1,234.50");
    expect(displayValue(2500000, { format: "currency", unit: "AED", decimals: 0 })).toBe("2,500,000 AED");
    expect(displayValue(0.12345, { format: "percent", decimals: 1 })).toBe("12.3%");
    expect(displayValue(60, { format: "integer", unit: "months" })).toBe("60 months");
    expect(displayValue(null, {})).toBe("—");
    // A declared date is a date in the document too, not a raw ISO timestamp.
    expect(displayValue("2026-11-28T09:30:00.000Z", { format: "date" })).toBe("2026-11-28");
    expect(displayValue("2026-11-28", { format: "date" })).toBe("2026-11-28");
    expect(displayValue("2026-11-28T09:30:00.000Z", { format: "text" })).toBe("2026-11-28T09:30:00.000Z");
    expect(titleWithUnit("Debt service", { format: "currency", unit: "AED/yr" })).toBe(
      "Debt service (AED/yr)",
    );
    expect(titleWithUnit("Amount", { format: "currency", unit: "AED" })).toBe("Amount");
    expect(titleWithUnit("LTV", { format: "percent", unit: "fraction" })).toBe("LTV");
    expect(resolveUnit("currency/yr per limit unit", "AED")).toBe("AED/yr per limit unit");
  });
});

describe("names", () => {
  it("makes Excel-legal, unique sheet names", () => {
    const taken = new Set<string>();
    expect(sheetName("Summary", taken)).toBe("Summary");
    expect(sheetName("summary", taken)).toBe("summary (2)");
    expect(sheetName("A/B: [draft]?", taken)).toBe("A B draft");
    expect(sheetName("x".repeat(40), taken)).toHaveLength(31);
    expect(sheetName("x".repeat(40), taken)).toBe(`${"x".repeat(27)} (2)`);
  });

  it("keeps Content-Disposition file names to safe characters", () => {
    expect(contentDisposition("tif-run-1a2b3c4d.xlsx")).toBe('attachment; filename="tif-run-1a2b3c4d.xlsx"');
    expect(contentDisposition('../../etc/passwd"\r\n.pdf')).toBe('attachment; filename="etc-passwd-.pdf"');
  });
});

describe("PDF column widths", () => {
  it("never squeezes numbers; short text keeps its width, long text shares the rest", () => {
    // number 80, short text 40, long text 600 on a 400-point line
    const w = columnWidths([80, 40, 600], [true, false, false], 400);
    expect(w).toEqual([80, 40, 280]);
    expect(w.reduce((a, b) => a + b)).toBe(400);
  });

  it("spreads spare width over text columns when everything fits", () => {
    expect(columnWidths([50, 50, 100], [true, true, false], 400)).toEqual([50, 50, 300]);
    expect(columnWidths([50, 150], [true, true], 400)).toEqual([100, 300]);
  });
});
