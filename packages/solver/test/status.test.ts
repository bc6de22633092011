import { afterAll, describe, expect, it } from "vitest";
import { createSolverPool, ModelBuilder, type ModelSpec, SolverModelError } from "../src/index.ts";
import { independentCheck } from "./helpers.ts";

const pool = createSolverPool({ threads: 1 });
afterAll(() => pool.close());

describe("statuses and input", () => {
  it("detects an unbounded LP", async () => {
    const m = new ModelBuilder("max");
    const x = m.variable({ name: "x", cost: 1 });
    const y = m.variable({ name: "y", cost: 1 });
    m.le(
      "x − y",
      [
        [x, 1],
        [y, -1],
      ],
      1,
    );
    const res = await pool.solve(m);
    expect(res.status).toBe("unbounded");
    expect(res.hasSolution).toBe(false);
    expect(res.objective).toBeNull();
    expect(res.duals).toBeNull();
  });

  it("detects an unbounded MIP", async () => {
    const m = new ModelBuilder("min");
    const x = m.variable({ name: "x", cost: -1, integer: true });
    const y = m.variable({ name: "y", cost: 0, integer: true });
    m.ge(
      "x ≤ 2y",
      [
        [y, 2],
        [x, -1],
      ],
      0,
    );
    const res = await pool.solve(m);
    expect(["unbounded", "infeasible_or_unbounded"]).toContain(res.status);
    expect(res.status).toBe("unbounded");
  });

  it("user strings never reach LP text: names that would break the LP format are harmless", async () => {
    // In CPLEX LP text "3 DEAL-001 + 2 DEAL-002" parses as a variable DEAL (optimizers.md §5.1).
    const m = new ModelBuilder("max");
    const a = m.variable({ name: "DEAL-001", cost: 3, upper: 1 });
    const b = m.variable({ name: "12m Standard\nSubject To\n x >= 5", cost: 2, upper: 1 });
    m.le(
      "Budget: 3 DEAL-001 + 2 <= 1\nEnd",
      [
        [a, 1],
        [b, 1],
      ],
      1.5,
    );
    const res = await pool.solve(m);
    expect(res.status).toBe("optimal");
    expect(res.objective).toBe(4);
    expect(res.values).toEqual({ "DEAL-001": 1, "12m Standard\nSubject To\n x >= 5": 0.5 });
  });

  it("an equality-constrained LP with free variables and an objective offset", async () => {
    const m = new ModelBuilder("min").objectiveOffset(100);
    const x = m.variable({ name: "x", lower: Number.NEGATIVE_INFINITY, cost: 1 });
    const y = m.variable({ name: "y", lower: -3, upper: 3, cost: 2 });
    m.eq(
      "sum",
      [
        [x, 1],
        [y, 1],
      ],
      4,
    );
    const res = await pool.solve(m);
    expect(res.status).toBe("optimal");
    expect(res.values).toEqual({ x: 7, y: -3 });
    expect(res.objective).toBe(101);
    expect(independentCheck(m.build(), res)).toEqual([]);
    expect(res.duals!.constraints[0]).toMatchObject({ limit: "equality", pricePerUnit: 1 });
    expect(res.duals!.variables[1]).toMatchObject({ position: "at_lower", reducedCost: 1 });
  });

  it("sums a variable repeated in a row, in the order of first appearance, and drops zero sums", () => {
    const m = new ModelBuilder("max");
    const [a, b, c] = ["a", "b", "c"].map((name) => m.variable({ name }));
    m.le(
      "r",
      [
        [c!, 2],
        [a!, 1],
        [c!, 0.5],
        [b!, 3],
        [b!, -3],
        [a!, -0],
      ],
      1,
    );
    // After a row that throws midway, the next row starts clean.
    expect(() =>
      m.le(
        "bad",
        [
          [a!, 1],
          [b!, Number.NaN],
        ],
        1,
      ),
    ).toThrow(/finite|number/);
    m.le(
      "s",
      new Map([
        [b!, -0],
        [a!, 4],
      ]),
      1,
    );
    const rows = m.build().constraints;
    expect(rows.map((r) => [r.name, r.vars, r.coefs])).toEqual([
      ["r", [2, 0], [2.5, 1]],
      ["s", [0], [4]],
    ]);
  });

  it("rejects malformed models before solving", async () => {
    const m = new ModelBuilder("max");
    const x = m.variable({ name: "x", cost: 1 });
    expect(() => m.variable({ name: "x" })).toThrow(SolverModelError);
    expect(() => m.variable({ name: "z", cost: Number.NaN })).toThrow(/Cost/);
    expect(() => m.variable({ name: "w", lower: 2, upper: 1 })).toThrow(/lower bound/);
    expect(() => m.le("r", [[x, Number.POSITIVE_INFINITY]], 1)).toThrow(/finite/);
    expect(() => new ModelBuilder("max").le("r", [[x, 1]], 1)).toThrow(/foreign/);
    const bad: ModelSpec = {
      sense: "min",
      objectiveOffset: 0,
      variables: [{ name: "a", lower: 0, upper: 1, integer: false, cost: 1 }],
      constraints: [{ name: "r", vars: [0, 3], coefs: [1, 1], lower: 0, upper: 1 }],
    };
    await expect(pool.solve(bad)).rejects.toThrow(/unknown variable index 3/);
  });
});
