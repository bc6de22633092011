import { ModelInputError } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { applyPreparation, parseNumericText, prepare } from "../src/prepare/index.ts";
import type { RawTable } from "../src/types.ts";
import { loadSample } from "./helpers.ts";

const table = (columns: Record<string, (string | null)[]>): RawTable => ({
  names: Object.keys(columns),
  columns,
  rowCount: Object.values(columns)[0]!.length,
});
const column = (design: { x: Float64Array; rowCount: number; columns: { name: string }[] }, name: string) => {
  const j = design.columns.findIndex((c) => c.name === name);
  expect(j, name).toBeGreaterThanOrEqual(0);
  return Array.from(design.x.subarray(j * design.rowCount, (j + 1) * design.rowCount));
};

describe("preparation", () => {
  it("sample_data.csv: one column per level (MISSING included), names keep the field and label", () => {
    const { table: t, specs } = loadSample();
    const { preparation, design, report } = prepare(t, specs);
    const gender = design.columns.filter((c) => c.field === "GENDER").map((c) => c.name);
    expect(gender).toEqual(["GENDER=F", "GENDER=M", "GENDER=MISSING"]);
    // Field names with "_" stay whole (the prototype split them at the first "_").
    const recency = design.columns.find((c) => c.field === "High_Ticket_Home_Decor_Recency_of_Purchase");
    expect(recency).toMatchObject({ role: "value", name: "High_Ticket_Home_Decor_Recency_of_Purchase" });
    // Every row of a nominal field has exactly one dummy set.
    const bubbles = design.columns.flatMap((c, j) => (c.field === "BUBBLES" ? [j] : []));
    for (let i = 0; i < design.rowCount; i++)
      expect(bubbles.reduce((s, j) => s + design.x[j * design.rowCount + i]!, 0)).toBe(1);
    expect(report.find((r) => r.field === "GENDER")!.missing).toBe(
      t.columns.GENDER!.filter((v) => v === null).length,
    );
    // Stored as JSON and re-applied: the same design, value for value.
    const again = applyPreparation(JSON.parse(JSON.stringify(preparation)), t).design;
    expect(Array.from(again.x)).toEqual(Array.from(design.x));
  });

  it("numeric: cleans $ , %, flips lower-is-better about the training maximum, fills the median", () => {
    const t = table({ r: ["1", "$2", "3%", null, "5", "1,000"] });
    const { preparation, design } = prepare(t, [
      { name: "r", kind: "numeric", direction: "lower-is-better" },
    ]);
    // Parsed 1, 2, 3, 5, 1000 → flipped 999, 998, 997, 995, 0 → median 995 … 997: median of 5 values = 997.
    expect(preparation.fields[0]).toMatchObject({ flipAbout: 1000, fill: 997 });
    expect(column(design, "r")).toEqual([999, 998, 997, 997, 995, 0]);
  });

  it("numeric text that is not a number: refused over the share, counted and treated as missing under it", () => {
    const values = Array.from({ length: 100 }, (_, i) => String(i));
    values[3] = "n/a";
    const ok = prepare(table({ v: values }), [{ name: "v", kind: "numeric" }], { missingIndicators: true });
    expect(ok.report[0]).toMatchObject({ nonNumeric: 1, examples: ["n/a"] });
    expect(column(ok.design, "v[missing]")[3]).toBe(1);
    expect(column(ok.design, "v")[3]).toBe(50); // the median of 0…99 without 3
    const bad = values.map((v, i) => (i % 10 === 0 ? "unknown" : v));
    expect(() => prepare(table({ v: bad }), [{ name: "v", kind: "numeric" }])).toThrow(ModelInputError);
    try {
      prepare(table({ v: bad }), [{ name: "v", kind: "numeric" }]);
    } catch (e) {
      expect((e as ModelInputError).issues[0]!.path).toBe("fields.v");
    }
  });

  it("ordinal ranks (best highest), unseen levels at scoring → median rank, counted", () => {
    const spec = { name: "g", kind: "ordinal" as const, order: ["A", "B", "C"] };
    const { preparation, design } = prepare(table({ g: ["A", "B", "C", "C", null] }), [spec]);
    // Missing takes the median training rank: median(2, 1, 0, 0) = 0.5.
    expect(column(design, "g")).toEqual([2, 1, 0, 0, 0.5]);
    const scored = applyPreparation(preparation, table({ g: ["Z", "A"] }));
    expect(column(scored.design, "g")).toEqual([0.5, 2]);
    expect(scored.report[0]).toMatchObject({ unseenLevels: 1, examples: ["Z"] });
  });

  it("nominal pooling into OTHER, unseen levels score as all-zero dummies", () => {
    const t = table({ c: ["a", "a", "a", "b", "b", "b", "x", "y", null] });
    const { preparation, design } = prepare(t, [{ name: "c", kind: "nominal" }], { minLevelCount: 2 });
    expect(preparation.fields[0]).toMatchObject({
      levels: ["MISSING", "OTHER", "a", "b"],
      pooled: ["x", "y"],
    });
    expect(column(design, "c=OTHER")).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 0]);
    const scored = applyPreparation(preparation, table({ c: ["new", "x"] }));
    expect(design.columns.map((c) => column(scored.design, c.name)[0])).toEqual([0, 0, 0, 0]);
    expect(scored.report[0]!.unseenLevels).toBe(1);
  });

  it("refuses a nominal field with more levels than maxLevels, naming it", () => {
    const ids = table({ id: Array.from({ length: 1200 }, (_, i) => `C${i}`) });
    let issue: { path: string; message: string } | undefined;
    try {
      prepare(ids, [{ name: "id", kind: "nominal" }]);
    } catch (e) {
      issue = (e as ModelInputError).issues[0];
    }
    expect(issue?.path).toBe("fields.id");
    expect(issue?.message).toMatch(/id has 1200 distinct values/);
    // Pooling brings it under the limit: every level is rare, all go to OTHER.
    const pooled = prepare(ids, [{ name: "id", kind: "nominal" }], { minLevelCount: 2 });
    expect(pooled.preparation.fields[0]).toMatchObject({ levels: ["OTHER"] });
  });

  it("parses only plain or scientific decimals", () => {
    expect(parseNumericText(" $1,234.50 ")).toBe(1234.5);
    expect(parseNumericText("-.5%")).toBe(-0.5);
    expect(parseNumericText("1e3")).toBe(1000);
    for (const s of ["0x10", "Infinity", "1.2.3", "", "12\t", "--1"])
      expect(parseNumericText(s)).toBeUndefined();
  });

  it("reads plain decimals on its fast path as the documented cleaning does (pattern + Number), to the bit", () => {
    const pattern = /^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$/;
    const documented = (v: string) => {
      const t = v.replace(/[$,%]/g, "").replace(/^ +| +$/g, "");
      if (!pattern.test(t)) return undefined;
      const x = Number(t);
      return Number.isFinite(x) ? x : undefined;
    };
    const texts = [
      "0",
      "-0",
      "+0.0",
      "-0.000",
      "5.",
      ".5",
      "+.5",
      "-.25",
      ".",
      "+",
      "-",
      "007",
      "123456789012345",
      "1234567890123456",
      "0.000000000000001",
      "9007199254740993",
      "3.14159265358979",
      "-99999.99999",
      "1.",
      "1..2",
    ];
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < 20_000; k++) {
      const digits = 1 + Math.floor(next() * 17);
      let t = "";
      for (let d = 0; d < digits; d++) t += String(Math.floor(next() * 10));
      const point = Math.floor(next() * (digits + 2)) - 1; // -1: no point
      if (point >= 0) t = `${t.slice(0, point)}.${t.slice(point)}`;
      texts.push(next() < 0.3 ? `-${t}` : next() < 0.1 ? `+${t}` : t);
    }
    for (const t of texts) expect(Object.is(parseNumericText(t), documented(t)), t).toBe(true);
  });
});
