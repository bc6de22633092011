import { contentIntel } from "@modelworks/engine-content-intel";
import { describe, expect, it } from "vitest";
import { formatValue } from "../src/format.ts";
import {
  contentOutput,
  engagementRate,
  flaggedSpans,
  healthSummary,
  importSummary,
  intervalLabel,
  orderedVariants,
  parseDomains,
  relativeTime,
  type Source,
  variantLabel,
  yamlErrorText,
} from "../src/lib/content.ts";
import {
  accuracySummary,
  type ContentAnalytics,
  learningOption,
  phaseComparisonOption,
  predictedVsActualOption,
} from "../src/lib/content-analytics.ts";

/** The content pages' pure logic (issue 17 item 6). */
const NOW_MS = Date.parse("2026-12-06T12:00:00Z");
const at = (minutesFromNow: number) => new Date(NOW_MS + minutesFromNow * 60_000).toISOString();

const source = (
  over: Partial<Omit<Source, "health">> & { health?: Partial<Source["health"]> } = {},
): Source => {
  const { health, ...rest } = over;
  return {
    id: "00000000-0000-4000-8000-000000000001",
    name: "Wire",
    url: "https://wire.example/feed.xml",
    kind: "rss",
    host: "wire.example",
    domains: [],
    credibility: 0.7,
    tier: "standard",
    intervalMinutes: 360,
    enabled: true,
    ownerUserId: null,
    itemCount: 0,
    createdAt: at(-600),
    updatedAt: at(-600),
    ...rest,
    health: {
      status: "ok",
      consecutiveFailures: 0,
      failingSince: null,
      lastError: null,
      lastAttemptAt: at(-3),
      lastSuccessAt: at(-3),
      nextAttemptAt: at(357),
      ...health,
    },
  };
};

describe("source health in words", () => {
  it("says when an ok source was fetched and is next due", () => {
    expect(healthSummary(source(), NOW_MS)).toEqual({
      label: "ok",
      color: "green",
      detail: "last fetched 3 min ago; next attempt in 6 h",
    });
  });

  it("shows a failing source's last error, its failure count and its backed-off next attempt", () => {
    const s = source({
      health: {
        status: "failing",
        consecutiveFailures: 3,
        lastError: "HTTP 503 from wire.example",
        nextAttemptAt: at(240),
      },
    });
    expect(healthSummary(s, NOW_MS)).toEqual({
      label: "failing",
      color: "red",
      detail: "HTTP 503 from wire.example (3 failures in a row; next attempt in 4 h)",
    });
    expect(
      healthSummary(
        source({ health: { status: "failing", consecutiveFailures: 1, lastError: null } }),
        NOW_MS,
      ).detail,
    ).toBe("failed (1 failure; next attempt in 6 h)");
  });

  it("calls a disabled source paused whatever it last did, and a new one not fetched yet", () => {
    expect(healthSummary(source({ enabled: false, health: { status: "failing" } }), NOW_MS).label).toBe(
      "paused",
    );
    expect(healthSummary(source({ health: { status: "new", nextAttemptAt: at(0) } }), NOW_MS).detail).toBe(
      "not fetched yet; next attempt due now",
    );
    // Overdue (the ingestion is behind): still "due now", never "5 min ago".
    expect(healthSummary(source({ health: { nextAttemptAt: at(-5) } }), NOW_MS).detail).toBe(
      "last fetched 3 min ago; next attempt due now",
    );
  });

  it("words times and intervals in the unit that reads best", () => {
    expect(relativeTime(null, NOW_MS)).toBe("never");
    expect(relativeTime(at(-0.2), NOW_MS)).toBe("just now");
    expect(relativeTime(at(-59), NOW_MS)).toBe("59 min ago");
    expect(relativeTime(at(90), NOW_MS)).toBe("in 2 h");
    expect(relativeTime(at(-3 * 24 * 60), NOW_MS)).toBe("3 d ago");
    expect(intervalLabel(45)).toBe("every 45 min");
    expect(intervalLabel(360)).toBe("every 6 h");
    expect(intervalLabel(2880)).toBe("every 2 d");
  });
});

