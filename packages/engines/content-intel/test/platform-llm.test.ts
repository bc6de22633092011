import { createContext, executeModel, LlmError, type ModelLlm } from "@modelworks/model-kit";
import { createTestLlm } from "@modelworks/model-kit/testing";
import { describe, expect, it } from "vitest";
import { EXAMPLE_AS_OF, EXAMPLE_ITEMS, EXAMPLE_TOPICS } from "../src/examples/items.ts";
import { contentIntel } from "../src/model.ts";

/**
 * The hosted model with the platform's `ctx.llm` (model-kit's test client: the AI SDK's mock model
 * behind the same SDK calls and prompt rendering the server uses).
 */
const input = { topic: EXAMPLE_TOPICS[0], asOf: EXAMPLE_AS_OF, items: EXAMPLE_ITEMS };
const CLEAN = "AI-first lenders raised 31% of all fintech dollars (CB Insights). What do you think?";

function run(llm: ModelLlm) {
  const ctx = { ...createContext(), llm };
  return executeModel(contentIntel, input, ctx);
}

describe("content-intel on the platform's language model", () => {
  it("asks by task, sends fetched evidence as delimited data (not instructions), and labels what the model wrote", async () => {
    const llm = createTestLlm({
      model: "draft-model",
      answer: (call) => {
        if (call.task === "classify" && call.prompt.includes("Topic:"))
          return { domains: ["finance", "tech"], complexity: "moderate" };
        if (call.task === "draft") return { text: CLEAN, citedItemIds: ["cbi-fintech-funding-q3"] };
        return { score: 0.7 };
      },
    });
    const out = await run(llm);
    const drafts = llm.calls.filter((c) => c.task === "draft");
    expect(drafts.length).toBeGreaterThanOrEqual(4);
    for (const c of drafts) {
      // The evidence is inside the data block the system prompt declares to be data…
      expect(c.prompt).toMatch(/<<<DATA[\s\S]*evidence \[cbi-fintech-funding-q3\][\s\S]*DATA>>>/);
      expect(c.system).toMatch(/data/i);
      // …and not in the instructions before it.
      expect(c.prompt.split("<<<DATA")[0]).not.toContain("CB Insights");
    }
    const modelDrafts = out.variants.filter((v) => typeof v.generatedBy === "object");
    expect(modelDrafts.length).toBe(4);
    expect(modelDrafts[0]?.generatedBy).toEqual({ provider: "test", model: "draft-model" });
    expect(out.variants.every((v) => v.text === CLEAN)).toBe(true);
  });

  it("falls back to the built-in path when the model answers off-schema, and labels it so", async () => {
    const out = await run(createTestLlm({ answer: () => "not json at all" }));
    expect(out.variants).toHaveLength(4);
    expect(out.variants.every((v) => v.generatedBy === "built-in")).toBe(true);
  });

  it("a spent budget fails the run with its code instead of passing template drafts off as normal", async () => {
    const spent: ModelLlm = {
      available: true,
      generateObject: () => Promise.reject(new LlmError("llm_budget_exhausted", "Monthly budget spent.")),
      generateText: () => Promise.reject(new LlmError("llm_budget_exhausted", "Monthly budget spent.")),
    };
    await expect(run(spent)).rejects.toMatchObject({ code: "llm_budget_exhausted" });
  });
});
