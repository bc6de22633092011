import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, contentItems, contentSources } from "../src/db/schema.ts";
import { contentItemsDaysOf } from "../src/retention/policy.ts";
import { sweepRetention } from "../src/retention/sweep.ts";
import { addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Per-organization retention of content items (issue 17): the server's
 * CONTENT_ITEMS_RETENTION_DAYS is the default; an organization's admin may set its own period, keep
 * items forever, or hand it back to the server — validated, audited, and applied by the sweep to
 * that organization alone.
 */
let t: TestApp;
type Owner = Awaited<ReturnType<typeof createOwner>>;
const DAY = 24 * 3600_000;
const SERVER_DAYS = 90;
const now = new Date("2031-06-15T12:00:00Z");

const get = (as: Owner) => request(t.app, as, { method: "GET", url: "/api/v1/org/retention" });
const put = (as: Owner, payload: unknown) =>
  request(t.app, as, { method: "PUT", url: "/api/v1/org/retention", payload });
const periods = { filesDays: 30, runsDays: null, expiredShareLinksDays: 30 };

/** Items published and fetched 10, 40, 100 and 400 days before `now`; their ids by age. */
async function storeAged(orgId: string): Promise<Map<number, string>> {
  const db = t.database.db;
  const [source] = await db
    .insert(contentSources)
    .values({
      orgId,
      name: "Feed",
      url: `https://feed-${orgId}.example/rss`,
      kind: "rss",
      host: `feed-${orgId}.example`,
      domains: [],
      credibility: 0.8,
      intervalMinutes: 360,
      enabled: false,
    })
    .returning();
  const ids = new Map<number, string>();
  for (const age of [10, 40, 100, 400]) {
    const at = new Date(now.getTime() - age * DAY);
    const [row] = await db
      .insert(contentItems)
      .values({
        orgId,
        sourceId: source!.id,
        urlKey: `feed.example/${orgId}/${age}`,
        url: `https://feed.example/${age}`,
        title: `Story ${age}`,
        text: `Text of the story ${age} days old`,
        publishedAt: at,
        fetchedAt: at,
        datedBySource: true,
        contentHash: createHash("sha256").update(`${orgId}${age}`).digest("hex"),
      })
      .returning();
    ids.set(age, row!.id);
  }
  return ids;
}

const remaining = async (orgId: string) =>
  (
    await t.database.db
      .select({ title: contentItems.title })
      .from(contentItems)
      .where(eq(contentItems.orgId, orgId))
  )
    .map((r) => r.title)
    .sort();

beforeAll(async () => {
  t = await createTestApp({ CONTENT_ITEMS_RETENTION_DAYS: String(SERVER_DAYS) });
});
afterAll(async () => t?.close());

describe("content items retention per organization", () => {
  it("follows the server by default; an admin sets the org's own, audited; others' policies are untouched", async () => {
    const a = await createOwner(t.app, "Content retention A");
    const b = await createOwner(t.app, "Content retention B");
    expect((await get(a)).json()).toMatchObject({
      contentItemsDays: SERVER_DAYS,
      contentItemsDaysSource: "server",
      serverContentItemsDays: SERVER_DAYS,
    });
    const analyst = await addMember(t.app, a, "analyst");
    expect((await put(analyst, { ...periods, contentItemsDays: 30 })).statusCode).toBe(403);
    const admin = await addMember(t.app, a, "admin");
    const set = await put(admin, { ...periods, contentItemsDays: 30 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ contentItemsDays: 30, contentItemsDaysSource: "organization" });
    // Left out: stays as it is (clients that predate the field keep working).
    expect((await put(admin, { ...periods, filesDays: 20 })).json()).toMatchObject({
      filesDays: 20,
      contentItemsDays: 30,
      contentItemsDaysSource: "organization",
    });
    // Forever, then back to the server's.
    expect((await put(admin, { ...periods, contentItemsDays: null })).json()).toMatchObject({
      contentItemsDays: null,
      contentItemsDaysSource: "organization",
    });
    expect((await put(admin, { ...periods, contentItemsDays: "server-default" })).json()).toMatchObject({
      contentItemsDays: SERVER_DAYS,
      contentItemsDaysSource: "server",
    });
    const events = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, a.orgId), eq(auditEvents.action, "retention.policy_updated")));
    expect(
      events.map((e) => {
        const m = e.metadata as {
          before: { contentItemsDays: unknown };
          after: { contentItemsDays: unknown };
        };
        return [e.actorUserId, m.before.contentItemsDays, m.after.contentItemsDays];
      }),
    ).toEqual([
      [admin.userId, SERVER_DAYS, 30],
      [admin.userId, 30, 30],
      [admin.userId, 30, null],
      [admin.userId, null, SERVER_DAYS],
    ]);
    // B never changed anything: still the server's.
    expect((await get(b)).json()).toMatchObject({
      contentItemsDays: SERVER_DAYS,
      contentItemsDaysSource: "server",
    });
  });

  it("refuses bad values with the field named, changing nothing", async () => {
    const a = await createOwner(t.app, "Content retention bad");
    expect((await put(a, { ...periods, contentItemsDays: 45 })).statusCode).toBe(200);
    for (const bad of [0, -3, 1.5, 36_501, "90", "forever", true]) {
      const res = await put(a, { ...periods, contentItemsDays: bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain("body.contentItemsDays");
    }
    expect((await get(a)).json()).toMatchObject({
      contentItemsDays: 45,
      contentItemsDaysSource: "organization",
    });
  });

  it("the sweep applies each organization's own period, and the server's to the others", async () => {
    const own = await createOwner(t.app, "Sweep own 30");
    const forever = await createOwner(t.app, "Sweep forever");
    const server = await createOwner(t.app, "Sweep server");
    const long = await createOwner(t.app, "Sweep 200");
    expect((await put(own, { ...periods, contentItemsDays: 30 })).statusCode).toBe(200);
    expect((await put(forever, { ...periods, contentItemsDays: null })).statusCode).toBe(200);
    expect((await put(long, { ...periods, contentItemsDays: 200 })).statusCode).toBe(200);
    for (const o of [own, forever, server, long]) await storeAged(o.orgId);
    const all = ["Story 10", "Story 100", "Story 40", "Story 400"];

    const s = await sweepRetention({
      db: t.database.db,
      store: t.app.fileStore,
      now,
      contentItemsDays: SERVER_DAYS,
    });
    expect(s.skipped).toBe(false);
    expect(await remaining(own.orgId)).toEqual(["Story 10"]);
    expect(await remaining(forever.orgId)).toEqual(all);
    expect(await remaining(server.orgId)).toEqual(["Story 10", "Story 40"]);
    expect(await remaining(long.orgId)).toEqual(["Story 10", "Story 100", "Story 40"]);
    // The sweep's audit names each organization's own period.
    const audited = await t.database.db
      .select({ orgId: auditEvents.orgId, metadata: auditEvents.metadata })
      .from(auditEvents)
      .where(eq(auditEvents.action, "retention.content_items_deleted"));
    const days = (orgId: string) =>
      audited
        .filter((e) => e.orgId === orgId)
        .map((e) => (e.metadata as { olderThanDays: number }).olderThanDays);
    expect(days(own.orgId)).toEqual([30]);
    expect(days(server.orgId)).toEqual([SERVER_DAYS]);
    expect(days(forever.orgId)).toEqual([]);
  });

  it("contentItemsDaysOf: stored null follows the server, 0 keeps forever, n is n", () => {
    expect(contentItemsDaysOf(null, 90)).toBe(90);
    expect(contentItemsDaysOf(null, 0)).toBeNull();
    expect(contentItemsDaysOf(null, null)).toBeNull();
    expect(contentItemsDaysOf(0, 90)).toBeNull();
    expect(contentItemsDaysOf(30, 90)).toBe(30);
    expect(contentItemsDaysOf(3000, null)).toBe(3000);
  });
});
