import { createHash } from "node:crypto";
import { CONTENT_PHASES, contentPhaseOf } from "@modelworks/contracts/content";
import { canonicalUrl, EXAMPLE_ITEMS, EXAMPLE_TOPICS, PHASES } from "@modelworks/engine-content-intel";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phaseMsOf } from "../src/content/analytics.ts";
import { contentItems, contentSources } from "../src/db/schema.ts";
import { sweepRetention } from "../src/retention/sweep.ts";
import { phaseTimings } from "../src/runs/phase-timings.ts";
import { createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * The content history and the prototype's three analytics views (issue 17 item 6), served from
 * stored runs, posts and feedback. The views' numbers are checked against an independent
 * computation here from the same stored data (each run read back through GET /runs/:id).
 */
let t: TestApp;
type Owner = Awaited<ReturnType<typeof createOwner>>;
let A: Owner;
let B: Owner;
const DAY = 24 * 3600_000;
const hash = (s: string) => createHash("sha256").update(s).digest("hex");

async function storeExamples(orgId: string) {
  const db = t.database.db;
  const sourceIds = new Map<string, string>();
  const shift = Date.now() - Date.parse("2026-12-01T12:00:00Z");
  for (const item of EXAMPLE_ITEMS) {
    let sourceId = sourceIds.get(item.sourceId);
    if (!sourceId) {
      const [s] = await db
        .insert(contentSources)
        .values({
          orgId,
          name: item.sourceName ?? item.sourceId,
          url: `https://${item.sourceId}.example/feed`,
          kind: "rss",
          host: `${item.sourceId}.example`,
          domains: item.domains ?? [],
          credibility: item.credibility,
          intervalMinutes: 360,
          enabled: false,
        })
        .returning();
      sourceId = s!.id;
      sourceIds.set(item.sourceId, sourceId);
    }
    await db
      .insert(contentItems)
      .values({
        orgId,
        sourceId,
        urlKey: canonicalUrl(item.canonicalUrl ?? item.url),
        url: item.url,
        canonicalUrl: item.canonicalUrl ?? null,
        title: item.title,
        text: item.text,
        publishedAt: new Date(Date.parse(item.publishedAt) + shift),
        datedBySource: true,
        contentHash: hash(item.text),
      })
      .onConflictDoNothing();
  }
}

const call = (as: Owner, method: "GET" | "POST", url: string, payload?: unknown) =>
  request(t.app, as, { method, url, payload });

type Run = {
  id: string;
  startedAt: string | null;
  finishedAt: string | null;
  phaseTimings: { message: string; startedAt: string; endedAt: string; durationMs: number }[];
  output: {
    recommendedVariant: string;
    insights: unknown[];
    variants: { kind: string; text: string; prediction: { enhanced: number } }[];
    metrics: Record<string, number>;
    learning: {
      patterns: { id: string; confidence: number; usageCount: number }[];
      learningBoost: number;
      patternsApplied: number;
    };
  };
};
const runTopic = async (as: Owner, topic: string): Promise<Run> => {
  const res = await call(as, "POST", "/api/v1/content/runs?wait=30&cache=false", { topic });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().status).toBe("succeeded");
  return res.json();
};

/** Mid-rank percentiles, written out again here (the view's own helper is the engine's). */
function midRank(values: number[]): number[] {
  return values.map((v) => {
    const below = values.filter((w) => w < v).length;
    const equal = values.filter((w) => w === v).length;
    return (below + (equal - 1) / 2 + 0.5) / values.length;
  });
}

const runs: Run[] = [];
const posts: {
  id: string;
  runId: string;
  kind: string;
  predicted: number;
  rate: number;
  publishedAt: string;
}[] = [];

beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200", RUN_HEARTBEAT_MS: "100" }, { worker: true });
  A = await createOwner(t.app, "Writer A");
  B = await createOwner(t.app, "Writer B");
  await storeExamples(A.orgId);
  // Two runs, eight posts published from them with results, then two runs that learn from those.
  for (const topic of [EXAMPLE_TOPICS[0]!, EXAMPLE_TOPICS[1]!]) runs.push(await runTopic(A, topic));
  for (let i = 0; i < 8; i++) {
    const run = runs[i % 2]!;
    const v = run.output.variants[i % 4]!;
    const publishedAt = new Date(Date.now() - (10 - i) * DAY).toISOString();
    const res = await call(A, "POST", "/api/v1/content/posts", {
      runId: run.id,
      variantKind: v.kind,
      text: `${v.text}\n\n(post ${i})`,
      // These tests are about feedback and learning: a draft's flags are accepted as posted.
      acceptFlags: true,
      publishedAt,
      hourLocal: 8 + (i % 3),
    });
    expect(res.statusCode, res.body).toBe(201);
    const reactions = [12, 80, 20, 95, 15, 70, 18, 88][i]!;
    const fb = await call(A, "POST", "/api/v1/content/feedback", {
      postId: res.json().id,
      impressions: 1000,
      reactions,
      comments: i,
      reposts: 1,
    });
    expect(fb.statusCode, fb.body).toBe(201);
    posts.push({
      id: res.json().id,
      runId: run.id,
      kind: v.kind,
      predicted: v.prediction.enhanced,
      rate: (reactions + i + 1) / 1000,
      publishedAt,
    });
  }
  // A post without results and one without a prediction stay out of predicted vs actual.
  const unrecorded = await call(A, "POST", "/api/v1/content/posts", {
    runId: runs[0]!.id,
    variantKind: "analytical",
    text: "not yet measured",
    publishedAt: new Date().toISOString(),
  });
  expect(unrecorded.statusCode).toBe(201);
  for (const topic of [EXAMPLE_TOPICS[2]!, EXAMPLE_TOPICS[0]!]) runs.push(await runTopic(A, topic));
}, 900_000);
afterAll(async () => t?.close());

describe("content history", () => {
  it("lists the caller's runs newest first, paginated, with variants, what was published and its results", async () => {
    const first = await call(A, "GET", "/api/v1/content/runs?limit=3");
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.total).toBe(4);
    expect(page1.items.map((r: { id: string }) => r.id)).toEqual([runs[3]!.id, runs[2]!.id, runs[1]!.id]);
    const page2 = (await call(A, "GET", "/api/v1/content/runs?limit=3&offset=3")).json();
    expect(page2.items.map((r: { id: string }) => r.id)).toEqual([runs[0]!.id]);

    const oldest = page2.items[0];
    expect(oldest.topic).toBe(EXAMPLE_TOPICS[0]);
    expect(oldest.recommendedVariant).toBe(runs[0]!.output.recommendedVariant);
    expect(oldest.variants).toEqual(
      runs[0]!.output.variants.map((v) => ({ kind: v.kind, enhanced: v.prediction.enhanced })),
    );
    expect(oldest.sourcesUsed).toBe(runs[0]!.output.metrics.sourcesUsed);
    // Posts 0, 2, 4, 6 came from run 0, and the unmeasured one.
    expect(oldest.published).toHaveLength(5);
    const measured = posts.filter((p) => p.runId === runs[0]!.id);
    for (const p of measured) {
      const shown = oldest.published.find((x: { postId: string }) => x.postId === p.id);
      expect(shown.variantKind).toBe(p.kind);
      expect(shown.predicted).toBe(p.predicted);
      expect(shown.feedback.engagementRate).toBeCloseTo(p.rate, 12);
    }
    expect(oldest.published.filter((x: { feedback: unknown }) => x.feedback === null)).toHaveLength(1);
    expect(page1.items[0].published).toEqual([]);
  });

  it("belongs to the organization and the person: another org sees none of it", async () => {
    const res = (await call(B, "GET", "/api/v1/content/runs")).json();
    expect(res.total).toBe(0);
    const analytics = (await call(B, "GET", "/api/v1/content/analytics")).json();
    expect(analytics.phaseComparison.runs).toEqual([]);
    expect(analytics.phaseComparison.averages).toBeNull();
    expect(analytics.predictedVsActual).toEqual({ posts: [], correlation: null, meanAbsoluteError: null });
  });
});

