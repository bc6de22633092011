import { describe, expect, it } from "vitest";
import { TifV2Input, type TifV2InputRaw } from "../src/index.ts";
import { annualSummary, type MonthlyRowForSummary } from "../src/v2/annual.ts";
import { calculateDealV2 } from "../src/v2/deal.ts";

const v2 = (raw: TifV2InputRaw = {}) => calculateDealV2(TifV2Input.parse(raw));
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

const row = (period: number, over: Partial<MonthlyRowForSummary> = {}): MonthlyRowForSummary => ({
  period,
  month: `2030-${String(((period - 1) % 12) + 1).padStart(2, "0")}`,
  phase: "operations",
  gpr: 0,
  egi: 0,
  propertyTaxesNet: 0,
  tifReimbursement: 0,
  tifAbatement: 0,
  noi: 0,
  replacementReserves: 0,
  permPmt: 0,
  permEop: 0,
  leveredCf: 0,
  unleveredCf: 0,
  mezzanineNetCf: 0,
  preferredNetCf: 0,
  ...over,
});

describe("tif@2 annual summary", () => {
  it("rolls every monthly series up without losing a dollar", () => {
    const out = v2();
    expect(out.annual).toHaveLength(Math.ceil(out.periods.length / 12));
    expect(sum(out.annual.map((a) => a.months))).toBe(out.periods.length);
    for (const [a, p] of [
      ["noiUsd", "noi"],
      ["seniorDebtServiceUsd", "permPmt"],
      ["leveredCfUsd", "leveredCf"],
      ["unleveredCfUsd", "unleveredCf"],
      ["tifReimbursementUsd", "tifReimbursement"],
    ] as const)
      expect(sum(out.annual.map((y) => y[a]))).toBeCloseTo(sum(out.periods.map((r) => r[p])), 4);
    expect(sum(out.annual.map((y) => y.noiUsd))).toBeCloseTo(out.totals.totalNoiUsd, 4);
  });

  it("computes DSCR over the months the loan is paid (the default case's last year by hand)", () => {
    const out = v2();
    const last = out.annual.at(-1)!;
    const rows = out.periods.filter((p) => p.period > 60);
    expect(last.months).toBe(rows.length);
    const paying = rows.filter((r) => r.permPmt > 0);
    expect(last.dscr).toBeCloseTo(
      sum(paying.map((r) => r.noi)) / (paying.length * out.permanentLoan.monthlyPaymentUsd),
      10,
    );
    // Years before conversion have no lender ratios; years with only construction no cash-on-cash.
    expect(out.annual[0]).toMatchObject({ dscr: null, debtYield: null, cashOnCash: null });
  });

  it("annualizes debt yield and cash-on-cash in a short or partly-financed year, and separates junior repayment from current pay", () => {
    // Year 1: 12 months, loan paid from month 7 (6 payments of 1,000), NOI 3,000 a month.
    // Year 2: 3 months with the loan, the last one repaying mezzanine 50,000 plus 200 interest.
    const rows = [
      ...Array.from({ length: 12 }, (_, i) =>
        row(i + 1, {
          noi: 3000,
          replacementReserves: -100,
          permPmt: i >= 6 ? 1000 : 0,
          permEop: i >= 6 ? 100_000 - (i - 5) * 500 : 0,
          mezzanineNetCf: i === 0 ? 50_000 : -200,
        }),
      ),
      ...Array.from({ length: 3 }, (_, i) =>
        row(13 + i, {
          noi: 4000,
          permPmt: 1000,
          permEop: 97_000 - i * 500,
          mezzanineNetCf: i === 2 ? -50_200 : -200,
        }),
      ),
    ];
    const [y1, y2] = annualSummary(rows, {
      permLoanFundedUsd: 100_000,
      equityInvestedUsd: 200_000,
      mezzanineAmountUsd: 50_000,
      preferredAmountUsd: 0,
    });
    // Year 1: NOI 36,000; senior 6,000; junior 11 × 200 = 2,200; reserves −1,200.
    expect(y1).toMatchObject({ noiUsd: 36_000, seniorDebtServiceUsd: 6000, juniorDebtServiceUsd: 2200 });
    expect(y1!.cashFlowAfterDebtServiceUsd).toBeCloseTo(36_000 - 1200 - 6000 - 2200, 9);
    expect(y1!.dscr).toBeCloseTo(18_000 / 6000, 12); // the 6 paying months only
    expect(y1!.debtYield).toBeCloseTo((18_000 * 2) / 100_000, 12); // at funding
    expect(y1!.cashOnCash).toBeCloseTo(26_600 / 200_000, 12);
    // Year 2: 3 months; opening balance = year 1's last end balance 97,000 − … = 97,000.
    expect(y2).toMatchObject({ months: 3, juniorDebtServiceUsd: 600, seniorDebtServiceUsd: 3000 });
    expect(y2!.debtYield).toBeCloseTo((12_000 * 4) / 97_000, 12);
    expect(y2!.cashOnCash).toBeCloseTo(((12_000 - 3000 - 600) * 4) / 200_000, 12);
  });
});
