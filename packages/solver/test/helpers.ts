import { ModelBuilder, type ModelSpec, type SolveResult } from "../src/index.ts";

/** mulberry32: a small seeded generator, so random instances are reproducible. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/**
 * A random LP that is feasible by construction (every row is built around a point x0 inside the
 * column bounds) and bounded (every column is boxed). Mixes ≤, ≥, = and ranged rows, min and max.
 */
export function randomLp(seed: number): ModelSpec {
  const r = rng(seed);
  const n = int(r, 3, 12);
  const m = int(r, 2, 10);
  const variables = Array.from({ length: n }, (_, j) => {
    const lower = r() < 0.2 ? -5 : 0;
    const upper = r() < 0.5 ? 20 : 30;
    return { name: `x${j}`, lower, upper, integer: false, cost: int(r, -10, 10), unit: "units" };
  });
  const x0 = variables.map((v) => v.lower + r() * (v.upper - v.lower));
  const constraints = Array.from({ length: m }, (_, i) => {
    const vars: number[] = [];
    const coefs: number[] = [];
    for (let j = 0; j < n; j++) {
      if (r() < 0.6) {
        const c = int(r, -5, 9);
        if (c !== 0) {
          vars.push(j);
          coefs.push(c);
        }
      }
    }
    if (vars.length === 0) {
      vars.push(i % n);
      coefs.push(1);
    }
    const ax = vars.reduce((s, j, k) => s + coefs[k]! * x0[j]!, 0);
    const t = r();
    let lower = Number.NEGATIVE_INFINITY;
    let upper = Number.POSITIVE_INFINITY;
    if (t < 0.45) upper = Math.ceil(ax + r() * 5);
    else if (t < 0.8) lower = Math.floor(ax - r() * 5);
    else if (t < 0.9) {
      lower = Math.floor(ax) - 3;
      upper = Math.ceil(ax) + 3;
    } else {
      lower = ax;
      upper = ax;
    }
    return { name: `row ${i}`, vars, coefs, lower, upper, unit: i % 2 ? "AED" : "months" };
  });
  return {
    sense: r() < 0.5 ? "min" : "max",
    objectiveOffset: 0,
    objectiveUnit: "AED",
    variables,
    constraints,
  };
}

/**
 * Checks a solution against the model without the solver: bounds, integrality, every row's
 * activity recomputed from the matrix, and the objective. Returns the list of violations.
 */
export function independentCheck(spec: ModelSpec, res: SolveResult, tol = 1e-6): string[] {
  const out: string[] = [];
  const x = spec.variables.map((v) => res.values[v.name]);
  for (const [j, v] of spec.variables.entries()) {
    const xj = x[j];
    if (xj === undefined || !Number.isFinite(xj)) {
      out.push(`${v.name}: no value`);
      continue;
    }
    const s = tol * Math.max(1, Math.abs(xj));
    if (xj < v.lower - s) out.push(`${v.name} = ${xj} < lower ${v.lower}`);
    if (xj > v.upper + s) out.push(`${v.name} = ${xj} > upper ${v.upper}`);
    if (v.integer && Math.abs(xj - Math.round(xj)) > 1e-6) out.push(`${v.name} = ${xj} not integer`);
  }
  spec.constraints.forEach((c) => {
    const ax = c.vars.reduce((s, j, k) => s + c.coefs[k]! * x[j]!, 0);
    const scale = tol * Math.max(1, Math.abs(ax), ...c.coefs.map(Math.abs));
    if (ax < c.lower - scale) out.push(`${c.name}: ${ax} < ${c.lower}`);
    if (ax > c.upper + scale) out.push(`${c.name}: ${ax} > ${c.upper}`);
  });
  const obj = spec.variables.reduce((s, v, j) => s + v.cost * x[j]!, spec.objectiveOffset);
  if (res.objective === null || Math.abs(obj - res.objective) > tol * Math.max(1, Math.abs(obj)))
    out.push(`objective ${res.objective} ≠ recomputed ${obj}`);
  return out;
}

