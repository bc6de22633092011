import { createContext, executeModel, ModelInputError, parseInput } from "@modelworks/model-kit";
import { solveInThisThread } from "@modelworks/solver";
import { describe, expect, it } from "vitest";
import { rng } from "../../src/common/rng.ts";
import { generateDeals } from "../../src/deal-picker/generate.ts";
import {
  buildModel,
  checkPlan,
  DealPickerInput,
  type DealPickerInputRaw,
  dealPickerV2,
  planObjective,
  prepare,
  runDealPicker,
} from "../../src/index.ts";

const M = 1_000_000;
const run = (raw: DealPickerInputRaw) =>
  runDealPicker(DealPickerInput.parse({ whatIf: { enabled: false }, solver: { mipRelGap: 0 }, ...raw }));
const ids = (out: Awaited<ReturnType<typeof run>>) => out.selection.map((s) => s.id);
const noCosts = { transactionCostRate: 0, vacancyHaircut: 0 };

describe("deal-picker: hand-checked small cases", () => {
  const ABC: DealPickerInputRaw["deals"] = [
    { id: "A", askPrice: 6 * M, noi: 600_000, sector: "Office", city: "Downtown" },
    { id: "B", askPrice: 5 * M, noi: 450_000, sector: "Residential", city: "Marina" },
    { id: "C", askPrice: 5 * M, noi: 450_000, sector: "Residential", city: "JVC" },
  ];

  it("whole deals: a knapsack, not the greedy ratio pick (B + C = 900,000 beats A = 600,000)", async () => {
    const out = await run({ budget: 10 * M, deals: ABC, assumptions: noCosts });
    expect(ids(out)).toEqual(["B", "C"]);
    expect(out.kpis!.noi).toBeCloseTo(900_000, 6);
    expect(out.model.kind).toBe("mip");
    expect(out.status).toBe("optimal");
    expect(out.mip!.gap).toBeLessThanOrEqual(1e-9);
  });

  it("fractional: A whole (10 %) then 4M of the 9 % deals = 960,000; budget price 0.09 per AED", async () => {
    const out = await run({ budget: 10 * M, deals: ABC, assumptions: noCosts, selection: "fractional" });
    expect(out.kpis!.noi).toBeCloseTo(960_000, 6);
    expect(out.model.kind).toBe("lp");
    const budget = out.constraints.find((c) => c.kind === "budget")!;
    expect(budget.binding).toBe(true);
    expect(budget.shadowPrice).toBeCloseTo(0.09, 12);
    expect(budget.priceUnit).toBe("AED/yr per AED");
    // The price holds for this basis from 6M (only A fits) to 11M (A and the basic 9 % deal
    // fully bought: the basis changes there, though the next deal happens to yield 9 % too).
    expect(budget.validFrom).toBeCloseTo(6 * M, 3);
    expect(budget.validTo).toBeCloseTo(11 * M, 3);
    expect(out.shadowPrices.basis).toBe("lp");
  });

  it("all-in cost = price × (1 + τ) + capex; NOI after vacancy", async () => {
    const deal = { id: "X", askPrice: 10 * M, noi: 1 * M, sector: "Office", city: "DIFC", capex: 500_000 };
    const a = { transactionCostRate: 0.04, vacancyHaircut: 0.1 };
    const tooSmall = await run({ budget: 10_899_999, deals: [deal], assumptions: a });
    expect(tooSmall.selection).toEqual([]);
    const enough = await run({ budget: 10_900_000, deals: [deal], assumptions: a });
    expect(enough.kpis!.capitalUsed).toBeCloseTo(10_900_000, 6);
    expect(enough.kpis!.noi).toBeCloseTo(900_000, 6);
    expect(enough.kpis!.yield).toBeCloseTo(900_000 / 10_900_000, 12);
    // A per-deal rate overrides the assumption.
    const own = await run({
      budget: 20 * M,
      deals: [{ ...deal, transactionCostRate: 0.08, vacancyHaircut: 0 }],
      assumptions: a,
    });
    expect(own.kpis!.capitalUsed).toBeCloseTo(11_300_000, 6);
    expect(own.kpis!.noi).toBeCloseTo(1 * M, 6);
  });

  const AB: DealPickerInputRaw["deals"] = [
    { id: "A", askPrice: 10 * M, noi: 1_000_000, sector: "Residential", city: "Marina", riskScore: 4 },
    { id: "B", askPrice: 10 * M, noi: 800_000, sector: "Office", city: "Downtown", riskScore: 1 },
  ];

  it("objectives: max NOI buys both, max yield only A (10 %), hurdle 9 % only A, risk-adjusted B", async () => {
    const base = { budget: 20 * M, deals: AB, assumptions: noCosts };
    expect(ids(await run({ ...base, objective: "max-noi" }))).toEqual(["A", "B"]);
    const y = await run({ ...base, objective: "max-yield" });
    expect(ids(y)).toEqual(["A"]);
    expect(y.kpis!.objective).toBeCloseTo(0.1, 12);
    expect(y.model.dinkelbachIterations).toBeGreaterThanOrEqual(2);
    const y2 = await run({ ...base, objective: "max-yield", minAssets: 2 });
    expect(y2.kpis!.objective).toBeCloseTo(0.09, 12);
    const h = await run({ ...base, objective: "noi-above-hurdle", hurdleRate: 0.09 });
    expect(ids(h)).toEqual(["A"]);
    expect(h.kpis!.objective).toBeCloseTo(100_000, 6);
    const r = await run({ ...base, budget: 10 * M, objective: "risk-adjusted", riskPenaltyPerPoint: 0.01 });
    expect(ids(r)).toEqual(["B"]); // A: 1.0M − 0.01·4·10M = 0.6M; B: 0.8M − 0.1M = 0.7M
    expect(r.kpis!.objective).toBeCloseTo(700_000, 6);
  });

  it("max-yield fractional (Dinkelbach on the LP) equals the Charnes–Cooper optimum", async () => {
    const deals = [
      ...AB,
      { id: "C", askPrice: 4 * M, noi: 380_000, sector: "Residential", city: "JVC", riskScore: 2 },
    ];
    // Residential ≤ 50 % of deployed capital: the best ratio mixes A (10 %) with B (8 %) or C (9.5 %).
    const out = await run({
      budget: 30 * M,
      deals,
      assumptions: noCosts,
      selection: "fractional",
      objective: "max-yield",
      caps: { basis: "deployed", sector: { Residential: 0.5 } },
    });
    // Best: A (Resi 10M) needs ≥ 10M non-Resi: B at 8 % → (1.0 + 0.8)/20 = 9 %.
    expect(out.kpis!.objective).toBeCloseTo(0.09, 9);
    expect(out.check.feasible).toBe(true);
  });

  it("caps as shares of capital deployed vs of the budget", async () => {
    const deals = [
      { id: "R1", askPrice: 10 * M, noi: 1_000_000, sector: "Residential", city: "Marina" },
      { id: "O1", askPrice: 10 * M, noi: 700_000, sector: "Office", city: "Downtown" },
    ];
    const base = { budget: 15 * M, deals, assumptions: noCosts };
    const deployed = await run({ ...base, caps: { basis: "deployed", sector: { Residential: 0.5 } } });
    expect(ids(deployed)).toEqual(["O1"]); // R1 alone would be 100 % residential
    const budget = await run({ ...base, caps: { basis: "budget", sector: { Residential: 0.7 } } });
    expect(ids(budget)).toEqual(["R1"]); // 10M ≤ 0.7 × 15M
    const cap = budget.constraints.find((c) => c.kind === "sector-cap")!;
    expect(cap.limit).toBeCloseTo(10.5 * M, 6);
    expect(cap.activity).toBeCloseTo(10 * M, 6);
    // Deployed: shown as capital in the sector against α × deployed.
    const both = await run({
      ...base,
      budget: 20 * M,
      caps: { basis: "deployed", sector: { Residential: 0.5 } },
    });
    const row = both.constraints.find((c) => c.kind === "sector-cap")!;
    expect(row.activity).toBeCloseTo(10 * M, 6);
    expect(row.limit).toBeCloseTo(10 * M, 6);
    expect(row.binding).toBe(true);
  });

  it("single-asset cap, min/max assets, must-buy and excluded", async () => {
    const deals: DealPickerInputRaw["deals"] = [
      { id: "BIG", askPrice: 30 * M, noi: 3_300_000, sector: "Office", city: "DIFC" },
      { id: "S1", askPrice: 10 * M, noi: 800_000, sector: "Retail", city: "JLT" },
      { id: "S2", askPrice: 10 * M, noi: 750_000, sector: "Retail", city: "JLT" },
      { id: "S3", askPrice: 10 * M, noi: 700_000, sector: "Residential", city: "JVC" },
    ];
    const base = { budget: 40 * M, deals, assumptions: noCosts };
    expect(ids(await run(base))).toEqual(["BIG", "S1"]);
    expect(ids(await run({ ...base, caps: { basis: "deployed", singleAsset: 0.5 } }))).toEqual([
      "S1",
      "S2",
      "S3",
    ]);
    expect(ids(await run({ ...base, maxAssets: 1 }))).toEqual(["BIG"]);
    expect(ids(await run({ ...base, minAssets: 3 }))).toEqual(["S1", "S2", "S3"]);
    const must = await run({
      ...base,
      deals: deals.map((d) => (d.id === "S3" ? { ...d, mustBuy: true } : d)),
    });
    expect(ids(must)).toEqual(["BIG", "S3"]);
    const excl = await run({
      ...base,
      deals: deals.map((d) => (d.id === "BIG" ? { ...d, excluded: true } : d)),
    });
    expect(ids(excl)).toEqual(["S1", "S2", "S3"]);
    // Fractional with counts: indicator variables, and shares below minFraction never count.
    const frac = await run({ ...base, selection: "fractional", maxAssets: 2, minFraction: 0.2 });
    expect(frac.model.kind).toBe("mip");
    expect(frac.selection.length).toBeLessThanOrEqual(2);
    expect(frac.check.feasible).toBe(true);
  });
});

