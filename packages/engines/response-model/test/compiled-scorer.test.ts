/**
 * The compiled record-at-a-time scorer must give exactly (`toBe`) the column-wise path's numbers:
 * `scoreProbability` / `scoreLogOdds` for the model and `scoreRecord` for the scorecard — on the
 * sample file and on a synthetic file with missing indicators, pooled levels and junk values
 * (unseen labels, non-numbers, "MISSING" as text, numbers given as JSON numbers and booleans).
 */
import { describe, expect, it } from "vitest";
import { ColumnScorer } from "../src/column-scorer.ts";
import { compileScorer } from "../src/compiled-scorer.ts";
import { fitLognet } from "../src/fit/lognet.ts";
import { seededRandom } from "../src/fit/random.ts";
import { type ScoringModel, scoreLogOdds } from "../src/fit/scoring-model.ts";
import { parseNumericBytes, parseNumericText } from "../src/prepare/numeric-text.ts";
import { prepare } from "../src/prepare/prepare.ts";
import type { PreparationOptions } from "../src/prepare/types.ts";
import { type CustomerRecord, cellText, recordsToTable } from "../src/records.ts";
import { decileOf } from "../src/score.ts";
import { buildScorecard, type Scorecard, type ScorecardRule, scoreRecord } from "../src/scorecard/index.ts";
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
    "Zürich",
    "-0",
    "+3.",
    ".25",
    "1234567890123456",
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
  expectColumnsIdentical(model, card, records);
}

/**
 * The column scorer on the same records, in batches of 64 rows (the last one partial), fed two
 * ways: values as records hold them (`setValue`: numbers, booleans, text) and the cells' UTF-8
 * bytes (`setBytes`, as a CSV reader hands them over). Columns in another order than the model's
 * fields, one field left out of the file, and a column the model does not read.
 */
function expectColumnsIdentical(model: ScoringModel, card: Scorecard, records: CustomerRecord[]) {
  const fields = model.preparation.fields.map((f) => f.field);
  const columns = ["EXTRA", ...fields.slice(1).reverse()];
  const scorer = compileScorer(model, card);
  const cutoffs = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const tiers = [{ minProbability: 0.6 }, { minProbability: 0.3 }];
  const batch = 64;
  const viaValues = new ColumnScorer(model, card, cutoffs, tiers, columns, batch);
  const viaBytes = new ColumnScorer(model, card, cutoffs, tiers, columns, batch);
  const encoder = new TextEncoder();
  let checked = 0;
  for (let first = 0; first < records.length; first += batch) {
    const rows = records.slice(first, first + batch).map((r) => ({ ...r, [fields[0]!]: null }));
    const bytes: number[] = [];
    const bounds: number[] = [];
    for (const r of rows)
      for (const c of columns) {
        const text = cellText(r[c]);
        bounds.push(bytes.length);
        if (text !== null) bytes.push(...encoder.encode(text));
        bounds.push(bytes.length);
      }
    const buffer = Uint8Array.from(bytes);
    for (let s = 0; s < viaValues.slotColumn.length; s++) {
      const c = viaValues.slotColumn[s]!;
      rows.forEach((r, i) => {
        viaValues.setValue(s, i, r[columns[c]!]);
        const k = 2 * (i * columns.length + c);
        viaBytes.setBytes(s, i, buffer, bounds[k]!, bounds[k + 1]!);
      });
    }
    const rowText = (i: number) =>
      Object.fromEntries(Object.entries(rows[i]!).map(([k, v]) => [k, cellText(v)]));
    for (const out of [viaValues.score(rows.length, rowText), viaBytes.score(rows.length, rowText)])
      rows.forEach((r, i) => {
        const p = scorer.probability(r);
        expect(out.probability[i]).toBe(p);
        expect(out.points[i]).toBe(scorer.points(r));
        expect(out.decile[i]).toBe(decileOf(cutoffs, p));
        expect(out.tier[i]).toBe(p >= 0.6 ? 0 : p >= 0.3 ? 1 : 2);
        checked++;
      });
  }
  expect(checked).toBe(2 * records.length);
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

  it("a scorecard whose rules interleave fields: the column scorer asks for the row's text", () => {
    const s = loadSample();
    const model = fit(s.table, s.specs, s.y);
    const card = buildScorecard(model, { kind: "prototype" });
    const [base, ...rules] = card.rules;
    // The first rule of a field with several moved to the end: its rules are no longer together.
    const fieldOf = (r: ScorecardRule | undefined) => (r && r.kind !== "base" ? r.field : null);
    const k = rules.findIndex((r, i) => fieldOf(r) !== null && fieldOf(rules[i + 1]) === fieldOf(r));
    const interleaved = { ...card, rules: [base!, ...rules.slice(0, k), ...rules.slice(k + 1), rules[k]!] };
    const fields = model.preparation.fields.map((f) => f.field);
    expect(new ColumnScorer(model, interleaved, [], [], fields, 1).needsRowText).toBe(true);
    expect(new ColumnScorer(model, card, [], [], fields, 1).needsRowText).toBe(false);
    expectIdentical(model, interleaved, junkRecords(s.table, 5).slice(0, 300));
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

describe("parseNumericBytes", () => {
  it("gives parseNumericText's number for the plain decimals it takes, and null for the rest", () => {
    const random = seededRandom(7);
    const texts = [
      "0",
      "-0",
      "+0",
      "7",
      "007",
      "5.",
      ".5",
      "-.5",
      "+3.25",
      "0.1",
      "0.30000000000000004",
      "123456789012345",
      "1234567890.12345",
      "999999999999999",
      "9007199254740993",
      "1e3",
      " 1",
      "1 ",
      "$5",
      "1,000",
      "5%",
      "",
      ".",
      "-",
      "+",
      "1.2.3",
      "abc",
      "0x10",
      "١",
    ];
    for (let k = 0; k < 5000; k++) {
      const digits = Math.floor(random() * 17) + 1;
      let t = random() < 0.3 ? "-" : "";
      for (let d = 0; d < digits; d++) t += Math.floor(random() * 10);
      const at = Math.floor(random() * (t.length + 1));
      texts.push(random() < 0.7 ? `${t.slice(0, at)}.${t.slice(at)}` : t);
    }
    let fast = 0;
    const encoder = new TextEncoder();
    for (const t of texts) {
      const bytes = encoder.encode(t);
      const x = parseNumericBytes(bytes, 0, bytes.length);
      if (x === null) continue;
      fast++;
      expect(Object.is(x, parseNumericText(t))).toBe(true);
    }
    expect(fast).toBeGreaterThan(3000);
    for (const t of ["1e3", " 1", "$5", "1,000", "5%", "", ".", "-", "1.2.3", "9007199254740993"]) {
      const bytes = encoder.encode(t);
      expect(parseNumericBytes(bytes, 0, bytes.length)).toBeNull();
    }
  });
});
