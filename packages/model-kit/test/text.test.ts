import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  defineModel,
  ModelInputError,
  NUL_KEY_MESSAGE,
  NUL_MESSAGE,
  nulIssues,
  parseInput,
} from "../src/index.ts";

describe("the NUL rule", () => {
  it("names every string and key holding U+0000, by dotted path", () => {
    expect(
      nulIssues({ a: "ok", b: ["x", "y\u0000"], c: { "k\u0000": 1, d: { e: "\u0000" } }, n: 3, z: null }),
    ).toEqual([
      { path: "b.1", message: NUL_MESSAGE },
      { path: "c.k\\0", message: NUL_KEY_MESSAGE },
      { path: "c.d.e", message: NUL_MESSAGE },
    ]);
    expect(nulIssues("a\u0000b")).toEqual([{ path: "(root)", message: NUL_MESSAGE }]);
    expect(nulIssues("a\u0000b", "query.q")).toEqual([{ path: "query.q", message: NUL_MESSAGE }]);
    expect(nulIssues({ records: [{ a: 1 }, { a: "x", "b\u0000": 2, c: [true, "\u0000"] }] }, "body")).toEqual(
      [
        { path: "body.records.1.b\\0", message: NUL_KEY_MESSAGE },
        { path: "body.records.1.c.1", message: NUL_MESSAGE },
      ],
    );
    // Other control characters and look-alikes are not this rule's business.
    expect(nulIssues({ a: "\u0001\u001f\\0 \u2400" })).toEqual([]);
  });

  it("survives nesting deeper than the call stack and stops at 20 issues", () => {
    let deep: unknown = "bottom\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nulIssues(deep)).toHaveLength(1);
    expect(nulIssues(Array.from({ length: 500 }, () => "\u0000"))).toHaveLength(20);
  });

  it("is part of every model's input validation, even where the schema takes any string", () => {
    const model = defineModel({
      id: "echo",
      version: "1.0.0",
      title: "Echo",
      summary: "Echoes",
      input: z.object({ name: z.string(), tags: z.record(z.string(), z.string()) }).strict(),
      output: z.object({ name: z.string() }),
      examples: [{ name: "one", title: "One", input: { name: "a", tags: {} } }],
      run: (input) => ({ name: input.name }),
    });
    expect(parseInput(model, { name: "a b", tags: { k: "v" } })).toEqual({ name: "a b", tags: { k: "v" } });
    const err = (() => {
      try {
        parseInput(model, { name: "a\u0000b", tags: { "k\u0000": "v" } });
      } catch (e) {
        return e;
      }
    })() as ModelInputError;
    expect(err).toBeInstanceOf(ModelInputError);
    expect(err.issues).toEqual([
      { path: "name", message: NUL_MESSAGE },
      { path: "tags.k\\0", message: NUL_KEY_MESSAGE },
    ]);
  });
});
