import { checkDraft } from "./check-draft.ts";
import { postFeatures } from "./features.ts";
import type { ContentLlm, GeneratedBy } from "./generated-by.ts";
import { buildInsights } from "./insights.ts";
import type { ContentItem } from "./item.ts";
import { historicalFactor, learnFromFeedback, patternBoost } from "./learning.ts";
import { aiScoreWithLlm, draftWithLlm } from "./llm-drafts.ts";
import { blend, contentFactor, contextFactor } from "./predictor.ts";
import { analyzeQuery, type QueryAnalysis } from "./query-analysis.ts";
import { rankEvidence } from "./retrieval.ts";
import type { ContentIntelInput, ContentIntelOutput, Flag, Variant } from "./schema.ts";
import { type Draft, draftVariants } from "./variants.ts";

/**
 * The five phases in order (spec A.3): analyse the topic, rank the evidence, draw insights,
 * draft and check four variants and predict them, then apply what the writer's history taught.
 * Deterministic for a given input: no clock, no randomness, no I/O.
 */
export const COMPLEXITY_LEVEL = { simple: 1, cross_domain: 2, contrarian: 3 } as const;
export const AB_SPLIT = { primary: 0.4, variantA: 0.3, variantB: 0.3 } as const;

/**
 * The five phases as the run reports them (ctx.progress → the run's SSE), in order. The message
 * is "Phase N of 5: Title", so a reader that missed a coalesced event still knows which phases
 * are done; the web's run panel draws them as steps (contracts' CONTENT_PHASES, same titles).
 */
export const PHASES = [
  { title: "Query analysis", fraction: 0.05 },
  { title: "Retrieval", fraction: 0.2 },
  { title: "Insights", fraction: 0.4 },
  { title: "Variants", fraction: 0.55 },
  { title: "Prediction", fraction: 0.8 },
] as const;
export const phaseMessage = (i: number) => `Phase ${i + 1} of ${PHASES.length}: ${PHASES[i]!.title}`;
const reportPhase = (progress: (fraction: number, message: string) => void, i: number) =>
  progress(PHASES[i]!.fraction, phaseMessage(i));

export interface PipelineOptions {
  llm?: ContentLlm | undefined;
  progress?: (fraction: number, message: string) => void;
}

export async function runContentIntel(
  input: ContentIntelInput,
  opts: PipelineOptions = {},
): Promise<ContentIntelOutput> {
  const progress = opts.progress ?? (() => {});
  reportPhase(progress, 0);
  const analysis = await analyzeQuery(input.topic, { llm: opts.llm, path: "topic" });
  return runFromAnalysis(input, analysis, progress, opts.llm);
}

