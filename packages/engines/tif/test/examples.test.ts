import { describe, expect, it } from "vitest";
import { GOLDEN_CASE_INPUTS } from "../src/examples.ts";
import golden from "./fixtures/golden_cases.json" with { type: "json" };

// The examples are written as one base plus each case's differences; what they expand to must be
// exactly the golden fixture's inputs, field for field (the prototype's numbers depend on them).
describe("TIF example cases", () => {
  it("expand to the golden fixture's cases, deep-equal", () => {
    const expected = golden.cases.map((c) => ({
      name: c.name,
      description: c.description,
      scenario: c.scenario,
      calculate_deal_kwargs: c.calculate_deal_kwargs,
      inputs: c.inputs,
    }));
    expect(GOLDEN_CASE_INPUTS).toEqual(expected);
  });

  it("do not share nested objects, so editing one case cannot change another", () => {
    const [a, b] = GOLDEN_CASE_INPUTS.slice(1, 3);
    expect(a!.inputs.unit_mix).not.toBe(b!.inputs.unit_mix);
    expect(a!.inputs.tax_rates).not.toBe(b!.inputs.tax_rates);
  });
});
