import { catalog } from "@modelworks/catalog";
import { createContext, executeModel } from "@modelworks/model-kit";
import { createTestLlm } from "@modelworks/model-kit/testing";
import { describe, expect, it } from "vitest";
import { provenanceOf, provenanceSentence } from "../src/lib/provenance.ts";

// Issue 14 item 3: every output says which path wrote it, and the results show it.

const contentIntel = catalog.find("content-intel")!;
const example = contentIntel.examples![0]!.input;

describe("which path wrote a run's text", () => {
  it("reads the built-in path from content-intel's real output when no model is configured", async () => {
    const output = await executeModel(contentIntel, example, createContext());
    const provenance = provenanceOf(output);
    expect(provenance).toEqual({ writers: ["built-in"], fallbackReasons: [] });
    expect(provenanceSentence(provenance)).toBe(
      "Written by Modelworks' built-in rules: no language model was used.",
    );
  });

  it("names the provider and model that wrote the drafts, beside the parts the rules wrote", async () => {
    const llm = createTestLlm({
      model: "draft-model",
      answer: (call) =>
        call.task === "draft" ? { text: "A plain draft with no numbers.", citedItemIds: [] } : "not json",
    });
    const output = await executeModel(contentIntel, example, { ...createContext(), llm });
    const provenance = provenanceOf(output);
    expect(provenance.writers).toContain("test · draft-model");
    expect(provenance.writers).toContain("built-in");
    expect(provenanceSentence(provenance)).toBe(
      "Written partly by a language model (test · draft-model) and partly by the built-in rules.",
    );
  });

  it("collects the reasons a built-in answer stood in (a summary's fallbackReason, a plan's fallback)", () => {
    const output = {
      summary: {
        text: "…",
        generatedBy: "built-in",
        fallbackReason: "llm_provider_error: 500 from the provider",
      },
      plan: {
        pages: [],
        generatedBy: "built-in",
        fallback: { reason: "llm_output_invalid: not the plan schema" },
      },
    };
    expect(provenanceOf(output)).toEqual({
      writers: ["built-in"],
      fallbackReasons: [
        "llm_provider_error: 500 from the provider",
        "llm_output_invalid: not the plan schema",
      ],
    });
  });

  it("reads a part's own label (draftGeneratedBy) as well", () => {
    const output = {
      relevanceGeneratedBy: { provider: "openai", model: "cheap-model" },
      draftGeneratedBy: { provider: "openai", model: "strong-model" },
    };
    expect(provenanceOf(output).writers).toEqual(["openai · cheap-model", "openai · strong-model"]);
  });

  it("says nothing for engines that write no text (the optimizers, TIF)", async () => {
    const tif = catalog.find("tif")!;
    const output = await executeModel(tif, tif.examples![0]!.input, createContext());
    expect(provenanceOf(output)).toEqual({ writers: [], fallbackReasons: [] });
    expect(provenanceSentence(provenanceOf(output))).toBeNull();
  });
});
