import { isStopword, stem, tokenize, words } from "./text.ts";

/**
 * Okapi BM25 over a fixed set of documents:
 *
 *   score(D, Q) = Σ_{t ∈ Q} IDF(t) · f(t,D)·(k1 + 1) / (f(t,D) + k1·(1 − b + b·|D|/avgdl))
 *   IDF(t)      = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))
 *
 * with k1 = 1.2 and b = 0.75. The IDF is Lucene's "plus one" form, always positive, so a term
 * present in most documents still adds a little instead of subtracting (the classic Robertson
 * IDF goes negative above N/2 and would rank a document lower for matching). Query terms are
 * de-duplicated: typing a word twice does not double its weight.
 */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

export interface Bm25Index {
  docCount: number;
  avgDocLength: number;
  docLengths: number[];
  /** Term → frequency per document (documents without the term are absent). */
  postings: Map<string, Map<number, number>>;
}

export function buildBm25Index(docs: readonly string[][]): Bm25Index {
  const postings = new Map<string, Map<number, number>>();
  const docLengths = docs.map((terms, i) => {
    for (const t of terms) {
      const p = postings.get(t) ?? new Map<number, number>();
      if (p.size === 0) postings.set(t, p);
      p.set(i, (p.get(i) ?? 0) + 1);
    }
    return terms.length;
  });
  const total = docLengths.reduce((s, n) => s + n, 0);
  return { docCount: docs.length, avgDocLength: docs.length ? total / docs.length : 0, docLengths, postings };
}

export function bm25Idf(index: Bm25Index, term: string): number {
  const n = index.postings.get(term)?.size ?? 0;
  return Math.log(1 + (index.docCount - n + 0.5) / (n + 0.5));
}

/** BM25 score of every document for the query terms (0 for a document matching none). */
export function bm25Scores(
  index: Bm25Index,
  queryTerms: readonly string[],
  k1 = BM25_K1,
  b = BM25_B,
): number[] {
  const scores = new Array<number>(index.docCount).fill(0);
  if (index.avgDocLength === 0) return scores;
  for (const term of new Set(queryTerms)) {
    const p = index.postings.get(term);
    if (!p) continue;
    const idf = bm25Idf(index, term);
    for (const [doc, f] of p) {
      const norm = 1 - b + (b * index.docLengths[doc]!) / index.avgDocLength;
      scores[doc]! += (idf * f * (k1 + 1)) / (f + k1 * norm);
    }
  }
  return scores;
}

/**
 * The same scores for one query straight from raw texts, without an index of every term: a
 * single pass per text counts its length (index terms) and the frequencies of the query's terms
 * only. This is what ranking a store of items for one topic needs; it does ~4× less work than
 * building the full index over 100,000 items. Equal to bm25Scores(buildBm25Index(…)) (tested).
 */
export function bm25ScoresForTexts(
  texts: readonly string[],
  queryTerms: readonly string[],
  k1 = BM25_K1,
  b = BM25_B,
): number[] {
  const terms = [...new Set(queryTerms)];
  const slot = new Map(terms.map((t, j) => [t, j]));
  const lengths = new Float64Array(texts.length);
  const tf = terms.map(() => new Float64Array(texts.length));
  const df = new Float64Array(terms.length);
  // Stemming never changes a word's first two characters (text.ts: "flies" → "fly" is the
  // shortest case), so a word whose first two start no query term is counted, not stemmed.
  const prefixes = new Set(terms.map((t) => t.slice(0, 2)));
  texts.forEach((text, i) => {
    let length = 0;
    for (const w of words(text)) {
      if (isStopword(w)) continue;
      length++;
      if (!prefixes.has(w.slice(0, 2))) continue;
      const j = slot.get(stem(w));
      if (j !== undefined) {
        if (tf[j]![i] === 0) df[j]!++;
        tf[j]![i]!++;
      }
    }
    lengths[i] = length;
  });
  const n = texts.length;
  let total = 0;
  for (const l of lengths) total += l;
  const avg = n ? total / n : 0;
  const scores = new Array<number>(n).fill(0);
  if (avg === 0) return scores;
  for (let j = 0; j < terms.length; j++) {
    if (df[j] === 0) continue;
    const idf = Math.log(1 + (n - df[j]! + 0.5) / (df[j]! + 0.5));
    const f = tf[j]!;
    for (let i = 0; i < n; i++) {
      const x = f[i]!;
      if (x === 0) continue;
      scores[i]! += (idf * x * (k1 + 1)) / (x + k1 * (1 - b + (b * lengths[i]!) / avg));
    }
  }
  return scores;
}

/** Convenience: tokenize raw texts and score them against a raw query. */
export function bm25(texts: readonly string[], query: string): number[] {
  return bm25Scores(buildBm25Index(texts.map(tokenize)), tokenize(query));
}
