import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * The optimizers' compatibility mode end to end: a prototype request JSON (the fixtures' `request`
 * field, exactly as the prototype's users sent it) posted with `format: "prototype"`, and the
 * run's output read back in the prototype's response shape. The engines' own tests check every
 * fixture in depth; this proves the API path (import, queue, worker, export) carries them.
 */
const DIR = path.resolve(import.meta.dirname, "../../engines/optimizers/test/fixtures");
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8")) as {
    request: Record<string, unknown>;
    response: Record<string, unknown>;
  };

let t: TestApp;
let owner: Actor & { orgId: string };
let other: Actor & { orgId: string };
beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200", RUN_HEAVY_RATE_LIMIT_PER_HOUR: "1000" }, { worker: true });
  owner = await createOwner(t.app, "Optimizer formats");
  other = await createOwner(t.app, "Someone else");
});
afterAll(async () => t?.close());

async function runPrototype(model: string, fx: { request: unknown }) {
  const res = await request(t.app, owner, {
    method: "POST",
    url: `/api/v1/models/${model}/runs?wait=60&cache=false`,
    payload: { format: "prototype", input: fx.request },
  });
  expect(res.statusCode, res.body).toBe(200);
  const run = res.json();
  expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
  const out = await request(t.app, owner, {
    method: "GET",
    url: `/api/v1/runs/${run.id}/output?format=prototype`,
  });
  expect(out.statusCode, out.body).toBe(200);
  return { run, response: out.json() as Record<string, unknown> };
}

describe("optimizer prototype requests through the API", () => {
  it("deal-picker DP1: the prototype's capital, yield and allocation", async () => {
    const fx = fixture("DP1_frontend_default");
    const { run, response } = await runPrototype("deal-picker", fx);
    expect(run.modelId).toBe("deal-picker");
    const want = fx.response.portfolio_summary as Record<string, number>;
    const got = response.portfolio_summary as Record<string, number>;
    expect(got.capital_used).toBeCloseTo(want.capital_used!, 4);
    expect(got.cash_yield).toBeCloseTo(want.cash_yield!, 9);
    expect(got.num_assets_selected).toBe(want.num_assets_selected);
    const alloc = (
      response.asset_allocations as { deal_id: string; weight: number; expected_noi: number }[]
    ).map((a) => [a.deal_id, a.weight, a.expected_noi]);
    expect(alloc).toEqual([["DEAL-001", expect.closeTo(0.25, 9), expect.closeTo(190_000, 4)]]);
    // The prototype's shape, except `downloads` (files it named but never wrote): notes instead.
    expect(Object.keys(response).sort()).toEqual(
      [...Object.keys(fx.response).filter((k) => k !== "downloads"), "notes"].sort(),
    );

    // The run and its prototype output belong to the owner's organization only.
    const peek = await request(t.app, other, {
      method: "GET",
      url: `/api/v1/runs/${run.id}/output?format=prototype`,
    });
    expect(peek.statusCode).toBe(404);
  });

  it("capex-phasing CX1: the prototype's expected annual NOI uplift (96,000) and project totals", async () => {
    const fx = fixture("CX1_frontend_default");
    const { response } = await runPrototype("capex-phasing", fx);
    expect(fx.response.expected_annual_noi_uplift).toBe(96_000);
    expect(response.expected_annual_noi_uplift).toBeCloseTo(96_000, 6);
    const totals = (r: Record<string, unknown>) => {
      const out: Record<string, number> = {};
      for (const m of r.schedule as { projects: { project_id: string; spend: number }[] }[])
        for (const p of m.projects) out[p.project_id] = (out[p.project_id] ?? 0) + p.spend;
      return out;
    };
    const got = totals(response);
    for (const [id, total] of Object.entries(totals(fx.response))) expect(got[id]).toBeCloseTo(total, 4);
  });

  it("leasing-mix LM1: the prototype's mix and KPIs (WAULT 18 months, NCF 1.5M, occupancy 95%)", async () => {
    const fx = fixture("LM1_frontend_default");
    const { response } = await runPrototype("leasing-mix", fx);
    const want = fx.response.kpis as Record<string, number>;
    const got = response.kpis as Record<string, number>;
    for (const k of ["wault_months", "expected_12m_ncf", "incentive_spend", "occupancy"])
      expect(got[k], k).toBeCloseTo(want[k]!, 6);
    const units = (r: Record<string, unknown>) =>
      Object.fromEntries((r.mix as { package: string; units: number }[]).map((m) => [m.package, m.units]));
    expect(units(response)).toEqual(units(fx.response));
  });

  it("refuses a prototype request with a bad field before solving, naming it", async () => {
    const fx = fixture("CX1_frontend_default");
    const bad = { ...fx.request, horizon_months: 0 };
    const res = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/models/capex-phasing/runs?wait=30",
      payload: { format: "prototype", input: bad },
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(JSON.stringify(res.json().errors)).toMatch(/horizon/i);
    const runs = await request(t.app, owner, { method: "GET", url: "/api/v1/runs?modelId=capex-phasing" });
    expect(runs.json().items.every((r: { status: string }) => r.status === "succeeded")).toBe(true);
  });
});
