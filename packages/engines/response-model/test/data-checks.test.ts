import { ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import {
  assertFitReady,
  checkData,
  decideDirection,
  matchRateRows,
  normalizeFieldName,
  normalizeFieldNames,
  normalizeTable,
  parseTarget,
  profileField,
  readDirectionMeta,
} from "../src/data/index.ts";
import type { RawTable } from "../src/types.ts";
import { readFixtureTable } from "./support/fixtures.ts";

const sample = normalizeTable(readFixtureTable("sample_data.csv"));
const meta = readDirectionMeta(readFixtureTable("sample_data_meta.csv"));

function table(columns: Record<string, (string | null)[]>): RawTable {
  const names = Object.keys(columns);
  return { names, columns, rowCount: columns[names[0] as string]?.length ?? 0 };
}

describe("field names", () => {
  it("normalises as the prototype: lowercase, non-alphanumerics → _, collapsed, trimmed", () => {
    expect(normalizeFieldName("High_Ticket_Home_Decor_Recency_of_Purchase")).toBe(
      "high_ticket_home_decor_recency_of_purchase",
    );
    expect(normalizeFieldName("  Last Purchase ($) -- Date ")).toBe("last_purchase_date");
    expect(normalizeFieldName("HH-INCOME%")).toBe("hh_income");
  });

  it("keeps the original ↔ normalised mapping and never merges two fields", () => {
    const m = normalizeFieldNames(["Home Value", "home_value", "$$", "TARGET"]);
    expect(m.names).toEqual(["home_value", "home_value_2", "field_3", "target"]);
    expect(m.originalOf.home_value_2).toBe("home_value");
    expect(m.normalizedOf["Home Value"]).toBe("home_value");
    expect(sample.mapping.originalOf.credit_rating).toBe("CREDIT_RATING");
  });

  it("reads the BOM-prefixed fixture with its first field intact", () => {
    expect(sample.table.rowCount).toBe(2500);
    expect(sample.table.names[0]).toBe("gender");
    expect(sample.table.names).toHaveLength(24);
  });
});

describe("type inference (spec C.3)", () => {
  const profiles = sample.table.names
    .filter((n) => n !== "target")
    .map((n) => profileField(n, sample.table.columns[n] ?? []));

  it("gives the prototype's 10 categorical and 13 numerical fields on sample_data.csv", () => {
    const categorical = profiles.filter((p) => p.type === "categorical").map((p) => p.field);
    const numerical = profiles.filter((p) => p.type === "numerical").map((p) => p.field);
    expect(categorical).toEqual([
      "gender",
      "home_value",
      "hh_income",
      "net_worth",
      "pres_kids",
      "age",
      "homeowner",
      "credit_rating",
      "part_affiliation",
      "bubbles",
    ]);
    expect(numerical).toHaveLength(13);
    expect(numerical).toContain("confidence_level");
    expect(numerical).toContain("purchase_date_range");
    expect(numerical.filter((f) => f.endsWith("_recency_of_purchase"))).toHaveLength(11);
    expect(profiles.every((p) => p.subtype === (p.type === "numerical" ? "rating_scale" : "nominal"))).toBe(
      true,
    );
  });

  it("reports confidence, missing counts, unique counts and samples", () => {
    const kids = profiles.find((p) => p.field === "pres_kids");
    expect(kids).toMatchObject({ confidence: 0.8, missingCount: 838, uniqueCount: 2, nonMissingCount: 1662 });
    expect(kids?.completionPct).toBeCloseTo(66.48, 10);
    const other = profiles.find((p) => p.field === "other_recency_of_purchase");
    expect(other).toMatchObject({ confidence: 0.9, missingCount: 2131, min: 1, max: 5 });
    expect(profiles.find((p) => p.field === "bubbles")?.uniqueCount).toBe(57);
  });

  it("follows every branch of the rule", () => {
    const col = (xs: (string | null)[]) => profileField("f", xs);
    expect(col(["$1,200", "3.5%", "7"]).subtype).toBe("continuous"); // decimals
    expect(col(["0", "11"]).subtype).toBe("continuous"); // range > 10
    expect(col(["-1", "2", "3"])).toMatchObject({ subtype: "discrete", confidence: 0.8 }); // min < 0
    expect(col(["1", "2", "x"]).type).toBe("categorical"); // 67 % numeric, not > 95 %
    const many = Array.from({ length: 100 }, (_, i) => `L${i % 40}`);
    expect(col(many)).toMatchObject({ subtype: "high_cardinality", confidence: 0.6 }); // 40 % unique, > 10
    expect(col([null, "", null])).toMatchObject({ type: "categorical", subtype: "empty" });
    expect(col([null, " ", null])).toMatchObject({ subtype: "nominal", uniqueCount: 1 }); // spaces are a value, as preparation reads them
    // 96 numeric of 100 → numerical; 95 of 100 is not "more than 95 %".
    const mostly = (k: number) => [
      ...Array.from({ length: k }, () => "3"),
      ...Array.from({ length: 100 - k }, () => "n/a"),
    ];
    expect(col(mostly(96)).type).toBe("numerical");
    expect(col(mostly(95)).type).toBe("categorical");
  });
});

describe("High/Low direction file (sample_data_meta.csv)", () => {
  it("reads 25 fields: 16 with ends, 9 without (INDIVIDUALID and TARGET among them)", () => {
    expect(meta.hints).toHaveLength(16);
    expect(meta.unordered).toHaveLength(9);
    expect(meta.unordered).toContain("individualid");
    expect(meta.problems).toEqual([]);
  });

  it("recency High=1 Low=5 → lower is better; letters → best-first order", () => {
    const hint = (f: string) => meta.hints.find((h) => h.field === f);
    expect(decideDirection(hint("home_decor_recency_of_purchase")!, true, [])).toEqual({
      kind: "numeric",
      direction: "lower-is-better",
    });
    expect(decideDirection(hint("credit_rating")!, false, ["C", "A", "H", "B"])).toEqual({
      kind: "ordinal",
      order: ["A", "B", "C", "H"],
      beyondEnds: [],
    });
    expect(decideDirection({ field: "x", high: "5", low: "1" }, true, [])).toMatchObject({
      direction: "higher-is-better",
    });
    expect(decideDirection({ field: "x", high: "Z", low: "A" }, false, ["A", "M", "Z"])).toMatchObject({
      order: ["Z", "M", "A"],
    });
  });

  it("orders levels beyond the stated ends the same way and reports them (HOME_VALUE A/H holds I…U)", () => {
    const report = checkData({ table: sample.table, target: "target", directions: meta.hints });
    const homeValue = report.specs.find((s) => s.name === "home_value");
    expect(homeValue?.kind).toBe("ordinal");
    expect(homeValue?.order?.slice(0, 3)).toEqual(["A", "B", "C"]);
    expect(homeValue?.order?.at(-1)).toBe("U");
    expect(report.levelsBeyondEnds.home_value).toEqual([
      "I",
      "J",
      "K",
      "L",
      "M",
      "N",
      "O",
      "P",
      "Q",
      "R",
      "S",
      "U",
    ]);
    expect(report.specs.find((s) => s.name === "net_worth")?.order).toEqual([
      "A",
      "B",
      "C",
      "D",
      "E",
      "F",
      "G",
      "H",
      "I",
    ]);
    expect(report.specs.find((s) => s.name === "purchase_date_range")).toEqual({
      name: "purchase_date_range",
      kind: "numeric",
      direction: "lower-is-better",
    });
  });

  it("a user override wins over the file", () => {
    const report = checkData({
      table: sample.table,
      target: "target",
      directions: meta.hints,
      overrides: {
        credit_rating: { kind: "nominal" },
        purchase_date_range: { direction: "higher-is-better" },
      },
    });
    expect(report.specs.find((s) => s.name === "credit_rating")).toEqual({
      name: "credit_rating",
      kind: "nominal",
    });
    expect(report.specs.find((s) => s.name === "purchase_date_range")?.direction).toBe("higher-is-better");
  });

  it("flags one-sided or equal ends", () => {
    const m = readDirectionMeta(
      table({ Field: ["A", "B", "C"], High: ["1", "x", null], Low: [null, "x", null] }),
    );
    expect(m.problems.map((p) => p.field)).toEqual(["a", "b"]);
    expect(m.unordered).toEqual(["c"]);
  });
});

describe("target", () => {
  it("reads yes/true/1/y/t as 1 and no/false/0/n/f as 0, any case", () => {
    const r = parseTarget("resp", ["Yes", "no", "TRUE", "f", "1", "0", " y ", "N", "t", "1.0"]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Array.from(r.y)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 1]);
      expect(r.summary).toMatchObject({ positives: 6, negatives: 4, rate: 0.6 });
    }
  });

  it("names the field for other values, missing flags and one class", () => {
    const other = parseTarget("resp", ["1", "0", "maybe", "2", "2"]);
    expect(other.ok).toBe(false);
    if (!other.ok) {
      expect(other.issues[0]).toMatchObject({
        field: "resp",
        code: "target_not_binary",
        counts: { distinctOther: 2 },
      });
      expect(other.issues[0]?.message).toContain('"2" (2)');
    }
    const gaps = parseTarget("resp", ["1", null, "0"]);
    expect(gaps.ok ? null : gaps.issues[0]).toMatchObject({
      code: "target_missing",
      counts: { missingRows: 1 },
    });
    const one = parseTarget("resp", ["1", "yes", "t"]);
    expect(one.ok ? null : one.issues[0]).toMatchObject({
      code: "target_one_class",
      counts: { positives: 3, negatives: 0 },
    });
  });

  it("the sample's TARGET has 709 responders of 2,500", () => {
    const r = parseTarget("target", sample.table.columns.target ?? []);
    expect(r.ok && r.summary).toMatchObject({ positives: 709, negatives: 1791 });
  });
});

