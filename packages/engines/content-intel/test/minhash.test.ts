import { describe, expect, it } from "vitest";
import {
  bandMatchProbability,
  lshBands,
  MINHASH_BANDS,
  MINHASH_ROWS,
  minhashSignature,
} from "../src/minhash.ts";
import { jaccard, shingles } from "../src/near-duplicates.ts";

/** Two sets over distinct strings with |A ∩ B| = common and `only` strings of their own each. */
function pair(tag: string, common: number, only: number): [Set<string>, Set<string>] {
  const shared = Array.from({ length: common }, (_, i) => `${tag} shared ${i}`);
  const a = new Set([...shared, ...Array.from({ length: only }, (_, i) => `${tag} a ${i}`)]);
  const b = new Set([...shared, ...Array.from({ length: only }, (_, i) => `${tag} b ${i}`)]);
  return [a, b];
}

const sharesBand = (a: Set<string>, b: Set<string>, scope = "org") => {
  const bb = new Set(lshBands(b, scope));
  return lshBands(a, scope).some((h) => bb.has(h));
};

describe("MinHash LSH bands (20 bands × 5 rows)", () => {
  it("has the S-curve the decision record states", () => {
    expect(MINHASH_BANDS * MINHASH_ROWS).toBe(100);
    expect(bandMatchProbability(0.8)).toBeCloseTo(0.99964, 5);
    expect(bandMatchProbability(0.5)).toBeCloseTo(0.47005, 5);
    expect(bandMatchProbability(0.3)).toBeCloseTo(0.04749, 5);
    expect(bandMatchProbability(0.1)).toBeCloseTo(0.0002, 4);
  });

  it("nominates pairs at Jaccard 0.8 (≥ 99.5 % of 2,000) and rarely pairs at 0.3, as the curve says", () => {
    let at08 = 0;
    let at03 = 0;
    const n = 2000;
    for (let k = 0; k < n; k++) {
      // 80 shared of 100: J = 0.8 exactly; 30 shared, 35 + 35 own: J = 0.3.
      const [a, b] = pair(`p${k}`, 80, 10);
      expect(jaccard(a, b)).toBeCloseTo(0.8, 10);
      if (sharesBand(a, b)) at08++;
      const [c, d] = pair(`q${k}`, 30, 35);
      if (sharesBand(c, d)) at03++;
    }
    // Expected 0.9996 × 2,000 = 1999.3 and 0.047 × 2,000 = 95 (σ ≈ 9.5).
    expect(at08 / n).toBeGreaterThanOrEqual(0.995);
    expect(at03 / n).toBeGreaterThan(0.025);
    expect(at03 / n).toBeLessThan(0.075);
  });

  it("never nominates unrelated texts (1,000 pairs) and estimates Jaccard within 0.05 on average", () => {
    let matches = 0;
    let error = 0;
    for (let k = 0; k < 1000; k++) {
      const [a] = pair(`x${k}`, 0, 90);
      const [b] = pair(`y${k}`, 0, 90);
      if (sharesBand(a, b)) matches++;
      const [c, d] = pair(`z${k}`, 60, 20);
      const sa = minhashSignature(c);
      const sb = minhashSignature(d);
      const same = sa.filter((v, i) => v === sb[i]).length / sa.length;
      error += Math.abs(same - jaccard(c, d));
    }
    expect(matches).toBe(0);
    expect(error / 1000).toBeLessThan(0.05);
  });

  it("is the same for the same text, and differs per scope (organizations never nominate each other)", () => {
    const text = shingles(
      "central banks raised rates again as inflation stayed above target in most economies",
    );
    expect(lshBands(text, "org-a")).toEqual(lshBands(new Set(text), "org-a"));
    expect(lshBands(text, "org-a")).toHaveLength(MINHASH_BANDS);
    const other = new Set(lshBands(text, "org-b"));
    expect(lshBands(text, "org-a").some((h) => other.has(h))).toBe(false);
    // Signed 32-bit integers: a PostgreSQL integer[].
    for (const h of lshBands(text)) expect(h).toBe(h | 0);
    // Two empty texts are alike (Jaccard 1), so they share their bands.
    expect(lshBands(new Set(), "o")).toEqual(lshBands(new Set(), "o"));
  });
});
