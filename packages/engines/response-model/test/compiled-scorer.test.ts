/**
 * The compiled record-at-a-time scorer must give exactly (`toBe`) the column-wise path's numbers:
 * `scoreProbability` / `scoreLogOdds` for the model and `scoreRecord` for the scorecard — on the
 * sample file and on a synthetic file with missing indicators, pooled levels and junk values
 * (unseen labels, non-numbers, "MISSING" as text, numbers given as JSON numbers and booleans).
 */
import { describe, expect, it } from "vitest";
import { compileScorer } from "../src/compiled-scorer.ts";
import { fitLognet } from "../src/fit/lognet.ts";
import { seededRandom } from "../src/fit/random.ts";
import { type ScoringModel, scoreLogOdds } from "../src/fit/scoring-model.ts";
import { prepare } from "../src/prepare/prepare.ts";
import type { PreparationOptions } from "../src/prepare/types.ts";
import { type CustomerRecord, cellText, recordsToTable } from "../src/records.ts";
import { buildScorecard, type Scorecard, scoreRecord } from "../src/scorecard/index.ts";
import type { FieldSpec, RawTable } from "../src/types.ts";
import { loadSample, syntheticTable } from "./helpers.ts";

function fit(
  table: RawTable,
  specs: FieldSpec[],
  y: Float64Array,
  options: PreparationOptions = {},
): ScoringModel {
  const { preparation, design } = prepare(table, specs, options);
  const lambdaMax = fitLognet(design, y, { lambda: [1] }).lambdaMax;
  const f = fitLognet(design, y, { lambda: [0.005 * lambdaMax], alpha: 0.5 });
  return { preparation, intercept: f.intercept[0]!, coefficients: Array.from(f.beta[0]!) };
}

/** The table's rows as records, with one in three cells replaced by something awkward. */
function junkRecords(table: RawTable, seed: number): CustomerRecord[] {
  const random = seededRandom(seed);
  const junk: (string | number | boolean | null)[] = [
    "Atlantis",
    "",
    null,
    "MISSING",
    "OTHER",
    " $1,234.5 ",
    "n/a",
    "1e3",
    "-.5%",
    "0x10",
    "12\t",
    7,
    2.5,
    true,
    0,
    "0",
  ];
  return Array.from({ length: table.rowCount }, (_, i) => {
    const r: CustomerRecord = {};
    for (const name of table.names) {
      const v = table.columns[name]![i] ?? null;
      r[name] = random() < 0.33 ? junk[Math.floor(random() * junk.length)]! : v;
    }
    return r;
  });
}

function expectIdentical(model: ScoringModel, card: Scorecard, records: CustomerRecord[]) {
  const scorer = compileScorer(model, card);
  const z = scoreLogOdds(
    model,
    recordsToTable(
      records,
      model.preparation.fields.map((f) => f.field),
    ),
  );
  let points = 0;
  records.forEach((r, i) => {
    expect(scorer.logOdds(r)).toBe(z[i]);
    expect(scorer.probability(r)).toBe(1 / (1 + Math.exp(-z[i]!)));
    const text = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cellText(v)]));
    expect(scorer.points(r)).toBe(scoreRecord(card, text));
    points++;
  });
  expect(points).toBe(records.length);
}

describe("compiled scorer = column-wise scoring, exactly", () => {
  it("sample_data.csv, as is and with junk, prototype and PDO cards", () => {
    const s = loadSample();
    const model = fit(s.table, s.specs, s.y);
    const records = junkRecords(s.table, 3);
    for (const card of [
      buildScorecard(model, { kind: "prototype" }),
      buildScorecard(model, { kind: "pdo", basePoints: 600, baseOdds: 1 / 50, pdo: 20 }),
    ]) {
      expectIdentical(model, card, records);
      expectIdentical(
        model,
        card,
        junkRecords(s.table, 99).map((r) => ({ ...r })),
      );
    }
  });

  it("synthetic file with missing indicators and pooled levels", () => {
    const s = syntheticTable(1500, 5);
    const model = fit(s.table, s.specs, s.y, { missingIndicators: true, minLevelCount: 360 });
    expect(model.preparation.columns.some((c) => c.role === "missing")).toBe(true);
    expect(model.preparation.fields.some((f) => f.kind === "nominal" && f.pooled.length > 0)).toBe(true);
    expectIdentical(model, buildScorecard(model, { kind: "prototype" }), junkRecords(s.table, 11));
    expectIdentical(
      model,
      buildScorecard(model, { kind: "pdo", basePoints: 500, baseOdds: 2, pdo: 30 }),
      junkRecords(s.table, 12),
    );
  });
});
