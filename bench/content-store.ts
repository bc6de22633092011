/**
 * Content store benchmark (issue 17, "Benchmarks": "retrieval over 100k stored items < 200 ms").
 *
 *   npm run bench:content-store        # BENCH_ITEMS (default 100000); DATABASE_URL for PostgreSQL
 *
 * One organization, 20 sources, BENCH_ITEMS items of ~70 words drawn from a 2,000-word vocabulary
 * plus a few topic words at set rates (so topics match ~0.1 %–5 % of the store), spread over 60
 * days. Measured: the run's retrieval as the server does it (content/retrieve.ts: the tsvector
 * pre-filter with `ts_rank_cd`, at most 400 candidates), then the engine's BM25 × freshness ×
 * credibility ranking of those candidates (rankEvidence), median of 7 per topic after a warm-up.
 * Baseline: `select 1` on the same connection.
 */
import { loadavg } from "node:os";
import { rankEvidence, tokenize } from "@modelworks/engine-content-intel";
import { sql } from "drizzle-orm";
import { candidateItems } from "../packages/server/src/content/retrieve.ts";
import { openDatabase } from "../packages/server/src/db/client.ts";
import { contentItems, contentSources, organizations } from "../packages/server/src/db/schema.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const SOURCES = 20;
let seed = 42;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
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
async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
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
const [loadMs] = await timed(async () => {
  for (let start = 0; start < ITEMS; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, ITEMS - start) }, (_, j) => {
      const n = start + j;
      return {
        orgId: org!.id,
        sourceId: sources[n % SOURCES]!.id,
        urlKey: `s${n % SOURCES}.example/${n}`,
        url: `https://s${n % SOURCES}.example/${n}`,
        title: `Story ${n}: ${text().split(" ").slice(0, 6).join(" ")}`,
        text: text(),
        publishedAt: new Date(now - rand() * 60 * 24 * 3600_000),
        datedBySource: true,
        contentHash: `h${n}`,
      };
    });
    await db.insert(contentItems).values(rows);
  }
});
await db.execute(sql`analyze content_items`);

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
  `content store: ${ITEMS.toLocaleString("en")} items in ${SOURCES} sources, loaded in ${(loadMs / 1000).toFixed(1)} s`,
);
console.log(
  `database: ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite (memory)"}; load ${loadavg()[0]!.toFixed(2)}`,
);
console.log(`baseline select 1: ${base.toFixed(2)} ms`);
console.log(
  "| topic | candidates | pre-filter (ms) | engine ranking (ms) | total (ms) | ratio to baseline |",
);
console.log("|---|---|---|---|---|---|");
for (const topic of TOPICS) {
  await candidateItems(db, org!.id, null, topic); // warm-up
  const pre: number[] = [];
  const rank: number[] = [];
  let n = 0;
  for (let i = 0; i < 7; i++) {
    const [ms, items] = await timed(() => candidateItems(db, org!.id, null, topic));
    const [rms] = await timed(async () =>
      rankEvidence(tokenize(topic), items, { asOf: new Date(now).toISOString(), halfLifeHours: 168 }),
    );
    pre.push(ms);
    rank.push(rms);
    n = items.length;
  }
  const total = median(pre) + median(rank);
  console.log(
    `| ${topic} | ${n} | ${median(pre).toFixed(1)} | ${median(rank).toFixed(1)} | ${total.toFixed(1)} | ${(total / base).toFixed(0)} |`,
  );
}
await database.close();
