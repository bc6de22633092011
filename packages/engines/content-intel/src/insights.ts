import { z } from "zod";
import { bestSentence, type Sentence, sentencesOf } from "./evidence-text.ts";
import { GeneratedBy } from "./generated-by.ts";
import type { ContentItem } from "./item.ts";
import type { QueryAnalysis } from "./query-analysis.ts";
import type { EvidenceItem } from "./retrieval.ts";
import { bannedWordPattern, type Voice } from "./voice.ts";

/**
 * Phase 3, cross-domain insights (spec A.3 phase 3). Kept: one insight for each of the top 3
 * evidence items, tier = rank, the source's credibility, the query's first two frameworks, a
 * contrarian angle only when contrarian potential > 0.6, and the metrics evidence density
 * (#sources / #insights) and cross-domain rate (share of insights whose source spans more than
 * one domain). Fixed: the claim is a whole sentence of the item chosen for the topic (not its
 * first 200 characters behind "From my learning-enhanced cross-domain experience:"), the
 * connection names the domains the evidence actually links (not just the query's first two),
 * and the contrarian angle is a sentence of the source that pushes back, or nothing — never a
 * placeholder.
 */
export const MAX_INSIGHTS = 3;

export const Insight = z.object({
  tier: z.number().int(),
  title: z.string(),
  claim: z.string(),
  itemId: z.string(),
  sourceName: z.string(),
  url: z.string(),
  credibility: z.number(),
  domains: z.array(z.string()),
  /** "tech × finance": domains of the query this item links, itself or with another evidence item. */
  connections: z.array(z.string()),
  crossDomain: z.boolean(),
  frameworks: z.array(z.string()),
  contrarianAngle: z.string().nullable(),
  generatedBy: GeneratedBy,
});
export type Insight = z.infer<typeof Insight>;

export interface InsightsResult {
  insights: Insight[];
  /** Sentences of every evidence item, for the drafts (same selection rules). */
  sentencesByItem: Map<string, Sentence[]>;
  evidenceDensity: number;
  crossDomainRate: number;
}

export function buildInsights(
  analysis: QueryAnalysis,
  evidence: readonly EvidenceItem[],
  itemsById: ReadonlyMap<string, ContentItem>,
  voice: Voice,
): InsightsResult {
  const terms = new Set(analysis.terms);
  const banned = bannedWordPattern(voice.bannedWords);
  const sentencesByItem = new Map<string, Sentence[]>();
  for (const e of evidence)
    sentencesByItem.set(e.itemId, sentencesOf(itemsById.get(e.itemId)!, terms, banned));

  const queryDomains: string[] = analysis.domains.filter((d) => d !== "general");
  const covered = (e: EvidenceItem) => e.domains.filter((d) => queryDomains.includes(d));
  const insights: Insight[] = [];
  for (const e of evidence.slice(0, MAX_INSIGHTS)) {
    const claim = bestSentence(sentencesByItem.get(e.itemId) ?? []);
    if (!claim) continue;
    const own = covered(e);
    const connections: string[] = [];
    for (let i = 0; i < own.length; i++)
      for (let j = i + 1; j < own.length; j++) connections.push(`${own[i]} × ${own[j]}`);
    if (own.length === 1) {
      // A single-domain item links across when another piece of evidence covers another query domain.
      const other = evidence.flatMap(covered).find((d) => d !== own[0]);
      if (other) connections.push(`${own[0]} × ${other}`);
    }
    const angle =
      analysis.contrarianPotential > 0.6
        ? (bestSentence(sentencesByItem.get(e.itemId) ?? [], (s) => s.isContrast)?.text ?? null)
        : null;
    insights.push({
      tier: insights.length + 1,
      title: e.title,
      claim: claim.text,
      itemId: e.itemId,
      sourceName: e.sourceName,
      url: e.url,
      credibility: e.credibility,
      domains: e.domains,
      connections,
      crossDomain: e.domains.length > 1,
      frameworks: analysis.frameworks.slice(0, 2),
      contrarianAngle: angle && /\b(but|however|yet|although|though|despite)\b/i.test(angle) ? angle : null,
      generatedBy: "built-in",
    });
  }
  return {
    insights,
    sentencesByItem,
    evidenceDensity: insights.length ? evidence.length / insights.length : 0,
    crossDomainRate: insights.length ? insights.filter((i) => i.crossDomain).length / insights.length : 0,
  };
}
