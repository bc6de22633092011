/**
 * Leasing Mix benchmark (issue 5, "Benchmarks": Leasing 50 packages; goal < 2 s per case).
 *
 *   npm run bench:leasing-mix            # BENCH_REPEATS (default 7) per seed
 *
 * 50 packages (seeded random: terms 6–60 months, rents, incentives, rent-free months, lags,
 * demand limits, share caps), 300 vacant units of 1,500, in-place leases, a WAULT target, an
 * incentive budget and a soft occupancy target. Measured in this process (the engine solves in
 * its calling thread): the plan alone (MILP + fixed-LP duals + LP relaxation), and the full run
 * (plus 6 what-if re-solves). Every figure is also a ratio to a trivial solve (one integer
 * variable, one row) measured the same way, so results compare across machines.
 */
import { createContext, executeModel, parseInput } from "@modelworks/model-kit";
import { ModelBuilder, solveInThisThread } from "@modelworks/solver";
import { leasingMixV2, optimizeLeasingMix } from "../packages/engines/optimizers/src/index.ts";
import { randomInstance } from "../packages/engines/optimizers/test/leasing-mix/gen.ts";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const SEEDS = [1, 2, 3, 4, 5];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function instance(seed: number) {
  const raw = randomInstance(seed, 50, { vacant: 300 });
  return {
    ...raw,
    inventory: { unitsTotal: 1500, vacantNow: 300 },
    inPlaceLeases: [
      { units: 800, rentPerUnitAnnual: 70_000, remainingTermMonths: 14 },
      { units: 400, rentPerUnitAnnual: 85_000, remainingTermMonths: 40 },
    ],
    occupancy: { target: 0.97, mode: "soft" as const },
    incentiveBudget: 3_000_000,
    minWaultMonths: 26,
    maxSharePerPackage: 0.15,
    whatIf: { enabled: true },
  };
}

const trivial = new ModelBuilder("max");
const x = trivial.variable({ name: "x", integer: true, upper: 10, cost: 1 });
trivial.le("cap", [[x, 2]], 7);
const trivialSpec = trivial.build();

// Warm up HiGHS (wasm load and JIT) before measuring anything.
for (let i = 0; i < 3; i++) {
  await solveInThisThread(trivialSpec);
  await executeModel(leasingMixV2, instance(99), createContext());
}

const base: number[] = [];
for (let i = 0; i < 50; i++) base.push(await time(() => solveInThisThread(trivialSpec)));
const baseline = median(base);

const rows: {
  seed: number;
  plan: number;
  full: number;
  status: string;
  gap: number | null;
  solves: number;
}[] = [];
for (const seed of SEEDS) {
  const input = parseInput(leasingMixV2, instance(seed));
  const plan: number[] = [];
  const full: number[] = [];
  let status = "";
  let gap: number | null = null;
  let solves = 0;
  for (let r = 0; r < REPEATS; r++) {
    plan.push(
      await time(() => optimizeLeasingMix({ ...input, whatIf: { ...input.whatIf, enabled: false } })),
    );
    full.push(
      await time(async () => {
        const out = await executeModel(leasingMixV2, input, createContext());
        status = out.status;
        gap = out.mip?.gap ?? null;
        solves = out.solve.solves;
      }),
    );
  }
  rows.push({ seed, plan: median(plan), full: median(full), status, gap, solves });
}

const f = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`leasing-mix@2, 50 packages, ${REPEATS} repeats per seed, Node ${process.version}`);
console.log(`baseline (trivial 1-variable MILP solve): median ${f(baseline)}`);
console.log(
  "| seed | plan (MILP + duals + LP relaxation) | ratio | full run (+ 6 what-ifs) | ratio | status | MIP gap | solves |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.seed} | ${f(r.plan)} | ${(r.plan / baseline).toFixed(0)} | ${f(r.full)} | ${(r.full / baseline).toFixed(0)} | ${r.status} | ${r.gap} | ${r.solves} |`,
  );
const allPlan = median(rows.map((r) => r.plan));
const allFull = median(rows.map((r) => r.full));
console.log(
  `median over seeds: plan ${f(allPlan)} (×${(allPlan / baseline).toFixed(0)}), full run ${f(allFull)} (×${(allFull / baseline).toFixed(0)}); goal < 2,000 ms: ${
    Math.max(...rows.map((r) => r.full)) < 2000 ? "met" : "NOT met"
  }`,
);
