import { CONTENT_PHASES, contentPhaseOf } from "@modelworks/contracts/content";
import type { PhaseTimingDto } from "@modelworks/contracts/runs";
import { engagementRate, percentiles } from "@modelworks/engine-content-intel";
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contentPosts, runs } from "../db/schema.ts";
import { latestFeedback } from "./posts.ts";

/**
 * The prototype's three analytics views (spec A.4: Phase Comparison, Learning Analytics,
 * Performance Tracking), computed from what is stored — the writer's finished content-intel runs
 * (their outputs carry each phase's results and the patterns learnt at the time) and their
 * published posts with the latest recorded results — never from simulated feedback.
 */

/** What the views read of one finished run (a few fields of its output, not its drafts or items). */
export interface RunFacts {
  runId: string;
  topic: string;
  startedAt: Date | null;
  finishedAt: Date;
  /** The run's phase timings as the worker recorded them (null: none). */
  phaseTimings: PhaseTimingDto[] | null;
  metrics: Record<string, number> | null;
  insights: number;
  patterns: {
    id: string;
    feature: string;
    category: string;
    confidence: number;
    support: number;
    highCount: number;
    usageCount: number;
  }[];
  learningBoost: number;
  patternsApplied: number;
}

export interface PostFacts {
  postId: string;
  variantKind: string;
  publishedAt: Date;
  predicted: number;
  impressions: number;
  reactions: number;
  comments: number;
  reposts: number;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Milliseconds per content-intel phase, from the phase messages a run's timings start with. */
export function phaseMsOf(timings: PhaseTimingDto[] | null): (number | null)[] | null {
  if (!timings?.length) return null;
  const ms: (number | null)[] = CONTENT_PHASES.map(() => null);
  let any = false;
  for (const t of timings) {
    const i = contentPhaseOf(t.message);
    if (i === null) continue;
    ms[i] = (ms[i] ?? 0) + t.durationMs;
    any = true;
  }
  return any ? ms : null;
}

/** Pearson's r; null under 3 pairs or when either side does not vary. */
export function pearson(xs: number[], ys: number[]): number | null {
  if (xs.length < 3) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

const num = (m: Record<string, number> | null, key: string) => {
  const v = m?.[key];
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
};

/** The three views from the runs (oldest first) and the posts with a prediction and results. */
export function computeAnalytics(runFacts: RunFacts[], posts: PostFacts[]) {
  const phaseRuns = runFacts.map((r) => ({
    runId: r.runId,
    topic: r.topic,
    finishedAt: r.finishedAt.toISOString(),
    durationMs: r.startedAt ? Math.max(0, r.finishedAt.getTime() - r.startedAt.getTime()) : null,
    phaseMs: phaseMsOf(r.phaseTimings),
    queryClarity: num(r.metrics, "queryClarity"),
    domains: num(r.metrics, "domainCoverage"),
    candidates: num(r.metrics, "candidates"),
    sourcesUsed: num(r.metrics, "sourcesUsed"),
    sourceQuality: num(r.metrics, "sourceQuality"),
    insights: r.insights,
    crossDomainRate: num(r.metrics, "crossDomainRate"),
    unsupportedClaims: num(r.metrics, "unsupportedClaims"),
    engagementPotential: num(r.metrics, "engagementPotential"),
    learningBoost: r.learningBoost,
    patternsApplied: r.patternsApplied,
  }));
  const timed = phaseRuns.flatMap((r) => (r.durationMs === null ? [] : [r.durationMs]));
  const averages = phaseRuns.length
    ? {
        durationMs: timed.length ? mean(timed) : null,
        phaseMs: CONTENT_PHASES.map((_, i) => {
          const xs = phaseRuns.flatMap((r) => (r.phaseMs?.[i] == null ? [] : [r.phaseMs[i]!]));
          return xs.length ? mean(xs) : null;
        }),
        queryClarity: mean(phaseRuns.map((r) => r.queryClarity)),
        sourceQuality: mean(phaseRuns.map((r) => r.sourceQuality)),
        sourcesUsed: mean(phaseRuns.map((r) => r.sourcesUsed)),
        insights: mean(phaseRuns.map((r) => r.insights)),
        engagementPotential: mean(phaseRuns.map((r) => r.engagementPotential)),
        learningBoost: mean(phaseRuns.map((r) => r.learningBoost)),
      }
    : null;

  // Learning analytics: the patterns the latest run knows, each with its confidence run by run.
  const latest = runFacts.at(-1);
  const patterns = (latest?.patterns ?? []).map((p) => ({
    id: p.id,
    feature: p.feature,
    category: p.category,
    confidence: p.confidence,
    support: p.support,
    highCount: p.highCount,
    usageCount: p.usageCount,
    history: runFacts.flatMap((r) => {
      const then = r.patterns.find((q) => q.id === p.id);
      return then
        ? [{ runId: r.runId, finishedAt: r.finishedAt.toISOString(), confidence: then.confidence }]
        : [];
    }),
  }));
  patterns.sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));
  const boostTrend = runFacts.map((r) => ({
    runId: r.runId,
    finishedAt: r.finishedAt.toISOString(),
    learningBoost: r.learningBoost,
    patternsApplied: r.patternsApplied,
    patterns: r.patterns.length,
  }));

