import { createContext, executeModel, ModelInputError, parseInput } from "@modelworks/model-kit";
import { solveInThisThread } from "@modelworks/solver";
import { describe, expect, it } from "vitest";
import { observeSolves } from "../../../../solver/src/run.ts";
import {
  buildCapexModel,
  CAPEX_PHASING_EXAMPLES,
  type CapexModelworksParsed,
  type CapexModelworksRaw,
  capexPhasingV2,
  checkCapexStartPlan,
  evaluateCapexStartPlan,
} from "../../src/index.ts";
import { bruteForce, randomProgramme } from "./gen.ts";

const run = (input: CapexModelworksRaw) => executeModel(capexPhasingV2, input, createContext());
const startsOf = (out: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(out.schedule.map((s) => [s.projectId, s.startMonth]));
const parse = (raw: CapexModelworksRaw) => parseInput(capexPhasingV2, raw) as CapexModelworksParsed;

/** One 300,000 project over 3 months (flat), 120,000/yr uplift, 5,000/month downtime. */
const reno = {
  id: "reno",
  earliestStartMonth: 1,
  latestStartMonth: 10,
  durationMonths: 3,
  cost: 300_000,
  rentUpliftAnnual: 120_000,
  downtimeLossPerMonth: 5_000,
};
const base = (over: Partial<CapexModelworksRaw>): CapexModelworksRaw => ({
  horizonMonths: 12,
  monthlyCashCap: 100_000,
  projects: [reno],
  whatIf: { enabled: false },
  solver: { mipRelGap: 0 },
  ...over,
});

describe("hand-checked cases", () => {
  it("one project, cash enough: starts in month 1; uplift 9 × 10,000 − downtime 3 × 5,000 = 75,000", async () => {
    const out = await run(base({}));
    expect(out.status).toBe("optimal");
    expect(startsOf(out)).toEqual({ reno: 1 });
    expect(out.schedule[0]).toMatchObject({
      endMonth: 3,
      cost: 300_000,
      upliftInHorizon: 90_000,
      downtimeLoss: 15_000,
    });
    expect(out.kpis).toMatchObject({
      objective: 75_000,
      totalSpend: 300_000,
      runRateUpliftAnnualAtHorizon: 120_000,
    });
    expect(out.months.slice(0, 4).map((m) => m.spend)).toEqual([100_000, 100_000, 100_000, 0]);
    expect(out.months[3]!.upliftCumulative).toBe(10_000);
    expect(out.months[11]!.upliftCumulative).toBe(90_000);
    expect(out.bindingCashMonths).toEqual([1, 2, 3]);
    expect(out.verification).toEqual({ feasible: true, violations: [] });
    expect(out.mip?.gap).toBe(0);
  });

  it("a low cash cap delays the start (month 3, 70,000 − 15,000); carrying unspent cash over gains a month (month 2, +10,000)", async () => {
    const caps = [50_000, 50_000, ...Array(10).fill(100_000)];
    const hard = await run(base({ monthlyCashCap: caps }));
    expect(startsOf(hard)).toEqual({ reno: 3 });
    expect(hard.kpis!.objective).toBe(70_000 - 15_000);
    const carry = await run(base({ monthlyCashCap: caps, cashCarryOver: true }));
    expect(startsOf(carry)).toEqual({ reno: 2 });
    expect(carry.kpis!.objective).toBe(80_000 - 15_000);
    // Month 1's 50,000 is carried into month 2 and spent there: the balance ends at 0.
    expect(carry.months.slice(0, 3).map((m) => [m.cashAvailable, m.spend, m.balanceEnd])).toEqual([
      [50_000, 0, 50_000],
      [100_000, 100_000, 0],
      [100_000, 100_000, 0],
    ]);
    expect(carry.bindingCashMonths.slice(0, 3)).toEqual([2, 3, 4]);
  });

  it("an opening balance lets a front-loaded S-curve start at once; without it the 80% month waits for a larger cap", async () => {
    const project = {
      ...reno,
      durationMonths: 2,
      cost: 100_000,
      spendProfile: [0.8, 0.2],
      downtimeLossPerMonth: 0,
    };
    const caps = [50_000, 80_000, ...Array(10).fill(80_000)];
    const s = await run(base({ projects: [project], monthlyCashCap: caps }));
    expect(startsOf(s)).toEqual({ reno: 2 });
    expect(s.months.slice(1, 3).map((m) => m.spend)).toEqual([80_000, 20_000]);
    const flat = await run(base({ projects: [{ ...project, spendProfile: null }], monthlyCashCap: caps }));
    expect(startsOf(flat)).toEqual({ reno: 1 });
    const opening = await run(
      base({ projects: [project], monthlyCashCap: caps, cashCarryOver: true, openingCash: 30_000 }),
    );
    expect(startsOf(opening)).toEqual({ reno: 1 });
  });

  it("precedence: B starts the month after A completes; without it, both start at once", async () => {
    const a = { ...reno, id: "a", durationMonths: 2, downtimeLossPerMonth: 0 };
    const b = { ...reno, id: "b", durationMonths: 1, downtimeLossPerMonth: 0 };
    const free = await run(base({ projects: [a, b], monthlyCashCap: 10_000_000 }));
    expect(startsOf(free)).toEqual({ a: 1, b: 1 });
    const chained = await run(
      base({ projects: [a, { ...b, predecessors: ["a"] }], monthlyCashCap: 10_000_000 }),
    );
    expect(startsOf(chained)).toEqual({ a: 1, b: 3 });
    expect(chained.verification?.feasible).toBe(true);
  });

  it("a skipped optional predecessor forbids its successor (no big-M needed)", async () => {
    // A loses money within the horizon (downtime > uplift); B would earn, but needs A first.
    const a = {
      ...reno,
      id: "a",
      durationMonths: 2,
      rentUpliftAnnual: 0,
      downtimeLossPerMonth: 50_000,
      cost: 0,
    };
    const b = {
      ...reno,
      id: "b",
      durationMonths: 1,
      downtimeLossPerMonth: 0,
      cost: 0,
      rentUpliftAnnual: 12_000,
    };
    const out = await run(base({ projects: [a, { ...b, predecessors: ["a"] }] }));
    // With A: −100,000 + B's 9 × 1,000 at best → skip both (0) is better.
    expect(startsOf(out)).toEqual({ a: null, b: null });
    expect(out.kpis!.objective).toBe(0);
    const forced = await run(base({ projects: [a, { ...b, predecessors: ["a"], mandatory: true }] }));
    expect(startsOf(forced)).toEqual({ a: 1, b: 3 });
    expect(forced.kpis!.objective).toBe(-100_000 + 9_000);
  });

  it("an optional project that loses money within the horizon is skipped; made mandatory it is scheduled at its least-bad month", async () => {
    const late = { ...reno, earliestStartMonth: 9, latestStartMonth: 10, downtimeLossPerMonth: 20_000 };
    const skip = await run(base({ projects: [late] }));
    expect(startsOf(skip)).toEqual({ reno: null });
    expect(skip.kpis).toMatchObject({ objective: 0, projectsSkipped: 1 });
    const must = await run(base({ projects: [{ ...late, mandatory: true }] }));
    // Month 9: 1 month of uplift (10,000) − 60,000; month 10: 0 − 60,000.
    expect(startsOf(must)).toEqual({ reno: 9 });
    expect(must.kpis!.objective).toBe(-50_000);
  });

  it("capacity 1 serialises two projects, the more valuable first", async () => {
    const a = { ...reno, id: "a", downtimeLossPerMonth: 0, rentUpliftAnnual: 240_000 };
    const b = { ...reno, id: "b", downtimeLossPerMonth: 0 };
    const out = await run(base({ projects: [a, b], monthlyCashCap: 1_000_000, maxParallelProjects: 1 }));
    expect(startsOf(out)).toEqual({ a: 1, b: 4 });
    expect(out.kpis!.objective).toBe(9 * 20_000 + 6 * 10_000);
    expect(out.bindingCapacityMonths).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("discounting: uplift in month m is worth (1 + r)^(−m/12)", async () => {
    const p = { ...reno, durationMonths: 1, cost: 0, rentUpliftAnnual: 12_000, downtimeLossPerMonth: 0 };
    const out = await run(base({ horizonMonths: 3, projects: [p], discountRateAnnual: 0.1 }));
    expect(startsOf(out)).toEqual({ reno: 1 });
    expect(out.kpis!.objective).toBeCloseTo(1000 * (1.1 ** (-2 / 12) + 1.1 ** (-3 / 12)), 9);
    expect(out.kpis!.upliftInHorizon).toBe(2000);
  });

  it("what-ifs are answered by re-solving: each equals an independent run with the changed input", async () => {
    const input = base({
      projects: [
        { ...reno, id: "a", earliestStartMonth: 2 },
        { ...reno, id: "b", earliestStartMonth: 5, rentUpliftAnnual: 90_000 },
      ],
      monthlyCashCap: 150_000,
      maxParallelProjects: 2,
      whatIf: { enabled: true, cashStepFraction: 0.5 },
    });
    const out = await run(input);
    const byName = Object.fromEntries(out.whatIf.map((w) => [w.name, w]));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining(["cash-up", "cash-down", "parallel-up", "parallel-down"]),
    );
    const up = await run({ ...input, monthlyCashCap: 225_000, whatIf: { enabled: false } });
    expect(byName["cash-up"]!.objective).toBeCloseTo(up.kpis!.objective, 6);
    expect(byName["cash-up"]!.deltaObjective).toBeCloseTo(up.kpis!.objective - out.kpis!.objective, 6);
    const down = await run({ ...input, maxParallelProjects: 1, whatIf: { enabled: false } });
    expect(byName["parallel-down"]!.objective).toBeCloseTo(down.kpis!.objective, 6);
    // Both start at their earliest month (held back by their windows): the window what-ifs open
    // them a month earlier. b in month 4 would overlap a's last month (200,000 > 150,000 of cash).
    expect(startsOf(out)).toEqual({ a: 2, b: 5 });
    expect(byName["earlier-a"]?.question).toMatch(/month 1/);
    expect(byName["earlier-b"]?.question).toMatch(/month 4/);
    const earlierB = await run({
      ...input,
      projects: input.projects.map((p) => (p.id === "b" ? { ...p, earliestStartMonth: 4 } : p)),
      whatIf: { enabled: false },
    });
    expect(byName["earlier-b"]!.objective).toBeCloseTo(earlierB.kpis!.objective, 6);
  });

  it("what-ifs start from the base schedule: with almost no time, relaxed limits still never report a worse schedule", async () => {
    const ex = CAPEX_PHASING_EXAMPLES[0]!.input as CapexModelworksRaw;
    const out = await run({ ...ex, whatIf: { enabled: true, timeBudgetSeconds: 0.01 } });
    const base = out.kpis!.objective;
    for (const name of ["cash-up", "parallel-up"]) {
      const w = out.whatIf.find((x) => x.name === name)!;
      expect(w.objective, name).not.toBeNull();
      expect(w.objective!, name).toBeGreaterThanOrEqual(base - 1e-6);
    }
  });

  it("infeasible (a mandatory project needs more cash than the horizon has): IIS and the smallest relaxation", async () => {
    const out = await run(
      base({
        horizonMonths: 4,
        projects: [{ ...reno, mandatory: true }],
        monthlyCashCap: [100_000, 100_000, 50_000, 0],
      }),
    );
    expect(out.status).toBe("infeasible");
    expect(out.kpis).toBeNull();
    const iis = out.infeasibility!.iis!.constraints.map((c) => c.constraint);
    expect(iis).toContain("Schedule reno");
    expect(iis.some((c) => c.startsWith("Cash month"))).toBe(true);
    // Cheapest fix: +50,000 in month 3 (start in month 1).
    const relax = out.infeasibility!.relaxation!;
    expect(relax).toHaveLength(1);
    expect(relax[0]).toMatchObject({ constraint: "Cash month 3", current: 50_000, required: 100_000 });
    expect(relax[0]!.explanation).toBe("Raise month 3's cash cap by 50,000 AED (to 100,000).");
  });

  it("the examples run, their plans re-check feasible, and the prices are labelled", async () => {
    for (const ex of CAPEX_PHASING_EXAMPLES.slice(0, 2)) {
      const out = await run(ex.input as CapexModelworksRaw);
      expect(out.status).toBe("optimal");
      expect(out.verification).toEqual({ feasible: true, violations: [] });
      expect(out.shadowPrices?.basis).toBe("mip-integers-fixed");
      expect(out.lpRelaxationPrices?.basis).toBe("lp-relaxation");
      expect(out.months).toHaveLength(24);
      expect(out.whatIf.length).toBeGreaterThanOrEqual(4);
      const checked = evaluateCapexStartPlan(parse(ex.input as CapexModelworksRaw), startsOf(out));
      expect(checked.objective).toBeCloseTo(out.kpis!.objective, 6);
    }
  });
});

describe("against brute-force enumeration of every start combination", () => {
  it("40 random instances (3–5 projects, 5–8 months, both cash modes): same optimum, plans re-check feasible", async () => {
    let infeasible = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const n = 3 + (seed % 3);
      const H = 5 + (seed % 4);
      const raw = {
        ...randomProgramme(seed, n, H, {
          maxDuration: 3,
          carryOver: seed % 2 === 0,
          cashCover: 0.4 + (seed % 5) / 10,
          precedence: 0.4,
        }),
        solver: { mipRelGap: 0 },
      };
      const input = parse(raw);
      const bf = bruteForce(input);
      const out = await run(raw);
      if (bf.best === null) {
        infeasible++;
        expect(out.status, `seed ${seed}`).toBe("infeasible");
        continue;
      }
      expect(out.status, `seed ${seed}`).toBe("optimal");
      expect(out.verification, `seed ${seed}`).toEqual({ feasible: true, violations: [] });
      expect(checkCapexStartPlan(input, startsOf(out))).toEqual([]);
      expect(
        Math.abs(out.kpis!.objective - bf.best) / Math.max(1, Math.abs(bf.best)),
        `seed ${seed}`,
      ).toBeLessThan(1e-9);
    }
    // The generator produces both outcomes; the comparison is not vacuous.
    expect(infeasible).toBeLessThan(20);
  });
});

describe("symmetry rows for interchangeable projects", () => {
  it("15 random instances with two copies of a project: same optimum as brute force, copies started in input order", async () => {
    let feasible = 0;
    for (let seed = 200; seed < 215; seed++) {
      const g = randomProgramme(seed, 3, 6, {
        maxDuration: 2,
        carryOver: seed % 2 === 0,
        cashCover: 0.6,
        precedence: 0,
      });
      const p0 = { ...g.projects[0]!, mandatory: false };
      const raw = {
        ...g,
        projects: [p0, { ...p0, id: "copy-1" }, { ...p0, id: "copy-2" }, ...g.projects.slice(1)],
        solver: { mipRelGap: 0 },
      };
      const input = parse(raw);
      const spec = buildCapexModel(input).spec;
      expect(spec.constraints.some((c) => c.name.startsWith("Order p0≤copy-1"))).toBe(true);
      const bf = bruteForce(input);
      const out = await run(raw);
      if (bf.best === null) {
        expect(out.status, `seed ${seed}`).toBe("infeasible");
        continue;
      }
      feasible++;
      expect(out.status, `seed ${seed}`).toBe("optimal");
      expect(Math.abs(out.kpis!.objective - bf.best!), `seed ${seed}`).toBeLessThan(
        1e-6 * Math.max(1, Math.abs(bf.best!)),
      );
      const s = startsOf(out);
      const order = [s.p0, s["copy-1"], s["copy-2"]].map((x) => x ?? Number.POSITIVE_INFINITY);
      expect(order, `seed ${seed}`).toEqual([...order].sort((a, b) => a - b));
    }
    expect(feasible).toBeGreaterThanOrEqual(10);
  });
});

describe("duality", () => {
  /** c·x = Σ price × limit + Σ reduced cost × value when the duals are optimal (strong duality). */
  const dualObjective = (
    d: NonNullable<Awaited<ReturnType<typeof solveInThisThread>>["duals"]>,
    values: Record<string, number>,
  ) =>
    d.constraints.reduce((s, c) => s + c.pricePerUnit * c.limitValue, 0) +
    d.variables.reduce((s, v) => s + v.reducedCost * (values[v.variable] ?? v.value), 0);

  it("the LP with integers fixed and the LP relaxation satisfy strong duality on 15 random programmes", async () => {
    for (let seed = 100; seed < 115; seed++) {
      const input = parse(randomProgramme(seed, 8, 12, { maxDuration: 4, cashCover: 0.8 }));
      const spec = buildCapexModel(input).spec;
      const r = await solveInThisThread(spec, { mipFixedDuals: true, mipRelGap: 0 });
      if (r.status !== "optimal") continue;
      expect(r.duals?.basis).toBe("mip-integers-fixed");
      const fixed = dualObjective(r.duals!, r.values);
      expect(
        Math.abs(fixed - r.objective!) / Math.max(1, Math.abs(r.objective!)),
        `seed ${seed}`,
      ).toBeLessThan(1e-7);
      const relaxed = await solveInThisThread({
        ...spec,
        variables: spec.variables.map((v) => ({ ...v, integer: false })),
      });
      expect(relaxed.duals?.basis).toBe("lp");
      const lp = dualObjective(relaxed.duals!, relaxed.values);
      expect(
        Math.abs(lp - relaxed.objective!) / Math.max(1, Math.abs(relaxed.objective!)),
        `seed ${seed}`,
      ).toBeLessThan(1e-7);
      // The relaxation bounds the integer optimum.
      expect(relaxed.objective!).toBeGreaterThanOrEqual(r.objective! - 1e-6);
    }
  });

  it("an LP-relaxation cash price predicts the relaxation's objective change within its range", async () => {
    const input = parse(
      base({ monthlyCashCap: [50_000, 50_000, ...Array(10).fill(100_000)], projects: [reno] }),
    );
    const spec = buildCapexModel(input).spec;
    const relax = (s: typeof spec) =>
      solveInThisThread({ ...s, variables: s.variables.map((v) => ({ ...v, integer: false })) });
    const r0 = await relax(spec);
    const row = r0.duals!.constraints.find((c) => c.constraint === "Cash month 1")!;
    expect(row.pricePerUnit).toBeGreaterThan(0);
    const step = Math.min(1_000, (row.validTo ?? Number.POSITIVE_INFINITY) - row.limitValue) / 2;
    const moved = {
      ...spec,
      constraints: spec.constraints.map((c) =>
        c.name === "Cash month 1" ? { ...c, upper: c.upper + step } : c,
      ),
    };
    const r1 = await relax(moved);
    expect(r1.objective! - r0.objective!).toBeCloseTo(row.pricePerUnit * step, 6);
  });
});

describe("bad input: field-level errors before solving", () => {
  const issues = (raw: unknown) => {
    try {
      parseInput(capexPhasingV2, raw);
    } catch (e) {
      expect(e).toBeInstanceOf(ModelInputError);
      return (e as ModelInputError).issues;
    }
    return [];
  };
  it.each([
    [
      "latest start before the earliest",
      { projects: [{ ...reno, earliestStartMonth: 5, latestStartMonth: 4 }] },
      "projects.0.latestStartMonth",
      /before the earliest start/,
    ],
    [
      "a cash list shorter than the horizon",
      { monthlyCashCap: [1, 2, 3] },
      "monthlyCashCap",
      /has 3 months, the horizon is 12/,
    ],
    ["duplicate ids", { projects: [reno, reno] }, "projects.1.id", /duplicate project id "reno"/],
    [
      "an unknown predecessor",
      { projects: [{ ...reno, predecessors: ["ghost"] }] },
      "projects.0.predecessors.0",
      /unknown project id "ghost"/,
    ],
    [
      "a project preceding itself",
      { projects: [{ ...reno, predecessors: ["reno"] }] },
      "projects.0.predecessors.0",
      /cannot precede itself/,
    ],
    [
      "works that cannot end within the horizon",
      { projects: [{ ...reno, earliestStartMonth: 11, latestStartMonth: 12 }] },
      "projects.0.earliestStartMonth",
      /end after the 12-month horizon/,
    ],
    [
      "spend fractions not adding up to 1",
      { projects: [{ ...reno, spendProfile: [0.5, 0.3, 0.1] }] },
      "projects.0.spendProfile",
      /add up to 0.9/,
    ],
    [
      "a spend profile of the wrong length",
      { projects: [{ ...reno, spendProfile: [0.5, 0.5] }] },
      "projects.0.spendProfile",
      /one fraction per month of works \(3\)/,
    ],
    ["no projects", { projects: [] }, "projects", /at least one project/],
    ["a negative cost", { projects: [{ ...reno, cost: -1 }] }, "projects.0.cost", /cannot be negative/],
  ])("%s", (_, over, path, message) => {
    const found = issues(base(over as Partial<CapexModelworksRaw>));
    expect(found.find((i) => i.path === path)?.message).toMatch(message);
  });

  it("a precedence cycle names the cycle", () => {
    const found = issues(
      base({
        projects: [
          { ...reno, id: "a", predecessors: ["c"] },
          { ...reno, id: "b", predecessors: ["a"] },
          { ...reno, id: "c", predecessors: ["b"] },
        ],
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toMatch(/^projects\.\d\.predecessors$/);
    expect(found[0]!.message).toMatch(/precedence cycle: (a|b|c) → (a|b|c) → (a|b|c) → \1/);
  });
});

describe("solver options", () => {
  it("hands HiGHS its models unscaled (decision 0059: measured right and faster so on Capex)", async () => {
    const seen: (boolean | undefined)[] = [];
    observeSolves((_spec, opts) => seen.push(opts.scale));
    try {
      await run({ ...CAPEX_PHASING_EXAMPLES[0]!.input, whatIf: { enabled: true } } as CapexModelworksRaw);
    } finally {
      observeSolves(null);
    }
    expect(seen.length).toBeGreaterThan(2);
    expect(new Set(seen)).toEqual(new Set([false]));
  });
});
