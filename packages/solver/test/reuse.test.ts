import { afterEach, describe, expect, it } from "vitest";
import {
  ModelBuilder,
  type ModelSpec,
  type SolveOptions,
  type SolveResult,
  solveInThisThread,
} from "../src/index.ts";
import { idleModelCount, releaseIdleModels } from "../src/instances.ts";
import { randomLp, rng } from "./helpers.ts";

/**
 * HiGHS model objects are reused within a thread (src/instances.ts). A solve on a reused object
 * must give exactly what it gives on a new one — to the last digit, status, duals, ranging, IIS
 * and relaxation included — whatever the object solved before (other sizes, options, an
 * infeasible model whose relaxation flips the objective sense, a MIP with a start).
 */
const untimed = ({ solveMs: _t, ...r }: SolveResult) => r;

function knapsack(seed: number, n: number): ModelSpec {
  const r = rng(seed);
  const m = new ModelBuilder("max");
  const x = Array.from({ length: n }, (_, j) =>
    m.variable({ name: `x${j}`, binary: true, cost: 10 + 90 * r() }),
  );
  m.le(
    "weight",
    x.map((v) => [v, 5 + 20 * r()] as const),
    40 * Math.sqrt(n),
  );
  m.le(
    "count",
    x.map((v) => [v, 1] as const),
    Math.ceil(n / 3),
  );
  return m.build();
}

function infeasibleMax(): ModelSpec {
  const m = new ModelBuilder("max");
  const a = m.variable({ name: "a", cost: 2, upper: 10 });
  const b = m.variable({ name: "b", cost: 3, upper: 10 });
  m.ge(
    "need",
    [
      [a, 1],
      [b, 1],
    ],
    30,
  );
  m.constraint({ name: "cap a", terms: [[a, 1]], upper: 8, relaxPenalty: 5 });
  return m.build();
}

const cases: [string, ModelSpec, SolveOptions][] = [
  ["LP with ranging", randomLp(7), {}],
  ["MIP with fixed-LP duals", knapsack(3, 30), { mipFixedDuals: true }],
  ["MIP by reduced-cost fixing", knapsack(4, 40), { reducedCostFixing: true, mipFixedDuals: true }],
  ["MIP with a start, presolve off", knapsack(5, 25), { start: { x0: 1 }, presolve: "off", mipRelGap: 0 }],
  ["infeasible max: IIS and relaxation", infeasibleMax(), {}],
];

afterEach(() => releaseIdleModels());

describe("reused HiGHS model objects", () => {
  it("are kept between solves (one object per nesting level)", async () => {
    releaseIdleModels();
    // HiGHS's MIP (not the small-model search of branch.ts, which nests nothing).
    await solveInThisThread(knapsack(1, 10), { mipFixedDuals: true, branchAndBound: false });
    expect(idleModelCount()).toBe(2); // the MIP and the LP with its integers fixed
    await solveInThisThread(knapsack(2, 12), { mipFixedDuals: true, branchAndBound: false });
    expect(idleModelCount()).toBe(2);
  });

  it("give exactly the results of new objects, after any other solve", async () => {
    const fresh: Record<string, ReturnType<typeof untimed>> = {};
    for (const [name, spec, opts] of cases) {
      releaseIdleModels();
      fresh[name] = untimed(await solveInThisThread(spec, opts));
    }
    // Every case after every other case, on objects that solved the previous one.
    for (let round = 0; round < 2; round++)
      for (const [name, spec, opts] of round === 0 ? cases : [...cases].reverse()) {
        expect(idleModelCount()).toBeGreaterThan(0);
        expect(untimed(await solveInThisThread(spec, opts)), name).toEqual(fresh[name]);
      }
  });
});
