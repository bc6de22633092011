import { createContext, executeModel, ModelCanceledError, ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  calculateDealV2,
  incentiveCount,
  packageName,
  TifV2Input,
  type TifV2InputRaw,
  tifIncentiveMatrixModel,
  validPackages,
} from "../../src/index.ts";

/** The incentive matrix: the prototype's 15 packages per tier, each a real tif@2 run; the minimum package. */
const matrix = (input: unknown, ctx = createContext()) => executeModel(tifIncentiveMatrixModel, input, ctx);
const v2 = (raw: TifV2InputRaw) => calculateDealV2(TifV2Input.parse(raw));
const defaults = await matrix({});
const row = (name: string) => defaults.rows.find((r) => r.name === name)!;

describe("valid packages (the prototype's generate_combinations at HEAD)", () => {
  it("15 per tier, 45 for three, none empty, no lump sum with stream, no TIF with abatement", () => {
    expect(validPackages([2])).toHaveLength(15);
    const all = validPackages([1, 2, 3]);
    expect(all).toHaveLength(45);
    expect(new Set(all.map(packageName)).size).toBe(45);
    for (const p of all) {
      expect(incentiveCount(p)).toBeGreaterThan(0);
      expect(p.taxAbatement && p.tif !== "none").toBe(false);
    }
    expect(validPackages([2]).map(packageName).sort()).toEqual(
      [
        "T2-Fee-Abate-Buy",
        "T2-Fee-Abate",
        "T2-Fee-TIF-L-Buy",
        "T2-Fee-TIF-L",
        "T2-Fee-TIF-S-Buy",
        "T2-Fee-TIF-S",
        "T2-Fee-Buy",
        "T2-Fee",
        "T2-Abate-Buy",
        "T2-Abate",
        "T2-TIF-L-Buy",
        "T2-TIF-L",
        "T2-TIF-S-Buy",
        "T2-TIF-S",
        "T2-Buy",
      ].sort(),
    );
  });
});