describe("analytics views", () => {
  it("phase comparison: every run's phase results and duration, oldest first, with averages", async () => {
    const res = await call(A, "GET", "/api/v1/content/analytics");
    expect(res.statusCode, res.body).toBe(200);
    const { phaseComparison } = res.json();
    const full = await Promise.all(
      runs.map(async (r) => (await call(A, "GET", `/api/v1/runs/${r.id}`)).json()),
    );
    expect(phaseComparison.runs).toHaveLength(4);
    const avg = (f: (r: Run) => number) => full.reduce((s, r) => s + f(r), 0) / full.length;
    for (const [i, r] of full.entries()) {
      const row = phaseComparison.runs[i];
      expect(row.runId).toBe(r.id);
      expect(row.durationMs).toBe(Date.parse(r.finishedAt) - Date.parse(r.startedAt));
      expect(row.queryClarity).toBe(r.output.metrics.queryClarity);
      expect(row.sourcesUsed).toBe(r.output.metrics.sourcesUsed);
      expect(row.candidates).toBe(r.output.metrics.candidates);
      expect(row.sourceQuality).toBe(r.output.metrics.sourceQuality);
      expect(row.insights).toBe(r.output.insights.length);
      expect(row.engagementPotential).toBe(
        Math.max(...r.output.variants.map((v: Run["output"]["variants"][number]) => v.prediction.enhanced)),
      );
      expect(row.learningBoost).toBe(r.output.learning.learningBoost);
      // Each phase's time is the stored timing of the phase its message names.
      expect(row.phaseMs).toEqual(r.phaseTimings.map((p: { durationMs: number }) => p.durationMs));
    }
    for (let p = 0; p < CONTENT_PHASES.length; p++)
      expect(phaseComparison.averages.phaseMs[p]).toBeCloseTo(
        avg((r) => r.phaseTimings[p]!.durationMs),
        9,
      );
    expect(phaseComparison.averages.queryClarity).toBeCloseTo(
      avg((r) => r.output.metrics.queryClarity!),
      12,
    );
    expect(phaseComparison.averages.insights).toBeCloseTo(
      avg((r) => r.output.insights.length),
      12,
    );
    expect(phaseComparison.averages.durationMs).toBeCloseTo(
      avg((r) => Date.parse(r.finishedAt!) - Date.parse(r.startedAt!)),
      9,
    );
    // Two of the last three: a window of the latest runs.
    const windowed = (await call(A, "GET", "/api/v1/content/analytics?runs=2")).json();
    expect(windowed.phaseComparison.runs.map((r: { runId: string }) => r.runId)).toEqual([
      runs[2]!.id,
      runs[3]!.id,
    ]);
    const bad = await call(A, "GET", "/api/v1/content/analytics?runs=1");
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe("query.runs");
  });

  it("learning analytics: the latest run's patterns with their confidence run by run, usage counts and the boost trend", async () => {
    const { learning } = (await call(A, "GET", "/api/v1/content/analytics")).json();
    const latest = runs[3]!.output.learning;
    expect(latest.patterns.length).toBeGreaterThan(0);
    expect(learning.patterns.map((p: { id: string }) => p.id).sort()).toEqual(
      latest.patterns.map((p) => p.id).sort(),
    );
    for (const p of learning.patterns) {
      const now = latest.patterns.find((q) => q.id === p.id)!;
      expect(p.confidence).toBe(now.confidence);
      expect(p.usageCount).toBe(now.usageCount);
      const expected = runs.flatMap((r) => {
        const then = r.output.learning.patterns.find((q) => q.id === p.id);
        return then ? [{ runId: r.id, confidence: then.confidence }] : [];
      });
      expect(
        p.history.map((h: { runId: string; confidence: number }) => ({
          runId: h.runId,
          confidence: h.confidence,
        })),
      ).toEqual(expected);
    }
    // Runs before any feedback learnt nothing; the trend says so.
    expect(learning.boostTrend.map((b: { patterns: number }) => b.patterns)).toEqual(
      runs.map((r) => r.output.learning.patterns.length),
    );
    expect(learning.boostTrend[0].patterns).toBe(0);
    expect(learning.boostTrend.map((b: { learningBoost: number }) => b.learningBoost)).toEqual(
      runs.map((r) => r.output.learning.learningBoost),
    );
  });

  it("predicted vs actual: each measured post's prediction against its engagement percentile, with r and MAE", async () => {
    const { predictedVsActual: pva } = (await call(A, "GET", "/api/v1/content/analytics")).json();
    expect(pva.posts).toHaveLength(8);
    const actual = midRank(posts.map((p) => p.rate));
    for (const [i, p] of posts.entries()) {
      const row = pva.posts[i];
      expect(row.postId).toBe(p.id);
      expect(row.predicted).toBe(p.predicted);
      expect(row.engagementRate).toBeCloseTo(p.rate, 12);
      expect(row.actual).toBeCloseTo(actual[i]!, 12);
    }
    const xs = posts.map((p) => p.predicted);
    const n = xs.length;
    const mx = xs.reduce((s, x) => s + x, 0) / n;
    const my = actual.reduce((s, x) => s + x, 0) / n;
    const cov = xs.reduce((s, x, i) => s + (x - mx) * (actual[i]! - my), 0);
    const sx = Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0));
    const sy = Math.sqrt(actual.reduce((s, y) => s + (y - my) ** 2, 0));
    expect(pva.correlation).toBeCloseTo(cov / (sx * sy), 12);
    expect(pva.meanAbsoluteError).toBeCloseTo(
      xs.reduce((s, x, i) => s + Math.abs(x - actual[i]!), 0) / n,
      12,
    );
  });
});

