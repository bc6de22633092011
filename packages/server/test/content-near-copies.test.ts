import { createHash } from "node:crypto";
import { jaccard, NEAR_DUPLICATE_JACCARD, shingles } from "@modelworks/engine-content-intel";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestDueSources } from "../src/content/ingest.ts";
import { contentItemBands, contentItems, contentSources } from "../src/db/schema.ts";
import { createFetchDeps, type FetchDeps } from "../src/sources/index.ts";
import { createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { resolveToLoopback, type SiteServer, send, startSiteServer } from "./sources-server.ts";

/**
 * Near-copies found in bulk (issue 17 item 1, decision 0047): a first load of 600 items, then
 * copies of the oldest of them — 570+ newer items stored, published 45+ days apart — are all
 * found through the MinHash bands (the newest-500-in-7-days window found none of these); an
 * earlier-published copy becomes the original, with the old one's copies; items that share a
 * lot but less than 0.8 and unrelated items are not marked; another organization's items never
 * count; items stored without bands get them at the next store and are found.
 */
let t: TestApp;
let site: SiteServer;
type Owner = Awaited<ReturnType<typeof createOwner>>;
let A: Owner;
let B: Owner;
let C: Owner;

const HOUR = 3600_000;
let seed = 17;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let x = seed;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
};
const VOCAB = Array.from({ length: 3000 }, (_, i) => `term${i.toString(36)}`);
const story = (n = 90) => Array.from({ length: n }, () => VOCAB[Math.floor(rand() * VOCAB.length)]!);

type Entry = { title: string; link: string; text: string; hoursAgo: number };
const rss = (items: Entry[]) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><link>https://x.test/</link>${items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link}</link><pubDate>${new Date(Date.now() - i.hoursAgo * HOUR).toUTCString()}</pubDate><description>${i.text}</description></item>`,
    )
    .join("")}</channel></rss>`;

/** 600 unrelated stories published 10 to 60 days ago, item 0 the newest. */
const BULK = 600;
const bulk: Entry[] = Array.from({ length: BULK }, (_, i) => ({
  title: `Bulk story ${i}`,
  link: `https://bulk.test/story-${i}`,
  text: story().join(" "),
  hoursAgo: 10 * 24 + i * 2,
}));
/** One word changed and a wire footer: a syndicated copy (Jaccard ≈ 0.9). */
const copyOf = (e: Entry, tag: string, hoursAgo: number, footer = "via wire"): Entry => ({
  title: e.title,
  link: `https://wire.test/${tag}`,
  text: `${e.text.replace(/^\S+/, "changed")} ${footer}`,
  hoursAgo,
});
/** Copies of the 30 oldest bulk items, published 5 days ago (45–55 days after their originals). */
const OLD = Array.from({ length: 30 }, (_, k) => BULK - 1 - k);
const lateCopies = OLD.map((i) => copyOf(bulk[i]!, `late-${i}`, 5 * 24));
/** Copies of bulk items 0–4 published 70 days ago, before their originals: they become the originals. */
const earlyCopies = [0, 1, 2, 3, 4].map((i) => copyOf(bulk[i]!, `early-${i}`, 70 * 24));
/** A later copy of bulk item 0 in the same fetch: repointed with item 0 to the early copy. */
const laterCopyOf0 = copyOf(bulk[0]!, "later-0", 3 * 24, "from the wire desk");
/** Two thirds of a bulk story and a new ending: shares many shingles (bands may match), J < 0.8. */
const related: Entry[] = Array.from({ length: 10 }, (_, k) => ({
  title: `Follow-up ${k}`,
  link: `https://other.test/follow-up-${k}`,
  text: [...bulk[100 + k]!.text.split(" ").slice(0, 60), ...story(30)].join(" "),
  hoursAgo: 2 * 24,
}));
const unrelated: Entry[] = Array.from({ length: 30 }, (_, k) => ({
  title: `Fresh ${k}`,
  link: `https://fresh.test/${k}`,
  text: story().join(" "),
  hoursAgo: 24,
}));

const deps = (): FetchDeps =>
  createFetchDeps({
    http: { allowAddresses: ["127.0.0.1"], resolve: resolveToLoopback, totalTimeoutMs: 10_000 },
    politeness: { minIntervalMs: 0 },
    maxItems: 1_000,
  });
const follow = async (as: Owner, host: string) => {
  const res = await request(t.app, as, {
    method: "POST",
    url: "/api/v1/content/sources",
    payload: { name: host, url: site.url("/feed.xml", host), credibility: 0.8, kind: "rss" },
  });
  expect(res.statusCode, res.body).toBe(201);
};
const ingest = () => ingestDueSources({ db: t.database.db, deps: deps() });
const itemsOf = async (orgId: string) => {
  const rows = await t.database.db.select().from(contentItems).where(eq(contentItems.orgId, orgId));
  return new Map(rows.map((r) => [r.url, r]));
};

beforeAll(async () => {
  site = await startSiteServer();
  const feed = (host: string, entries: Entry[]) =>
    site.route(`${host}/feed.xml`, send(rss(entries), { "content-type": "application/rss+xml" }));
  feed("bulk.test", bulk);
  feed("copies.test", [...lateCopies, laterCopyOf0, ...earlyCopies, ...related, ...unrelated]);
  feed("copies-b.test", lateCopies);
  t = await createTestApp();
  A = await createOwner(t.app, "Near A");
  B = await createOwner(t.app, "Near B");
  C = await createOwner(t.app, "Near C");
});
afterAll(async () => {
  await t?.close();
  await site?.close();
});

