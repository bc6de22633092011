/**
 * Debt Stack benchmark (issue 5, "Benchmarks": Debt Stack 5 tranches × 3 scenarios × 10 years;
 * goal < 2 s per case).
 *
 *   npm run bench:debt-stack            # BENCH_REPEATS (default 15)
 *
 * 5 tranches (2 fixed, 3 floating; interest-only periods, 25–30-year amortization, fees), 3 rate
 * scenarios with 10-year index paths, 10 years of NOI, a cap and a swap, LTV/LTC/DSCR/debt-yield
 * and fixed-or-hedged share (tested every year): 30 DSCR rows. Two variants of the same deal:
 * `lp` (no minimums, no fixed fees — the debt-stack@2 instance) and `milp` (every tranche an
 * on/off choice: minimum sizes on three, fixed fees on four, plus a swap that amortizes with a
 * floating tranche: 5 binaries). Measured in this process (the engine solves in its calling
 * thread): the plan alone (solve + duals/ranging + independent re-check), and the full run (plus
 * the what-if re-solves: 6, and for `milp` one more per on/off tranche), for the expected and the
 * worst-case objective. Every figure is also a ratio to a trivial solve (one variable, one row)
 * measured the same way; the full run is also given in process CPU time, which other jobs on a
 * shared VM inflate far less than wall time.
 */
import { createContext, executeModel, parseInput } from "@modelworks/model-kit";
import { ModelBuilder, solveInThisThread } from "@modelworks/solver";
import {
  type DebtStackInputRaw,
  debtStackV3,
  optimizeDebtStack,
} from "../packages/engines/optimizers/src/index.ts";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);

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
/** CPU time of this process (user + system) during `fn`: less sensitive than wall time to other jobs on a shared VM. */
async function cpuTime(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c = process.cpuUsage();
  const wall = await time(fn);
  const d = process.cpuUsage(c);
  return { wall, cpu: (d.user + d.system) / 1000 };
}

const years = 10;
const path = (start: number, drift: number) =>
  Array.from({ length: years }, (_, y) => Math.max(0, start + drift * y));
const SWITCHED: Record<string, { minAmount?: number; fixedFee?: number }> = {
  "senior-a": { fixedFee: 200_000 },
  "senior-b": { minAmount: 10_000_000, fixedFee: 90_000 },
  "float-a": { fixedFee: 120_000 },
  "float-b": { minAmount: 8_000_000 },
  mezz: { minAmount: 5_000_000, fixedFee: 250_000 },
};
const instance = (objective: "expected" | "worst-case", variant: "lp" | "milp" = "lp"): DebtStackInputRaw => {
  const base = lpInstance(objective);
  if (variant === "lp") return base;
  return {
    ...base,
    tranches: base.tranches.map((t) => ({ ...t, ...SWITCHED[t.id] })),
    hedges: [
      ...(base.hedges ?? []),
      { id: "swap-float-a", type: "swap", fixedRate: 0.046, tenorYears: 10, trancheId: "float-a" },
    ],
  };
};
const lpInstance = (objective: "expected" | "worst-case"): DebtStackInputRaw => ({
  purchasePrice: 120_000_000,
  closingCosts: 2_400_000,
  equityAvailable: 40_000_000,
  equityCostRate: 0.11,
  noi: Array.from({ length: years }, (_, y) => 8_400_000 * 1.03 ** y),
  targets: { maxLtv: 0.7, maxLtc: 0.72, minDscr: 1.3, minDebtYield: 0.08, minFixedShare: 0.5 },
  tranches: [
    {
      id: "senior-a",
      rateType: "fixed",
      fixedRate: 0.056,
      maxShare: 0.4,
      termMonths: 120,
      ioMonths: 24,
      amortizationMonths: 300,
      upfrontFee: 0.0075,
    },
    {
      id: "senior-b",
      rateType: "fixed",
      fixedRate: 0.059,
      maxShare: 0.2,
      termMonths: 120,
      ioMonths: 0,
      amortizationMonths: 360,
      upfrontFee: 0.005,
    },
    {
      id: "float-a",
      rateType: "floating",
      spread: 0.021,
      maxShare: 0.3,
      termMonths: 120,
      ioMonths: 12,
      amortizationMonths: 300,
      upfrontFee: 0.0075,
    },
    {
      id: "float-b",
      rateType: "floating",
      spread: 0.028,
      maxShare: 0.2,
      termMonths: 120,
      ioMonths: 36,
      amortizationMonths: 360,
      upfrontFee: 0.01,
    },
    {
      id: "mezz",
      rateType: "floating",
      spread: 0.065,
      maxShare: 0.15,
      termMonths: 120,
      ioMonths: 120,
      upfrontFee: 0.02,
    },
  ],
  rateScenarios: [
    { id: "base", weight: 0.5, indexRate: path(0.045, -0.001) },
    { id: "down", weight: 0.25, indexRate: path(0.04, -0.002) },
    { id: "stress", weight: 0.25, indexRate: path(0.055, 0.002) },
  ],
  hedges: [
    { id: "cap", type: "cap", strike: 0.05, premiumRate: 0.003, tenorYears: 5 },
    { id: "swap", type: "swap", fixedRate: 0.045, tenorYears: 10 },
  ],
  objective,
});

