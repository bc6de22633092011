import { FINISHED_RUN_STATUSES } from "@modelworks/contracts/run-status";
import { and, asc, eq, inArray, isNotNull, lt, or, sql } from "drizzle-orm";
import { everyInterval, type Stoppable } from "../background.ts";
import type { Db } from "../db/client.ts";
import {
  contentFeedback,
  contentItems,
  contentPosts,
  files,
  organizations,
  RETENTION_DEFAULTS,
  retentionPolicies,
  runs,
  shareLinks,
} from "../db/schema.ts";
import type { Logger } from "../domain/actor.ts";
import type { FileStore } from "../files/store.ts";
import { deleteFileBlobs, type FileBlobs } from "./blobs.ts";
import { contentItemsDaysOf, recordSystemAudit } from "./policy.ts";

/** Any fixed number: one instance sweeps at a time (pg_try_advisory_xact_lock). */
const SWEEP_LOCK_KEY = 7_310_066;
const DAY_MS = 24 * 3600 * 1000;

export interface SweepOptions {
  db: Db;
  store: FileStore;
  /** The clock: tests pass a date; the scheduler passes the current time. */
  now: Date;
  /** Rows deleted (and audited) per transaction. */
  batchSize?: number;
  /**
   * Days content items are kept unless an organization set its own (CONTENT_ITEMS_RETENTION_DAYS);
   * null or 0 keeps them all.
   */
  contentItemsDays?: number | null;
  log?: Pick<Logger, "warn" | "info">;
}

export interface SweepSummary {
  /** True when another instance held the sweep lock and this one did nothing. */
  skipped: boolean;
  filesDeleted: number;
  blobsDeleted: number;
  runsDeleted: number;
  shareLinksDeleted: number;
  contentItemsDeleted: number;
}

type Batch<T> = { locked: false } | { locked: true; rows: T[] };

/**
 * Applies every organization's retention policy once, as of `now`. Each batch is one
 * transaction: take the sweep lock (or stop — another instance is sweeping), delete up to
 * `batchSize` rows picked with FOR UPDATE SKIP LOCKED, and audit the batch as a system event.
 * Blobs of deleted files go after the commit (see blobs.ts).
 */