describe("forms", () => {
  it("parses typed domains: trimmed, lower-cased, each once, blanks dropped", () => {
    expect(parseDomains(" Tech, finance ,,tech\npolicy ")).toEqual(["tech", "finance", "policy"]);
    expect(parseDomains("")).toEqual([]);
  });

  it("names a bad YAML entry in the file's own terms, entries counted from 1", () => {
    expect(yamlErrorText({ path: "body.yaml.premium_sources.3.credibility", message: "too big" })).toBe(
      "premium_sources, entry 4, credibility: too big",
    );
    expect(yamlErrorText({ path: "body.yaml", message: "is not valid YAML" })).toBe("is not valid YAML");
  });

  it("sums an import up", () => {
    expect(importSummary({ created: [1, 2], existing: [1], skipped: [] })).toBe(
      "Imported 2 sources; 1 was already followed; 0 entries skipped (not fetchable over HTTP).",
    );
  });

  it("previews the engagement rate the server will record, only for valid counts", () => {
    expect(engagementRate({ impressions: 1200, reactions: 48, comments: 9, reposts: 3 })).toBeCloseTo(
      0.05,
      12,
    );
    expect(engagementRate({ impressions: 0, reactions: 1, comments: 0, reposts: 0 })).toBeNull();
    expect(engagementRate({ impressions: 10, reactions: Number.NaN, comments: 0, reposts: 0 })).toBeNull();
    expect(engagementRate({ impressions: 10, reactions: -1, comments: 0, reposts: 0 })).toBeNull();
  });
});

describe("drafts", () => {
  const text = "Banks cut approval times by 40% in 2025, says a survey of 120 banks.";
  it("cuts a draft into plain and flagged spans at the flags' offsets", () => {
    const s40 = text.indexOf("40%");
    const s120 = text.indexOf("120");
    const spans = flaggedSpans(text, [
      { start: s120, end: s120 + 3, message: "120 is in no cited source" },
      { start: s40, end: s40 + 3, message: "40% is in no cited source" },
      { message: "too many hashtags" },
    ]);
    expect(spans.map((s) => [s.text, s.flag])).toEqual([
      ["Banks cut approval times by ", null],
      ["40%", "40% is in no cited source"],
      [" in 2025, says a survey of ", null],
      ["120", "120 is in no cited source"],
      [" banks.", null],
    ]);
    expect(spans.map((s) => s.text).join("")).toBe(text);
  });

  it("drops overlapping and out-of-range flags from the text (they stay in the list)", () => {
    const spans = flaggedSpans("abcdef", [
      { start: 1, end: 4, message: "a" },
      { start: 2, end: 5, message: "overlaps" },
      { start: 4, end: 99, message: "past the end" },
    ]);
    expect(spans.map((s) => [s.text, s.flag])).toEqual([
      ["a", null],
      ["bcd", "a"],
      ["ef", null],
    ]);
  });

  const variant = (kind: string, enhanced: number) => ({
    kind,
    text: kind,
    chars: kind.length,
    hashtags: [],
    citations: [],
    clean: true,
    prediction: { base: enhanced, boost: 0, enhanced },
  });
  it("reads a content-intel output and orders its drafts: recommended first, then by prediction", () => {
    const out = contentOutput({
      variants: [
        variant("analytical", 0.5),
        variant("engaging", 0.7),
        variant("contrarian", 0.6),
        variant("data_driven", 0.4),
      ],
      recommendedVariant: "data_driven",
    });
    expect(out).not.toBeNull();
    expect(out!.flags).toEqual([]);
    expect(orderedVariants(out!).map((v) => v.kind)).toEqual([
      "data_driven",
      "engaging",
      "contrarian",
      "analytical",
    ]);
  });

  it("writes data_driven as data-driven", () => {
    expect(variantLabel("data_driven")).toBe("data-driven");
    expect(variantLabel("analytical")).toBe("analytical");
  });

  it("refuses an output that is not content-intel's", () => {
    expect(contentOutput(null)).toBeNull();
    expect(contentOutput({ npv: 3 })).toBeNull();
    expect(contentOutput({ variants: [{ kind: "x" }] })).toBeNull();
  });
});

