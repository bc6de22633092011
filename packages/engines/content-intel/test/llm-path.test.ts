import { describe, expect, it } from "vitest";
import { EXAMPLE_AS_OF, EXAMPLE_ITEMS, EXAMPLE_TOPICS } from "../src/examples/items.ts";
import type { ContentLlm } from "../src/generated-by.ts";
import { runContentIntel } from "../src/pipeline.ts";
import { ContentIntelInput } from "../src/schema.ts";

/**
 * The language-model slot, with a scripted fake in place of the platform's client: the engine's
 * checks hold whatever the model writes.
 */
const input = ContentIntelInput.parse({
  topic: EXAMPLE_TOPICS[0],
  asOf: EXAMPLE_AS_OF,
  items: EXAMPLE_ITEMS,
});
const label = { provider: "fake", model: "scripted-1" };
const GOOD = "AI-first lenders raised 31% of all fintech dollars (CB Insights). What do you think?";
const INVENTED = "73% of fintechs will fail by 2027 (CB Insights). What do you think?";

function fake(draftFor: (attempt: number, prompt: string) => string): ContentLlm & { prompts: string[] } {
  const attempts = new Map<string, number>();
  const prompts: string[] = [];
  return {
    prompts,
    async generateObject({ schema, prompt }) {
      prompts.push(prompt);
      let object: unknown = {};
      if (prompt.includes("Variant:")) {
        const kind = /Variant: (\w+)/.exec(prompt)![1]!;
        const n = attempts.get(kind) ?? 0;
        attempts.set(kind, n + 1);
        object = { text: draftFor(n, prompt), citedItemIds: ["cbi-fintech-funding-q3", "not-an-item"] };
      } else if (prompt.startsWith("Predict")) object = { score: 0.8 };
      return { object: schema.parse(object), generatedBy: label };
    },
  };
}

describe("language-model path", () => {
  it("a model's draft that invents a figure is regenerated once, naming the span; a clean retry is used", async () => {
    const llm = fake((attempt) => (attempt === 0 ? INVENTED : GOOD));
    const out = await runContentIntel(input, { llm });
    for (const v of out.variants) {
      expect(v.text).toBe(GOOD);
      expect(v.generatedBy).toEqual(label);
      expect(v.clean).toBe(true);
      expect(v.citations.map((c) => c.itemId)).toEqual(["cbi-fintech-funding-q3"]); // unknown ids dropped
      expect(v.prediction.ai).toBe(0.8);
    }
    const retries = llm.prompts.filter((p) => p.includes("previous draft had problems"));
    expect(retries).toHaveLength(4);
    expect(retries[0]).toContain('"73%" is not in the cited evidence');
    expect(out.flags).toEqual([]);
  });

  it("a draft that still invents after the retry is kept flagged, never clean", async () => {
    const out = await runContentIntel(input, { llm: fake(() => INVENTED) });
    for (const v of out.variants) {
      expect(v.clean).toBe(false);
      expect(v.generatedBy).toEqual(label);
    }
    const flags = out.flags.filter((f) => f.variant === "analytical");
    expect(flags.map((f) => f.text)).toEqual(["73%", "2027"]);
    expect(INVENTED.slice(flags[0]!.start, flags[0]!.end)).toBe("73%");
  });

  it("a failing model leaves the built-in path in charge", async () => {
    const failing: ContentLlm = {
      generateObject: async () => {
        throw new Error("provider down");
      },
    };
    const out = await runContentIntel(input, { llm: failing });
    const builtIn = await runContentIntel(input);
    expect(out).toEqual(builtIn);
    expect(out.variants.every((v) => v.generatedBy === "built-in" && v.prediction.ai === 0.5)).toBe(true);
  });
});
