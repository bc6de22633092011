import { describe, expect, it } from "vitest";
import {
  assignDeciles,
  auc,
  averagePrecision,
  calibrationTable,
  captureAt,
  decileRowsFromGroups,
  decileTable,
  deploymentGate,
  evaluateScores,
  forwardSelection,
  gainsCurve,
  gainsFromDeciles,
  ks,
  logLoss,
  mailingPlan,
  prCurve,
  quantileBin,
  responseRatesRows,
  rocCurve,
  selectionRows,
  stratifiedHoldout,
} from "../src/evaluate/index.ts";
import { readFixtureTable } from "./support/fixtures.ts";
import { scoredSample } from "./support/random.ts";

/** AP from its definition: the mean, over responders, of the precision among rows scoring at least theirs. */
function bruteAp(y: number[], p: number[]): number {
  let sum = 0;
  let pos = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    pos++;
    let sel = 0;
    let hit = 0;
    for (let j = 0; j < y.length; j++) {
      if ((p[j] as number) >= (p[i] as number)) {
        sel++;
        hit += y[j] as number;
      }
    }
    sum += hit / sel;
  }
  return sum / pos;
}

describe("scalar metrics", () => {
  it("average precision equals its definition (ties included) and a hand case", () => {
    // Ranked: 1 (hit) 0 1 (hit): precisions at the hits 1/1 and 2/3 → AP = (1 + 2/3)/2.
    expect(averagePrecision([1, 0, 1], [0.9, 0.8, 0.7])).toBeCloseTo(5 / 6, 15);
    for (const roundTo of [0, 0.05]) {
      const { y, p } = scoredSample(800, 5, 0.1, roundTo);
      expect(averagePrecision(y, p)).toBeCloseTo(bruteAp(y, p), 13);
    }
  });

  it("KS: largest TPR − FPR, hand case", () => {
    // Thresholds .9 → (1/2, 0), .8 → (1/2, 1/2), .7 → (1, 1/2): best 0.5 at .9 (first reached).
    expect(ks([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])).toEqual({ ks: 0.5, threshold: 0.9 });
    expect(ks([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]).ks).toBe(1);
  });

  it("log loss clips to machine epsilon as scikit-learn", () => {
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(2.220446049250313e-16), 12);
  });

  it("calibration: 10 equal-count bins by default; uniform bins on request", () => {
    const { y, p } = scoredSample(1000, 9);
    const rows = calibrationTable(y, p);
    expect(rows.map((r) => r.count)).toEqual(Array(10).fill(100));
    expect(rows.reduce((s, r) => s + r.responders, 0)).toBe(y.reduce((s, v) => s + v, 0));
    for (let k = 1; k < 10; k++)
      expect((rows[k] as { lower: number }).lower).toBeGreaterThanOrEqual(rows[k - 1]?.upper as number);
    const uni = calibrationTable([0, 1, 1, 0], [0.05, 0.15, 0.95, 1], { strategy: "uniform" });
    expect(uni.map((r) => [r.bin, r.count, r.responders])).toEqual([
      [1, 1, 0],
      [2, 1, 1],
      [10, 2, 1],
    ]);
  });
});

