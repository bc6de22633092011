/**
 * Pearson correlation on pairwise-complete rows (a pair's rows where both fields have a value),
 * for numeric and ordinal fields — the prototype's |r| > 0.95 warning. Cost O(fields² × rows); at
 * 200 fields × 1M rows that is 2·10¹⁰ steps, so the platform should run it on a row sample there.
 */

export interface NumericColumn {
  field: string;
  /** NaN = missing. */
  values: Float64Array;
}

export interface CorrelatedPair {
  field: string;
  otherField: string;
  r: number;
  /** Rows where both have a value. */
  rows: number;
}

/**
 * r over rows where both are present; NaN with fewer than 3 such rows or a constant side. One
 * pass of sums; the caller centres each column first (`centred`), which keeps the one-pass
 * formula accurate (no large-mean cancellation).
 */
export function pairwiseCorrelation(
  a: Float64Array,
  b: Float64Array,
  /** Optional: the rows where `a` has a value (fewer rows to visit for sparse appended fields). */
  presentA?: Uint32Array,
): { r: number; rows: number } {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  const count = presentA ? presentA.length : a.length;
  for (let k = 0; k < count; k++) {
    const i = presentA ? (presentA[k] as number) : k;
    const x = a[i] as number;
    const y = b[i] as number;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    n++;
    sa += x;
    sb += y;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  if (n < 3) return { r: Number.NaN, rows: n };
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  if (!(va > 1e-12 * saa) || !(vb > 1e-12 * sbb)) return { r: Number.NaN, rows: n };
  return { r: Math.max(-1, Math.min(1, cov / Math.sqrt(va * vb))), rows: n };
}

function presentRows(values: Float64Array): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out.push(i);
  return Uint32Array.from(out);
}

/** The column minus the mean of its present values (NaN stays NaN). */
export function centred(values: Float64Array): Float64Array {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    s += v;
    n++;
  }
  const mean = n === 0 ? 0 : s / n;
  return values.map((v) => v - mean);
}

/** Pairs with |r| above `threshold`, strongest first. */
export function correlatedPairs(columns: NumericColumn[], threshold = 0.95): CorrelatedPair[] {
  const pairs: CorrelatedPair[] = [];
  const values = columns.map((c) => centred(c.values));
  const present = values.map(presentRows);
  for (let i = 0; i < columns.length; i++) {
    for (let j = i + 1; j < columns.length; j++) {
      const a = columns[i] as NumericColumn;
      const b = columns[j] as NumericColumn;
      // Visit only the rows of the sparser column.
      const [u, v] = (present[i] as Uint32Array).length <= (present[j] as Uint32Array).length ? [i, j] : [j, i];
      const { r, rows } = pairwiseCorrelation(values[u] as Float64Array, values[v] as Float64Array, present[u]);
      if (Math.abs(r) > threshold) pairs.push({ field: a.field, otherField: b.field, r, rows });
    }
  }
  return pairs.sort((p, q) => Math.abs(q.r) - Math.abs(p.r));
}
