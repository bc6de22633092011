import { createContext, executeModel, ModelInputError, parseInput } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  checkLeasingPlan,
  evaluateLeasingPlan,
  type LeasingMixInputParsed,
  type LeasingMixInputRaw,
  leasingMixV2,
} from "../../src/index.ts";
import { hardInstance, randomInstance } from "./gen.ts";

const run = (input: LeasingMixInputRaw) => executeModel(leasingMixV2, input, createContext());
const units = (out: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(out.mix.map((m) => [m.packageId, m.units]));

const base = (over: Partial<LeasingMixInputRaw>): LeasingMixInputRaw => ({
  inventory: { unitsTotal: 100, vacantNow: 10 },
  packages: [{ id: "a", termMonths: 12, rentPerUnitAnnual: 12_000, incentivePerUnit: 1_000 }],
  occupancy: { target: 0.95, mode: "hard" },
  whatIf: { enabled: false },
  ...over,
});

/** The WAULT computed directly from its definition (rent-weighted remaining term), not from check.ts. */
function waultDirect(input: LeasingMixInputParsed, plan: Record<string, number>) {
  let num = 0;
  let den = 0;
  for (const l of input.inPlaceLeases) {
    num += l.units * l.rentPerUnitAnnual * l.remainingTermMonths;
    den += l.units * l.rentPerUnitAnnual;
  }
  for (const p of input.packages) {
    num += (plan[p.id] ?? 0) * p.rentPerUnitAnnual * p.termMonths;
    den += (plan[p.id] ?? 0) * p.rentPerUnitAnnual;
  }
  return den > 0 ? num / den : null;
}

describe("hand-checked cases", () => {
  it("one profitable package: lease every vacant unit; NCF = 10 × (12,000 − 1,000)", async () => {
    const out = await run(base({}));
    expect(out.status).toBe("optimal");
    expect(units(out)).toEqual({ a: 10 });
    expect(out.kpis).toMatchObject({
      ncf12: 110_000,
      occupancy: 1,
      unitsToTarget: 5,
      incentiveSpend: 10_000,
    });
    expect(out.binding).toContain("Vacant units");
  });

  it("rent-free months and start lag reduce the 12-month rent: 12,000 × (min(12 − 1, 24) − 2)/12 − 1,000 = 8,000 per unit", async () => {
    const out = await run(
      base({
        packages: [
          {
            id: "a",
            termMonths: 24,
            rentPerUnitAnnual: 12_000,
            incentivePerUnit: 1_000,
            rentFreeMonths: 2,
            startLagMonths: 1,
          },
        ],
      }),
    );
    expect(out.mix[0]!.ncf12PerUnit).toBe(8_000);
    expect(out.kpis!.ncf12).toBe(80_000);
  });

  it("budget and WAULT bind together: a = b = 5, NCF 75,000 (by hand: max 9,000a + 6,000b, 3,000a + 6,000b ≤ 45,000, b ≥ a)", async () => {
    const out = await run(
      base({
        packages: [
          { id: "short", termMonths: 12, rentPerUnitAnnual: 12_000, incentivePerUnit: 3_000 },
          { id: "long", termMonths: 36, rentPerUnitAnnual: 12_000, incentivePerUnit: 6_000 },
        ],
        occupancy: { target: 0, mode: "hard" },
        incentiveBudget: 45_000,
        minWaultMonths: 24,
      }),
    );
    expect(units(out)).toEqual({ short: 5, long: 5 });
    expect(out.kpis!.ncf12).toBe(75_000);
    expect(out.kpis!.waultMonths).toBe(24);
    expect(out.binding).toEqual(expect.arrayContaining(["Incentive budget", "WAULT target"]));
    expect(out.mip?.gap).toBe(0);
    expect(out.shadowPrices?.basis).toBe("mip-integers-fixed");
    expect(out.lpRelaxationPrices?.basis).toBe("lp-relaxation");
  });

  it("rent-weighted WAULT over in-place leases: 12 long leases lift 90 units at 6 months to ≥ 12 months (11 would not)", async () => {
    const input: LeasingMixInputRaw = base({
      inventory: { unitsTotal: 110, vacantNow: 20 },
      inPlaceLeases: [{ units: 90, rentPerUnitAnnual: 10_000, remainingTermMonths: 6 }],
      packages: [{ id: "long", termMonths: 60, rentPerUnitAnnual: 10_000, incentivePerUnit: 20_000 }],
      occupancy: { target: 0, mode: "hard" },
      minWaultMonths: 12,
    });
    const out = await run(input);
    expect(units(out)).toEqual({ long: 12 });
    expect(out.kpis!.ncf12).toBe(-120_000);
    const parsed = parseInput(leasingMixV2, input);
    expect(waultDirect(parsed, { long: 12 })).toBeCloseTo((5.4e6 + 7.2e6) / 1.02e6, 12);
    expect(waultDirect(parsed, { long: 11 })!).toBeLessThan(12);
    expect(out.kpis!.waultMonths).toBeCloseTo(waultDirect(parsed, { long: 12 })!, 12);
  });

  it("share caps are shares of the newly leased units (not of all units)", async () => {
    const out = await run(
      base({
        packages: [
          { id: "good", termMonths: 12, rentPerUnitAnnual: 20_000, incentivePerUnit: 0 },
          { id: "ok", termMonths: 12, rentPerUnitAnnual: 10_000, incentivePerUnit: 0 },
        ],
        maxSharePerPackage: 0.6,
      }),
    );
    expect(units(out)).toEqual({ good: 6, ok: 4 });
    expect(out.mix.find((m) => m.packageId === "good")!.shareOfNewLeases).toBeCloseTo(0.6, 12);
  });

  it("what-ifs are re-solves: budget ± step, WAULT ± 3 months, occupancy ± 5 points", async () => {
    const out = await run(
      base({
        inventory: { unitsTotal: 100, vacantNow: 20 },
        packages: [
          { id: "short", termMonths: 12, rentPerUnitAnnual: 12_000, incentivePerUnit: 3_000 },
          { id: "long", termMonths: 36, rentPerUnitAnnual: 12_000, incentivePerUnit: 6_000 },
        ],
        occupancy: { target: 0.85, mode: "soft" },
        incentiveBudget: 45_000,
        minWaultMonths: 24,
        whatIf: { incentiveBudgetStep: 9_000 },
      }),
    );
    expect(out.whatIf.map((w) => w.name)).toEqual([
      "budget-up",
      "budget-down",
      "wault-up",
      "wault-down",
      "occupancy-up",
      "occupancy-down",
    ]);
    for (const w of out.whatIf) {
      // Each answer is the optimum of the changed problem, checked by brute force here.
      const changed = parseInput(leasingMixV2, out.whatIf.length ? whatIfInput(w.parameter, w.to!) : {});
      expect(w.objective).toBeCloseTo(bruteForce(changed)!.objective, 6);
    }
    const up = out.whatIf.find((w) => w.name === "budget-up")!;
    expect(up.to).toBe(54_000);
    expect(up.deltaNcf12).toBeGreaterThan(0);

    function whatIfInput(parameter: string, to: number): LeasingMixInputRaw {
      const i: LeasingMixInputRaw = base({
        inventory: { unitsTotal: 100, vacantNow: 20 },
        packages: [
          { id: "short", termMonths: 12, rentPerUnitAnnual: 12_000, incentivePerUnit: 3_000 },
          { id: "long", termMonths: 36, rentPerUnitAnnual: 12_000, incentivePerUnit: 6_000 },
        ],
        occupancy: { target: 0.85, mode: "soft" },
        incentiveBudget: 45_000,
        minWaultMonths: 24,
      });
      if (parameter === "incentiveBudget") i.incentiveBudget = to;
      if (parameter === "minWaultMonths") i.minWaultMonths = to;
      if (parameter === "occupancy.target") i.occupancy = { ...i.occupancy, target: to };
      return i;
    }
  });
});

/** Every integer plan within the vacant units and demand limits, best feasible objective. */
function bruteForce(input: LeasingMixInputParsed) {
  const ps = input.packages;
  let best: { objective: number; plan: Record<string, number> } | null = null;
  const plan: Record<string, number> = {};
  const rec = (k: number, left: number) => {
    if (k === ps.length) {
      if (checkLeasingPlan(input, plan).length === 0) {
        const o = evaluateLeasingPlan(input, plan).objective;
        if (!best || o > best.objective + 1e-9) best = { objective: o, plan: { ...plan } };
      }
      return;
    }
    const p = ps[k]!;
    const hi = Math.min(left, p.demandUnits ?? left);
    for (let u = 0; u <= hi; u++) {
      plan[p.id] = u;
      rec(k + 1, left - u);
    }
  };
  rec(0, input.inventory.vacantNow);
  return best as { objective: number; plan: Record<string, number> } | null;
}

describe("random small instances against brute-force enumeration", () => {
  it.each(Array.from({ length: 40 }, (_, i) => [i + 1]))(
    "seed %i (soft and hard occupancy)",
    async (seed) => {
      for (const hard of [false, true]) {
        const raw = randomInstance(seed, 3, { hard });
        const input = parseInput(leasingMixV2, raw);
        const out = await executeModel(leasingMixV2, input, createContext());
        const best = bruteForce(input);
        if (!best) {
          expect(out.status, `seed ${seed} hard=${hard}`).toBe("infeasible");
          expect(out.infeasibility?.summary.length).toBeGreaterThan(0);
          continue;
        }
        expect(out.status, `seed ${seed} hard=${hard}`).toBe("optimal");
        expect(out.kpis!.objective).toBeCloseTo(best.objective, 4);
        // Independent re-check of the returned plan, and its WAULT from the definition.
        const plan = Object.fromEntries(input.packages.map((p) => [p.id, units(out)[p.id] ?? 0]));
        expect(checkLeasingPlan(input, plan)).toEqual([]);
        expect(out.verification).toEqual({ feasible: true, violations: [] });
        const w = waultDirect(input, plan);
        if (input.minWaultMonths !== null && w !== null)
          expect(w).toBeGreaterThanOrEqual(input.minWaultMonths - 1e-9);
        expect(out.kpis!.waultMonths ?? null).toBeCloseTo(w ?? Number.NaN, 9);
        if (hard) expect(out.kpis!.occupancy).toBeGreaterThanOrEqual(input.occupancy.target - 1e-12);
      }
    },
  );
});

describe("soft vs hard occupancy target", () => {
  const tight = (mode: "soft" | "hard", penalty?: number): LeasingMixInputRaw =>
    base({
      inventory: { unitsTotal: 100, vacantNow: 20 },
      packages: [{ id: "a", termMonths: 24, rentPerUnitAnnual: 12_000, incentivePerUnit: 5_000 }],
      occupancy: {
        target: 0.95,
        mode,
        ...(penalty !== undefined ? { shortfallPenaltyPerUnit: penalty } : {}),
      },
      incentiveBudget: 50_000, // 10 units, the target needs 15
    });

  it("hard: no plan; the IIS names the occupancy target and the budget; the smallest relaxation is computed", async () => {
    const out = await run(tight("hard"));
    expect(out.status).toBe("infeasible");
    expect(out.mix).toEqual([]);
    expect(out.infeasibility!.iis!.constraints.map((c) => c.constraint).sort()).toEqual(
      ["Incentive budget", "Occupancy target"].sort(),
    );
    const change = out.infeasibility!.relaxation!;
    expect(change).toHaveLength(1);
    // Weights: 5 units short cost 5; 25,000 AED of budget at 1/5,000 per AED also cost 5 — either is minimal.
    expect(
      (change[0]!.constraint === "Occupancy target" && change[0]!.required === 10) ||
        (change[0]!.constraint === "Incentive budget" && change[0]!.required === 75_000),
    ).toBe(true);
    expect(out.statusLabel).toMatch(/No plan satisfies/);
  });

  it("soft: a plan is always returned, with the shortfall and its penalty", async () => {
    const out = await run(tight("soft"));
    expect(out.status).toBe("optimal");
    expect(units(out)).toEqual({ a: 10 });
    expect(out.kpis).toMatchObject({ shortfallUnits: 5, ncf12: 70_000 });
    // Default penalty: rent + incentive of the package = 17,000 per unit short.
    expect(out.kpis!.objective).toBe(70_000 - 5 * 17_000);
    expect(out.notes.join(" ")).toMatch(/missed by 5 units/);
  });

  it("soft with a penalty below a unit's loss leaves units empty; hard mode forces them", async () => {
    const lossy: LeasingMixInputRaw = base({
      inventory: { unitsTotal: 100, vacantNow: 20 },
      packages: [{ id: "a", termMonths: 24, rentPerUnitAnnual: 12_000, incentivePerUnit: 20_000 }], // −8,000/unit
      occupancy: { target: 0.9, mode: "soft", shortfallPenaltyPerUnit: 5_000 },
    });
    const soft = await run(lossy);
    expect(soft.kpis).toMatchObject({ unitsLeased: 0, shortfallUnits: 10 });
    const hard = await run({ ...lossy, occupancy: { target: 0.9, mode: "hard" } });
    expect(hard.kpis).toMatchObject({ unitsLeased: 10, shortfallUnits: 0, ncf12: -80_000 });
  });
});

describe("bad input: field-level errors before solving", () => {
  async function issues(input: unknown) {
    const err = await executeModel(leasingMixV2, input, createContext()).catch((e) => e);
    expect(err).toBeInstanceOf(ModelInputError);
    return (err as ModelInputError).issues;
  }
  const pk = { id: "a", termMonths: 12, rentPerUnitAnnual: 1, incentivePerUnit: 0 };
  it.each([
    ["duplicate package ids", { packages: [pk, { ...pk }] }, "packages.1.id", /duplicate package id "a"/],
    [
      "a negative rent",
      { packages: [{ ...pk, rentPerUnitAnnual: -5 }] },
      "packages.0.rentPerUnitAnnual",
      /negative/,
    ],
    ["an occupancy target above 1", { occupancy: { target: 1.2 } }, "occupancy.target", /exceed 100%/],
    ["an occupancy target below 0", { occupancy: { target: -0.1 } }, "occupancy.target", /negative/],
    ["an empty package list", { packages: [] }, "packages", /at least one lease package/],
    [
      "more vacant units than units",
      { inventory: { unitsTotal: 5, vacantNow: 6 } },
      "inventory.vacantNow",
      /exceed/,
    ],
    ["a share cap above 1", { maxSharePerPackage: 1.5 }, "maxSharePerPackage", /exceed 100%/],
    [
      "fractional demand",
      { packages: [{ ...pk, demandUnits: 2.5 }] },
      "packages.0.demandUnits",
      /whole number/,
    ],
  ])("%s", async (_, over, path, message) => {
    const found = await issues({ ...base({}), ...over });
    expect(found.find((i) => i.path === path)?.message).toMatch(message);
  });
});

describe("time limit", () => {
  it("returns the best plan found with its gap, labelled as not proven optimal", async () => {
    // Timing-dependent by nature: try a few seeds and limits until HiGHS stops with an incumbent.
    let labelled = false;
    for (const [seed, limit] of [1, 2, 3, 4, 5].flatMap((s) =>
      [0.08, 0.15, 0.3].map((l) => [s, l] as const),
    )) {
      const out = await run({ ...hardInstance(450, seed), solver: { timeLimitSeconds: limit } });
      if (out.status === "no_plan") expect(out.statusLabel).toMatch(/No plan found/);
      if (out.status !== "time_limit") continue;
      labelled = true;
      expect(out.statusLabel).toMatch(/NOT proven optimal/);
      expect(out.mip!.label).toMatch(/Time limit .* best plan found, not proven optimal/);
      expect(out.mip!.gap).toBeGreaterThanOrEqual(0);
      expect(out.mix.length).toBeGreaterThan(0);
      expect(out.verification).toEqual({ feasible: true, violations: [] });
      break;
    }
    expect(labelled, "no time limit hit with a plan on this machine").toBe(true);
  });
});

describe("catalog declaration", () => {
  it("declares tables with units, is heavy, and offers the prototype format", () => {
    expect(leasingMixV2.heavy).toBe(true);
    expect(leasingMixV2.formats?.prototype).toBeDefined();
    const mix = leasingMixV2.tables!.find((t) => t.name === "mix")!;
    expect(mix.columns.find((c) => c.key === "termMonths")?.unit).toBe("months");
  });

  it("runs every example to a verified plan", async () => {
    for (const ex of leasingMixV2.examples) {
      const out = await run(ex.input);
      expect(out.status, ex.name).toBe("optimal");
      expect(out.verification?.feasible, ex.name).toBe(true);
    }
  });
});
