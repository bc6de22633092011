import { rng } from "../../src/common/rng.ts";
import type { LeasingMixInputRaw } from "../../src/leasing-mix/schema.ts";

/** A random leasing instance with `n` packages (seeded). */
export function randomInstance(
  seed: number,
  n: number,
  o: { vacant?: number; hard?: boolean; inPlace?: boolean } = {},
): LeasingMixInputRaw {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const vacant = o.vacant ?? int(2, 6);
  const occupied = int(5, 40);
  const terms = [6, 12, 24, 36, 48, 60];
  const packages = Array.from({ length: n }, (_, i) => ({
    id: `p${i + 1}`,
    termMonths: terms[int(0, terms.length - 1)]!,
    rentPerUnitAnnual: int(40, 120) * 1000,
    incentivePerUnit: int(0, 30) * 1000,
    rentFreeMonths: int(0, 3),
    startLagMonths: int(0, 2),
    leasingCostPerUnit: int(0, 3) * 500,
    demandUnits: r() < 0.5 ? int(1, vacant) : null,
    maxShare: r() < 0.2 ? int(3, 9) / 10 : null,
  }));
  return {
    inventory: { unitsTotal: occupied + vacant, vacantNow: vacant },
    inPlaceLeases:
      o.inPlace === false
        ? []
        : [
            {
              units: Math.max(1, occupied - 2),
              rentPerUnitAnnual: int(40, 100) * 1000,
              remainingTermMonths: int(3, 40),
            },
          ],
    packages,
    occupancy: { target: int(80, 100) / 100, mode: o.hard ? "hard" : "soft" },
    incentiveBudget: r() < 0.8 ? int(0, vacant * 20) * 1000 : null,
    minWaultMonths: r() < 0.7 ? int(6, 36) : null,
    maxSharePerPackage: int(4, 10) / 10,
    whatIf: { enabled: false },
  };
}

/**
 * A strongly correlated multi-knapsack (NCF = 10,000 + incentive per unit, one unit of demand per
 * package, budget = half of all incentives, a WAULT row): slow for branch and bound to prove.
 */
export function hardInstance(n: number, seed: number): LeasingMixInputRaw {
  const r = rng(seed);
  const packages = Array.from({ length: n }, (_, i) => {
    const inc = 10_000 + Math.floor(r() * 90_000);
    return {
      id: `p${i}`,
      termMonths: 6 + Math.floor(r() * 55),
      rentPerUnitAnnual: inc + 10_000,
      incentivePerUnit: inc,
      demandUnits: 1,
    };
  });
  const budget = Math.floor(packages.reduce((s, p) => s + p.incentivePerUnit, 0) / 2) + 0.5;
  return {
    inventory: { unitsTotal: 2 * n, vacantNow: n },
    packages,
    occupancy: { target: 0, mode: "soft" },
    incentiveBudget: budget,
    minWaultMonths: 33.3,
    whatIf: { enabled: false },
  };
}
