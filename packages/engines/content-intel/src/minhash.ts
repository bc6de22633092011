/**
 * A near-copy fingerprint that a store can look up (issue 17 item 1; decision 0047): the MinHash
 * signature of an item's shingle set, cut into LSH bands, each band hashed to one 32-bit number.
 * Two items share a band with probability 1 − (1 − J^ROWS)^BANDS, J their Jaccard similarity:
 * with 20 bands of 5 rows a pair at J = 0.8 shares one with probability 0.9996, a pair at 0.3
 * with 0.047 and unrelated items (J ≈ 0) practically never. A band match only nominates a
 * candidate: whether it is a near-copy is still decided by the exact Jaccard of the shingles.
 */
export const MINHASH_BANDS = 20;
export const MINHASH_ROWS = 5;

/** Probability that a pair of Jaccard similarity `j` shares at least one band. */
export function bandMatchProbability(j: number, bands = MINHASH_BANDS, rows = MINHASH_ROWS): number {
  return 1 - (1 - j ** rows) ** bands;
}

/** MurmurHash3's finalizer: every input bit reaches every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, finalized: the one hash each shingle gets. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

/**
 * Fixed seeds, one per MinHash function (a splitmix-style sequence), so every instance and every
 * release computes the same signature for the same text — stored bands stay comparable.
 */
const SEEDS: Uint32Array = (() => {
  const out = new Uint32Array(MINHASH_BANDS * MINHASH_ROWS);
  let x = 0x9e3779b9;
  for (let i = 0; i < out.length; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    out[i] = fmix32(x);
  }
  return out;
})();

/**
 * The MinHash signature: for each of the BANDS × ROWS functions (the shingle's hash mixed with a
 * seed), the smallest value over the set. An empty set keeps the maximum everywhere, so two
 * empty texts share every band (their Jaccard is 1).
 */
export function minhashSignature(set: ReadonlySet<string>): Uint32Array {
  const sig = new Uint32Array(SEEDS.length).fill(0xffffffff);
  for (const s of set) {
    const h = hashString(s);
    for (let i = 0; i < SEEDS.length; i++) {
      const v = fmix32(h ^ SEEDS[i]!);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/**
 * The band hashes of a shingle set, as signed 32-bit integers (PostgreSQL `integer`s). The
 * band's number and `scope` (the organization) are hashed in, so a band of band 3 never equals
 * one of band 7, and items of two organizations never nominate each other.
 */
export function lshBands(set: ReadonlySet<string>, scope = ""): number[] {
  const sig = minhashSignature(set);
  const salt = hashString(scope);
  const out: number[] = [];
  for (let b = 0; b < MINHASH_BANDS; b++) {
    let h = fmix32(salt ^ Math.imul(b + 1, 0x9e3779b9));
    for (let r = 0; r < MINHASH_ROWS; r++)
      h = fmix32(Math.imul(h ^ sig[b * MINHASH_ROWS + r]!, 0x01000193) >>> 0);
    out.push(h | 0);
  }
  return out;
}
