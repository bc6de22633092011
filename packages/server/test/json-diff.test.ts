import { describe, expect, it } from "vitest";
import { diffJson } from "../src/runs/json-diff.ts";

describe("diffJson", () => {
  it("finds no changes between equal values, whatever the key order", () => {
    expect(diffJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toEqual([]);
    expect(diffJson([], [])).toEqual([]);
    expect(diffJson({}, {})).toEqual([]);
    expect(diffJson(null, null)).toEqual([]);
    expect(diffJson("x", "x")).toEqual([]);
    expect(diffJson(0, -0)).toEqual([]);
  });

  it("reports changed leaves in nested objects and arrays with dotted paths and indices", () => {
    const before = {
      terms: [
        { mean: 10, sd: 2 },
        { mean: 5, sd: 1 },
      ],
      samples: 20_000,
      deal: { rate: { base: 0.05 } },
    };
    const after = {
      terms: [
        { mean: 10, sd: 3 },
        { mean: 5, sd: 1 },
      ],
      samples: 40_000,
      deal: { rate: { base: 0.06 } },
    };
    expect(diffJson(before, after)).toEqual([
      { path: "deal.rate.base", kind: "changed", before: 0.05, after: 0.06 },
      { path: "samples", kind: "changed", before: 20_000, after: 40_000 },
      { path: "terms.0.sd", kind: "changed", before: 2, after: 3 },
    ]);
  });

  it("orders keys by code point, not by insertion order", () => {
    expect(diffJson({ b: 1, a: 1, B: 1 }, { B: 2, b: 2, a: 2 }).map((c) => c.path)).toEqual(["B", "a", "b"]);
  });

  it("reports added and removed keys with only the value that exists", () => {
    expect(diffJson({ keep: 1, gone: { x: [1] } }, { keep: 1, fresh: "new" })).toEqual([
      { path: "fresh", kind: "added", after: "new" },
      { path: "gone", kind: "removed", before: { x: [1] } },
    ]);
    const [added] = diffJson({}, { a: 1 });
    expect(added).not.toHaveProperty("before");
    const [removed] = diffJson({ a: 1 }, {});
    expect(removed).not.toHaveProperty("after");
  });

  it("compares arrays by position: growing adds at the end, shrinking removes from the end", () => {
    expect(diffJson({ xs: [1, 2] }, { xs: [1, 2, 3, 4] })).toEqual([
      { path: "xs.2", kind: "added", after: 3 },
      { path: "xs.3", kind: "added", after: 4 },
    ]);
    expect(diffJson({ xs: [1, 2, { a: 3 }] }, { xs: [1] })).toEqual([
      { path: "xs.1", kind: "removed", before: 2 },
      { path: "xs.2", kind: "removed", before: { a: 3 } },
    ]);
    // Inserting at the front shifts every position: no move detection.
    expect(diffJson([2, 3], [1, 2, 3])).toEqual([
      { path: "0", kind: "changed", before: 2, after: 1 },
      { path: "1", kind: "changed", before: 3, after: 2 },
      { path: "2", kind: "added", after: 3 },
    ]);
    expect(
      diffJson(
        { terms: [{ mean: 1, sd: 1 }] },
        {
          terms: [
            { mean: 1, sd: 1 },
            { mean: 2, sd: 0 },
          ],
        },
      ),
    ).toEqual([{ path: "terms.1", kind: "added", after: { mean: 2, sd: 0 } }]);
  });

  it("reports a change of type as one change with both whole values", () => {
    expect(diffJson({ v: { a: 1 } }, { v: [1] })).toEqual([
      { path: "v", kind: "changed", before: { a: 1 }, after: [1] },
    ]);
    expect(diffJson({ v: [] }, { v: {} })).toEqual([{ path: "v", kind: "changed", before: [], after: {} }]);
    expect(diffJson({ v: 1 }, { v: "1" })).toEqual([{ path: "v", kind: "changed", before: 1, after: "1" }]);
    expect(diffJson({ v: true }, { v: 1 })).toEqual([{ path: "v", kind: "changed", before: true, after: 1 }]);
    expect(diffJson({ v: null }, { v: { a: 1 } })).toEqual([
      { path: "v", kind: "changed", before: null, after: { a: 1 } },
    ]);
    expect(diffJson({ v: { a: 1 } }, { v: null })).toEqual([
      { path: "v", kind: "changed", before: { a: 1 }, after: null },
    ]);
  });

  it("tells null from missing; an undefined value counts as missing", () => {
    expect(diffJson({ a: null }, {})).toEqual([{ path: "a", kind: "removed", before: null }]);
    expect(diffJson({}, { a: null })).toEqual([{ path: "a", kind: "added", after: null }]);
    expect(diffJson({ a: null }, { a: 0 })).toEqual([{ path: "a", kind: "changed", before: null, after: 0 }]);
    expect(diffJson({ a: undefined }, {})).toEqual([]);
    expect(diffJson({ a: undefined }, { a: null })).toEqual([{ path: "a", kind: "added", after: null }]);
    expect(diffJson([null], [])).toEqual([{ path: "0", kind: "removed", before: null }]);
  });

  it('reports a change of the whole value at path ""', () => {
    expect(diffJson(1, 2)).toEqual([{ path: "", kind: "changed", before: 1, after: 2 }]);
    expect(diffJson({ a: 1 }, [1])).toEqual([{ path: "", kind: "changed", before: { a: 1 }, after: [1] }]);
    expect(diffJson(null, {})).toEqual([{ path: "", kind: "changed", before: null, after: {} }]);
  });

  it("handles arrays of arrays and deep mixtures", () => {
    const a = {
      grid: [
        [1, 2],
        [3, 4],
      ],
      meta: { tags: ["x"], owner: { name: "A" } },
    };
    const b = { grid: [[1, 2, 9], [3]], meta: { tags: [], owner: { name: "A", team: "T" } } };
    expect(diffJson(a, b)).toEqual([
      { path: "grid.0.2", kind: "added", after: 9 },
      { path: "grid.1.1", kind: "removed", before: 4 },
      { path: "meta.owner.team", kind: "added", after: "T" },
      { path: "meta.tags.0", kind: "removed", before: "x" },
    ]);
  });

  it("does not modify its arguments", () => {
    const a = { xs: [1, { y: 2 }] };
    const b = { xs: [{ y: 3 }] };
    const copies = [structuredClone(a), structuredClone(b)];
    diffJson(a, b);
    expect([a, b]).toEqual(copies);
  });
});