describe("content-intel's declared tables read as people write them (issue 17 item 6)", () => {
  const columns = (contentIntel.tables ?? []).flatMap((t) => t.columns.map((c) => ({ table: t.name, ...c })));
  const formatted = (table: string, key: string, v: unknown) => {
    const c = columns.find((x) => x.table === table && x.key === key)!;
    return formatValue(v, c.unit, c.decimals, { format: c.format });
  };

  it("shows a published date as a date, not a raw ISO timestamp", () => {
    const text = formatted("evidence", "publishedAt", "2026-11-28T09:30:00.000Z");
    expect(text).not.toContain("T09");
    expect(text).toContain("2026");
    expect(text).toBe(
      new Date("2026-11-28T09:30:00.000Z").toLocaleDateString(undefined, { dateStyle: "medium" }),
    );
    expect(formatValue("2026-11-28", undefined, undefined, { format: "date" })).toBe(
      new Date("2026-11-28").toLocaleDateString(undefined, { dateStyle: "medium", timeZone: "UTC" }),
    );
  });

  it("shows 0–1 scores as percentages with sensible decimals", () => {
    expect(formatted("predictions", "enhanced", 0.67)).toBe("67.0%");
    expect(formatted("evidence", "credibility", 0.9)).toBe("90%");
    expect(formatted("evidence", "score", 0.41234)).toBe("41.2%");
    expect(formatted("patterns", "confidence", 0.9)).toBe("90.0%");
    // Every fraction the engine declares is a percentage: none is left as a plain "0.670".
    for (const c of columns.filter((x) => x.unit === "fraction"))
      expect(c.format, `${c.table}.${c.key}`).toBe("percent");
    for (const k of (contentIntel.kpis ?? []).filter((x) => x.unit === "fraction"))
      expect(k.format, k.path).toBe("percent");
  });
});

describe("content analytics views (issue 17 item 6)", () => {
  const at = (d: number) => `2026-12-0${d}T10:00:00.000Z`;
  const run = (i: number, boost: number) => ({
    runId: `00000000-0000-4000-8000-00000000000${i}`,
    topic: `topic ${i}`,
    finishedAt: at(i),
    durationMs: 100 * i,
    phaseMs: null,
    queryClarity: 0.5,
    domains: 2,
    candidates: 10,
    sourcesUsed: i,
    sourceQuality: 0.8,
    insights: 3,
    crossDomainRate: 0.5,
    unsupportedClaims: 0,
    engagementPotential: 0.6,
    learningBoost: boost,
    patternsApplied: boost > 0 ? 1 : 0,
  });
  const a: ContentAnalytics = {
    phaseComparison: { runs: [run(1, 0), run(2, 0.09)], averages: null },
    learning: {
      patterns: [
        {
          id: "hook:question",
          feature: "question",
          category: "hook",
          confidence: 0.9,
          support: 3,
          highCount: 2,
          usageCount: 1,
          history: [{ runId: run(2, 0).runId, finishedAt: at(2), confidence: 0.9 }],
        },
      ],
      boostTrend: [run(1, 0), run(2, 0.09)].map((r) => ({
        runId: r.runId,
        finishedAt: r.finishedAt,
        learningBoost: r.learningBoost,
        patternsApplied: r.patternsApplied,
        patterns: r.patternsApplied,
      })),
    },
    predictedVsActual: {
      posts: [
        {
          postId: run(1, 0).runId,
          variantKind: "engaging",
          publishedAt: at(1),
          predicted: 0.6,
          engagementRate: 0.05,
          actual: 0.75,
        },
      ],
      correlation: null,
      meanAbsoluteError: 0.15,
    },
  };

  it("draws what the server computed: a run per category, a pattern's confidence only where it existed, posts as points", () => {
    const phase = phaseComparisonOption(a) as {
      xAxis: { data: string[] };
      series: { name: string; data: number[] }[];
    };
    expect(phase.xAxis.data).toHaveLength(2);
    expect(phase.series.find((s) => s.name === "Sources used")!.data).toEqual([1, 2]);
    const learning = learningOption(a) as { series: { name: string; data: (number | null)[] }[] };
    expect(learning.series[0]).toMatchObject({ name: "hook:question", data: [null, 0.9] });
    expect(learning.series.at(-1)!.data).toEqual([0, 0.09]);
    const pva = predictedVsActualOption(a) as { series: { data: unknown[] }[] };
    expect(pva.series[0]!.data).toEqual([[0.6, 0.75, "engaging"]]);
    expect(accuracySummary(a)).toBe(
      "1 post · r not defined (under 3 posts, or no spread) · mean absolute error 15.0%",
    );
    expect(
      accuracySummary({ ...a, predictedVsActual: { posts: [], correlation: null, meanAbsoluteError: null } }),
    ).toMatch(/No published post/);
  });
});