describe("deal-picker: infeasibility, what-ifs, time limit", () => {
  it("explains an infeasible request by the IIS and the smallest relaxation", async () => {
    const out = await run({
      budget: 10 * M,
      assumptions: noCosts,
      deals: [
        { id: "TOWER", askPrice: 12 * M, noi: 900_000, sector: "Office", city: "DIFC", mustBuy: true },
        { id: "SHOP", askPrice: 3 * M, noi: 240_000, sector: "Retail", city: "JLT" },
      ],
    });
    expect(out.status).toBe("infeasible");
    expect(out.kpis).toBeNull();
    const inf = out.infeasibility!;
    expect(inf.conflicting.some((c) => c.startsWith("Budget"))).toBe(true);
    expect(inf.conflicting).toContain("must-buy TOWER");
    expect(inf.relaxation).toHaveLength(1);
    expect(inf.relaxation[0]).toMatchObject({ name: "Budget", from: 10 * M });
    expect(inf.relaxation[0]!.to).toBeCloseTo(12 * M, 3);
    expect(inf.summary).toMatch(/raise Budget from 10,000,000 to 12,000,000 AED/);
  });

  it("too few deals for minAssets after exclusions: the count row conflicts", async () => {
    const out = await run({
      budget: 100 * M,
      minAssets: 2,
      deals: [
        { id: "A", askPrice: 5 * M, noi: 400_000, sector: "Office", city: "DIFC" },
        { id: "B", askPrice: 5 * M, noi: 400_000, sector: "Office", city: "DIFC", excluded: true },
      ],
    });
    expect(out.status).toBe("infeasible");
    expect(out.infeasibility!.conflicting.some((c) => c.startsWith("Min assets"))).toBe(true);
    expect(out.infeasibility!.relaxation[0]).toMatchObject({ name: "Min assets", from: 2, to: 1 });
  });

  it("what-ifs are re-solves: budget ± step and binding caps ± 5 points", async () => {
    const ex = dealPickerV2.examples.find((e) => e.name === "dubai-whole-deals")!;
    const raw = {
      ...ex.input,
      selection: "fractional" as const,
      maxAssets: undefined,
      caps: { basis: "deployed" as const, sector: { Residential: 0.2 } },
    };
    const out = await runDealPicker(DealPickerInput.parse(raw));
    expect(out.binding).toContain("Sector cap: Residential");
    const q = out.whatIf.map((w) => w.parameter);
    expect(q).toEqual(expect.arrayContaining(["budget", "caps.sector.Residential"]));
    for (const w of out.whatIf) {
      // Re-solve independently and compare.
      const changed = DealPickerInput.parse(raw);
      if (w.parameter === "budget") changed.budget = w.to;
      else changed.caps.sector.Residential = w.to;
      changed.whatIf.enabled = false;
      const again = await runDealPicker(changed);
      expect(w.objective).toBeCloseTo(again.kpis!.objective, 3);
      expect(w.deltaObjective).toBeCloseTo(again.kpis!.objective - out.kpis!.objective, 3);
    }
  });

  it("a time limit returns the best plan found with its gap, labelled", async () => {
    // Hard to prove: 1,500 near-identical yields, a count and single-asset rows, no gap tolerance.
    const g = generateDeals(1500, 11, 0.3);
    for (const d of g.deals) d.noi = Math.round(d.askPrice * 0.07) + (d.askPrice % 1009);
    const out = await runDealPicker(
      DealPickerInput.parse({
        ...g,
        assumptions: noCosts,
        caps: { basis: "budget", sector: { Residential: 0.3, Office: 0.3 }, city: { "Downtown Dubai": 0.2 } },
        minAssets: 20,
        whatIf: { enabled: false },
        solver: { timeLimitSeconds: 0.3, mipRelGap: 0 },
      }),
    );
    if (out.status === "time_limit") {
      expect(out.kpis).not.toBeNull();
      expect(out.statusLabel).toMatch(/^Time limit reached: this is the best plan found, not proven optimal/);
      expect(out.mip!.gap).not.toBeNull();
      expect(out.check.feasible).toBe(true);
    } else {
      // Solved (or nothing found) within the limit: then it must say so.
      expect(["optimal", "no_solution"]).toContain(out.status);
      if (out.status === "no_solution") expect(out.statusLabel).toMatch(/time limit/);
    }
    expect(out.status).not.toBe("infeasible");
  });
});

