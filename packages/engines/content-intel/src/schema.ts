import { countField, recordField } from "@modelworks/model-kit";
import { z } from "zod";
import { ClaimCheck } from "./claims.ts";
import { GeneratedBy } from "./generated-by.ts";
import { Insight } from "./insights.ts";
import { ContentItem } from "./item.ts";
import { FeedbackRecord, Pattern, ScoredPost } from "./learning.ts";
import { QueryAnalysis } from "./query-analysis.ts";
import { DuplicateItem, EvidenceItem, FRESHNESS_MODELS } from "./retrieval.ts";
import { Citation, VARIANT_KINDS } from "./variants.ts";
import { Voice, VoiceIssue } from "./voice.ts";

export const ContentIntelInput = z.object({
  topic: z.string().max(500),
  /** The moment of the query: freshness is measured from it (the engine has no clock). */
  asOf: z.iso.datetime({ offset: true }),
  items: z.array(ContentItem).max(20_000),
  voice: Voice.default(Voice.parse({})),
  /** The writer's published posts and how they did. */
  history: z.array(FeedbackRecord).max(5_000).default([]),
  /** How often each pattern was applied before (pattern id → count), as stored by the platform. */
  patternUsage: recordField(z.string().max(200), countField(), 1_000).default({}),
  /** When the writer plans to post (local hour), for the time-of-day patterns. */
  plannedHourLocal: countField({ max: 23 }).optional(),
  /** Freshness half-life in hours (default 168 = 7 days). */
  halfLifeHours: countField({ min: 1, max: 8_760 }).default(168),
  /** Smooth half-life decay (default) or the prototype's five steps, to reconcile with it. */
  freshnessModel: z.enum(FRESHNESS_MODELS).default("half-life"),
});
export type ContentIntelInput = z.infer<typeof ContentIntelInput>;
export type ContentIntelInputRaw = z.input<typeof ContentIntelInput>;

export const Flag = z.object({
  variant: z.enum(VARIANT_KINDS),
  kind: z.enum(["unsupported-claim", "too-long", "too-many-hashtags", "banned-word"]),
  message: z.string(),
  text: z.string().optional(),
  start: z.number().int().optional(),
  end: z.number().int().optional(),
});
export type Flag = z.infer<typeof Flag>;

export const VariantPrediction = z.object({
  content: z.number(),
  historical: z.number(),
  context: z.number(),
  ai: z.number(),
  /** 0.30·content + 0.25·historical + 0.20·context + 0.25·ai, clipped to [0, 1]. */
  base: z.number(),
  boost: z.number(),
  /** base + boost, clipped to [0, 1]: what the recommendation and the A/B test use. */
  enhanced: z.number(),
});

export const Variant = z.object({
  kind: z.enum(VARIANT_KINDS),
  text: z.string(),
  chars: z.number().int(),
  hashtags: z.array(z.string()),
  citations: z.array(Citation),
  claims: z.array(ClaimCheck),
  voiceIssues: z.array(VoiceIssue),
  /** No unsupported claim and no voice or limit issue. */
  clean: z.boolean(),
  features: z.array(z.string()),
  prediction: VariantPrediction,
  contentReasons: z.array(z.object({ rule: z.string(), points: z.number() })),
  appliedPatterns: z.array(
    z.object({ patternId: z.string(), confidence: z.number(), contribution: z.number() }),
  ),
  generatedBy: GeneratedBy,
});
export type Variant = z.infer<typeof Variant>;

export const ContentIntelOutput = z.object({
  analysis: QueryAnalysis,
  evidence: z.array(EvidenceItem),
  duplicates: z.array(DuplicateItem),
  insights: z.array(Insight),
  variants: z.array(Variant).length(4),
  recommendedVariant: z.enum(VARIANT_KINDS),
  abTest: z.object({
    testVariants: z.array(z.enum(VARIANT_KINDS)).length(3),
    trafficSplit: z.object({ primary: z.number(), variantA: z.number(), variantB: z.number() }),
    successMetrics: z.array(z.string()),
    testDurationDays: z.number().int(),
    minimumSampleSize: z.number().int(),
    confidenceLevel: z.number(),
    learningEnhanced: z.boolean(),
    expectedImprovement: z.number(),
  }),
  flags: z.array(Flag),
  learning: z.object({
    posts: z.array(ScoredPost),
    patterns: z.array(Pattern),
    model: z
      .object({
        posts: z.number().int(),
        lambda: z.number(),
        intercept: z.number(),
        coefficients: z.array(z.object({ feature: z.string(), weight: z.number() })),
      })
      .nullable(),
    /** Pattern usage counts after this run (applied patterns + 1): the platform stores them. */
    patternUsage: z.record(z.string(), z.number().int()),
    patternsApplied: z.number().int(),
    learningBoost: z.number(),
  }),
  tables: z.object({
    predictions: z.array(
      z.object({
        variant: z.string(),
        content: z.number(),
        historical: z.number(),
        base: z.number(),
        boost: z.number(),
        enhanced: z.number(),
        claims: z.number().int(),
        unsupported: z.number().int(),
        chars: z.number().int(),
      }),
    ),
    domainWeights: z.array(z.object({ domain: z.string(), weight: z.number() })),
  }),
  metrics: z.object({
    queryClarity: z.number(),
    domainCoverage: z.number().int(),
    complexityLevel: z.number().int(),
    intentConfidence: z.number(),
    candidates: z.number().int(),
    sourcesUsed: z.number().int(),
    sourceQuality: z.number(),
    evidenceDensity: z.number(),
    crossDomainRate: z.number(),
    engagementPotential: z.number(),
    unsupportedClaims: z.number().int(),
  }),
  generatedBy: GeneratedBy,
});
export type ContentIntelOutput = z.infer<typeof ContentIntelOutput>;
