import { describe, expect, it } from "vitest";
import { postFeatures } from "../src/features.ts";
import {
  type FeedbackRecord,
  learnFromFeedback,
  MAX_BOOST,
  patternBoost,
  percentiles,
  posteriorAbove,
} from "../src/learning.ts";
import { fitRidge, predictRidge } from "../src/ridge.ts";

const post = (
  i: number,
  kind: string,
  rate: number,
  text = `A ${kind} post number ${i}.`,
): FeedbackRecord => ({
  postId: `p${i}`,
  publishedAt: "2026-10-01T08:00:00Z",
  variantKind: kind,
  text,
  domains: ["finance"],
  impressions: 1000,
  reactions: Math.round(rate * 1000),
  comments: 0,
  reposts: 0,
});

describe("Beta-Binomial confidence", () => {
  // For integer parameters P(p > q) for p ~ Beta(a, b) is the binomial sum P(Bin(a + b − 1, q) ≤ a − 1).
  const binomialCdf = (n: number, k: number, q: number) => {
    let s = 0;
    let c = 1;
    for (let j = 0; j <= k; j++) {
      s += c * q ** j * (1 - q) ** (n - j);
      c = (c * (n - j)) / (j + 1);
    }
    return s;
  };

  it("equals the closed forms", () => {
    // Neutral prior at q = ¼ is Beta(1, 3); two of two → Beta(3, 3): P(Bin(5, ¼) ≤ 2) = 0.896…
    expect(posteriorAbove(2, 2, 0.25)).toBeCloseTo(binomialCdf(5, 2, 0.25), 10);
    expect(posteriorAbove(2, 2, 0.25)).toBeGreaterThan(0.7);
    // Two of six → Beta(3, 7): P(Bin(9, ¼) ≤ 2) = 0.60…: not a pattern.
    expect(posteriorAbove(2, 6, 0.25)).toBeCloseTo(binomialCdf(9, 2, 0.25), 10);
    expect(posteriorAbove(2, 6, 0.25)).toBeLessThan(0.7);
    // Uniform prior Beta(1, 1): P(p > q) = 1 − q; Beta(3, 1): 1 − q³.
    expect(posteriorAbove(0, 0, 0.3, 1, 1)).toBeCloseTo(0.7, 10);
    expect(posteriorAbove(2, 2, 0.25, 1, 1)).toBeCloseTo(1 - 0.25 ** 3, 10);
    // A non-integer prior against a numerical integral of the density (Simpson, 20,000 steps).
    const a = 0.8 + 5;
    const b = 3.2 + 1;
    const steps = 20_000;
    const density = (x: number) => x ** (a - 1) * (1 - x) ** (b - 1);
    const integrate = (lo: number, hi: number) => {
      const h = (hi - lo) / steps;
      let s = density(lo) + density(hi);
      for (let i = 1; i < steps; i++) s += (i % 2 ? 4 : 2) * density(lo + i * h);
      return (s * h) / 3;
    };
    expect(posteriorAbove(5, 6, 0.2)).toBeCloseTo(integrate(0.2, 1) / integrate(0, 1), 8);
  });
});

