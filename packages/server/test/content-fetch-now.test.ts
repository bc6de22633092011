import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueSources } from "../src/content/ingest.ts";
import { contentSources } from "../src/db/schema.ts";
import { createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * "Fetch now" (issue 17 item 6): a source becomes due at once for the ingestion job, keeps a
 * failing source's backoff, and is refused while a fetch of it runs or while it is paused.
 */
let t: TestApp;
let A: Awaited<ReturnType<typeof createOwner>>;
let B: Awaited<ReturnType<typeof createOwner>>;
const HOUR = 3600_000;

const source = async (orgId: string, url: string, extra: Partial<typeof contentSources.$inferInsert> = {}) =>
  (
    await t.database.db
      .insert(contentSources)
      .values({
        orgId,
        name: url,
        url,
        kind: "rss",
        host: new URL(url).host,
        credibility: 0.8,
        intervalMinutes: 360,
        nextAttemptAt: new Date(Date.now() + 5 * HOUR),
        ...extra,
      })
      .returning()
  )[0]!;
const fetchNow = (as: typeof A, id: string) =>
  request(t.app, as, { method: "POST", url: `/api/v1/content/sources/${id}/fetch` });

beforeAll(async () => {
  t = await createTestApp();
  A = await createOwner(t.app, "A");
  B = await createOwner(t.app, "B");
}, 180_000);
afterAll(async () => t?.close());

describe("fetch now", () => {
  it("makes a source due now, so the ingestion job's next claim takes it", async () => {
    const s = await source(A.orgId, "https://a.example/feed");
    expect(await claimDueSources(t.database.db, new Date(), 50, 60_000)).toEqual([]);
    const res = await fetchNow(A, s.id);
    expect(res.statusCode, res.body).toBe(202);
    expect(Date.parse(res.json().health.nextAttemptAt ?? res.json().nextAttemptAt)).toBeLessThanOrEqual(
      Date.now(),
    );
    const claimed = await claimDueSources(t.database.db, new Date(Date.now() + 1000), 50, 60_000);
    expect(claimed.map((c) => c.id)).toEqual([s.id]);
    // Now it is leased: a second "fetch now" is a 409 naming the running fetch, and nothing changes.
    const again = await fetchNow(A, s.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("fetch_in_progress");
  });

  it("keeps a failing source's backoff and refuses a paused one; another org's source is a 404", async () => {
    const backoffUntil = new Date(Date.now() + 2 * 60_000);
    const failing = await source(A.orgId, "https://b.example/feed", {
      status: "failing",
      consecutiveFailures: 2,
      nextAttemptAt: backoffUntil,
    });
    const res = await fetchNow(A, failing.id);
    expect(res.statusCode, res.body).toBe(202);
    const [row] = await t.database.db.select().from(contentSources).where(eq(contentSources.id, failing.id));
    expect(row!.nextAttemptAt.getTime()).toBe(backoffUntil.getTime());

    const paused = await source(A.orgId, "https://c.example/feed", { enabled: false });
    expect((await fetchNow(A, paused.id)).statusCode).toBe(409);
    const others = await source(B.orgId, "https://d.example/feed");
    expect((await fetchNow(A, others.id)).statusCode).toBe(404);
    const [untouched] = await t.database.db
      .select()
      .from(contentSources)
      .where(eq(contentSources.id, others.id));
    expect(untouched!.nextAttemptAt.getTime()).toBe(others.nextAttemptAt.getTime());
  });
});
