import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentPublications, linkedinConnections, linkedinOauthStates } from "../src/db/schema.ts";
import { toLittleText } from "../src/linkedin/client.ts";
import { addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { type FakeLinkedIn, startFakeLinkedIn } from "./linkedin-fake-server.ts";

/**
 * LinkedIn publishing (issue 17 item 5) against a local fake of LinkedIn's documented endpoints:
 * connect → LinkedIn's consent → callback → publish; the state's single use, expiry and owner;
 * token refresh (before use and after a 401); 429 waited out or answered; scheduling published
 * once by concurrent ticks, and cancelled; the 3,000-character limit; org and person isolation.
 */
let fake: FakeLinkedIn;
let t: TestApp;
type Owner = Awaited<ReturnType<typeof createOwner>>;
let A: Owner;
let B: Owner;
let colleague: Owner;

const org = (o: Owner) => ({ "x-organization-id": o.orgId });
const call = (o: Owner, method: "GET" | "POST" | "DELETE", url: string, payload?: unknown) =>
  request(t.app, o, { method, url: `/api/v1${url}`, headers: org(o), ...(payload ? { payload } : {}) });

/** Starts connecting as `o`, lets the fake's member consent, answers the callback's query. */
async function authorize(o: Owner): Promise<{ code: string; state: string; authorizeUrl: string }> {
  const res = await call(o, "POST", "/content/linkedin/connect");
  expect(res.statusCode).toBe(200);
  const { authorizeUrl } = res.json();
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get("location")!);
  return {
    authorizeUrl,
    code: back.searchParams.get("code") ?? "",
    state: back.searchParams.get("state") ?? "",
  };
}
const callback = (o: Owner, q: Record<string, string>, accept = "text/html,application/xhtml+xml") =>
  request(t.app, o, {
    method: "GET",
    url: `/api/v1/content/linkedin/callback?${new URLSearchParams(q)}`,
    headers: { accept },
  });

const postsCalls = () => fake.calls.filter((c) => c.path === "/rest/posts");
const tokenCalls = (grant: string) =>
  fake.calls.filter(
    (c) => c.path === "/oauth/v2/accessToken" && (c.body as Record<string, string>).grant_type === grant,
  );

