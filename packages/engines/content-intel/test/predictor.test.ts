import { describe, expect, it } from "vitest";
import { blend, contentFactor, contextFactor, parseAiScore } from "../src/predictor.ts";

const pad = (s: string, length: number) => s + " ".repeat(Math.max(0, length - s.length));
const points = (text: string) => Math.round((contentFactor(text).score - 0.5) * 100) / 100;

describe("content factor table (spec A.3 phase 4, unit-tested with fixed strings)", () => {
  it("each row on its own", () => {
    expect(points("Plain words here")).toBe(0);
    expect(points(pad("Plain words here", 150))).toBe(0.15);
    expect(points(pad("Plain words here", 301))).toBe(0);
    expect(points("Is this right?")).toBe(0.1);
    expect(points("Is this right?\n\n#AI #Fintech")).toBe(0.1);
    expect(points("Launch day 🚀📊")).toBe(0.08);
    expect(points("Launch day 🚀")).toBe(0);
    expect(points("Launch day 🚀📊💡🔍🤔👉")).toBe(0);
    expect(points("#one #two #three")).toBe(0.07);
    expect(points("#one #two")).toBe(0);
    expect(points("Growth, however, stalled")).toBe(0.2);
    expect(points("A button shows up")).toBe(0); // "but" only as a word
    expect(points("Revenue rose 12% on the year")).toBe(0.15);
    expect(points("A 3x return")).toBe(0.15);
    expect(points("Raised $40 today")).toBe(0.15);
    expect(points("In my experience it works")).toBe(0.12);
    expect(points("Let me know below")).toBe(0.13);
  });

  it("rows add up and cap at 1", () => {
    const text = "In my experience, growth rose 12%, but what do you think? 🚀📊 #a #b #c";
    expect(contentFactor(text).score).toBe(1);
    expect(contentFactor("Growth rose 12%").reasons).toEqual([{ rule: "data point", points: 0.15 }]);
  });
});

describe("context factor and the blend", () => {
  it("context: 0.5 + cross-domain 0.2 | contrarian 0.15, + 0.1 for controversy > 0.7 and innovation > 0.8", () => {
    const s = (complexity: string, controversy: number, innovation: number) =>
      contextFactor({ complexity, contextSignals: { controversy, innovation } });
    expect(s("simple", 0.3, 0.7)).toBe(0.5);
    expect(s("cross_domain", 0.3, 0.7)).toBeCloseTo(0.7, 12);
    expect(s("contrarian", 0.8, 0.9)).toBeCloseTo(0.85, 12);
    expect(s("cross_domain", 0.8, 0.9)).toBeCloseTo(0.9, 12);
  });

  it("0.30/0.25/0.20/0.25, clipped to [0, 1]", () => {
    expect(blend({ content: 1, historical: 0, context: 0, ai: 0 }).score).toBeCloseTo(0.3, 12);
    expect(blend({ content: 0, historical: 1, context: 0, ai: 0 }).score).toBeCloseTo(0.25, 12);
    expect(blend({ content: 0, historical: 0, context: 1, ai: 0 }).score).toBeCloseTo(0.2, 12);
    expect(blend({ content: 0, historical: 0, context: 0, ai: 1 }).score).toBeCloseTo(0.25, 12);
    expect(blend({ content: 0.82, historical: 0.5, context: 0.7, ai: 0.5 }).score).toBeCloseTo(0.636, 12);
    expect(blend({ content: 5, historical: 5, context: 5, ai: 5 }).score).toBe(1);
  });

  it("a model's score: the first 0.x in its reply, else 0.5", () => {
    expect(parseAiScore("I'd say 0.73 overall")).toBe(0.73);
    expect(parseAiScore("1.0")).toBe(1);
    expect(parseAiScore("high!")).toBe(0.5);
    expect(parseAiScore(undefined)).toBe(0.5);
  });
});
