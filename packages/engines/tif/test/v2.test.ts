import { createContext, executeModel, ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { PROTOTYPE } from "../src/compat/corrections.ts";
import { computeDeal } from "../src/compat/deal.ts";
import { sCurveWeights } from "../src/compat/schedule.ts";
import {
  annualMirr,
  calculateDealV2,
  fromPrototypeCase,
  fromPrototypeCaseV2,
  irr,
  mirr,
  TifInput,
  TifV2Input,
  type TifV2InputRaw,
  tifV1,
  tifV2,
} from "../src/index.ts";
import golden from "./fixtures/golden_cases.json" with { type: "json" };

/** tif@2: each correction pinned by a hand-computed or closed-form expectation (CHANGELOG 2.0.0). */

const v2 = (raw: TifV2InputRaw = {}) => calculateDealV2(TifV2Input.parse(raw));
/** tif@2 with some of its corrections switched off (to isolate one). */
const v2Without = (off: Partial<typeof PROTOTYPE>, raw: TifV2InputRaw = {}) =>
  calculateDealV2(TifV2Input.parse(raw), undefined, off);
const v1 = (raw: object = {}) => computeDeal(TifInput.parse(raw), PROTOTYPE).output;
/** tif@1 with exactly one correction switched on. */
const only = (fix: Partial<typeof PROTOTYPE>, raw: object = {}) =>
  computeDeal(TifInput.parse(raw), { ...PROTOTYPE, ...fix }).output;
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const goldenCase = (name: string) => golden.cases.find((c) => c.name === name)!;

// Defaults: P = 18, C = 42, L = 54, T = 67.
const P = 18;
const C = 42;
const L = 54;
const T = 67;

describe("construction interest counted once (trap 4)", () => {
  const o = v2();
  const rows = o.periods;

  it("draws land + soft + hard only: 3,000,000 + 16,785,850 + 36,750,000", () => {
    expect(sum(rows.slice(0, C).map((r) => r.tdcDraw))).toBeCloseTo(56_535_850, 4);
    const wCon = sCurveWeights(24);
    for (let i = 0; i < 24; i++) expect(rows[P + i]!.tdcDraw).toBeCloseTo(36_750_000 * wCon[i]!, 6);
  });

  it("pays the interest once, inside the construction payoff at L + 1", () => {
    const interest = sum(rows.slice(0, L).map((r) => r.constDebtInterest));
    const debt = sum(rows.slice(0, L).map((r) => r.constDebtDraw));
    expect(rows[L]!.constDebtNetCf).toBeCloseTo(-(debt + interest), 4);
    // During development the sponsor pays its equity and nothing else.
    for (let p = 1; p <= C; p++) expect(rows[p - 1]!.leveredCf).toBeCloseTo(rows[p - 1]!.equityDraw, 6);
    // tif@1 also charged the construction-period interest to the levered CF: the totals differ by it.
    const old = v1().periods;
    const constructionInterest = sum(old.slice(P, C).map((r) => r.constDebtInterest));
    const fixed = only({ interestPaidOnce: true }).periods;
    expect(sum(fixed.map((r) => r.leveredCf)) - sum(old.map((r) => r.leveredCf))).toBeCloseTo(
      constructionInterest,
      3,
    );
  });

  it("has nothing to add back to the unlevered CF: no interest (trap 4), no land (2.2.0)", () => {
    rows.forEach((r) => {
      expect(r.adjustedUnleveredCfForIrr).toBe(r.unleveredCf);
    });
  });
});

describe("the permanent loan's last principal paid once (trap 5)", () => {
  it("pays the payment and the balance left after it, in closed form", () => {
    const o = v2();
    const loan = o.permanentLoan.fundedUsd;
    const r = 0.06 / 12;
    const pmt = o.permanentLoan.monthlyPaymentUsd;
    expect(pmt).toBeCloseTo((loan * r) / (1 - (1 + r) ** -240), 8);
    const k = T - L; // payments made, the last one in the reversion month
    const balanceAfter = loan * (1 + r) ** k - (pmt * ((1 + r) ** k - 1)) / r;
    expect(o.periods[T - 1]!.permNetCf).toBeCloseTo(-(pmt + balanceAfter), 4);
    // Over the loan's life: loan in, payments and the rest of the principal out.
    const net = sum(o.periods.map((p) => p.permNetCf));
    expect(net).toBeCloseTo(loan - k * pmt - balanceAfter, 4);
    // tif@1 paid the month's principal a second time (the same deal with this correction off).
    const balanceBefore = loan * (1 + r) ** (k - 1) - (pmt * ((1 + r) ** (k - 1) - 1)) / r;
    expect(
      v2Without({ lastPrincipalOnce: false }).periods[T - 1]!.permNetCf - o.periods[T - 1]!.permNetCf,
    ).toBeCloseTo(-(pmt - balanceBefore * r), 4);
  });
});

describe("mezzanine and preferred funded and repaid (trap 5)", () => {
  it("adds +A at period 1, −A·rate/12 monthly, −A at the reversion: the lender's IRR is the rate", () => {
    const base = v2({ scenario: "mixed_income" });
    const withMezz = v2({ scenario: "mixed_income", mezzanine: { amountUsd: 5e6, rateAnnual: 0.12 } });
    const withPref = v2({ scenario: "mixed_income", preferredEquity: { amountUsd: 3e6, returnAnnual: 0.1 } });
    const diff = withMezz.periods.map((p, i) => p.leveredCf - base.periods[i]!.leveredCf);
    expect(diff[0]).toBeCloseTo(5e6, 4);
    for (let p = 2; p < T; p++) expect(diff[p - 1]).toBeCloseTo(-50_000, 4);
    expect(diff[T - 1]).toBeCloseTo(-5_050_000, 4);
    expect(irr(diff)).toBeCloseTo(0.01, 12);
    expect(withMezz.periods.map((p) => p.mezzanineNetCf)).toEqual(diff.map((d) => expect.closeTo(d, 4)));
    const prefDiff = withPref.periods.map((p, i) => p.leveredCf - base.periods[i]!.leveredCf);
    expect(irr(prefDiff)).toBeCloseTo(0.1 / 12, 12);
    expect(sum(withPref.periods.map((p) => p.preferredNetCf))).toBeCloseTo(3e6 - 3e6 - 25_000 * (T - 1), 3);
    // Mezzanine interest counts as debt service (as in tif@1), for every month it is paid.
    expect(withMezz.totals.totalDebtServiceUsd - base.totals.totalDebtServiceUsd).toBeCloseTo(
      50_000 * (T - 1),
      4,
    );
  });
});

describe("trailing-NOI exit (trap 10)", () => {
  it("capitalizes the 12 months of NOI before the reversion month", () => {
    const o = v2({ reversionNoiBasis: "trailing" });
    const trailing = sum(o.periods.slice(T - 13, T - 1).map((p) => p.noi));
    expect(o.periods[T - 1]!.reversion).toBeCloseTo((trailing / 0.055) * 0.98, 4);
    const f = v2();
    expect(f.periods[T - 1]!.reversion).toBeCloseTo(((f.periods[T - 1]!.noi * 12) / 0.055) * 0.98, 4);
    expect(o.periods[T - 1]!.reversion).toBeLessThan(f.periods[T - 1]!.reversion);
  });
});

describe("the TIF lump sum as a source of funds (trap 7)", () => {
  const c = goldenCase("defaults_mixed_tif_lump_sum");
  const lump = (c.calculate_deal_kwargs as { tif_lump_sum: number }).tif_lump_sum;
  const o = v2(fromPrototypeCaseV2(c));
  const old = v1(fromPrototypeCase(c));

  it("pays the first costs before equity, and reduces the equity by the lump sum", () => {
    expect(o.sourcesUses.tifLumpSumUsd).toBe(lump);
    expect(sum(o.periods.map((p) => p.tifLumpSumDraw))).toBeCloseTo(lump, 6);
    // S&U equity (TDC − construction loan) less the lump sum.
    expect(o.sourcesUses.equityUsd).toBeCloseTo(
      o.sourcesUses.tdcUsd - o.sourcesUses.constructionLoanUsd - lump,
      6,
    );
    expect(o.totals.totalEquityInvestedUsd).toBeCloseTo(o.sourcesUses.equityUsd, 4);
    // Period 1's costs (land + soft × w_pre[0]) are paid by the TIF; the rest of it in period 2.
    const first = 3_000_000 + o.sourcesUses.softCostsInclReservesPredevDevFeeUsd * sCurveWeights(18)[0]!;
    expect(o.periods[0]!.tifLumpSumDraw).toBeCloseTo(Math.min(first, lump), 6);
    expect(o.periods[0]!.equityDraw).toBeCloseTo(-Math.max(0, first - lump), 6);
  });

  it("is in the levered CF itself, so the IRR, equity multiple and NPV all see it", () => {
    o.periods.forEach((p) => {
      expect(p.adjustedLeveredCfForIrr).toBe(p.leveredCf);
    });
    const fixed = only({ lumpSumIsSource: true }, fromPrototypeCase(c));
    const m = 1.15 ** (1 / 12) - 1;
    const tifDraws = computeDeal(TifInput.parse(fromPrototypeCase(c)), {
      ...PROTOTYPE,
      lumpSumIsSource: true,
    }).extra;
    const pvTif = sum(tifDraws.map((e, i) => e.tifLumpSumDraw / (1 + m) ** i));
    expect(fixed.returns.npvLeveredUsd - old.returns.npvLeveredUsd).toBeCloseTo(pvTif, 4);
    expect(fixed.returns.equityMultiple!).toBeGreaterThan(old.returns.equityMultiple!);
  });
});

describe("incentives (inputs tif@1 accepted and ignored)", () => {
  const none = v2({ scenario: "mixed_income" });

  it("SMART fee waiver: affordable units × the tier's amount off the soft costs (tier 2: 40 × 17,500)", () => {
    const o = v2({ scenario: "mixed_income", incentives: { tier: 2, smartFeeWaiver: true } });
    expect(o.units.affordableUnits).toBe(40);
    expect(o.incentives.smartFeeWaiverUsd).toBe(700_000);
    expect(o.sourcesUses.smartFeeWaiverUsd).toBe(700_000);
    expect(
      none.sourcesUses.softCostsInclReservesPredevDevFeeUsd -
        o.sourcesUses.softCostsInclReservesPredevDevFeeUsd,
    ).toBeCloseTo(700_000, 6);
    expect(
      v2({ scenario: "mixed_income", incentives: { tier: 1, smartFeeWaiver: true } }).incentives
        .smartFeeWaiverUsd,
    ).toBe(1_400_000);
  });

  it("interest buydown: the permanent rate falls by the tier's bps, for sizing and payment (tier 2: 150)", () => {
    const o = v2({ scenario: "mixed_income", incentives: { tier: 2, interestBuydown: true } });
    expect(o.incentives.interestBuydownBps).toBe(150);
    expect(o.incentives.permRateEffectiveAnnual).toBeCloseTo(0.045, 15);
    const r = 0.045 / 12;
    const noi = o.permanentLoan.stabilizedNoiForSizingUsd;
    expect(o.permanentLoan.dscrAmountUsd).toBeCloseTo(((noi / 1.25 / 12) * (1 - (1 + r) ** -240)) / r, 4);
    const loan = o.permanentLoan.fundedUsd;
    expect(o.permanentLoan.monthlyPaymentUsd).toBeCloseTo((loan * r) / (1 - (1 + r) ** -240), 6);
    expect(loan).toBeGreaterThan(none.permanentLoan.fundedUsd);
  });

  it("construction type: the net area of a type without netSqft is gross × the type's efficiency", () => {
    const unitMix = [{ unitType: "2br" as const, grossSqft: 900, allocationShare: 1 }];
    expect(v2({ unitMix, constructionType: "garden" }).units.allocation[0]!.netSqft).toBeCloseTo(724.5, 10);
    expect(v2({ unitMix, constructionType: "highrise" }).units.allocation[0]!.netSqft).toBeCloseTo(657, 10);
    expect(v2({ unitMix }).units.allocation[0]!.netSqft).toBeCloseTo(765, 10); // podium .85
    expect(v1({ unitMix }).units.allocation[0]!.netSqft).toBe(738); // int(900 × 0.82)
  });
});

describe("no input accepted and ignored", () => {
  async function issuesFor(input: unknown) {
    const err = await executeModel(tifV2, input, createContext()).catch((e) => e);
    expect(err).toBeInstanceOf(ModelInputError);
    return (err as ModelInputError).issues;
  }
  it.each([
    ["idcLeaseupMonths (removed)", { idcLeaseupMonths: 4 }, "(root)", /idcLeaseupMonths/],
    ["selectedTier (removed; incentives.tier)", { selectedTier: 2 }, "(root)", /selectedTier/],
    [
      "incentives on the market scenario",
      { incentives: { smartFeeWaiver: true } },
      "incentives",
      /mixed-income/,
    ],
    [
      "incentives with nothing on",
      { scenario: "mixed_income", incentives: { tier: 1 } },
      "incentives",
      /null/,
    ],
    [
      "a buydown that takes the rate to 0",
      { scenario: "mixed_income", permRateAnnual: 0.03, incentives: { tier: 1, interestBuydown: true } },
      "incentives.interestBuydown",
      /0 or below/,
    ],
    [
      "a lump sum without the lump-sum treatment",
      { tif: { lumpSumUsd: 1e6 } },
      "tif.lumpSumUsd",
      /no effect/,
    ],
    [
      "stream years with abatement",
      { tif: { treatment: "abatement", streamYears: 5 } },
      "tif.streamYears",
      /no effect/,
    ],
    ["a MIRR rate of 100%", { mirr: { financeRateAnnual: 1 } }, "mirr.financeRateAnnual", /below 100%/],
  ])("%s", async (_what, input, path, message) => {
    const issue = (await issuesFor(input)).find((i) => i.path === path);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(message);
  });
});

describe("IRR roots and MIRR", () => {
  it("mirr matches numpy-financial's published test values", () => {
    expect(mirr([-4500, -800, 800, 800, 600, 600, 800, 800, 700, 3000], 0.08, 0.055)).toBeCloseTo(
      0.0665971750315535,
      12,
    );
    expect(mirr([-120000, 39000, 30000, 21000, 37000, 46000], 0.1, 0.12)).toBeCloseTo(0.126094130365905, 12);
    expect(mirr([100, 200, -50, 300, -200], 0.05, 0.06)).toBeCloseTo(0.342823387842177, 12);
    expect(mirr([39000, 30000, 21000, 37000, 46000], 0.1, 0.12)).toBeNaN();
  });

  it("annualizes a monthly MIRR from annual rates: equal rates and a one-in-one-out flow give the flow's own rate", () => {
    // −100 now, 100 × 1.1 in 12 months: every rate gives (1.1)^(1/12) − 1 a month, 10% a year.
    const flows = [-100, ...Array(11).fill(0), 110];
    expect(annualMirr(flows, 0.08, 0.06)).toBeCloseTo(0.1, 12);
  });

  it("reports every root, annualized, with the count, and the MIRR on the same flows", () => {
    const o = v2({
      scenario: "mixed_income",
      mezzanine: { amountUsd: 5e6, rateAnnual: 0.12 },
      preferredEquity: { amountUsd: 3e6 },
    });
    expect(o.returns.leveredIrrRootCount).toBe(2);
    expect(o.returns.leveredIrrAnnualRoots).toHaveLength(2);
    const monthlyRoots = o.returns.leveredIrrMonthlyRoots;
    expect(o.returns.leveredIrrAnnualRoots).toEqual(
      monthlyRoots.map((m) => expect.closeTo((1 + m) ** 12 - 1, 12)),
    );
    expect(o.returns.leveredIrr).toBe(o.returns.leveredIrrAnnualRoots[0]); // the root nearest 0
    const flows = o.periods.map((p) => p.leveredCf);
    expect(o.returns.leveredMirr).toBeCloseTo(annualMirr(flows, 0.08, 0.06), 14);
    const d = v2();
    expect(d.returns.leveredIrrRootCount).toBe(1);
    expect(d.returns.mirrFinanceRateAnnual).toBe(0.08);
    expect(d.returns.mirrReinvestmentRateAnnual).toBe(0.06);
  });
});

describe("the default case, v1 → v2 (numbers in the CHANGELOG)", () => {
  it("levered IRR 3.3678% → 5.8471% (2.1.0: 5.5761%), unlevered 10.4480% → 6.5217% (2.1.0: 8.1981%)", () => {
    expect(v1().returns.leveredIrr).toBeCloseTo(0.033678, 6);
    const o = v2();
    expect(o.returns.leveredIrr).toBeCloseTo(0.058471, 6);
    expect(o.returns.unleveredIrr).toBeCloseTo(0.065217, 6);
    expect(o.returns.equityMultiple).toBeCloseTo(1.239, 4);
    // 2.1.0 = 2.2.0 with its four new corrections off.
    const old = v2Without({
      oneDrawSchedule: false,
      tifWindowAtStepUp: false,
      sizingOnConversionRow: false,
      landInUnleveredIrr: false,
    });
    expect(old.returns.leveredIrr).toBeCloseTo(0.055761, 6);
    expect(old.returns.unleveredIrr).toBeCloseTo(0.081981, 6);
    expect(old.returns.leveredMirr).toBeCloseTo(0.062375, 6);
    expect(old.returns.equityMultiple).toBeCloseTo(1.2295, 4);
  });
});

describe("tif@2 as a model", () => {
  it("runs the golden cases' inputs (its examples) and reads the prototype format", async () => {
    for (const ex of tifV2.examples ?? []) {
      const out = (await executeModel(tifV2, ex.input, createContext())) as { periods: unknown[] };
      expect(out.periods.length).toBeGreaterThan(0);
    }
    const c = goldenCase("defaults_mixed_tif_lump_sum");
    const input = tifV2.formats!.prototype!.toInput({
      scenario: c.scenario,
      inputs: c.inputs,
      calculate_deal_kwargs: c.calculate_deal_kwargs,
    });
    expect(input).not.toHaveProperty("idcLeaseupMonths");
    expect(input).not.toHaveProperty("selectedTier");
    const out = (await executeModel(tifV2, input, createContext())) as ReturnType<typeof calculateDealV2>;
    const proto = tifV2.formats!.prototype!.fromOutput(out, TifV2Input.parse(input)) as {
      outputs: Record<string, unknown>;
    };
    expect(proto.outputs.levered_irr).toBe(out.returns.leveredIrr);
    expect(tifV1.version).toBe("1.0.0");
    expect(tifV2.version).toBe("2.2.0");
  });
});

describe("a 1e308 financing amount past the schema (issue 19)", () => {
  // The schema now caps amounts at $1e12; the engine must still end with an answer when called
  // directly: this input used to loop in the IRR scan until the process ran out of memory.
  const parsed = TifV2Input.parse({});
  it.each(["preferredEquity", "mezzanine"] as const)(
    "%s.amountUsd = 1e308 ends, the levered IRR is its rate",
    (key) => {
      const rate = key === "mezzanine" ? parsed.mezzanine.rateAnnual : parsed.preferredEquity.returnAnnual;
      const out = calculateDealV2({ ...parsed, [key]: { ...parsed[key], amountUsd: 1e308 } });
      // The financing dwarfs the deal: the levered flow is the lender's, whose IRR is its rate.
      expect(out.returns.leveredIrrMonthlyRoots).toHaveLength(1);
      expect(out.returns.leveredIrrMonthlyRoots[0]).toBeCloseTo(rate / 12, 12);
      expect(out.returns.unleveredIrr).toBeCloseTo(v2().returns.unleveredIrr!, 12);
    },
  );
});
