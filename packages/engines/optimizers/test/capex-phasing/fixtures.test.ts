import { readFileSync } from "node:fs";
import path from "node:path";
import { createContext, executeModel, ModelInputError, parseInput } from "@modelworks/model-kit";
import { describe, expect, it } from "vitest";
import { capexPhasingPrototypeFormat, capexPhasingV2, checkCapexSpendPlan } from "../../src/index.ts";

const DIR = path.resolve(import.meta.dirname, "../fixtures");
interface ProtoResponse {
  schedule: { month: number; spend: number; projects: { project_id: string; spend: number }[] }[];
  expected_annual_noi_uplift: number;
  constraints_report: { binding: unknown[]; shadow_prices: unknown[] };
  downloads: Record<string, string>;
  error?: string;
  fix_suggestions?: unknown[];
}
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8")) as {
    request: Record<string, unknown>;
    response: ProtoResponse;
  };

async function runPrototype(request: unknown) {
  const input = parseInput(capexPhasingV2, capexPhasingPrototypeFormat.toInput(request));
  const output = await executeModel(capexPhasingV2, input, createContext());
  return { input, output, response: capexPhasingPrototypeFormat.fromOutput(output, input) as ProtoResponse };
}

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
};

/** Project totals of a prototype schedule. */
const totals = (r: ProtoResponse) => {
  const t: Record<string, number> = {};
  for (const m of r.schedule) for (const p of m.projects) t[p.project_id] = (t[p.project_id] ?? 0) + p.spend;
  return t;
};

