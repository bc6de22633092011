import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { auditEvents, files, runs, shareLinks } from "../src/db/schema.ts";
import { createFileStore } from "../src/files/store.ts";
import { startRetentionSweeper, sweepRetention } from "../src/retention/sweep.ts";
import { addMember, createApiKey, createOwner, createTestApp, request } from "./harness.ts";
import { blobExists, DAY_MS, insertRun, insertShareLink, uploadCsv } from "./retention-helpers.ts";

/** Retention: the policy (GET/PUT /org/retention) and the sweep that applies it. */

const t = await createTestApp();
afterAll(async () => t.close());
const db = () => t.database.db;
const store = createFileStore(t.runtime.config);
type Owner = Awaited<ReturnType<typeof createOwner>>;

const get = (as: Owner | string) => request(t.app, as, { method: "GET", url: "/api/v1/org/retention" });
const put = (as: Owner | string, payload: unknown) =>
  request(t.app, as, { method: "PUT", url: "/api/v1/org/retention", payload });

describe("the policy", () => {
  let owner: Owner;
  let other: Owner;
  beforeAll(async () => {
    owner = await createOwner(t.app, "Policy Org");
    other = await createOwner(t.app, "Other Policy Org");
  });

  it("starts at the defaults: files 30 days, runs forever, expired share links 30 days", async () => {
    const viewer = await addMember(t.app, owner, "viewer");
    const res = await get(viewer);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      filesDays: 30,
      runsDays: null,
      expiredShareLinksDays: 30,
      contentItemsDays: null,
      contentItemsDaysSource: "server",
      serverContentItemsDays: null,
      isDefault: true,
      updatedAt: null,
    });
  });

  it("is changed by admins and owners only, and audited", async () => {
    const analyst = await addMember(t.app, owner, "analyst");
    const admin = await addMember(t.app, owner, "admin");
    const body = { filesDays: 7, runsDays: 365, expiredShareLinksDays: null };
    const refused = await put(analyst, body);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toBe(
      "This action requires the admin role or higher; your role is analyst.",
    );
    expect((await get(owner)).json().isDefault).toBe(true);

    const res = await put(admin, body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ...body, isDefault: false });
    expect((await get(analyst)).json()).toMatchObject(body);

    const again = await put(owner, { filesDays: 14, runsDays: null, expiredShareLinksDays: 3 });
    expect(again.json()).toMatchObject({ filesDays: 14, runsDays: null, expiredShareLinksDays: 3 });

    const events = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, owner.orgId), eq(auditEvents.action, "retention.policy_updated")));
    const content = { contentItemsDays: null, contentItemsDaysSource: "server" };
    expect(events.map((e) => [e.actorUserId, e.metadata])).toEqual([
      [
        admin.userId,
        {
          before: { filesDays: 30, runsDays: null, expiredShareLinksDays: 30, ...content },
          after: { ...body, ...content },
        },
      ],
      [
        owner.userId,
        {
          before: { ...body, ...content },
          after: { filesDays: 14, runsDays: null, expiredShareLinksDays: 3, ...content },
        },
      ],
    ]);
    // Another organization's policy is its own.
    expect((await get(other)).json()).toMatchObject({ filesDays: 30, isDefault: true });
  });

  it("an admin API key may change it; a read key may only read it", async () => {
    const adminKey = await createApiKey(t.app, other, "admin");
    const readKey = await createApiKey(t.app, other, "read");
    expect((await get(readKey.key)).json().filesDays).toBe(30);
    expect((await put(readKey.key, { filesDays: 1, runsDays: 1, expiredShareLinksDays: 1 })).statusCode).toBe(
      403,
    );
    const res = await put(adminKey.key, { filesDays: 90, runsDays: null, expiredShareLinksDays: null });
    expect(res.statusCode, res.body).toBe(200);
    expect((await get(other)).json()).toMatchObject({ filesDays: 90, runsDays: null });
    // …and nothing of it reached the first organization.
    expect((await get(owner)).json()).toMatchObject({ filesDays: 14, expiredShareLinksDays: 3 });
  });

  it.each([
    [
      { filesDays: 0, runsDays: null, expiredShareLinksDays: null },
      "body.filesDays",
      "must be at least 1 day",
    ],
    [
      { filesDays: 3651, runsDays: null, expiredShareLinksDays: null },
      "body.filesDays",
      "must be at most 3650 days (10 years)",
    ],
    [
      { filesDays: 30, runsDays: 1.5, expiredShareLinksDays: null },
      "body.runsDays",
      "must be a whole number of days",
    ],
    [
      { filesDays: 30, runsDays: null, expiredShareLinksDays: "30" },
      "body.expiredShareLinksDays",
      "must be a whole number of days or null",
    ],
    [
      { filesDays: 30, runsDays: null },
      "body.expiredShareLinksDays",
      "must be a whole number of days or null",
    ],
  ])("refuses %j with a 422 on the field, changing nothing", async (body, path, message) => {
    const res = await put(owner, body);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
    expect(res.json().errors).toContainEqual({ path, message });
    expect((await get(owner)).json()).toMatchObject({
      filesDays: 14,
      runsDays: null,
      expiredShareLinksDays: 3,
    });
  });

  it("refuses unknown fields", async () => {
    const res = await put(owner, { filesDays: 1, runsDays: 1, expiredShareLinksDays: 1, auditDays: 1 });
    expect(res.statusCode).toBe(422);
    expect(JSON.stringify(res.json().errors)).toContain("auditDays");
  });
});

