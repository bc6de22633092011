import { describe, expect, it } from "vitest";
import { checkClaims, extractClaims } from "../src/claims.ts";

const source = {
  id: "cbi-1",
  text:
    "Global fintech funding fell 12% in 2025 to $2.5 billion in the quarter, CB Insights said on March 3, 2026. " +
    'Lenders processed 1,000 applications a day. "Compliance is now a product feature," the report said. ' +
    "Adoption rose 2.3x since 2019.",
};

describe("claim extraction", () => {
  it("finds numbers, percentages, multiples, dates and quotes with their offsets", () => {
    const draft =
      'Funding fell 12 percent to 2.5bn by 3 March 2026; "compliance is now a product feature" and 1k apps.';
    const claims = extractClaims(draft);
    expect(claims.map((c) => [c.kind, c.text, c.normalized])).toEqual([
      ["percent", "12 percent", "12"],
      ["number", "2.5bn", "2500000000"],
      ["date", "3 March 2026", "2026-03-03"],
      ["quote", '"compliance is now a product feature"', "compliance is now a product feature"],
      ["number", "1k", "1000"],
    ]);
    for (const c of claims) expect(draft.slice(c.start, c.end)).toBe(c.text);
  });

  it("ignores list markers, digits inside words and hashtags", () => {
    expect(extractClaims("1. a16z backs #Web3 tools\n2) B2B SaaS")).toEqual([]);
  });
});

describe("checking a draft against its cited items", () => {
  it("a draft that only restates the source passes, whatever the spelling", () => {
    const draft =
      "Fintech funding fell 12 percent in 2025, to $2,500,000,000 (report of March 2026). " +
      "Lenders handle 1000 applications daily, up 2.3x. “Compliance is now a product feature.”";
    const checks = checkClaims(draft, [source]);
    expect(checks.length).toBe(7);
    expect(checks.filter((c) => !c.verified)).toEqual([]);
    expect(checks.every((c) => c.foundIn.includes("cbi-1"))).toBe(true);
  });

  it("an invented number, an altered percentage and a made-up quote are flagged at their offsets", () => {
    const draft =
      'Funding fell 12% in 2025. 73% of lenders now automate compliance, and adoption rose 2.5x. "Regulation is dead," they said.';
    const failures = checkClaims(draft, [source]).filter((c) => !c.verified);
    expect(failures.map((f) => [f.kind, f.text])).toEqual([
      ["percent", "73%"],
      ["multiple", "2.5x"],
      ["quote", '"Regulation is dead,"'],
    ]);
    expect(draft.slice(failures[0]!.start, failures[0]!.end)).toBe("73%");
    expect(failures[0]!.start).toBe(draft.indexOf("73%"));
  });

  it("a quoted sentence that itself quotes someone verifies against the source", () => {
    const draft = '“"Compliance is now a product feature," the report said.”';
    const checks = checkClaims(draft, [source]);
    expect(checks.filter((c) => c.kind === "quote").every((c) => c.verified)).toBe(true);
    expect(checks.length).toBeGreaterThan(0);
  });

  it("a number is only supported by a cited item, not by an uncited one", () => {
    const draft = "Lenders processed 1,000 applications a day.";
    expect(checkClaims(draft, [{ id: "other", text: "Nothing numeric here." }])[0]!.verified).toBe(false);
    expect(checkClaims(draft, [source])[0]!.verified).toBe(true);
  });

  it("numbers in the user's own topic are supported", () => {
    const checks = checkClaims("What 2027 holds for payments", [], "Payments in 2027");
    expect(checks[0]).toMatchObject({ verified: true, foundIn: ["topic"] });
  });
});
