export { BM25_B, BM25_K1, bm25, bm25Scores, buildBm25Index } from "./bm25.ts";
export { CACHE_TTL_MS, cacheKey, cacheKeysFor, isFresh, normalizeTopic } from "./cache-key.ts";
export { checkDraft, type DraftFlag, draftFlags } from "./check-draft.ts";
export { type Claim, ClaimCheck, checkClaims, extractClaims } from "./claims.ts";
export { EXAMPLE_AS_OF, EXAMPLE_ITEMS, EXAMPLE_TOPICS } from "./examples/items.ts";
export { postFeatures } from "./features.ts";
export { type ContentLlm, GeneratedBy } from "./generated-by.ts";
export { buildInsights, Insight } from "./insights.ts";
export { ContentItem, type ContentItemInput, canonicalUrl } from "./item.ts";
export {
  engagementRate,
  FeedbackRecord,
  learnFromFeedback,
  Pattern,
  patternBoost,
  percentiles,
  posteriorAbove,
} from "./learning.ts";
export {
  bandMatchProbability,
  lshBands,
  MINHASH_BANDS,
  MINHASH_ROWS,
  minhashSignature,
} from "./minhash.ts";
export { contentIntel } from "./model.ts";
export { jaccard, NEAR_DUPLICATE_JACCARD, shingles } from "./near-duplicates.ts";
export { AB_SPLIT, PHASES, phaseMessage, runContentIntel, runFromAnalysis } from "./pipeline.ts";
export { BLEND, blend, contentFactor, contextFactor, hashtagsIn, parseAiScore } from "./predictor.ts";
export {
  analyzeQuery,
  analyzeQueryBuiltIn,
  DOMAIN_KEYWORDS,
  FRAMEWORKS,
  QueryAnalysis,
} from "./query-analysis.ts";
export { DEFAULT_HALF_LIFE_HOURS, MAX_EVIDENCE, rankEvidence } from "./retrieval.ts";
export { ContentIntelInput, type ContentIntelInputRaw, ContentIntelOutput } from "./schema.ts";
export { parseSourcesYaml, SourceDefinition, sourceKindOf, sourcesForQuery } from "./sources.ts";
export { tokenize } from "./text.ts";
export { VARIANT_KINDS, type VariantKind } from "./variants.ts";
export { LINKEDIN_MAX_CHARS, MAX_HASHTAGS, Voice } from "./voice.ts";
