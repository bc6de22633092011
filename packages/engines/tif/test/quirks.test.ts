import { createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { allocateUnits } from "../src/compat/units.ts";
import { fromPrototypeCase, irr, pyInt, pyRound, sCurveWeights, TifInput, tifV1 } from "../src/index.ts";
import type { TifOutput } from "../src/schema.ts";
import golden from "./fixtures/golden_cases.json" with { type: "json" };

/** The prototype's quirks, each in isolation (spec "Parity traps"). */

describe("Python rounding (trap 1)", () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-0.5, 0],
    [-1.5, -2],
    [-2.5, -2],
    [4.8, 5],
    [1.2, 1],
    [40 * 0.15, 6], // 6.000000000000001
    [2.675, 3],
    [0.49999999999999994, 0],
  ])("round(%f) = %i (half to even)", (x, expected) => {
    expect(pyRound(x)).toBe(expected);
  });

  it("int() truncates the float product: int(600 × 0.82) = 491", () => {
    expect(600 * 0.82).toBeLessThan(492);
    expect(pyInt(600 * 0.82)).toBe(491);
    expect(pyInt(-1.7)).toBe(-1);
  });

  it("allocates units with half-even rounding, so types need not add up to the target", () => {
    const input = TifInput.parse({
      targetUnits: 10,
      unitMix: [
        { unitType: "studio", grossSqft: 600, allocationShare: 0.25 },
        { unitType: "1br", grossSqft: 750, allocationShare: 0.25 },
        { unitType: "2br", grossSqft: 900, allocationShare: 0.5 },
      ],
    });
    const u = allocateUnits(input, 0);
    // 2.5 → 2, 2.5 → 2, 5 → 5: nine units, not ten (Math.round would give 3 + 3 + 5 = 11).
    expect(u.allocation.map((a) => a.totalUnits)).toEqual([2, 2, 5]);
    expect(u.totalUnits).toBe(9);
    // Affordable: A = round(10 × 0.25) = round(2.5) = 2; per type round(2 × share) = 0, 0, 1.
    const mixed = allocateUnits(input, 0.25);
    expect(mixed.allocation.map((a) => a.affordableUnits)).toEqual([0, 0, 1]);
  });
});

describe("IRR root selection (trap 2)", () => {
  it("takes the root nearest zero on a cash flow with two sign changes", () => {
    // −100, +230, −132: (1+r)² · NPV = −100(1+r)² + 230(1+r) − 132 → 1 + r = 1.1 or 1.2.
    const values = [-100, 230, -132];
    expect(irr(values)).toBeCloseTo(0.1, 12); // not 0.2
  });
});

describe("S-curve weights (spec appendix)", () => {
  it.each([
    [18, [0.010151, 0.015434, 0.023151, 0.034027, 0.048552, 0.06642, 0.085818, 0.10305, 0.113397]],
    [24, [0.007197, 0.009876, 0.013465, 0.018198, 0.024305, 0.031953, 0.041146, 0.051595, 0.062584]],
  ])("n = %i", (n, head) => {
    const w = sCurveWeights(n);
    expect(w).toHaveLength(n);
    expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 14);
    head.forEach((x, i) => {
      expect(w[i]).toBeCloseTo(x, 6);
    });
    // Symmetric.
    w.forEach((x, i) => {
      expect(x).toBeCloseTo(w[n - 1 - i]!, 14);
    });
  });
  it("n = 1 draws everything at once", () => expect(sCurveWeights(1)).toEqual([1]));
});

