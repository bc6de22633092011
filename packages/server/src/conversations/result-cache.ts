/**
 * Answers of a plan revision's compiled queries, kept in process. A revision is immutable and so
 * is every stored file it reads (a re-upload makes a new file and a new revision), so the same
 * revision, files, visuals and filter state always give the same rows: an answer computed once
 * is the answer. It is what makes a dashboard's first render cheap for every viewer after the
 * first (issue 16: the visuals' query was the longest request of a cold render), and identical
 * requests in flight at once share one computation.
 *
 * The key names the files' storage keys, not their ids: a caller looks them up first (the org
 * check and the 410 for a deleted file run on every request, hit or miss). Bounded by the answers'
 * JSON size, least recently used first out; per instance (each computes its own, equal answers).
 */
export const RESULT_CACHE_BYTES = 32 * 1024 * 1024;
/** An answer larger than this is computed each time rather than pushing out many others. */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

interface Entry {
  value: unknown;
  bytes: number;
}
const entries = new Map<string, Entry>();
const inFlight = new Map<string, Promise<unknown>>();
let total = 0;
const stats = { hits: 0, misses: 0 };

/** Hits (stored or in flight) and computations since start (tests and diagnostics). */
export function resultCacheStats(): { hits: number; misses: number; entries: number; bytes: number } {
  return { ...stats, entries: entries.size, bytes: total };
}

/** Forgets every kept answer (the render bench's cold server; tests). */
export function clearResultCache(): void {
  entries.clear();
  total = 0;
}

/** The answer for `key`, computed by `compute` unless stored or already being computed. */
export async function cachedResult<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const hit = entries.get(key);
  if (hit) {
    stats.hits++;
    // Most recently used last: a Map iterates in insertion order.
    entries.delete(key);
    entries.set(key, hit);
    return hit.value as T;
  }
  const pending = inFlight.get(key);
  if (pending) {
    stats.hits++;
    return pending as Promise<T>;
  }
  stats.misses++;
  const p = compute();
  inFlight.set(key, p);
  try {
    const value = await p;
    const bytes = JSON.stringify(value).length;
    if (bytes <= MAX_ENTRY_BYTES) {
      entries.set(key, { value, bytes });
      total += bytes;
      for (const [k, e] of entries) {
        if (total <= RESULT_CACHE_BYTES) break;
        entries.delete(k);
        total -= e.bytes;
      }
    }
    return value;
  } finally {
    // A failure is not kept: the next request computes again.
    inFlight.delete(key);
  }
}
