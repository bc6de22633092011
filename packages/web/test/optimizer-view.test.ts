import { outcomeOf } from "@modelworks/model-kit/descriptors";
import { describe, expect, it } from "vitest";
import {
  bindingGroupsOf,
  emptyPlanOf,
  infeasibilitySummary,
  pricesAreDetail,
  pricesTitle,
  relaxationLines,
  whatIfRun,
} from "../src/lib/optimizer.ts";
import { focusRows } from "../src/lib/tables.ts";

/** The optimizer view's reading of an explanation (issue 18 items 4, 5, 9, 13), without a browser. */
describe("optimizer view", () => {
  it("reads the smallest changes in every shape, never as 'undefined'", () => {
    // deal-picker@3 (shared shape): the engine's sentence.
    expect(
      relaxationLines({
        relaxation: [
          {
            constraint: "Budget",
            explanation: "raise Budget from 50,000,000 to 114,220,000 AED (+64,220,000)",
          },
        ],
      }),
    ).toEqual(["raise Budget from 50,000,000 to 114,220,000 AED (+64,220,000)"]);
    // deal-picker@2: `text`.
    expect(relaxationLines({ relaxation: [{ name: "Budget", text: "raise Budget" }] })).toEqual([
      "raise Budget",
    ]);
    // Numbers only: a sentence is built; a row with nothing to say is left out.
    expect(
      relaxationLines({
        relaxation: [
          { constraint: "Budget", unit: "AED", current: 50_000_000, required: 114_220_000 },
          { constraint: "Min assets", current: 3, required: 2 },
          {},
          null,
        ],
      }),
    ).toEqual(["Raise Budget from 50,000,000 AED to 114,220,000 AED", "Lower Min assets from 3 to 2"]);
    for (const line of relaxationLines({ relaxation: [{}, { explanation: undefined }] }))
      expect(line).not.toContain("undefined");
    expect(relaxationLines(null)).toEqual([]);
    expect(infeasibilitySummary({ summary: "one" })).toEqual(["one"]);
    expect(infeasibilitySummary({ summary: ["a", 3, "b"] })).toEqual(["a", "b"]);
  });

  it("states an integer plan's binding limit with its re-solved value, in one meaning", () => {
    const [budget, cap] = bindingGroupsOf({
      bindingGroups: [
        {
          family: "budget",
          label: "Incentive budget",
          count: 1,
          top: [
            {
              constraint: "Incentive budget",
              what: "incentives paid stay within the budget",
              pricePerUnit: 0,
            },
          ],
          resolved: {
            question: "What if the incentive budget were 275,000 AED (+25,000)?",
            deltaObjective: 226_000,
            answer: "",
          },
        },
        {
          family: "max-assets",
          label: "Maximum number of assets",
          count: 1,
          top: [{ constraint: "Max assets", what: null, pricePerUnit: 0 }],
          resolved: { question: "What if one more asset were allowed (8)?", deltaObjective: 0, answer: "" },
        },
      ],
    });
    expect(budget!.marginal!.sentence).toBe(
      "What if the incentive budget were 275,000 AED (+25,000)? Re-solved: objective +226,000.00 (better).",
    );
    expect(cap!.marginal!.sentence).toBe(
      "What if one more asset were allowed (8)? Re-solved: no change of the objective. The plan uses this limit in full, but it is not what holds the plan back.",
    );
    // A cost minimizer: a fall is better.
    const [equity] = bindingGroupsOf(
      {
        bindingGroups: [
          {
            family: "e",
            label: "Equity",
            count: 1,
            top: [],
            resolved: { question: "More equity?", deltaObjective: -44_662.82 },
          },
        ],
      },
      { lowerBetter: true },
    );
    expect(equity!.marginal!.sentence).toBe("More equity? Re-solved: objective −44,662.82 (better).");
  });

  it("groups capex's binding months: counts, the top three and how many more", () => {
    const groups = bindingGroupsOf({
      bindingGroups: [
        {
          family: "cash",
          label: "Monthly cash cap",
          count: 24,
          top: [1, 2, 3].map((m) => ({
            constraint: `Cash month ${m}`,
            what: `month ${m}`,
            pricePerUnit: 0.24,
          })),
          resolved: null,
        },
      ],
    });
    expect(groups).toEqual([
      {
        family: "cash",
        label: "Monthly cash cap",
        count: 24,
        top: [1, 2, 3].map((m) => ({ constraint: `Cash month ${m}`, what: `month ${m}` })),
        more: 21,
        marginal: null,
      },
    ]);
    // A run from before the groups: one per binding constraint.
    expect(bindingGroupsOf({ binding: ["Budget"] }).map((g) => [g.label, g.count])).toEqual([["Budget", 1]]);
  });

  it("makes integer plans' prices a labelled detail", () => {
    const fixed = { shadowPrices: { basis: "mip-integers-fixed", rows: [] } };
    expect(pricesAreDetail(fixed)).toBe(true);
    expect(pricesTitle(fixed)).toBe("LP dual at the fixed integer plan");
    expect(pricesAreDetail({ shadowPrices: { basis: "lp", rows: [] } })).toBe(false);
    expect(pricesTitle({ shadowPrices: { basis: "lp" } })).toBe("Shadow prices");
  });

  it("offers a what-if's button only when it is one change of this run's input", () => {
    const input = { monthlyCashCap: 2_200_000, projects: [{ id: "roof", earliestStartMonth: 4 }] };
    expect(whatIfRun({ question: "q", parameter: "monthlyCashCap", to: 2_420_000 }, input)).toEqual({
      input: { ...input, monthlyCashCap: 2_420_000 },
      label: "Run this change (monthlyCashCap = 2,420,000)",
    });
    expect(
      whatIfRun({ question: "q", parameter: "projects.0.earliestStartMonth", to: 2 }, input)?.input,
    ).toEqual({ ...input, projects: [{ id: "roof", earliestStartMonth: 2 }] });
    expect(whatIfRun({ question: "q", parameter: "monthlyCashCap", to: [1, 2, 3] }, input)?.label).toBe(
      "Run this change (monthlyCashCap = 3 monthly values)",
    );
    // Not in the input, or no value: shown with its answer, no button.
    expect(whatIfRun({ question: "q", parameter: "maxParallelProjects", to: 4 }, input)).toBeNull();
    expect(whatIfRun({ question: "q", parameter: "monthlyCashCap" }, input)).toBeNull();
  });

  it("runs debt-stack's tranche switches by the tranche's row (its `use`), not by its id", () => {
    const input = {
      equityAvailable: 8_000_000,
      tranches: [
        { id: "senior", minAmount: 0, use: "auto" },
        { id: "mezz", minAmount: 2_500_000, use: "auto" },
      ],
    };
    const run = whatIfRun(
      { question: "What if mezz were not used?", parameter: "tranches.1.use", to: "off" },
      input,
    );
    expect(run?.input).toEqual({
      ...input,
      tranches: [input.tranches[0], { id: "mezz", minAmount: 2_500_000, use: "off" }],
    });
    expect(run?.label).toBe("Run this change (tranches.1.use = off)");
    expect(input.tranches[1]!.use).toBe("auto");
    // The earlier what-ifs named the tranche by id (`tranches.mezz.used`): no input path, no button.
    expect(whatIfRun({ question: "q", parameter: "tranches.mezz.used", to: 0 }, input)).toBeNull();
  });

  it("reads an empty plan's reason and each candidate's blocking limit", () => {
    expect(
      emptyPlanOf({
        emptyPlan: {
          reason: "The plan is empty because of the single-asset cap (20% of capital deployed).",
          blockers: [{ explanation: "A cannot be bought" }, { explanation: null }],
        },
      }),
    ).toEqual({
      reason: "The plan is empty because of the single-asset cap (20% of capital deployed).",
      blockers: ["A cannot be bought"],
    });
    expect(emptyPlanOf({ emptyPlan: null })).toBeNull();
  });

  it("reads the outcome a model declares, an empty plan before 'optimal'", () => {
    const declared = {
      path: "status",
      values: {
        optimal: { label: "Optimal plan", tone: "good" as const },
        infeasible: { label: "No feasible plan", tone: "bad" as const },
      },
      empty: {
        path: "selection",
        whenCode: "optimal",
        label: "Empty plan: buys no deal",
        tone: "caution" as const,
      },
    };
    expect(outcomeOf(declared, { status: "infeasible", selection: [] })?.label).toBe("No feasible plan");
    expect(outcomeOf(declared, { status: "optimal", selection: [] })?.label).toBe("Empty plan: buys no deal");
    expect(outcomeOf(declared, { status: "optimal", selection: [{}] })?.label).toBe("Optimal plan");
    expect(outcomeOf(declared, { status: "weird" })).toBeNull();
    expect(outcomeOf(null, { status: "optimal" })).toBeNull();
  });
});

describe("tables that declare which rows matter", () => {
  const constraints = {
    name: "constraints",
    title: "Constraints at the plan",
    rows: "constraints",
    columns: [],
    focus: { key: "binding", label: "binding" },
  };
  const rows = [
    { constraint: "Cash month 1", binding: false },
    { constraint: "Budget", binding: true },
    { constraint: "Cash month 2", binding: false },
    { constraint: "Crew", binding: true },
  ];

  it("shows only the binding rows at first, all of them (binding first) when asked", () => {
    expect(focusRows(constraints, rows, false)).toEqual({ rows: [rows[1], rows[3]], focused: 2, total: 4 });
    expect(focusRows(constraints, rows, true).rows.map((r) => r.constraint)).toEqual([
      "Budget",
      "Crew",
      "Cash month 1",
      "Cash month 2",
    ]);
  });

  it("shows every row when nothing binds or the table declares no focus", () => {
    const slack = rows.map((r) => ({ ...r, binding: false }));
    expect(focusRows(constraints, slack, false)).toEqual({ rows: slack, focused: 0, total: 4 });
    expect(focusRows({}, rows, false).rows).toBe(rows);
  });
});
