import { words } from "./text.ts";

/**
 * Near-duplicate detection by word shingles: the set of 3-word windows of a text, compared with
 * Jaccard similarity |A ∩ B| / |A ∪ B|. A syndicated copy with a different headline, a
 * tracking footer or light edits keeps most of its shingles (≥ 0.8 in practice) while two
 * articles on the same subject share few (< 0.2). Exact sets rather than MinHash sketches: the
 * engine compares only the few dozen best-ranked candidates against the ≤ 15 kept, where exact
 * is cheap and has no estimation error; the server's store-wide check can sketch the same sets.
 */
export const SHINGLE_WORDS = 3;
export const NEAR_DUPLICATE_JACCARD = 0.8;

export function shingles(text: string, size = SHINGLE_WORDS): Set<string> {
  const w = words(text);
  const out = new Set<string>();
  if (w.length < size) {
    if (w.length) out.add(w.join(" "));
    return out;
  }
  for (let i = 0; i + size <= w.length; i++) out.add(w.slice(i, i + size).join(" "));
  return out;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let common = 0;
  for (const s of small) if (large.has(s)) common++;
  return common / (a.size + b.size - common);
}
