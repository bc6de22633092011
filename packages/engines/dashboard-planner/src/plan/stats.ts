/** Small statistics over sample rows, for choosing what to chart (never for the numbers shown). */

/** Pearson correlation over the pairs where both values are numbers; null with fewer than 3 pairs or no spread. */
export function pearson(xs: readonly unknown[], ys: readonly unknown[]): number | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (typeof x !== "number" || typeof y !== "number" || !Number.isFinite(x) || !Number.isFinite(y))
      continue;
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  if (n < 3) return null;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  if (vx <= 0 || vy <= 0) return null;
  return (sxy - (sx * sy) / n) / Math.sqrt(vx * vy);
}

/**
 * How much of a measure's variance a grouping explains, penalised for the number of groups
 * (ω², Hays): a 38-level grouping does not win just by having many levels. 0 when it explains
 * nothing or cannot be computed.
 */
export function omegaSquared(groups: readonly unknown[], values: readonly unknown[]): number {
  const byGroup = new Map<string, { n: number; sum: number }>();
  const ys: number[] = [];
  const keys: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    const g = groups[i];
    if (typeof y !== "number" || !Number.isFinite(y) || g === null || g === undefined) continue;
    const k = String(g);
    ys.push(y);
    keys.push(k);
    const s = byGroup.get(k) ?? { n: 0, sum: 0 };
    s.n++;
    s.sum += y;
    byGroup.set(k, s);
  }
  const n = ys.length;
  const k = byGroup.size;
  if (k < 2 || n <= k) return 0;
  const mean = ys.reduce((a, b) => a + b, 0) / n;
  let sst = 0;
  let ssw = 0;
  for (let i = 0; i < n; i++) {
    const g = byGroup.get(keys[i]!)!;
    sst += (ys[i]! - mean) ** 2;
    ssw += (ys[i]! - g.sum / g.n) ** 2;
  }
  if (sst === 0) return 0;
  const ssb = sst - ssw;
  const msw = ssw / (n - k);
  return Math.max(0, (ssb - (k - 1) * msw) / (sst + msw));
}
