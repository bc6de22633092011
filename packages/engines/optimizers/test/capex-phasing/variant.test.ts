import { parseInput } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { buildModel, buildVariant } from "../../src/capex-phasing/formulation.ts";
import { type CapexModelworksParsed, type CapexModelworksRaw, capexPhasingV2 } from "../../src/index.ts";
import { randomProgramme } from "./gen.ts";

const parse = (raw: CapexModelworksRaw) => parseInput(capexPhasingV2, raw) as CapexModelworksParsed;
/** Deep equality, key order included (JSON: ±Infinity read as null, so compared apart by toEqual). */
const same = (a: unknown, b: unknown) => {
  expect(a).toStrictEqual(b);
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
};

/**
 * The cash and capacity what-ifs derive their model from the base run's (formulation.ts
 * `buildVariant`) instead of building it again: it must be the very model a build gives.
 */
describe("capex-phasing: a what-if's model derived from the base model", () => {
  it("equals a fresh build for new cash caps and capacities, with and without carry-over", () => {
    let capacityRowsChanged = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const input = parse(
        randomProgramme(seed, 3 + (seed % 6), 6 + (seed % 10), {
          carryOver: seed % 2 === 0,
          parallel: seed % 7 === 0 ? null : 1 + (seed % 3),
          precedence: 0.3,
        }),
      );
      if (seed % 3 === 0) input.openingCash = 250_000;
      const base = buildModel(input);
      const H = input.horizonMonths;
      const caps = Array.from({ length: H }, (_, m) =>
        Array.isArray(input.monthlyCashCap) ? input.monthlyCashCap[m]! : input.monthlyCashCap,
      );
      const P = input.maxParallelProjects;
      const variants: CapexModelworksParsed[] = [
        { ...input, monthlyCashCap: caps.map((c) => Math.round(c * 1.1 * 100) / 100) },
        { ...input, monthlyCashCap: caps.map((c) => Math.round(c * 0.9 * 100) / 100) },
        { ...input, maxParallelProjects: P === null ? 2 : P + 1 },
        { ...input, maxParallelProjects: P === null ? 1 : Math.max(1, P - 1) },
        { ...input, maxParallelProjects: null },
      ];
      for (const v of variants) {
        const derived = buildVariant(base, v);
        expect(derived, `seed ${seed}`).not.toBeNull();
        const fresh = buildModel(v, { labels: false });
        same(derived, fresh);
        if (fresh.spec.constraints.length !== base.spec.constraints.length) capacityRowsChanged++;
        // Derived again from a derived model (what the what-if loop does not need, but may).
        same(buildVariant(derived!, input)!.spec, buildModel(input).spec);
      }
    }
    // The capacity what-ifs do add and drop rows in these programmes.
    expect(capacityRowsChanged).toBeGreaterThan(20);
  });

  it("declines a what-if that changes anything else", () => {
    const input = parse(randomProgramme(3, 5, 12, { carryOver: true, parallel: 2 }));
    const base = buildModel(input);
    const shifted = input.projects.map((p, i) => (i === 0 ? { ...p, earliestStartMonth: 1 } : p));
    expect(buildVariant(base, { ...input, projects: shifted })).toBeNull();
    expect(buildVariant(base, { ...input, horizonMonths: 11 })).toBeNull();
    expect(buildVariant(base, { ...input, cashCarryOver: false })).toBeNull();
    expect(buildVariant(base, { ...input, openingCash: 1 })).toBeNull();
    expect(buildVariant(base, { ...input, discountRateAnnual: 0.05 })).toBeNull();
    expect(buildVariant(base, { ...input, currency: "USD" })).toBeNull();
  });
});