describe("the sweep", () => {
  const now = new Date("2031-06-15T12:00:00Z");
  const daysAgo = (d: number) => new Date(now.getTime() - d * DAY_MS);
  const setCreated = (id: string, at: Date) =>
    db().update(files).set({ createdAt: at }).where(eq(files.id, id));
  const fileRow = async (id: string) => (await db().select().from(files).where(eq(files.id, id)))[0];

  it("deletes old files (rows and blobs), finished runs and dead share links by each org's policy", async () => {
    const a = await createOwner(t.app, "Sweep A");
    const b = await createOwner(t.app, "Sweep B");
    expect((await put(a, { filesDays: 10, runsDays: 5, expiredShareLinksDays: 2 })).statusCode).toBe(200);

    // A: one old file, one new; two readings of the same bytes (one old, one new) share an original.
    const oldA = await uploadCsv(t, a, "old.csv", "x,y\n1,2\n");
    const newA = await uploadCsv(t, a, "new.csv", "x,y\n3,4\n");
    const sharedOld = await uploadCsv(t, a, "shared.csv", "p;q\n5;6\n");
    const sharedNew = await uploadCsv(t, a, "shared.csv", "p;q\n5;6\n", "?delimiter=%3B");
    await setCreated(oldA.id, daysAgo(11));
    await setCreated(newA.id, daysAgo(9));
    await setCreated(sharedOld.id, daysAgo(11));
    await setCreated(sharedNew.id, daysAgo(1));
    // B (default policy, files 30 days): 40 days old goes, 20 days old stays.
    const oldB = await uploadCsv(t, b, "b-old.csv", "x,y\n7,8\n");
    const keptB = await uploadCsv(t, b, "b-kept.csv", "x,y\n9,10\n");
    await setCreated(oldB.id, daysAgo(40));
    await setCreated(keptB.id, daysAgo(20));
    const rowOf = async (id: string) => (await fileRow(id))!;
    const [oldArow, newArow, sharedOldRow, sharedNewRow, oldBrow, keptBrow] = await Promise.all(
      [oldA, newA, sharedOld, sharedNew, oldB, keptB].map((f) => rowOf(f.id)),
    );
    expect(sharedOldRow!.storageKey).toBe(sharedNewRow!.storageKey);

    const runsA = {
      oldSucceeded: await insertRun(t, a.orgId, "succeeded", daysAgo(6)),
      oldFailed: await insertRun(t, a.orgId, "failed", daysAgo(30)),
      oldCanceled: await insertRun(t, a.orgId, "canceled", daysAgo(6)),
      oldQueued: await insertRun(t, a.orgId, "queued", daysAgo(30)),
      oldRunning: await insertRun(t, a.orgId, "running", daysAgo(30)),
      newSucceeded: await insertRun(t, a.orgId, "succeeded", daysAgo(4)),
    };
    // Created long ago but finished recently: kept (the clock starts when it finished).
    const lateFinisher = await insertRun(t, a.orgId, "succeeded", daysAgo(1), { createdAt: daysAgo(60) });
    const oldRunB = await insertRun(t, b.orgId, "succeeded", daysAgo(400));

    const links = {
      expiredLongAgo: await insertShareLink(t, a.orgId, runsA.newSucceeded, daysAgo(3)),
      revokedLongAgo: await insertShareLink(t, a.orgId, runsA.newSucceeded, daysAgo(-10), daysAgo(3)),
      expiredRecently: await insertShareLink(t, a.orgId, runsA.newSucceeded, daysAgo(1)),
      active: await insertShareLink(t, a.orgId, runsA.newSucceeded, daysAgo(-10)),
    };
    const linkB = await insertShareLink(t, b.orgId, oldRunB, daysAgo(20));
    const linkBOld = await insertShareLink(t, b.orgId, oldRunB, daysAgo(31));

    const summary = await sweepRetention({ db: db(), store, now, batchSize: 2 });
    expect(summary).toEqual({
      skipped: false,
      filesDeleted: 3, // oldA, sharedOld, oldB
      blobsDeleted: 5, // 3 parsed tables + 2 originals (sharedOld's original is still used)
      runsDeleted: 3,
      shareLinksDeleted: 3, // expiredLongAgo, revokedLongAgo, linkBOld
      contentItemsDeleted: 0, // CONTENT_ITEMS_RETENTION_DAYS not given: items are kept
    });

    const fileIds = (
      await db()
        .select({ id: files.id })
        .from(files)
        .where(inArray(files.orgId, [a.orgId, b.orgId]))
    ).map((r) => r.id);
    expect(fileIds.sort()).toEqual([newA.id, sharedNew.id, keptB.id].sort());
    for (const gone of [oldArow!, oldBrow!]) {
      expect(blobExists(t, gone.storageKey)).toBe(false);
      expect(blobExists(t, gone.dataKey)).toBe(false);
    }
    expect(blobExists(t, sharedOldRow!.dataKey)).toBe(false);
    expect(blobExists(t, sharedOldRow!.storageKey)).toBe(true); // still the original of sharedNew
    for (const kept of [newArow!, sharedNewRow!, keptBrow!]) {
      expect(blobExists(t, kept.storageKey)).toBe(true);
      expect(blobExists(t, kept.dataKey)).toBe(true);
    }
    const rows = await request(t.app, a, { method: "GET", url: `/api/v1/files/${sharedNew.id}/rows` });
    expect(rows.json().rows).toEqual([{ p: 5, q: 6 }]);

    const runIds = (
      await db()
        .select({ id: runs.id })
        .from(runs)
        .where(inArray(runs.orgId, [a.orgId, b.orgId]))
    )
      .map((r) => r.id)
      .sort();
    expect(runIds).toEqual(
      [runsA.oldQueued, runsA.oldRunning, runsA.newSucceeded, lateFinisher, oldRunB].sort(),
    );
    const linkIds = (
      await db()
        .select({ id: shareLinks.id })
        .from(shareLinks)
        .where(inArray(shareLinks.orgId, [a.orgId, b.orgId]))
    )
      .map((r) => r.id)
      .sort();
    expect(linkIds).toEqual([links.expiredRecently, links.active, linkB].sort());

    // Each batch is one system audit event in its own organization.
    const events = await db()
      .select()
      .from(auditEvents)
      .where(and(inArray(auditEvents.orgId, [a.orgId, b.orgId]), eq(auditEvents.actorType, "system")));
    const byAction = (org: string, action: string) =>
      events
        .filter((e) => e.orgId === org && e.action === action)
        .flatMap((e) => (e.metadata as { ids: string[] }).ids)
        .sort();
    expect(byAction(a.orgId, "retention.files_deleted")).toEqual([oldA.id, sharedOld.id].sort());
    expect(byAction(b.orgId, "retention.files_deleted")).toEqual([oldB.id]);
    expect(byAction(a.orgId, "retention.runs_deleted")).toEqual(
      [runsA.oldSucceeded, runsA.oldFailed, runsA.oldCanceled].sort(),
    );
    expect(byAction(b.orgId, "retention.runs_deleted")).toEqual([]);
    expect(byAction(a.orgId, "retention.share_links_deleted")).toEqual(
      [links.expiredLongAgo, links.revokedLongAgo].sort(),
    );
    expect(byAction(b.orgId, "retention.share_links_deleted")).toEqual([linkBOld]);
    const runEvent = events.find((e) => e.action === "retention.runs_deleted")!;
    expect(runEvent).toMatchObject({ actorUserId: null, actorEmail: null, targetType: "run" });
    expect(runEvent.metadata).toMatchObject({ olderThanDays: 5, cutoff: daysAgo(5).toISOString() });
    // batchSize 2 split A's three runs into two events.
    expect(events.filter((e) => e.orgId === a.orgId && e.action === "retention.runs_deleted")).toHaveLength(
      2,
    );

    // A second sweep at the same moment finds nothing more to do.
    expect(await sweepRetention({ db: db(), store, now })).toMatchObject({
      filesDeleted: 0,
      runsDeleted: 0,
      shareLinksDeleted: 0,
    });
  });

  it("keeps everything with null periods, and nothing survives a policy once it is old enough", async () => {
    const c = await createOwner(t.app, "Sweep C");
    await put(c, { filesDays: null, runsDays: null, expiredShareLinksDays: null });
    const f = await uploadCsv(t, c, "forever.csv", "x\n1\n");
    await setCreated(f.id, daysAgo(3000));
    const run = await insertRun(t, c.orgId, "succeeded", daysAgo(3000));
    await insertShareLink(t, c.orgId, run, daysAgo(3000));
    await sweepRetention({ db: db(), store, now });
    expect(await fileRow(f.id)).toBeDefined();
    expect(await db().select().from(runs).where(eq(runs.id, run))).toHaveLength(1);
    expect(await db().select().from(shareLinks).where(eq(shareLinks.orgId, c.orgId))).toHaveLength(1);

    await put(c, { filesDays: 3650, runsDays: 3650, expiredShareLinksDays: 3650 });
    await sweepRetention({ db: db(), store, now });
    expect(await fileRow(f.id)).toBeDefined(); // 3000 < 3650 days
    await sweepRetention({ db: db(), store, now: new Date(now.getTime() + 700 * DAY_MS) });
    expect(await fileRow(f.id)).toBeUndefined();
    expect(await db().select().from(runs).where(eq(runs.id, run))).toHaveLength(0);
    expect(await db().select().from(shareLinks).where(eq(shareLinks.orgId, c.orgId))).toHaveLength(0);
  });

  it.runIf(Boolean(process.env.DATABASE_URL))(
    "skips while another instance holds the sweep lock (PostgreSQL)",
    async () => {
      const d = await createOwner(t.app, "Sweep D");
      const f = await uploadCsv(t, d, "locked.csv", "x\n1\n");
      await setCreated(f.id, daysAgo(365));
      const client = await t.database.pool!.connect();
      try {
        await client.query("begin");
        await client.query("select pg_advisory_xact_lock(7310066)");
        const summary = await sweepRetention({ db: db(), store, now });
        expect(summary.skipped).toBe(true);
        expect(await fileRow(f.id)).toBeDefined();
      } finally {
        await client.query("rollback");
        client.release();
      }
      expect((await sweepRetention({ db: db(), store, now })).skipped).toBe(false);
      expect(await fileRow(f.id)).toBeUndefined();
    },
  );
});

