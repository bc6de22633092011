import { afterAll, describe, expect, it } from "vitest";
import { createSolverPool, ModelBuilder } from "../src/index.ts";
import { independentCheck } from "./helpers.ts";

const pool = createSolverPool({ threads: 2 });
afterAll(() => pool.close());

/**
 * Wyndor Glass Co. (Hillier & Lieberman, Introduction to Operations Research, ch. 3–4 and the
 * sensitivity analysis of ch. 7): max Z = 3x₁ + 5x₂ ($000/week) s.t. plant 1: x₁ ≤ 4,
 * plant 2: 2x₂ ≤ 12, plant 3: 3x₁ + 2x₂ ≤ 18 (hours/week). Optimum x = (2, 6), Z = 36; shadow
 * prices y = (0, 3/2, 1); b₂ allowable range [6, 18], b₃ [12, 24]; c₁ ∈ [0, 7.5], c₂ ≥ 2.
 */
function wyndor() {
  const m = new ModelBuilder("max", { objectiveUnit: "$000/week" });
  const doors = m.variable({ name: "doors (batches/week)", cost: 3, unit: "batches" });
  const windows = m.variable({ name: "windows (batches/week)", cost: 5, unit: "batches" });
  m.le("Plant 1 hours", [[doors, 1]], 4, "hours");
  m.le("Plant 2 hours", [[windows, 2]], 12, "hours");
  m.le(
    "Plant 3 hours",
    [
      [doors, 3],
      [windows, 2],
    ],
    18,
    "hours",
  );
  return m;
}

describe("textbook LPs", () => {
  it("Wyndor Glass: values, objective, shadow prices, ranges and binding rows", async () => {
    const res = await pool.solve(wyndor());
    expect(res.status).toBe("optimal");
    expect(res.kind).toBe("lp");
    expect(res.objective).toBe(36);
    expect(res.values).toEqual({ "doors (batches/week)": 2, "windows (batches/week)": 6 });
    expect(independentCheck(wyndor().build(), res)).toEqual([]);
    expect(res.binding).toEqual(["Plant 2 hours", "Plant 3 hours"]);
    expect(res.constraints[0]).toMatchObject({
      constraint: "Plant 1 hours",
      activity: 2,
      slack: 2,
      binding: false,
    });
    const d = res.duals!;
    expect(d.basis).toBe("lp");
    expect(d.ranged).toBe(true);
    expect(d.constraints.map((c) => c.pricePerUnit)).toEqual([0, 1.5, 1]);
    expect(d.constraints[1]).toEqual({
      constraint: "Plant 2 hours",
      unit: "hours",
      objectiveUnit: "$000/week",
      limit: "upper",
      limitValue: 12,
      pricePerUnit: 1.5,
      validFrom: 6,
      validTo: 18,
      objectiveAtValidFrom: 27,
      objectiveAtValidTo: 45,
      binding: true,
    });
    expect(d.constraints[2]).toMatchObject({ pricePerUnit: 1, validFrom: 12, validTo: 24 });
    // Plant 1 has slack 2: price 0 from its activity (2) upwards without end.
    expect(d.constraints[0]).toMatchObject({ pricePerUnit: 0, validFrom: 2, validTo: null });
    expect(d.variables.map((v) => [v.position, v.reducedCost, v.costFrom, v.costTo])).toEqual([
      ["basic", 0, 0, 7.5],
      ["basic", 0, 2, null],
    ]);
  });

  it("gives the same optimum, values and prices with presolve off as with HiGHS's default", async () => {
    const withDefault = await pool.solve(wyndor().build());
    const withoutPresolve = await pool.solve(wyndor().build(), { presolve: "off" });
    expect(withoutPresolve.status).toBe("optimal");
    expect(withoutPresolve.objective).toBeCloseTo(36, 9);
    expect(withoutPresolve.values).toEqual(withDefault.values);
    expect(withoutPresolve.duals!.constraints.map((d) => d.pricePerUnit)).toEqual([0, 1.5, 1]);
    expect(withDefault.duals!.constraints.map((d) => d.pricePerUnit)).toEqual([0, 1.5, 1]);
  });

  it("a diet-style minimisation: ≥ rows price positive (raising a requirement costs money)", async () => {
    // min 2a + 3b s.t. a + b ≥ 4, a + 3b ≥ 6, a ≤ 10 → a = 3, b = 1, cost 9; duals 1.5 and 0.5.
    const m = new ModelBuilder("min", { objectiveUnit: "AED" });
    const a = m.variable({ name: "feed A", cost: 2, unit: "kg" });
    const b = m.variable({ name: "feed B", cost: 3, unit: "kg" });
    m.ge(
      "energy",
      [
        [a, 1],
        [b, 1],
      ],
      4,
      "Mcal",
    );
    m.ge(
      "protein",
      [
        [a, 1],
        [b, 3],
      ],
      6,
      "kg",
    );
    m.le("A available", [[a, 1]], 10, "kg");
    const res = await pool.solve(m);
    expect(res.status).toBe("optimal");
    expect(res.objective).toBe(9);
    expect(res.values).toEqual({ "feed A": 3, "feed B": 1 });
    const [energy, protein, avail] = res.duals!.constraints;
    expect(energy).toMatchObject({
      limit: "lower",
      limitValue: 4,
      pricePerUnit: 1.5,
      validFrom: 2,
      validTo: 6,
    });
    expect(energy).toMatchObject({ objectiveAtValidFrom: 6, objectiveAtValidTo: 12 });
    expect(protein).toMatchObject({ limit: "lower", pricePerUnit: 0.5, validFrom: 4, validTo: 12 });
    expect(avail).toMatchObject({
      limit: "upper",
      pricePerUnit: 0,
      validFrom: 3,
      validTo: null,
      binding: false,
    });
  });
});