describe("deal-picker: strong duality and brute force", () => {
  it("LP results satisfy strong duality: Σ price·limit + Σ reduced cost·x = objective (25 random LPs)", async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const r = rng(seed);
      const g = generateDeals(8 + Math.floor(r() * 30), 100 + seed, 0.15 + 0.4 * r());
      const input = DealPickerInput.parse({
        ...g,
        selection: "fractional",
        objective: (["max-noi", "noi-above-hurdle", "risk-adjusted"] as const)[seed % 3],
        hurdleRate: 0.06,
        caps: {
          basis: seed % 2 ? "budget" : "deployed",
          sector: { Residential: 0.2 + 0.3 * r() },
          city: { "Dubai Marina": 0.2 + 0.2 * r() },
          ...(seed % 4 === 0 ? { singleAsset: 0.3 } : {}),
        },
      });
      const built = buildModel(prepare(input));
      const spec = built.builder.build();
      const res = await solveInThisThread(spec, {});
      expect(res.status).toBe("optimal");
      expect(res.duals!.basis).toBe("lp");
      let dual = 0;
      for (const c of res.duals!.constraints) dual += c.pricePerUnit * c.limitValue;
      for (const v of res.duals!.variables) dual += v.reducedCost * v.value;
      expect(Math.abs(dual - res.objective!)).toBeLessThanOrEqual(
        1e-6 * Math.max(1, Math.abs(res.objective!)),
      );
      // Dual feasibility of the max problem: prices of ≤ rows are ≥ 0, of ≥ rows ≤ 0.
      for (const c of res.duals!.constraints) {
        if (c.limit === "upper") expect(c.pricePerUnit).toBeGreaterThanOrEqual(-1e-9);
        if (c.limit === "lower") expect(c.pricePerUnit).toBeLessThanOrEqual(1e-9);
      }
      // And the engine's own plan re-checks as feasible.
      const out = await runDealPicker({ ...input, whatIf: { ...input.whatIf, enabled: false } });
      expect(out.check).toMatchObject({ feasible: true });
      expect(out.kpis!.objective).toBeCloseTo(res.objective!, 4);
    }
  });

  it("binary model = brute-force enumeration on 60 random instances (≤ 12 deals, every objective)", async () => {
    let infeasible = 0;
    let fixedByReducedCost = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(1000 + seed);
      const n = 3 + Math.floor(r() * 10); // 3…12
      const g = generateDeals(n, 2000 + seed, 0.2 + 0.5 * r());
      g.deals = g.deals.map((d) => ({
        ...d,
        mustBuy: r() < 0.08,
        excluded: false,
        ...(r() < 0.3 ? { transactionCostRate: 0.01 + 0.07 * r() } : {}),
      }));
      g.deals = g.deals.map((d) => (!d.mustBuy && r() < 0.08 ? { ...d, excluded: true } : d));
      const objective = (["max-noi", "noi-above-hurdle", "max-yield", "risk-adjusted"] as const)[seed % 4]!;
      const input = DealPickerInput.parse({
        ...g,
        objective,
        hurdleRate: 0.06,
        riskPenaltyPerPoint: 0.004,
        assumptions: { transactionCostRate: 0.02 + 0.05 * r(), vacancyHaircut: 0.1 * r() },
        costTreatment: seed % 7 === 0 ? "budget-haircut" : "per-deal",
        caps: {
          basis: seed % 2 ? "deployed" : "budget",
          sector: r() < 0.6 ? { Residential: 0.3 + 0.4 * r(), Office: 0.3 + 0.4 * r() } : {},
          city: r() < 0.4 ? { "Dubai Marina": 0.3 + 0.3 * r() } : {},
          ...(r() < 0.3 ? { singleAsset: 0.3 + 0.5 * r() } : {}),
        },
        ...(r() < 0.3 ? { minAssets: 1 + Math.floor(r() * 3) } : {}),
        ...(r() < 0.3 ? { maxAssets: 2 + Math.floor(r() * 4) } : {}),
        whatIf: { enabled: false },
        solver: { mipRelGap: 0 },
      });
      if (input.minAssets !== undefined && input.maxAssets !== undefined && input.minAssets > input.maxAssets)
        input.maxAssets = input.minAssets;
      // Brute force over all 2^n subsets with the independent checker.
      let best: number | null = null;
      for (let mask = 0; mask < 1 << n; mask++) {
        const shares = Object.fromEntries(input.deals.map((d, i) => [d.id, (mask >> i) & 1]));
        if (!checkPlan(input, shares, 1e-9).feasible) continue;
        const v = planObjective(input, shares);
        if (v === null) continue;
        if (best === null || v > best) best = v;
      }
      const out = await runDealPicker(input);
      // The same with reduced-cost fixing forced to prove (only one deal left free by the
      // restriction): must find the same optimum.
      const proved = await runDealPicker(input, { tuning: { reducedCostFixing: { freeIntegers: 1 } } });
      expect(proved.status, `seed ${seed}`).toBe(out.status);
      if (out.kpis) expect(proved.kpis!.objective).toBeCloseTo(out.kpis.objective, 9);
      fixedByReducedCost += proved.mip?.reducedCostFixing?.fixed ?? 0;
      if (best === null) {
        // No feasible subset (with a defined objective): the engine must not claim a plan that
        // beats it. For max-yield the empty plan is feasible but has no yield.
        if (out.kpis)
          expect(
            checkPlan(input, Object.fromEntries(out.selection.map((s) => [s.id, s.share]))).feasible,
          ).toBe(true);
        if (objective !== "max-yield") {
          expect(out.status).toBe("infeasible");
          infeasible++;
        }
        continue;
      }
      expect(out.kpis, `seed ${seed}`).not.toBeNull();
      expect(out.check.feasible, `seed ${seed}: ${out.check.violations.join("; ")}`).toBe(true);
      const got = out.kpis!.objective;
      expect(Math.abs(got - best), `seed ${seed} ${objective}: ${got} vs ${best}`).toBeLessThanOrEqual(
        1e-6 * Math.max(1, Math.abs(best)),
      );
    }
    expect(infeasible).toBeLessThan(30);
    expect(fixedByReducedCost).toBeGreaterThan(20);
  });

  it("reduced-cost fixing is exact: same optimum as the plain MIP on 10 random pipelines of 50–150 deals", async () => {
    let fixed = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = rng(7000 + seed);
      const g = generateDeals(50 + Math.floor(r() * 100), 8000 + seed, 0.1 + 0.3 * r());
      const input = DealPickerInput.parse({
        ...g,
        objective: (["max-noi", "noi-above-hurdle", "risk-adjusted", "max-yield"] as const)[seed % 4],
        hurdleRate: 0.06,
        riskPenaltyPerPoint: 0.004,
        caps: {
          basis: seed % 2 ? "deployed" : "budget",
          sector: { Residential: 0.3 + 0.2 * r(), Office: 0.25 + 0.2 * r() },
          city: { "Dubai Marina": 0.2 + 0.2 * r() },
          ...(seed % 3 === 0 ? { singleAsset: 0.1 + 0.1 * r() } : {}),
        },
        ...(seed % 5 === 0 ? { maxAssets: 5 + Math.floor(r() * 10) } : {}),
        whatIf: { enabled: false },
        solver: { mipRelGap: 0, timeLimitSeconds: 60 },
      });
      const plain = await runDealPicker(input, { tuning: { reducedCostFixing: false } });
      for (const freeIntegers of [3, undefined]) {
        const out = await runDealPicker(input, {
          tuning: { reducedCostFixing: freeIntegers === undefined ? true : { freeIntegers } },
        });
        expect(out.status, `seed ${seed}`).toBe("optimal");
        expect(out.check.feasible, `seed ${seed}: ${out.check.violations.join("; ")}`).toBe(true);
        const a = out.kpis!.objective;
        const b = plain.kpis!.objective;
        expect(Math.abs(a - b), `seed ${seed} free ${freeIntegers}: ${a} vs ${b}`).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(b)),
        );
        fixed += out.mip?.reducedCostFixing?.fixed ?? 0;
      }
    }
    expect(fixed).toBeGreaterThan(200);
  }, 240_000);
});

