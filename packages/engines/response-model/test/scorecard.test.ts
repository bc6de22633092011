/**
 * Property tests (seeded loops): for records drawn from the data and from junk (missing, unseen
 * labels, odd numeric text), the rules applied to raw values reproduce the points computed from
 * the model's design row, stay within the rounding bound of offset + factor × log-odds, and the
 * points order records as the model's probabilities do (beyond that bound).
 */
import { describe, expect, it } from "vitest";
import { fitLognet } from "../src/fit/lognet.ts";
import { seededRandom } from "../src/fit/random.ts";
import { type ScoringModel, scoreLogOdds } from "../src/fit/scoring-model.ts";
import { applyPreparation, prepare } from "../src/prepare/index.ts";
import {
  buildScorecard,
  probabilityOfPoints,
  type Scorecard,
  type ScorecardScale,
  scoreRecord,
} from "../src/scorecard/index.ts";
import type { RawTable } from "../src/types.ts";
import { loadSample, syntheticTable } from "./helpers.ts";

function fitModel(
  table: RawTable,
  specs: Parameters<typeof prepare>[1],
  y: Float64Array,
  options = {},
): ScoringModel {
  const { preparation, design } = prepare(table, specs, options);
  const lambdaMax = fitLognet(design, y, { lambda: [1] }).lambdaMax;
  const fit = fitLognet(design, y, { lambda: [0.02 * lambdaMax] });
  return { preparation, intercept: fit.intercept[0]!, coefficients: Array.from(fit.beta[0]!) };
}

/** Random records: each field a value from the file, missing, an unseen label, or numeric junk. */
function randomRecords(table: RawTable, count: number, seed: number): RawTable {
  const random = seededRandom(seed);
  const columns: Record<string, (string | null)[]> = Object.fromEntries(table.names.map((n) => [n, []]));
  const junk = ["zzz", "n/a", "", " 3 ", "$1,000", "-2.5", "1e2", "O'Hara"];
  for (let r = 0; r < count; r++)
    for (const name of table.names) {
      const u = random();
      const v =
        u < 0.7
          ? table.columns[name]![Math.floor(random() * table.rowCount)]!
          : u < 0.8
            ? null
            : junk[Math.floor(random() * junk.length)]!;
      columns[name]!.push(v);
    }
  return { names: table.names, columns, rowCount: count };
}

/** Points from the model side: design values × per-column points, with the scale's rounding. */
function modelPoints(card: Scorecard, model: ScoringModel, table: RawTable): Float64Array {
  const { design } = applyPreparation(model.preparation, table);
  const n = design.rowCount;
  const whole = card.scale.kind === "prototype" ? Math.trunc : Math.round;
  const baseRule = card.rules[0]!;
  const base = baseRule.kind === "base" ? baseRule.points : Number.NaN;
  const out = new Float64Array(n).fill(base);
  model.preparation.columns.forEach((c, j) => {
    const coef = model.coefficients[j]!;
    const field = model.preparation.fields.find((f) => f.field === c.field)!;
    for (let i = 0; i < n; i++) {
      const x = design.x[j * n + i]!;
      if (c.role === "level" || c.role === "missing") out[i]! += x * whole(card.factor * coef);
      else if (field.kind === "ordinal") out[i]! += whole(card.factor * coef * x);
      else out[i]! += card.factor * coef * x;
    }
  });
  return out;
}

function checkProperties(model: ScoringModel, table: RawTable, scale: ScorecardScale) {
  const card = buildScorecard(model, scale);
  const records = randomRecords(table, 1500, 17);
  const fromModel = modelPoints(card, model, records);
  const z = scoreLogOdds(model, records);
  const points: number[] = [];
  for (let i = 0; i < records.rowCount; i++) {
    const record = Object.fromEntries(records.names.map((n) => [n, records.columns[n]![i]]));
    const p = scoreRecord(card, record);
    points.push(p);
    expect(Math.abs(p - fromModel[i]!), `record ${i}`).toBeLessThan(1e-9);
    // Points are the model's log-odds on the scale, up to rounding of the category rules.
    const exact = card.offset + card.factor * (z[i]! - card.interceptOutsidePoints);
    expect(Math.abs(p - exact)).toBeLessThanOrEqual(card.maxRoundingPoints + 1e-9);
  }
  // Monotone: more points (beyond twice the rounding bound) means a higher model probability, and
  // the points-to-probability map is increasing.
  const order = points.map((_, i) => i).sort((a, b) => points[a]! - points[b]!);
  const gap = 2 * card.maxRoundingPoints;
  let checked = 0;
  for (let k = 1; k < order.length; k++) {
    const lo = order[k - 1]!;
    for (let m = k; m < order.length && m < k + 50; m++) {
      const hi = order[m]!;
      if (points[hi]! - points[lo]! > gap) {
        expect(z[hi]!).toBeGreaterThan(z[lo]!);
        checked++;
      }
    }
    expect(probabilityOfPoints(card, points[order[k]!]!)).toBeGreaterThanOrEqual(
      probabilityOfPoints(card, points[lo]!),
    );
  }
  expect(checked).toBeGreaterThan(1000);
  return card;
}

describe("scorecard", () => {
  const sample = loadSample();
  const sampleModel = fitModel(sample.table, sample.specs, sample.y);

  it("prototype scale on sample_data.csv: BASE 1000, int(coef × 1000), names resolved whole", () => {
    const card = checkProperties(sampleModel, sample.table, { kind: "prototype" });
    expect(card.rules[0]).toMatchObject({ kind: "base", points: 1000 });
    const fields = new Set(card.rules.flatMap((r) => (r.kind === "base" ? [] : [r.field])));
    for (const f of fields) expect(sample.table.names).toContain(f);
    const confidence = card.rules.find((r) => r.kind === "linear" && r.field === "CONFIDENCE_LEVEL");
    const j = sampleModel.preparation.columns.findIndex((c) => c.name === "CONFIDENCE_LEVEL");
    expect(confidence).toMatchObject({ pointsPerUnit: 1000 * sampleModel.coefficients[j]! });
    // Letter-coded ordinal fields score by their original labels.
    expect(
      card.rules.some((r) => r.kind === "category" && r.field === "CREDIT_RATING" && r.labels[0] === "A"),
    ).toBe(true);
  }, 60_000);

  it("PDO scale: 600 points at odds 1:50, 20 points double the odds", () => {
    const card = checkProperties(sampleModel, sample.table, {
      kind: "pdo",
      basePoints: 600,
      baseOdds: 1 / 50,
      pdo: 20,
    });
    expect(probabilityOfPoints(card, 600)).toBeCloseTo(1 / 51, 12);
    const odds = (p: number) => p / (1 - p);
    expect(odds(probabilityOfPoints(card, 620)) / odds(probabilityOfPoints(card, 600))).toBeCloseTo(2, 10);
  }, 60_000);

  it("synthetic file with indicators and pooling (lower-is-better numeric, ordinal, OTHER)", () => {
    const s = syntheticTable(1500, 21);
    const model = fitModel(s.table, s.specs, s.y, { missingIndicators: true, minLevelCount: 360 });
    checkProperties(model, s.table, { kind: "pdo", basePoints: 500, baseOdds: 1, pdo: 40 });
    checkProperties(model, s.table, { kind: "prototype" });
  }, 60_000);
});
