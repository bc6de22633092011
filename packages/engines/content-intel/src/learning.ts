import { countField } from "@modelworks/model-kit";
import { z } from "zod";
import { regularizedBeta } from "./beta.ts";
import { categoryOf, postFeatures } from "./features.ts";
import { fitRidge, predictRidge, type RidgeModel } from "./ridge.ts";

/**
 * Phase 5, the learning loop, made to work (spec A.3 phase 5 "Verified: the loop never changes
 * the output", A.8 "Learning loop (intended)"). The prototype's feedback was the prediction plus
 * U(−0.15, 0.25) noise, its patterns were stored under names the reader never looked up, and
 * they arrived one record at a time so "≥ 2 examples" never fired. Here:
 *
 * - feedback is what the writer's posts really did (impressions, reactions, comments, reposts),
 *   all of it at once, every run: engagement rate = (reactions + comments + reposts) / impressions;
 * - one tier scheme (A.8 "choose one"): within the writer's own history, the top quartile by
 *   engagement rate is `high`, the bottom quartile `low`, the rest `medium` — rates differ too
 *   much between writers for fixed thresholds; ties at a quartile's edge stay `medium`;
 * - a pattern is a feature (features.ts) shared by N ≥ 2 high performers whose confidence
 *   exceeds 0.7, where confidence is the Beta-Binomial posterior probability that posts with the
 *   feature are high performers more often than posts in general. With q the base share of high
 *   performers and k high among the n posts having the feature, the prior is a neutral
 *   Beta(4q, 4(1 − q)) — worth four posts, centred on "the feature changes nothing" — and
 *   confidence = P(p > q | k, n) = 1 − I_q(4q + k, 4(1 − q) + n − k). Two posts out of two
 *   give 0.90 (q = ¼); two out of six, barely above the base share, give 0.60 and are no pattern
 *   (a uniform prior would have called that 0.76);
 * - a draft matching patterns gets boost = min(0.3, Σ 0.1 · confidence · highShare) over its
 *   matching patterns (at most 2 per category, the prototype's "top 2"), recorded as
 *   `appliedPatterns`, and each applied pattern's usage count goes up by one per run;
 * - the predictor's "historical" factor is a ridge regression (ridge.ts, λ = 1) of each post's
 *   engagement percentile within the history on its features, re-fitted every run from all
 *   feedback once there are MIN_POSTS_TO_FIT posts; before that it is 0.5, as in the prototype.
 */
export const MIN_HIGH_PERFORMERS = 2;
export const MIN_CONFIDENCE = 0.7;
export const MAX_BOOST = 0.3;
export const MIN_POSTS_TO_FIT = 6;
export const RIDGE_LAMBDA = 1;

export const FeedbackRecord = z.object({
  postId: z.string().min(1).max(200),
  publishedAt: z.iso.datetime({ offset: true }),
  /** Local hour of publishing, 0–23, for the time-of-day feature. */
  hourLocal: countField({ max: 23 }).optional(),
  variantKind: z.string().max(50),
  text: z.string().max(10_000),
  domains: z.array(z.string().max(50)).max(20).default([]),
  impressions: countField({ min: 1 }),
  reactions: countField(),
  comments: countField(),
  reposts: countField(),
  /** The prediction shown when it was published (for the predicted-vs-actual view). */
  predicted: z.number().min(0).max(1).optional(),
});
export type FeedbackRecord = z.infer<typeof FeedbackRecord>;

export const Tier = z.enum(["high", "medium", "low"]);

export const Pattern = z.object({
  id: z.string(),
  category: z.string(),
  feature: z.string(),
  support: z.number().int(),
  highCount: z.number().int(),
  highShare: z.number(),
  lift: z.number(),
  meanEngagementRate: z.number(),
  confidence: z.number(),
  usageCount: z.number().int(),
});
export type Pattern = z.infer<typeof Pattern>;

export const ScoredPost = z.object({
  postId: z.string(),
  variantKind: z.string(),
  engagementRate: z.number(),
  percentile: z.number(),
  tier: Tier,
  predicted: z.number().nullable(),
  fitted: z.number().nullable(),
});
export type ScoredPost = z.infer<typeof ScoredPost>;

export const engagementRate = (
  r: Pick<FeedbackRecord, "impressions" | "reactions" | "comments" | "reposts">,
) => (r.reactions + r.comments + r.reposts) / r.impressions;

/** Mid-rank percentiles in (0, 1): ties share the mean of their ranks. */
export function percentiles(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length).fill(0);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && order[e + 1]!.v === order[s]!.v) e++;
    const mid = (s + e) / 2;
    for (let k = s; k <= e; k++) out[order[k]!.i] = (mid + 0.5) / values.length;
    s = e + 1;
  }
  return out;
}

/** Weight of the neutral prior, in posts. */
export const PRIOR_POSTS = 4;

