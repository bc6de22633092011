/**
 * Where a warm engine run of the small-optimizations instances spends its CPU (issue 20 goal 3):
 * a warm loop of `executeModel`, and the CPU of every HiGHS run in it.
 *
 *   node --import tsx bench/small-optimizations-profile.ts                 # all four instances
 *   CASE=debt N=400 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/small-optimizations-profile.ts
 *
 * `CASE`: deal, leasing, debt, capex (comma-separated); `WARM` warm-up runs (100), `N` timed runs
 * (60). With `--cpu-prof`, set `NOWRAP=1` so the per-run HiGHS accounting (which reads each model
 * back from HiGHS) stays out of the profile.
 */
import { createContext, executeModel, type Model, parseInput } from "@modelworks/model-kit";
import { generateDeals } from "../packages/engines/optimizers/src/deal-picker/generate.ts";
import {
  capexPhasingV2,
  DEBT_STACK_EXAMPLES,
  dealPickerV2,
  debtStackV3,
  leasingMixV2,
} from "../packages/engines/optimizers/src/index.ts";
import { randomProgramme } from "../packages/engines/optimizers/test/capex-phasing/gen.ts";
import { randomInstance as leasingInstance } from "../packages/engines/optimizers/test/leasing-mix/gen.ts";
import { getHighs } from "../packages/solver/src/run.ts";

const debtExample = DEBT_STACK_EXAMPLES.find((e) => e.name === "office-refinance-lender-minimums")!;
const CASES: Record<string, [Model, unknown]> = {
  deal: [dealPickerV2, { ...generateDeals(20, 42), selection: "whole", objective: "max-noi" }],
  leasing: [leasingMixV2, { ...leasingInstance(1, 6, { vacant: 40 }), whatIf: { enabled: true } }],
  debt: [debtStackV3, debtExample.input],
  capex: [capexPhasingV2, { ...randomProgramme(1, 5, 12, {}), whatIf: { enabled: true } }],
};
const WARM = Number(process.env.WARM ?? 100);
const N = Number(process.env.N ?? 60);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

interface Run {
  ms: number;
  mip: boolean;
  cols: number;
  rows: number;
}
let runs: Run[] | null = null;
if (!process.env.NOWRAP) {
  const highs = await getHighs();
  const probe = highs.createModel();
  const proto = Object.getPrototypeOf(probe) as { run: (this: typeof probe) => unknown };
  probe.dispose();
  const run = proto.run;
  proto.run = function (this: typeof probe) {
    const c0 = cpuMs();
    const r = run.call(this);
    const ms = cpuMs() - c0;
    if (runs) {
      const lp = this.getLp();
      runs.push({ ms, mip: (lp.integrality ?? []).some((t) => t !== 0), cols: lp.numCols, rows: lp.numRows });
    }
    return r;
  };
}

for (const name of (process.env.CASE ?? "deal,leasing,debt,capex").split(",")) {
  const [model, raw] = CASES[name]!;
  const input = parseInput(model, raw);
  for (let i = 0; i < WARM; i++) await executeModel(model, input, createContext());
  const total: number[] = [];
  let perRun: number[] | null = null;
  let shape = "";
  for (let i = 0; i < N; i++) {
    runs = process.env.NOWRAP ? null : [];
    const c0 = cpuMs();
    await executeModel(model, input, createContext());
    total.push(cpuMs() - c0);
    const done: Run[] = runs ?? [];
    if (!perRun) {
      perRun = done.map(() => 0);
      shape = done.map((r) => `${r.mip ? "MIP" : "LP"} ${r.cols}×${r.rows}`).join(", ");
    }
    done.forEach((r, k) => {
      if (perRun && k < perRun.length) perRun[k] = perRun[k]! + r.ms / N;
    });
    runs = null;
  }
  total.sort((a, b) => a - b);
  console.log(
    `${name}: median CPU per run ${total[N >> 1]!.toFixed(1)} ms over ${N} runs after ${WARM} warm-up`,
  );
  if (perRun && perRun.length > 0)
    console.log(
      `  HiGHS runs (${shape}): mean CPU ${perRun.map((x) => x.toFixed(1)).join(", ")} ms, sum ${perRun
        .reduce((a, b) => a + b, 0)
        .toFixed(1)} ms`,
    );
}
