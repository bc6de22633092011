import { readFileSync } from "node:fs";
import path from "node:path";
import { catalog } from "@modelworks/catalog";
import { compare, TifComparisonInput, tifV2 } from "@modelworks/engine-tif";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/** The tif analyses (issue 4 item 4) run through the API like any model: worker, formats, 422s. */
const golden = JSON.parse(
  readFileSync(
    path.resolve(import.meta.dirname, "../../engines/tif/test/fixtures/golden_cases.json"),
    "utf8",
  ),
) as { cases: { name: string; outputs: Record<string, unknown> }[] };
const calc = golden.cases.find((x) => x.name === "defaults_mixed_tif_lump_sum")!.outputs
  .tif_lump_sum_calc as {
  new_assessed_value: number;
  tif_lump_sum: number;
  buildup_schedule_nominal: Record<string, number>;
};

let t: TestApp;
let owner: Actor & { orgId: string };
beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200" }, { worker: true });
  owner = await createOwner(t.app, "TIF analyses");
});
afterAll(async () => t?.close());

const post = (model: string, payload: unknown) =>
  request(t.app, owner, { method: "POST", url: `/api/v1/models/${model}/runs?wait=30&cache=false`, payload });

describe("tif analyses through the API", () => {
  it("runs the comparison in the worker with the same numbers as the engine in-process", async () => {
    const res = await post("tif-comparison", { input: { targetIrrGapBps: 100 } });
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run.status).toBe("succeeded");
    const direct = compare(TifComparisonInput.parse({ targetIrrGapBps: 100 }));
    expect(run.output.gap).toEqual(direct.gap);
    expect(run.output.gap.targetBps).toBe(100);
    const model = (
      await request(t.app, owner, { method: "GET", url: "/api/v1/models/tif-comparison" })
    ).json();
    expect(model.tables.map((x: { name: string }) => x.name)).toEqual([
      "key-metrics",
      "sources-uses",
      "yearly",
      "returns",
    ]);
    expect(run.output.yearly).toEqual(direct.yearly);
  });

  it("takes the lump-sum calculator's prototype arguments and writes its result in the prototype's names", async () => {
    const res = await post("tif-lump-sum", {
      format: "prototype",
      input: {
        new_assessed_value: calc.new_assessed_value,
        base_assessed_value: 5_000_000,
        tier: 2,
        affordable_units: 40,
      },
    });
    const run = res.json();
    expect(run.status).toBe("succeeded");
    const out = (
      await request(t.app, owner, { method: "GET", url: `/api/v1/runs/${run.id}/output?format=prototype` })
    ).json();
    expect(Math.abs(out.tif_lump_sum - calc.tif_lump_sum)).toBeLessThanOrEqual(0.01);
    expect(
      Math.abs(out.buildup_schedule_nominal["15"] - calc.buildup_schedule_nominal["15"]!),
    ).toBeLessThanOrEqual(0.01);
  });

  it("answers 422 with the field's path for an invalid package, and records nothing", async () => {
    const runsNow = async () =>
      (await request(t.app, owner, { method: "GET", url: "/api/v1/runs" })).json().total as number;
    const before = await runsNow();
    expect(before).toBeGreaterThanOrEqual(2); // the two runs above
    const res = await post("tif-comparison", {
      input: { mixedIncome: { incentives: { taxAbatement: true } } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      {
        path: "body.input.mixedIncome.incentives.taxAbatement",
        message: "tax abatement and TIF are exclusive (the program lets TIF win): turn one off",
      },
    ]);
    const solve = await post("tif-solve", { input: { lowerBound: 5, upperBound: 1 } });
    expect(solve.statusCode).toBe(422);
    expect(solve.json().errors).toEqual([
      { path: "body.input.upperBound", message: "must be above lowerBound" },
    ]);
    expect(await runsNow()).toBe(before);
  });
});

/**
 * Issue 19: `preferredEquity.amountUsd: 1e308` (or mezzanine's) on the defaults-market deal
 * killed the server process (the IRR scan looped until the heap was exhausted). Through every
 * model that takes a tif deal it is now a 422 naming the field, and nothing is recorded.
 */
describe("a 1e308 financing amount is a 422 naming the field, in every tif model", () => {
  const market = tifV2.examples.find((e) => e.name === "defaults-market")!.input as Record<string, unknown>;
  // tif takes the defaults-market deal itself; the others their own first example, whose deal
  // (`project`, or the Monte Carlo's `deal`) gets the amount.
  const exampleOf = (id: string) => catalog.find(id)!.examples[0]!.input as Record<string, unknown>;
  const cases: [model: string, input: Record<string, unknown>, key: string | null][] = [
    ["tif", market, null],
    ["tif-comparison", exampleOf("tif-comparison"), "project"],
    ["tif-incentive-matrix", exampleOf("tif-incentive-matrix"), "project"],
    ["tif-solve", exampleOf("tif-solve"), "project"],
    ["tif-montecarlo", exampleOf("tif-montecarlo"), "deal"],
  ];
  it.each(
    cases.flatMap(([model, input, key]) =>
      (["preferredEquity", "mezzanine"] as const).map((field) => [model, field, input, key] as const),
    ),
  )("%s with %s.amountUsd = 1e308", async (model, field, input, key) => {
    const runsBefore = (await request(t.app, owner, { method: "GET", url: "/api/v1/runs" })).json().total;
    const deal = (key ? (input[key] ?? {}) : input) as Record<string, unknown>;
    const bad = { ...deal, [field]: { amountUsd: 1e308 } };
    const res = await post(model, { input: key ? { ...input, [key]: bad } : bad });
    expect(res.statusCode).toBe(422);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.json().errors).toEqual([
      {
        path: ["body.input", key, field, "amountUsd"].filter(Boolean).join("."),
        message: "amount is at most 1,000,000,000,000 (1e12)",
      },
    ]);
    expect((await request(t.app, owner, { method: "GET", url: "/api/v1/runs" })).json().total).toBe(
      runsBefore,
    );
  });

  it("still runs the largest amount allowed, $1e12, to an answer", async () => {
    const res = await post("tif", {
      input: { ...market, preferredEquity: { amountUsd: 1e12, returnAnnual: 0.1 } },
    });
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run.status).toBe("succeeded");
    // The preferred equity dwarfs the deal: the levered flow is the investor's, at 10%/12 a month.
    expect(run.output.returns.leveredIrrMonthlyRoots).toHaveLength(1);
    expect(run.output.returns.leveredIrrMonthlyRoots[0]).toBeCloseTo(0.1 / 12, 6);
  });
});
