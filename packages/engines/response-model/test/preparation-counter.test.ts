/**
 * The record-at-a-time counter (scoring streams) must report exactly what `applyPreparation`
 * reports on the same records: missing, non-numeric and unseen counts and the examples — on the
 * sample file and on a synthetic file with missing indicators and pooled levels, with junk.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../src/fit/random.ts";
import { preparationCounter } from "../src/prepare/counter.ts";
import { applyPreparation, prepare } from "../src/prepare/prepare.ts";
import type { Preparation } from "../src/prepare/types.ts";
import { type CustomerRecord, recordsToTable } from "../src/records.ts";
import type { RawTable } from "../src/types.ts";
import { loadSample, syntheticTable } from "./helpers.ts";

const JUNK: (string | number | boolean | null)[] = [
  "Atlantis",
  "",
  null,
  "MISSING",
  "OTHER",
  " $1,234.5 ",
  "n/a",
  "1e3",
  "0x10",
  7,
  2.5,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  "0",
];

function junkRecords(table: RawTable, seed: number): CustomerRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: table.rowCount }, (_, i) => {
    const r: CustomerRecord = {};
    for (const name of table.names) {
      const v = table.columns[name]![i] ?? null;
      r[name] = random() < 0.33 ? JUNK[Math.floor(random() * JUNK.length)]! : v;
    }
    return r;
  });
}

function expectSameReport(preparation: Preparation, records: CustomerRecord[]) {
  const fields = preparation.fields.map((f) => f.field);
  const expected = applyPreparation(preparation, recordsToTable(records, fields)).report;
  const counter = preparationCounter(preparation);
  for (const r of records) counter.add(r);
  expect(counter.report()).toEqual(expected);
  // Column-wise, a value at a time (scoring runs read DuckDB's columns): the same report.
  const byValue = preparationCounter(preparation);
  fields.forEach((f, i) => {
    for (const r of records) byValue.addValue(i, r[f]);
  });
  expect(byValue.report()).toEqual(expected);
  return expected;
}

describe("preparation counter = applyPreparation's report", () => {
  it("sample_data.csv with junk: the same counts, and some of each kind", () => {
    const s = loadSample();
    const { preparation } = prepare(s.table, s.specs);
    const report = expectSameReport(preparation, junkRecords(s.table, 5));
    const total = (k: "missing" | "nonNumeric" | "unseenLevels") => report.reduce((n, r) => n + r[k], 0);
    expect(total("missing")).toBeGreaterThan(0);
    expect(total("nonNumeric")).toBeGreaterThan(0);
    expect(total("unseenLevels")).toBeGreaterThan(0);
  });

  it("synthetic file with missing indicators and pooled levels", () => {
    const s = syntheticTable(1500, 5);
    const { preparation } = prepare(s.table, s.specs, { missingIndicators: true, minLevelCount: 360 });
    expect(preparation.fields.some((f) => f.kind === "nominal" && f.pooled.length > 0)).toBe(true);
    expectSameReport(preparation, junkRecords(s.table, 13));
  });
});