/** A copy of `spec` with constraint `i`'s limit (`lower`, `upper` or both) moved by `delta`. */
export function shiftLimit(spec: ModelSpec, i: number, side: "lower" | "upper" | "equality", delta: number) {
  const copy = structuredClone(spec);
  const c = copy.constraints[i]!;
  if (side !== "upper") c.lower += delta;
  if (side !== "lower") c.upper += delta;
  return copy;
}

/** A copy of `spec` with constraint `i`'s limit set to `value`. */
export function setLimit(spec: ModelSpec, i: number, side: "lower" | "upper" | "equality", value: number) {
  const copy = structuredClone(spec);
  const c = copy.constraints[i]!;
  if (side !== "upper") c.lower = value;
  if (side !== "lower") c.upper = value;
  return copy;
}

export const close = (a: number, b: number, rel = 1e-7) =>
  Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * A random pure-integer model, feasible by construction around an integer point x0: binaries and
 * a few general integers in [0, 2] (or [−1, 1]), ≤ / ≥ / ranged rows with mixed-sign
 * coefficients, min or max, an objective offset.
 */
export function randomIntegerModel(seed: number, n: number): ModelSpec {
  const r = rng(seed);
  const m = new ModelBuilder(r() < 0.5 ? "min" : "max", { objectiveUnit: "AED" });
  const x = Array.from({ length: n }, (_, j) => {
    const general = j % 5 === 4;
    const lower = general && r() < 0.5 ? -1 : 0;
    return m.variable({
      name: `x${j}`,
      integer: true,
      lower,
      upper: general ? lower + 2 : 1,
      cost: int(r, -20, 40),
    });
  });
  const x0 = x.map((_, j) => (j % 5 === 4 ? int(r, 0, 2) - (r() < 0.5 ? 1 : 0) : int(r, 0, 1)));
  const vars = m.build().variables;
  x0.forEach((v, j) => {
    x0[j] = Math.min(vars[j]!.upper, Math.max(vars[j]!.lower, v));
  });
  const rows = int(r, 2, 5);
  for (let i = 0; i < rows; i++) {
    const terms = x.flatMap((v) => (r() < 0.7 ? [[v, int(r, -4, 15)] as const] : []));
    if (terms.length === 0) terms.push([x[i % n]!, 1]);
    const ax = terms.reduce((s, [v, c]) => s + c * x0[v.index]!, 0);
    const t = r();
    if (t < 0.6) m.le(`cap ${i}`, terms, ax + int(r, 0, 6));
    else if (t < 0.85) m.ge(`need ${i}`, terms, ax - int(r, 0, 6));
    else m.constraint({ name: `band ${i}`, terms, lower: ax - 3, upper: ax + 2 });
  }
  m.objectiveOffset(int(r, -50, 50));
  return m.build();
}

/**
 * A random knapsack-like MIP: binaries and general integers (upper `minUpper`…`minUpper + 4`),
 * 1–4 capacity rows (max) or cover rows (min) over random subsets; `columns` integers in all.
 */
export function randomKnapsack(
  seed: number,
  { columns: [fewest, most], minUpper }: { columns: [number, number]; minUpper: number },
): ModelSpec {
  const r = rng(seed);
  const n = fewest + Math.floor(r() * (most - fewest + 1));
  const m = new ModelBuilder(r() < 0.5 ? "max" : "min");
  const x = Array.from({ length: n }, (_, j) =>
    r() < 0.7
      ? m.variable({ name: `b${j}`, binary: true, cost: Math.round(100 * r()) - 20 })
      : m.variable({
          name: `i${j}`,
          integer: true,
          upper: minUpper + Math.floor(r() * 5),
          cost: Math.round(50 * r()) - 10,
        }),
  );
  const rows = 1 + Math.floor(r() * 4);
  for (let i = 0; i < rows; i++) {
    const terms = x.filter(() => r() < 0.6).map((v) => [v, 1 + Math.round(20 * r())] as const);
    if (terms.length === 0) continue;
    const total = terms.reduce((s, [, a]) => s + a, 0);
    if (m.sense === "max") m.le(`cap${i}`, terms, Math.round(total * (0.2 + 0.5 * r())));
    else m.ge(`need${i}`, terms, Math.round(total * (0.1 + 0.3 * r())));
  }
  return m.build();
}