describe("near-copies through MinHash bands", () => {
  it("stores a bulk load of 600 unrelated items as 600 originals", async () => {
    await follow(A, "bulk.test");
    const s = await ingest();
    expect(s).toMatchObject({ claimed: 1, ok: 1, itemsNew: BULK, itemsNearDuplicate: 0, itemsDuplicate: 0 });
    const [unbanded] = await t.database.db
      .select({ n: count() })
      .from(contentItems)
      .where(and(eq(contentItems.orgId, A.orgId), eq(contentItems.banded, false)));
    expect(unbanded!.n).toBe(0);
    // 20 bands an item (two of one item hashing alike would be kept once: a 32-bit collision).
    const [bands] = await t.database.db
      .select({ n: count() })
      .from(contentItemBands)
      .where(eq(contentItemBands.orgId, A.orgId));
    expect(bands!.n).toBeGreaterThan(BULK * 20 - 3);
    expect(bands!.n).toBeLessThanOrEqual(BULK * 20);
  });

  it("finds every copy of an old item behind 570 newer ones, and marks nothing else", async () => {
    // The test's own premise: the copies are near-copies and the follow-ups are not.
    for (const i of OLD)
      expect(
        jaccard(
          shingles(`${bulk[i]!.title} ${bulk[i]!.text}`),
          shingles(`${bulk[i]!.title} ${lateCopies[OLD.indexOf(i)]!.text}`),
        ),
      ).toBeGreaterThanOrEqual(NEAR_DUPLICATE_JACCARD);
    const relatedJ = related.map((r, k) =>
      jaccard(shingles(`${bulk[100 + k]!.title} ${bulk[100 + k]!.text}`), shingles(`${r.title} ${r.text}`)),
    );
    expect(Math.max(...relatedJ)).toBeLessThan(NEAR_DUPLICATE_JACCARD);
    expect(Math.min(...relatedJ)).toBeGreaterThan(0.4);

    await follow(A, "copies.test");
    const s = await ingest();
    // 30 late copies + 5 early ones + the later copy of item 0 are near-copies; 10 follow-ups and 30 fresh are new.
    expect(s).toMatchObject({ claimed: 1, ok: 1, itemsNearDuplicate: 36, itemsNew: 40, itemsDuplicate: 0 });

    const items = await itemsOf(A.orgId);
    expect(items.size).toBe(BULK + 76);
    for (const i of OLD) {
      const copy = items.get(`https://wire.test/late-${i}`)!;
      expect(copy.duplicateOfId).toBe(items.get(`https://bulk.test/story-${i}`)!.id);
      expect(copy.duplicateSimilarity).toBeGreaterThanOrEqual(0.8);
    }
    // The earlier-published copies are the originals now; bulk item 0's later copy follows it.
    for (const i of [0, 1, 2, 3, 4]) {
      const early = items.get(`https://wire.test/early-${i}`)!;
      expect(early.duplicateOfId).toBeNull();
      expect(items.get(`https://bulk.test/story-${i}`)!.duplicateOfId).toBe(early.id);
    }
    expect(items.get("https://wire.test/later-0")!.duplicateOfId).toBe(
      items.get("https://wire.test/early-0")!.id,
    );
    const marked = [...items.values()].filter((r) => r.duplicateOfId).length;
    expect(marked).toBe(36);
    for (const e of [...related, ...unrelated]) expect(items.get(e.link)!.duplicateOfId).toBeNull();
  });

  it("never takes another organization's items for originals", async () => {
    await follow(B, "copies-b.test");
    const s = await ingest();
    expect(s).toMatchObject({ ok: 1, itemsNew: 30, itemsNearDuplicate: 0 });
    const items = await itemsOf(B.orgId);
    expect([...items.values()].filter((r) => r.duplicateOfId)).toEqual([]);
  });

  it("fingerprints items stored without bands at the next store, and finds copies of them", async () => {
    const db = t.database.db;
    const [source] = await db
      .insert(contentSources)
      .values({
        orgId: C.orgId,
        name: "Imported",
        url: "https://imported.example/rss",
        kind: "rss",
        host: "imported.example",
        domains: [],
        credibility: 0.8,
        intervalMinutes: 360,
        enabled: false,
      })
      .returning();
    // Items as stored before the bands existed (or by a path that does not compute them).
    await db.insert(contentItems).values(
      OLD.map((i) => ({
        orgId: C.orgId,
        sourceId: source!.id,
        urlKey: `bulk.test/story-${i}`,
        url: `https://bulk.test/story-${i}`,
        title: bulk[i]!.title,
        text: bulk[i]!.text,
        publishedAt: new Date(Date.now() - bulk[i]!.hoursAgo * HOUR),
        datedBySource: true,
        contentHash: createHash("sha256").update(`c${i}`).digest("hex"),
      })),
    );
    await follow(C, "copies-b.test");
    const s = await ingest();
    expect(s).toMatchObject({ ok: 1, itemsNew: 0, itemsNearDuplicate: 30 });
    const [unbanded] = await db
      .select({ n: count() })
      .from(contentItems)
      .where(and(eq(contentItems.orgId, C.orgId), eq(contentItems.banded, false)));
    expect(unbanded!.n).toBe(0);
    const items = await itemsOf(C.orgId);
    for (const i of OLD)
      expect(items.get(`https://wire.test/late-${i}`)!.duplicateOfId).toBe(
        items.get(`https://bulk.test/story-${i}`)!.id,
      );
    // An item deleted (retention, its source removed) takes its bands with it.
    const gone = items.get(`https://bulk.test/story-${OLD[0]}`)!.id;
    const bandsOf = async (id: string) =>
      (await db.select({ n: count() }).from(contentItemBands).where(eq(contentItemBands.itemId, id)))[0]!.n;
    expect(await bandsOf(gone)).toBe(20);
    await db.delete(contentItems).where(eq(contentItems.id, gone));
    expect(await bandsOf(gone)).toBe(0);
  });
});
