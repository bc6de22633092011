import { randomUUID } from "node:crypto";
import { jaccard, lshBands, NEAR_DUPLICATE_JACCARD, shingles } from "@modelworks/engine-content-intel";
import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { everyInterval, type Stoppable } from "../background.ts";
import type { Db } from "../db/client.ts";
import { contentFetches, contentItemBands, contentItems, contentSources } from "../db/schema.ts";
import type { Logger } from "../domain/actor.ts";
import { type FetchDeps, type FetchedItem, fetchSource } from "../sources/index.ts";
import { definitionOf, healthColumns, healthOf, type SourceRow } from "./sources.ts";

/**
 * Scheduled ingestion (issue 17 item 1): every instance ticks; each tick claims the sources that
 * are due — `next_attempt_at` passed, not leased — with FOR UPDATE SKIP LOCKED and leases them,
 * so two instances never fetch one source at once, and since a fetch moves `next_attempt_at` on
 * by the source's interval (or its backoff), a source is fetched once per interval across all
 * instances. A lease outlives any fetch (the fetcher's timeouts are far shorter); one left by a
 * crashed instance expires and the source is claimed again.
 */

/**
 * At most this many stored originals are compared per fetch: those sharing a band with one of its
 * items, newest first. Bands nominate few besides real near-copies (a pair at Jaccard 0.3 shares
 * one with probability 0.05), so this bounds only a pathological store.
 */
const NEAR_DUPLICATE_CANDIDATES = 5_000;
/** Items stored without bands that each store fingerprints (see fingerprintStoredItems). */
const FINGERPRINTS_PER_STORE = 2_000;
/** Rows per multi-row INSERT (and URL keys per lookup) when storing a fetch's items. */
const STORE_BATCH = 500;
/** Stored URL keys of a source passed to the fetcher, so it skips pages already stored. */
const KNOWN_KEYS_PER_SOURCE = 5_000;

export interface IngestOptions {
  db: Db;
  deps: FetchDeps;
  /** The clock: tests pass one; the scheduler the current time. */
  now?: () => Date;
  /** Sources claimed per tick. */
  batchSize?: number;
  /** How long a claim holds a source. */
  leaseMs?: number;
  /** Sources fetched at once (the fetcher's politeness still paces each host). */
  concurrency?: number;
  log?: Pick<Logger, "warn" | "info">;
}

export interface IngestSummary {
  claimed: number;
  ok: number;
  notModified: number;
  failed: number;
  itemsNew: number;
  itemsDuplicate: number;
  itemsNearDuplicate: number;
}

/** Leases up to `limit` due sources to this caller. */
export async function claimDueSources(
  db: Db,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<SourceRow[]> {
  const due = db
    .select({ id: contentSources.id })
    .from(contentSources)
    .where(
      and(
        eq(contentSources.enabled, true),
        lte(contentSources.nextAttemptAt, now),
        or(isNull(contentSources.leaseUntil), lte(contentSources.leaseUntil, now)),
      ),
    )
    .orderBy(asc(contentSources.nextAttemptAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(contentSources)
    .set({ leaseUntil: new Date(now.getTime() + leaseMs) })
    .where(inArray(contentSources.id, due))
    .returning();
}

/** One tick: claim what is due, fetch it, store what came back. */
export async function ingestDueSources(o: IngestOptions): Promise<IngestSummary> {
  const now = o.now ?? (() => new Date());
  const claimed = await claimDueSources(o.db, now(), o.batchSize ?? 50, o.leaseMs ?? 15 * 60_000);
  const summary: IngestSummary = {
    claimed: claimed.length,
    ok: 0,
    notModified: 0,
    failed: 0,
    itemsNew: 0,
    itemsDuplicate: 0,
    itemsNearDuplicate: 0,
  };
  const queue = [...claimed];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      try {
        const r = await ingestSource(o.db, o.deps, row, now);
        summary[r.outcome === "ok" ? "ok" : r.outcome === "not-modified" ? "notModified" : "failed"]++;
        summary.itemsNew += r.itemsNew;
        summary.itemsDuplicate += r.itemsDuplicate;
        summary.itemsNearDuplicate += r.itemsNearDuplicate;
      } catch (err) {
        // Storing failed (the database, not the site): the lease runs out and the source is tried again.
        summary.failed++;
        o.log?.warn({ err, sourceId: row.id }, "storing a source's fetch failed");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 8) }, worker));
  return summary;
}

