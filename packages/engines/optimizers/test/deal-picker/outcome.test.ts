import { createContext, executeModel, outcomeOf } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { type DealPickerInputRaw, dealPickerV3 } from "../../src/index.ts";

/**
 * A succeeded run whose answer is not a plan reads as such (issue 18 items 4 and 9): the outcome
 * the model declares, and an empty plan explained by the limit stopping each candidate.
 */
const M = 1_000_000;
const ctx = () => createContext({ signal: new AbortController().signal });
const run = (raw: DealPickerInputRaw) =>
  executeModel(
    dealPickerV3,
    { assumptions: { transactionCostRate: 0, vacancyHaircut: 0 }, solver: { mipRelGap: 0 }, ...raw },
    ctx(),
  );

describe("deal-picker@3: outcomes that are not a plan", () => {
  it("an optimal plan that buys nothing names the single-asset cap stopping two of three deals", async () => {
    // At 20 % of capital deployed per deal a plan needs ≥ 5 deals; only A and B fit the budget.
    const out = await run({
      budget: 20 * M,
      caps: { basis: "deployed", sector: {}, city: {}, singleAsset: 0.2 },
      deals: [
        { id: "A", askPrice: 5 * M, noi: 500_000, sector: "Office", city: "DIFC" },
        { id: "B", askPrice: 6 * M, noi: 540_000, sector: "Retail", city: "JLT" },
        { id: "C", askPrice: 30 * M, noi: 2_000_000, sector: "Office", city: "DIFC" },
      ],
    });
    expect(out.status).toBe("optimal");
    expect(out.selection).toEqual([]);
    expect(outcomeOf(dealPickerV3.outcome, out)).toEqual({
      code: "empty",
      label: "Empty plan: buys no deal",
      tone: "caution",
    });
    const e = out.emptyPlan!;
    expect(e.candidates).toBe(3);
    expect(e.checked).toBe(3);
    // Most valuable first: C (2.0M NOI), B, A.
    expect(e.blockers.map((b) => [b.deal, b.family, b.limit])).toEqual([
      ["C", "Budget", "Budget"],
      ["B", "Single-asset cap", "Single-asset cap: B"],
      ["A", "Single-asset cap", "Single-asset cap: A"],
    ]);
    expect(e.reason).toBe(
      "The plan is empty because of the single-asset cap (20% of capital deployed): it stops 2 of the 3 deals checked; also Budget (1).",
    );
    expect(e.blockers[1]!.explanation).toMatch(
      /^B \(6,000,000 AED all-in\) cannot be bought: it breaks Single-asset cap: B \(≤ 20\.0% of capital deployed\)/,
    );
    expect(e.blockers[0]!.explanation).toContain("Budget (≤ 20,000,000 AED usable)");
    // Three deals' single-asset cap rows bind, but they are one input: probed once each way.
    const probes = out.whatIf.filter((w) => w.parameter === "caps.singleAsset").map((w) => w.to);
    expect(probes).toHaveLength(2);
    expect(probes[0]).toBeCloseTo(0.25, 12);
    expect(probes[1]).toBeCloseTo(0.15, 12);
  }, 60_000);

  it("a hurdle above every deal's NOI: the objective, not a limit, empties the plan", async () => {
    const out = await run({
      budget: 20 * M,
      objective: "noi-above-hurdle",
      hurdleRate: 0.12,
      deals: [
        { id: "A", askPrice: 5 * M, noi: 400_000, sector: "Office", city: "DIFC" },
        { id: "B", askPrice: 6 * M, noi: 420_000, sector: "Retail", city: "JLT" },
      ],
    } as DealPickerInputRaw);
    expect(out.selection).toEqual([]);
    const e = out.emptyPlan!;
    expect(e.blockers.map((b) => [b.deal, b.kind, b.limit])).toEqual([
      ["B", "objective", null],
      ["A", "objective", null],
    ]);
    // B: 420,000 − 12 % × 6,000,000 = −300,000 AED/yr.
    expect(e.blockers[0]!.explanation).toBe(
      "B is allowed, but buying it changes the objective by −300,000 AED/yr.",
    );
    expect(e.reason).toBe(
      "The plan is empty because buying a deal would lower the objective (2 of the 2 deals checked).",
    );
  }, 60_000);

  it("no feasible plan reads as such beside the succeeded run, with the relaxation as text", async () => {
    const out = await run({
      budget: 10 * M,
      deals: [
        { id: "TOWER", askPrice: 12 * M, noi: 900_000, sector: "Office", city: "DIFC", mustBuy: true },
        { id: "SHOP", askPrice: 3 * M, noi: 240_000, sector: "Retail", city: "JLT" },
      ],
    });
    expect(outcomeOf(dealPickerV3.outcome, out)).toEqual({
      code: "infeasible",
      label: "No feasible plan",
      tone: "bad",
    });
    expect(out.emptyPlan ?? null).toBeNull();
    expect(out.infeasibility!.relaxation!.map((r) => r.explanation)).toEqual([
      "raise Budget from 10,000,000 to 12,000,000 AED (+2,000,000)",
    ]);
  }, 60_000);

  it("a plan that buys deals has no empty-plan explanation and reads 'Optimal plan'", async () => {
    const out = await run({
      budget: 10 * M,
      deals: [{ id: "A", askPrice: 5 * M, noi: 500_000, sector: "Office", city: "DIFC" }],
    });
    expect(out.emptyPlan).toBeNull();
    expect(outcomeOf(dealPickerV3.outcome, out)?.label).toBe("Optimal plan");
  }, 60_000);
});