describe("checks on sample_data.csv", () => {
  const report = checkData({ table: sample.table, target: "target", directions: meta.hints });

  it("passes: 2,500 rows (≥ 2,000, no row warning), a binary target", () => {
    expect(report.ok).toBe(true);
    expect(report.rowCount).toBe(2500);
    expect(report.issues.some((i) => i.code === "few_rows" || i.code === "too_few_rows")).toBe(false);
    expect(report.target).toMatchObject({ positives: 709, negatives: 1791 });
  });

  it("reports completion per field as original_match_rates.csv does (% non-missing)", () => {
    expect(report.completion).toHaveLength(23);
    const pct = (f: string) => report.completion.find((c) => c.field === f)?.completionPct;
    expect(pct("gender")).toBeCloseTo((100 * 2494) / 2500, 12);
    expect(pct("confidence_level")).toBe(100);
    expect(pct("other_recency_of_purchase")).toBeCloseTo((100 * 369) / 2500, 12);
    expect(pct("credit_rating")).toBeCloseTo((100 * 2068) / 2500, 12);
    // The export's shape: the client's own field names, as original_match_rates.csv lists them.
    const rows = matchRateRows(report.completion, sample.mapping.originalOf);
    const fixture = readFixtureTable("original_match_rates.csv");
    expect(rows.map((r) => r.field)).toEqual(fixture.columns[fixture.names[0] as string]);
    expect(rows[0]).toEqual({ field: "GENDER", match_rate: 99.76 });
  });

  it("flags CONFIDENCE_LEVEL > 0 ⇒ TARGET = 1 in 76 of 77 rows as leakage, with its counts", () => {
    const leak = report.leakage.find((l) => l.field === "confidence_level");
    expect(leak?.splits[0]).toMatchObject({ condition: "> 0", rows: 77, responders: 76, predicts: 1 });
    expect(leak?.splits[0]?.purity).toBeCloseTo(76 / 77, 15);
    const issue = report.issues.find((i) => i.code === "leakage" && i.field === "confidence_level");
    expect(issue?.message).toContain("confidence_level > 0 ⇒ target = 1 in 76 of 77 rows");
    // With the mapping, messages use the client's names.
    const named = checkData({ table: sample.table, target: "target", originalOf: sample.mapping.originalOf });
    const namedIssue = named.issues.find((i) => i.code === "leakage" && i.field === "confidence_level");
    expect(namedIssue?.message).toContain("CONFIDENCE_LEVEL > 0 ⇒ TARGET = 1 in 76 of 77 rows");
    expect(issue?.counts).toMatchObject({ rows: 77, responders: 76 });
  });

  it("flags by the same rule AGE 25-34 (75 of 76) and HOMEOWNER 8 (28 of 28), and nothing else", () => {
    expect(report.leakage.map((l) => l.field).sort()).toEqual(["age", "confidence_level", "homeowner"]);
    expect(report.leakage.find((l) => l.field === "age")?.splits[0]).toMatchObject({
      condition: "= 25-34",
      rows: 76,
      responders: 75,
    });
    expect(report.leakage.find((l) => l.field === "homeowner")?.splits[0]).toMatchObject({
      condition: "= 8",
      rows: 28,
      responders: 28,
    });
    // BUBBLES "Greatest Generation" has 0 responders in 21 rows: pure, but at a 28 % rate and 435
    // splits tested that is chance (0.716^21 ≈ 8.8e-4 > 0.01/435), so it is not flagged.
    expect(report.leakageSplitsTested).toBe(435);
    expect(report.excluded).toEqual([
      { field: "age", reasons: ["leakage"] },
      { field: "homeowner", reasons: ["leakage"] },
      { field: "confidence_level", reasons: ["leakage"] },
    ]);
    expect(report.specs).toHaveLength(20);
  });

  it("keeps a flagged field the user keeps", () => {
    const kept = checkData({ table: sample.table, target: "target", keep: ["confidence_level"] });
    expect(kept.specs.map((s) => s.name)).toContain("confidence_level");
    expect(kept.kept).toEqual([{ field: "confidence_level", reasons: ["leakage"] }]);
    expect(kept.excluded.map((e) => e.field)).toEqual(["age", "homeowner"]);
  });

  it("finds no |r| > 0.95 pair in the sample", () => {
    expect(report.correlations).toEqual([]);
  });

  it("is plain JSON (no NaN or ±Infinity)", () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe("checks on bad input", () => {
  const rows = (n: number, f: (i: number) => string | null) => Array.from({ length: n }, (_, i) => f(i));

  it("refuses under 100 rows and warns under 2,000", () => {
    const small = checkData({
      table: table({ x: rows(99, (i) => String(i % 7)), t: rows(99, (i) => String(i % 2)) }),
      target: "t",
    });
    expect(small.ok).toBe(false);
    expect(small.issues[0]).toMatchObject({
      field: null,
      code: "too_few_rows",
      severity: "error",
      counts: { rows: 99 },
    });
    const mid = checkData({
      table: table({ x: rows(150, (i) => String(i % 7)), t: rows(150, (i) => String(i % 2)) }),
      target: "t",
    });
    expect(mid.ok).toBe(true);
    expect(mid.issues[0]).toMatchObject({ code: "few_rows", severity: "warning" });
  });

  it("names all-missing and constant fields as errors; a one-value categorical with gaps is a presence flag", () => {
    const r = checkData({
      table: table({
        empty: rows(200, () => null),
        same: rows(200, () => "7"),
        sameWithGaps: rows(200, (i) => (i % 3 === 0 ? null : "7")),
        flag: rows(200, (i) => (i % 3 === 0 ? null : "Y")),
        x: rows(200, (i) => String(i % 9)),
        t: rows(200, (i) => (i % 4 === 0 ? "yes" : "no")),
      }),
      target: "t",
    });
    expect(r.ok).toBe(false);
    const errors = r.issues.filter((i) => i.severity === "error").map((i) => [i.field, i.code]);
    expect(errors).toEqual([
      ["empty", "all_missing"],
      ["same", "constant"],
      ["sameWithGaps", "constant"],
    ]);
    expect(r.specs.map((s) => s.name)).toEqual(["flag", "x"]);
    // As the platform's field-level 422.
    let thrown: unknown;
    try {
      assertFitReady(r);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ModelInputError);
    expect((thrown as ModelInputError).issues.map((i) => i.path)).toEqual([
      "data.empty",
      "data.same",
      "data.sameWithGaps",
    ]);
    expect(() => assertFitReady(checkData({ table: sample.table, target: "target" }))).not.toThrow();
  });

  it("a malformed RawTable (column length ≠ rowCount) is a thrown bug, not a user issue", () => {
    expect(() =>
      checkData({
        table: { names: ["a", "t"], columns: { a: ["1"], t: ["1", "0"] }, rowCount: 2 },
        target: "t",
      }),
    ).toThrow(/column "a" has 1 cells for 2 rows/);
  });

  it("a missing or non-binary target is a field-level error", () => {
    const absent = checkData({ table: table({ x: rows(200, (i) => String(i % 9)) }), target: "resp" });
    expect(absent.issues).toContainEqual(expect.objectContaining({ field: "resp", code: "target_absent" }));
    const three = checkData({
      table: table({ x: rows(200, (i) => String(i % 9)), t: rows(200, (i) => String(i % 3)) }),
      target: "t",
    });
    expect(three.ok).toBe(false);
    expect(three.issues).toContainEqual(expect.objectContaining({ field: "t", code: "target_not_binary" }));
  });

  it("a 100k-level categorical is high-cardinality and excluded by default", () => {
    const n = 200_000;
    const r = checkData({
      table: table({
        segment: rows(n, (i) => `S${i % 100_000}`),
        x: rows(n, (i) => String(i % 7)),
        t: rows(n, (i) => (i % 10 < 3 ? "1" : "0")),
      }),
      target: "t",
    });
    expect(r.issues).toContainEqual(
      expect.objectContaining({
        field: "segment",
        code: "high_cardinality",
        counts: { levels: 100_000, nonMissing: n },
      }),
    );
    expect(r.excluded).toEqual([{ field: "segment", reasons: ["high_cardinality"] }]);
    expect(r.specs.map((s) => s.name)).toEqual(["x"]);
  });

  it("caps levels even where the prototype's 5 % ratio calls a field nominal", () => {
    const n = 40_000;
    const r = checkData({
      table: table({ zip: rows(n, (i) => `Z${i % 1500}`), t: rows(n, (i) => String(i % 2)) }),
      target: "t",
    });
    expect(r.profiles[0]).toMatchObject({ field: "zip", subtype: "nominal", uniqueCount: 1500 });
    expect(r.excluded).toEqual([{ field: "zip", reasons: ["high_cardinality"] }]);
  });

  it("an ID column, text or integer, is flagged as an identifier; distinct decimals are not", () => {
    const r = checkData({
      table: table({
        customer: rows(300, (i) => `C${i}`),
        individualid: rows(300, (i) => String(100_000 + 7 * i)),
        spendUsd: rows(300, (i) => (i * 1.37).toFixed(2)),
        x: rows(300, (i) => String(i % 3)),
        t: rows(300, (i) => String(i % 2)),
      }),
      target: "t",
    });
    expect(r.excluded).toEqual([
      { field: "customer", reasons: ["identifier"] },
      { field: "individualid", reasons: ["identifier"] },
    ]);
    expect(r.specs.map((s) => s.name)).toEqual(["spendUsd", "x"]);
  });

  it("flags |r| > 0.95 pairs on numeric and ordinal fields, pairwise complete", () => {
    const n = 500;
    const r = checkData({
      table: table({
        a: rows(n, (i) => String(i)),
        b: rows(n, (i) => (i % 10 === 0 ? null : String(2 * i + (i % 3)))),
        grade: rows(n, (i) => ["A", "B", "C", "D", "E"][Math.floor((i * 5) / n)] ?? null),
        c: rows(n, (i) => String((i * 7919) % 101)),
        t: rows(n, (i) => String((i * 31) % 7 < 3 ? 1 : 0)),
      }),
      target: "t",
      overrides: { grade: { kind: "ordinal", order: ["E", "D", "C", "B", "A"] } },
    });
    const pairs = r.correlations.map((c) => [c.field, c.otherField].sort().join("~"));
    expect(pairs.sort()).toEqual(["a~b", "a~grade", "b~grade"]);
    const ab = r.correlations.find((c) => c.field === "a" && c.otherField === "b");
    expect(ab?.rows).toBe(450);
    expect(ab?.r).toBeGreaterThan(0.9999);
    expect(r.issues.filter((i) => i.code === "high_correlation")).toHaveLength(3);
  });
});

describe("leakage rule on constructed data", () => {
  const n = 2000;
  const y = Array.from({ length: n }, (_, i) => ((i * 7) % 10 < 3 ? 1 : 0));
  const t = y.map(String);
  const noise = (i: number) => String((i * 13) % 6);

  it("a field filled only for responders: 'has a value' ⇒ 1 and 'is missing' ⇒ 0", () => {
    const r = checkData({
      table: table({
        orderDate: y.map((v, i) => (v === 1 ? `2026-0${1 + (i % 9)}` : null)),
        x: t.map((_, i) => noise(i)),
        t,
      }),
      target: "t",
    });
    const splits = r.leakage.find((l) => l.field === "orderDate")?.splits ?? [];
    expect(splits.slice(0, 2).map((s) => [s.condition, s.rows, s.responders])).toEqual([
      ["is missing", 1400, 0],
      ["has a value", 600, 600],
    ]);
    expect(r.excluded).toEqual([{ field: "orderDate", reasons: ["leakage"] }]);
  });

  it("an ordinal's range split along its order", () => {
    // Grades A–B only among responders (399 of 600), C–E elsewhere.
    const grade = y.map(
      (v, i) => (v === 1 && i % 3 !== 0 ? ["A", "B"][i % 2] : ["C", "D", "E"][i % 3]) as string,
    );
    const r = checkData({
      table: table({ grade, t }),
      target: "t",
      overrides: { grade: { kind: "ordinal", order: ["A", "B", "C", "D", "E"] } },
    });
    const split = r.leakage[0]?.splits.find((s) => s.condition === "in A…B");
    expect(split).toMatchObject({ rows: 399, responders: 399, predicts: 1 });
    expect(r.leakage[0]?.splits.map((s) => s.condition)).not.toContain("in E…E");
  });

  it("at a 1 % rate an all-non-responder level is chance unless it is large", () => {
    const m = 20_000;
    const yy = Array.from({ length: m }, (_, i) => (i % 100 === 7 ? 1 : 0)); // 1 %
    const seg = yy.map((_, i) =>
      i % 100 === 7 ? "R" : i % 100 < 3 && i < 10_000 ? "Small" : i < 6000 && i % 100 > 50 ? "Big" : "Rest",
    );
    const r = checkData({ table: table({ seg, t: yy.map(String) }), target: "t" });
    // "Small": 300 rows, 0 responders: 0.99^300 = 0.049 — chance. "Big": 2,940 rows, 0 — 1.5e-13 — flagged.
    const conditions = r.leakage.flatMap((l) => l.splits.map((s) => s.condition));
    expect(conditions).toContain("= Big");
    expect(conditions).not.toContain("= Small");
    expect(conditions).toContain("= R"); // the responders' own level: 200 of 200
  });

  it("text in a numeric field: a warning within 5 %, an error beyond (named)", () => {
    const few = Array.from({ length: 200 }, (_, i) => (i < 5 ? "n/a" : String(i % 9)));
    const many = Array.from({ length: 200 }, (_, i) => (i < 40 ? "unknown" : String(i % 9)));
    const r = checkData({
      table: table({ few, many, t: Array.from({ length: 200 }, (_, i) => String(i % 2)) }),
      target: "t",
      overrides: { many: { kind: "numeric" } },
    });
    expect(r.issues.find((i) => i.field === "few")).toMatchObject({
      code: "text_in_numeric",
      severity: "warning",
      counts: { textCells: 5 },
    });
    expect(r.issues.find((i) => i.field === "many")).toMatchObject({
      code: "text_in_numeric",
      severity: "error",
      counts: { textCells: 40 },
    });
    expect(r.issues.find((i) => i.field === "many")?.message).toContain('"unknown"');
    expect(r.ok).toBe(false);
  });
});