describe("deal-picker: bad input is rejected field by field before solving", () => {
  const ok: DealPickerInputRaw = {
    budget: 10 * M,
    deals: [{ id: "A", askPrice: 5 * M, noi: 400_000, sector: "Office", city: "DIFC" }],
  };
  const issues = (raw: unknown) => {
    try {
      parseInput(dealPickerV2, raw);
    } catch (e) {
      if (e instanceof ModelInputError) return e.issues;
      throw e;
    }
    return [];
  };

  it.each([
    ["an empty deal list", { ...ok, deals: [] }, "deals", /at least one deal/],
    [
      "a negative price",
      { ...ok, deals: [{ ...ok.deals[0]!, askPrice: -1 }] },
      "deals.0.askPrice",
      /more than 0/,
    ],
    ["a zero budget", { ...ok, budget: 0 }, "budget", /more than 0/],
    ["negative NOI", { ...ok, deals: [{ ...ok.deals[0]!, noi: -5 }] }, "deals.0.noi", /negative/],
    ["a sector cap above 1", { ...ok, caps: { sector: { Office: 1.2 } } }, "caps.sector.Office", /exceed 1/],
    ["a city cap below 0", { ...ok, caps: { city: { DIFC: -0.1 } } }, "caps.city.DIFC", /negative/],
    ["a single-asset cap above 1", { ...ok, caps: { singleAsset: 2 } }, "caps.singleAsset", /exceed 1/],
    [
      "duplicate ids",
      { ...ok, deals: [ok.deals[0]!, { ...ok.deals[0]! }] },
      "deals.1.id",
      /duplicate deal id "A" \(also deals\.0\.id\)/,
    ],
    [
      "a risk score above 5",
      { ...ok, deals: [{ ...ok.deals[0]!, riskScore: 6 }] },
      "deals.0.riskScore",
      /0 to 5/,
    ],
    [
      "must-buy and excluded",
      { ...ok, deals: [{ ...ok.deals[0]!, mustBuy: true, excluded: true }] },
      "deals.0.excluded",
      /both/,
    ],
    [
      "min above max assets",
      { ...ok, deals: [...ok.deals, { ...ok.deals[0]!, id: "B" }], minAssets: 2, maxAssets: 1 },
      "minAssets",
      /exceed maxAssets/,
    ],
    ["an unknown objective", { ...ok, objective: "target_yield" }, "objective", /./],
    // Issue 19 (found by the API fuzz suite): a 1e-308 price passed "more than 0", and the
    // yield NOI / price overflowed to ∞ — an invalid result, reported as an engine defect.
    [
      "a price of 1e-308",
      { ...ok, deals: [{ ...ok.deals[0]!, askPrice: 1e-308 }] },
      "deals.0.askPrice",
      /at least 0\.01/,
    ],
    ["a budget of 1e308", { ...ok, budget: 1e308 }, "budget", /at most 1,000,000,000,000/],
  ])("%s", (_label, raw, path, message) => {
    const found = issues(raw);
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)!.message).toMatch(message);
  });

  it("runs through the platform (executeModel) and every example is valid and feasible", async () => {
    for (const ex of dealPickerV2.examples) {
      const out = await executeModel(dealPickerV2, ex.input, createContext());
      expect(out.status, ex.name).toBe("optimal");
      expect(out.check.feasible, ex.name).toBe(true);
      expect(out.whatIf.length, ex.name).toBeGreaterThanOrEqual(2);
    }
    await expect(executeModel(dealPickerV2, { ...ok, deals: [] }, createContext())).rejects.toBeInstanceOf(
      ModelInputError,
    );
  });
});