/** P(p > q) for p ~ Beta(a0 + k, b0 + n − k); by default the neutral prior centred on q. */
export function posteriorAbove(
  k: number,
  n: number,
  q: number,
  a0 = PRIOR_POSTS * q,
  b0 = PRIOR_POSTS * (1 - q),
): number {
  return Math.min(1, Math.max(0, 1 - regularizedBeta(q, a0 + k, b0 + n - k)));
}

export interface Learned {
  posts: ScoredPost[];
  patterns: Pattern[];
  model: RidgeModel | null;
  /** Feature sets of the history's posts, same order as `posts`. */
  featureSets: string[][];
}

/** Scores the history, finds patterns and fits the prediction model: all from real feedback. */
export function learnFromFeedback(
  history: readonly FeedbackRecord[],
  usageCounts: Readonly<Record<string, number>> = {},
): Learned {
  const rates = history.map(engagementRate);
  const pct = percentiles(rates);
  const n = history.length;
  const highCount = Math.ceil(n / 4);
  const ranked = rates.map((r, i) => ({ r, i })).sort((a, b) => b.r - a.r || a.i - b.i);
  // A quartile never splits a tie: a post is high only if it beat every post outside the top
  // quartile (and low only if every post outside the bottom quartile beat it), so a history of
  // equal results has no high performers and teaches nothing.
  const firstOutside = ranked[highCount]?.r ?? Number.NEGATIVE_INFINITY;
  const highSet = new Set(
    ranked
      .slice(0, highCount)
      .filter((x) => x.r > firstOutside)
      .map((x) => x.i),
  );
  const lowStart = Math.max(highCount, n - Math.ceil(n / 4));
  const lastInside = ranked[lowStart - 1]?.r ?? Number.POSITIVE_INFINITY;
  const lowSet = new Set(
    ranked
      .slice(lowStart)
      .filter((x) => x.r < lastInside)
      .map((x) => x.i),
  );
  const featureSets = history.map((h) =>
    postFeatures({ text: h.text, kind: h.variantKind, domains: h.domains, hourLocal: h.hourLocal }),
  );

  const baseShare = n ? highSet.size / n : 0;
  const byFeature = new Map<string, number[]>();
  for (const [i, fs] of featureSets.entries()) {
    for (const f of fs) {
      const list = byFeature.get(f);
      if (list) list.push(i);
      else byFeature.set(f, [i]);
    }
  }
  const patterns: Pattern[] = [];
  for (const [feature, idx] of byFeature) {
    const k = idx.filter((i) => highSet.has(i)).length;
    if (k < MIN_HIGH_PERFORMERS) continue;
    const confidence = posteriorAbove(k, idx.length, baseShare);
    if (confidence <= MIN_CONFIDENCE) continue;
    patterns.push({
      id: feature,
      category: categoryOf(feature),
      feature,
      support: idx.length,
      highCount: k,
      highShare: k / idx.length,
      lift: baseShare ? k / idx.length / baseShare : 0,
      meanEngagementRate: idx.reduce((s, i) => s + rates[i]!, 0) / idx.length,
      confidence,
      usageCount: usageCounts[feature] ?? 0,
    });
  }
  patterns.sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));

  let model: RidgeModel | null = null;
  if (n >= MIN_POSTS_TO_FIT) {
    // Features seen at least twice: one post cannot tell an effect from noise.
    const vocabulary = [...byFeature]
      .filter(([, idx]) => idx.length >= 2)
      .map(([f]) => f)
      .sort();
    model = fitRidge(featureSets, pct, vocabulary, RIDGE_LAMBDA);
  }
  const posts = history.map((h, i) => ({
    postId: h.postId,
    variantKind: h.variantKind,
    engagementRate: rates[i]!,
    percentile: pct[i]!,
    tier: highSet.has(i) ? ("high" as const) : lowSet.has(i) ? ("low" as const) : ("medium" as const),
    predicted: h.predicted ?? null,
    fitted: model ? clamp01(predictRidge(model, featureSets[i]!)) : null,
  }));
  return { posts, patterns, model, featureSets };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The historical factor for a draft: the fitted model's percentile, or 0.5 without one. */
export function historicalFactor(learned: Learned, features: readonly string[]): number {
  return learned.model ? clamp01(predictRidge(learned.model, features)) : 0.5;
}

export interface PatternBoost {
  boost: number;
  applied: { patternId: string; confidence: number; contribution: number }[];
}

/** The bounded boost of a draft from the patterns it matches (≤ 2 per category). */
export function patternBoost(patterns: readonly Pattern[], features: readonly string[]): PatternBoost {
  const has = new Set(features);
  const perCategory = new Map<string, number>();
  const applied: PatternBoost["applied"] = [];
  for (const p of patterns) {
    if (!has.has(p.feature)) continue;
    const used = perCategory.get(p.category) ?? 0;
    if (used >= 2) continue;
    perCategory.set(p.category, used + 1);
    applied.push({
      patternId: p.id,
      confidence: p.confidence,
      contribution: 0.1 * p.confidence * p.highShare,
    });
  }
  const boost = Math.min(
    MAX_BOOST,
    applied.reduce((s, a) => s + a.contribution, 0),
  );
  return { boost, applied };
}
