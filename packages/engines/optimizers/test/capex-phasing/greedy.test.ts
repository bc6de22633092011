import { parseInput } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { greedyRounds } from "../../src/capex-phasing/optimize.ts";
import {
  type CapexModelworksParsed,
  type CapexModelworksRaw,
  capexPhasingV2,
  checkCapexStartPlan,
  evaluateCapexStartPlan,
  greedyCapexSchedule,
  optimizeCapex,
} from "../../src/index.ts";
import { bruteForce, randomProgramme } from "./gen.ts";

/**
 * The greedy scheduler only supplies the MIP's starting plan: every plan it returns must pass the
 * independent checker, never beat the true optimum, and starting from it must not change the
 * optimum the MIP proves.
 */

const parse = (raw: CapexModelworksRaw) => parseInput(capexPhasingV2, raw) as CapexModelworksParsed;

describe("capex-phasing greedy start", () => {
  it("on 40 small random programmes: feasible, never above the brute-force optimum, usually at it", () => {
    let found = 0;
    let atOptimum = 0;
    let feasible = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const g = randomProgramme(300 + seed, 3 + (seed % 3), 6 + (seed % 4), {
        maxDuration: 3,
        carryOver: seed % 2 === 0,
        cashCover: 0.4 + (seed % 5) / 10,
        precedence: 0.4,
        parallel: seed % 3 === 0 ? 2 : null,
      });
      // Every fourth programme gets two interchangeable copies of its first project.
      const p0 = { ...g.projects[0]!, mandatory: false };
      const raw =
        seed % 4 === 0 ? { ...g, projects: [p0, { ...p0, id: "copy" }, ...g.projects.slice(1)] } : g;
      const input = parse(raw);
      const best = bruteForce(input).best;
      const greedy = greedyCapexSchedule(input);
      if (best !== null) feasible++;
      if (!greedy) continue;
      found++;
      expect(best, `seed ${seed}: greedy found a plan where none exists`).not.toBeNull();
      expect(checkCapexStartPlan(input, greedy.plan), `seed ${seed}`).toEqual([]);
      expect(greedy.objective).toBeCloseTo(evaluateCapexStartPlan(input, greedy.plan).objective, 6);
      expect(greedy.objective, `seed ${seed}`).toBeLessThanOrEqual(
        best! + 1e-6 * Math.max(1, Math.abs(best!)),
      );
      if (Math.abs(greedy.objective - best!) <= 1e-6 * Math.max(1, Math.abs(best!))) atOptimum++;
    }
    expect(feasible).toBeGreaterThan(20);
    expect(found).toBeGreaterThanOrEqual(feasible - 3);
    expect(atOptimum).toBeGreaterThan(found / 2);
  });

  it("is deterministic and feasible on 60 × 36 programmes with hard monthly caps and with carry-over", () => {
    for (const carryOver of [false, true]) {
      const input = parse({
        ...randomProgramme(1, 60, 36, { maxDuration: 6, parallel: 10, cashCover: 0.8, carryOver }),
      });
      const a = greedyCapexSchedule(input);
      const b = greedyCapexSchedule(input);
      expect(a).not.toBeNull();
      expect(b).toEqual(a);
      expect(checkCapexStartPlan(input, a!.plan)).toEqual([]);
      expect(Object.values(a!.plan).filter((t) => t !== null).length).toBeGreaterThan(20);
    }
  });

  it("starting from it changes nothing but the speed: same optimum on 12 programmes of 8–10 projects", async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const input = parse({
        ...randomProgramme(400 + seed, 8 + (seed % 3), 12, {
          maxDuration: 4,
          carryOver: seed % 2 === 0,
          cashCover: 0.5,
          precedence: 0.3,
          parallel: 3,
        }),
        solver: { mipRelGap: 0 },
        whatIf: { enabled: false },
      });
      const withStart = await optimizeCapex(input);
      const without = await optimizeCapex(input, { greedyStart: false });
      expect(withStart.status, `seed ${seed}`).toBe(without.status);
      if (without.kpis === null) continue;
      expect(withStart.verification, `seed ${seed}`).toEqual({ feasible: true, violations: [] });
      expect(
        Math.abs(withStart.kpis!.objective - without.kpis.objective),
        `seed ${seed}`,
      ).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(without.kpis.objective)));
    }
  });

  it("a 60 × 36 hard-cap plan stopped almost at once is still at least as good as the greedy plan", async () => {
    const input = parse({
      ...randomProgramme(3, 60, 36, { maxDuration: 6, parallel: 10, cashCover: 0.8, carryOver: false }),
      solver: { timeLimitSeconds: 0.2 },
      whatIf: { enabled: false },
    });
    const greedy = greedyCapexSchedule(input)!;
    const out = await optimizeCapex(input);
    expect(out.kpis).not.toBeNull();
    expect(out.verification).toEqual({ feasible: true, violations: [] });
    expect(out.kpis!.objective).toBeGreaterThanOrEqual(greedy.objective - 1e-6 * Math.abs(greedy.objective));
  });

  it("tiny programmes get fewer greedy rounds, and the same output to the last digit as with 1,500 (issue 20 goal 3)", async () => {
    const untimed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(untimed)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => !/Ms$/.test(k))
                .map(([k, x]) => [k, untimed(x)]),
            )
          : v;
    const sizes: [number, number][] = [
      [3, 8],
      [5, 12],
      [6, 12],
    ];
    for (const [n, h] of sizes)
      for (let seed = 1; seed <= 3; seed++)
        for (const carryOver of [true, false]) {
          const input = parse({ ...randomProgramme(seed, n, h, { carryOver }), whatIf: { enabled: true } });
          expect(greedyRounds(input)).toBe(5 * n * h);
          const fewer = await optimizeCapex(input);
          const full = await optimizeCapex(input, { greedyRounds: 1500 });
          expect(untimed(fewer), `${n} × ${h}, seed ${seed}, carry-over ${carryOver}`).toEqual(untimed(full));
        }
    // Larger programmes keep the full search.
    expect(greedyRounds(parse({ ...randomProgramme(1, 8, 12, {}), whatIf: { enabled: false } }))).toBe(1500);
  });
});
