import { describe, expect, it } from "vitest";
import { ModelBuilder, type ModelSpec, type SolveOptions, solveInThisThread } from "../src/index.ts";
import { independentCheck, rng } from "./helpers.ts";

/**
 * Re-solves from a start with few integer variables (start-proof.ts): answered by LP relaxations
 * when the start is provably optimal or the model infeasible, by HiGHS's MIP otherwise — with the
 * answer HiGHS gives from the same start either way.
 */

/** A small fixed-charge model like Debt Stack's: amounts d_k, on/off y_k with minimums and fees. */
function fixedCharge(seed: number, k: number): { spec: ModelSpec } {
  const r = rng(seed);
  const m = new ModelBuilder("min", { objectiveUnit: "AED/yr" });
  const need = 20 + Math.floor(r() * 60);
  const d = Array.from({ length: k }, (_, i) =>
    m.variable({ name: `d${i}`, cost: 0.04 + 0.05 * r(), unit: "AED" }),
  );
  const y = Array.from({ length: k }, (_, i) =>
    m.variable({ name: `y${i}`, binary: true, cost: 1 + 4 * r() }),
  );
  const own = m.variable({ name: "own", cost: 0.11, unit: "AED" });
  m.constraint({
    name: "fund",
    terms: [[own, 1], ...d.map((v) => [v, 1] as const)],
    lower: need,
    upper: need,
  });
  m.le("own funds", [[own, 1]], 10 + Math.floor(r() * 30));
  m.le(
    "leverage",
    d.map((v) => [v, 1] as const),
    Math.floor(need * (0.5 + 0.4 * r())),
  );
  d.forEach((v, i) => {
    const cap = 10 + Math.floor(r() * 40);
    const min = r() < 0.6 ? Math.floor(r() * cap) : 0;
    m.le(
      `cap ${i}`,
      [
        [v, 1],
        [y[i]!, -cap],
      ],
      0,
    );
    if (min > 0)
      m.ge(
        `min ${i}`,
        [
          [v, 1],
          [y[i]!, -min],
        ],
        0,
      );
  });
  return { spec: m.build() };
}

const withRow = (spec: ModelSpec, row: string, lower: number, upper: number): ModelSpec => ({
  ...spec,
  constraints: spec.constraints.map((c) => (c.name === row ? { ...c, lower, upper } : c)),
});

// HiGHS's MIP where the proof does not answer (not the branch and bound of branch.ts).
const quiet: SolveOptions = { iis: false, relaxation: false, mipRelGap: 1e-9, branchAndBound: false };

describe("re-solves from a start, answered by LP relaxations", () => {
  it("give HiGHS's answer from the same start on 60 what-ifs of random fixed-charge models", async () => {
    let proven = 0;
    let infeasible = 0;
    let highs = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { spec } = fixedCharge(seed, 2 + (seed % 3));
      const base = await solveInThisThread(spec, { mipRelGap: 1e-9 });
      if (!base.hasSolution) continue;
      const own = spec.constraints.find((c) => c.name === "own funds")!;
      const lev = spec.constraints.find((c) => c.name === "leverage")!;
      // Relax a limit (the start stays feasible), tighten one (it may not), and one far off.
      for (const variant of [
        withRow(spec, "own funds", own.lower, own.upper + 5),
        withRow(spec, "leverage", lev.lower, lev.upper - 6),
        withRow(spec, "leverage", lev.lower, 0),
      ]) {
        const opts = { ...quiet, start: base.values };
        const plain = await solveInThisThread(variant, { ...opts, iis: true });
        const res = await solveInThisThread(variant, opts);
        expect(res.status, `seed ${seed}`).toBe(plain.status);
        const proof = res.mip?.lpProof;
        if (proof && res.status === "infeasible") infeasible++;
        else if (proof) proven++;
        else highs++;
        if (!plain.hasSolution) continue;
        expect(independentCheck(variant, res), `seed ${seed}`).toEqual([]);
        expect(
          Math.abs(res.objective! - plain.objective!),
          `seed ${seed}: ${res.objective} vs ${plain.objective}`,
        ).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(plain.objective!)));
        if (proof) {
          // The start itself, as given (HiGHS returns it too when it keeps it).
          expect(res.values).toEqual(base.values);
          expect(res.mip!.bestBound!).toBeLessThanOrEqual(res.objective! * (1 + 1e-9) + 1e-9);
        }
      }
    }
    expect(proven).toBeGreaterThan(5);
    expect(infeasible).toBeGreaterThan(5);
    expect(highs).toBeGreaterThan(5);
  });

  it("does not answer without a start, with diagnosis requested, or past 8 integer variables", async () => {
    const { spec } = fixedCharge(3, 3);
    const base = await solveInThisThread(spec);
    const start = base.values;
    expect((await solveInThisThread(spec, quiet)).mip?.lpProof).toBeUndefined();
    expect((await solveInThisThread(spec, { ...quiet, start })).mip?.lpProof).toBeDefined();
    expect(
      (await solveInThisThread(spec, { start, relaxation: false, branchAndBound: false })).mip?.lpProof,
    ).toBeUndefined();
    const big = fixedCharge(4, 9).spec;
    const bigBase = await solveInThisThread(big);
    expect((await solveInThisThread(big, { ...quiet, start: bigBase.values })).mip?.lpProof).toBeUndefined();
  });

  it("reports a start the LP relaxation cannot prove by HiGHS's MIP, and the better plan", async () => {
    // Only "buy" is worth it, but the start buys nothing: the proof must fail.
    const m = new ModelBuilder("max");
    const buy = m.variable({ name: "buy", binary: true, cost: 3 });
    const x = m.variable({ name: "x", upper: 4, cost: 1 });
    m.le(
      "room",
      [
        [x, 1],
        [buy, 2],
      ],
      4,
    );
    const res = await solveInThisThread(m.build(), { ...quiet, start: { buy: 0, x: 4 } });
    expect(res.mip?.lpProof).toBeUndefined();
    expect(res.values).toEqual({ buy: 1, x: 2 });
    expect(res.objective).toBe(5);
  });
});
