import { z } from "zod";
import { bm25ScoresForTexts } from "./bm25.ts";
import { type ContentItem, canonicalUrl, hostOf } from "./item.ts";
import { jaccard, NEAR_DUPLICATE_JACCARD, shingles } from "./near-duplicates.ts";
import { tokenize } from "./text.ts";

/**
 * Phase 2's ranking (spec A.3 phase 2), over items already fetched. Kept: score =
 * relevance × freshness × credibility, descending, at most 15. Fixed: relevance is BM25 over
 * title + text (the prototype counted which whitespace-split words occurred as substrings);
 * freshness decays smoothly with a half-life instead of five steps; the same article under two
 * URLs, or a near-copy of it, is shown once.
 *
 * relevance = bm25 / max bm25 among the items (so the best match is 1 and the product stays in
 * [0, 1]); freshness = 0.5^(age / half-life), age in hours from `asOf` (an item dated in the
 * future counts as age 0). The default half-life of 7 days (168 h) sits inside the prototype's
 * bands: 0.93 at 24 h (its 1.0), 0.74 at 72 h (0.8), 0.5 at a week (0.6), 0.05 at 30 days (0.4).
 * The bands themselves stay available (`freshnessModel: "prototype-bands"`) to reconcile with the
 * prototype; steps make a 23-hour-old and a 25-hour-old item differ by 20 %, hence the default.
 */
export const MAX_EVIDENCE = 15;
/**
 * At most this many of the best-scored items are examined for duplicates: bounds the shingle
 * comparisons when a store is full of copies of a few stories (then fewer than 15 distinct items
 * may come back, all of them better than anything beyond).
 */
export const MAX_EXAMINED = 500;
export const DEFAULT_HALF_LIFE_HOURS = 168;

