import { describe, expect, it } from "vitest";
import { bm25, bm25Idf, bm25Scores, bm25ScoresForTexts, buildBm25Index } from "../src/bm25.ts";
import { type ContentItem, canonicalUrl } from "../src/item.ts";
import { rankEvidence } from "../src/retrieval.ts";
import { stem, tokenize } from "../src/text.ts";

describe("tokenizer", () => {
  it("lower-cases, drops stopwords and stems lightly", () => {
    expect(tokenize("The Payments of Regulators are Scaling quickly")).toEqual([
      "payment",
      "regulator",
      "scal",
      "quick",
    ]);
    expect(stem("policies")).toBe("policy");
    expect(stem("business")).toBe("business");
    expect(stem("ai")).toBe("ai");
  });
});

describe("BM25 (k1 1.2, b 0.75)", () => {
  // d0 = [fintech, regulation], d1 = [fintech, growth, fintech], d2 = [ai, policy]; N = 3, avgdl = 7/3.
  // IDF(fintech) = ln(1 + 1.5/2.5) = ln 1.6; IDF(regulation) = ln(1 + 2.5/1.5).
  // d0: norm = 0.25 + 0.75·2/(7/3) = 0.892857…; each term: 2.2 / (1 + 1.2·norm) × IDF.
  // d1: norm = 0.25 + 0.75·3/(7/3) = 1.214286…; fintech f=2: 4.4 / (2 + 1.2·norm) × IDF.
  const texts = ["fintech regulation", "fintech growth fintech", "ai policy"];

  it("equals the hand-computed scores", () => {
    const scores = bm25(texts, "fintech regulation");
    expect(scores[0]).toBeCloseTo(1.5408845784, 9);
    expect(scores[1]).toBeCloseTo(0.5981864372, 9);
    expect(scores[2]).toBe(0);
    const index = buildBm25Index(texts.map(tokenize));
    expect(bm25Idf(index, "fintech")).toBeCloseTo(Math.log(1.6), 12);
    expect(index.avgDocLength).toBeCloseTo(7 / 3, 12);
  });

  it("the single-query scorer equals the full index, on varied texts", () => {
    const corpus = [
      ...texts,
      "Flies and policies: regulators fly to new payment rules",
      "The fly regulation of payments",
      "",
      "Fintech fintech FINTECH lenders, payments; policy.",
    ];
    for (const q of ["fintech regulation", "fly policies payment", "the of", "lenders"]) {
      const full = bm25Scores(buildBm25Index(corpus.map(tokenize)), tokenize(q));
      const single = bm25ScoresForTexts(corpus, tokenize(q));
      for (const [i, s] of single.entries()) expect(s).toBeCloseTo(full[i]!, 12);
    }
    expect(bm25ScoresForTexts(corpus, tokenize("flies"))[4]).toBeGreaterThan(0);
  });

  it("a repeated query word does not count twice", () => {
    expect(bm25(texts, "fintech fintech regulation")).toEqual(bm25(texts, "fintech regulation"));
  });
});

const asOf = "2026-12-01T12:00:00Z";
const item = (id: string, over: Partial<ContentItem> = {}): ContentItem => ({
  id,
  title: `Item ${id}`,
  url: `https://example.com/${id}`,
  sourceId: "src",
  domains: ["finance"],
  credibility: 0.8,
  publishedAt: "2026-12-01T00:00:00Z",
  text: "Fintech lenders face new regulation on payment data sharing.",
  ...over,
});

