/**
 * The simulation proper: a chunk of iterations (the part helper threads run), and what is made
 * of all chunks — summary statistics, the target probability, rank correlations and the tornado.
 */
import { PROTOTYPE_TABLES, type ReferenceTables } from "../reference-data/index.ts";
import { calculateDealV2 } from "../v2/deal.ts";
import type { TifV2Input, TifV2Output } from "../v2/schema.ts";
import { type Distribution, quantile } from "./distributions.ts";
import { iterationUniforms } from "./rng.ts";
import type { MonteCarloInput, MonteCarloOutput } from "./schema.ts";
import { histogram, meanAndSd, percentileOfSorted, sortedFinite, spearman } from "./stats.ts";
import { allowedRange, settle, VARIABLE_KEYS, VARIABLES, type VariableKey } from "./variables.ts";

/** What every chunk needs: the deal and the varied inputs (in VARIABLE_KEYS order). */
export interface Shared {
  deal: TifV2Input;
  /** The run's reference data (ctx.data, resolved once; plain data, so it crosses to helper threads). */
  tables: ReferenceTables;
  seed: number;
  varied: { key: VariableKey; slot: number; dist: Distribution; range: { min: number; max: number } }[];
}

/** A chunk of iterations [start, start + count). */
export interface Chunk {
  start: number;
  count: number;
}

/** Per-iteration measures of a chunk (NaN where a measure does not exist), draws per varied input. */
export interface ChunkResult {
  leveredIrr: number[];
  unleveredIrr: number[];
  equityMultiple: number[];
  npvLeveredUsd: number[];
  profitUsd: number[];
  draws: number[][];
  clamped: number[];
  multipleRoots: number;
  failures: number;
  firstFailure: string | null;
}

export const CHUNK_ITERATIONS = 100;

export function sharedOf(input: MonteCarloInput, tables: ReferenceTables = PROTOTYPE_TABLES): Shared {
  const varied: Shared["varied"] = [];
  VARIABLE_KEYS.forEach((key, slot) => {
    const dist = input.variables[key];
    if (dist) varied.push({ key, slot, dist, range: allowedRange(VARIABLES[key], input.deal) });
  });
  return { deal: input.deal, tables, seed: input.seed, varied };
}

export function chunksOf(iterations: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let start = 0; start < iterations; start += CHUNK_ITERATIONS)
    chunks.push({ start, count: Math.min(CHUNK_ITERATIONS, iterations - start) });
  return chunks;
}

/** The measures of one deal run. */
export function measure(out: TifV2Output) {
  let profit = 0;
  for (const p of out.periods) profit += p.leveredCf;
  const r = out.returns;
  return {
    leveredIrr: r.leveredIrr ?? Number.NaN,
    unleveredIrr: r.unleveredIrr ?? Number.NaN,
    equityMultiple: r.equityMultiple ?? Number.NaN,
    npvLeveredUsd: r.npvLeveredUsd,
    profitUsd: profit,
    multipleRoots: r.leveredIrrRootCount > 1,
  };
}

/** The part: runs iterations [start, start + count). Pure; depends only on its arguments. */
export function simulateChunk(shared: Shared, chunk: Chunk): ChunkResult {
  const res: ChunkResult = {
    leveredIrr: [],
    unleveredIrr: [],
    equityMultiple: [],
    npvLeveredUsd: [],
    profitUsd: [],
    draws: shared.varied.map(() => []),
    clamped: shared.varied.map(() => 0),
    multipleRoots: 0,
    failures: 0,
    firstFailure: null,
  };
  for (let i = chunk.start; i < chunk.start + chunk.count; i++) {
    // One uniform per known input, varied or not: an input's draws never depend on the others.
    const u = iterationUniforms(shared.seed, i, VARIABLE_KEYS.length);
    const deal = { ...shared.deal };
    shared.varied.forEach((v, k) => {
      const [value, clamped] = settle(VARIABLES[v.key], v.range, quantile(v.dist, u[v.slot]!));
      if (clamped) res.clamped[k]!++;
      res.draws[k]!.push(value);
      VARIABLES[v.key].set(deal, value);
    });
    let m: ReturnType<typeof measure> | null = null;
    try {
      m = measure(calculateDealV2(deal, shared.tables));
    } catch (err) {
      res.failures++;
      res.firstFailure ??= `iteration ${i}: ${err instanceof Error ? err.message : String(err)}`;
    }
    res.leveredIrr.push(m?.leveredIrr ?? Number.NaN);
    res.unleveredIrr.push(m?.unleveredIrr ?? Number.NaN);
    res.equityMultiple.push(m?.equityMultiple ?? Number.NaN);
    res.npvLeveredUsd.push(m?.npvLeveredUsd ?? Number.NaN);
    res.profitUsd.push(m?.profitUsd ?? Number.NaN);
    if (m?.multipleRoots) res.multipleRoots++;
  }
  return res;
}

const PERCENTILES = [5, 10, 25, 50, 75, 90, 95] as const;
const orNull = (x: number) => (Number.isFinite(x) ? x : null);

function stat(values: readonly number[]) {
  const sorted = sortedFinite(values);
  const { mean, sd } = meanAndSd(sorted);
  const pct = (p: number) => orNull(percentileOfSorted(sorted, p / 100));
  return {
    sorted,
    stat: {
      count: sorted.length,
      missing: values.length - sorted.length,
      mean: orNull(mean),
      sd: orNull(sd),
      min: orNull(sorted[0] ?? Number.NaN),
      max: orNull(sorted[sorted.length - 1] ?? Number.NaN),
      p5: pct(5),
      p10: pct(10),
      p25: pct(25),
      p50: pct(50),
      p75: pct(75),
      p90: pct(90),
      p95: pct(95),
    },
  };
}