/** Fetches one (claimed) source and records the items, the fetch and the source's new health. */
export async function ingestSource(
  db: Db,
  deps: FetchDeps,
  row: SourceRow,
  now: () => Date = () => new Date(),
) {
  const known = await db
    .select({ urlKey: contentItems.urlKey })
    .from(contentItems)
    .where(eq(contentItems.sourceId, row.id))
    .orderBy(desc(contentItems.fetchedAt))
    .limit(KNOWN_KEYS_PER_SOURCE);
  const startedAt = now();
  const validators = {
    ...(row.etag ? { etag: row.etag } : {}),
    ...(row.lastModified ? { lastModified: row.lastModified } : {}),
  };
  const health = healthOf(row);
  const result = await fetchSource(
    definitionOf(row),
    {
      validators,
      ...(health ? { health } : {}),
      knownUrlKeys: new Set(known.map((k) => k.urlKey)),
    },
    { ...deps, now: () => now().getTime() },
  );
  const outcome = result.health.status === "failing" ? "failed" : result.notModified ? "not-modified" : "ok";
  return db.transaction(async (tx) => {
    const stored =
      outcome === "ok"
        ? await storeItems(tx, row, result.items)
        : { itemsNew: 0, itemsDuplicate: 0, itemsNearDuplicate: 0 };
    await tx.insert(contentFetches).values({
      orgId: row.orgId,
      sourceId: row.id,
      startedAt,
      durationMs: Math.max(0, now().getTime() - startedAt.getTime()),
      outcome,
      error: outcome === "failed" ? (result.health.lastError ?? null) : null,
      ...stored,
      skipped: result.skipped.slice(0, 100),
    });
    await tx
      .update(contentSources)
      .set({
        ...healthColumns(result.health),
        // A failed fetch keeps the validators it was given; a good one stores the new ones.
        etag: result.validators.etag ?? null,
        lastModified: result.validators.lastModified ?? null,
        leaseUntil: null,
        // The kind confirmed by what the source answered (an RDF feed is an RSS one).
        ...(confirmedKind(result.format) && confirmedKind(result.format) !== row.kind
          ? { kind: confirmedKind(result.format)! }
          : {}),
      })
      .where(eq(contentSources.id, row.id));
    return { outcome, ...stored };
  });
}

function confirmedKind(format: string | undefined): SourceRow["kind"] | undefined {
  if (!format) return undefined;
  if (format === "rdf") return "rss";
  if (format === "sitemap-index") return "sitemap";
  return format as SourceRow["kind"];
}

/**
 * Stores new items: a URL key or a content hash already in the organization is a duplicate and
 * is not stored again; an item whose text is a near-copy of an earlier one (Jaccard of 3-word
 * shingles ≥ 0.8, the engine's measure) is stored pointing at it, and retrieval leaves it out.
 * The earlier ones compared are those sharing a MinHash LSH band with the newcomer (any date, the
 * whole organization; decision 0047) — a pair at 0.8 shares one with probability 0.9996 — and
 * the decision is the exact Jaccard, as before the bands.
 */