  // Predicted vs actual: the actual is the post's percentile of engagement rate among these
  // posts, the scale the predictions are on (a raw rate of 4 % next to a score of 0.6 says nothing).
  const sorted = [...posts].sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime());
  const rates = sorted.map(engagementRate);
  const actual = percentiles(rates);
  const pva = sorted.map((p, i) => ({
    postId: p.postId,
    variantKind: p.variantKind,
    publishedAt: p.publishedAt.toISOString(),
    predicted: p.predicted,
    engagementRate: rates[i]!,
    actual: actual[i]!,
  }));
  return {
    phaseComparison: { runs: phaseRuns, averages },
    learning: { patterns, boostTrend },
    predictedVsActual: {
      posts: pva,
      correlation: pearson(
        pva.map((p) => p.predicted),
        pva.map((p) => p.actual),
      ),
      meanAbsoluteError: pva.length ? mean(pva.map((p) => Math.abs(p.predicted - p.actual))) : null,
    },
  };
}

const CONTENT_MODEL = "content-intel";

/** The writer's latest `limit` finished content-intel runs, oldest first, as the views read them. */
export async function loadRunFacts(
  db: Db,
  orgId: string,
  userId: string,
  limit: number,
): Promise<RunFacts[]> {
  const rows = await db
    .select({
      runId: runs.id,
      topic: sql<string | null>`${runs.input}->>'topic'`,
      startedAt: runs.startedAt,
      finishedAt: runs.finishedAt,
      phaseTimings: runs.phaseTimings,
      metrics: sql<Record<string, number> | null>`${runs.output}->'metrics'`,
      insights: sql<number | null>`json_array_length(coalesce(${runs.output}->'insights', '[]'::json))`,
      patterns: sql<RunFacts["patterns"] | null>`${runs.output}->'learning'->'patterns'`,
      learningBoost: sql<number | string | null>`${runs.output}->'learning'->'learningBoost'`,
      patternsApplied: sql<number | string | null>`${runs.output}->'learning'->'patternsApplied'`,
    })
    .from(runs)
    .where(
      and(
        eq(runs.orgId, orgId),
        eq(runs.createdBy, userId),
        eq(runs.modelId, CONTENT_MODEL),
        eq(runs.status, "succeeded"),
        isNotNull(runs.finishedAt),
      ),
    )
    .orderBy(desc(runs.finishedAt), desc(runs.id))
    .limit(limit);
  return rows.reverse().map((r) => ({
    runId: r.runId,
    topic: r.topic ?? "",
    startedAt: r.startedAt,
    finishedAt: r.finishedAt!,
    phaseTimings: Array.isArray(r.phaseTimings) ? r.phaseTimings : null,
    metrics: r.metrics,
    insights: Number(r.insights ?? 0),
    patterns: Array.isArray(r.patterns) ? r.patterns : [],
    learningBoost: Number(r.learningBoost ?? 0),
    patternsApplied: Number(r.patternsApplied ?? 0),
  }));
}

/** The writer's posts that carry a prediction and have recorded results (their latest record). */
export async function loadPostFacts(db: Db, orgId: string, userId: string): Promise<PostFacts[]> {
  const rows = await db
    .select()
    .from(contentPosts)
    .where(
      and(eq(contentPosts.orgId, orgId), eq(contentPosts.userId, userId), isNotNull(contentPosts.predicted)),
    )
    .orderBy(desc(contentPosts.publishedAt))
    .limit(5_000);
  const fb = await latestFeedback(
    db,
    rows.map((p) => p.id),
  );
  return rows.flatMap((p) => {
    const f = fb.get(p.id);
    return f
      ? [
          {
            postId: p.id,
            variantKind: p.variantKind,
            publishedAt: p.publishedAt,
            predicted: p.predicted!,
            impressions: f.impressions,
            reactions: f.reactions,
            comments: f.comments,
            reposts: f.reposts,
          },
        ]
      : [];
  });
}
