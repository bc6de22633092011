import { ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import type { ContentLlm } from "../src/generated-by.ts";
import { analyzeQuery, analyzeQueryBuiltIn, FRAMEWORKS } from "../src/query-analysis.ts";

describe("query analysis, built-in rules (spec A.3 phase 1, A.8)", () => {
  it("reproduces the verified example", () => {
    const a = analyzeQueryBuiltIn("AI regulation impact on fintech product strategy");
    expect(a.domains).toEqual(["tech", "politics", "product", "finance"]);
    expect(a.complexity).toBe("cross_domain");
    expect(a.voiceStyle).toBe("analytical_cross_domain");
    expect(a.frameworks).toEqual(FRAMEWORKS.map((f) => f.name));
    // weight = hits / list length: "product" and "strategy" are two of product's six keywords.
    expect(a.domainWeights).toEqual({ tech: 1 / 6, politics: 1 / 6, product: 2 / 6, finance: 1 / 6 });
    expect(a.evidenceLevel).toBe("premium");
    expect(a.intent).toBe("comprehensive");
    expect(a.intentConfidence).toBe(0.7);
    expect(a.contrarianPotential).toBe(0.3);
    // 0.4·0.7 + 0.3·mean(1/6,1/6,2/6,1/6) + 0.3·min(4/3, 1)
    expect(a.queryClarity).toBeCloseTo(0.28 + 0.3 * (5 / 24) + 0.3, 12);
    expect(a.generatedBy).toBe("built-in");
    expect(a.terms).toEqual(["ai", "regulation", "impact", "fintech", "product", "strategy"]);
  });

  it("matches whole words, not substrings (the prototype's 'ai' matched 'retail' and 'said')", () => {
    const a = analyzeQueryBuiltIn("What the retail analyst said about pricing");
    expect(a.domains).toEqual(["general"]);
    expect(a.complexity).toBe("simple");
    expect(a.voiceStyle).toBe("professional");
    expect(a.frameworks).toEqual([]);
  });

  it("folds plurals: 'payments' and 'policies' hit 'payment' and 'policy'", () => {
    const a = analyzeQueryBuiltIn("Payments policies");
    expect(a.domains).toEqual(["politics", "finance"]);
  });

  it("flags contrarian topics and raises contrarian potential", () => {
    const a = analyzeQueryBuiltIn("Contrarian analysis of AI productivity claims and investment hype");
    expect(a.complexity).toBe("contrarian");
    expect(a.contrarianPotential).toBe(0.7);
    expect(a.domains).toEqual(["tech", "finance"]);
  });

  it("an empty topic is a field-level error", () => {
    for (const topic of ["", "   ", "?!"]) {
      try {
        analyzeQueryBuiltIn(topic);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ModelInputError);
        expect((e as ModelInputError).issues[0]!.path).toBe("topic");
      }
    }
  });
});

describe("query analysis with a language model", () => {
  const fake = (object: unknown): ContentLlm => ({
    generateObject: async () => ({ object: object as never, generatedBy: { provider: "fake", model: "m1" } }),
  });

  it("normalises an out-of-vocabulary complexity and unknown domains instead of crashing", async () => {
    const a = await analyzeQuery("AI regulation impact on fintech product strategy", {
      llm: fake({ complexity: "very_complex", domains: ["Tech", "astrology"], intentConfidence: 7 }),
    });
    expect(a.complexity).toBe("cross_domain");
    expect(a.domains).toEqual(["tech"]);
    expect(a.intentConfidence).toBe(1);
    expect(a.generatedBy).toEqual({ provider: "fake", model: "m1" });
  });

  it("falls back to the built-in rules when the model fails", async () => {
    const failing: ContentLlm = {
      generateObject: async () => {
        throw new Error("quota");
      },
    };
    const a = await analyzeQuery("fintech funding", { llm: failing });
    expect(a).toEqual(analyzeQueryBuiltIn("fintech funding"));
  });
});