const trivial = new ModelBuilder("min");
const x = trivial.variable({ name: "x", upper: 10, cost: 1 });
trivial.ge("floor", [[x, 2]], 7);
const trivialSpec = trivial.build();

for (let i = 0; i < 3; i++) {
  await solveInThisThread(trivialSpec);
  await executeModel(debtStackV3, instance("expected"), createContext());
}
const base: number[] = [];
for (let i = 0; i < 50; i++) base.push(await time(() => solveInThisThread(trivialSpec)));
const baseline = median(base);

const f = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`debt-stack@3, 5 tranches × 3 scenarios × 10 years, ${REPEATS} repeats, Node ${process.version}`);
console.log(`baseline (trivial 1-variable LP solve): median ${f(baseline)}`);
console.log(
  "| variant | objective | plan (solve + duals + re-check) | ratio | full run (+ what-ifs) | ratio | full run CPU | status | rows | binaries | solves |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
let worstFull = 0;
let worstCpu = 0;
for (const [variant, objective] of [
  ["lp", "expected"],
  ["lp", "worst-case"],
  ["milp", "expected"],
  ["milp", "worst-case"],
] as const) {
  const input = parseInput(debtStackV3, instance(objective, variant));
  const plan: number[] = [];
  const full: number[] = [];
  const fullCpu: number[] = [];
  let status = "";
  let rows = 0;
  let solves = 0;
  let binaries = 0;
  for (let r = 0; r < REPEATS; r++) {
    plan.push(await time(() => optimizeDebtStack({ ...input, whatIf: { ...input.whatIf, enabled: false } })));
    const t = await cpuTime(async () => {
      const out = await executeModel(debtStackV3, input, createContext());
      status = `${out.status}${out.verification?.feasible ? " (re-checked)" : ""}`;
      rows = out.constraints.length;
      solves = out.solve.solves;
      binaries = out.mip?.binaries ?? 0;
    });
    full.push(t.wall);
    fullCpu.push(t.cpu);
  }
  const p = median(plan);
  const q = median(full);
  worstFull = Math.max(worstFull, ...full);
  worstCpu = Math.max(worstCpu, ...fullCpu);
  console.log(
    `| ${variant} | ${objective} | ${f(p)} | ${(p / baseline).toFixed(0)} | ${f(q)} | ${(q / baseline).toFixed(0)} | ${f(median(fullCpu))} | ${status} | ${rows} | ${binaries} | ${solves} |`,
  );
}
console.log(
  `slowest full run ${f(worstFull)} wall, ${f(worstCpu)} CPU; goal < 2,000 ms: ${worstFull < 2000 ? "met" : "NOT met"} (wall), ${worstCpu < 2000 ? "met" : "NOT met"} (CPU)`,
);
const [load1] = (await import("node:os")).loadavg();
console.log(
  `load average (1 min) at the end: ${load1!.toFixed(1)} on ${(await import("node:os")).cpus().length} CPUs`,
);
