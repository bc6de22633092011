/** Seeded test data (mulberry32): scores with a known signal, ties on request. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n rows, responders at `rate`, score = noisy signal; `roundTo` > 0 rounds scores to create ties. */
export function scoredSample(n: number, seed: number, rate = 0.3, roundTo = 0): { y: number[]; p: number[] } {
  const r = rng(seed);
  const y: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < n; i++) {
    const yi = r() < rate ? 1 : 0;
    let s = 1 / (1 + Math.exp(-(1.2 * yi - 1 + 1.5 * (r() - 0.5) + 0.8 * (r() - 0.5))));
    if (roundTo > 0) s = Math.round(s / roundTo) * roundTo;
    y.push(yi);
    p.push(s);
  }
  return { y, p };
}