/** All chunks (in order) → the output, the tornado rows excepted. */
export function summarize(
  input: MonteCarloInput,
  shared: Shared,
  chunks: ChunkResult[],
  base: ReturnType<typeof measure>,
): Omit<MonteCarloOutput, "tornado"> {
  const all = (pick: (c: ChunkResult) => number[]) => chunks.flatMap(pick);
  const lev = all((c) => c.leveredIrr);
  const levStat = stat(lev);
  const unlev = stat(all((c) => c.unleveredIrr));
  const em = stat(all((c) => c.equityMultiple));
  const npv = stat(all((c) => c.npvLeveredUsd));
  const profit = stat(all((c) => c.profitUsd));
  const n = lev.length;
  const target = input.targetLeveredIrrAnnual;
  let meeting = 0;
  for (const x of lev) if (x >= target) meeting++; // NaN (no IRR) never meets it

  const withIrr = lev.map((x, i) => (Number.isFinite(x) ? i : -1)).filter((i) => i >= 0);
  const bins = histogram(levStat.sorted, input.histogramBins);
  const pctRow = (p: (typeof PERCENTILES)[number]) => {
    const key = `p${p}` as const;
    return {
      percentile: p,
      leveredIrr: levStat.stat[key],
      unleveredIrr: unlev.stat[key],
      equityMultiple: em.stat[key],
      npvLeveredUsd: npv.stat[key],
      profitUsd: profit.stat[key],
    };
  };

  return {
    iterations: n,
    seed: input.seed,
    npvDiscountRateAnnual: input.deal.npvDiscountRateAnnual,
    base: {
      leveredIrr: orNull(base.leveredIrr),
      unleveredIrr: orNull(base.unleveredIrr),
      equityMultiple: orNull(base.equityMultiple),
      npvLeveredUsd: orNull(base.npvLeveredUsd),
      profitUsd: orNull(base.profitUsd),
    },
    summary: {
      leveredIrr: levStat.stat,
      unleveredIrr: unlev.stat,
      equityMultiple: em.stat,
      npvLeveredUsd: npv.stat,
      profitUsd: profit.stat,
    },
    leveredIrrMultipleRoots: chunks.reduce((s, c) => s + c.multipleRoots, 0),
    failedIterations: chunks.reduce((s, c) => s + c.failures, 0),
    firstFailure: chunks.find((c) => c.firstFailure)?.firstFailure ?? null,
    target: {
      leveredIrrAnnual: target,
      probability: n > 0 ? meeting / n : 0,
      iterationsMeeting: meeting,
      iterationsWithoutIrr: levStat.stat.missing,
    },
    percentiles: PERCENTILES.map(pctRow),
    histogram: bins.map((b) => ({
      fromIrr: b.from,
      toIrr: b.to,
      midIrr: (b.from + b.to) / 2,
      count: b.count,
      share: b.count / levStat.sorted.length,
    })),
    inputs: shared.varied.map((v, k) => {
      const draws = chunks.flatMap((c) => c.draws[k]!);
      const sorted = Float64Array.from(draws).sort();
      const rho = spearman(
        withIrr.map((i) => draws[i]!),
        withIrr.map((i) => lev[i]!),
      );
      return {
        input: v.key,
        label: VARIABLES[v.key].label,
        unit: VARIABLES[v.key].unit,
        distribution: v.dist.kind,
        baseValue: VARIABLES[v.key].baseOf(input.deal),
        sampledMean: meanAndSd(sorted).mean,
        sampledP10: percentileOfSorted(sorted, 0.1),
        sampledP90: percentileOfSorted(sorted, 0.9),
        clampedDraws: chunks.reduce((s, c) => s + c.clamped[k]!, 0),
        spearmanLeveredIrr: orNull(rho),
      };
    }),
  };
}

/**
 * The tornado from real re-runs: each varied input at its distribution's P10 and P90 (rounded
 * and clamped like a draw), every other input at the deal's value. Rows by swing, largest first.
 */
export function tornado(shared: Shared, baseLeveredIrr: number): MonteCarloOutput["tornado"] {
  const irrAt = (key: VariableKey, value: number) => {
    const deal = { ...shared.deal };
    VARIABLES[key].set(deal, value);
    try {
      return calculateDealV2(deal, shared.tables).returns.leveredIrr;
    } catch {
      return null;
    }
  };
  const bps = (x: number | null) =>
    x === null || !Number.isFinite(baseLeveredIrr) ? null : (x - baseLeveredIrr) * 10_000;
  const rows = shared.varied.map((v) => {
    const [low] = settle(VARIABLES[v.key], v.range, quantile(v.dist, 0.1));
    const [high] = settle(VARIABLES[v.key], v.range, quantile(v.dist, 0.9));
    const atLow = irrAt(v.key, low);
    const atHigh = irrAt(v.key, high);
    return {
      input: v.key,
      label: VARIABLES[v.key].label,
      lowValue: low,
      highValue: high,
      leveredIrrAtLow: atLow,
      leveredIrrAtHigh: atHigh,
      lowDeltaBps: bps(atLow),
      highDeltaBps: bps(atHigh),
      swingBps: atLow === null || atHigh === null ? null : Math.abs(atHigh - atLow) * 10_000,
    };
  });
  return rows.sort((a, b) => (b.swingBps ?? -1) - (a.swingBps ?? -1));
}
