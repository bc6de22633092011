import { REFERENCE_DATASETS } from "@modelworks/catalog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeRefdataServer, startFakeRefdata } from "./fake-refdata.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Reference data end to end: the server resolves the tables from a (fake) upstream before a run,
 * the engine thread computes on them, and the run records which editions it used.
 */
const SHIPPED_AMI = REFERENCE_DATASETS.find((d) => d.connector === "austinAmiRentLimits")!.shipped as {
  rows: { amiLevel: string }[];
};
const amiEdition = (version: string, rent50: number[]) => ({
  ...SHIPPED_AMI,
  version,
  effectiveDate: "2025-05-01",
  source: "fake HUD",
  rows: SHIPPED_AMI.rows.map((r) =>
    r.amiLevel === "50%"
      ? {
          amiLevel: "50%",
          studio: rent50[0],
          "1br": rent50[1],
          "2br": rent50[2],
          "3br": rent50[3],
          "4br": rent50[4],
        }
      : r,
  ),
});
// Default mixed-income case: 5/10/18/6/1 affordable units at 50% AMI.
const gprAffordable = (r: number[]) => 5 * r[0]! + 10 * r[1]! + 18 * r[2]! + 6 * r[3]! + r[4]!;
const RENTS_2025 = [1200, 1250, 1400, 1600, 1800];
const RENTS_2026 = [1250, 1300, 1450, 1650, 1850];

