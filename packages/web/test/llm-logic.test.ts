import { describe, expect, it } from "vitest";
import {
  budgetShare,
  formatUsd,
  priceRows,
  pricesOf,
  recentMonths,
  routeRows,
  routesOf,
  sourceSentence,
} from "../src/lib/llm.ts";

/** The AI pages' logic (src/lib/llm.ts): price rows, task routes, budget share, months, wording. */
describe("AI pages logic", () => {
  it("turns the price table into sorted rows and back; blank names dropped, the last duplicate wins", () => {
    const prices = {
      "gpt-4o": { inputPerMTokUsd: 2.5, outputPerMTokUsd: 10 },
      "claude-x": { inputPerMTokUsd: 3, outputPerMTokUsd: 15 },
    };
    const rows = priceRows(prices);
    expect(rows.map((r) => r.model)).toEqual(["claude-x", "gpt-4o"]);
    expect(pricesOf(rows)).toEqual(prices);
    expect(
      pricesOf([
        ...rows,
        { model: "  ", inputPerMTokUsd: 1, outputPerMTokUsd: 1 },
        { model: " gpt-4o ", inputPerMTokUsd: 0, outputPerMTokUsd: 0 },
      ]),
    ).toEqual({ ...prices, "gpt-4o": { inputPerMTokUsd: 0, outputPerMTokUsd: 0 } });
  });

  it("edits task routes as one row per task; only rows with a provider are sent", () => {
    const rows = routeRows(["classify", "draft", "plan"], { draft: { providerId: "p-b", model: "strong" } });
    expect(rows).toEqual({
      classify: { providerId: "", model: "" },
      draft: { providerId: "p-b", model: "strong" },
      plan: { providerId: "", model: "" },
    });
    expect(routesOf({ ...rows, classify: { providerId: "p-a", model: " cheap " } })).toEqual({
      classify: { providerId: "p-a", model: "cheap" },
      draft: { providerId: "p-b", model: "strong" },
    });
  });

  it("the budget's share: none without a budget, over 1 when overspent", () => {
    expect(budgetShare(5, null)).toBeNull();
    expect(budgetShare(2.5, 10)).toBe(0.25);
    expect(budgetShare(12, 10)).toBe(1.2);
    expect(budgetShare(0, 0)).toBe(0);
    expect(budgetShare(0.01, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it("lists calendar months newest first, across a year boundary (UTC)", () => {
    expect(recentMonths(new Date("2027-02-15T00:00:00Z"), 4)).toEqual([
      "2027-02",
      "2027-01",
      "2026-12",
      "2026-11",
    ]);
  });

  it("formats costs with their small fractions", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.0000123)).toBe("$0.000012");
    expect(formatUsd(1234.5)).toBe("$1,234.50");
  });

  it("says where answers come from in one sentence", () => {
    expect(sourceSentence({ source: "built-in", provider: null, models: null })).toMatch(/built-in rules/);
    expect(sourceSentence({ source: "organization", provider: "anthropic", models: { default: "m" } })).toBe(
      "Your organization's own provider (Anthropic, model m) answers.",
    );
  });
});
