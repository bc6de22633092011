import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkOutput, createContext, defineModel, executeModel, ModelOutputError } from "../src/index.ts";
import { plainCheckOf } from "../src/plain-check.ts";

const Row = z.object({
  period: z.number().int(),
  phase: z.enum(["build", "operate"]),
  noi: z.number(),
  irr: z.number().nullable(),
  note: z.string().optional(),
});
const Out = z.object({
  kind: z.literal("deal"),
  ok: z.boolean(),
  units: z.number().int().min(1).lt(1000),
  rows: z.array(Row),
  roots: z.array(z.number()),
  units_by_package: z.record(z.string(), z.number()),
  from: z.union([z.number(), z.string(), z.null(), z.array(z.number())]),
});
const good = () => ({
  kind: "deal",
  ok: true,
  units: 10,
  rows: [
    { period: 0, phase: "build", noi: -1.5, irr: null },
    { period: 1, phase: "operate", noi: 2.25, irr: 0.07, note: "stabilized" },
  ],
  roots: [0.01, -0.3],
  units_by_package: { "flex-12": 3, "long-60": 1.5 } as Record<string, number>,
  from: "base" as number | string | null | number[],
});

/** Values zod must judge: each differs from `good()` in one way. */
const variants: [string, (v: ReturnType<typeof good>) => unknown][] = [
  ["as is", (v) => v],
  ["an unknown key (zod strips it)", (v) => ({ ...v, extra: 1 })],
  ["an unknown nested key", (v) => ({ ...v, rows: [{ ...v.rows[0]!, x: 1 }] })],
  ["a missing key", ({ ok: _ok, ...v }) => v],
  ["NaN", (v) => ({ ...v, roots: [Number.NaN] })],
  ["Infinity", (v) => ({ ...v, rows: [{ ...v.rows[0]!, noi: Number.POSITIVE_INFINITY }] })],
  ["a fraction for an int", (v) => ({ ...v, units: 1.5 })],
  ["below min", (v) => ({ ...v, units: 0 })],
  ["at an exclusive max", (v) => ({ ...v, units: 1000 })],
  ["an unsafe integer", (v) => ({ ...v, rows: [{ ...v.rows[0]!, period: 2 ** 60 }] })],
  ["a wrong enum", (v) => ({ ...v, rows: [{ ...v.rows[0]!, phase: "sell" }] })],
  ["a wrong literal", (v) => ({ ...v, kind: "lease" })],
  ["a string for a number", (v) => ({ ...v, roots: ["1"] })],
  ["an array for an object", (v) => ({ ...v, rows: [[1]] })],
  ["null for an object", (v) => ({ ...v, rows: [null] })],
  ["a sparse array", (v) => ({ ...v, roots: new Array<number>(3).fill(1, 0, 1) })],
  ["a class instance", (v) => Object.assign(new (class Deal {})(), v)],
  ["an object inheriting its fields", (v) => Object.create(v)],
  ["undefined for an optional", (v) => ({ ...v, rows: [{ ...v.rows[0]!, note: undefined }] })],
  ["a number for a boolean", (v) => ({ ...v, ok: 1 })],
  ["a union's other primitive", (v) => ({ ...v, from: 2.5 })],
  ["a union's null", (v) => ({ ...v, from: null })],
  ["a union's missing option", (v) => ({ ...v, from: true })],
  ["a union's array", (v) => ({ ...v, from: [1, 2] })],
  ["a union's array with a string", (v) => ({ ...v, from: [1, "2"] })],
  ["a record value of the wrong type", (v) => ({ ...v, units_by_package: { a: "3" } })],
  ["a record value NaN", (v) => ({ ...v, units_by_package: { a: Number.NaN } })],
  ["a record with a symbol key", (v) => ({ ...v, units_by_package: { a: 1, [Symbol("s")]: 2 } })],
  [
    "a record with a non-enumerable key",
    (v) => ({ ...v, units_by_package: Object.defineProperty({ a: 1 }, "hidden", { value: 2 }) }),
  ],
  ["a record with an own __proto__", (v) => ({ ...v, units_by_package: JSON.parse('{"__proto__": 1}') })],
  ["a record that is an array", (v) => ({ ...v, units_by_package: [1, 2] })],
  ["a record of a class", (v) => ({ ...v, units_by_package: Object.assign(new (class M {})(), { a: 1 }) })],
];