let fake: FakeRefdataServer;
let t: TestApp;
let owner: Actor & { orgId: string };
beforeAll(async () => {
  fake = await startFakeRefdata();
  fake.set("/ami", { kind: "json", body: amiEdition("FY2025-test", RENTS_2025) });
  fake.set("/tax", { kind: "json", body: { dataset: "austin-tax-rates", version: "x", rows: "not rows" } });
  t = await createTestApp(
    {
      RUN_POLL_MS: "200",
      REFDATA_AMI_URL: fake.url("/ami"),
      REFDATA_TAX_URL: fake.url("/tax"),
      REFDATA_CACHE_TTL_SECONDS: "3",
    },
    { worker: true },
  );
  owner = await createOwner(t.app, "Reference data");
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const runTif = (input: object, query = "?wait=30") =>
  request(t.app, owner, { method: "POST", url: `/api/v1/models/tif/runs${query}`, payload: { input } });

describe("runs use the resolved reference data", () => {
  it("a newer upstream AMI table reaches the engine and is recorded; a bad tax payload falls back", async () => {
    const res = await runTif({ scenario: "mixed_income" });
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run.status).toBe("succeeded");
    expect(run.modelVersion).toBe("2.2.0");
    expect(run.output.units.gprAffordableMonthlyUsd).toBe(gprAffordable(RENTS_2025));
    expect(run.output.referenceData.map((d: { version: string }) => d.version)).toEqual([
      "FY2025-test",
      "prototype-v10c",
    ]);
    expect(run.referenceData).toEqual([
      {
        connector: "austinAmiRentLimits",
        dataset: "austin-ami-rent-limits",
        version: "FY2025-test",
        effectiveDate: "2025-05-01",
        source: "fake HUD",
        origin: "upstream",
        fetchedAt: expect.any(String),
        fallbackReason: null,
      },
      expect.objectContaining({
        dataset: "austin-tax-rates",
        version: "prototype-v10c",
        origin: "shipped",
        fallbackReason: expect.stringMatching(/^the upstream payload is not a valid austin-tax-rates table/),
      }),
    ]);
    // The record survives: GET returns it too.
    const again = (await request(t.app, owner, { method: "GET", url: `/api/v1/runs/${run.id}` })).json();
    expect(again.referenceData).toEqual(run.referenceData);
  });

  it("an identical run is a cache hit without a second fetch; a new edition after the TTL recomputes", async () => {
    // The earlier tests may have outlived the table's TTL on a loaded machine: this run (a cache
    // hit, same edition) may fetch once; the identical run right after it must not.
    expect((await runTif({ scenario: "mixed_income" })).json().cacheHit).toBe(true);
    const before = fake.requests("/ami");
    const hit = (await runTif({ scenario: "mixed_income" })).json();
    expect(hit.cacheHit).toBe(true);
    expect(fake.requests("/ami")).toBe(before);

    fake.set("/ami", { kind: "json", body: amiEdition("FY2026-test", RENTS_2026) });
    await new Promise((r) => setTimeout(r, 3100)); // REFDATA_CACHE_TTL_SECONDS=3
    const fresh = (await runTif({ scenario: "mixed_income" })).json();
    expect(fake.requests("/ami")).toBe(before + 1);
    expect(fresh.cacheHit).toBe(false);
    expect(fresh.status).toBe("succeeded");
    expect(fresh.referenceData[0].version).toBe("FY2026-test");
    expect(fresh.output.units.gprAffordableMonthlyUsd).toBe(gprAffordable(RENTS_2026));
  });

  it("tif@1 reads no reference data: nothing fetched, nothing recorded but the prototype's table", async () => {
    const before = fake.requests("/ami");
    const run = (
      await request(t.app, owner, {
        method: "POST",
        url: "/api/v1/models/tif/runs?wait=30",
        payload: { input: { scenario: "mixed_income" }, version: "1.0.0" },
      })
    ).json();
    expect(run.status).toBe("succeeded");
    expect(run.referenceData).toBeNull();
    expect(run.output.units.gprAffordableMonthlyUsd).toBe(52_357);
    expect(run.output.referenceData[0].version).toBe("prototype-v10c");
    expect(fake.requests("/ami")).toBe(before);
  });

  it("the tif analyses and the Monte Carlo read the same editions as a tif@2 run", async () => {
    const tifRun = (await runTif({ scenario: "mixed_income" })).json();
    const post = (model: string, input: object) =>
      request(t.app, owner, {
        method: "POST",
        url: `/api/v1/models/${model}/runs?wait=60`,
        payload: { input },
      });
    const cmp = (await post("tif-comparison", {})).json();
    expect(cmp.status).toBe("succeeded");
    const versions = (r: { referenceData: { dataset: string; version: string }[] }) =>
      r.referenceData.map((d) => `${d.dataset}@${d.version}`);
    expect(versions(cmp)).toEqual(versions(tifRun));
    expect(versions(cmp)[0]).toBe("austin-ami-rent-limits@FY2026-test");
    // The comparison's mixed deal (tier 2: 20% at 50% AMI, as the tif run) has the upstream rents.
    expect(cmp.output.mixedIncome.gprAnnualUsd).toBe(tifRun.output.units.gprTotalAnnualUsd);
    const mc = (
      await post("tif-montecarlo", {
        deal: { scenario: "mixed_income" },
        iterations: 100,
        variables: { exitCapRate: { kind: "uniform", min: 0.05, max: 0.06 } },
      })
    ).json();
    expect(mc.status).toBe("succeeded");
    expect(versions(mc)).toEqual(versions(tifRun));
    expect(mc.output.base.leveredIrr).toBe(tifRun.output.returns.leveredIrr);
  });
});

describe("GET /api/v1/reference-data", () => {
  it("lists each dataset with the edition runs use now, publicly", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/reference-data" });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Record<string, unknown>[];
    expect(items.map((i) => i.dataset)).toEqual(["austin-ami-rent-limits", "austin-tax-rates"]);
    expect(items[0]).toMatchObject({
      version: "FY2026-test",
      origin: "upstream",
      upstreamConfigured: true,
      shippedVersion: "prototype-v10c",
    });
    expect(items[1]).toMatchObject({
      version: "prototype-v10c",
      origin: "shipped",
      upstreamConfigured: true,
    });
    expect(items[1]!.fallbackReason).toMatch(/rows: /);
    expect(res.body).not.toContain(fake.url("/"));
  });

  it("without sources configured: the shipped editions, no reasons", async () => {
    const plain = await createTestApp();
    try {
      const items = (await plain.app.inject({ method: "GET", url: "/api/v1/reference-data" })).json().items;
      for (const i of items)
        expect(i).toMatchObject({ origin: "shipped", upstreamConfigured: false, fallbackReason: null });
    } finally {
      await plain.close();
    }
  });
});
