import { createContext, executeModel, ModelCanceledError, ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  calculateDealV2,
  TifV2Input,
  type TifV2InputRaw,
  tifComparisonModel,
  tifSolveModel,
} from "../../src/index.ts";

/** "What would it take": every answer re-run independently to confirm the gap closes. */
const solve = (input: unknown, ctx = createContext()) => executeModel(tifSolveModel, input, ctx);
const compare = (input: unknown) => executeModel(tifComparisonModel, input, createContext());
const v2 = (raw: TifV2InputRaw) => calculateDealV2(TifV2Input.parse(raw));
const marketIrr = v2({}).returns.leveredIrr!;
const gapOf = (raw: TifV2InputRaw) => (v2(raw).returns.leveredIrr! - marketIrr) * 10_000;
const TIER2_FEE = { scenario: "mixed_income", incentives: { tier: 2, smartFeeWaiver: true } } as const;

describe("the TIF lump sum that reaches +150 bps (tier 2, fee waiver)", () => {
  it("solves, and an independent tif@2 run at that lump sum is within the tolerance of the target", async () => {
    const out = await solve({});
    expect(out.status).toBe("solved");
    const gap = gapOf({ ...TIER2_FEE, tif: { treatment: "lump_sum", lumpSumUsd: out.value! } });
    expect(Math.abs(gap - 150)).toBeLessThanOrEqual(out.toleranceBps);
    expect(out.gapBpsAtValue).toBeCloseTo(gap, 9);
    // The comparison model at that lump sum agrees.
    const cmp = await compare({ mixedIncome: { tifLumpSumUsd: out.value } });
    expect(Math.abs(cmp.gap.leveredIrrGapBps! - 150)).toBeLessThanOrEqual(out.toleranceBps);
    // Natural bounds: 0 and the equity the lump sum can replace (the mixed deal's equity without it).
    expect(out.bounds.lower).toBe(0);
    expect(out.bounds.upper).toBeCloseTo(v2(TIER2_FEE).sourcesUses.equityUsd, 4);
    expect(out.bounds.gapBpsAtLower).toBeCloseTo(gapOf(TIER2_FEE), 9);
  });

  it("reports its iterations and a bracket that holds the answer and halves each step", async () => {
    const out = await solve({});
    expect(out.iterations).toBe(out.history.length);
    expect(out.iterations).toBeGreaterThan(3);
    expect(out.engineRuns).toBe(1 + 1 + 2 + out.iterations); // market, equity bound, both bounds, steps
    expect(out.bracket.lower).toBeLessThanOrEqual(out.value!);
    expect(out.bracket.upper).toBeGreaterThanOrEqual(out.value!);
    const width = out.bounds.upper - out.bounds.lower;
    out.history.forEach((h, i) => {
      expect(h.upper - h.lower).toBeCloseTo(width / 2 ** i, 2);
      expect(h.value).toBeCloseTo((h.lower + h.upper) / 2, 4);
    });
    expect(out.history.at(-1)!.value).toBe(out.value);
  });

  it("a tighter tolerance takes more steps and lands closer", async () => {
    const loose = await solve({ toleranceBps: 5 });
    const tight = await solve({ toleranceBps: 0.001 });
    expect(tight.iterations).toBeGreaterThan(loose.iterations);
    expect(Math.abs(tight.gapBpsAtValue! - 150)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(loose.gapBpsAtValue! - 150)).toBeLessThanOrEqual(5);
  });
});

describe("other levers, each confirmed by an independent run", () => {
  it("land cost (the lump sum re-sized on the new TDC) at which the gap is 0", async () => {
    const out = await solve({ lever: "landCostUsd", targetIrrGapBps: 0 });
    expect(out.status).toBe("solved");
    const project = { ...TIER2_FEE, landCostUsd: out.value! };
    const lump = ((v2(project).sourcesUses.tdcUsd - 5_000_000) * 0.00574) / 0.095;
    const gap = gapOf({ ...project, tif: { treatment: "lump_sum", lumpSumUsd: lump } });
    expect(Math.abs(gap)).toBeLessThanOrEqual(out.toleranceBps);
    expect(out.value!).toBeGreaterThan(0);
    expect(out.value!).toBeLessThan(3_000_000);
  });

  it("the tier 1 stream share that reaches +150 bps", async () => {
    const out = await solve({
      lever: "tifStreamShare",
      mixedIncome: { incentives: { tier: 1, smartFeeWaiver: false, tif: "stream" } },
    });
    expect(out.status).toBe("solved");
    const gap = gapOf({
      scenario: "mixed_income",
      affordableShare: 0.05,
      amiLevel: "30%",
      tif: { treatment: "stream", streamShare: out.value!, streamYears: 20 },
    });
    expect(Math.abs(gap - 150)).toBeLessThanOrEqual(out.toleranceBps);
  });

  it("the affordable share the tier 2 fee waiver carries within 300 bps of market (the gap falls as the share rises)", async () => {
    const out = await solve({
      lever: "affordableShare",
      targetIrrGapBps: -300,
      mixedIncome: { incentives: { tif: "none" } },
    });
    // Units are whole, so the gap is a step function of the share: the bracket closes on a jump
    // (16 → 17 affordable units at 0.0825 × 200 = 16.5) and the side that meets the target is reported.
    expect(out.status).toBe("solved-at-discontinuity");
    expect(out.bracket.upper - out.bracket.lower).toBeLessThan(1e-8);
    expect(gapOf({ ...TIER2_FEE, affordableShare: out.bracket.upper })).toBeLessThan(-300);
    // The natural lower bound is the smallest share with an affordable unit: A = 2 of 200 units
    // (A = 1 gives round(0.45) = 0 units of every type), so the bound is not the market deal.
    expect(out.bounds.lower).toBe(0.01);
    expect(out.bounds.gapBpsAtLower!).not.toBe(0);
    expect(out.bounds.gapBpsAtLower!).toBeGreaterThan(out.bounds.gapBpsAtUpper!);
    const gap = gapOf({ ...TIER2_FEE, affordableShare: out.value! });
    expect(gap).toBeGreaterThanOrEqual(-300);
    expect(out.gapBpsAtValue).toBeCloseTo(gap, 9);
    expect(v2({ ...TIER2_FEE, affordableShare: out.value! }).units.affordableUnits).toBeGreaterThan(0);
  });

  it("the market-rent multiplier the mixed deal would need", async () => {
    const out = await solve({ lever: "marketRentScale", mixedIncome: { incentives: { tif: "none" } } });
    expect(out.status).toBe("solved");
    const mix = TifV2Input.parse({}).unitMix.map((u) => ({
      ...u,
      rentPerNetSqftMonthlyUsd: u.rentPerNetSqftMonthlyUsd * out.value!,
    }));
    const gap = gapOf({ ...TIER2_FEE, unitMix: mix, marketRentPerNetSqftMonthlyUsd: 2.5 * out.value! });
    expect(Math.abs(gap - 150)).toBeLessThanOrEqual(out.toleranceBps);
  });
});

