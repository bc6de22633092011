/**
 * The small optimization instances of issue 20, goal 3 (≤ 50 decision variables), shared by
 * `bench:small-optimizations` (engines, pool, native HiGHS) and `bench:small-optimizations-http`
 * (the same instances end to end through a server).
 */
import type { Model } from "@modelworks/model-kit";
import { generateDeals } from "../../packages/engines/optimizers/src/deal-picker/generate.ts";
import {
  capexPhasingV2,
  DEBT_STACK_EXAMPLES,
  dealPickerV2,
  dealPickerV3,
  debtStackV3,
  leasingMixV2,
} from "../../packages/engines/optimizers/src/index.ts";
import { randomProgramme } from "../../packages/engines/optimizers/test/capex-phasing/gen.ts";
import { randomInstance as leasingInstance } from "../../packages/engines/optimizers/test/leasing-mix/gen.ts";

export interface SmallCase {
  name: string;
  /** The model's export name in the optimizers package (to find it in another checkout's tree). */
  key: string;
  model: Model;
  raw: unknown;
}

const debtExample = DEBT_STACK_EXAMPLES.find((e) => e.name === "office-refinance-lender-minimums")!;

/** One generated (or example) instance per optimizer: the four of bench:small-optimizations. */
export const SMALL_CASES: SmallCase[] = [
  {
    name: "Deal Picker, 20 deals (whole, max NOI)",
    key: "dealPickerV2",
    model: dealPickerV2,
    raw: { ...generateDeals(20, 42), selection: "whole", objective: "max-noi" },
  },
  {
    name: "Leasing Mix, 6 packages, 40 vacant units",
    key: "leasingMixV2",
    model: leasingMixV2,
    raw: { ...leasingInstance(1, 6, { vacant: 40 }), whatIf: { enabled: true } },
  },
  {
    name: "Debt Stack, 3 tranches (example)",
    key: "debtStackV3",
    model: debtStackV3,
    raw: debtExample.input,
  },
  {
    name: "Capex Phasing, 5 projects × 12 months",
    key: "capexPhasingV2",
    model: capexPhasingV2,
    raw: { ...randomProgramme(1, 5, 12, {}), whatIf: { enabled: true } },
  },
];

/** Each optimizer's first example, of the newest version (what the web app runs by default). */
export const EXAMPLE_CASES: SmallCase[] = (
  [
    ["dealPickerV3", dealPickerV3],
    ["leasingMixV2", leasingMixV2],
    ["debtStackV3", debtStackV3],
    ["capexPhasingV2", capexPhasingV2],
  ] as const
).map(([key, model]) => {
  const example = model.examples![0]!;
  return { name: `${model.id} ${model.version} example ${example.name}`, key, model, raw: example.input };
});

/** Cases whose name contains one of `BENCH_CASES`'s comma-separated words (all when unset). */
export function selectCases(cases: SmallCase[], only = process.env.BENCH_CASES ?? ""): SmallCase[] {
  const words = only
    .split(",")
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  return cases.filter((c) => words.length === 0 || words.some((w) => c.name.toLowerCase().includes(w)));
}
