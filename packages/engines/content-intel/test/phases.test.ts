import { describe, expect, it } from "vitest";
import { exampleHistory } from "../src/examples/history.ts";
import { EXAMPLE_AS_OF, EXAMPLE_ITEMS, EXAMPLE_TOPICS } from "../src/examples/items.ts";
import { PHASES, phaseMessage, runContentIntel } from "../src/pipeline.ts";
import { ContentIntelInput } from "../src/schema.ts";

/** Live phase-by-phase progress (issue 17 item 6): the five phases, each reported once, in order. */
describe("phase progress", () => {
  it("reports query analysis, retrieval, insights, variants and prediction in that order, fractions rising", async () => {
    const seen: { fraction: number; message: string }[] = [];
    const input = ContentIntelInput.parse({
      topic: EXAMPLE_TOPICS[2],
      asOf: EXAMPLE_AS_OF,
      items: EXAMPLE_ITEMS,
      history: exampleHistory(),
    });
    const out = await runContentIntel(input, {
      progress: (fraction, message) => seen.push({ fraction, message }),
    });
    expect(seen.map((s) => s.message)).toEqual([
      "Phase 1 of 5: Query analysis",
      "Phase 2 of 5: Retrieval",
      "Phase 3 of 5: Insights",
      "Phase 4 of 5: Variants",
      "Phase 5 of 5: Prediction",
    ]);
    expect(seen.map((s) => s.message)).toEqual(PHASES.map((_, i) => phaseMessage(i)));
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.fraction).toBeGreaterThan(seen[i - 1]!.fraction);
    // Reporting changes nothing in the answer.
    expect(await runContentIntel(input)).toEqual(out);
  });
});
