import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { CACHE_TTL_MS, cacheKey, cacheKeysFor, isFresh, timeBucket } from "../src/cache-key.ts";
import { parseSourcesYaml, sourceKindOf, sourcesForQuery } from "../src/sources.ts";

// A copy of ../shared/fixtures/prosora/prosora_sources.yaml, the prototype's source list.
const fixture = readFileSync(new URL("./fixtures/prosora_sources.yaml", import.meta.url), "utf8");

describe("sources from the prototype's YAML", () => {
  it("reads premium and standard sources with kind, URL, credibility, domains, tier and interval", () => {
    const { sources, skipped } = parseSourcesYaml(fixture);
    expect(sources.map((s) => [s.id, s.kind, s.url])).toEqual([
      ["first-round-review", "rss", "https://review.firstround.com/feed"],
      ["stratechery", "rss", "https://stratechery.com/feed/"],
      ["the-dispatch", "rss", "https://thedispatch.com/feed/"],
      ["cb-insights", "rss", "https://www.cbinsights.com/feed"],
      ["harvard-business-review", "rss", "https://hbr.org/feed"],
      ["mckinsey-insights", "rss", "https://www.mckinsey.com/feed/articles"],
      ["product-hunt-daily", "rss", "https://www.producthunt.com/feed"],
    ]);
    const str = sources.find((s) => s.id === "stratechery")!;
    expect(str).toMatchObject({
      name: "Stratechery",
      host: "stratechery.com",
      siteUrl: "https://stratechery.com",
      credibility: 0.95,
      domains: ["tech", "strategy", "business"],
      tier: "premium",
      intervalMinutes: 360,
    });
    expect(sources.find((s) => s.id === "harvard-business-review")!.tier).toBe("standard");
    expect(sources.find((s) => s.id === "first-round-review")!.intervalMinutes).toBe(1440);
    expect(skipped.map((s) => s.name)).toEqual(["a16z Podcast", "Politico Playbook", "Lenny's Newsletter"]);
    expect(skipped[0]!.reason).toContain("YouTube channel id");
    expect(skipped[1]!.reason).toContain("e-mail");
  });

  it("experimental sources only on request", () => {
    const { sources, skipped } = parseSourcesYaml(fixture, { includeExperimental: true });
    expect(sources.find((s) => s.id === "hacker-news")).toMatchObject({ kind: "rss", tier: "experimental" });
    expect(skipped.map((s) => s.name)).toContain("LinkedIn Tech Leaders");
  });

  it("a query draws only from sources sharing its domains; a general query from all", () => {
    const { sources } = parseSourcesYaml(fixture);
    expect(sourcesForQuery(sources, ["politics"]).map((s) => s.id)).toEqual(["the-dispatch"]);
    expect(sourcesForQuery(sources, ["finance"]).map((s) => s.id)).toEqual(["cb-insights"]);
    expect(sourcesForQuery(sources, ["general"])).toHaveLength(sources.length);
  });

  it("a wrong shape names the field", () => {
    expect(() => parseSourcesYaml("premium_sources:\n  - name: X\n    credibility: 2\n")).toThrow(ZodError);
  });

  it("guesses feed kinds from URLs", () => {
    expect(sourceKindOf("https://example.com/sitemap.xml")).toBe("sitemap");
    expect(sourceKindOf("https://example.com/feed.json")).toBe("json-feed");
    expect(sourceKindOf("https://example.com/atom.xml")).toBe("atom");
    expect(sourceKindOf("https://example.com/rss.xml")).toBe("rss");
    expect(sourceKindOf("https://example.com/blog/some-article")).toBe("page");
  });
});

describe("cache rule: repeat queries within 6 h hit", () => {
  const sources = ["stratechery", "cb-insights"];

  it("normalises the topic and the source set", () => {
    const k = cacheKey("AI regulation?", sources, 100);
    expect(cacheKey("  ai   Regulation ", ["cb-insights", "stratechery", "cb-insights"], 100)).toBe(k);
    expect(cacheKey("AI regulation", ["stratechery"], 100)).not.toBe(k);
    expect(cacheKey("AI policy", sources, 100)).not.toBe(k);
    expect(cacheKey("AI regulation", sources, 101)).not.toBe(k);
  });

  it("every repeat within 6 h finds the entry (current or previous bucket, fresh); none older does", () => {
    const first = Date.parse("2026-12-01T05:59:00Z");
    const [stored] = cacheKeysFor("AI regulation", sources, new Date(first).toISOString());
    for (const laterMinutes of [1, 2, 90, 359]) {
      const at = new Date(first + laterMinutes * 60_000).toISOString();
      expect(cacheKeysFor("AI regulation", sources, at)).toContain(stored);
      expect(isFresh(new Date(first).toISOString(), at)).toBe(true);
    }
    const late = new Date(first + CACHE_TTL_MS).toISOString();
    expect(isFresh(new Date(first).toISOString(), late)).toBe(false);
    expect(timeBucket(first + 2 * CACHE_TTL_MS)).toBe(timeBucket(first) + 2);
  });
});
