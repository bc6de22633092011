import { createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { CAPEX_PHASING_EXAMPLES, type CapexModelworksRaw, capexPhasingV2 } from "../../src/index.ts";

/**
 * What binds, grouped by kind and ranked (issue 18 item 13), and what-ifs a client can run as
 * they stand: each names the input path and its new value.
 */
const run = (input: CapexModelworksRaw) => executeModel(capexPhasingV2, input, createContext());
const project = (id: string, over: Partial<CapexModelworksRaw["projects"][number]> = {}) => ({
  id,
  earliestStartMonth: 1,
  latestStartMonth: 10,
  durationMonths: 3,
  cost: 300_000,
  rentUpliftAnnual: 120_000,
  ...over,
});

describe("capex-phasing: binding limits by kind", () => {
  it("one project at 100,000/month: cash binds in months 1–3 and +10 % cash gains nothing (flat spend)", async () => {
    const out = await run({
      horizonMonths: 12,
      monthlyCashCap: 100_000,
      projects: [project("reno")],
      solver: { mipRelGap: 0 },
    });
    expect(out.bindingCashMonths).toEqual([1, 2, 3]);
    expect(out.bindingGroups).toHaveLength(1);
    const cash = out.bindingGroups[0]!;
    expect(cash).toMatchObject({ family: "cash", label: "Monthly cash cap", count: 3 });
    expect(cash.top.map((t) => t.constraint)).toEqual(["Cash month 1", "Cash month 2", "Cash month 3"]);
    // The project spends 100,000 a month whatever the cap: more cash cannot start it earlier.
    expect(cash.resolved).toMatchObject({
      question: "What if every month's cash cap were +10%?",
      deltaObjective: 0,
    });
    const up = out.whatIf.find((w) => w.name === "cash-up")!;
    expect([up.parameter, up.from, up.to]).toEqual(["monthlyCashCap", 100_000, 110_000]);
  }, 60_000);

  it("a successor that starts right after its predecessor is one precedence, not one per month", async () => {
    const out = await run({
      horizonMonths: 12,
      monthlyCashCap: 1_000_000,
      projects: [project("roof"), project("solar", { predecessors: ["roof"] })],
      solver: { mipRelGap: 0 },
      whatIf: { enabled: false },
    });
    expect(out.schedule.map((s) => [s.projectId, s.startMonth, s.endMonth])).toEqual([
      ["roof", 1, 3],
      ["solar", 4, 6],
    ]);
    const order = out.bindingGroups.find((g) => g.family === "precedence")!;
    expect(order.count).toBe(1);
    expect(order.top).toEqual([
      {
        constraint: "Precedence roof→solar",
        what: "solar starts in month 4, right after roof ends in month 3",
        pricePerUnit: null,
      },
    ]);
    // The model's own precedence rows, most of them 0 = 0, stay in the raw list only.
    expect(out.binding.filter((b) => b.startsWith("Precedence")).length).toBeGreaterThan(1);
  }, 60_000);

  it("the 24-month example: 85 binding rows read as 3 kinds, cash first by its re-solved gain", async () => {
    const out = await run(CAPEX_PHASING_EXAMPLES[0]!.input as CapexModelworksRaw);
    expect(out.binding).toHaveLength(85);
    expect(out.bindingGroups.map((g) => [g.family, g.count])).toEqual([
      ["cash", 24],
      ["capacity", 4],
      ["precedence", 1],
    ]);
    expect(out.bindingGroups[0]!.resolved!.deltaObjective).toBeCloseTo(354_681.97, 1);
    expect(out.bindingGroups[1]!.resolved!.deltaObjective).toBeCloseTo(18_282.5, 1);
    expect(out.bindingGroups.every((g) => g.top.length <= 3)).toBe(true);
    // Every what-if names its input path and value, so each can be run as a new run.
    for (const w of out.whatIf) expect(w.to).not.toBeUndefined();
    expect(out.whatIf.map((w) => [w.parameter, w.to])).toEqual([
      ["monthlyCashCap", 2_420_000],
      ["monthlyCashCap", 1_980_000],
      ["maxParallelProjects", 4],
      ["maxParallelProjects", 2],
    ]);
  }, 120_000);
});