describe("plainCheckOf (the output check before zod)", () => {
  const check = plainCheckOf(Out)!;

  it("covers a schema of plain data", () => {
    expect(check).toBeTypeOf("function");
    expect(check(good())).toBe(true);
  });

  it.each(variants)("never says yes where zod would refuse or change the value: %s", (_name, make) => {
    const value = make(good());
    const zod = Out.safeParse(value);
    if (check(value)) {
      expect(zod.success).toBe(true);
      expect(JSON.stringify(zod.data)).toBe(JSON.stringify(value));
      expect(zod.data).toEqual(value);
    }
  });

  it("says no to each broken value, which zod then judges", () => {
    const refused = variants.filter(([, make]) => !check(make(good()))).map(([name]) => name);
    expect(refused).toEqual(
      variants
        .map(([name]) => name)
        .filter(
          (n) =>
            n !== "as is" &&
            !n.startsWith("undefined") &&
            !n.startsWith("a union's other") &&
            n !== "a union's null" &&
            n !== "a union's array",
        ),
    );
  });

  it("has no check for schemas that transform, refine, default or recurse", () => {
    expect(plainCheckOf(z.object({ a: z.number().default(1) }))).toBeNull();
    expect(plainCheckOf(z.object({ a: z.string().transform((s) => s.length) }))).toBeNull();
    expect(plainCheckOf(z.object({ a: z.number() }).refine((o) => o.a > 0))).toBeNull();
    expect(plainCheckOf(z.object({ a: z.union([z.object({ b: z.number() }), z.string()]) }))).toBeNull();
    expect(plainCheckOf(z.union([z.number(), z.string().min(1)]))).toBeNull();
    expect(plainCheckOf(z.object({ a: z.string().min(2) }))).toBeNull();
    expect(plainCheckOf(z.object({ a: z.array(z.number()).min(1) }))).toBeNull();
    expect(plainCheckOf(z.object({ a: z.coerce.number() }))).toBeNull();
    expect(plainCheckOf(z.record(z.enum(["a", "b"]), z.number()))).toBeNull();
    expect(plainCheckOf(z.record(z.string().min(1), z.number()))).toBeNull();
    expect(plainCheckOf(z.record(z.string(), z.number().default(0)))).toBeNull();
    expect(plainCheckOf(z.looseRecord(z.string(), z.number()))).toBeNull();
    expect(
      plainCheckOf(
        z
          .number()
          .nullable()
          .refine((n) => n !== 0),
      ),
    ).toBeNull();
    expect(plainCheckOf(z.enum(["a", "b"]).refine((e) => e === "a"))).toBeNull();
    expect(plainCheckOf(z.number().refine((n) => n !== 0))).toBeNull();
    const Tree = z.object({
      value: z.number(),
      get children() {
        return z.array(Tree);
      },
    });
    expect(plainCheckOf(Tree)).toBeNull();
  });
});

describe("plainCheckOf on a union of a number, a boolean and an array", () => {
  const U = z.object({ to: z.union([z.number().int(), z.boolean(), z.array(z.number())]) });
  const check = plainCheckOf(U)!;
  const values: [string, unknown, boolean][] = [
    ["a number", 3, true],
    ["a boolean", false, true],
    ["an array of numbers", [1, 2.5], true],
    ["an empty array", [], true],
    ["a fraction for the int", 1.5, false],
    ["a string", "3", false],
    ["null", null, false],
    ["an array with a string", [1, "2"], false],
    ["an object", { a: 1 }, false],
  ];

  it("is covered", () => expect(check).toBeTypeOf("function"));

  it.each(values)("says yes exactly where zod keeps the value unchanged: %s", (_name, to, yes) => {
    const value = { to };
    const zod = U.safeParse(value);
    expect(check(value)).toBe(yes);
    expect(zod.success).toBe(yes);
    if (yes) expect(zod.data).toEqual(value);
  });
});

describe("checkOutput", () => {
  const model = defineModel({
    id: "plain-check",
    version: "1.0.0",
    title: "Plain check",
    summary: "Returns a fixed output",
    input: z.object({}),
    examples: [{ name: "empty", title: "Empty", input: {} }],
    output: Out,
    run: () => good() as z.input<typeof Out>,
  });

  it("returns an output zod would keep unchanged as it is, and zod's copy otherwise", () => {
    const value = good();
    expect(checkOutput(model, value)).toBe(value);
    const extra = { ...good(), extra: 1 };
    const stripped = checkOutput(model, extra);
    expect(stripped).not.toBe(extra);
    expect(stripped).toEqual(good());
  });

  it("refuses a broken output with zod's issues", async () => {
    expect(() => checkOutput(model, { ...good(), units: 1.5 })).toThrow(ModelOutputError);
    try {
      checkOutput(model, { ...good(), units: 1.5 });
    } catch (err) {
      expect((err as ModelOutputError).issues.map((i) => i.path)).toEqual(["units"]);
    }
    const ctx = createContext({ signal: new AbortController().signal, data: {} });
    await expect(executeModel(model, {}, ctx)).resolves.toEqual(good());
  });
});
