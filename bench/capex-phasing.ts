/**
 * Capex Phasing benchmark (issue 5, "Benchmarks": Capex 60 projects × 36 months; goal < 2 s).
 *
 *   npm run bench:capex-phasing          # BENCH_SEEDS (default 1,3,4), BENCH_TIME_LIMIT (default 10 s)
 *
 * Seeded random programmes from the tests' generator: 60 projects over 36 months, durations 1–6
 * months (30% on S-curves), random start windows, costs 0.2–5 M, uplift yields 5–25%, downtime
 * on half the projects, ~10% mandatory, ~15% with a predecessor, at most 10 projects in
 * parallel, cash covering ~80% of the total cost (monthly caps ×0.6–1.4 around the mean). Each
 * seed is run with unspent cash carried over and with a hard monthly cap. Measured in this
 * process (the engine solves in its calling thread): the plan alone (MILP + fixed-integer LP
 * duals + LP relaxation) at the default MIP gap (1e-4) and at 1%, and the full run (plus the
 * what-if re-solves, which share a 20 s budget) at 1%. MILP times vary run to run; each figure is
 * also a ratio to a trivial MILP solve measured the same way, so results compare across machines.
 */
import { loadavg } from "node:os";
import { createContext, executeModel, parseInput } from "@modelworks/model-kit";
import { ModelBuilder, solveInThisThread } from "@modelworks/solver";
import {
  type CapexModelworksParsed,
  capexPhasingV2,
  greedyCapexSchedule,
  optimizeCapex,
} from "../packages/engines/optimizers/src/index.ts";
import { randomProgramme } from "../packages/engines/optimizers/test/capex-phasing/gen.ts";

const SEEDS = (process.env.BENCH_SEEDS ?? "1,3,4").split(",").map(Number);
const LIMIT = Number(process.env.BENCH_TIME_LIMIT ?? 10);

const trivial = new ModelBuilder("max");
const x = trivial.variable({ name: "x", integer: true, upper: 10, cost: 1 });
trivial.le("cap", [[x, 2]], 7);
const trivialSpec = trivial.build();

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

for (let i = 0; i < 3; i++) await solveInThisThread(trivialSpec);
const base: number[] = [];
for (let i = 0; i < 50; i++) base.push((await time(() => solveInThisThread(trivialSpec)))[0]);
const baseline = median(base);

const instance = (seed: number, carryOver: boolean, gap: number, whatIf: boolean) =>
  parseInput(capexPhasingV2, {
    ...randomProgramme(seed, 60, 36, { maxDuration: 6, parallel: 10, cashCover: 0.8, carryOver }),
    solver: { timeLimitSeconds: LIMIT, mipRelGap: gap },
    whatIf: { enabled: whatIf },
  }) as CapexModelworksParsed;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
const f = (ms: number) => `${ms.toFixed(0)} ms`;
const r = (ms: number) => (ms / baseline).toFixed(0);
console.log(
  `capex-phasing@2, 60 projects × 36 months, time limit ${LIMIT} s per solve, Node ${process.version}`,
);
console.log(`baseline (trivial 1-variable MILP solve): median ${baseline.toFixed(2)} ms`);
console.log(`load average at start (1/5/15 min): ${load()}`);
const TABLES = (process.env.BENCH_TABLES ?? "limits,2s").split(",");
if (TABLES.includes("limits")) {
  console.log(
    "| seed | cash | binaries | plan, gap 1e-4 | status (gap) | plan, gap 1% | status (gap) | full run, gap 1% (what-ifs) |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const seed of SEEDS)
    for (const carry of [true, false]) {
      const [t4, o4] = await time(() => optimizeCapex(instance(seed, carry, 1e-4, false)));
      const [t2, o2] = await time(() => optimizeCapex(instance(seed, carry, 1e-2, false)));
      const [tf, of] = await time(() =>
        executeModel(capexPhasingV2, instance(seed, carry, 1e-2, true), createContext()),
      );
      const g = (o: typeof o4) =>
        `${o.status} (${o.mip?.gap === null || o.mip?.gap === undefined ? "–" : o.mip.gap.toExponential(1)})`;
      console.log(
        `| ${seed} | ${carry ? "carry-over" : "monthly cap"} | ${o4.solve.variables - (carry ? 36 : 0)} | ${f(t4)} (×${r(t4)}) | ${g(o4)} | ${f(t2)} (×${r(t2)}) | ${g(o2)} | ${f(tf)} (${of.whatIf.length}) |`,
      );
    }
}

// The issue's 2 s goal: each plan with a 2 s time limit (HiGHS's limit is wall time, so a loaded
// machine leaves it less CPU) at a 1 % gap, started from the greedy plan (default) and without it,
// alternating in the same run. Reported: what the plan is worth and the gap proven at the stop.
if (TABLES.includes("2s")) {
  // BENCH_2S_LIMIT: on a loaded machine, a longer wall limit gives the solve ~2 s of CPU.
  const LIMIT_2S = Number(process.env.BENCH_2S_LIMIT ?? 2);
  console.log(`\n2 s table: time limit ${LIMIT_2S} s (wall), MIP gap 1 %`);
  const at2s = (seed: number, carryOver: boolean) =>
    parseInput(capexPhasingV2, {
      ...randomProgramme(seed, 60, 36, { maxDuration: 6, parallel: 10, cashCover: 0.8, carryOver }),
      solver: { timeLimitSeconds: LIMIT_2S, mipRelGap: 0.01 },
      whatIf: { enabled: false },
    }) as CapexModelworksParsed;
  const cpuMs = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  console.log("");
  console.log(
    "| seed | cash | start | plan wall | plan CPU | status | objective | MIP gap at stop | greedy plan alone |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const seed of SEEDS)
    for (const carry of [false, true]) {
      const input = at2s(seed, carry);
      const tg = performance.now();
      const greedy = greedyCapexSchedule(input);
      const greedyMs = performance.now() - tg;
      for (const useGreedy of [true, false]) {
        const c0 = cpuMs();
        const [t, o] = await time(() => optimizeCapex(input, { greedyStart: useGreedy }));
        const cpu = cpuMs() - c0;
        console.log(
          `| ${seed} | ${carry ? "carry-over" : "monthly cap"} | ${useGreedy ? "greedy" : "none"} | ${f(t)} | ${f(cpu)} | ${o.status} | ${o.kpis ? (o.kpis.objective / 1e6).toFixed(3) : "–"} M | ${o.mip?.gap == null ? "–" : `${(o.mip.gap * 100).toFixed(2)} %`} | ${greedy ? `${(greedy.objective / 1e6).toFixed(3)} M in ${f(greedyMs)}` : "none"} |`,
        );
      }
    }
}
console.log(`load average at end (1/5/15 min): ${load()}`);
