/**
 * Ingestion benchmark end to end (issue 17, "Benchmarks": "ingest 100 feeds × 50 items from the
 * local server < 10 s with politeness on"): fetched AND stored, through the server's real
 * ingestion code (content/ingest.ts: claim due sources, robots.txt, paced conditional GETs,
 * parsing and text extraction, URL-key and content-hash de-duplication, near-duplicate
 * detection against the organization's recent items, insert with the tsvector, fetch history,
 * source health).
 *
 *   npm run bench:content-ingest      # PGlite in memory; DATABASE_URL=postgres://… for PostgreSQL
 *
 * A local HTTP server (127.0.0.1, port 0) serves 100 RSS feeds of 50 items each; every item has
 * its own text (~90 words of HTML summary drawn from a 3,000-word vocabulary, so items are not
 * near-copies of each other), and 1 in 25 items is the same story under another feed's URL (a
 * near-duplicate for the detector to find). Made-up host names resolve to 127.0.0.1. Politeness
 * at its defaults (1 request at a time per host, ≥ 1 s between a host's request starts, 8 in
 * flight overall). Scenarios:
 * - 100 feeds on 100 hosts, one ingestion pass (`ingestDueSources` with batchSize 100 and the
 *   scheduler's concurrency of 8);
 * - the same sources again once due: every feed answers 304 (stored validators), nothing stored;
 * - 100 feeds on 10 hosts (the 1 s interval per host makes this ≥ 9 s by design).
 * BENCH_FEEDS changes the number of feeds (100); BENCH_GOAL_ONLY=1 runs the first scenario only.
 * The last columns count the planted near-copy pairs (both items served and stored) that were
 * found — either item pointing at the other. Wall time, this process's CPU (PGlite runs in it) and the load average are printed; the
 * baseline is one plain GET of one feed.
 */
import { loadavg } from "node:os";
import { count, eq, isNotNull, sql } from "drizzle-orm";
import { ingestDueSources } from "../packages/server/src/content/ingest.ts";
import { openDatabase } from "../packages/server/src/db/client.ts";
import { contentItems, contentSources, organizations } from "../packages/server/src/db/schema.ts";
import { loopbackFetchDeps, medianFeedGetMs, startFeedServer } from "./lib/feed-server.ts";

const FEEDS = Number(process.env.BENCH_FEEDS ?? 100);
const ITEMS = 50;
let seed = 7;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const VOCAB = Array.from({ length: 3000 }, (_, i) => `term${i.toString(36)}`);
const story = () => Array.from({ length: 90 }, () => VOCAB[Math.floor(rand() * VOCAB.length)]!).join(" ");
const stories = Array.from({ length: FEEDS * ITEMS }, story);

/** Item n (feed × ITEMS + slot) is a planted near-copy of item originalOf(n) of the previous feed. */
const isCopy = (n: number) => n % 25 === 0 && n >= ITEMS;
const originalOf = (n: number) => n - ITEMS + 1;
const itemUrl = (n: number) => `/f${Math.floor(n / ITEMS)}/story-${n % ITEMS}`;

