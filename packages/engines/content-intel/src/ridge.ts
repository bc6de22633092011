/**
 * Ridge regression, closed form: with X centred column-wise and y centred,
 *   β = (XᵀX + λI)⁻¹ Xᵀy,   ŷ(x) = ȳ + (x − x̄)·β.
 * The intercept is not penalised (centring), so λ only shrinks the feature effects towards
 * "no effect" — what a writer with a handful of posts needs: a feature seen in two posts moves
 * the prediction a little, one seen in twenty moves it a lot. Solved by Cholesky (XᵀX + λI is
 * symmetric positive definite for λ > 0); the systems are tiny (tens of features).
 */
export interface RidgeModel {
  features: string[];
  means: number[];
  intercept: number;
  coefficients: number[];
  lambda: number;
  n: number;
}

function cholesky(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j]![j]!;
    }
  }
  return l;
}

function solveCholesky(l: number[][], b: number[]): number[] {
  const n = b.length;
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * y[k]!;
    y[i] = s / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!;
    x[i] = s / l[i]![i]!;
  }
  return x;
}

/** Fits y on binary feature sets (each row: the features it has). */
export function fitRidge(
  rows: readonly (readonly string[])[],
  y: readonly number[],
  features: string[],
  lambda = 1,
): RidgeModel {
  const n = rows.length;
  const p = features.length;
  const col = new Map(features.map((f, j) => [f, j]));
  const x = rows.map((r) => {
    const v = new Array<number>(p).fill(0);
    for (const f of r) {
      const j = col.get(f);
      if (j !== undefined) v[j] = 1;
    }
    return v;
  });
  const means = features.map((_, j) => x.reduce((s, r) => s + r[j]!, 0) / n);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const xtx = features.map(() => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  for (let i = 0; i < n; i++) {
    const xc = x[i]!.map((v, j) => v - means[j]!);
    const yc = y[i]! - yMean;
    for (let a = 0; a < p; a++) {
      xty[a]! += xc[a]! * yc;
      for (let b = 0; b <= a; b++) xtx[a]![b]! += xc[a]! * xc[b]!;
    }
  }
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < a; b++) xtx[b]![a] = xtx[a]![b]!;
    xtx[a]![a]! += lambda;
  }
  const coefficients = p ? solveCholesky(cholesky(xtx), xty) : [];
  return { features, means, intercept: yMean, coefficients, lambda, n };
}

export function predictRidge(model: RidgeModel, has: readonly string[]): number {
  const set = new Set(has);
  let y = model.intercept;
  model.features.forEach((f, j) => {
    y += ((set.has(f) ? 1 : 0) - model.means[j]!) * model.coefficients[j]!;
  });
  return y;
}
