import { createContext, executeModel } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { groupBinding } from "../src/common/binding.ts";
import * as optimizers from "../src/index.ts";
import { dealPickerV3, debtStackV3, leasingMixV2 } from "../src/index.ts";

/**
 * Binding means the same in every view (issue 18 item 5): a limit the plan uses in full, shown
 * with the re-solved what-if that relaxes it, the marginal value of an integer plan, whatever the
 * fixed-integer LP's dual says.
 */
describe("binding limits with their re-solved marginal value", () => {
  it("leasing mix: the incentive budget binds, its fixed-integer dual is no guide, +25,000 re-solved gives +226,000", async () => {
    const out = await executeModel(leasingMixV2, leasingMixV2.examples[0]!.input, createContext());
    expect(out.shadowPrices!.basis).toBe("mip-integers-fixed");
    expect(out.shadowPrices!.rows.find((r) => r.constraint === "Incentive budget")!.pricePerUnit).toBe(0);
    expect(out.bindingGroups).toHaveLength(1);
    const g = out.bindingGroups[0]!;
    expect(g).toMatchObject({ family: "budget", label: "Incentive budget", count: 1 });
    expect(g.resolved!.question).toBe("What if the incentive budget were 275,000 AED (+25,000)?");
    expect(g.resolved!.deltaObjective).toBeCloseTo(226_000, 6);
    // The what-if card reads the same number.
    expect(out.whatIf.find((w) => w.name === "budget-up")!.deltaObjective).toBeCloseTo(226_000, 6);
  }, 60_000);

  it("deal picker: max assets binds, and one more asset re-solved gains 0 (the plan is not held back by it)", async () => {
    const out = await executeModel(dealPickerV3, dealPickerV3.examples[0]!.input, createContext());
    expect(out.binding).toEqual(["Max assets"]);
    expect(out.bindingGroups).toEqual([
      {
        family: "max-assets",
        label: "Maximum number of assets",
        count: 1,
        top: [{ constraint: "Max assets", what: null, pricePerUnit: 0 }],
        resolved: {
          question: "What if one more asset were allowed (8)?",
          deltaObjective: 0,
          answer: expect.stringContaining("same deals"),
        },
      },
    ]);
  }, 60_000);

  it("debt stack: equity binds and +800,000 of equity lowers the annual cost by 44,662.82; sources = uses is left out", async () => {
    const out = await executeModel(debtStackV3, debtStackV3.examples[0]!.input, createContext());
    expect(out.binding).toContain("Sources = uses");
    expect(out.bindingGroups.map((g) => [g.label, g.count])).toEqual([
      ["Equity available", 1],
      ["Tranche minimum size", 1],
    ]);
    expect(out.bindingGroups[0]!.resolved!.deltaObjective).toBeCloseTo(-44_662.82, 2);
    expect(out.bindingGroups[1]!.resolved).toBeNull();
  }, 60_000);

  it("groups rank by re-solved gain, then by price, then by count; top rows by |price|", () => {
    const groups = groupBinding(
      ["c1", "c2", "c3", "k1", "p1"],
      (n) =>
        n.startsWith("c")
          ? { family: "cash", label: "Cash" }
          : n.startsWith("k")
            ? { family: "cap", label: "Capacity" }
            : null,
      [
        { constraint: "c1", pricePerUnit: 0.1 },
        { constraint: "c2", pricePerUnit: -0.5 },
        { constraint: "k1", pricePerUnit: 2 },
      ],
      (f) => (f === "cash" ? { question: "more cash?", deltaObjective: 10, answer: "+10" } : null),
      2,
    );
    expect(groups.map((g) => [g.family, g.count, g.top.map((t) => t.constraint)])).toEqual([
      ["cash", 3, ["c2", "c1"]],
      ["cap", 1, ["k1"]],
    ]);
  });
});

describe("constraint tables lead with what binds", () => {
  it("every optimizer table with a binding column declares the binding rows as the ones that matter", () => {
    const models = Object.values(optimizers).filter(
      (m): m is typeof leasingMixV2 =>
        !!m && typeof m === "object" && "tables" in m && Array.isArray((m as { tables?: unknown }).tables),
    );
    const tables = models.flatMap((m) =>
      (m.tables ?? []).filter((t) => t.columns.some((c) => c.key === "binding")).map((t) => ({ m, t })),
    );
    // leasing-mix, capex-phasing and deal-picker@2/@3 list their constraint rows.
    expect(tables.length).toBeGreaterThanOrEqual(4);
    for (const { m, t } of tables)
      expect(t.focus, `${m.id}@${m.version} ${t.name}`).toEqual({ key: "binding", label: "binding" });
  });
});