export async function sweepRetention(o: SweepOptions): Promise<SweepSummary> {
  const { db, now } = o;
  const batchSize = o.batchSize ?? 500;
  const summary: SweepSummary = {
    skipped: false,
    filesDeleted: 0,
    blobsDeleted: 0,
    runsDeleted: 0,
    shareLinksDeleted: 0,
    contentItemsDeleted: 0,
  };
  const policies = await db
    .select({
      orgId: organizations.id,
      hasPolicy: isNotNull(retentionPolicies.orgId).mapWith(Boolean),
      filesDays: retentionPolicies.filesDays,
      runsDays: retentionPolicies.runsDays,
      expiredShareLinksDays: retentionPolicies.expiredShareLinksDays,
      contentItemsDays: retentionPolicies.contentItemsDays,
    })
    .from(organizations)
    .leftJoin(retentionPolicies, eq(retentionPolicies.orgId, organizations.id))
    .orderBy(asc(organizations.id));

  /** Runs `step` until a batch comes back short; false when the lock was taken elsewhere. */
  const drain = async <T>(step: (tx: Db) => Promise<T[]>, after?: (rows: T[]) => Promise<void>) => {
    for (;;) {
      const batch: Batch<T> = await db.transaction(async (tx) => {
        const res = await tx.execute(sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) as locked`);
        const locked = (res as unknown as { rows: { locked: boolean }[] }).rows[0]?.locked === true;
        if (!locked) return { locked: false };
        return { locked: true, rows: await step(tx) };
      });
      if (!batch.locked) return false;
      if (batch.rows.length) await after?.(batch.rows);
      if (batch.rows.length < batchSize) return true;
    }
  };

  for (const p of policies) {
    const policy = p.hasPolicy ? p : { ...p, ...RETENTION_DEFAULTS };
    const orgId = p.orgId;

    if (policy.filesDays !== null) {
      const days = policy.filesDays;
      const cutoff = new Date(now.getTime() - days * DAY_MS);
      const ok = await drain<FileBlobs & { id: string }>(
        async (tx) => {
          const pick = tx
            .select({ id: files.id })
            .from(files)
            .where(and(eq(files.orgId, orgId), lt(files.createdAt, cutoff)))
            .orderBy(asc(files.createdAt))
            .limit(batchSize)
            .for("update", { skipLocked: true });
          const rows = await tx.delete(files).where(inArray(files.id, pick)).returning({
            id: files.id,
            orgId: files.orgId,
            storageKey: files.storageKey,
            dataKey: files.dataKey,
          });
          if (rows.length) {
            await recordSystemAudit(tx, {
              orgId,
              action: "retention.files_deleted",
              targetType: "file",
              metadata: { count: rows.length, olderThanDays: days, cutoff, ids: rows.map((r) => r.id) },
            });
          }
          return rows;
        },
        async (rows) => {
          summary.filesDeleted += rows.length;
          summary.blobsDeleted += await deleteFileBlobs(db, o.store, rows, o.log);
        },
      );
      if (!ok) return { ...summary, skipped: true };
    }

    if (policy.runsDays !== null) {
      const days = policy.runsDays;
      const cutoff = new Date(now.getTime() - days * DAY_MS);
      const ok = await drain<{ id: string }>(
        async (tx) => {
          // Never a queued or running run: only finished ones, by when they finished.
          const pick = tx
            .select({ id: runs.id })
            .from(runs)
            .where(
              and(
                eq(runs.orgId, orgId),
                inArray(runs.status, [...FINISHED_RUN_STATUSES]),
                lt(sql`coalesce(${runs.finishedAt}, ${runs.createdAt})`, cutoff),
              ),
            )
            .limit(batchSize)
            .for("update", { skipLocked: true });
          const rows = await tx
            .delete(runs)
            .where(and(inArray(runs.id, pick), inArray(runs.status, [...FINISHED_RUN_STATUSES])))
            .returning({ id: runs.id });
          if (rows.length) {
            await recordSystemAudit(tx, {
              orgId,
              action: "retention.runs_deleted",
              targetType: "run",
              metadata: { count: rows.length, olderThanDays: days, cutoff, ids: rows.map((r) => r.id) },
            });
          }
          return rows;
        },
        async (rows) => {
          summary.runsDeleted += rows.length;
        },
      );
      if (!ok) return { ...summary, skipped: true };
    }

    if (policy.expiredShareLinksDays !== null) {
      const days = policy.expiredShareLinksDays;
      const cutoff = new Date(now.getTime() - days * DAY_MS);
      const ok = await drain<{ id: string }>(
        async (tx) => {
          const pick = tx
            .select({ id: shareLinks.id })
            .from(shareLinks)
            .where(
              and(
                eq(shareLinks.orgId, orgId),
                or(lt(shareLinks.expiresAt, cutoff), lt(shareLinks.revokedAt, cutoff)),
              ),
            )
            .limit(batchSize)
            .for("update", { skipLocked: true });
          const rows = await tx
            .delete(shareLinks)
            .where(inArray(shareLinks.id, pick))
            .returning({ id: shareLinks.id });
          if (rows.length) {
            await recordSystemAudit(tx, {
              orgId,
              action: "retention.share_links_deleted",
              targetType: "share_link",
              metadata: { count: rows.length, olderThanDays: days, cutoff, ids: rows.map((r) => r.id) },
            });
          }
          return rows;
        },
        async (rows) => {
          summary.shareLinksDeleted += rows.length;
        },
      );
      if (!ok) return { ...summary, skipped: true };
    }

    // The organization's own setting, else the server's (CONTENT_ITEMS_RETENTION_DAYS).
    const contentDays = contentItemsDaysOf(p.contentItemsDays, o.contentItemsDays);
    if (contentDays) {
      const days = contentDays;
      const cutoff = new Date(now.getTime() - days * DAY_MS);
      // Kept whatever their age: items a run cited when one of its drafts was published and measured —
      // the evidence behind results the writer learns from.
      const cited = sql`(
        select e->>'itemId' from ${contentPosts}
        join ${runs} on ${runs.id} = ${contentPosts.runId}
        cross join lateral json_array_elements(coalesce(${runs.output}->'evidence', '[]'::json)) e
        where ${contentPosts.orgId} = ${orgId} and e->>'itemId' is not null
          and exists (select 1 from ${contentFeedback} where ${contentFeedback.postId} = ${contentPosts.id}))`;
      const ok = await drain<{ id: string }>(
        async (tx) => {
          const pick = tx
            .select({ id: contentItems.id })
            .from(contentItems)
            .where(
              and(
                eq(contentItems.orgId, orgId),
                lt(contentItems.publishedAt, cutoff),
                lt(contentItems.fetchedAt, cutoff),
                sql`${contentItems.id}::text not in ${cited}`,
              ),
            )
            .limit(batchSize)
            .for("update", { skipLocked: true });
          const rows = await tx
            .delete(contentItems)
            .where(inArray(contentItems.id, pick))
            .returning({ id: contentItems.id });
          if (rows.length) {
            await recordSystemAudit(tx, {
              orgId,
              action: "retention.content_items_deleted",
              targetType: "content_item",
              metadata: { count: rows.length, olderThanDays: days, cutoff },
            });
          }
          return rows;
        },
        async (rows) => {
          summary.contentItemsDeleted += rows.length;
        },
      );
      if (!ok) return { ...summary, skipped: true };
    }
  }
  const total =
    summary.filesDeleted + summary.runsDeleted + summary.shareLinksDeleted + summary.contentItemsDeleted;
  if (total) o.log?.info(summary, "retention sweep deleted expired data");
  return summary;
}

/**
 * Runs the sweep every `intervalMinutes` (0: never) — first soon after start, then on the
 * interval. Every API instance runs one; the advisory lock makes all but one skip. `stop` waits
 * for a sweep in progress.
 */
export function startRetentionSweeper(o: {
  db: Db;
  store: FileStore;
  intervalMinutes: number;
  contentItemsDays?: number;
  log: Pick<Logger, "warn" | "info" | "error">;
  /** Delay before the first sweep (default one minute: start-up has other work). */
  firstDelayMs?: number;
}): Stoppable | null {
  if (o.intervalMinutes <= 0) return null;
  return everyInterval({
    intervalMs: o.intervalMinutes * 60_000,
    firstDelayMs: o.firstDelayMs ?? 60_000,
    tick: () =>
      sweepRetention({
        db: o.db,
        store: o.store,
        now: new Date(),
        contentItemsDays: o.contentItemsDays ?? null,
        log: o.log,
      }),
    onError: (err) => o.log.error({ err }, "retention sweep failed"),
  });
}
