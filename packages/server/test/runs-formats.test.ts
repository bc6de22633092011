import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/** Runs whose input and output are written in a model's other format (tif@1 ↔ the prototype's JSON). */
const golden = JSON.parse(
  readFileSync(
    path.resolve(import.meta.dirname, "../../engines/tif/test/fixtures/golden_cases.json"),
    "utf8",
  ),
) as {
  cases: {
    name: string;
    scenario: string;
    inputs: unknown;
    calculate_deal_kwargs: unknown;
    outputs: Record<string, unknown>;
    periods: Record<string, number[]>;
  }[];
};
const c = golden.cases.find((x) => x.name === "defaults_mixed_tif_stream_operations")!;
const prototypeCase = {
  scenario: c.scenario,
  inputs: c.inputs,
  calculate_deal_kwargs: c.calculate_deal_kwargs,
};

let t: TestApp;
let owner: Actor & { orgId: string };
beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200" }, { worker: true });
  owner = await createOwner(t.app, "Formats");
});
afterAll(async () => t?.close());

const post = (payload: unknown, query = "?wait=30&cache=false") =>
  request(t.app, owner, { method: "POST", url: `/api/v1/models/tif/runs${query}`, payload });
const get = (url: string) => request(t.app, owner, { method: "GET", url });

describe("model formats through the API", () => {
  it("lists a model's formats in the catalog", async () => {
    const model = (await get("/api/v1/models/tif")).json();
    expect(model.formats).toEqual([{ name: "prototype", title: expect.stringMatching(/prototype/) }]);
  });

  it("imports a prototype case and gives the result back in the prototype's names (tif@1: exact)", async () => {
    const run = (await post({ input: prototypeCase, format: "prototype", version: "1.0.0" })).json();
    expect(run.modelVersion).toBe("1.0.0");
    expect(run.status).toBe("succeeded");
    // Stored in Modelworks' own input shape, so it can be re-run, compared and swept.
    expect(run.input).toHaveProperty("constructionMonths");
    const native = await get(`/api/v1/runs/${run.id}/output`);
    expect(native.json()).toEqual(run.output);
    const res = await get(`/api/v1/runs/${run.id}/output?format=prototype`);
    expect(res.statusCode).toBe(200);
    const result = res.json();
    expect(Math.abs(result.outputs.levered_irr - (c.outputs.levered_irr as number))).toBeLessThan(1e-9);
    for (const [series, values] of Object.entries(c.periods)) {
      const worst = Math.max(...values.map((v, i) => Math.abs(result.periods[series][i] - v)));
      expect(worst, series).toBeLessThanOrEqual(0.01);
    }
  });

  it("runs a prototype case on the default version, tif@2, and writes tif@2's numbers under the prototype's names", async () => {
    const run = (await post({ input: prototypeCase, format: "prototype" })).json();
    expect(run.status).toBe("succeeded");
    expect(run.modelVersion).toBe("2.2.0");
    expect(run.input).not.toHaveProperty("idcLeaseupMonths");
    const result = (await get(`/api/v1/runs/${run.id}/output?format=prototype`)).json();
    expect(result.outputs.levered_irr).toBe(run.output.returns.leveredIrr);
    expect(result.periods.levered_cf).toEqual(
      run.output.periods.map((p: { leveredCf: number }) => p.leveredCf),
    );
  });

  it("rejects an unknown format, a format with a scenario, and a document the format cannot read", async () => {
    const unknown = await post({ input: prototypeCase, format: "excel" });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([
      { path: "body.format", message: 'tif@2.2.0 has no format "excel"; it offers: prototype' },
    ]);
    const withScenario = await post({ scenarioId: crypto.randomUUID(), format: "prototype" });
    expect(withScenario.statusCode).toBe(404); // the scenario is looked up first; it does not exist
    const unreadable = await post({ input: "not a case", format: "prototype" });
    expect(unreadable.statusCode).toBe(422);
    expect(unreadable.json().detail).toBe(
      "This is not a prototype case { scenario, inputs, calculate_deal_kwargs }.",
    );
    expect(unreadable.json().errors).toEqual([
      { path: "body.input", message: "Invalid input: expected object, received string" },
    ]);
  });

  it("answers 409 for the output of a run that has none, and 422 for an unknown output format", async () => {
    const queued = (await post({ input: prototypeCase, format: "prototype" }, "?cache=false")).json();
    await request(t.app, owner, { method: "POST", url: `/api/v1/runs/${queued.id}/cancel` });
    const none = await get(`/api/v1/runs/${queued.id}/output`);
    if (none.statusCode !== 200) {
      expect(none.statusCode).toBe(409);
      expect(none.json().detail).toMatch(/^The run has no output: it is (canceled|running|queued)\.$/);
    }
    const done = (await post({ input: prototypeCase, format: "prototype" }, "?wait=30")).json();
    const bad = await get(`/api/v1/runs/${done.id}/output?format=excel`);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      { path: "query.format", message: 'tif@2.2.0 has no format "excel"; it offers: prototype' },
    ]);
  });
});
