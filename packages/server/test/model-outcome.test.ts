import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * GET /models/{id} publishes the outcome a model declares (issue 18 items 4, 9), so the web shows
 * "No feasible plan" or "Empty plan" beside a succeeded run; a model without one publishes null.
 */
let t: TestApp;
let owner: Actor & { orgId: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await createOwner(t.app, "Outcomes");
});
afterAll(async () => t?.close());

describe("model outcome descriptor", () => {
  it("deal-picker declares its outcomes and the empty plan; every optimizer declares one", async () => {
    const res = await request(t.app, owner, { method: "GET", url: "/api/v1/models/deal-picker" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().outcome).toMatchObject({
      path: "status",
      values: {
        optimal: { label: "Optimal plan", tone: "good" },
        infeasible: { label: "No feasible plan", tone: "bad" },
        time_limit: { label: "Best plan found, not proven optimal", tone: "caution" },
      },
      empty: { path: "selection", whenCode: "optimal", label: "Empty plan: buys no deal", tone: "caution" },
    });
    for (const [id, label] of [
      ["capex-phasing", "No feasible schedule"],
      ["leasing-mix", "No feasible leasing mix"],
      ["debt-stack", "No feasible financing stack"],
    ]) {
      const m = await request(t.app, owner, { method: "GET", url: `/api/v1/models/${id}` });
      expect(m.json().outcome.values.infeasible.label).toBe(label);
      expect(m.json().outcome.empty).toBeUndefined();
    }
  });

  it("a model without an outcome publishes null", async () => {
    const res = await request(t.app, owner, { method: "GET", url: "/api/v1/models/tif" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().outcome).toBeNull();
  });
});
