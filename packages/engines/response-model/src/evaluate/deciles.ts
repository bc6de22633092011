/**
 * The decile table, labelled so that 10 is the best decile (highest scores) — the prototype
 * labelled the groups in order of first appearance, so its labels and rates did not line up
 * (spec C.4 item 4, C.7).
 *
 * Ties: rows are ranked by score ascending, equal scores by row order (pandas `rank(method =
 * "first")`), and the ranks cut as pandas `qcut(rank, 10)` cuts them, so every decile has ⌊n/10⌋
 * or ⌈n/10⌉ rows and the result depends only on the row order, never on sort internals. Two rows
 * with the same score can therefore sit in adjacent deciles; `minScore`/`maxScore` show it.
 */
import { checkInputs, type Labels, type Scores } from "./auc.ts";
import { assignBins } from "./ranks.ts";

export interface DecileRow {
  /** 1 … 10, 10 = the highest scores. */
  decile: number;
  count: number;
  responders: number;
  /** responders / count. */
  rate: number;
  /** rate / overall rate. */
  lift: number;
  /** Share of all responders in this decile and the better ones (10 down to this), 0–100. */
  cumulativeCapturePct: number;
  /** Response rate of this decile and the better ones / overall rate. */
  cumulativeLift: number;
  avgScore: number;
  minScore: number;
  maxScore: number;
}

export interface DecileGroup {
  decile: number;
  count: number;
  responders: number;
  scoreSum: number;
  minScore: number;
  maxScore: number;
}

/** The decile (1 … `groups`) of every row. */
export function assignDeciles(p: Scores, groups = 10): Uint8Array | Uint16Array {
  return assignBins(p, groups);
}

/** Rows from per-decile sums; best decile first. */
export function decileRowsFromGroups(groups: DecileGroup[]): DecileRow[] {
  const total = groups.reduce((s, g) => s + g.count, 0);
  const responders = groups.reduce((s, g) => s + g.responders, 0);
  const overall = responders / total;
  const rows: DecileRow[] = [];
  let cumCount = 0;
  let cumResp = 0;
  for (const g of [...groups].sort((a, b) => b.decile - a.decile)) {
    cumCount += g.count;
    cumResp += g.responders;
    const rate = g.count === 0 ? 0 : g.responders / g.count;
    rows.push({
      decile: g.decile,
      count: g.count,
      responders: g.responders,
      rate,
      lift: rate / overall,
      cumulativeCapturePct: (100 * cumResp) / responders,
      cumulativeLift: cumResp / cumCount / overall,
      avgScore: g.count === 0 ? Number.NaN : g.scoreSum / g.count,
      minScore: g.minScore,
      maxScore: g.maxScore,
    });
  }
  return rows;
}

/** The decile table of scores `p` against outcomes `y`, decile 10 first. */
export function decileTable(y: Labels, p: Scores, groups = 10): DecileRow[] {
  checkInputs(y, p);
  if (y.length < groups) throw new Error(`${y.length} rows cannot fill ${groups} deciles`);
  const d = assignDeciles(p, groups);
  const sums: DecileGroup[] = Array.from({ length: groups }, (_, k) => ({
    decile: k + 1,
    count: 0,
    responders: 0,
    scoreSum: 0,
    minScore: Number.POSITIVE_INFINITY,
    maxScore: Number.NEGATIVE_INFINITY,
  }));
  for (let i = 0; i < y.length; i++) {
    const g = sums[(d[i] as number) - 1] as DecileGroup;
    const s = p[i] as number;
    g.count++;
    g.responders += y[i] as number;
    g.scoreSum += s;
    g.minScore = Math.min(g.minScore, s);
    g.maxScore = Math.max(g.maxScore, s);
  }
  return decileRowsFromGroups(sums);
}

/** One row of the prototype's `response_rates.csv`: D1 … D10 (D10 best), rate in percent. */
export interface ResponseRatesRow {
  decile: string;
  count: number;
  /** Percent (D10 = 3.616 means 3.616 %). */
  response_rate: number;
  avg_score: number;
  lift: number;
}

export function responseRatesRows(rows: DecileRow[]): ResponseRatesRow[] {
  return [...rows]
    .sort((a, b) => a.decile - b.decile)
    .map((r) => ({
      decile: `D${r.decile}`,
      count: r.count,
      response_rate: 100 * r.rate,
      avg_score: r.avgScore,
      lift: r.lift,
    }));
}

export interface GateResult {
  pass: boolean;
  topDecileLift: number;
  minTopDecileLift: number;
  topDecileRate: number;
  overallRate: number;
  message: string;
}

/** The vision document's deployment gate: the top decile's lift must reach 2.0 (configurable). */
export function deploymentGate(rows: DecileRow[], minTopDecileLift = 2): GateResult {
  const top = rows.reduce((best, r) => (r.decile > best.decile ? r : best));
  const overallRate = rows.reduce((s, r) => s + r.responders, 0) / rows.reduce((s, r) => s + r.count, 0);
  const pass = top.lift >= minTopDecileLift;
  return {
    pass,
    topDecileLift: top.lift,
    minTopDecileLift,
    topDecileRate: top.rate,
    overallRate,
    message: `top-decile lift ${top.lift.toFixed(2)} (rate ${(100 * top.rate).toFixed(2)} % vs ${(100 * overallRate).toFixed(2)} % overall) ${pass ? "meets" : "is below"} the ${minTopDecileLift.toFixed(1)} required for deployment`,
  };
}
