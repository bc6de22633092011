import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../src/sources/http.ts";
import { backoffDelayMs, createPoliteness, nextHealth } from "../src/sources/politeness.ts";
import { createRobotsCache } from "../src/sources/robots.ts";
import { resolveToLoopback, type SiteServer, send, startSiteServer } from "./sources-server.ts";

/** Pacing per host and overall, backoff and health, robots.txt rules and caching. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("politeness", () => {
  it("one request at a time per host, starts at least the interval apart, hosts in parallel", async () => {
    const p = createPoliteness({ minIntervalMs: 100, globalConcurrency: 10 });
    const active = new Map<string, number>();
    const maxActive = new Map<string, number>();
    const starts = new Map<string, number[]>();
    const task = (host: string) => async () => {
      active.set(host, (active.get(host) ?? 0) + 1);
      maxActive.set(host, Math.max(maxActive.get(host) ?? 0, active.get(host)!));
      starts.set(host, [...(starts.get(host) ?? []), performance.now()]);
      await sleep(30);
      active.set(host, active.get(host)! - 1);
    };
    const t0 = performance.now();
    await Promise.all(["a", "a", "a", "a", "b", "b", "b", "b"].map((h) => p.run(h, task(h))));
    const elapsedMs = performance.now() - t0;
    for (const h of ["a", "b"]) {
      expect(maxActive.get(h)).toBe(1);
      const s = starts.get(h)!;
      expect(s).toHaveLength(4);
      for (let i = 1; i < s.length; i++) expect(s[i]! - s[i - 1]!).toBeGreaterThanOrEqual(98);
    }
    // 4 starts per host 100 ms apart ≈ 330 ms; hosts serialised would take ≈ 730 ms.
    expect(elapsedMs).toBeLessThan(600);
    expect(p.startedByHost.get("a")).toBe(4);
  });

  it("a crawl-delay larger than the default interval wins", async () => {
    const p = createPoliteness({ minIntervalMs: 10 });
    const starts: number[] = [];
    await Promise.all(
      [1, 2, 3].map(() =>
        p.run("slow.test", async () => void starts.push(performance.now()), { minIntervalMs: 150 }),
      ),
    );
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(148);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(148);
  });

  it("the global limit caps requests in flight over all hosts", async () => {
    const p = createPoliteness({ minIntervalMs: 0, globalConcurrency: 2 });
    let active = 0;
    let maxActive = 0;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        p.run(`h${i}`, async () => {
          maxActive = Math.max(maxActive, ++active);
          await sleep(20);
          active--;
        }),
      ),
    );
    expect(maxActive).toBe(2);
  });

  it("a failing task frees its slots", async () => {
    const p = createPoliteness({ minIntervalMs: 0, globalConcurrency: 1 });
    await expect(p.run("x", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(p.run("x", async () => 42)).resolves.toBe(42);
  });
});

describe("backoff and health", () => {
  it("doubles from the base, capped, with jitter between half and all of the step", () => {
    const o = { baseMs: 60_000, capMs: 3_600_000 };
    expect(backoffDelayMs(1, { ...o, random: () => 0 })).toBe(30_000);
    expect(backoffDelayMs(1, { ...o, random: () => 1 })).toBe(60_000);
    expect(backoffDelayMs(3, { ...o, random: () => 1 })).toBe(240_000);
    expect(backoffDelayMs(4, { ...o, random: () => 0.5 })).toBe(360_000);
    expect(backoffDelayMs(30, { ...o, random: () => 1 })).toBe(3_600_000);
    expect(backoffDelayMs(30, { ...o, random: () => 0 })).toBe(1_800_000);
  });

  it("a failing source keeps when it began failing; success resets it", () => {
    const t0 = Date.parse("2026-12-06T08:00:00Z");
    const b = { baseMs: 60_000, random: () => 1 };
    const f1 = nextHealth(undefined, { ok: false, error: "HTTP 503" }, t0, b);
    expect(f1).toMatchObject({
      status: "failing",
      consecutiveFailures: 1,
      failingSince: "2026-12-06T08:00:00.000Z",
    });
    expect(Date.parse(f1.nextAttemptAt) - t0).toBe(60_000);
    const f2 = nextHealth(f1, { ok: false, error: "timeout" }, t0 + 60_000, b);
    expect(f2).toMatchObject({ consecutiveFailures: 2, failingSince: f1.failingSince, lastError: "timeout" });
    expect(Date.parse(f2.nextAttemptAt) - (t0 + 60_000)).toBe(120_000);
    const f3 = nextHealth(f2, { ok: false, error: "HTTP 429", retryAfterSeconds: 900 }, t0, b);
    expect(Date.parse(f3.nextAttemptAt) - t0).toBe(900_000);
    const ok = nextHealth(f3, { ok: true, intervalMinutes: 360 }, t0, b);
    expect(ok).toMatchObject({ status: "ok", consecutiveFailures: 0 });
    expect(ok.failingSince).toBeUndefined();
    expect(Date.parse(ok.nextAttemptAt) - t0).toBe(360 * 60_000);
  });
});

describe("robots.txt", () => {
  let site: SiteServer;
  const http = createHttpClient({ allowAddresses: ["127.0.0.1"], resolve: resolveToLoopback });
  beforeAll(async () => {
    site = await startSiteServer();
    site.route(
      "rules.test/robots.txt",
      send(
        [
          "User-agent: *",
          "Disallow: /",
          "",
          "User-agent: ModelworksBot",
          "Disallow: /private/",
          "Allow: /private/open$",
          "Disallow: /*.pdf$",
          "Allow: /p",
          "Disallow: /press",
          "Crawl-delay: 2",
        ].join("\n"),
        { "content-type": "text/plain" },
      ),
    );
    site.route("gone.test/robots.txt", send("nope", {}, 404));
    site.route("down.test/robots.txt", send("oops", {}, 503));
  });
  afterAll(() => site?.close());

  const cache = (now = () => Date.now()) =>
    createRobotsCache({ fetch: (url) => http.fetch({ url }), now, ttlMs: 60_000 });

  it("applies our group: longest match wins, Allow wins ties, * and $", async () => {
    const r = cache();
    const u = (p: string) => site.url(p, "rules.test");
    const allowed = async (p: string) => (await r.check(u(p))).allowed;
    expect(await allowed("/articles/1")).toBe(true); // the * group's "Disallow: /" is not ours
    expect(await allowed("/private/x")).toBe(false);
    expect(await allowed("/private/open")).toBe(true);
    expect(await allowed("/private/open/more")).toBe(false);
    expect(await allowed("/files/report.pdf")).toBe(false);
    expect(await allowed("/files/report.pdf?download=1")).toBe(true);
    expect(await allowed("/press/release")).toBe(false); // "/press" is longer than "/p"
    expect(await allowed("/pricing")).toBe(true);
    const v = await r.check(u("/private/x"));
    expect(v.crawlDelayMs).toBe(2_000);
    expect(v.reason).toMatch(/robots\.txt of http:\/\/rules\.test:\d+ disallows \/private\/x/);
  });

  it("is fetched once per host and again after its TTL", async () => {
    let nowMs = 1_000_000;
    const r = cache(() => nowMs);
    const u = site.url("/a", "rules.test");
    const before = site.requests("/robots.txt").filter((l) => l.host === "rules.test").length;
    await Promise.all([r.check(u), r.check(u), r.check(u), r.check(site.url("/b", "rules.test"))]);
    await r.check(u);
    const origin = new URL(u).origin;
    expect(r.fetchesByOrigin.get(origin)).toBe(1);
    nowMs += 60_001;
    await r.check(u);
    expect(r.fetchesByOrigin.get(origin)).toBe(2);
    expect(site.requests("/robots.txt").filter((l) => l.host === "rules.test").length - before).toBe(2);
  });

  it("404 means no rules; 5xx means nothing may be fetched for now", async () => {
    const r = cache();
    expect((await r.check(site.url("/anything", "gone.test"))).allowed).toBe(true);
    const down = await r.check(site.url("/anything", "down.test"));
    expect(down.allowed).toBe(false);
    expect(down.reason).toBe("robots.txt answered HTTP 503");
  });
});