describe("defects kept on purpose (defaults case)", async () => {
  const c = golden.cases.find((x) => x.name === "defaults_market")!;
  const out = (await executeModel(tifV1, fromPrototypeCase(c), createContext())) as TifOutput;
  const { constructionEnd: C, leaseupEnd: L, predevelopmentEnd: P, totalPeriods: T } = out.phaseEnds;
  const rows = out.periods;

  it("two draw schedules: the S&U IDC is not the cash-flow interest (trap 3)", () => {
    const construction = rows.slice(P, C).reduce((s, r) => s + r.constDebtInterest, 0);
    const leaseup = rows.slice(C, L).reduce((s, r) => s + r.constDebtInterest, 0);
    expect(construction).toBeCloseTo(2.55e6, -4);
    expect(leaseup).toBeCloseTo(2.88e6, -4);
    expect(out.sourcesUses.idcUsd).toBeCloseTo(6466812.49, 2);
    expect(construction + leaseup).not.toBeCloseTo(out.sourcesUses.idcUsd, -4);
  });

  it("construction interest is paid in the levered CF and also capitalized into the payoff (trap 4)", () => {
    const draws = rows.slice(0, L).reduce((s, r) => s + r.constDebtDraw, 0);
    const interest = rows.slice(0, L).reduce((s, r) => s + r.constDebtInterest, 0);
    expect(out.permanentLoan.constructionPayoffAtConversionUsd).toBeCloseTo(draws + interest, 4);
    for (const r of rows.slice(P, C)) {
      // Levered CF of a construction month = −(equity share of the hard draw) − that month's interest.
      expect(r.leveredCf).toBeCloseTo(r.equityDraw - r.constDebtInterest, 6);
    }
  });

  it("the permanent loan's last principal is paid twice (trap 5)", () => {
    const last = rows[T - 1]!;
    const before = rows[T - 2]!;
    expect(last.permNetCf).toBeCloseTo(-last.permPmt - before.permEop, 6);
    expect(last.permInterest).toBeCloseTo(before.permEop * (0.06 / 12), 6);
  });

  it("rents and opex step up at C + 13, anchored at lease-up start (trap 9)", () => {
    expect(rows[C + 11]!.escalationYear).toBe(0);
    expect(rows[C + 12]!.escalationYear).toBe(1);
    expect(rows[C + 24]!.escalationYear).toBe(2);
  });
});

describe("TIF window anchored at L while the AV steps up at L + 1 (trap 6)", () => {
  it("an OPERATIONS-timed stream pays a tiny increment in month L", async () => {
    const c = golden.cases.find((x) => x.name === "defaults_mixed_tif_stream_operations")!;
    const out = (await executeModel(tifV1, fromPrototypeCase(c), createContext())) as TifOutput;
    const L = out.phaseEnds.leaseupEnd;
    expect(out.periods[L - 2]!.tifReimbursement).toBe(0);
    expect(out.periods[L - 1]!.tifReimbursement).toBeCloseTo(107.45, 2);
    expect(out.periods[L]!.tifReimbursement).toBeGreaterThan(27_000);
  });
});

describe("the lump sum only enters the levered IRR (trap 7)", () => {
  it("leaves every per-period series, the equity multiple and NPV unchanged", async () => {
    const c = golden.cases.find((x) => x.name === "defaults_mixed_tif_lump_sum")!;
    const withLump = (await executeModel(tifV1, fromPrototypeCase(c), createContext())) as TifOutput;
    const without = (await executeModel(
      tifV1,
      fromPrototypeCase({ ...c, calculate_deal_kwargs: {} }),
      createContext(),
    )) as TifOutput;
    expect(withLump.periods.map((r) => r.leveredCf)).toEqual(without.periods.map((r) => r.leveredCf));
    expect(withLump.returns.equityMultiple).toBe(without.returns.equityMultiple);
    expect(withLump.returns.npvLeveredUsd).toBe(without.returns.npvLeveredUsd);
    expect(withLump.sourcesUses.tdcUsd).toBe(without.sourcesUses.tdcUsd);
    expect(withLump.returns.leveredIrr).not.toBe(without.returns.leveredIrr);
    expect(
      withLump.periods[0]!.adjustedLeveredCfForIrr - without.periods[0]!.adjustedLeveredCfForIrr,
    ).toBeCloseTo(3504581.923097851, 6);
  });
});