describe("the matrix on the default project", () => {
  it("evaluates all 45 packages with real runs: 1 market + 45 mixed + 6 lump-sum sizing runs", () => {
    expect(defaults.rows).toHaveLength(45);
    expect(defaults.packagesEvaluated).toBe(45);
    expect(defaults.engineRuns).toBe(52);
    expect(defaults.rows.every((r) => r.error === null)).toBe(true);
    expect(defaults.rows.map((r) => r.rank)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    const gaps = defaults.rows.map((r) => r.leveredIrrGapBps!);
    expect(gaps).toEqual([...gaps].sort((a, b) => b - a));
  });

  it("each row equals an independent tif@2 run built by hand from the tier's terms", () => {
    const market = v2({});
    expect(defaults.market.leveredIrr).toBe(market.returns.leveredIrr);
    // Tier 3 abatement: 10% at 50% AMI, 100% of the city tax on the affordable share for 20 years.
    const abate = v2({
      scenario: "mixed_income",
      affordableShare: 0.1,
      amiLevel: "50%",
      tif: { treatment: "abatement", abatementShare: 1, abatementYears: 20 },
    });
    expect(row("T3-Abate").mixedLeveredIrr).toBe(abate.returns.leveredIrr);
    // Tier 1 stream with the buydown: 5% at 30% AMI, 100% of the increment for 20 years, 300 bps.
    const stream = v2({
      scenario: "mixed_income",
      affordableShare: 0.05,
      amiLevel: "30%",
      incentives: { tier: 1, interestBuydown: true },
      tif: { treatment: "stream", streamShare: 1, streamYears: 20 },
    });
    expect(row("T1-TIF-S-Buy").mixedLeveredIrr).toBe(stream.returns.leveredIrr);
    // Tier 2 lump sum with the fee waiver: the calculator on the mixed deal's own TDC.
    const pre = v2({ scenario: "mixed_income", incentives: { tier: 2, smartFeeWaiver: true } });
    const lump = ((pre.sourcesUses.tdcUsd - 5_000_000) * 0.00574) / 0.095;
    const withLump = v2({
      scenario: "mixed_income",
      incentives: { tier: 2, smartFeeWaiver: true },
      tif: { treatment: "lump_sum", lumpSumUsd: lump },
    });
    expect(row("T2-Fee-TIF-L").mixedLeveredIrr).toBe(withLump.returns.leveredIrr);
    expect(row("T2-Fee-TIF-L").leveredIrrGapBps).toBeCloseTo(
      (withLump.returns.leveredIrr! - market.returns.leveredIrr!) * 10_000,
      9,
    );
  });

  it("more incentive never lowers the mixed IRR: adding a fee waiver, an abatement, a lump sum or a stream", () => {
    const byName = new Map(defaults.rows.map((r) => [r.name, r]));
    let pairs = 0;
    for (const tier of [1, 2, 3])
      for (const buy of ["", "-Buy"])
        for (const tif of ["", "-Abate", "-TIF-L", "-TIF-S"]) {
          const without = byName.get(`T${tier}${tif}${buy}`);
          const withFee = byName.get(`T${tier}-Fee${tif}${buy}`)!;
          if (without) {
            expect(withFee.mixedLeveredIrr!, withFee.name).toBeGreaterThan(without.mixedLeveredIrr!);
            pairs++;
          }
          if (tif !== "")
            for (const fee of ["", "-Fee"]) {
              const base = byName.get(`T${tier}${fee}${buy}`);
              const more = byName.get(`T${tier}${fee}${tif}${buy}`)!;
              if (base) {
                expect(more.mixedLeveredIrr!, more.name).toBeGreaterThan(base.mixedLeveredIrr!);
                pairs++;
              }
            }
        }
    expect(pairs).toBe(48); // per tier: 7 fee pairs + 9 TIF-or-abatement pairs
  });

  it("the minimum package: fewest incentives, then lowest cost to the city", () => {
    const meeting = defaults.rows.filter((r) => r.meetsTarget);
    expect(defaults.packagesMeetingTarget).toBe(meeting.length);
    const min = defaults.minimum!;
    expect(min.meetsTarget).toBe(true);
    for (const r of meeting) {
      expect(r.incentiveCount).toBeGreaterThanOrEqual(min.incentiveCount);
      if (r.incentiveCount === min.incentiveCount)
        expect(r.cityCostUsd!).toBeGreaterThanOrEqual(min.cityCostUsd!);
    }
    // Pinned: on the defaults only tier 1 reaches +150 bps, and with one incentive only its stream does.
    expect(min.name).toBe("T1-TIF-S");
    expect(min.leveredIrrGapBps!).toBeCloseTo(199.69, 2);
    expect(meeting.map((r) => r.name).sort()).toEqual(
      [
        "T1-Fee-TIF-L",
        "T1-Fee-TIF-L-Buy",
        "T1-Fee-TIF-S",
        "T1-Fee-TIF-S-Buy",
        "T1-TIF-L-Buy",
        "T1-TIF-S",
        "T1-TIF-S-Buy",
      ].sort(),
    );
  });

  it("reports no minimum when nothing meets the target", async () => {
    const out = await matrix({ tiers: [2], targetIrrGapBps: 1000 });
    expect(out.rows).toHaveLength(15);
    expect(out.packagesMeetingTarget).toBe(0);
    expect(out.minimum).toBeNull();
  });
});

describe("packages a project cannot take", () => {
  it("a 2% permanent rate: tier 1's 300 bps buydown rows are reported with their error, the rest run", async () => {
    const out = await matrix({ tiers: [1, 2], project: { permRateAnnual: 0.02 } });
    const failed = out.rows.filter((r) => r.error !== null);
    expect(failed.map((r) => r.name).sort()).toEqual(
      out.rows
        .filter((r) => r.tier === 1 && r.interestBuydown)
        .map((r) => r.name)
        .sort(),
    );
    expect(failed).toHaveLength(8);
    for (const r of failed) {
      expect(r.leveredIrrGapBps).toBeNull();
      expect(r.meetsTarget).toBe(false);
      expect(r.error).toMatch(/permRateAnnual|0 or below/);
    }
    expect(failed.every((r) => r.rank > 22)).toBe(true);
  });
});

describe("progress and cancellation", () => {
  it("reports rising progress and stops when canceled", async () => {
    const seen: number[] = [];
    await matrix({ tiers: [3] }, createContext({ onProgress: (f) => seen.push(f) }));
    expect(seen.length).toBeGreaterThanOrEqual(15);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(1);
    const ac = new AbortController();
    let calls = 0;
    const ctx = createContext({
      signal: ac.signal,
      onProgress: () => {
        if (++calls === 3) ac.abort();
      },
    });
    await expect(matrix({}, ctx)).rejects.toBeInstanceOf(ModelCanceledError);
    expect(calls).toBe(3);
  });
});

describe("bad input", () => {
  it.each([
    ["no tiers", { tiers: [] }, "tiers", /at least one tier/],
    ["a tier twice", { tiers: [2, 2] }, "tiers", /twice/],
    ["tier 0", { tiers: [0] }, "tiers.0", /./],
    ["NaN target", { targetIrrGapBps: Number.NaN }, "targetIrrGapBps", /number/i],
    ["negative land", { project: { landCostUsd: -1 } }, "project.landCostUsd", /negative/],
    ["an engine (the matrix runs tif@2 only)", { engine: "tif@1" }, "(root)", /engine/],
  ])("%s → %s", async (_what, input, path, message) => {
    const err = await matrix(input).catch((e) => e);
    expect(err).toBeInstanceOf(ModelInputError);
    const issue = (err as ModelInputError).issues.find((i) => i.path === path);
    expect(issue?.message, JSON.stringify((err as ModelInputError).issues)).toMatch(message);
  });
});
