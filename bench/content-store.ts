/**
 * Content store benchmark (issue 17, "Benchmarks": "retrieval over 100k stored items < 200 ms").
 *
 *   npm run bench:content-store        # BENCH_ITEMS (default 100000); DATABASE_URL for PostgreSQL
 *
 * One organization, 20 sources, BENCH_ITEMS items of ~70 words drawn from a 2,000-word vocabulary
 * plus a few topic words at set rates (so topics match ~0.1 %–10 % of the store), spread over 60
 * days. Measured, median of 7 per topic after a warm-up, wall and this process's CPU (PGlite runs
 * in it; PostgreSQL's work is in its own processes):
 * - "before": the previous retrieval query (every match ranked by `ts_rank_cd`, sources joined in
 *   SQL), kept here to compare in the same sitting;
 * - "after": the run's retrieval as the server does it now (content/retrieve.ts: strong matches of
 *   any date + matches within two half-lives, ≤ 400 candidates);
 * - the engine's BM25 × freshness × credibility ranking of the "after" candidates (rankEvidence),
 *   and whether its top 15 equals the top 15 over every match (the candidates kept the relevant ones).
 * Baseline: `select 1` on the same connection. Items are loaded 5,000 rows per statement through
 * json_to_recordset (one parameter per batch).
 */
import { loadavg } from "node:os";
import { type ContentItem, rankEvidence, tokenize } from "@modelworks/engine-content-intel";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { candidateItems, MAX_CANDIDATES, topicTsQuery } from "../packages/server/src/content/retrieve.ts";
import { type Db, openDatabase } from "../packages/server/src/db/client.ts";
import { contentItems, contentSources, organizations } from "../packages/server/src/db/schema.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const SOURCES = 20;
const BATCH = 5_000;
// mulberry32: the previous LCG overflowed doubles (seed × 1.1e9 > 2^53) and never drew the rare words.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const VOCAB = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}x`);
const TOPIC_WORDS: [string, number][] = [
  ["stablecoin", 0.05],
  ["regulation", 0.03],
  ["fintech", 0.02],
  ["productivity", 0.01],
  ["semiconductor", 0.001],
];
const text = () => {
  const w: string[] = [];
  for (let i = 0; i < 70; i++) w.push(VOCAB[Math.floor(rand() * rand() * VOCAB.length)]!);
  for (const [word, rate] of TOPIC_WORDS) if (rand() < rate) w.splice(Math.floor(rand() * w.length), 0, word);
  return w.join(" ");
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
async function timed<T>(fn: () => Promise<T>): Promise<[number, number, T]> {
  const t = performance.now();
  const c = cpuMs();
  const r = await fn();
  return [performance.now() - t, cpuMs() - c, r];
}

/** The retrieval query before this change: every match ranked, sources joined in SQL. */
async function before(db: Db, orgId: string, topic: string, limit = MAX_CANDIDATES): Promise<ContentItem[]> {
  const q = topicTsQuery(topic);
  if (!q) return [];
  const query = sql`to_tsquery('english', ${q})`;
  const rows = await db
    .select({
      id: contentItems.id,
      title: contentItems.title,
      url: contentItems.url,
      text: contentItems.text,
      publishedAt: contentItems.publishedAt,
      sourceId: contentSources.id,
      sourceName: contentSources.name,
      domains: contentSources.domains,
      credibility: contentSources.credibility,
    })
    .from(contentItems)
    .innerJoin(contentSources, eq(contentSources.id, contentItems.sourceId))
    .where(
      and(
        eq(contentItems.orgId, orgId),
        eq(contentSources.orgId, orgId),
        isNull(contentSources.ownerUserId),
        isNull(contentItems.duplicateOfId),
        sql`${contentItems.search} @@ ${query}`,
      ),
    )
    .orderBy(desc(sql`ts_rank_cd(${contentItems.search}, ${query})`), desc(contentItems.publishedAt))
    .limit(limit);
  return rows.map((r) => ({ ...r, publishedAt: r.publishedAt.toISOString() }));
}

const database = await openDatabase({ url: process.env.DATABASE_URL ?? "memory://" });
const { db } = database;
const [org] = await db
  .insert(organizations)
  .values({ name: "Bench", slug: `bench-${Date.now()}` })
  .returning();
const sources = await db
  .insert(contentSources)
  .values(
    Array.from({ length: SOURCES }, (_, i) => ({
      orgId: org!.id,
      name: `Source ${i}`,
      url: `https://s${i}.example/feed`,
      kind: "rss" as const,
      host: `s${i}.example`,
      domains: ["finance", "tech"],
      credibility: 0.5 + (i % 5) / 10,
      intervalMinutes: 360,
      enabled: false,
    })),
  )
  .returning();

const now = Date.now();
const [loadMs, loadCpuMs] = await timed(async () => {
  for (let start = 0; start < ITEMS; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, ITEMS - start) }, (_, j) => {
      const n = start + j;
      return {
        o: org!.id,
        s: sources[n % SOURCES]!.id,
        k: `s${n % SOURCES}.example/${n}`,
        u: `https://s${n % SOURCES}.example/${n}`,
        t: `Story ${n}: ${text().split(" ").slice(0, 6).join(" ")}`,
        x: text(),
        p: new Date(now - rand() * 60 * 24 * 3600_000).toISOString(),
        h: `h${n}`,
      };
    });
    await db.execute(sql`
      insert into content_items (org_id, source_id, url_key, url, title, text, published_at, dated_by_source, content_hash)
      select o, s, k, u, t, x, p, true, h
      from json_to_recordset(${JSON.stringify(rows)}::json)
        as r(o uuid, s uuid, k text, u text, t text, x text, p timestamptz, h text)`);
  }
});
await db.execute(sql`vacuum analyze content_items`);