describe("honest failures", () => {
  it("tier 2's stream cannot reach +150 bps even at 100%: not achievable within bounds, no value", async () => {
    const out = await solve({ lever: "tifStreamShare", mixedIncome: { incentives: { tif: "stream" } } });
    expect(out.status).toBe("not-achievable-within-bounds");
    expect(out.value).toBeNull();
    expect(out.iterations).toBe(0);
    expect(out.bounds.gapBpsAtUpper!).toBeLessThan(150);
    expect(out.message).toMatch(/not achievable within \[0, 1\]/);
  });

  it("a target met at both bounds says so", async () => {
    const out = await solve({ targetIrrGapBps: -5000 });
    expect(out.status).toBe("met-at-both-bounds");
    expect(out.value).toBeNull();
  });

  it("an iteration cap returns the best side that meets the target, flagged", async () => {
    const out = await solve({ maxIterations: 2 });
    expect(out.status).toBe("max-iterations");
    expect(out.iterations).toBe(2);
    expect(out.gapBpsAtValue!).toBeGreaterThanOrEqual(150);
  });

  it("stops when canceled", async () => {
    const ac = new AbortController();
    let calls = 0;
    const ctx = createContext({
      signal: ac.signal,
      onProgress: () => {
        if (++calls === 2) ac.abort();
      },
    });
    await expect(solve({ toleranceBps: 0.0001 }, ctx)).rejects.toBeInstanceOf(ModelCanceledError);
  });
});

describe("monotonicity on a grid (the levers bisection relies on)", () => {
  it("the mixed IRR never falls as the lump sum or the stream share grows", () => {
    let last = Number.NEGATIVE_INFINITY;
    for (let k = 0; k <= 10; k++) {
      const irr = v2({ ...TIER2_FEE, tif: { treatment: "lump_sum", lumpSumUsd: k * 2_000_000 } }).returns
        .leveredIrr!;
      expect(irr).toBeGreaterThan(last);
      last = irr;
    }
    last = Number.NEGATIVE_INFINITY;
    for (let k = 1; k <= 10; k++) {
      const irr = v2({ ...TIER2_FEE, tif: { treatment: "stream", streamShare: k / 10, streamYears: 15 } })
        .returns.leveredIrr!;
      expect(irr).toBeGreaterThan(last);
      last = irr;
    }
  });
});

describe("bad input", () => {
  it.each([
    [
      "a lump-sum lever without a lump sum",
      { mixedIncome: { incentives: { tif: "stream" } } },
      "lever",
      /lump_sum/,
    ],
    ["a stream lever without a stream", { lever: "tifStreamShare" }, "lever", /stream/],
    [
      "the lump sum given as well",
      { mixedIncome: { tifLumpSumUsd: 1 } },
      "mixedIncome.tifLumpSumUsd",
      /give null/,
    ],
    ["bounds the wrong way", { lowerBound: 10, upperBound: 5 }, "upperBound", /above lowerBound/],
    [
      "a share above 100%",
      { lever: "tifStreamShare", upperBound: 1.5, mixedIncome: { incentives: { tif: "stream" } } },
      "upperBound",
      /within \[0, 1\]/,
    ],
    ["a negative land cost", { lever: "landCostUsd", lowerBound: -1 }, "lowerBound", /within/],
    ["an unknown lever", { lever: "exitCap" }, "lever", /./],
    ["a tolerance of 0", { toleranceBps: 0 }, "toleranceBps", /more than 0/],
    ["0 iterations", { maxIterations: 0 }, "maxIterations", /at least 1/],
    [
      "a lower bound above the natural upper one",
      { lever: "landCostUsd", lowerBound: 5_000_000 },
      "lowerBound",
      /natural upper bound for landCostUsd is 3000000/,
    ],
  ])("%s → %s", async (_what, input, path, message) => {
    const err = await solve(input).catch((e) => e);
    expect(err).toBeInstanceOf(ModelInputError);
    const issue = (err as ModelInputError).issues.find((i) => i.path === path);
    expect(issue?.message, JSON.stringify((err as ModelInputError).issues)).toMatch(message);
  });
});