describe("decile table", () => {
  it("labels 10 = best, counts ⌊n/10⌋ or ⌈n/10⌉, capture adds to 100 %", () => {
    const { y, p } = scoredSample(2503, 17);
    const rows = decileTable(y, p);
    expect(rows.map((r) => r.decile)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(rows.reduce((s, r) => s + r.count, 0)).toBe(2503);
    for (const r of rows) expect([250, 251]).toContain(r.count);
    for (let k = 1; k < 10; k++)
      expect(rows[k - 1]?.minScore).toBeGreaterThanOrEqual(rows[k]?.maxScore as number);
    expect(rows[9]?.cumulativeCapturePct).toBeCloseTo(100, 12);
    expect(rows[9]?.cumulativeLift).toBeCloseTo(1, 12);
    expect(rows[0]?.lift).toBeGreaterThan(rows[9]?.lift as number);
    const overall = y.reduce((s, v) => s + v, 0) / y.length;
    for (const r of rows) expect(r.lift).toBeCloseTo(r.rate / overall, 12);
    expect(rows[0]?.cumulativeCapturePct).toBeCloseTo(
      (100 * (rows[0]?.responders as number)) / (overall * 2503),
      10,
    );
  });

  it("cuts ranks as pandas qcut(rank(method='first'), 10); ties go by row order", () => {
    // qcut edges for n = 25: 1 + k·2.4 → ranks 1–3, 4–5, 6–8, 9–10, 11–13, 14–15, 16–17, 18–20, 21–22, 23–25.
    const bins = Array.from({ length: 25 }, (_, r) => quantileBin(r + 1, 25, 10));
    expect(bins).toEqual([1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 10, 10, 10]);
    const tied = assignDeciles(Array(30).fill(0.5));
    expect(Array.from(tied)).toEqual(Array.from({ length: 30 }, (_, i) => Math.floor(i / 3) + 1));
  });

  it("reproduces response_rates.csv's arithmetic: percent rates, lift = rate / 0.784 %", () => {
    const fixture = readFixtureTable("response_rates.csv");
    const col = (name: string) => (fixture.columns[name] ?? []).map(Number);
    const counts = col("count");
    const rates = col("response_rate");
    const scores = col("avg_score");
    const responders = counts.map((c, i) => Math.round((c * (rates[i] as number)) / 100));
    counts.forEach((c, i) => {
      expect((c * (rates[i] as number)) / 100).toBeCloseTo(responders[i] as number, 6);
    });
    const groups = counts.map((count, i) => ({
      decile: i + 1,
      count,
      responders: responders[i] as number,
      scoreSum: count * (scores[i] as number),
      minScore: 0,
      maxScore: 0,
    }));
    const out = responseRatesRows(decileRowsFromGroups(groups));
    expect(out.map((r) => r.decile)).toEqual(fixture.columns.decile);
    out.forEach((r, i) => {
      expect(r.count).toBe(counts[i]);
      expect(r.response_rate).toBeCloseTo(rates[i] as number, 12);
      expect(r.avg_score).toBeCloseTo(scores[i] as number, 15);
      expect(r.lift).toBeCloseTo(col("lift")[i] as number, 12);
    });
    expect(responders.reduce((s, v) => s + v, 0) / 90424).toBeCloseTo(0.00784, 5);
    const gate = deploymentGate(decileRowsFromGroups(groups));
    expect(gate.pass).toBe(true);
    expect(gate.topDecileLift).toBeCloseTo(4.6118237469716465, 12);
    expect(gate.message).toContain("4.61");
  });

  it("the gate fails below the configured lift", () => {
    const { y, p } = scoredSample(2000, 3);
    const rows = decileTable(y, p);
    const top = rows[0]?.lift as number;
    expect(deploymentGate(rows, top + 0.01).pass).toBe(false);
    expect(deploymentGate(rows, top).pass).toBe(true);
    expect(deploymentGate(rows, top + 0.01).message).toContain("is below");
  });
});

describe("curves", () => {
  const { y, p } = scoredSample(5000, 8);

  it("ROC runs (0,0) → (1,1), is thinned to ≤ 200 points, and its trapezoid area is the AUC", () => {
    const full = rocCurve(y, p, Number.POSITIVE_INFINITY);
    let area = 0;
    for (let k = 1; k < full.length; k++) {
      const a = full[k - 1] as { fpr: number; tpr: number };
      const b = full[k] as { fpr: number; tpr: number };
      area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
    }
    expect(area).toBeCloseTo(auc(y, p), 12);
    const thin = rocCurve(y, p);
    expect(thin.length).toBe(200);
    expect(thin[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(thin.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    expect(prCurve(y, p).length).toBeLessThanOrEqual(200);
  });

  it("gains: capture 0 → 1, spread evenly inside tie blocks", () => {
    const g = gainsCurve(y, p, 100);
    expect(g).toHaveLength(101);
    expect(g[0]).toEqual({ depth: 0, capture: 0, lift: null });
    expect(g[100]?.capture).toBeCloseTo(1, 12);
    expect(g[100]?.lift).toBeCloseTo(1, 12);
    // All tied: capture = depth exactly.
    const tied = gainsCurve([1, 0, 0, 1, 0], [0.3, 0.3, 0.3, 0.3, 0.3], 10);
    for (const pt of tied) expect(pt.capture).toBeCloseTo(pt.depth, 12);
    expect(captureAt(tied, 0.55)).toBeCloseTo(0.55, 12);
  });
});

describe("stratified seeded holdout", () => {
  const { y } = scoredSample(2500, 4, 0.284);
  const pos = y.reduce((s, v) => s + v, 0);

  it("keeps each class's share, covers every row once, and repeats with the seed", () => {
    const a = stratifiedHoldout(y, { seed: 42 });
    const holdoutPos = Array.from(a.holdout).reduce((s, i) => s + (y[i] as number), 0);
    expect(holdoutPos).toBe(Math.round(0.2 * pos));
    expect(a.holdout.length).toBe(Math.round(0.2 * pos) + Math.round(0.2 * (2500 - pos)));
    const all = new Set([...a.train, ...a.holdout]);
    expect(all.size).toBe(2500);
    expect(a.train.length + a.holdout.length).toBe(2500);
    expect(stratifiedHoldout(y, { seed: 42 })).toEqual(a);
    const b = stratifiedHoldout(y, { seed: 43 });
    expect(Array.from(b.holdout)).not.toEqual(Array.from(a.holdout));
  });

  it("pins the generator: xoroshiro128+ seed 42 on 10 rows", () => {
    const s = stratifiedHoldout([1, 0, 1, 0, 1, 0, 1, 0, 1, 0], { seed: 42, holdoutShare: 0.4 });
    expect(s.holdout.length).toBe(4);
    expect(Array.from(s.holdout)).toMatchInlineSnapshot(`
      [
        4,
        6,
        7,
        9,
      ]
    `);
  });

  it("holds out at least one of each class", () => {
    const s = stratifiedHoldout([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], { holdoutShare: 0.1 });
    expect(Array.from(s.holdout).filter((i) => i < 2)).toHaveLength(1);
  });
});

describe("mailing plan", () => {
  // A model whose gains are capture(d) = min(1, 2d) up to 50 % of the file, then flat.
  const gains = Array.from({ length: 101 }, (_, k) => ({
    depth: k / 100,
    capture: Math.min(1, (2 * k) / 100),
    lift: null,
  }));
  const base = { fileSize: 100_000, costPerPieceUsd: 0.6, valuePerResponseUsd: 40, baseRate: 0.02, gains };

  it("by 5 % depth: responses = N × rate × capture, cost per response, ROI", () => {
    const plan = mailingPlan(base);
    expect(plan.rows).toHaveLength(20);
    const d10 = plan.rows.find((r) => r.depthPct === 10);
    // 10,000 pieces, 100,000 × 2 % × 0.2 = 400 responses at 4 %, $6,000, $15/response, $16,000 revenue.
    expect(d10).toMatchObject({ pieces: 10_000, costUsd: 6000, withinBudget: true });
    expect(d10?.expectedResponses).toBeCloseTo(400, 9);
    expect(d10?.responseRate).toBeCloseTo(0.04, 12);
    expect(d10?.lift).toBeCloseTo(2, 12);
    expect(d10?.costPerResponseUsd).toBeCloseTo(15, 9);
    expect(d10?.profitUsd).toBeCloseTo(10_000, 6);
    expect(d10?.roi).toBeCloseTo(10_000 / 6000, 12);
    // Each 5 % up to 50 % earns 2,000 × $0.8 − … : profit rises to 50 %, then falls (no more responders).
    expect(plan.bestDepth?.depthPct).toBe(50);
    expect(plan.bestDepth?.profitUsd).toBeCloseTo(2000 * 40 - 50_000 * 0.6, 6);
  });

  it("within a budget, and the default tiers 15 % / 25 %", () => {
    const plan = mailingPlan({ ...base, budgetUsd: 20_000 });
    expect(plan.bestDepthWithinBudget?.depthPct).toBe(30); // 30,000 pieces = $18,000 ≤ $20,000
    expect(plan.tiers.map((t) => [t.name, t.fromPct, t.toPct, t.pieces])).toEqual([
      ["Priority 1", 0, 15, 15_000],
      ["Priority 2", 15, 40, 25_000],
    ]);
    expect(plan.tiers[1]?.expectedResponses).toBeCloseTo(100_000 * 0.02 * 0.5, 9);
    const custom = mailingPlan({ ...base, stepPct: 10, tiers: [{ name: "Top", sharePct: 10 }] });
    expect(custom.rows.map((r) => r.depthPct)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(custom.tiers).toHaveLength(1);
  });

  it("no profitable depth → no recommendation", () => {
    expect(mailingPlan({ ...base, valuePerResponseUsd: 1 }).bestDepth).toBeNull();
  });
});

describe("forward selection (variable_combinations.csv)", () => {
  const fixture = readFixtureTable("variable_combinations.csv");
  const col = (name: string) => fixture.columns[name] ?? [];
  const groups = col("added_variable").map((name, i) => ({
    name: name as string,
    baseField: col("base_variable")[i] as string,
    importance: Number(col("added_variable_importance")[i]),
    costPerField: Number(col("cost_per_variable")[i]),
  }));
  const aucs = col("auc_score").map(Number);
  const top = col("top_decile_response").map(Number);

  it("reproduces the shares 'top 3 = 61.5 %, top 5 = 64.6 %, top 15 = 87 %' from the auc_score column", async () => {
    const result = await forwardSelection(
      groups,
      (names) => ({
        auc: aucs[names.length - 1] as number,
        topDecileResponse: top[names.length - 1] as number,
      }),
      { overallTopDecileResponse: (100 * 709) / 90424 },
    );
    expect(result.bestAuc).toBeCloseTo(0.8026181140199131, 15);
    expect(result.bestStep).toBe(80);
    const share = (n: number) => Math.round(1000 * (result.rows[n - 1]?.share_of_best as number)) / 10;
    expect([share(3), share(5)]).toEqual([61.5, 64.6]);
    // The website's "87 %" is 86.9 % rounded to a whole percent.
    expect(share(15)).toBe(86.9);
    expect(Math.round(100 * (result.rows[14]?.share_of_best as number))).toBe(87);
    result.rows.forEach((r, i) => {
      expect(r.incremental_auc).toBeCloseTo(Number(col("incremental_auc")[i]), 12);
      expect(r.incremental_response).toBeCloseTo(Number(col("incremental_response")[i]), 10);
      expect(r.cumulative_cost).toBe(Number(col("cumulative_cost")[i]));
    });
    // The top 15 come from 7 source fields ("7 data sources").
    expect(new Set(result.rows.slice(0, 15).map((r) => r.base_variable)).size).toBe(7);
  });

  it("return per cost unit, and the callback sees the growing field list", async () => {
    const seen: string[][] = [];
    const r = await forwardSelection(
      [
        { name: "a", baseField: "a", costPerField: 2 },
        { name: "b", baseField: "b", costPerField: 0.5 },
      ],
      (names) => {
        seen.push(names);
        return names.length === 1 ? 0.6 : 0.7;
      },
    );
    expect(seen).toEqual([["a"], ["a", "b"]]);
    expect(r.rows.map((x) => x.share_of_best)).toEqual([0.5, 1]);
    expect(r.rows.map((x) => x.roi_metric)).toEqual([0.25, 1]);
    expect(r.rows.map((x) => x.cumulative_cost)).toEqual([2, 2.5]);
    expect(() => selectionRows([{ name: "a", baseField: "a" }], [])).toThrow();
    // Nothing better than chance: shares are 0, not a division by zero or a negative share.
    expect(selectionRows([{ name: "a", baseField: "a" }], [{ auc: 0.48 }]).rows[0]?.share_of_best).toBe(0);
  });
});

describe("evaluateScores", () => {
  it("bundles metrics, curves, deciles and the gate consistently", () => {
    const { y, p } = scoredSample(3000, 31, 0.1);
    const e = evaluateScores(y, p, { minTopDecileLift: 2 });
    expect(e.rows).toBe(3000);
    expect(e.auc.auc).toBeCloseTo(auc(y, p), 14);
    expect(e.gini).toBeCloseTo(2 * e.auc.auc - 1, 14);
    expect(e.auc.lower).toBeLessThan(e.auc.auc);
    expect(e.roc.length).toBeLessThanOrEqual(200);
    expect(e.gains).toHaveLength(101);
    expect(e.responseRates.map((r) => r.decile)).toEqual([
      "D1",
      "D2",
      "D3",
      "D4",
      "D5",
      "D6",
      "D7",
      "D8",
      "D9",
      "D10",
    ]);
    expect(e.gate.topDecileLift).toBe(e.deciles[0]?.lift);
    const fromDeciles = gainsFromDeciles(e.deciles);
    expect(fromDeciles).toHaveLength(11);
    expect(fromDeciles[1]?.capture).toBeCloseTo((e.deciles[0]?.responders as number) / e.responders, 12);
    expect(fromDeciles[10]?.capture).toBeCloseTo(1, 12);
  });

  it("is plain JSON: no NaN or ±Infinity (they would become null and fail output validation)", () => {
    const { y, p } = scoredSample(500, 2, 0.2, 0.1);
    const e = evaluateScores(y, p);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    const tied = evaluateScores([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0], Array(12).fill(0.3));
    expect(tied.auc.auc).toBe(0.5);
    expect(JSON.parse(JSON.stringify(tied))).toEqual(tied);
    const gains = [
      { depth: 0, capture: 0, lift: null },
      { depth: 1, capture: 1, lift: 1 },
    ];
    const plan = mailingPlan({
      fileSize: 1000,
      costPerPieceUsd: 1,
      valuePerResponseUsd: 10,
      baseRate: 0,
      gains,
    });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});