describe("evidence ranking: relevance × freshness × credibility", () => {
  it("at equal relevance and credibility, the fresher item wins", () => {
    const { evidence } = rankEvidence(
      ["fintech"],
      [
        item("old", {
          publishedAt: "2026-11-20T12:00:00Z",
          url: "https://a.com/1",
          text: "fintech story one",
        }),
        item("new", {
          publishedAt: "2026-11-30T12:00:00Z",
          url: "https://b.com/2",
          text: "fintech story two",
        }),
      ],
      { asOf },
    );
    expect(evidence.map((e) => e.itemId)).toEqual(["new", "old"]);
    expect(evidence[0]!.relevance).toBe(evidence[1]!.relevance);
    // One day at a 168 h half-life: 0.5^(24/168); eleven days: 0.5^(264/168).
    expect(evidence[0]!.freshness).toBeCloseTo(0.5 ** (24 / 168), 12);
    expect(evidence[1]!.freshness).toBeCloseTo(0.5 ** (264 / 168), 12);
  });

  it("the prototype's freshness bands on request (A.3: 1.0 / 0.8 / 0.6 / 0.4 / 0.2)", () => {
    const ages = [1, 23.9, 24, 71, 100, 167.9, 168, 719, 720, 5000];
    const items = ages.map((h, i) =>
      item(`a${i}`, {
        url: `https://x.com/${i}`,
        text: `fintech story ${i}`,
        publishedAt: new Date(Date.parse(asOf) - h * 3_600_000).toISOString(),
      }),
    );
    const { evidence } = rankEvidence(["fintech"], items, {
      asOf,
      freshnessModel: "prototype-bands",
      limit: 20,
    });
    const byId = new Map(evidence.map((e) => [e.itemId, e.freshness]));
    expect(ages.map((_, i) => byId.get(`a${i}`))).toEqual([1, 1, 0.8, 0.8, 0.6, 0.6, 0.4, 0.4, 0.2, 0.2]);
  });

  it("at equal relevance and age, the more credible source wins; score is the product", () => {
    const { evidence } = rankEvidence(
      ["fintech"],
      [
        item("low", { credibility: 0.5, text: "fintech story alpha" }),
        item("high", { credibility: 0.95, text: "fintech story beta" }),
      ],
      { asOf },
    );
    expect(evidence.map((e) => e.itemId)).toEqual(["high", "low"]);
    for (const e of evidence) expect(e.score).toBeCloseTo(e.relevance * e.freshness * e.credibility, 12);
  });

  it("more relevant text wins at equal freshness and credibility; non-matching items are left out", () => {
    const { evidence } = rankEvidence(
      tokenize("fintech regulation"),
      [
        item("one-term", { text: "fintech story about growth" }),
        item("both", { text: "fintech regulation story" }),
        item("none", { text: "a recipe for soup" }),
      ],
      { asOf },
    );
    expect(evidence.map((e) => e.itemId)).toEqual(["both", "one-term"]);
    expect(evidence[0]!.relevance).toBe(1);
    expect(evidence[0]!.matchedTerms).toEqual(["fintech", "regulation"]);
  });

  it("keeps at most 15 items, in descending score", () => {
    const items = Array.from({ length: 40 }, (_, i) =>
      item(`i${i}`, {
        url: `https://x.com/${i}`,
        text: `fintech ${"regulation ".repeat(1 + (i % 5))} unique${i} words here ${i}`,
        credibility: 0.5 + (i % 7) / 20,
      }),
    );
    const { evidence } = rankEvidence(tokenize("fintech regulation"), items, { asOf });
    expect(evidence).toHaveLength(15);
    for (let i = 1; i < evidence.length; i++)
      expect(evidence[i - 1]!.score).toBeGreaterThanOrEqual(evidence[i]!.score);
  });

  it("collapses the same article under two URLs and near-copies, keeping the best-ranked one", () => {
    const body =
      "Regulators in the EU proposed new rules for fintech lenders on Tuesday, requiring open banking data " +
      "to be shared with consumers within 30 days and capping fees charged by payment processors.";
    const { evidence, duplicates } = rankEvidence(
      tokenize("fintech rules"),
      [
        item("orig", { url: "https://www.news.com/a?utm_source=x", text: body, credibility: 0.9 }),
        item("same-url", { url: "http://news.com/a/", text: `${body} Extra.`, credibility: 0.8 }),
        item("copy", { url: "https://other.com/b", text: `${body} Reporting by Ann.`, credibility: 0.7 }),
        item("distinct", {
          url: "https://c.com/c",
          text: "A different fintech story about rules for crypto.",
          credibility: 0.6,
        }),
      ],
      { asOf },
    );
    expect(evidence.map((e) => e.itemId)).toEqual(["orig", "distinct"]);
    expect(duplicates.map((d) => [d.itemId, d.duplicateOf, d.reason])).toEqual([
      ["same-url", "orig", "canonical-url"],
      ["copy", "orig", "near-duplicate"],
    ]);
    expect(duplicates[1]!.similarity).toBeGreaterThanOrEqual(0.8);
  });

  it("the same text under another URL is a duplicate too", () => {
    const { evidence, duplicates } = rankEvidence(
      ["fintech"],
      [
        item("a", { url: "https://a.com/x", text: "Fintech  news today.", credibility: 0.9 }),
        item("b", { url: "https://b.com/y", text: "fintech news TODAY.", credibility: 0.5 }),
      ],
      { asOf },
    );
    expect(evidence.map((e) => e.itemId)).toEqual(["a"]);
    expect(duplicates).toEqual([{ itemId: "b", duplicateOf: "a", reason: "same-text", similarity: 1 }]);
  });

  it("canonical URLs ignore scheme, www, tracking parameters, fragments and trailing slashes", () => {
    expect(canonicalUrl("https://www.Example.com/a/?utm_source=li&b=2&a=1#top")).toBe(
      "example.com/a?a=1&b=2",
    );
    expect(canonicalUrl("http://example.com/a?b=2&a=1")).toBe("example.com/a?a=1&b=2");
  });
});