function rss(feed: number): string {
  const items = Array.from({ length: ITEMS }, (_, i) => {
    const n = feed * ITEMS + i;
    // Every 25th item repeats the story of the next slot in the previous feed (a near-copy: one
    // word changed). That slot is never a copy itself: copying the same slot copied a story the
    // previous feed did not serve (it served its own copy), so only feed 1's 2 copies were real.
    const body = isCopy(n) ? stories[originalOf(n)]!.replace(/^\S+/, "changed") : stories[n]!;
    const day = String(1 + (i % 28)).padStart(2, "0");
    return `<item><title>Feed ${feed} story ${i}</title>
      <link>${itemUrl(n)}</link><pubDate>${new Date(`2026-11-${day}T10:00:00Z`).toUTCString()}</pubDate>
      <description><![CDATA[<p>${body.slice(0, 300)}</p><p><b>${body.slice(300)}</b></p>]]></description></item>`;
  }).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed ${feed}</title>${items}</channel></rss>`;
}

const server = await startFeedServer(Array.from({ length: FEEDS }, (_, i) => rss(i)));
const port = server.port;

const database = await openDatabase({ url: process.env.DATABASE_URL ?? "memory://" });
const { db } = database;
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function newOrg(hostOf: (i: number) => string) {
  const [org] = await db
    .insert(organizations)
    .values({ name: "Bench", slug: `bench-${Date.now()}-${Math.round(rand() * 1e9)}` })
    .returning();
  await db.insert(contentSources).values(
    Array.from({ length: FEEDS }, (_, i) => ({
      orgId: org!.id,
      name: `Feed ${i}`,
      url: `http://${hostOf(i)}:${port}/feed-${i}.xml`,
      kind: "rss" as const,
      host: hostOf(i),
      domains: ["finance"],
      credibility: 0.8,
      intervalMinutes: 360,
      enabled: true,
      nextAttemptAt: new Date(0),
    })),
  );
  return org!.id;
}

async function pass(name: string, orgId: string, now: () => Date) {
  const w0 = performance.now();
  const c0 = cpuMs();
  const s = await ingestDueSources({ db, deps: loopbackFetchDeps(), now, batchSize: FEEDS, concurrency: 8 });
  const wallMs = performance.now() - w0;
  const cpu = cpuMs() - c0;
  const [stored] = await db.select({ n: count() }).from(contentItems).where(eq(contentItems.orgId, orgId));
  const [near] = await db
    .select({ n: count() })
    .from(contentItems)
    .where(sql`${contentItems.orgId} = ${orgId} and ${isNotNull(contentItems.duplicateOfId)}`);
  // A planted pair is found when either item points at the other (the original is the one
  // published first: here the copy, a day earlier, when it is stored second).
  const marked = await db
    .select({ id: contentItems.id, url: contentItems.url, dup: contentItems.duplicateOfId })
    .from(contentItems)
    .where(eq(contentItems.orgId, orgId));
  const byPath = new Map(marked.map((m) => [new URL(m.url).pathname, m]));
  let planted = 0;
  let found = 0;
  for (let n = 0; n < FEEDS * ITEMS; n++) {
    if (!isCopy(n)) continue;
    const copy = byPath.get(itemUrl(n));
    const original = byPath.get(itemUrl(originalOf(n)));
    if (!copy || !original) continue; // a fetch failed: the pair was not served
    planted++;
    if (copy.dup === original.id || original.dup === copy.id) found++;
  }
  console.log(
    `| ${name} | ${(wallMs / 1000).toFixed(2)} | ${(cpu / 1000).toFixed(2)} | ${s.claimed} | ${s.ok} ok, ${s.notModified} × 304, ${s.failed} failed | ${s.itemsNew} new, ${s.itemsNearDuplicate} near-copies, ${s.itemsDuplicate} duplicates | ${stored!.n} (${near!.n} marked near-copy) | ${found} / ${planted} | ${loadavg()[0]!.toFixed(1)} |`,
  );
}

const baseMs = await medianFeedGetMs(port);
console.log(
  `database: ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite (memory)"}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; baseline GET of one feed ${baseMs.toFixed(2)} ms`,
);
console.log(
  "| scenario | wall (s) | CPU (s) | sources claimed | fetches | items | stored in the org | planted near-copies found | load |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
const distinct = await newOrg((i) => `feeds-${i}.test`);
await pass("100 feeds × 50 items, 100 hosts", distinct, () => new Date());
if (process.env.BENCH_GOAL_ONLY) {
  server.close();
  await database.close();
  process.exit(0);
}
// Due again (7 h later): conditional GETs, all 304.
await pass("same sources again: 304s", distinct, () => new Date(Date.now() + 7 * 3600_000));
const shared = await newOrg((i) => `shared-${i % 10}.test`);
await pass("100 feeds × 50 items, 10 hosts", shared, () => new Date());
server.close();
await database.close();
