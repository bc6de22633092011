import { afterAll, describe, expect, it } from "vitest";
import { type ConstraintDual, createSolverPool, ModelBuilder, type ModelSpec } from "../src/index.ts";
import { close, randomLp, setLimit, shiftLimit } from "./helpers.ts";

const pool = createSolverPool({ threads: 2 });
afterAll(() => pool.close());

function wyndor(): ModelSpec {
  const m = new ModelBuilder("max");
  const x = m.variable({ name: "x", cost: 3 });
  const y = m.variable({ name: "y", cost: 5 });
  m.le("p1", [[x, 1]], 4);
  m.le("p2", [[y, 2]], 12);
  m.le(
    "p3",
    [
      [x, 3],
      [y, 2],
    ],
    18,
  );
  return m.build();
}

/** A min problem with a ≥ row, an = row and a ≤ row that all bind. */
function blend(): ModelSpec {
  const m = new ModelBuilder("min");
  const a = m.variable({ name: "a", cost: 4 });
  const b = m.variable({ name: "b", cost: 3 });
  const c = m.variable({ name: "c", cost: 6 });
  m.ge(
    "demand",
    [
      [a, 1],
      [b, 1],
      [c, 1],
    ],
    10,
  );
  m.eq(
    "mix",
    [
      [a, 1],
      [b, -1],
    ],
    2,
  );
  m.le(
    "b cap",
    [
      [b, 1],
      [c, -1],
    ],
    3,
  );
  return m.build();
}

async function priceOf(
  spec: ModelSpec,
  i: number,
): Promise<{ status: string; dual?: ConstraintDual; objective: number | null }> {
  const r = await pool.solve(spec);
  return {
    status: r.status,
    dual: r.duals?.constraints.find((c) => c.constraint === spec.constraints[i]!.name),
    objective: r.objective,
  };
}

async function checkPerturbations(spec: ModelSpec) {
  const base = await pool.solve(spec);
  expect(base.status).toBe("optimal");
  let checked = 0;
  for (const [i, c] of spec.constraints.entries()) {
    const dual = base.duals!.constraints.find((d) => d.constraint === c.name)!;
    if (!dual.binding) continue;
    // +1 of the limit if the range allows it, else a step that stays inside the range.
    const room = dual.validTo === null ? 1 : dual.validTo - dual.limitValue;
    if (room <= 1e-9) continue;
    const step = Math.min(1, room);
    const moved = await pool.solve(shiftLimit(spec, i, dual.limit, step));
    expect(moved.status).toBe("optimal");
    const delta = moved.objective! - base.objective!;
    expect(
      close(delta, dual.pricePerUnit * step, 1e-7),
      `${spec.sense} ${c.name}: Δ ${delta} vs ${dual.pricePerUnit}×${step}`,
    ).toBe(true);
    // The objective at the reported end of the range is what re-solving there gives.
    if (dual.validTo !== null && dual.objectiveAtValidTo !== null) {
      const atEnd = await pool.solve(setLimit(spec, i, dual.limit, dual.validTo));
      expect(close(atEnd.objective!, dual.objectiveAtValidTo, 1e-7)).toBe(true);
    }
    if (dual.validFrom !== null && dual.objectiveAtValidFrom !== null) {
      const atEnd = await pool.solve(setLimit(spec, i, dual.limit, dual.validFrom));
      if (atEnd.status === "optimal")
        expect(close(atEnd.objective!, dual.objectiveAtValidFrom, 1e-7)).toBe(true);
    }
    checked++;
  }
  return checked;
}

describe("dual sign convention: pricePerUnit = Δobjective per +1 of the limit", () => {
  it("max problem (Wyndor), ≤ rows", async () => {
    expect(await checkPerturbations(wyndor())).toBe(2);
  });

  it("min problem with ≥, = and ≤ rows", async () => {
    const res = await pool.solve(blend());
    expect(res.binding.sort()).toEqual(["b cap", "demand", "mix"]);
    expect(await checkPerturbations(blend())).toBe(3);
    // Same model maximising the negated cost: prices flip sign with the objective.
    const neg = blend();
    neg.sense = "max";
    for (const v of neg.variables) v.cost = -v.cost;
    const r2 = await pool.solve(neg);
    expect(r2.objective).toBe(-res.objective!);
    expect(r2.duals!.constraints.map((c) => c.pricePerUnit)).toEqual(
      res.duals!.constraints.map((c) => -c.pricePerUnit || 0),
    );
    expect(await checkPerturbations(neg)).toBe(3);
  });

  it.each([2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009, 2010])(
    "random LP seed %i (min and max)",
    async (seed) => {
      expect(await checkPerturbations(randomLp(seed))).toBeGreaterThan(0);
    },
  );

  it("ranging: inside the range the price holds, past either end it changes", async () => {
    for (const spec of [wyndor(), blend()]) {
      const base = await pool.solve(spec);
      for (const [i, c] of spec.constraints.entries()) {
        const d = base.duals!.constraints.find((x) => x.constraint === c.name)!;
        if (!d.binding) continue;
        for (const [end, outside] of [
          [d.validTo, 0.5],
          [d.validFrom, -0.5],
        ] as const) {
          if (end === null) continue;
          const inside = await priceOf(setLimit(spec, i, d.limit, end - outside / 5), i);
          expect(inside.dual?.pricePerUnit).toBeCloseTo(d.pricePerUnit, 9);
          const past = await priceOf(setLimit(spec, i, d.limit, end + outside), i);
          if (past.status === "optimal") expect(past.dual!.pricePerUnit).not.toBeCloseTo(d.pricePerUnit, 6);
          else expect(past.status).toBe("infeasible");
        }
      }
    }
  });
});
