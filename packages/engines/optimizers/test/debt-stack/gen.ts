import { rng } from "../../src/common/rng.ts";
import type { DebtStackInputRaw } from "../../src/index.ts";

/** Random debt-stack inputs for the tests (seeded): small ones for brute force, large ones for limits. */

/**
 * 2–4 tranches (fixed or floating, IO then amortizing, fees), 2–3 years, 1–2 rate scenarios,
 * covenants drawn at random; with `switched`, some tranches get a minimum size and/or a fixed fee.
 */
export function randomInstance(seed: number, opts: { switched: boolean }): DebtStackInputRaw {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const price = 10_000_000;
  const years = pick([2, 3]);
  const nT = pick([2, 3, 4]);
  const ltv = pick([0.6, 0.7, 0.8]);
  const tranches = Array.from({ length: nT }, (_, k) => {
    const fixed = r() < 0.5;
    const maxShare = pick([0.2, 0.3, 0.4, 0.5]);
    const t: Record<string, unknown> = {
      id: `t${k}`,
      rateType: fixed ? "fixed" : "floating",
      ...(fixed ? { fixedRate: 0.04 + 0.04 * r() } : { spread: 0.01 + 0.04 * r() }),
      maxShare,
      termMonths: 12 * years,
      ioMonths: pick([0, 12]),
      amortizationMonths: pick([null, 240, 300]),
      upfrontFee: pick([0, 0.005, 0.01]),
    };
    if (opts.switched) {
      if (r() < 0.6) t.minAmount = Math.round(Math.min(maxShare, ltv) * price * (0.3 + 0.6 * r()));
      if (r() < 0.6) t.fixedFee = Math.round(20_000 + 180_000 * r());
    }
    return t;
  });
  const floating = tranches.filter((t) => t.rateType === "floating");
  const scen = pick([1, 2]);
  return {
    purchasePrice: price,
    closingCosts: pick([0, 200_000]),
    equityAvailable: price * (0.25 + 0.4 * r()),
    equityCostRate: pick([0, 0.08, 0.15]),
    noi: Array.from({ length: years }, () => 700_000 + 500_000 * r()),
    targets: {
      maxLtv: ltv,
      minDscr: r() < 0.6 ? pick([1.2, 1.3]) : null,
      minDebtYield: r() < 0.3 ? 0.07 : null,
      minFixedShare: r() < 0.5 ? pick([0.3, 0.5]) : 0,
    },
    tranches: tranches as DebtStackInputRaw["tranches"],
    rateScenarios: Array.from({ length: scen }, (_, s) => ({
      id: `s${s}`,
      weight: 0.3 + r(),
      indexRate: Array.from({ length: years }, () => 0.02 + 0.04 * r()),
    })),
    hedges:
      floating.length > 0 && r() < 0.6
        ? [
            {
              id: "swap",
              type: "swap",
              fixedRate: 0.035,
              tenorYears: years,
              trancheId: r() < 0.6 ? (floating[0]!.id as string) : null,
            },
            { id: "cap", type: "cap", strike: 0.045, premiumRate: 0.002, tenorYears: 1 },
          ]
        : [],
    objective: r() < 0.7 ? "expected" : "worst-case",
    whatIf: { enabled: false },
  };
}

/**
 * Many on/off tranches (each with a minimum and a fee) competing to fund 70M: a fixed-charge
 * covering problem on which HiGHS needs some branching, so short limits stop it mid-search.
 */
export function manyTranches(seed: number, n: number): DebtStackInputRaw {
  const r = rng(seed);
  const price = 100_000_000;
  return {
    purchasePrice: price,
    equityAvailable: 30_000_000,
    noi: Array.from({ length: 10 }, () => 9_000_000),
    targets: { maxLtv: 0.75 },
    tranches: Array.from({ length: n }, (_, k) => {
      const maxShare = 0.05 + 0.15 * r();
      return {
        id: `T${k}`,
        rateType: "fixed",
        fixedRate: 0.04 + 0.04 * r(),
        maxShare,
        termMonths: 120,
        minAmount: Math.round(maxShare * price * (0.3 + 0.6 * r())),
        fixedFee: Math.round(50_000 + 400_000 * r()),
      };
    }) as DebtStackInputRaw["tranches"],
    whatIf: { enabled: false },
  };
}
