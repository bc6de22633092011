import { words } from "./text.ts";

/**
 * The result-cache rule the server applies to content queries (spec A.8: "The cache must hit on
 * a repeat query within 6 h; the prototype's never does" — it stored articles under their own
 * URLs and looked them up by the feed's). Pure, so the rule lives with the engine:
 *
 * - the topic is normalised (NFKC, lower case, words only, single spaces): "AI regulation?" and
 *   "ai  Regulation" are the same query;
 * - the source set is the sorted, de-duplicated list of source ids the query may draw from;
 * - time falls into 6-hour buckets since the epoch (UTC).
 *
 * A bucket alone would make a repeat at 05:59 → 06:01 miss although 2 minutes apart, so
 * `cacheKeysFor` returns the current bucket's key and the previous one's; the server looks up
 * both and accepts an entry whose `cachedAt` is less than 6 h old (`isFresh`). Every repeat
 * within 6 h then hits, and nothing older does.
 */
export const CACHE_TTL_MS = 6 * 3_600_000;

export function normalizeTopic(topic: string): string {
  return words(topic).join(" ");
}

/** FNV-1a, 64-bit, as 16 hex digits: short, stable, dependency-free (not a security hash). */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, "0");
}

export function timeBucket(atMs: number): number {
  return Math.floor(atMs / CACHE_TTL_MS);
}

export function cacheKey(topic: string, sourceIds: readonly string[], bucket: number): string {
  const sources = [...new Set(sourceIds)].sort().join(",");
  return `content-intel:${bucket}:${fnv1a64(`${normalizeTopic(topic)}\n${sources}`)}`;
}

/** The keys to look up for a query at `at` (ISO): this bucket's and the previous one's. */
export function cacheKeysFor(topic: string, sourceIds: readonly string[], at: string): [string, string] {
  const bucket = timeBucket(Date.parse(at));
  return [cacheKey(topic, sourceIds, bucket), cacheKey(topic, sourceIds, bucket - 1)];
}

/** Whether an entry cached at `cachedAt` still answers a query at `at`. */
export function isFresh(cachedAt: string, at: string): boolean {
  const age = Date.parse(at) - Date.parse(cachedAt);
  return age >= 0 && age < CACHE_TTL_MS;
}
