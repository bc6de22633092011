import { type ContentItem, rankEvidence, tokenize } from "@modelworks/engine-content-intel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candidateItems, RECENT_HALF_LIVES } from "../src/content/retrieve.ts";
import { type Database, openDatabase } from "../src/db/client.ts";
import { contentItems, contentSources, organizations, users } from "../src/db/schema.ts";

/**
 * Which stored items a content-intel run ranks (content/retrieve.ts): strong matches (every word
 * of the topic) of any date, plus the best matches of the recent window, plus older ones only
 * when the window is short of the limit. The point checked: cutting the set this way keeps the
 * items the engine would have put first had it ranked every match.
 */
let database: Database;
const HOUR = 3_600_000;
const asOf = new Date("2026-12-01T12:00:00Z");
const TOPIC = "stablecoin regulation payments";
const opts = { asOf: asOf.toISOString(), halfLifeHours: 168 };
let orgA: string;
let orgB: string;
let writer: string;
let colleague: string;
const ids = { freshStrong: [] as string[], oldStrong: [] as string[], personal: "", duplicate: "" };

const filler = (n: number, salt: number) =>
  Array.from({ length: n }, (_, i) => `word${(i * 7 + salt) % 97}`).join(" ");

beforeAll(async () => {
  database = await openDatabase({ url: "memory://" });
  const { db } = database;
  const [a, b] = await db
    .insert(organizations)
    .values([
      { name: "A", slug: `a-${Date.now()}` },
      { name: "B", slug: `b-${Date.now()}` },
    ])
    .returning();
  orgA = a!.id;
  orgB = b!.id;
  const people = await db
    .insert(users)
    .values([
      { email: `w-${Date.now()}@example.com`, name: "Writer" },
      { email: `c-${Date.now()}@example.com`, name: "Colleague" },
    ])
    .returning();
  writer = people[0]!.id;
  colleague = people[1]!.id;
  const source = (orgId: string, name: string, credibility: number, ownerUserId: string | null = null) => ({
    orgId,
    name,
    url: `https://${name}.example/feed`,
    kind: "rss" as const,
    host: `${name}.example`,
    domains: ["finance"],
    credibility,
    intervalMinutes: 360,
    enabled: false,
    ownerUserId,
  });
  const [high, low, own, other] = await db
    .insert(contentSources)
    .values([
      source(orgA, "high", 0.9),
      source(orgA, "low", 0.6),
      source(orgA, "own", 0.9, writer),
      source(orgB, "other", 0.9),
    ])
    .returning();
  let n = 0;
  const item = (sourceId: string, orgId: string, ageHours: number, body: string, extra = {}) => {
    n++;
    return {
      orgId,
      sourceId,
      urlKey: `x.example/${n}`,
      url: `https://x.example/${n}`,
      title: `Story ${n}`,
      text: body,
      publishedAt: new Date(asOf.getTime() - ageHours * HOUR),
      datedBySource: true,
      contentHash: `h${n}`,
      ...extra,
    };
  };
  const strongText = (salt: number) =>
    `stablecoin regulation for payments: ${filler(20, salt)} stablecoin regulation payments ${filler(20, salt + 1)}`;
  const rows = [];
  // 600 weak matches (one topic word in a long text) in the last 2 half-lives: more than the limit.
  for (let i = 0; i < 600; i++)
    rows.push(
      item(
        i % 2 ? high!.id : low!.id,
        orgA,
        (i / 600) * RECENT_HALF_LIVES * 168,
        `${filler(60, i)} stablecoin ${filler(20, i + 3)}`,
      ),
    );
  // 60 older weak matches.
  for (let i = 0; i < 60; i++)
    rows.push(item(high!.id, orgA, 24 * (20 + i / 2), `stablecoin ${filler(60, i)}`));
  // Strong matches: 5 fresh, 5 a month or more old.
  const fresh = Array.from({ length: 5 }, (_, i) => item(high!.id, orgA, 10 + 12 * i, strongText(i)));
  const old = Array.from({ length: 5 }, (_, i) =>
    item(high!.id, orgA, 24 * (30 + 5 * i), strongText(i + 50)),
  );
  // Not for the writer's colleague: the writer's own source; not for anyone: a near-copy, and org B.
  const personal = item(own!.id, orgA, 5, strongText(90));
  const [kept] = await db
    .insert(contentItems)
    .values([...rows, ...fresh, ...old, personal])
    .returning();
  const duplicate = item(high!.id, orgA, 2, strongText(91), {
    duplicateOfId: kept!.id,
    duplicateSimilarity: 0.9,
  });
  const theirs = Array.from({ length: 20 }, (_, i) => item(other!.id, orgB, 1 + i, strongText(i)));
  await db.insert(contentItems).values([duplicate, ...theirs]);
  const byKey = new Map(
    (await db.select({ id: contentItems.id, urlKey: contentItems.urlKey }).from(contentItems)).map((r) => [
      r.urlKey,
      r.id,
    ]),
  );
  ids.freshStrong = fresh.map((r) => byKey.get(r.urlKey)!);
  ids.oldStrong = old.map((r) => byKey.get(r.urlKey)!);
  ids.personal = byKey.get(personal.urlKey)!;
  ids.duplicate = byKey.get(duplicate.urlKey)!;
}, 120_000);