describe("phase timings", () => {
  it("each run stores when each of the five phases started and ended, back to back within the run", async () => {
    for (const r of runs) {
      const full: Run = (await call(A, "GET", `/api/v1/runs/${r.id}`)).json();
      const t = full.phaseTimings;
      expect(t.map((p) => contentPhaseOf(p.message))).toEqual([0, 1, 2, 3, 4]);
      for (const [i, p] of t.entries()) {
        expect(p.durationMs).toBe(Date.parse(p.endedAt) - Date.parse(p.startedAt));
        expect(p.durationMs).toBeGreaterThanOrEqual(0);
        if (i > 0) expect(p.startedAt).toBe(t[i - 1]!.endedAt);
      }
      // Within the run as the runner timed it (the row's times are the database's clock, same machine).
      expect(Date.parse(t[0]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(full.startedAt!) - 1000);
      expect(Date.parse(t.at(-1)!.endedAt)).toBeLessThanOrEqual(Date.parse(full.finishedAt!) + 1000);
    }
    // A cached run did not run its phases: it has no timings of its own.
    const topic = EXAMPLE_TOPICS[0]!;
    const first = await call(A, "POST", "/api/v1/content/runs?wait=30", { topic });
    const again = await call(A, "POST", "/api/v1/content/runs?wait=30", { topic });
    expect(first.json().status).toBe("succeeded");
    if (again.json().cacheHit) expect(again.json().phaseTimings).toBeNull();
  });

  it("phaseTimings: each mark runs to the next, the last to the end", () => {
    expect(
      phaseTimings(
        [
          { message: "a", at: 1000 },
          { message: "b", at: 1500 },
        ],
        1800,
      ),
    ).toEqual([
      {
        message: "a",
        startedAt: new Date(1000).toISOString(),
        endedAt: new Date(1500).toISOString(),
        durationMs: 500,
      },
      {
        message: "b",
        startedAt: new Date(1500).toISOString(),
        endedAt: new Date(1800).toISOString(),
        durationMs: 300,
      },
    ]);
    expect(
      phaseMsOf([
        { message: "Phase 2 of 5: Retrieval", startedAt: "", endedAt: "", durationMs: 7 },
        { message: "something else", startedAt: "", endedAt: "", durationMs: 9 },
      ]),
    ).toEqual([null, 7, null, null, null]);
    expect(phaseMsOf(null)).toBeNull();
    expect(phaseMsOf([{ message: "Loading", startedAt: "", endedAt: "", durationMs: 3 }])).toBeNull();
  });
});

describe("live phase progress", () => {
  it("the run's server-sent progress names content-intel's phases, in phase order, then the final status", async () => {
    expect(PHASES.map((p) => p.title)).toEqual([...CONTENT_PHASES]);
    const res = await call(A, "POST", "/api/v1/content/runs?wait=0&cache=false", {
      topic: EXAMPLE_TOPICS[1]!,
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().id;
    // The stream ends with the final status, so inject returns the whole exchange.
    const sse = await request(t.app, A, { method: "GET", url: `/api/v1/runs/${id}/events` });
    const events = sse.body
      .split("\n\n")
      .filter((b) => b.startsWith("event:"))
      .map((b) => ({ event: /event: (\w+)/.exec(b)![1], data: JSON.parse(/data: (.*)/.exec(b)![1]!) }));
    const phases = events
      .filter((e) => e.event === "progress" && e.data.status === "running" && e.data.message)
      .map((e) => contentPhaseOf(e.data.message));
    // Progress is coalesced on its way (50 ms from the engine thread, 250 ms to the database), so
    // a fast run may skip phases; whatever arrives is a phase, in order.
    expect(phases.every((p) => p !== null)).toBe(true);
    expect([...phases].sort((a, b) => a! - b!)).toEqual(phases);
    expect(events.at(-1)).toMatchObject({
      event: "status",
      data: { runId: id, status: "succeeded", progress: 1 },
    });
    // What the run row keeps is a phase too (or nothing, when the run beat the first report).
    const run = (await call(A, "GET", `/api/v1/runs/${id}`)).json();
    expect(run.progressMessage === null || contentPhaseOf(run.progressMessage) !== null).toBe(true);
  });
});

describe("item retention", () => {
  it("the retention sweep deletes items older than CONTENT_ITEMS_RETENTION_DAYS, keeping those behind measured posts", async () => {
    const db = t.database.db;
    const old = new Date(Date.now() - 400 * DAY);
    await db
      .update(contentItems)
      .set({ publishedAt: old, fetchedAt: old })
      .where(eq(contentItems.orgId, A.orgId));
    const before = await db
      .select({ id: contentItems.id })
      .from(contentItems)
      .where(eq(contentItems.orgId, A.orgId));
    // Every post with results came from run 0 or 1: the items those runs cited stay.
    const full = await Promise.all(
      [runs[0]!, runs[1]!].map(async (r) => (await call(A, "GET", `/api/v1/runs/${r.id}`)).json()),
    );
    const cited = new Set(full.flatMap((r) => r.output.evidence.map((e: { itemId: string }) => e.itemId)));
    expect(cited.size).toBeGreaterThan(0);
    const kept = before.filter((i) => cited.has(i.id)).map((i) => i.id);
    expect(kept.length).toBeLessThan(before.length);

    const off = await sweepRetention({ db, store: t.app.fileStore, now: new Date(), contentItemsDays: null });
    expect(off.contentItemsDeleted).toBe(0);
    const s = await sweepRetention({ db, store: t.app.fileStore, now: new Date(), contentItemsDays: 30 });
    expect(s.contentItemsDeleted).toBe(before.length - kept.length);
    const after = await db
      .select({ id: contentItems.id })
      .from(contentItems)
      .where(eq(contentItems.orgId, A.orgId));
    expect(after.map((i) => i.id).sort()).toEqual([...kept].sort());
  });
});