const TOPICS = [
  "stablecoin regulation in fintech payments",
  "AI productivity claims",
  "semiconductor supply",
  "fintech",
];
const baseline: number[] = [];
for (let i = 0; i < 7; i++) baseline.push((await timed(() => db.execute(sql`select 1`)))[0]);
const base = median(baseline);

console.log(
  `content store: ${ITEMS.toLocaleString("en")} items in ${SOURCES} sources, loaded in ${(loadMs / 1000).toFixed(1)} s (${(loadCpuMs / 1000).toFixed(1)} s CPU in this process)`,
);
console.log(
  `database: ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite (memory)"}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.log(`baseline select 1: ${base.toFixed(2)} ms`);
console.log(
  "| topic | matches | before: wall / CPU (ms) | after: wall / CPU (ms) | candidates | engine ranking (ms) | after total (ms) | same top 15 as over every match |",
);
console.log("|---|---|---|---|---|---|---|---|");
const asOf = new Date(now);
const rankOpts = { asOf: asOf.toISOString(), halfLifeHours: 168 };
for (const topic of TOPICS) {
  const every = await before(db, org!.id, topic, 1_000_000);
  const ideal = rankEvidence(tokenize(topic), every, rankOpts).evidence.map((e) => e.itemId);
  await before(db, org!.id, topic); // warm-up
  await candidateItems(db, org!.id, null, topic, { asOf });
  const old: [number, number][] = [];
  const cur: [number, number][] = [];
  const rank: number[] = [];
  let items: ContentItem[] = [];
  for (let i = 0; i < 7; i++) {
    const [bw, bc] = await timed(() => before(db, org!.id, topic));
    old.push([bw, bc]);
    const [aw, ac, got] = await timed(() => candidateItems(db, org!.id, null, topic, { asOf }));
    cur.push([aw, ac]);
    items = got;
    rank.push((await timed(async () => rankEvidence(tokenize(topic), items, rankOpts)))[0]);
  }
  const top = rankEvidence(tokenize(topic), items, rankOpts).evidence.map((e) => e.itemId);
  const same = top.length === ideal.length && top.every((id, i) => id === ideal[i]);
  const m = (xs: [number, number][], k: 0 | 1) => median(xs.map((x) => x[k]));
  console.log(
    `| ${topic} | ${every.length.toLocaleString("en")} | ${m(old, 0).toFixed(1)} / ${m(old, 1).toFixed(1)} | ${m(cur, 0).toFixed(1)} / ${m(cur, 1).toFixed(1)} | ${items.length} | ${median(rank).toFixed(1)} | ${(m(cur, 0) + median(rank)).toFixed(1)} | ${same ? "yes" : `no (${top.filter((id) => ideal.includes(id)).length} of ${ideal.length})`} |`,
  );
}
console.log(`load average at the end: ${loadavg()[0]!.toFixed(1)}`);
await database.close();
