/**
 * mulberry32: a small, fast seeded generator. The optimizers use it where a plan or a generated
 * instance must be reproducible from a seed (the capex greedy start, bench and test instances);
 * statistical quality beyond that is not needed here (the Monte Carlo engine uses pure-rand).
 */
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
