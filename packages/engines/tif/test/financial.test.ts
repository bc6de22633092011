import { irr as financialIrr } from "financial";
import { describe, expect, it } from "vitest";
import { fv, irr, irrRoots, npv, pmt, pv } from "../src/financial.ts";
import golden from "./fixtures/golden_cases.json" with { type: "json" };

/**
 * Published values of numpy-financial (the docstrings of numpy_financial/_financial.py, v1.0.0,
 * and its tests, numpy_financial/tests/test_financial.py `test_irr`, which carry over numpy's
 * former np.irr tests). The exact IRR digits were checked against numpy_financial 1.0.0's
 * algorithm (np.roots, smallest |rate|) run with numpy.
 */
describe("npv, pmt, pv, fv (numpy-financial docstrings)", () => {
  it("npv(0.281, [-100, 39, 59, 55, 20]) = -0.0084785916384548798", () => {
    expect(npv(0.281, [-100, 39, 59, 55, 20])).toBeCloseTo(-0.0084785916384548798, 14);
  });
  it("pmt(0.075/12, 12*15, 200000) = -1854.0247200054619", () => {
    expect(pmt(0.075 / 12, 12 * 15, 200000)).toBeCloseTo(-1854.0247200054619, 9);
  });
  it("pv(0.05/12, 10*12, -100, 15692.93) = -100.00067131625819", () => {
    expect(pv(0.05 / 12, 10 * 12, -100, 15692.93)).toBeCloseTo(-100.00067131625819, 9);
  });
  it("fv(0.05/12, 10*12, -100, -100) = 15692.928894335748", () => {
    expect(fv(0.05 / 12, 10 * 12, -100, -100)).toBeCloseTo(15692.928894335748, 8);
  });
});

describe("irr: numpy_financial 1.0.0", () => {
  it.each([
    // [cash flow, IRR]: docstring examples and test_irr; full digits from npf 1.0.0's algorithm.
    [[-100, 39, 59, 55, 20], 0.28094842115996066],
    [[-100, 0, 0, 74], -0.0954958303489728],
    [[-100, 100, 0, -7], -0.08329966618493256],
    [[-100, 100, 0, 7], 0.06205848562992955],
    [[-5, 10.5, 1, -8, 1], 0.08859833852775534],
    [[-150000, 15000, 25000, 35000, 45000, 60000], 0.05243288885941433],
  ])("irr(%j) = %f", (values, expected) => {
    expect(Math.abs(irr(values) - expected)).toBeLessThan(1e-12);
  });

  it("returns NaN, not 0, when there is no IRR (test_irr: [-1, -2, -3] → nan)", () => {
    expect(irr([-1, -2, -3])).toBeNaN();
    expect(irr([100, 50])).toBeNaN();
    expect(irr([0, 0, 0])).toBeNaN();
    expect(irr([-5])).toBeNaN();
  });

  it("lists every real root and picks the one nearest zero (two sign changes)", () => {
    // −100 + 100x − 7x³ = 0 with x = 1/(1+r): roots r = −0.0833 and r = −0.6789.
    const roots = irrRoots([-100, 100, 0, -7]);
    expect(roots).toHaveLength(2);
    expect(roots[0]).toBeCloseTo(-0.6788943736323867, 12);
    expect(roots[1]).toBeCloseTo(-0.08329966618493256, 12);
    expect(irr([-100, 100, 0, -7])).toBeCloseTo(-0.08329966618493256, 12);
    // Three roots: −0.870, +0.0886, +0.710; nearest zero wins.
    expect(irrRoots([-5, 10.5, 1, -8, 1])).toHaveLength(3);
  });

  it("ignores leading zeros (roots at x = 0) and trailing zeros (lower degree), as np.roots", () => {
    expect(irr([0, 0, -100, 39, 59, 55, 20])).toBeCloseTo(0.28094842115996066, 12);
    expect(irr([-100, 39, 59, 55, 20, 0, 0])).toBeCloseTo(0.28094842115996066, 12);
  });

  it("picks −0.2422%/month on the lump-sum golden case, where `financial`'s Newton finds +119.9%", () => {
    const c = golden.cases.find((x) => x.name === "defaults_mixed_tif_lump_sum")!;
    const values = c.periods.adjusted_levered_cf_for_irr as number[];
    expect(irrRoots(values)).toHaveLength(2);
    expect(irr(values)).toBeCloseTo(-0.0024222909349167487, 14);
    // Why we do not use financial.irr: from its default guess it converges to the other root.
    expect(financialIrr(values)).toBeCloseTo(1.1990950130804, 6);
    // …and on the other golden cash flows it diverges (Infinity) from the default guess.
    const market = golden.cases.find((x) => x.name === "defaults_market")!;
    expect(Number.isFinite(financialIrr(market.periods.adjusted_levered_cf_for_irr as number[]))).toBe(false);
  });
});

/**
 * Issue 19: a tif@2 run with `preferredEquity.amountUsd: 1e308` killed the server. Its levered
 * cash flow holds values ~1e308, the Cauchy bound |c_0| / (|c_0| + max|c_k|) became 1e308 / ∞ = 0,
 * log 0 = −∞, and the grid scan pushed −∞ forever ("Fatal JavaScript invalid size error").
 */
describe("irr: extreme cash flows end with an answer", () => {
  it("finds r = 0 of [−1e308, 1e308] (a lower Cauchy bound of 1e308/∞ = 0 looped forever)", () => {
    expect(irrRoots([-1e308, 1e308])).toEqual([0]);
    expect(irr([1e308, -1e308, 0])).toBe(0);
  });

  it("finds the root of [−1, 1e-320] beyond the doubles' range of 1 + max|c/c_deg| (∞ looped forever)", () => {
    // x = 1/(1 + r) = 1e320 is not a double either: the root is r = −1 + 1e-320 → −1, not > −1.
    const roots = irrRoots([-1, 1e-320]);
    expect(roots.every((r) => r >= -1 && r < -0.999)).toBe(true);
  });

  it("gives the same IRR for a cash flow scaled to the edges of the doubles (the scaling is exact)", () => {
    const market = golden.cases.find((x) => x.name === "defaults_market")!;
    const values = market.periods.adjusted_levered_cf_for_irr as number[];
    const expected = irr(values);
    expect(expected).toBeCloseTo(0.002764064927352372, 15);
    const largest = Math.max(...values.map(Math.abs));
    expect(irr(values.map((v) => (v / largest) * 1e308))).toBeCloseTo(expected, 12);
    expect(irr(values.map((v) => (v / largest) * 1e-300))).toBeCloseTo(expected, 12);
  });

  it("gives NaN (no IRR), not a loop, for non-finite values", () => {
    expect(irr([-1, Number.POSITIVE_INFINITY, 1])).toBeNaN();
    expect(irr([-1, Number.NaN, 1])).toBeNaN();
  });
});