async function storeItems(tx: Db, row: SourceRow, items: FetchedItem[]) {
  let itemsNew = 0;
  let itemsDuplicate = 0;
  let itemsNearDuplicate = 0;
  if (!items.length) return { itemsNew, itemsDuplicate, itemsNearDuplicate };
  // Two instances storing items of one organization at once would each miss the other's
  // uncommitted items, and store a copy or a near-copy as new (seen on PostgreSQL, where the
  // two ticks really overlap): one store per organization at a time, until this commits.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`content-items:${row.orgId}`}))`);
  await fingerprintStoredItems(tx, row.orgId, FINGERPRINTS_PER_STORE);
  const hashes = [...new Set(items.map((i) => i.contentHash))];
  const seenHashes = new Set(
    (
      await tx
        .select({ h: contentItems.contentHash })
        .from(contentItems)
        .where(and(eq(contentItems.orgId, row.orgId), inArray(contentItems.contentHash, hashes)))
    ).map((r) => r.h),
  );
  const fingerprinted = items.map((item) => {
    const own = shingles(`${item.title} ${item.text}`);
    return { item, own, bands: lshBands(own, row.orgId) };
  });
  const allBands = [...new Set(fingerprinted.flatMap((f) => f.bands))];
  // The organization's originals sharing a band with one of this fetch's items, with the bands
  // they share (all a lookup below needs): two single-table queries, the hashes then the items.
  // A join was planned — without statistics, on a fresh table — as a loop over every item of the
  // organization testing its bands against the ~1,000 hashes (24 s per store at 4,000 items on
  // PostgreSQL), and an integer[] column with a GIN index likewise (`&&` on every row); alone,
  // `hash = any(…)` is a hashed filter or a key lookup, whichever is chosen.
  const shared = new Map<string, number[]>();
  for (const b of await tx
    .select({ itemId: contentItemBands.itemId, hash: contentItemBands.hash })
    .from(contentItemBands)
    .where(
      and(
        eq(contentItemBands.orgId, row.orgId),
        sql`${contentItemBands.hash} = any(${pgIntArray(allBands)}::integer[])`,
      ),
    )) {
    const list = shared.get(b.itemId);
    if (list) list.push(b.hash);
    else shared.set(b.itemId, [b.hash]);
  }
  const earlier = [];
  const ids = [...shared.keys()];
  for (let i = 0; i < ids.length && earlier.length < NEAR_DUPLICATE_CANDIDATES; i += STORE_BATCH)
    earlier.push(
      ...(await tx
        .select({
          id: contentItems.id,
          title: contentItems.title,
          text: contentItems.text,
          publishedAt: contentItems.publishedAt,
        })
        .from(contentItems)
        .where(
          and(
            eq(contentItems.orgId, row.orgId),
            inArray(contentItems.id, ids.slice(i, i + STORE_BATCH)),
            isNull(contentItems.duplicateOfId),
          ),
        )),
    );
  earlier.sort(
    (a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  earlier.splice(NEAR_DUPLICATE_CANDIDATES);
  // `order` keeps the comparison order of before the bands (newest stored first, then this
  // fetch's in turn), so ties between equally similar originals resolve the same way.
  type Candidate = {
    id: string;
    shingles: Set<string>;
    bands: number[];
    publishedAtMs: number;
    order: number;
  };
  let nextOrder = 0;
  const byBand = new Map<number, Candidate[]>();
  const index = (c: Candidate) => {
    for (const b of c.bands) {
      const list = byBand.get(b);
      if (list) list.push(c);
      else byBand.set(b, [c]);
    }
  };
  const unindex = (c: Candidate) => {
    for (const b of c.bands) {
      const list = byBand.get(b);
      const at = list?.indexOf(c) ?? -1;
      if (list && at >= 0) list.splice(at, 1);
    }
  };
  for (const e of earlier)
    index({
      id: e.id,
      shingles: shingles(`${e.title} ${e.text}`),
      bands: shared.get(e.id) ?? [],
      publishedAtMs: e.publishedAt.getTime(),
      order: nextOrder++,
    });

  // URL keys the organization already holds (under the lock above no one else adds any): the
  // decisions below are made in memory and the rows go in with one multi-row INSERT per
  // STORE_BATCH — an INSERT … RETURNING per item was most of what storing cost after fetching.
  const keys = [...new Set(items.map((i) => i.urlKey))];
  const takenKeys = new Set<string>();
  for (let i = 0; i < keys.length; i += STORE_BATCH) {
    const found = await tx
      .select({ k: contentItems.urlKey })
      .from(contentItems)
      .where(
        and(eq(contentItems.orgId, row.orgId), inArray(contentItems.urlKey, keys.slice(i, i + STORE_BATCH))),
      );
    for (const f of found) takenKeys.add(f.k);
  }
  const rows: (typeof contentItems.$inferInsert)[] = [];
  const bandsOf = new Map<string, number[]>();
  /** Originals replaced by an earlier-published newcomer, in order: applied after the insert. */
  const repoint: { oldId: string; newId: string; similarity: number | null }[] = [];

  for (const { item, own, bands } of fingerprinted) {
    if (seenHashes.has(item.contentHash)) {
      itemsDuplicate++;
      continue;
    }
    if (takenKeys.has(item.urlKey)) {
      // Another source of the organization stored this URL first.
      itemsDuplicate++;
      continue;
    }
    const nominated = new Set<Candidate>();
    for (const b of bands) for (const c of byBand.get(b) ?? []) nominated.add(c);
    let best: { candidate: Candidate; similarity: number } | null = null;
    for (const c of [...nominated].sort((a, b) => a.order - b.order)) {
      const s = jaccard(own, c.shingles);
      if (s >= NEAR_DUPLICATE_JACCARD && (!best || s > best.similarity))
        best = { candidate: c, similarity: s };
    }
    const publishedAtMs = Date.parse(item.publishedAt);
    // The original of a pair is the one published first, whichever was fetched first (sources
    // are fetched in any order, and by several instances at once).
    const replacesOriginal = best !== null && publishedAtMs < best.candidate.publishedAtMs;
    const similarity = best ? Math.round(best.similarity * 1000) / 1000 : null;
    const id = randomUUID();
    rows.push({
      id,
      orgId: row.orgId,
      sourceId: row.id,
      urlKey: item.urlKey,
      url: item.url,
      canonicalUrl: item.canonicalUrl ?? null,
      title: item.title,
      text: item.text,
      author: item.author ?? null,
      publishedAt: new Date(item.publishedAt),
      datedBySource: item.datedBySource,
      contentHash: item.contentHash,
      duplicateOfId: best && !replacesOriginal ? best.candidate.id : null,
      duplicateSimilarity: best && !replacesOriginal ? similarity : null,
      banded: true,
    });
    bandsOf.set(id, bands);
    takenKeys.add(item.urlKey);
    seenHashes.add(item.contentHash);
    if (best && replacesOriginal) {
      // The earlier-published newcomer becomes the original: the old one, and its copies, point at it.
      const old = best.candidate;
      repoint.push({ oldId: old.id, newId: id, similarity });
      unindex(old);
      index({ id, shingles: own, bands, publishedAtMs, order: old.order });
      itemsNearDuplicate++;
    } else if (best) itemsNearDuplicate++;
    else {
      itemsNew++;
      index({ id, shingles: own, bands, publishedAtMs, order: nextOrder++ });
    }
  }
  for (let i = 0; i < rows.length; i += STORE_BATCH) {
    const inserted = await tx
      .insert(contentItems)
      .values(rows.slice(i, i + STORE_BATCH))
      .onConflictDoNothing({ target: [contentItems.orgId, contentItems.urlKey] })
      .returning({ id: contentItems.id });
    await insertBands(
      tx,
      row.orgId,
      inserted.map((r) => ({ id: r.id, bands: bandsOf.get(r.id) ?? [] })),
    );
  }
  // In decision order, after every row exists: a later repoint may move rows an earlier one moved.
  for (const r of repoint)
    await tx
      .update(contentItems)
      .set({ duplicateOfId: r.newId, duplicateSimilarity: r.similarity })
      .where(
        and(
          eq(contentItems.orgId, row.orgId),
          or(eq(contentItems.id, r.oldId), eq(contentItems.duplicateOfId, r.oldId)),
        ),
      );
  return { itemsNew, itemsDuplicate, itemsNearDuplicate };
}

/** A PostgreSQL array literal of integers (bound as one parameter, cast by the caller). */
const pgIntArray = (values: number[]) => `{${values.join(",")}}`;

/** Stores items' band hashes: two arrays as two parameters, whatever the number of rows. */
async function insertBands(tx: Db, orgId: string, items: { id: string; bands: number[] }[]) {
  const hashes: number[] = [];
  const ids: string[] = [];
  for (const it of items)
    for (const h of it.bands) {
      hashes.push(h);
      ids.push(it.id);
    }
  if (!hashes.length) return;
  // Two bands of one item may hash alike (a 32-bit collision): one row is enough.
  await tx.execute(sql`insert into ${contentItemBands} (org_id, hash, item_id)
    select ${orgId}::uuid, u.h, u.i from unnest(${pgIntArray(hashes)}::integer[], ${`{${ids.join(",")}}`}::uuid[]) as u(h, i)
    on conflict do nothing`);
}

/**
 * Fingerprints up to `limit` of an organization's items stored without bands (before migration
 * 0025, or by a path that does not compute them), newest first; returns how many. Shingling needs
 * the engine, so the migration cannot do this in SQL: each store does a bounded share under the
 * organization's lock, and until an item has its bands it is not found as an original.
 */
export async function fingerprintStoredItems(tx: Db, orgId: string, limit: number): Promise<number> {
  const missing = await tx
    .select({ id: contentItems.id, title: contentItems.title, text: contentItems.text })
    .from(contentItems)
    .where(and(eq(contentItems.orgId, orgId), eq(contentItems.banded, false)))
    .orderBy(desc(contentItems.publishedAt))
    .limit(limit);
  for (let i = 0; i < missing.length; i += STORE_BATCH) {
    const batch = missing.slice(i, i + STORE_BATCH);
    await insertBands(
      tx,
      orgId,
      batch.map((m) => ({ id: m.id, bands: lshBands(shingles(`${m.title} ${m.text}`), orgId) })),
    );
    await tx
      .update(contentItems)
      .set({ banded: true })
      .where(
        and(
          eq(contentItems.orgId, orgId),
          inArray(
            contentItems.id,
            batch.map((m) => m.id),
          ),
        ),
      );
  }
  return missing.length;
}

/** The ingestion loop as a background task (registered in server.ts); null when configured off. */
export function startContentIngestor(o: IngestOptions & { intervalSeconds: number }): Stoppable | null {
  if (o.intervalSeconds <= 0) return null;
  return everyInterval({
    intervalMs: o.intervalSeconds * 1000,
    firstDelayMs: 5_000,
    tick: async () => {
      const s = await ingestDueSources(o);
      if (s.claimed) o.log?.info({ ...s }, "content sources fetched");
    },
    onError: (err) => o.log?.warn({ err }, "content ingestion tick failed"),
  });
}

/** Items of an organization (for counts shown on sources). */
export async function itemCounts(db: Db, sourceIds: string[]): Promise<Map<string, number>> {
  if (!sourceIds.length) return new Map();
  const rows = await db
    .select({ sourceId: contentItems.sourceId, n: sql<number>`count(*)::int` })
    .from(contentItems)
    .where(inArray(contentItems.sourceId, sourceIds))
    .groupBy(contentItems.sourceId);
  return new Map(rows.map((r) => [r.sourceId, r.n]));
}