/**
 * Best objective over every integer point (independent of any solver). `defined` maps a
 * continuous column to the equality row that gives its value once the integers are set (as
 * capital deployed in `randomCapitalShareModel`); rows are then met within 1e-9 of their size.
 */
export function enumerate(spec: ModelSpec, defined: ReadonlyMap<number, number> = new Map()): number | null {
  const n = spec.variables.length;
  const x = spec.variables.map((v) => v.lower);
  let best: number | null = null;
  const better = (a: number, b: number) => (spec.sense === "max" ? a > b : a < b);
  const visit = (j: number) => {
    if (j === n) {
      for (const [col, i] of defined) {
        const c = spec.constraints[i]!;
        const k = c.vars.indexOf(col);
        const rest = c.vars.reduce((s, v, t) => (t === k ? s : s + c.coefs[t]! * x[v]!), 0);
        x[col] = (c.lower - rest) / c.coefs[k]!;
        const v = spec.variables[col]!;
        if (x[col]! < v.lower - 1e-9 || x[col]! > v.upper + 1e-9) return;
      }
      for (const c of spec.constraints) {
        const a = c.vars.reduce((s, k, t) => s + c.coefs[t]! * x[k]!, 0);
        const size =
          defined.size === 0 ? 1 : c.vars.reduce((s, k, t) => s + Math.abs(c.coefs[t]! * x[k]!), 1);
        if (a < c.lower - 1e-9 * size || a > c.upper + 1e-9 * size) return;
      }
      const z = spec.variables.reduce((s, v, k) => s + v.cost * x[k]!, spec.objectiveOffset);
      if (best === null || better(z, best)) best = z;
      return;
    }
    if (defined.has(j)) return visit(j + 1);
    const v = spec.variables[j]!;
    for (let val = v.lower; val <= v.upper; val++) {
      x[j] = val;
      visit(j + 1);
    }
  };
  visit(0);
  return best;
}

/**
 * Deal-Picker-like portfolios with a continuous column the binaries determine: capital deployed
 * K = Σ capital·x (an equality row), which the concentration rows (capital_j·x_j ≤ α·K) and a
 * sector row compare to; a budget, a deal count, and K in [minimum, ∞). `n` deals, ≤ 24 for the
 * small-MIP search, more for reduced-cost fixing's.
 */
export function randomCapitalShareModel(seed: number, n: number): ModelSpec {
  const r = rng(seed);
  const m = new ModelBuilder("max", { objectiveUnit: "AED/yr" });
  const capital = Array.from({ length: n }, () => Math.round(1e7 * (1 + 6 * r())) * 10);
  const x = capital.map((c, j) =>
    m.variable({ name: `x${j}`, binary: true, cost: Math.round(c * (0.05 + 0.04 * r())) }),
  );
  const deployed = m.variable({ name: "capital deployed", cost: r() < 0.3 ? -0.001 : 0, unit: "AED" });
  const total = capital.reduce((a, b) => a + b, 0);
  m.le(
    "budget",
    x.map((v, j) => [v, capital[j]!] as const),
    Math.round(total * (0.3 + 0.4 * r())),
  );
  m.constraint({
    name: "deployed",
    terms: [[deployed, 1], ...x.map((v, j) => [v, -capital[j]!] as const)],
    lower: 0,
    upper: 0,
  });
  const share = 0.15 + 0.25 * r();
  x.forEach((v, j) => {
    m.le(
      `concentration ${j}`,
      [
        [v, capital[j]!],
        [deployed, -share],
      ],
      0,
    );
  });
  const sector = x.filter((_, j) => j % 3 === 0);
  m.le("sector", [...sector.map((v) => [v, capital[x.indexOf(v)]!] as const), [deployed, -0.45]], 0);
  m.le(
    "deals",
    x.map((v) => [v, 1] as const),
    Math.max(3, Math.floor(n * (0.3 + 0.4 * r()))),
  );
  if (r() < 0.5) m.ge("minimum", [[deployed, 1]], Math.round(total * 0.1));
  return m.build();
}
