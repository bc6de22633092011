import { createHash } from "node:crypto";
import { canonicalUrl, EXAMPLE_ITEMS, EXAMPLE_TOPICS } from "@modelworks/engine-content-intel";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentFeedback, contentItems, contentSources } from "../src/db/schema.ts";
import { addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { multipart } from "./multipart.ts";

/**
 * Content-intel on stored data (issue 17 items 4 and 5): a run's evidence comes from the
 * organization's stored items (full-text pre-filter, then the engine's ranking); the posts a
 * person published and how they did — recorded by hand or imported from a LinkedIn analytics
 * export through the field mapping — reach the engine's learning loop on that person's next run.
 */
let t: TestApp;
type Owner = Awaited<ReturnType<typeof createOwner>>;
let A: Owner;
let B: Owner;
const storedIds = new Map<string, string>(); // example item id → stored id (org A)
let offTopicId: string;
let bItemId: string;

const hash = (s: string) => createHash("sha256").update(s).digest("hex");
const DAY = 24 * 3600_000;

/** Stores the engine's example items as org `orgId`'s items, one source per example source, dated up to now. */
async function storeExamples(orgId: string): Promise<Map<string, string>> {
  const db = t.database.db;
  const sourceIds = new Map<string, string>();
  const ids = new Map<string, string>();
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
    const [row] = await db
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
      .onConflictDoNothing()
      .returning();
    if (row) ids.set(item.id, row.id);
  }
  return ids;
}

beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200", RUN_HEARTBEAT_MS: "100" }, { worker: true });
  A = await createOwner(t.app, "Writer A");
  B = await createOwner(t.app, "Writer B");
  for (const [k, v] of await storeExamples(A.orgId)) storedIds.set(k, v);
  const [src] = await t.database.db
    .select()
    .from(contentSources)
    .where(eq(contentSources.orgId, A.orgId))
    .limit(1);
  const [off] = await t.database.db
    .insert(contentItems)
    .values({
      orgId: A.orgId,
      sourceId: src!.id,
      urlKey: "food.example/lentils",
      url: "https://food.example/lentils",
      title: "Cooking with lentils",
      text: "Lentils cook in twenty minutes and need no soaking.",
      publishedAt: new Date(Date.now() - DAY),
      datedBySource: true,
      contentHash: hash("lentils"),
    })
    .returning();
  offTopicId = off!.id;
  const bIds = await storeExamples(B.orgId);
  bItemId = [...bIds.values()][0]!;
});
afterAll(async () => t?.close());

const call = (
  as: Owner | Awaited<ReturnType<typeof addMember>>,
  method: "GET" | "POST",
  url: string,
  payload?: unknown,
) => request(t.app, as, { method, url, payload });

type RunOut = {
  status: string;
  input: { items: { id: string }[]; history: unknown[]; patternUsage: Record<string, number> };
  output: {
    evidence: { itemId: string }[];
    variants: { kind: string; text: string; prediction: { enhanced: number } }[];
    learning: { posts: unknown[]; model: unknown; patternUsage: Record<string, number> };
    analysis: { domains: string[] };
  };
};
const runTopic = async (as: Owner, topic: string): Promise<RunOut & { id: string }> => {
  const res = await call(as, "POST", "/api/v1/content/runs?wait=30&cache=false", { topic });
  expect(res.statusCode, res.body).toBe(200);
  const run = res.json();
  expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
  return run;
};

describe("content-intel runs over stored items", () => {
  it("hands the engine the organization's matching items (not another org's, not off-topic ones) and cites them", async () => {
    const run = await runTopic(A, EXAMPLE_TOPICS[0]!);
    const inputIds = run.input.items.map((i) => i.id);
    const mine = new Set(storedIds.values());
    expect(inputIds.length).toBeGreaterThanOrEqual(5);
    expect(inputIds.every((id) => mine.has(id))).toBe(true);
    expect(inputIds).not.toContain(offTopicId);
    expect(inputIds).not.toContain(bItemId);
    expect(run.output.evidence.length).toBeGreaterThan(0);
    expect(run.output.evidence.every((e) => mine.has(e.itemId))).toBe(true);
    expect(run.input.history).toEqual([]);
  });

  it("refuses an empty topic with a field error", async () => {
    const res = await call(A, "POST", "/api/v1/content/runs", { topic: "  " });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe("body.topic");
  });
});

