import { randomBytes } from "node:crypto";
import {
  type ContentIntelOutput,
  contentIntel,
  EXAMPLE_AS_OF,
  EXAMPLE_ITEMS,
  EXAMPLE_TOPICS,
} from "@modelworks/engine-content-intel";
import { createContext, executeModel } from "@modelworks/model-kit";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentPosts, contentPublications, runs } from "../src/db/schema.ts";
import { toLittleText } from "../src/linkedin/client.ts";
import { createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { type FakeLinkedIn, startFakeLinkedIn } from "./linkedin-fake-server.ts";

/**
 * Publishing the writer's edited draft (issue 17 items 3 and 5): the text sent is the edit, not
 * the run's; it is checked again — every number, percentage, date and quote must be in an item
 * the variant cites, the voice settings and LinkedIn's limits hold — a flagged edit is refused
 * with its spans unless the writer accepts the flags, which are then kept; the stored
 * publication and post keep the text as published, now or when a scheduled one goes out.
 */
let fake: FakeLinkedIn;
let t: TestApp;
let A: Awaited<ReturnType<typeof createOwner>>;
let runId: string;
let analytical: ContentIntelOutput["variants"][number];
const BANNED = "synergy";

const call = (method: "GET" | "POST", url: string, payload?: unknown) =>
  request(t.app, A, {
    method,
    url: `/api/v1${url}`,
    headers: { "x-organization-id": A.orgId },
    ...(payload ? { payload } : {}),
  });
const postsCalls = () => fake.calls.filter((c) => c.path === "/rest/posts");
const publications = async () => (await call("GET", "/content/linkedin/publications")).json().items;

beforeAll(async () => {
  fake = await startFakeLinkedIn();
  t = await createTestApp({
    LINKEDIN_CLIENT_ID: fake.clientId,
    LINKEDIN_CLIENT_SECRET: fake.clientSecret,
    LINKEDIN_REDIRECT_URL: fake.redirectUrl,
    LINKEDIN_AUTH_BASE: fake.url,
    LINKEDIN_API_BASE: fake.url,
    LLM_MASTER_KEY: randomBytes(32).toString("base64"),
  });
  A = await createOwner(t.app, "Editor");
  // Connect through the fake's consent page, as a browser would.
  const { authorizeUrl } = (await call("POST", "/content/linkedin/connect")).json();
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  const back = new URL(consent.headers.get("location")!);
  const cb = await request(t.app, A, {
    method: "GET",
    url: `/api/v1/content/linkedin/callback?code=${back.searchParams.get("code")}&state=${back.searchParams.get("state")}`,
    headers: { accept: "application/json" },
  });
  expect(cb.json().connected).toBe(true);
  // A real content-intel run on the engine's example items, stored as the worker stores one.
  const input = {
    topic: EXAMPLE_TOPICS[0],
    asOf: EXAMPLE_AS_OF,
    items: EXAMPLE_ITEMS,
    voice: { bannedWords: [BANNED] },
  };
  const output = (await executeModel(contentIntel, input, createContext())) as ContentIntelOutput;
  analytical = output.variants.find((v) => v.kind === "analytical")!;
  expect(analytical.clean).toBe(true);
  const [row] = await t.database.db
    .insert(runs)
    .values({
      orgId: A.orgId,
      modelId: contentIntel.id,
      modelVersion: contentIntel.version,
      input,
      inputHash: `edited-draft-${Date.now()}`,
      status: "succeeded",
      progress: 1,
      output,
      timeoutMs: 60_000,
      startedAt: new Date(),
      finishedAt: new Date(),
    })
    .returning();
  runId = row!.id;
}, 180_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

/** The analytical draft with a sentence the writer added in front. */
const edit = (added: string) => `${added}\n\n${analytical.text}`;

describe("checking an edited draft", () => {
  it("the run's own draft is clean; an invented figure is flagged at its characters", async () => {
    const own = (
      await call("POST", "/content/drafts/check", { runId, variantKind: "analytical", text: analytical.text })
    ).json();
    expect(own).toMatchObject({ clean: true, flags: [], maxChars: 3000, maxHashtags: 3 });
    expect(own.chars).toBe([...analytical.text].length);
    expect(own.citedItemIds).toEqual(analytical.citations.map((c) => c.itemId));

    const text = edit("Adoption is up 73% since March 2024.");
    const res = await call("POST", "/content/drafts/check", { runId, variantKind: "analytical", text });
    expect(res.statusCode).toBe(200);
    const check = res.json();
    expect(check.clean).toBe(false);
    const spans = check.flags.map((f: { start: number; end: number }) => text.slice(f.start, f.end));
    expect(spans).toEqual(["73%", "March 2024"]);
    expect(check.flags[0]).toMatchObject({
      kind: "unsupported-claim",
      text: "73%",
      start: 15,
      end: 18,
      message: 'percent "73%" appears in none of the cited items',
    });
  });

  it("voice rules hold on the edit: the banned word and hashtags over the writer's 3 are flagged", async () => {
    const own = (
      await call("POST", "/content/drafts/check", { runId, variantKind: "analytical", text: analytical.text })
    ).json();
    expect(own.hashtags).toBe(3); // the run's draft is at the writer's limit
    const text = edit(`Pure ${BANNED}. #lending`);
    const check = (
      await call("POST", "/content/drafts/check", { runId, variantKind: "analytical", text })
    ).json();
    expect(check.hashtags).toBe(4);
    expect(check.flags.map((f: { kind: string }) => f.kind).sort()).toEqual([
      "banned-word",
      "too-many-hashtags",
    ]);
    const banned = check.flags.find((f: { kind: string }) => f.kind === "banned-word");
    expect(text.slice(banned.start, banned.end)).toBe(BANNED);
  });

  it("answers 404 for a run that is not a content-intel run here, 422 for a variant it lacks", async () => {
    const other = await call("POST", "/content/drafts/check", {
      runId: "00000000-0000-4000-8000-000000000000",
      variantKind: "analytical",
      text: "x",
    });
    expect(other.statusCode).toBe(404);
    expect(other.json().errors[0].path).toBe("body.runId");
    const kind = await call("POST", "/content/drafts/check", { runId, variantKind: "poem", text: "x" });
    expect(kind.statusCode).toBe(422);
    expect(kind.json().errors[0]).toEqual({
      path: "body.variantKind",
      message: "the run has no poem variant",
    });
  });
});

describe("publishing the edit", () => {
  it("sends the edited text, not the run's, and the publication and post keep it", async () => {
    // A clean edit: a line with no figures in front of the run's draft.
    const text = edit("My take after a week of reading:");
    const res = await call("POST", "/content/linkedin/publications", {
      runId,
      variantKind: "analytical",
      text,
    });
    expect(res.statusCode).toBe(201);
    const pub = res.json();
    expect(pub).toMatchObject({ status: "published", text, flags: [] });
    expect(postsCalls().at(-1)!.body).toMatchObject({ commentary: toLittleText(text) });
    const [post] = await t.database.db.select().from(contentPosts).where(eq(contentPosts.id, pub.postId));
    expect(post!.text).toBe(text);
    expect(post!.text).not.toBe(analytical.text);
    expect(post!.predicted).toBe(analytical.prediction.enhanced);
  });

  it("refuses an edit with an unsupported figure, naming its span, and posts and stores nothing", async () => {
    const before = (await publications()).length;
    const calls = postsCalls().length;
    const text = edit("Adoption is up 73%.");
    const res = await call("POST", "/content/linkedin/publications", {
      runId,
      variantKind: "analytical",
      text,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("draft_flagged");
    expect(res.json().errors).toEqual([
      { path: "body.text", message: 'percent "73%" appears in none of the cited items (characters 15–18)' },
    ]);
    expect(await publications()).toHaveLength(before);
    expect(postsCalls()).toHaveLength(calls);
  });

  it("publishes a flagged edit only when the writer accepts the flags, which are kept with it", async () => {
    const text = edit("Adoption is up 73%.");
    const res = await call("POST", "/content/linkedin/publications", {
      runId,
      variantKind: "analytical",
      text,
      acceptFlags: true,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().flags).toEqual([
      {
        kind: "unsupported-claim",
        message: 'percent "73%" appears in none of the cited items',
        text: "73%",
        start: 15,
        end: 18,
      },
    ]);
    const listed = (await publications()).find((p: { id: string }) => p.id === res.json().id);
    expect(listed.flags).toHaveLength(1);
    expect(listed.text).toBe(text);
    // The content post recorded for feedback keeps the same flags.
    const post = (await call("GET", `/content/posts/${res.json().postId}`)).json();
    expect(post.flags).toEqual(res.json().flags);
  });

  it("LinkedIn's limits are no flag to accept: over 3,000 characters or 10 hashtags is refused", async () => {
    const before = (await publications()).length;
    const long = edit("a".repeat(3001));
    let res = await call("POST", "/content/linkedin/publications", {
      runId,
      variantKind: "analytical",
      text: long,
      acceptFlags: true,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("validation_failed");
    expect(res.json().errors[0].message).toBe(`${[...long].length} characters; LinkedIn allows at most 3000`);
    const tags = Array.from({ length: 11 }, (_, i) => `#tag${String.fromCharCode(97 + i)}`).join(" ");
    res = await call("POST", "/content/linkedin/publications", {
      runId,
      variantKind: "analytical",
      text: tags,
      acceptFlags: true,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: "body.text", message: "11 hashtags; at most 10" }]);
    // Without a run too.
    res = await call("POST", "/content/linkedin/publications", { variantKind: "analytical", text: tags });
    expect(res.statusCode).toBe(422);
    expect(await publications()).toHaveLength(before);
  });

  it("without text the run's draft itself is published, checked clean", async () => {
    const res = await call("POST", "/content/linkedin/publications", { runId, variantKind: "analytical" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ text: analytical.text, flags: [] });
  });

  it("a scheduled edit is checked when scheduled and goes out as edited", async () => {
    const at = new Date(Date.now() + 3600_000).toISOString();
    const refused = await call("POST", "/content/linkedin/publications", {
      runId,
      variantKind: "analytical",
      text: edit("Up 73% on 2024-03-01."),
      scheduledAt: at,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.map((e: { message: string }) => e.message)).toEqual([
      'percent "73%" appears in none of the cited items (characters 3–6)',
      'date "2024-03-01" appears in none of the cited items (characters 10–20)',
    ]);
    const text = edit("Scheduled for Monday morning:");
    const res = await call("POST", "/content/linkedin/publications", {
      runId,
      variantKind: "analytical",
      text,
      scheduledAt: at,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: "scheduled", text, flags: [] });
    await t.database.db
      .update(contentPublications)
      .set({ scheduledAt: new Date(Date.now() - 1000) })
      .where(eq(contentPublications.id, res.json().id));
    expect((await t.app.deps.linkedin.publishDue()).published).toBe(1);
    expect(postsCalls().at(-1)!.body).toMatchObject({ commentary: toLittleText(text) });
    const [row] = await t.database.db
      .select()
      .from(contentPublications)
      .where(eq(contentPublications.id, res.json().id));
    expect(row!.status).toBe("published");
    const [post] = await t.database.db.select().from(contentPosts).where(eq(contentPosts.id, row!.postId!));
    expect(post!.text).toBe(text);
  });

  it("a text with no run is not claim-checked (nothing to check against) and says so", async () => {
    const res = await call("POST", "/content/linkedin/publications", {
      variantKind: "analytical",
      text: "Written elsewhere: up 73%.",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().flags).toBeNull();
  });
});

describe("recording a draft posted by hand", () => {
  const postCount = async () => (await call("GET", "/content/posts?limit=100")).json().total as number;
  const at = "2026-11-20T08:30:00.000Z";

  it("checks the edited text like Publish: a flagged one is refused at body.text and nothing is stored", async () => {
    const before = await postCount();
    const text = edit("Adoption is up 73% since March 2024.");
    const res = await call("POST", "/content/posts", {
      runId,
      variantKind: "analytical",
      text,
      publishedAt: at,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("draft_flagged");
    expect(res.json().errors).toEqual([
      { path: "body.text", message: 'percent "73%" appears in none of the cited items (characters 15–18)' },
      {
        path: "body.text",
        message: 'date "March 2024" appears in none of the cited items (characters 25–35)',
      },
    ]);
    expect(await postCount()).toBe(before);
  });

  it("records a flagged edit with acceptFlags, keeping the text as posted and its flags", async () => {
    const text = edit("Adoption is up 73%.");
    const res = await call("POST", "/content/posts", {
      runId,
      variantKind: "analytical",
      text,
      publishedAt: at,
      externalId: "urn:li:activity:7100000000000000001",
      acceptFlags: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    const post = res.json();
    expect(post).toMatchObject({ text, predicted: analytical.prediction.enhanced });
    expect(post.flags).toEqual([
      {
        kind: "unsupported-claim",
        message: 'percent "73%" appears in none of the cited items',
        text: "73%",
        start: 15,
        end: 18,
      },
    ]);
    const [row] = await t.database.db.select().from(contentPosts).where(eq(contentPosts.id, post.id));
    expect(row!.flags).toEqual(post.flags);
    expect(row!.text).toBe(text);
  });

  it("a clean edit is stored as checked ([]); the run's banned word is a flag here too", async () => {
    const clean = await call("POST", "/content/posts", {
      runId,
      variantKind: "analytical",
      text: edit("Posted this one myself:"),
      publishedAt: at,
    });
    expect(clean.statusCode, clean.body).toBe(201);
    expect(clean.json().flags).toEqual([]);
    const banned = await call("POST", "/content/posts", {
      runId,
      variantKind: "analytical",
      text: edit(`Pure ${BANNED}.`),
      publishedAt: at,
    });
    expect(banned.statusCode).toBe(422);
    expect(banned.json().errors.map((e: { path: string }) => e.path)).toEqual(["body.text"]);
  });

  it("a post with no run is recorded unchecked (flags null); an unknown run or variant is refused", async () => {
    const free = await call("POST", "/content/posts", {
      variantKind: "analytical",
      text: "Written elsewhere: up 73%.",
      publishedAt: at,
    });
    expect(free.statusCode).toBe(201);
    expect(free.json().flags).toBeNull();
    const before = await postCount();
    const ghost = await call("POST", "/content/posts", {
      runId: "00000000-0000-4000-8000-000000000000",
      variantKind: "analytical",
      text: "x",
      publishedAt: at,
    });
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json().errors[0].path).toBe("body.runId");
    const kind = await call("POST", "/content/posts", {
      runId,
      variantKind: "poem",
      text: "x",
      publishedAt: at,
    });
    expect(kind.statusCode).toBe(422);
    expect(kind.json().errors[0]).toEqual({
      path: "body.variantKind",
      message: "the run has no poem variant",
    });
    expect(await postCount()).toBe(before);
  });
});
