import { REFERENCE_DATASETS } from "@modelworks/catalog";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { RedisLink } from "../src/redis/link.ts";
import { type EditionCache, memoryEditionCache, redisEditionCache } from "../src/reference-data/cache.ts";
import { ReferenceDataService } from "../src/reference-data/service.ts";
import { deadUrl, type FakeRefdataServer, startFakeRefdata } from "./fake-refdata.ts";

/** The reference-data resolver against a local fake publisher: fetch, validate, cache, fall back. */

const shippedOf = (connector: string) => REFERENCE_DATASETS.find((d) => d.connector === connector)!.shipped;
const PROTOTYPE_AMI_RENT_LIMITS = shippedOf("austinAmiRentLimits") as {
  version: string;
  rows: { amiLevel: string; studio: number }[];
};
const PROTOTYPE_TAX_RATES = shippedOf("austinTaxRates");

const NEWER_AMI = {
  ...PROTOTYPE_AMI_RENT_LIMITS,
  version: "FY2025-test",
  effectiveDate: "2025-05-01",
  source: "fake HUD",
};
const warnings: { obj: object; msg: string }[] = [];
const log = { warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) };

let fake: FakeRefdataServer;
let clock = 1_000_000;
beforeAll(async () => {
  fake = await startFakeRefdata();
});
afterAll(async () => fake?.close());
beforeEach(() => {
  warnings.length = 0;
});

let serial = 0;
/** A service whose AMI source is a fresh path on the fake server (fresh request count). */
function service(
  answer: Parameters<FakeRefdataServer["set"]>[1],
  over: { cache?: EditionCache; timeoutMs?: number } = {},
) {
  const path = `/ami-${++serial}`;
  fake.set(path, answer);
  const svc = new ReferenceDataService({
    datasets: REFERENCE_DATASETS,
    urls: { austinAmiRentLimits: fake.url(path) },
    timeoutMs: over.timeoutMs ?? 2000,
    ttlMs: 60_000,
    failureTtlMs: 5_000,
    cache: over.cache ?? memoryEditionCache(() => clock),
    now: () => clock,
  });
  return { svc, path };
}

describe("upstream edition", () => {
  it("is fetched, validated, used and cached until its TTL", async () => {
    const { svc, path } = service({ kind: "json", body: NEWER_AMI });
    const first = await svc.resolve(["austinAmiRentLimits", "austinTaxRates"], log);
    expect(first.datasets[0]).toMatchObject({
      dataset: "austin-ami-rent-limits",
      version: "FY2025-test",
      effectiveDate: "2025-05-01",
      origin: "upstream",
      fallbackReason: null,
      fetchedAt: new Date(clock).toISOString(),
    });
    // No source configured for the tax rates: the shipped edition, and no reason needed.
    expect(first.datasets[1]).toMatchObject({
      version: "prototype-v10c",
      origin: "shipped",
      fallbackReason: null,
    });
    expect(first.data.austinAmiRentLimits).toEqual(NEWER_AMI);
    expect(first.data.austinTaxRates).toEqual(PROTOTYPE_TAX_RATES);
    expect(fake.requests(path)).toBe(1);

    clock += 59_000;
    const cached = await svc.resolve(["austinAmiRentLimits"], log);
    expect(cached.datasets[0]!.version).toBe("FY2025-test");
    expect(fake.requests(path)).toBe(1); // a cache hit: no second fetch

    fake.set(path, { kind: "json", body: { ...NEWER_AMI, version: "FY2026-test" } });
    clock += 2_000; // past the 60 s TTL
    const refreshed = await svc.resolve(["austinAmiRentLimits"], log);
    expect(fake.requests(path)).toBe(2);
    expect(refreshed.datasets[0]!.version).toBe("FY2026-test");
    expect(refreshed.key).not.toBe(first.key);
    expect(warnings).toEqual([]);
  });

  it("concurrent resolutions share one fetch", async () => {
    const { svc, path } = service({ kind: "json", body: NEWER_AMI });
    const all = await Promise.all(Array.from({ length: 8 }, () => svc.resolve(["austinAmiRentLimits"], log)));
    expect(new Set(all.map((s) => s.key)).size).toBe(1);
    expect(fake.requests(path)).toBe(1);
  });

  it("the snapshot key depends on the tables only", async () => {
    const a = await service({ kind: "json", body: NEWER_AMI }).svc.resolve(["austinAmiRentLimits"], log);
    const b = await service({ kind: "json", body: NEWER_AMI }).svc.resolve(["austinAmiRentLimits"], log);
    const shipped = await service({ kind: "status", status: 500 }).svc.resolve(["austinAmiRentLimits"], log);
    expect(a.key).toBe(b.key);
    expect(shipped.key).not.toBe(a.key);
  });
});