describe("feedback", () => {
  const posts: { id: string; externalId: string }[] = [];

  it("records published posts and their results by hand; a post that does not exist is a 404 naming body.postId", async () => {
    const run = await runTopic(A, EXAMPLE_TOPICS[1]!);
    for (let i = 0; i < 8; i++) {
      const v = run.output.variants[i % 4]!;
      const res = await call(A, "POST", "/api/v1/content/posts", {
        runId: run.id,
        variantKind: v.kind,
        text: `${v.text}\n\n(post ${i})`,
        // These tests are about feedback and learning: a draft's flags are accepted as posted.
        acceptFlags: true,
        publishedAt: new Date(Date.now() - (10 - i) * DAY).toISOString(),
        hourLocal: 8 + i,
        externalId: `urn:li:activity:70000000000000000${i}`,
      });
      expect(res.statusCode, res.body).toBe(201);
      const p = res.json();
      expect(p.predicted).toBe(v.prediction.enhanced);
      expect(p.domains).toEqual(run.output.analysis.domains);
      posts.push({ id: p.id, externalId: p.externalId });
    }
    for (const [i, p] of posts.slice(0, 4).entries()) {
      const res = await call(A, "POST", "/api/v1/content/feedback", {
        postId: p.id,
        impressions: 1000,
        reactions: 10 * (i + 1),
        comments: i,
        reposts: 1,
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().feedback).toMatchObject({
        origin: "manual",
        engagementRate: (10 * (i + 1) + i + 1) / 1000,
      });
    }
    const ghost = await call(A, "POST", "/api/v1/content/feedback", {
      postId: "00000000-0000-4000-8000-000000000000",
      impressions: 10,
      reactions: 1,
      comments: 0,
      reposts: 0,
    });
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json().errors).toEqual([{ path: "body.postId", message: expect.any(String) }]);
    const bad = await call(A, "POST", "/api/v1/content/feedback", {
      postId: posts[0]!.id,
      impressions: 0,
      reactions: -1,
      comments: 0,
      reposts: 0,
    });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(["body.impressions", "body.reactions"]);
    // Another organization cannot see or score A's posts.
    expect((await call(B, "GET", `/api/v1/content/posts/${posts[0]!.id}`)).statusCode).toBe(404);
    const foreign = await call(B, "POST", "/api/v1/content/feedback", {
      postId: posts[0]!.id,
      impressions: 10,
      reactions: 1,
      comments: 0,
      reposts: 0,
    });
    expect(foreign.statusCode).toBe(404);
    const dup = await call(A, "POST", "/api/v1/content/posts", {
      variantKind: "analytical",
      text: "again",
      publishedAt: new Date().toISOString(),
      externalId: `https://www.linkedin.com/feed/update/${posts[0]!.externalId}/`,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe("post_already_recorded");
  });

  const upload = async (as: Owner, name: string, csv: string) => {
    const body = multipart(name, csv);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/files",
      payload: body.payload,
      headers: { ...body.headers, cookie: as.cookie, "x-csrf-token": as.csrf },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const COLUMNS = [
    { target: "POST", source: "Post URL" },
    { target: "IMPRESSIONS", source: "Impressions", cast: "integer" },
    { target: "REACTIONS", source: "Reactions", cast: "integer" },
    { target: "COMMENTS", source: "Comments", cast: "integer" },
    { target: "REPOSTS", source: "Reposts", cast: "integer" },
  ];
  const url = (urn: string) => `https://www.linkedin.com/feed/update/${urn}/`;
  const feedbackRows = async () =>
    (await t.database.db.select().from(contentFeedback).where(eq(contentFeedback.orgId, A.orgId))).length;

  it("imports a LinkedIn analytics export through the field mapping; an unknown post or a bad count records nothing", async () => {
    const before = await feedbackRows();
    const unknown = await upload(
      A,
      "unknown.csv",
      [
        "Post URL,Impressions,Reactions,Comments,Reposts",
        `${url(posts[4]!.externalId)},900,30,4,2`,
        `${url("urn:li:activity:1")},10,1,0,0`,
      ].join("\n"),
    );
    const miss = await call(A, "POST", "/api/v1/content/feedback/import", {
      fileId: unknown,
      columns: COLUMNS,
    });
    expect(miss.statusCode).toBe(404);
    expect(miss.json().errors).toEqual([
      { path: "file.rows.2.POST", message: expect.stringMatching(/urn:li:activity:1/) },
    ]);
    const zero = await upload(
      A,
      "zero.csv",
      ["Post URL,Impressions,Reactions,Comments,Reposts", `${url(posts[4]!.externalId)},0,30,4,2`].join("\n"),
    );
    const bad = await call(A, "POST", "/api/v1/content/feedback/import", { fileId: zero, columns: COLUMNS });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe("file.rows.1.IMPRESSIONS");
    expect(await feedbackRows()).toBe(before);

    const lines = ["Post URL,Impressions,Reactions,Comments,Reposts"];
    for (const [i, p] of posts.slice(4).entries())
      lines.push(`${url(p.externalId)},${2000 + i},${40 + 20 * i},${3 + i},${i}`);
    const good = await upload(A, "linkedin.csv", lines.join("\n"));
    // A saved mapping onto the standard schema, as the web's mapping step would keep it.
    const mapping = await call(A, "POST", "/api/v1/field-mappings", {
      name: "LinkedIn export",
      schema: "linkedin-post-analytics",
      columns: COLUMNS,
    });
    expect(mapping.statusCode, mapping.body).toBe(201);
    const res = await call(A, "POST", "/api/v1/content/feedback/import", {
      fileId: good,
      mappingId: mapping.json().id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().recorded).toBe(4);
    expect(
      res.json().posts.map((p: { feedback: { impressions: number; origin: string } }) => p.feedback),
    ).toEqual([0, 1, 2, 3].map((i) => expect.objectContaining({ impressions: 2000 + i, origin: "import" })));
    expect(await feedbackRows()).toBe(before + 4);
    // B cannot import onto A's file.
    expect(
      (await call(B, "POST", "/api/v1/content/feedback/import", { fileId: good, columns: COLUMNS }))
        .statusCode,
    ).toBe(404);
  });

  it("feeds every scored post to the writer's next run: the learning loop sees 8 posts and fits its model", async () => {
    const list = (await call(A, "GET", "/api/v1/content/posts?limit=100")).json();
    expect(list.total).toBe(8);
    expect(list.items.every((p: { feedback: unknown }) => p.feedback !== null)).toBe(true);
    const first = await runTopic(A, EXAMPLE_TOPICS[0]!);
    expect(first.input.history).toHaveLength(8);
    expect(first.output.learning.posts).toHaveLength(8);
    expect(first.output.learning.model).not.toBeNull();
    // The next run starts from the pattern usage the last one left.
    const second = await runTopic(A, EXAMPLE_TOPICS[1]!);
    const used = Object.entries(first.output.learning.patternUsage);
    expect(used.length).toBeGreaterThan(0); // the scored history yields at least one applied pattern
    expect(second.input.patternUsage).toEqual(first.output.learning.patternUsage);
    // …and a pattern applied again counts up from there (1 → 2), not from zero.
    const [patternId, count] = used[0]!;
    if (second.output.learning.patternUsage[patternId] !== undefined)
      expect(second.output.learning.patternUsage[patternId]).toBeGreaterThanOrEqual(count);
    // Another writer in the organization learns from their own posts only.
    const colleague = await addMember(t.app, A, "analyst");
    const theirs = await call(colleague, "POST", "/api/v1/content/runs?wait=30", {
      topic: EXAMPLE_TOPICS[0],
    });
    expect(theirs.json().input.history).toEqual([]);
  });
});
