import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createContext,
  defineModel,
  executeModel,
  ModelCanceledError,
  ModelInputError,
  ModelOutputError,
  valueAtPath,
} from "../src/index.ts";

const Input = z
  .object({ a: z.number().min(0, "must be 0 or more"), b: z.object({ c: z.string() }) })
  .strict();
const base = {
  id: "adder",
  version: "1.2.3",
  title: "Adder",
  summary: "Adds",
  input: Input,
  output: z.object({ total: z.number(), rows: z.array(z.object({ k: z.string(), v: z.number() })) }),
  examples: [{ name: "one", title: "One", input: { a: 1, b: { c: "x" } } }],
  tables: [
    {
      name: "rows",
      title: "Rows",
      rows: "rows",
      columns: [
        { key: "k", title: "K" },
        { key: "v", title: "V", unit: "USD" },
      ],
    },
  ],
  run: (input: z.output<typeof Input>) => ({ total: input.a + 1, rows: [{ k: input.b.c, v: input.a }] }),
};

describe("defineModel", () => {
  it("accepts a consistent declaration and freezes it", () => {
    const m = defineModel(base);
    expect(Object.isFrozen(m)).toBe(true);
    expect(m.id).toBe("adder");
  });

  it.each([
    [{ id: "Bad Id" }, /must match/],
    [{ version: "1.2" }, /not semver/],
    [
      { examples: [{ name: "bad", title: "Bad", input: { a: -1, b: { c: "x" } } }] },
      /example "bad" is invalid/,
    ],
    [
      { charts: [{ name: "c", title: "C", kind: "bar" as const, table: "nope", x: "k", y: ["v"] }] },
      /unknown table "nope"/,
    ],
    [
      { charts: [{ name: "c", title: "C", kind: "bar" as const, table: "rows", x: "k", y: ["w"] }] },
      /column "w" not in table/,
    ],
    [
      { charts: [{ name: "c", title: "C", kind: "gantt" as const, table: "rows", x: "k", y: ["v"] }] },
      /gantt chart "c" needs y = \[first period, last period\]/,
    ],
    [
      { documents: [{ name: "Term Sheet", title: "T", build: () => null }] },
      /must be lower-case and URL-safe/,
    ],
    [{ documents: [{ name: "report", title: "T", build: () => null }] }, /document name "report" is taken/],
    [
      {
        documents: [
          { name: "sheet", title: "A", build: () => null },
          { name: "sheet", title: "B", build: () => null },
        ],
      },
      /document name "sheet" is taken/,
    ],
  ])("rejects a broken declaration %#", (override, message) => {
    expect(() => defineModel({ ...base, ...override })).toThrow(message);
  });
});

describe("executeModel", () => {
  it("validates input, runs and validates output", async () => {
    const out = await executeModel(defineModel(base), { a: 2, b: { c: "y" } }, createContext());
    expect(out).toEqual({ total: 3, rows: [{ k: "y", v: 2 }] });
  });

  it("names every bad field with a dotted path", async () => {
    const err = await executeModel(defineModel(base), { a: -5, b: { c: 3 }, z: 1 }, createContext()).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ModelInputError);
    expect(err.issues).toEqual([
      { path: "a", message: "must be 0 or more" },
      { path: "b.c", message: "Invalid input: expected string, received number" },
      { path: "(root)", message: 'Unrecognized key: "z"' },
    ]);
  });

  it("reports an engine that breaks its own output schema as ModelOutputError", async () => {
    const broken = defineModel({ ...base, run: () => ({ total: "three", rows: [] }) as never });
    await expect(executeModel(broken, { a: 1, b: { c: "x" } }, createContext())).rejects.toBeInstanceOf(
      ModelOutputError,
    );
  });

  it("turns an abort during the run into ModelCanceledError", async () => {
    const ac = new AbortController();
    const slow = defineModel({
      ...base,
      run: async (_i: unknown, ctx) => {
        ac.abort();
        ctx.signal.throwIfAborted();
        return { total: 0, rows: [] };
      },
    });
    await expect(
      executeModel(slow, { a: 1, b: { c: "x" } }, createContext({ signal: ac.signal })),
    ).rejects.toBeInstanceOf(ModelCanceledError);
  });
});

it("valueAtPath reads nested values", () => {
  expect(valueAtPath({ a: { b: [1, 2] } }, "a.b")).toEqual([1, 2]);
  expect(valueAtPath({ a: null }, "a.b")).toBeUndefined();
});

describe("defineModel: layout and view", () => {
  it("accepts a layout over the input's fields, nested ones included, and a view name", () => {
    const m = defineModel({
      ...base,
      layout: { sections: [{ id: "main", title: "Main", fields: ["a"] }] },
      view: "tif-deal",
    });
    expect(m.layout!.sections[0]!.fields).toEqual(["a"]);
    expect(m.view).toBe("tif-deal");
    expect(() =>
      defineModel({ ...base, layout: { at: "b", sections: [{ id: "inner", title: "B", fields: ["c"] }] } }),
    ).not.toThrow();
  });

  it("refuses a layout naming a field the input does not have, or one field twice", () => {
    expect(() =>
      defineModel({ ...base, layout: { sections: [{ id: "main", title: "Main", fields: ["a", "typo"] }] } }),
    ).toThrow(/names "typo", not an input field/);
    expect(() =>
      defineModel({
        ...base,
        layout: {
          sections: [
            { id: "one", title: "One", fields: ["a"] },
            { id: "two", title: "Two", fields: ["a"] },
          ],
        },
      }),
    ).toThrow(/places "a" twice/);
    expect(() =>
      defineModel({ ...base, layout: { at: "b", sections: [{ id: "x", title: "X", fields: ["a"] }] } }),
    ).toThrow(/names "a"/);
    expect(() =>
      defineModel({ ...base, layout: { at: "a", sections: [{ id: "x", title: "X", fields: ["a"] }] } }),
    ).toThrow(/layout.at "a" is not an object/);
  });

  it("refuses section ids that are not URL-safe or unique, and bad view names", () => {
    expect(() =>
      defineModel({ ...base, layout: { sections: [{ id: "other", title: "O", fields: ["a"] }] } }),
    ).toThrow(/section id "other"/);
    expect(() => defineModel({ ...base, view: "Tif Deal" })).toThrow(/view "Tif Deal"/);
  });
});
