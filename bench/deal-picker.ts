/**
 * Deal Picker benchmark (issue 5, "Benchmarks"): the binary (whole-deal) model with 200, 2,000 and
 * 10,000 seeded deals, max NOI, budget = 20 % of the pipeline, sector and city caps as shares of
 * capital deployed. Times the whole engine run (model build, HiGHS solve, duals of the LP with
 * integers fixed, independent re-check) without what-ifs, in this thread (as in an engine worker).
 *
 *   npm run bench:deal-picker            # BENCH_REPS=5 to change the repetitions
 *
 * Every figure is also given as a ratio to a trivial baseline solve (a 2-variable LP through the
 * same adapter) measured in the same script, so results compare across machines.
 */
import { DealPickerInput, runDealPicker } from "@modelworks/engine-optimizers";
import { ModelBuilder, solveInThisThread } from "@modelworks/solver";
import { generateDeals } from "../packages/engines/optimizers/src/deal-picker/generate.ts";

const REPS = Number(process.env.BENCH_REPS ?? 3);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function baseline(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    const m = new ModelBuilder("max");
    const a = m.variable({ name: "a", cost: 3 });
    const b = m.variable({ name: "b", cost: 5 });
    m.le("p1", [[a, 1]], 4);
    m.le("p2", [[b, 2]], 12);
    m.le(
      "p3",
      [
        [a, 3],
        [b, 2],
      ],
      18,
    );
    const t = performance.now();
    await solveInThisThread(m.build());
    times.push(performance.now() - t);
  }
  return median(times.slice(5)); // the first solves load and warm up the wasm instance
}

const base = await baseline();
console.log(`baseline (2-variable LP, same adapter): median ${base.toFixed(2)} ms`);
console.log("| deals | rows | median ms | min ms | × baseline | status | MIP gap | assets | re-check |");
console.log("|---:|---:|---:|---:|---:|---|---:|---:|---|");
for (const n of [200, 2_000, 10_000]) {
  const g = generateDeals(n, 42);
  const input = DealPickerInput.parse({
    ...g,
    selection: "whole",
    objective: "max-noi",
    caps: {
      basis: "deployed",
      sector: { Residential: 0.4, Office: 0.35, Hospitality: 0.15 },
      city: { "Downtown Dubai": 0.25, "Dubai Marina": 0.25 },
    },
    whatIf: { enabled: false },
    solver: { timeLimitSeconds: 60 },
  });
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof runDealPicker>> | undefined;
  const reps = n >= 10_000 ? Math.min(REPS, 3) : REPS;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    last = await runDealPicker(input);
    times.push(performance.now() - t);
  }
  const med = median(times);
  console.log(
    `| ${n.toLocaleString("en-US")} | ${last!.model.constraints} | ${med.toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${(med / base).toFixed(0)} | ${last!.status} | ${((last!.mip?.gap ?? 0) * 100).toFixed(4)}% | ${last!.kpis?.assetsSelected} | ${last!.check.feasible ? "feasible" : "VIOLATED"} |`,
  );
}