describe("fallback to the shipped edition, with the reason", () => {
  const shippedAmi = { version: "prototype-v10c", origin: "shipped", fetchedAt: null };

  it("when the source is down", async () => {
    const svc = new ReferenceDataService({
      datasets: REFERENCE_DATASETS,
      urls: { austinAmiRentLimits: await deadUrl() },
      timeoutMs: 2000,
      ttlMs: 60_000,
      failureTtlMs: 5_000,
      cache: memoryEditionCache(),
    });
    const s = await svc.resolve(["austinAmiRentLimits"], log);
    expect(s.datasets[0]).toMatchObject({
      ...shippedAmi,
      fallbackReason: "the upstream source is unreachable (ECONNREFUSED)",
    });
    expect(s.data.austinAmiRentLimits).toEqual(PROTOTYPE_AMI_RENT_LIMITS);
    expect(warnings).toHaveLength(1);
  });

  it("when it does not answer in time", async () => {
    const { svc, path } = service({ kind: "hang" }, { timeoutMs: 150 });
    const started = performance.now();
    const s = await svc.resolve(["austinAmiRentLimits"], log);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(s.datasets[0]).toMatchObject({
      ...shippedAmi,
      fallbackReason: "the upstream source did not answer within 150 ms",
    });
    expect(fake.requests(path)).toBe(1);
  });

  it("when it answers with an error status or not JSON", async () => {
    const down = await service({ kind: "status", status: 503 }).svc.resolve(["austinAmiRentLimits"], log);
    expect(down.datasets[0]!.fallbackReason).toBe("the upstream source answered HTTP 503");
    const junk = await service({ kind: "text", body: "<html>" }).svc.resolve(["austinAmiRentLimits"], log);
    expect(junk.datasets[0]!.fallbackReason).toBe("the upstream payload is not JSON");
  });

  it("when the payload fails the dataset's schema — logged, never used", async () => {
    const bad = {
      ...NEWER_AMI,
      rows: [{ ...NEWER_AMI.rows[0]!, studio: -1 }, ...NEWER_AMI.rows.slice(1, 4)],
    };
    const s = await service({ kind: "json", body: bad }).svc.resolve(["austinAmiRentLimits"], log);
    expect(s.datasets[0]).toMatchObject(shippedAmi);
    expect(s.datasets[0]!.fallbackReason).toMatch(
      /^the upstream payload is not a valid austin-ami-rent-limits table/,
    );
    expect(s.datasets[0]!.fallbackReason).toContain("rows.0.studio: must be more than 0");
    expect(s.datasets[0]!.fallbackReason).toContain("rows: has no row for AMI level 100%");
    expect(s.data.austinAmiRentLimits).toEqual(PROTOTYPE_AMI_RENT_LIMITS);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj).toMatchObject({ dataset: "austin-ami-rent-limits" });
    expect(JSON.stringify(warnings[0])).not.toContain("127.0.0.1"); // the URL may carry a token
  });

  it("a failure is remembered for the retry period, then the source is tried again", async () => {
    const { svc, path } = service({ kind: "status", status: 502 });
    await svc.resolve(["austinAmiRentLimits"], log);
    clock += 4_000;
    const again = await svc.resolve(["austinAmiRentLimits"], log);
    expect(again.datasets[0]!.fallbackReason).toBe("the upstream source answered HTTP 502");
    expect(fake.requests(path)).toBe(1);
    fake.set(path, { kind: "json", body: NEWER_AMI });
    clock += 2_000; // past the 5 s retry period
    const recovered = await svc.resolve(["austinAmiRentLimits"], log);
    expect(fake.requests(path)).toBe(2);
    expect(recovered.datasets[0]).toMatchObject({ origin: "upstream", version: "FY2025-test" });
  });
});

describe.runIf(process.env.REDIS_URL)("with Redis", () => {
  let link: RedisLink;
  const prefix = `mwtest-refdata-${process.pid}-${Date.now()}:`;
  beforeAll(async () => {
    link = new RedisLink({
      url: process.env.REDIS_URL!,
      commandTimeoutMs: 1000,
      breakerMs: 1000,
      log: pino({ level: "silent" }),
    });
    expect(await link.ready(5000)).toBe(true);
  });
  afterAll(async () => {
    const keys = await link.client.keys(`${prefix}*`);
    if (keys.length) await link.client.del(...keys);
    await link.close();
  });

  it("one fetch serves every instance; the entry expires after its TTL", async () => {
    const path = `/ami-redis-${++serial}`;
    fake.set(path, { kind: "json", body: NEWER_AMI });
    const make = () =>
      new ReferenceDataService({
        datasets: REFERENCE_DATASETS,
        urls: { austinAmiRentLimits: fake.url(path) },
        timeoutMs: 2000,
        ttlMs: 300,
        failureTtlMs: 300,
        cache: redisEditionCache(link, prefix),
      });
    const [a, b] = [make(), make()];
    expect((await a.resolve(["austinAmiRentLimits"], log)).datasets[0]!.origin).toBe("upstream");
    expect((await b.resolve(["austinAmiRentLimits"], log)).datasets[0]!.version).toBe("FY2025-test");
    expect(fake.requests(path)).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    await b.resolve(["austinAmiRentLimits"], log);
    expect(fake.requests(path)).toBe(2);
  });
});

describe("configuration", () => {
  const base = {
    NODE_ENV: "test",
    SESSION_SECRET: "test-session-secret-0123456789abcdef",
    DATABASE_URL: "memory://",
  };
  it("names a bad source URL or timeout, without echoing the URL", () => {
    expect(() => loadConfig({ ...base, REFDATA_AMI_URL: "ftp://example.com/ami?token=s3cret" })).toThrow(
      /REFDATA_AMI_URL: expected an http\(s\) URL.*<redacted>/,
    );
    expect(() => loadConfig({ ...base, REFDATA_TIMEOUT_MS: "10" })).toThrow(/REFDATA_TIMEOUT_MS/);
    const c = loadConfig({ ...base, REFDATA_TAX_URL: "https://data.example.gov/austin-tax.json" });
    expect(c.REFDATA_TAX_URL).toBe("https://data.example.gov/austin-tax.json");
    expect([c.REFDATA_TIMEOUT_MS, c.REFDATA_CACHE_TTL_SECONDS, c.REFDATA_RETRY_SECONDS]).toEqual([
      5000, 3600, 60,
    ]);
  });
});
