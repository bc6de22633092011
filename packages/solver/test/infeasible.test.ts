import { afterAll, describe, expect, it } from "vitest";
import { createSolverPool, ModelBuilder, type ModelSpec } from "../src/index.ts";
import { independentCheck } from "./helpers.ts";

const pool = createSolverPool({ threads: 2 });
afterAll(() => pool.close());

/** 50 units are required, but product A is capped at 10 and B's bound is 15. */
function plan(
  opts: { capPenalty?: number | null; outputPenalty?: number | null; bPenalty?: number | null } = {},
) {
  const m = new ModelBuilder("max", { objectiveUnit: "AED" });
  const a = m.variable({ name: "product A", cost: 3, unit: "units" });
  const b = m.variable({
    name: "product B",
    cost: 2,
    upper: 15,
    unit: "units",
    boundPenalty: opts.bPenalty ?? null,
  });
  m.le(
    "budget",
    [
      [a, 2],
      [b, 2],
    ],
    1_000,
    "AED",
  );
  m.constraint({
    name: "minimum output",
    terms: [
      [a, 1],
      [b, 1],
    ],
    lower: 50,
    unit: "units",
    relaxPenalty: opts.outputPenalty,
  });
  m.constraint({
    name: "A capacity",
    terms: [[a, 1]],
    upper: 10,
    unit: "units",
    relaxPenalty: opts.capPenalty,
  });
  m.le(
    "labour",
    [
      [a, 3],
      [b, 1],
    ],
    10_000,
    "hours",
  );
  return m.build();
}

/** The elastic LP built by hand: nonnegative slacks on the relaxable rows, minimise Σ penalty·slack. */
async function elasticOptimum(spec: ModelSpec, defaultPenalty = 1): Promise<number> {
  const m = new ModelBuilder("min");
  const x = spec.variables.map((v) => m.variable({ name: v.name, lower: v.lower, upper: v.upper }));
  spec.constraints.forEach((c) => {
    const terms: [(typeof x)[number], number][] = c.vars.map((j, k) => [x[j]!, c.coefs[k]!]);
    const pen = c.relaxPenalty === null ? null : (c.relaxPenalty ?? defaultPenalty);
    if (pen !== null) {
      if (Number.isFinite(c.lower)) terms.push([m.variable({ name: `${c.name} below`, cost: pen }), 1]);
      if (Number.isFinite(c.upper)) terms.push([m.variable({ name: `${c.name} above`, cost: pen }), -1]);
    }
    m.constraint({ name: c.name, terms, lower: c.lower, upper: c.upper });
  });
  const res = await pool.solve(m);
  expect(res.status).toBe("optimal");
  return res.objective!;
}

function applyChanges(
  spec: ModelSpec,
  changes: { kind: string; name: string; limit: string; required: number }[],
) {
  const copy = structuredClone(spec);
  for (const ch of changes) {
    const target =
      ch.kind === "constraint"
        ? copy.constraints.find((c) => c.name === ch.name)!
        : copy.variables.find((v) => v.name === ch.name)!;
    if (ch.limit === "lower") target.lower = ch.required;
    else target.upper = ch.required;
  }
  return copy;
}

describe("infeasible models", () => {
  it("the IIS names exactly the conflicting constraints and bounds", async () => {
    const res = await pool.solve(plan());
    expect(res.status).toBe("infeasible");
    expect(res.hasSolution).toBe(false);
    const iis = res.infeasibility!.iis!;
    expect(iis.irreducible).toBe(true);
    expect(iis.constraints.map((c) => [c.constraint, c.limit]).sort()).toEqual([
      ["A capacity", "upper"],
      ["minimum output", "lower"],
    ]);
    expect(iis.bounds).toEqual([
      { variable: "product B", unit: "units", bound: "upper", lower: 0, upper: 15 },
    ]);
  });

  it("the feasibility relaxation gives the minimal total change, and applying it makes the plan feasible", async () => {
    const spec = plan();
    const res = await pool.solve(spec);
    const rel = res.infeasibility!.relaxation!;
    expect(rel.totalPenalty).toBeCloseTo(25, 9); // 50 − (10 + 15)
    expect(rel.totalPenalty).toBeCloseTo(await elasticOptimum(spec), 9);
    expect(rel.changes).toHaveLength(1);
    const fixed = applyChanges(spec, rel.changes);
    const again = await pool.solve(fixed);
    expect(again.status).toBe("optimal");
    expect(independentCheck(fixed, { ...again, values: rel.values, objective: rel.objective })).toEqual([]);
  });

  it("per-constraint weights steer the relaxation; hard constraints are never relaxed", async () => {
    // Expensive to touch the capacity: lower the output requirement instead.
    const r1 = await pool.solve(plan({ capPenalty: 10 }));
    expect(r1.infeasibility!.relaxation!.changes).toEqual([
      {
        kind: "constraint",
        name: "minimum output",
        unit: "units",
        limit: "lower",
        current: 50,
        required: 25,
        change: -25,
        penalty: 1,
      },
    ]);
    // Output is hard: raise the capacity by 25.
    const r2 = await pool.solve(plan({ outputPenalty: null }));
    expect(r2.infeasibility!.relaxation!.changes).toEqual([
      {
        kind: "constraint",
        name: "A capacity",
        unit: "units",
        limit: "upper",
        current: 10,
        required: 35,
        change: 25,
        penalty: 1,
      },
    ]);
    // Both rows hard, B's bound relaxable at 0.5 per unit: the bound moves.
    const r3 = await pool.solve(plan({ outputPenalty: null, capPenalty: null, bPenalty: 0.5 }));
    const rel3 = r3.infeasibility!.relaxation!;
    expect(rel3.changes).toEqual([
      {
        kind: "bound",
        name: "product B",
        unit: "units",
        limit: "upper",
        current: 15,
        required: 40,
        change: 25,
        penalty: 0.5,
      },
    ]);
    expect(rel3.totalPenalty).toBeCloseTo(12.5, 9);
    // Nothing relaxable: no relaxation, and the report says why.
    const r4 = await pool.solve(plan({ outputPenalty: null, capPenalty: null }));
    expect(r4.infeasibility!.relaxation).toBeNull();
    expect(r4.infeasibility!.relaxationNote).toMatch(/hard constraints/);
    expect(r4.infeasibility!.iis).not.toBeNull();
  });

  it("a MIP infeasible only through integrality: no LP IIS (explained), relaxation still found", async () => {
    const m = new ModelBuilder("min");
    const x = m.variable({ name: "pairs", integer: true, cost: 1, upper: 10 });
    m.eq("odd total", [[x, 2]], 7, "units");
    const res = await pool.solve(m);
    expect(res.status).toBe("infeasible");
    // HiGHS offers a candidate subsystem for a MIP; it is labelled as not proved irreducible.
    const iis = res.infeasibility!.iis;
    if (iis === null) expect(res.infeasibility!.iisNote).toMatch(/integrality/);
    else {
      expect(iis.irreducible).toBe(false);
      expect(iis.constraints.map((c) => c.constraint)).toEqual(["odd total"]);
      expect(res.infeasibility!.iisNote).toMatch(/irreducible/);
    }
    expect(res.infeasibility!.relaxation!.totalPenalty).toBeCloseTo(1, 9);
  });
});