describe("compatibility with the prototype's spend model (fixtures CX*)", () => {
  it.each([
    ["CX1_frontend_default", 96_000],
    ["CX2_designed", 288_000],
  ])("%s: the prototype's objective (%d AED/yr), KPIs and response shape", async (name, objective) => {
    const fx = fixture(name);
    const { input, output, response } = await runPrototype(fx.request);
    expect(output.formulation).toBe("prototype");
    expect(output.status).toBe("optimal");
    expect(fx.response.expected_annual_noi_uplift).toBe(objective);
    expect(response.expected_annual_noi_uplift).toBeCloseTo(objective, 6);
    expect(output.kpis?.expectedAnnualNoiUplift).toBeCloseTo(objective, 6);
    // Spend timing is not unique (the objective ignores it); the totals per project and per
    // horizon are, and so is the response's shape.
    const got = totals(response);
    for (const [id, t] of Object.entries(totals(fx.response))) expect(got[id]).toBeCloseTo(t, 4);
    expect(response.schedule.map((m) => m.month)).toEqual(fx.response.schedule.map((m) => m.month));
    for (const m of response.schedule) {
      expect(m.spend).toBeCloseTo(
        m.projects.reduce((s, p) => s + p.spend, 0),
        6,
      );
      expect(m.spend).toBeLessThanOrEqual((fx.request.monthly_cash_cap as number[])[m.month - 1]! + 1e-6);
    }
    expect(response.constraints_report).toEqual(fx.response.constraints_report);
    expect(response.downloads).toEqual(fx.response.downloads);
    expect(Object.keys(response).sort()).toEqual(Object.keys(fx.response).sort());
    // The prototype's own schedule satisfies the same rules (the checker agrees with its solver).
    const protoPlan: Record<string, number[]> = {};
    for (const p of (input as { projects: { id: string }[] }).projects)
      protoPlan[p.id] = fx.response.schedule.map(
        (m) => m.projects.find((x) => x.project_id === p.id)?.spend ?? 0,
      );
    expect(checkCapexSpendPlan(input as never, protoPlan)).toEqual([]);
    expect(output.verification).toEqual({ feasible: true, violations: [] });
  });

  it("CX2: every month's cash is used (2,400,000), LOBBY 600,000, GYM 150,000, UNITS 1,500,000, ROOF 150,000", async () => {
    const { output } = await runPrototype(fixture("CX2_designed").request);
    expect(output.kpis?.totalSpend).toBeCloseTo(2_400_000, 4);
    expect(output.bindingCashMonths).toEqual([1, 2, 3, 4, 5, 6]);
    const cost = Object.fromEntries(output.schedule.map((s) => [s.projectId, s.cost]));
    expect(cost.LOBBY).toBeCloseTo(600_000, 4);
    expect(cost.GYM).toBeCloseTo(150_000, 4);
    expect(cost.UNITS).toBeCloseTo(1_500_000, 4);
    expect(cost.ROOF).toBeCloseTo(150_000, 4);
    // Fixed-integer LP prices (labelled), checked by hand: GYM (0.10/yr per AED, below its max)
    // is the marginal use of cash — one more AED in any month lets UNITS shift spend into it and
    // GYM take the freed AED in month 4 — so every month's cash is worth 0.10 AED/yr per AED, and
    // a project's max spend is worth its rate minus 0.10 (LOBBY 0.05, UNITS 0.02, ROOF −0.08).
    expect(output.shadowPrices?.basis).toBe("mip-integers-fixed");
    for (const m of output.months) expect(m.cashShadowPrice).toBeCloseTo(0.1, 12);
    const price = Object.fromEntries(output.shadowPrices!.rows.map((r) => [r.constraint, r.pricePerUnit]));
    expect(price["Spend range LOBBY"]).toBeCloseTo(0.05, 12);
    expect(price["Spend range UNITS"]).toBeCloseTo(0.02, 12);
    expect(price["Spend range ROOF"]).toBeCloseTo(-0.08, 12);
    expect(price["Spend range GYM"]).toBe(0);
  });

  it("CX4 (cash 100,000 × 6 < 750,000 of minimum spend): reproduces the prototype's 'Model infeasible' body; the native output explains it", async () => {
    const fx = fixture("CX4_designed_infeasible");
    const { output, response } = await runPrototype(fx.request);
    expect(response).toEqual(fx.response);
    expect(output.status).toBe("infeasible");
    const iis = output.infeasibility?.iis?.constraints.map((c) => c.constraint) ?? [];
    expect(iis).toEqual(expect.arrayContaining(["Spend range LOBBY", "Spend range UNITS"]));
    expect(iis.some((c) => c.startsWith("Cash month"))).toBe(true);
    // The smallest relaxation closes the 150,000 gap (750,000 needed, 600,000 available).
    const relax = output.infeasibility?.relaxation ?? [];
    expect(relax.reduce((s, c) => s + Math.abs(c.change), 0)).toBeCloseTo(150_000, 3);
    expect(output.infeasibility?.summary.join(" ")).toMatch(/Smallest change/);
  });

  it("CX5 (one cash figure for a 12-month horizon): a field-level error instead of the prototype's IndexError (500)", () => {
    const fx = fixture("CX5_cash_list_shorter_than_horizon");
    expect((fx.response as unknown as { python_exception: string }).python_exception).toMatch(/IndexError/);
    const err = errorOf(() => capexPhasingPrototypeFormat.toInput(fx.request));
    expect(err).toBeInstanceOf(ModelInputError);
    expect((err as ModelInputError).issues).toEqual([
      {
        path: "monthly_cash_cap",
        message:
          "has 1 entry, horizon_months is 12: give one cash cap per month (the prototype failed with an IndexError here)",
      },
    ]);
  });

  it("validates like the prototype's pydantic model, and rejects windows and spend ranges it mis-solved", () => {
    const base = fixture("CX2_designed").request;
    const missing = errorOf(() =>
      capexPhasingPrototypeFormat.toInput({ ...base, contractor_capacity: undefined }),
    ) as ModelInputError;
    expect(missing.issues).toEqual([{ path: "contractor_capacity", message: "Field required" }]);
    const projects = base.projects as Record<string, unknown>[];
    const bad = errorOf(() =>
      capexPhasingPrototypeFormat.toInput({
        ...base,
        projects: [
          { ...projects[0], latest_month: 0 },
          { ...projects[1], earliest_month: 5, latest_month: 3 },
          { ...projects[2], max_spend: 100 },
          { ...projects[3], project_id: "LOBBY" },
        ],
      }),
    ) as ModelInputError;
    expect(bad.issues.map((i) => i.path)).toEqual(["projects.0.latest_month"]);
    const cross = errorOf(() =>
      capexPhasingPrototypeFormat.toInput({
        ...base,
        projects: [
          projects[0],
          { ...projects[1], earliest_month: 5, latest_month: 3 },
          { ...projects[2], max_spend: 100 },
          { ...projects[3], project_id: "LOBBY" },
        ],
      }),
    ) as ModelInputError;
    expect(cross.issues).toEqual([
      { path: "projects.1.latest_month", message: "latest_month (3) is before earliest_month (5)" },
      { path: "projects.2.max_spend", message: "max_spend (100) is below min_spend (300000)" },
      { path: "projects.3.project_id", message: 'duplicate project_id "LOBBY" (also projects.0.project_id)' },
    ]);
    // Extra keys are ignored, as pydantic did.
    expect(() => capexPhasingPrototypeFormat.toInput({ ...base, note: "x" })).not.toThrow();
  });
});
