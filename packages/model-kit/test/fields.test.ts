import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  countField,
  finiteField,
  LIMITS,
  moneyField,
  monthsField,
  rateField,
  recordField,
  unboundedInputFields,
  yearsField,
} from "../src/index.ts";

const messages = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe("field builders: the realistic bounds (issue 19)", () => {
  it("money is 0 … 1e12, or ±1e12 when negative amounts are allowed", () => {
    const m = moneyField("the land cost");
    expect(m.parse(0)).toBe(0);
    expect(m.parse(1e12)).toBe(1e12);
    expect(messages(m, 1e12 + 1)).toEqual(["the land cost is at most 1,000,000,000,000 (1e12)"]);
    expect(messages(m, 1e308)).toEqual(["the land cost is at most 1,000,000,000,000 (1e12)"]);
    expect(messages(m, -1)).toEqual(["the land cost cannot be negative"]);
    const price = moneyField("the price", { positive: "the price must be more than 0" });
    expect(messages(price, 0)).toEqual(["the price must be more than 0"]);
    expect(messages(price, -5)).toEqual(["the price must be more than 0"]);
    expect(messages(price, 1e-308)).toEqual(["the price is at least 0.01 (one cent)"]);
    expect(price.parse(0.01)).toBe(0.01);
    expect(messages(price, 2e12)).toEqual(["the price is at most 1,000,000,000,000 (1e12)"]);
    const signed = moneyField("the flow", { negative: true });
    expect(signed.parse(-1e12)).toBe(-1e12);
    expect(messages(signed, -1e15)).toEqual(["the flow is at least −1,000,000,000,000 (−1e12)"]);
  });

  it("rates default to [0, 1] and never widen beyond ±10", () => {
    expect(messages(rateField(), 1.01)).toEqual(["must be at most 1 (100%; give 0.05 for 5%)"]);
    expect(rateField({ min: -1, max: 1 }).parse(-0.5)).toBe(-0.5);
    expect(rateField({ max: 1e9 }).safeParse(11).success).toBe(false);
    expect(rateField({ max: 1e9 }).parse(10)).toBe(10);
  });

  it("counts, years and months are whole and capped", () => {
    expect(messages(countField(), 1.5)).toEqual(["must be a whole number"]);
    expect(messages(countField(), LIMITS.count + 1)).toEqual(["must be at most 10,000,000"]);
    expect(messages(yearsField({ min: 1 }), 0)).toEqual(["must be at least 1 year"]);
    expect(messages(yearsField(), 101)).toEqual(["at most 100 years"]);
    expect(messages(monthsField(), 1201)).toEqual(["at most 1,200 months"]);
    expect(messages(finiteField(), -1e13)).toEqual(["must be at least −1,000,000,000,000 (−1e12)"]);
  });

  it("NaN and ±Infinity are refused by every builder", () => {
    for (const f of [moneyField("x"), rateField(), countField(), finiteField()])
      for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
        expect(f.safeParse(v).success).toBe(false);
  });

  it("maps are capped and publish maxProperties", () => {
    const r = recordField(z.string(), z.number().min(0).max(1), 2);
    expect(r.parse({ a: 1, b: 0 })).toEqual({ a: 1, b: 0 });
    expect(messages(r, { a: 1, b: 0, c: 0 })).toEqual(["at most 2 entries"]);
    expect(z.toJSONSchema(r)).toMatchObject({ maxProperties: 2 });
  });
});

describe("unboundedInputFields", () => {
  it("names every number, list and map without both bounds, by its path", () => {
    const Input = z.object({
      ok: moneyField("ok"),
      open: z.number().min(0),
      wide: z.number().min(0).max(1e15),
      tier: z.union([z.literal(1), z.literal(2)]),
      nested: z.object({ rates: z.array(rateField()), many: z.array(z.string()).max(3) }),
      map: z.record(z.string(), rateField()),
      capped: recordField(z.string(), z.number(), 5),
      opt: finiteField().nullable().optional(),
    });
    expect(unboundedInputFields(Input).sort()).toEqual([
      "capped{}",
      "map{}",
      "nested.rates[]",
      "open",
      "wide",
    ]);
  });

  it("finds nothing in a fully bounded input", () => {
    const Input = z.object({ a: moneyField("a"), b: z.array(countField()).max(10) });
    expect(unboundedInputFields(Input)).toEqual([]);
  });
});