afterAll(async () => {
  await database?.close();
});

/** Every stored item the person may draw from that shares a word with the topic (no cut at all). */
async function everyMatch(orgId: string, userId: string | null): Promise<ContentItem[]> {
  const all = await candidateItems(database.db, orgId, userId, TOPIC, {
    limit: 1_000_000,
    asOf,
    halfLifeHours: 1e6,
  });
  return all;
}

describe("content retrieval candidates", () => {
  it("keeps the strong matches of any date and fills up with the best recent ones, within the limit", async () => {
    const got = await candidateItems(database.db, orgA, colleague, TOPIC, { asOf });
    const ids_ = new Set(got.map((i) => i.id));
    expect(got).toHaveLength(400);
    expect(ids_.size).toBe(400);
    for (const id of [...ids.freshStrong, ...ids.oldStrong]) expect(ids_.has(id)).toBe(true);
    // The colleague does not see the writer's own source; nobody gets near-copies or org B's items.
    expect(ids_.has(ids.personal)).toBe(false);
    expect(ids_.has(ids.duplicate)).toBe(false);
    expect(got.every((i) => i.sourceName === "high" || i.sourceName === "low")).toBe(true);
    // Nothing older than the window except the strong matches (the window had more than enough).
    const from = asOf.getTime() - RECENT_HALF_LIVES * 168 * HOUR;
    const older = got.filter((i) => Date.parse(i.publishedAt) < from).map((i) => i.id);
    expect(older.sort()).toEqual([...ids.oldStrong].sort());
    const mine = await candidateItems(database.db, orgA, writer, TOPIC, { asOf });
    expect(mine.map((i) => i.id)).toContain(ids.personal);
    expect(mine.find((i) => i.id === ids.personal)?.credibility).toBe(0.9);
  });

  it("gives the engine the same top 15 as ranking every match would", async () => {
    const terms = tokenize(TOPIC);
    for (const userId of [colleague, writer]) {
      const every = await everyMatch(orgA, userId);
      expect(every.length).toBeGreaterThan(660);
      const ideal = rankEvidence(terms, every, opts).evidence.map((e) => e.itemId);
      const cut = rankEvidence(
        terms,
        await candidateItems(database.db, orgA, userId, TOPIC, { asOf }),
        opts,
      ).evidence.map((e) => e.itemId);
      expect(ideal).toHaveLength(15);
      expect(cut).toEqual(ideal);
      // And the fresh strong matches lead (with the writer's own strong one, for the writer).
      const leaders = userId === writer ? [...ids.freshStrong, ids.personal] : ids.freshStrong;
      expect(new Set(cut.slice(0, leaders.length))).toEqual(new Set(leaders));
    }
  });

  it("ranks older matches too when the recent window holds fewer than the limit", async () => {
    const got = await candidateItems(database.db, orgA, colleague, "stablecoin", { asOf, limit: 650 });
    expect(got).toHaveLength(650);
    const from = asOf.getTime() - RECENT_HALF_LIVES * 168 * HOUR;
    expect(got.filter((i) => Date.parse(i.publishedAt) < from).length).toBe(650 - 600 - 5);
    // A single word has no "strong" set: without the window's shortfall nothing older comes in.
    const small = await candidateItems(database.db, orgA, colleague, "stablecoin", { asOf, limit: 100 });
    expect(small.every((i) => Date.parse(i.publishedAt) >= from)).toBe(true);
  });

  it("returns nothing for another organization's topic words or an empty topic", async () => {
    expect(await candidateItems(database.db, orgB, null, "regulation word1", { asOf })).toHaveLength(20);
    expect(await candidateItems(database.db, orgA, colleague, "  ", { asOf })).toEqual([]);
  });
});