export const EvidenceItem = z.object({
  rank: z.number().int(),
  itemId: z.string(),
  title: z.string(),
  url: z.string(),
  canonicalUrl: z.string(),
  host: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  domains: z.array(z.string()),
  publishedAt: z.string(),
  ageHours: z.number(),
  bm25: z.number(),
  relevance: z.number(),
  freshness: z.number(),
  credibility: z.number(),
  score: z.number(),
  matchedTerms: z.array(z.string()),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

export const DuplicateItem = z.object({
  itemId: z.string(),
  duplicateOf: z.string(),
  reason: z.enum(["canonical-url", "same-text", "near-duplicate"]),
  similarity: z.number(),
});
export type DuplicateItem = z.infer<typeof DuplicateItem>;

export interface RankOptions {
  /** The moment freshness is measured from (ISO); the engine has no clock of its own. */
  asOf: string;
  halfLifeHours?: number;
  /** "prototype-bands" reproduces the prototype's steps (A.8 "freshness bands follow A.3"). */
  freshnessModel?: FreshnessModel;
  limit?: number;
}

export const FRESHNESS_MODELS = ["half-life", "prototype-bands"] as const;
export type FreshnessModel = (typeof FRESHNESS_MODELS)[number];

/** The prototype's five steps (A.3 phase 2): < 24 h 1.0, < 72 h 0.8, < 1 week 0.6, < 30 days 0.4, else 0.2. */
export function prototypeFreshnessBand(ageHours: number): number {
  if (ageHours < 24) return 1;
  if (ageHours < 72) return 0.8;
  if (ageHours < 168) return 0.6;
  if (ageHours < 720) return 0.4;
  return 0.2;
}

export function freshness(
  publishedAt: string,
  asOf: string,
  halfLifeHours = DEFAULT_HALF_LIFE_HOURS,
  model: FreshnessModel = "half-life",
) {
  const ageHours = Math.max(0, (Date.parse(asOf) - Date.parse(publishedAt)) / 3_600_000);
  return {
    ageHours,
    freshness:
      model === "prototype-bands" ? prototypeFreshnessBand(ageHours) : 0.5 ** (ageHours / halfLifeHours),
  };
}

export function rankEvidence(
  queryTerms: readonly string[],
  items: readonly ContentItem[],
  opts: RankOptions,
): { evidence: EvidenceItem[]; duplicates: DuplicateItem[]; candidates: number } {
  const limit = opts.limit ?? MAX_EVIDENCE;
  const docText = (it: ContentItem) => `${it.title} ${it.text}`;
  const scores = bm25ScoresForTexts(items.map(docText), queryTerms);
  let maxBm25 = 0;
  for (const s of scores) if (s > maxBm25) maxBm25 = s;
  const query = new Set(queryTerms);
  // Only matching items are scored further; ties are broken by id (code-unit order, not
  // localeCompare, which is slow over 100k items and locale-dependent) so the same input always
  // gives the same order.
  const scored: {
    item: ContentItem;
    bm25: number;
    relevance: number;
    ageHours: number;
    freshness: number;
    score: number;
  }[] = [];
  for (const [i, item] of items.entries()) {
    const bm25 = scores[i]!;
    if (bm25 <= 0) continue;
    const relevance = bm25 / maxBm25;
    const f = freshness(item.publishedAt, opts.asOf, opts.halfLifeHours, opts.freshnessModel);
    scored.push({ item, bm25, relevance, ...f, score: relevance * f.freshness * item.credibility });
  }
  scored.sort((a, b) => b.score - a.score || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));

  const evidence: EvidenceItem[] = [];
  const duplicates: DuplicateItem[] = [];
  const keptByUrl = new Map<string, string>();
  const keptByText = new Map<string, string>();
  const kept: { id: string; shingles: Set<string> }[] = [];
  for (const s of scored.slice(0, MAX_EXAMINED)) {
    if (evidence.length >= limit) break;
    const canon = canonicalUrl(s.item.canonicalUrl ?? s.item.url);
    const sameUrl = keptByUrl.get(canon);
    if (sameUrl) {
      duplicates.push({ itemId: s.item.id, duplicateOf: sameUrl, reason: "canonical-url", similarity: 1 });
      continue;
    }
    // The same text under another URL (a content hash, without hashing: the text is the key).
    const textKey = s.item.text.toLowerCase().replace(/\s+/g, " ").trim();
    const sameText = textKey ? keptByText.get(textKey) : undefined;
    if (sameText) {
      duplicates.push({ itemId: s.item.id, duplicateOf: sameText, reason: "same-text", similarity: 1 });
      continue;
    }
    const sh = shingles(`${s.item.title} ${s.item.text}`);
    const near = kept
      .map((k) => ({ id: k.id, similarity: jaccard(sh, k.shingles) }))
      .find((k) => k.similarity >= NEAR_DUPLICATE_JACCARD);
    if (near) {
      duplicates.push({
        itemId: s.item.id,
        duplicateOf: near.id,
        reason: "near-duplicate",
        similarity: near.similarity,
      });
      continue;
    }
    keptByUrl.set(canon, s.item.id);
    if (textKey) keptByText.set(textKey, s.item.id);
    kept.push({ id: s.item.id, shingles: sh });
    evidence.push({
      rank: evidence.length + 1,
      itemId: s.item.id,
      title: s.item.title,
      url: s.item.url,
      canonicalUrl: canon,
      host: hostOf(s.item.url),
      sourceId: s.item.sourceId,
      sourceName: s.item.sourceName ?? hostOf(s.item.url) ?? s.item.sourceId,
      domains: s.item.domains,
      publishedAt: s.item.publishedAt,
      ageHours: s.ageHours,
      bm25: s.bm25,
      relevance: s.relevance,
      freshness: s.freshness,
      credibility: s.item.credibility,
      score: s.score,
      matchedTerms: [...new Set(tokenize(docText(s.item)).filter((t) => query.has(t)))],
    });
  }
  return { evidence, duplicates, candidates: scored.length };
}
