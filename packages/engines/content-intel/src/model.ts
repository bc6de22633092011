import { defineModel, type ModelLlm } from "@modelworks/model-kit";
import { exampleHistory } from "./examples/history.ts";
import { EXAMPLE_AS_OF, EXAMPLE_ITEMS, EXAMPLE_TOPICS } from "./examples/items.ts";
import type { ContentLlm } from "./generated-by.ts";
import { runContentIntel } from "./pipeline.ts";
import { ContentIntelInput, ContentIntelOutput } from "./schema.ts";

/**
 * The `content-intel` model: a topic and the followed sources' items in; analysis, ranked
 * evidence, insights, four cited and checked variants with predictions, flags and what was
 * learnt out. With a language model configured for the organization (`ctx.llm.available`), query
 * analysis and drafts go through it, each checked and labelled; without one, the built-in path.
 */
export const contentIntel = defineModel({
  id: "content-intel",
  version: "1.0.0",
  title: "Content intelligence: from followed sources to cited post drafts",
  summary:
    "Analyses a topic, ranks the followed sources' items by BM25 relevance × freshness × credibility (≤ 15, " +
    "duplicates collapsed), draws cross-domain insights and writes four LinkedIn variants (analytical, engaging, " +
    "contrarian, data-driven) that quote only their sources; every number, date and quote is checked against the " +
    "cited items. Predicts engagement (0.30/0.25/0.20/0.25 blend), recommends a variant with an A/B plan, and learns " +
    "patterns and a ridge model from the writer's real results.",
  input: ContentIntelInput,
  output: ContentIntelOutput,
  examples: [
    {
      name: "ai-regulation-fintech",
      title: "AI regulation and fintech product strategy, no history yet",
      input: { topic: EXAMPLE_TOPICS[0], asOf: EXAMPLE_AS_OF, items: EXAMPLE_ITEMS },
    },
    {
      name: "contrarian-ai-productivity",
      title: "A contrarian take, with emoji and a banned word",
      input: {
        topic: EXAMPLE_TOPICS[1],
        asOf: EXAMPLE_AS_OF,
        items: EXAMPLE_ITEMS,
        voice: { tone: "bold", emoji: true, maxLengthChars: 1300, maxHashtags: 3, bannedWords: ["synergy"] },
      },
    },
    {
      name: "platform-strategy-with-history",
      title: "Platform strategy for a writer with twelve published posts",
      input: {
        topic: EXAMPLE_TOPICS[2],
        asOf: EXAMPLE_AS_OF,
        items: EXAMPLE_ITEMS,
        history: exampleHistory(),
        plannedHourLocal: 8,
      },
    },
  ],
  tables: [
    {
      name: "evidence",
      title: "Evidence (ranked)",
      rows: "evidence",
      columns: [
        { key: "rank", title: "Rank", format: "integer" },
        { key: "title", title: "Title", format: "text" },
        { key: "sourceName", title: "Source", format: "text" },
        { key: "publishedAt", title: "Published", format: "date" },
        {
          key: "relevance",
          title: "Relevance (BM25, normalised)",
          unit: "fraction",
          format: "percent",
          decimals: 1,
        },
        { key: "freshness", title: "Freshness", unit: "fraction", format: "percent", decimals: 1 },
        { key: "credibility", title: "Credibility", unit: "fraction", format: "percent", decimals: 0 },
        { key: "score", title: "Score", unit: "fraction", format: "percent", decimals: 1 },
        { key: "url", title: "URL", format: "text" },
      ],
    },
    {
      name: "predictions",
      title: "Variants: predictions and checks",
      rows: "tables.predictions",
      columns: [
        { key: "variant", title: "Variant", format: "text" },
        { key: "content", title: "Content factor", unit: "fraction", format: "percent", decimals: 1 },
        { key: "historical", title: "Historical (fitted)", unit: "fraction", format: "percent", decimals: 1 },
        { key: "base", title: "Base prediction", unit: "fraction", format: "percent", decimals: 1 },
        { key: "boost", title: "Pattern boost", unit: "fraction", format: "percent", decimals: 1 },
        { key: "enhanced", title: "Enhanced prediction", unit: "fraction", format: "percent", decimals: 1 },
        { key: "claims", title: "Claims checked", format: "integer" },
        { key: "unsupported", title: "Unsupported claims", format: "integer" },
        { key: "chars", title: "Characters", unit: "characters", format: "integer" },
      ],
    },
    {
      name: "flags",
      title: "Flags",
      rows: "flags",
      columns: [
        { key: "variant", title: "Variant", format: "text" },
        { key: "kind", title: "Kind", format: "text" },
        { key: "message", title: "Message", format: "text" },
        { key: "start", title: "From character", format: "integer" },
        { key: "end", title: "To character", format: "integer" },
      ],
    },
    {
      name: "patterns",
      title: "Learnt patterns",
      rows: "learning.patterns",
      columns: [
        { key: "feature", title: "Feature", format: "text" },
        { key: "support", title: "Posts with it", format: "integer" },
        { key: "highCount", title: "High performers", format: "integer" },
        { key: "confidence", title: "Confidence", unit: "fraction", format: "percent", decimals: 1 },
        {
          key: "meanEngagementRate",
          title: "Mean engagement rate",
          unit: "fraction",
          format: "percent",
          decimals: 2,
        },
        { key: "usageCount", title: "Times applied", format: "integer" },
      ],
    },
    {
      name: "posts",
      title: "Published posts: predicted vs actual",
      rows: "learning.posts",
      columns: [
        { key: "postId", title: "Post", format: "text" },
        { key: "variantKind", title: "Variant", format: "text" },
        { key: "engagementRate", title: "Engagement rate", unit: "fraction", format: "percent", decimals: 2 },
        { key: "percentile", title: "Actual (percentile)", unit: "fraction", format: "percent", decimals: 1 },
        {
          key: "predicted",
          title: "Predicted at publishing",
          unit: "fraction",
          format: "percent",
          decimals: 1,
        },
        { key: "fitted", title: "Fitted now", unit: "fraction", format: "percent", decimals: 1 },
        { key: "tier", title: "Tier", format: "text" },
      ],
    },
    {
      name: "domain-weights",
      title: "Topic domains",
      rows: "tables.domainWeights",
      columns: [
        { key: "domain", title: "Domain", format: "text" },
        { key: "weight", title: "Weight", unit: "fraction", format: "percent", decimals: 1 },
      ],
    },
  ],
  charts: [
    {
      name: "variant-predictions",
      title: "Predictions by variant",
      kind: "bar",
      table: "predictions",
      x: "variant",
      y: ["base", "enhanced"],
    },
    {
      name: "evidence-freshness-credibility",
      title: "Evidence: freshness × credibility",
      kind: "scatter",
      table: "evidence",
      x: "freshness",
      y: ["credibility"],
    },
    {
      name: "predicted-vs-actual",
      title: "Predicted vs actual",
      kind: "scatter",
      table: "posts",
      x: "fitted",
      y: ["percentile"],
    },
    {
      name: "domain-weights",
      title: "Domain weights",
      kind: "bar",
      table: "domain-weights",
      x: "domain",
      y: ["weight"],
    },
  ],
  kpis: [
    {
      path: "metrics.engagementPotential",
      title: "Best predicted engagement",
      unit: "fraction",
      format: "percent",
      decimals: 1,
    },
    { path: "metrics.sourcesUsed", title: "Sources used", format: "integer" },
    { path: "metrics.unsupportedClaims", title: "Unsupported claims", format: "integer" },
    {
      path: "metrics.queryClarity",
      title: "Query clarity",
      unit: "fraction",
      format: "percent",
      decimals: 1,
    },
  ],
  timeoutMs: 30_000,
  async run(input, ctx) {
    return runContentIntel(input, { progress: (f, m) => ctx.progress(f, m), llm: contentLlmOf(ctx.llm) });
  },
});

/** The platform's client in the shape the pipeline asks for; none when no model is configured. */
export function contentLlmOf(llm: ModelLlm | undefined): ContentLlm | undefined {
  if (!llm?.available) return undefined;
  return {
    async generateObject(req) {
      const answer = await llm.generateObject(req);
      return { object: answer.value, generatedBy: answer.generatedBy };
    },
  };
}