describe("patterns from real feedback", () => {
  const history = [
    post(1, "data_driven", 0.06),
    post(2, "data_driven", 0.055),
    post(3, "analytical", 0.02),
    post(4, "engaging", 0.021),
    post(5, "contrarian", 0.019),
    post(6, "analytical", 0.022),
    post(7, "engaging", 0.018),
    post(8, "contrarian", 0.017),
  ];

  it("tiers by quartile of the writer's own engagement rates", () => {
    const learned = learnFromFeedback(history);
    expect(learned.posts.filter((p) => p.tier === "high").map((p) => p.postId)).toEqual(["p1", "p2"]);
    expect(learned.posts.filter((p) => p.tier === "low").map((p) => p.postId)).toEqual(["p7", "p8"]);
    expect(learned.posts[0]!.engagementRate).toBeCloseTo(0.06, 12);
  });

  it("two high performers sharing a feature make a pattern with confidence > 0.7", () => {
    const learned = learnFromFeedback(history, { "kind:data_driven": 3 });
    const p = learned.patterns.find((x) => x.id === "kind:data_driven")!;
    expect(p).toMatchObject({ support: 2, highCount: 2, highShare: 1, usageCount: 3 });
    // base share 2/8, prior Beta(1, 3), posterior Beta(3, 3)
    expect(p.confidence).toBeCloseTo(posteriorAbove(2, 2, 0.25), 12);
    expect(p.confidence).toBeGreaterThan(0.89);
    // Every post is in finance: sharing it says nothing, so it is no pattern.
    expect(learned.patterns.some((x) => x.id === "domain:finance")).toBe(false);
  });

  it("equal results make no high performers and no patterns", () => {
    const flat = history.map((h) => ({ ...h, reactions: 20 }));
    const learned = learnFromFeedback(flat);
    expect(learned.posts.every((p) => p.tier === "medium")).toBe(true);
    expect(learned.patterns).toEqual([]);
  });

  it("one high performer is not enough", () => {
    const learned = learnFromFeedback(history.filter((h) => h.postId !== "p2"));
    expect(learned.patterns.some((x) => x.id === "kind:data_driven")).toBe(false);
  });

  it("a matching draft gets a bounded, non-zero boost; a draft matching nothing gets none", () => {
    const learned = learnFromFeedback(history);
    const data = postFeatures({ text: "x", kind: "data_driven", domains: ["finance"] });
    const other = postFeatures({ text: "x", kind: "contrarian", domains: ["finance"] });
    const b = patternBoost(learned.patterns, data);
    expect(b.boost).toBeGreaterThan(0);
    expect(b.boost).toBeLessThanOrEqual(MAX_BOOST);
    expect(b.applied.map((a) => a.patternId)).toContain("kind:data_driven");
    expect(patternBoost(learned.patterns, other).boost).toBe(0);
    const many = Array.from({ length: 20 }, (_, i) => ({
      id: `hook:x${i}`,
      category: i % 2 ? "hook" : `c${i}`,
      feature: `hook:x${i}`,
      support: 3,
      highCount: 3,
      highShare: 1,
      lift: 4,
      meanEngagementRate: 0.1,
      confidence: 0.99,
      usageCount: 0,
    }));
    expect(
      patternBoost(
        many,
        many.map((m) => m.feature),
      ).boost,
    ).toBe(MAX_BOOST);
  });

  it("a long history (5,000 posts, the input's maximum) is learnt from", () => {
    const kinds = ["analytical", "engaging", "contrarian", "data_driven"];
    const long = Array.from({ length: 5_000 }, (_, i) =>
      post(i, kinds[i % 4]!, 0.01 + ((i * 7919) % 100) / 2000),
    );
    const learned = learnFromFeedback(long);
    expect(learned.posts).toHaveLength(5_000);
    expect(learned.model?.n).toBe(5_000);
  });

  it("percentiles are mid-ranks, ties shared", () => {
    expect(percentiles([3, 1, 2, 2])).toEqual([0.875, 0.125, 0.5, 0.5]);
  });
});

describe("ridge regression", () => {
  it("recovers the effects of a noiseless additive model as λ → 0, and shrinks them for larger λ", () => {
    const rows = [["a"], ["b"], ["a", "b"], [], ["a"], ["b"]];
    const y = rows.map((r) => 0.2 + (r.includes("a") ? 0.3 : 0) - (r.includes("b") ? 0.1 : 0));
    const exact = fitRidge(rows, y, ["a", "b"], 1e-9);
    expect(exact.coefficients[0]).toBeCloseTo(0.3, 6);
    expect(exact.coefficients[1]).toBeCloseTo(-0.1, 6);
    expect(predictRidge(exact, ["a", "b"])).toBeCloseTo(0.4, 6);
    const shrunk = fitRidge(rows, y, ["a", "b"], 5);
    expect(Math.abs(shrunk.coefficients[0]!)).toBeLessThan(0.3);
    expect(Math.abs(shrunk.coefficients[0]!)).toBeGreaterThan(0);
  });
});