describe("the scheduler", () => {
  const log = { info() {}, warn() {}, error() {} };

  it("is off at 0 minutes", () => {
    expect(startRetentionSweeper({ db: db(), store, intervalMinutes: 0, log })).toBeNull();
  });

  it("sweeps on its own once started, and stops", async () => {
    const e = await createOwner(t.app, "Scheduled");
    const f = await uploadCsv(t, e, "stale.csv", "x\n1\n");
    await db()
      .update(files)
      .set({ createdAt: new Date(Date.now() - 31 * DAY_MS) })
      .where(eq(files.id, f.id));
    const sweeper = startRetentionSweeper({ db: db(), store, intervalMinutes: 60, log, firstDelayMs: 1 })!;
    try {
      await expect
        .poll(async () => (await db().select().from(files).where(eq(files.id, f.id))).length, {
          timeout: 10_000,
        })
        .toBe(0);
    } finally {
      await sweeper.stop();
    }
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, e.orgId), eq(auditEvents.action, "retention.files_deleted")));
    expect(event).toMatchObject({
      actorType: "system",
      metadata: { count: 1, olderThanDays: 30, ids: [f.id] },
    });
  });
});

describe("configuration", () => {
  it("RETENTION_SWEEP_MINUTES defaults to 60, 0 disables, negative is refused", () => {
    const base = { NODE_ENV: "test", DATABASE_URL: "memory://" };
    expect(loadConfig(base).RETENTION_SWEEP_MINUTES).toBe(60);
    expect(loadConfig({ ...base, RETENTION_SWEEP_MINUTES: "0" }).RETENTION_SWEEP_MINUTES).toBe(0);
    expect(() => loadConfig({ ...base, RETENTION_SWEEP_MINUTES: "-5" })).toThrow(/RETENTION_SWEEP_MINUTES/);
  });
});