beforeAll(async () => {
  fake = await startFakeLinkedIn();
  t = await createTestApp({
    LINKEDIN_CLIENT_ID: fake.clientId,
    LINKEDIN_CLIENT_SECRET: fake.clientSecret,
    LINKEDIN_REDIRECT_URL: fake.redirectUrl,
    LINKEDIN_AUTH_BASE: fake.url,
    LINKEDIN_API_BASE: fake.url,
    LINKEDIN_RETRY_MAX_WAIT_MS: "2000",
    LLM_MASTER_KEY: randomBytes(32).toString("base64"),
  });
  A = await createOwner(t.app, "Writer A");
  B = await createOwner(t.app, "Writer B");
  colleague = await addMember(t.app, A, "analyst");
}, 180_000); // migrations and three sign-ups: slow on a loaded machine
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe("connecting", () => {
  it("refuses a state that is unknown, another person's, expired or already used", async () => {
    // Another person's state (same organization): refused, and consumed.
    const theirs = await authorize(colleague);
    let res = await callback(A, { code: theirs.code, state: theirs.state }, "application/json");
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("linkedin_state_invalid");
    expect(res.json().errors[0].path).toBe("query.state");
    res = await callback(colleague, { code: theirs.code, state: theirs.state }, "application/json");
    expect(res.statusCode).toBe(400); // the first presentation used it up

    // Expired.
    const late = await authorize(A);
    await t.database.db.update(linkedinOauthStates).set({ expiresAt: new Date(Date.now() - 1000) });
    res = await callback(A, { code: late.code, state: late.state }, "application/json");
    expect(res.json().code).toBe("linkedin_state_invalid");
    expect(res.json().detail).toMatch(/expired/);

    // Made up; and a browser is sent back to the page with the code.
    res = await callback(A, { code: "x", state: "made-up" }, "text/html");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/content/ask?linkedin=failed&code=linkedin_state_invalid");

    // The member refuses consent.
    fake.refuseConsent = true;
    const refused = await authorize(A);
    expect(refused.code).toBe("");
    res = await callback(A, { state: refused.state, error: "user_cancelled_authorize" }, "application/json");
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe("query.error");
    expect((await call(A, "GET", "/content/linkedin")).json().connected).toBe(false);
    // No code was ever exchanged for any of these.
    expect(tokenCalls("authorization_code")).toHaveLength(0);
  });

  it("connects: documented authorization URL, code exchanged, member from userinfo, tokens sealed", async () => {
    const { code, state, authorizeUrl } = await authorize(A);
    const u = new URL(authorizeUrl);
    expect(u.origin + u.pathname).toBe(`${fake.url}/oauth/v2/authorization`);
    expect(u.searchParams.get("scope")).toBe("openid profile w_member_social");
    expect(u.searchParams.get("response_type")).toBe("code");
    expect(u.searchParams.get("redirect_uri")).toBe(fake.redirectUrl);
    expect(state.length).toBeGreaterThanOrEqual(32);

    const res = await callback(A, { code, state });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/content/ask?linkedin=connected");
    // The same state again: used.
    expect((await callback(A, { code, state }, "application/json")).json().code).toBe(
      "linkedin_state_invalid",
    );

    const status = (await call(A, "GET", "/content/linkedin")).json();
    expect(status).toMatchObject({
      configured: true,
      connected: true,
      memberUrn: "urn:li:person:aBc123XyZ",
      memberName: "Ada Writer",
    });
    expect(Date.parse(status.accessExpiresAt) - Date.now()).toBeGreaterThan(59 * 24 * 3600_000);
    expect(tokenCalls("authorization_code")).toHaveLength(1);
    const ui = fake.calls.find((c) => c.path === "/v2/userinfo")!;
    const bearer = ui.headers.authorization!.slice("Bearer ".length);
    const [row] = await t.database.db.select().from(linkedinConnections);
    expect(JSON.stringify(row)).not.toContain(bearer);
    expect(row!.accessToken.masterKeyId).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe("publishing", () => {
  it("publishes now through the Posts API and records the post for feedback", async () => {
    const text = "Rates rose 5% (per the Fed) — ask @econ [thread] #Macro #rates_2026";
    const res = await call(A, "POST", "/content/linkedin/publications", { variantKind: "analytical", text });
    expect(res.statusCode).toBe(201);
    const pub = res.json();
    expect(pub.status).toBe("published");
    expect(pub.urn).toMatch(/^urn:li:share:\d+$/);
    const sent = postsCalls().at(-1)!;
    expect(sent.status).toBe(201);
    expect(sent.headers["linkedin-version"]).toBe("202601");
    expect(sent.headers["x-restli-protocol-version"]).toBe("2.0.0");
    expect(sent.body).toEqual({
      author: "urn:li:person:aBc123XyZ",
      commentary: toLittleText(text),
      visibility: "PUBLIC",
      distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: "PUBLISHED",
      isReshareDisabledByAuthor: false,
    });
    expect(toLittleText(text)).toBe(
      "Rates rose 5% \\(per the Fed\\) — ask \\@econ \\[thread\\] {hashtag|\\#|Macro} {hashtag|\\#|rates\\_2026}",
    );
    expect(fake.posts.get(pub.urn)!.author).toBe("urn:li:person:aBc123XyZ");

    const post = (await call(A, "GET", `/content/posts/${pub.postId}`)).json();
    expect(post.externalId).toBe(pub.urn.toLowerCase());
    expect(post.text).toBe(text);
    const fb = await call(A, "POST", "/content/feedback", {
      postId: pub.postId,
      impressions: 1000,
      reactions: 40,
      comments: 5,
      reposts: 5,
    });
    expect(fb.statusCode).toBe(201);
    expect(fb.json().feedback.engagementRate).toBe(0.05);
  });

  it("refuses a draft over 3,000 characters at the field, changing nothing", async () => {
    const before = (await call(A, "GET", "/content/linkedin/publications")).json().items.length;
    const calls = postsCalls().length;
    const res = await call(A, "POST", "/content/linkedin/publications", {
      variantKind: "engaging",
      text: "x".repeat(3001),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "body.text", message: "3001 characters; LinkedIn allows at most 3000" },
    ]);
    expect((await call(A, "GET", "/content/linkedin/publications")).json().items).toHaveLength(before);
    expect(postsCalls()).toHaveLength(calls);
    // Exactly 3,000 goes through.
    const ok = await call(A, "POST", "/content/linkedin/publications", {
      variantKind: "engaging",
      text: "y".repeat(3000),
    });
    expect(ok.statusCode).toBe(201);
  });

  it("refreshes an access token that expired, and once after LinkedIn refuses one; then fails clearly", async () => {
    // Expired by our clock: refreshed before the call.
    await t.database.db.update(linkedinConnections).set({ accessExpiresAt: new Date(Date.now() - 1000) });
    let refreshes = tokenCalls("refresh_token").length;
    let res = await call(A, "POST", "/content/linkedin/publications", {
      variantKind: "analytical",
      text: "one",
    });
    expect(res.statusCode).toBe(201);
    expect(tokenCalls("refresh_token")).toHaveLength(refreshes + 1);
    const [conn] = await t.database.db.select().from(linkedinConnections);
    expect(conn!.accessExpiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * 24 * 3600_000);

    // Valid by our clock, refused by LinkedIn (401): refreshed once, posted.
    fake.expireAccessTokens();
    refreshes = tokenCalls("refresh_token").length;
    const posts = postsCalls().length;
    res = await call(A, "POST", "/content/linkedin/publications", { variantKind: "analytical", text: "two" });
    expect(res.statusCode).toBe(201);
    expect(tokenCalls("refresh_token")).toHaveLength(refreshes + 1);
    expect(
      postsCalls()
        .slice(posts)
        .map((c) => c.status),
    ).toEqual([401, 201]);

    // Refused again after the refresh: no loop, a clear error, the publication failed.
    fake.expireAccessTokens();
    fake.accessTtlSeconds = 0;
    try {
      res = await call(A, "POST", "/content/linkedin/publications", {
        variantKind: "analytical",
        text: "three",
      });
    } finally {
      fake.accessTtlSeconds = 5_184_000;
    }
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("linkedin_reconnect_needed");
    expect(res.json().detail).toMatch(/after refreshing/);
    const failed = (await call(A, "GET", "/content/linkedin/publications?status=failed")).json().items;
    expect(failed.map((p: { text: string }) => p.text)).toContain("three");
    // A fresh, good token for the next tests.
    await t.database.db.update(linkedinConnections).set({ accessExpiresAt: new Date(0) });
  });

  it("waits out a short 429 once, and answers a long one with Retry-After", async () => {
    fake.throttlePosts(1, 1);
    const posts = postsCalls().length;
    const started = Date.now();
    let res = await call(A, "POST", "/content/linkedin/publications", {
      variantKind: "analytical",
      text: "429 short",
    });
    expect(res.statusCode).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(
      postsCalls()
        .slice(posts)
        .map((c) => c.status),
    ).toEqual([429, 201]);

    fake.throttlePosts(1, 120);
    res = await call(A, "POST", "/content/linkedin/publications", {
      variantKind: "analytical",
      text: "429 long",
    });
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe("linkedin_rate_limited");
    expect(res.headers["retry-after"]).toBe("120");
  });
});

describe("scheduling", () => {
  const due = async (id: string) =>
    t.database.db
      .update(contentPublications)
      .set({ scheduledAt: new Date(Date.now() - 1000) })
      .where(eq(contentPublications.id, id));

  it("publishes a due post once, however many ticks run at once", async () => {
    const at = new Date(Date.now() + 3600_000).toISOString();
    const res = await call(A, "POST", "/content/linkedin/publications", {
      variantKind: "contrarian",
      text: "scheduled once",
      scheduledAt: at,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: "scheduled", scheduledAt: at, urn: null });
    const li = t.app.deps.linkedin;
    expect((await li.publishDue()).claimed).toBe(0); // not due yet
    await due(res.json().id);
    const posts = fake.posts.size;
    const ticks = await Promise.all([li.publishDue(), li.publishDue(), li.publishDue()]);
    expect(ticks.reduce((n, s) => n + s.published, 0)).toBe(1);
    expect(ticks.reduce((n, s) => n + s.claimed, 0)).toBe(1);
    expect((await li.publishDue()).claimed).toBe(0);
    expect(fake.posts.size).toBe(posts + 1);
    const [row] = await t.database.db
      .select()
      .from(contentPublications)
      .where(eq(contentPublications.id, res.json().id));
    expect(row).toMatchObject({ status: "published", attempts: 1 });
    expect(fake.posts.get(row!.urn!)!.commentary).toBe("scheduled once");
  });

  it("reschedules a throttled post at Retry-After, and a cancelled one never goes out", async () => {
    const li = t.app.deps.linkedin;
    const at = new Date(Date.now() + 3600_000).toISOString();
    const a = (
      await call(A, "POST", "/content/linkedin/publications", {
        variantKind: "x",
        text: "throttled",
        scheduledAt: at,
      })
    ).json();
    await due(a.id);
    fake.throttlePosts(1, 300);
    expect((await li.publishDue()).failed).toBe(1);
    const [row] = await t.database.db
      .select()
      .from(contentPublications)
      .where(eq(contentPublications.id, a.id));
    expect(row!.status).toBe("scheduled");
    expect(row!.scheduledAt!.getTime() - Date.now()).toBeGreaterThan(290_000);

    const c = (
      await call(A, "POST", "/content/linkedin/publications", {
        variantKind: "x",
        text: "cancel me",
        scheduledAt: at,
      })
    ).json();
    const cancelled = await call(A, "POST", `/content/linkedin/publications/${c.id}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().status).toBe("cancelled");
    await due(c.id);
    await li.publishDue();
    expect([...fake.posts.values()].some((p) => p.commentary.includes("cancel me"))).toBe(false);
    const again = await call(A, "POST", `/content/linkedin/publications/${c.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("publication_state_conflict");
  });

  it("refuses a time in the past at the field", async () => {
    const res = await call(A, "POST", "/content/linkedin/publications", {
      variantKind: "x",
      text: "late",
      scheduledAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe("body.scheduledAt");
  });
});

describe("isolation", () => {
  it("another organization, or a colleague, neither sees nor uses the connection", async () => {
    for (const other of [B, colleague]) {
      expect((await call(other, "GET", "/content/linkedin")).json()).toMatchObject({
        connected: false,
        memberUrn: null,
      });
      const res = await call(other, "POST", "/content/linkedin/publications", {
        variantKind: "x",
        text: "not mine",
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe("linkedin_not_connected");
      if (other === B)
        expect((await call(other, "GET", "/content/linkedin/publications")).json().items).toEqual([]);
    }
    // A colleague may schedule before connecting; at its time it fails, naming why, and posts nothing.
    const early = (
      await call(colleague, "POST", "/content/linkedin/publications", {
        variantKind: "x",
        text: "before connecting",
        scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
      })
    ).json();
    await t.database.db
      .update(contentPublications)
      .set({ scheduledAt: new Date(Date.now() - 1000) })
      .where(eq(contentPublications.id, early.id));
    expect(await t.app.deps.linkedin.publishDue()).toMatchObject({ claimed: 1, failed: 1 });
    const [failed] = (await call(colleague, "GET", "/content/linkedin/publications")).json().items;
    expect(failed).toMatchObject({ id: early.id, status: "failed", urn: null });
    expect(failed.error).toMatch(/Connect LinkedIn/);
    const mine = (await call(A, "GET", "/content/linkedin/publications")).json().items[0];
    for (const other of [B, colleague]) {
      const res = await call(other, "POST", `/content/linkedin/publications/${mine.id}/cancel`);
      expect(res.statusCode).toBe(404);
    }
    // B connecting LinkedIn (the same member, even) does not touch A's connection.
    const b = await authorize(B);
    const connected = await callback(B, { code: b.code, state: b.state }, "application/json");
    expect(connected.statusCode).toBe(200);
    expect(connected.json()).toMatchObject({ connected: true, memberUrn: "urn:li:person:aBc123XyZ" });
    expect(await t.database.db.select().from(linkedinConnections)).toHaveLength(2);
  });

  it("disconnects: tokens deleted, publishing refused until connected again", async () => {
    const res = await call(A, "DELETE", "/content/linkedin");
    expect(res.statusCode).toBe(204);
    expect((await call(A, "GET", "/content/linkedin")).json().connected).toBe(false);
    const pub = await call(A, "POST", "/content/linkedin/publications", { variantKind: "x", text: "gone" });
    expect(pub.json().code).toBe("linkedin_not_connected");
    expect(
      await t.database.db.select().from(linkedinConnections).where(eq(linkedinConnections.orgId, A.orgId)),
    ).toHaveLength(0);
  });
});

describe("the publications list", () => {
  it("pages newest first with a cursor: every row once, rows a microsecond apart kept apart", async () => {
    const P = await createOwner(t.app, "Paging");
    const other = await createOwner(t.app, "Paging other");
    // 7 publications: 4 in the same millisecond (a microsecond apart), then 3 a second apart.
    const base = Date.parse("2026-11-20T10:00:00.123Z");
    const micros = [0, 1, 2, 3, 1_000_000, 2_000_000, 3_000_000];
    for (const [k, us] of micros.entries())
      await t.database.db.execute(sql`insert into content_publications (org_id, user_id, variant_kind, text, status, created_at)
        values (${P.orgId}, ${P.userId}, 'analytical', ${`post ${k}`}, 'published',
          ${new Date(base).toISOString()}::timestamptz + make_interval(secs => ${us / 1e6}))`);
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/content/linkedin/publications?limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await call(P, "GET", q);
      expect(res.statusCode, res.body).toBe(200);
      const body: { items: { text: string }[]; nextCursor: string | null } = res.json();
      pages.push(body.items.length);
      seen.push(...body.items.map((i) => i.text));
      cursor = body.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([3, 3, 1]);
    expect(seen).toEqual(["post 6", "post 5", "post 4", "post 3", "post 2", "post 1", "post 0"]);
    // Exactly one page: no cursor for a next one.
    const all = (await call(P, "GET", "/content/linkedin/publications?limit=7")).json();
    expect(all.items).toHaveLength(7);
    expect(all.nextCursor).toBeNull();
    // Another person's list does not include them, whatever cursor it is given.
    const first = (await call(P, "GET", "/content/linkedin/publications?limit=1")).json();
    const theirs = await call(other, "GET", `/content/linkedin/publications?cursor=${first.nextCursor}`);
    expect(theirs.json().items).toEqual([]);
    // A cursor that is not one: a field error, not a 500.
    for (const bad of ["bm9wZQ", "not a cursor!", "x".repeat(201)]) {
      const res = await call(P, "GET", `/content/linkedin/publications?cursor=${encodeURIComponent(bad)}`);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(["query.cursor"]);
    }
  });
});

describe("not configured", () => {
  it("says so; nothing pretends to publish", async () => {
    const bare = await createTestApp();
    try {
      const o = await createOwner(bare.app, "Bare");
      const get = await request(bare.app, o, {
        method: "GET",
        url: "/api/v1/content/linkedin",
        headers: { "x-organization-id": o.orgId },
      });
      expect(get.json()).toMatchObject({ configured: false, connected: false });
      for (const [method, url, payload] of [
        ["POST", "/api/v1/content/linkedin/connect", undefined],
        ["POST", "/api/v1/content/linkedin/publications", { variantKind: "x", text: "hello" }],
      ] as const) {
        const res = await request(bare.app, o, {
          method,
          url,
          headers: { "x-organization-id": o.orgId },
          payload,
        });
        expect(res.statusCode).toBe(503);
        expect(res.json().code).toBe("linkedin_not_configured");
      }
    } finally {
      await bare.close();
    }
  }, 180_000); // a second app: its migrations take a while on a loaded machine
});