export async function runFromAnalysis(
  input: ContentIntelInput,
  analysis: QueryAnalysis,
  progress: (fraction: number, message: string) => void = () => {},
  llm?: ContentLlm,
): Promise<ContentIntelOutput> {
  reportPhase(progress, 1);
  const { evidence, duplicates, candidates } = rankEvidence(analysis.terms, input.items, {
    asOf: input.asOf,
    halfLifeHours: input.halfLifeHours,
    freshnessModel: input.freshnessModel,
  });
  const itemsById = new Map<string, ContentItem>(input.items.map((i) => [i.id, i]));

  reportPhase(progress, 2);
  const { insights, sentencesByItem, evidenceDensity, crossDomainRate } = buildInsights(
    analysis,
    evidence,
    itemsById,
    input.voice,
  );

  reportPhase(progress, 3);
  const builtIn = draftVariants({ analysis, evidence, insights, sentencesByItem, voice: input.voice });
  // With a language model and evidence to cite, each variant is the model's (checked below like
  // any draft); without, or when it fails, the built-in draft.
  const drafts: (Draft & { generatedBy: GeneratedBy; ai: number })[] = [];
  for (const d of builtIn) {
    const fromLlm =
      llm && evidence.length
        ? await draftWithLlm(llm, d.kind, {
            analysis,
            evidence,
            sentencesByItem,
            itemsById,
            voice: input.voice,
          })
        : null;
    const draft = fromLlm?.draft ?? d;
    drafts.push({
      ...draft,
      generatedBy: fromLlm?.generatedBy ?? "built-in",
      ai: llm ? await aiScoreWithLlm(llm, draft.text) : 0.5,
    });
  }
  // Prediction: what the writer's results taught (patterns, the re-fitted model), then the blend.
  reportPhase(progress, 4);
  const learned = learnFromFeedback(input.history, input.patternUsage);
  const context = contextFactor(analysis);
  const flags: Flag[] = [];
  const variants: Variant[] = drafts.map((d) => {
    const { claims, voiceIssues: issues } = checkDraft(
      d.text,
      d.citations.map((c) => c.itemId),
      itemsById,
      analysis.text,
      input.voice,
    );
    for (const c of claims.filter((c) => !c.verified))
      flags.push({
        variant: d.kind,
        kind: "unsupported-claim",
        message: `${c.kind} "${c.text}" appears in none of the cited items`,
        text: c.text,
        start: c.start,
        end: c.end,
      });
    for (const i of issues)
      flags.push({
        variant: d.kind,
        kind: i.kind,
        message: i.message,
        ...(i.start !== undefined ? { start: i.start, end: i.end, text: d.text.slice(i.start, i.end) } : {}),
      });
    const features = postFeatures({
      text: d.text,
      kind: d.kind,
      domains: analysis.domains,
      hourLocal: input.plannedHourLocal,
    });
    const content = contentFactor(d.text);
    const p = blend({
      content: content.score,
      historical: historicalFactor(learned, features),
      context,
      ai: d.ai,
    });
    const { boost, applied } = patternBoost(learned.patterns, features);
    return {
      kind: d.kind,
      text: d.text,
      chars: [...d.text].length,
      hashtags: d.hashtags,
      citations: d.citations,
      claims,
      voiceIssues: issues,
      clean: claims.every((c) => c.verified) && issues.length === 0,
      features,
      prediction: {
        content: p.content,
        historical: p.historical,
        context: p.context,
        ai: p.ai,
        base: p.score,
        boost,
        enhanced: Math.min(1, p.score + boost),
      },
      contentReasons: content.reasons,
      appliedPatterns: applied,
      generatedBy: d.generatedBy,
    };
  });

  // Ties keep the prototype's variant order (analytical, engaging, contrarian, data_driven).
  const ranked = [...variants].sort((a, b) => b.prediction.enhanced - a.prediction.enhanced);
  const enhanced = variants.map((v) => v.prediction.enhanced);
  const patternUsage: Record<string, number> = { ...input.patternUsage };
  const appliedIds = new Set(variants.flatMap((v) => v.appliedPatterns.map((a) => a.patternId)));
  for (const id of appliedIds) patternUsage[id] = (patternUsage[id] ?? 0) + 1;
  const patterns = learned.patterns.map((p) => ({ ...p, usageCount: patternUsage[p.id] ?? p.usageCount }));
  const meanCredibility = evidence.length
    ? evidence.reduce((s, e) => s + e.credibility, 0) / evidence.length
    : 0;

  return {
    analysis,
    evidence,
    duplicates,
    insights,
    variants,
    recommendedVariant: ranked[0]!.kind,
    abTest: {
      testVariants: ranked.slice(0, 3).map((v) => v.kind),
      trafficSplit: { ...AB_SPLIT },
      successMetrics: ["engagement_rate", "comments", "reposts"],
      testDurationDays: 7,
      minimumSampleSize: 500,
      confidenceLevel: 0.95,
      learningEnhanced: learned.model !== null || learned.patterns.length > 0,
      expectedImprovement: Math.max(...enhanced) - Math.min(...enhanced),
    },
    flags,
    learning: {
      posts: learned.posts,
      patterns,
      model: learned.model && {
        posts: learned.model.n,
        lambda: learned.model.lambda,
        intercept: learned.model.intercept,
        coefficients: learned.model.features.map((feature, j) => ({
          feature,
          weight: learned.model!.coefficients[j]!,
        })),
      },
      patternUsage,
      patternsApplied: appliedIds.size,
      learningBoost: Math.max(...variants.map((v) => v.prediction.boost)),
    },
    tables: {
      predictions: variants.map((v) => ({
        variant: v.kind,
        content: v.prediction.content,
        historical: v.prediction.historical,
        base: v.prediction.base,
        boost: v.prediction.boost,
        enhanced: v.prediction.enhanced,
        claims: v.claims.length,
        unsupported: v.claims.filter((c) => !c.verified).length,
        chars: v.chars,
      })),
      domainWeights: Object.entries(analysis.domainWeights).map(([domain, weight]) => ({ domain, weight })),
    },
    metrics: {
      queryClarity: analysis.queryClarity,
      domainCoverage: analysis.domains.length,
      complexityLevel: COMPLEXITY_LEVEL[analysis.complexity],
      intentConfidence: analysis.intentConfidence,
      candidates,
      sourcesUsed: evidence.length,
      sourceQuality: meanCredibility,
      evidenceDensity,
      crossDomainRate,
      engagementPotential: Math.max(...enhanced),
      unsupportedClaims: flags.filter((f) => f.kind === "unsupported-claim").length,
    },
    generatedBy: analysis.generatedBy,
  };
}
