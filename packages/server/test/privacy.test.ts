import { readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiKeys,
  auditEvents,
  files,
  memberships,
  organizations,
  projects,
  scenarioRevisions,
  scenarios,
  sessions,
  users,
} from "../src/db/schema.ts";
import { createFileStore } from "../src/files/store.ts";
import { orgExportZip } from "../src/retention/export.ts";
import { addMember, createApiKey, createOwner, createTestApp, PASSWORD, request } from "./harness.ts";
import { blobExists, insertRun, insertShareLink, unzip, uploadCsv } from "./retention-helpers.ts";

/** Privacy requests: export an organization, delete an account, erase an organization. */

const t = await createTestApp();
afterAll(async () => t.close());
const db = () => t.database.db;
type Owner = Awaited<ReturnType<typeof createOwner>>;

const auditIn = (orgId: string, action: string) =>
  db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, action)));
const errorText = (e: unknown) => {
  const err = e as { message?: string; cause?: { message?: string } };
  return `${err.message ?? ""} ${err.cause?.message ?? ""}`;
};
const fileRowOf = async (id: string) => (await db().select().from(files).where(eq(files.id, id)))[0]!;

/** Writes a project, a scenario with two revisions, a finished run and a share link into an org. */
async function populate(owner: Owner, marker: string) {
  const project = (
    await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/projects",
      payload: { name: `${marker} project` },
    })
  ).json();
  const [scenario] = await db()
    .insert(scenarios)
    .values({
      orgId: owner.orgId,
      projectId: project.id,
      modelId: "tif",
      name: `${marker} scenario`,
      currentRevision: 2,
    })
    .returning();
  for (const revision of [1, 2]) {
    await db()
      .insert(scenarioRevisions)
      .values({
        orgId: owner.orgId,
        scenarioId: scenario!.id,
        revision,
        modelVersion: "1.0.0",
        input: { marker: `${marker}-revision-${revision}` },
        inputHash: `${marker}-${revision}`,
      });
  }
  const runId = await insertRun(t, owner.orgId, "succeeded", new Date(), {
    input: { marker: `${marker}-run-input` },
    output: { marker: `${marker}-run-output` },
  });
  const linkId = await insertShareLink(t, owner.orgId, runId, new Date(Date.now() + 3_600_000));
  const csv = `id,${marker}\n1,2\n3,4\n`;
  const file = await uploadCsv(t, owner, `${marker}.csv`, csv);
  return { project, scenario: scenario!, runId, linkId, file, csv };
}

describe("GET /org/export", () => {
  let a: Owner;
  let b: Owner;
  let ofA: Awaited<ReturnType<typeof populate>>;
  let ofB: Awaited<ReturnType<typeof populate>>;
  beforeAll(async () => {
    a = await createOwner(t.app, "Exporter A");
    b = await createOwner(t.app, "Exporter B");
    ofA = await populate(a, "alpha");
    ofB = await populate(b, "bravo");
  });

  it("answers with a zip of everything the org holds, and nothing of another org", async () => {
    const admin = await addMember(t.app, a, "admin");
    const key = await createApiKey(t.app, a, "read");
    const res = await request(t.app, admin, { method: "GET", url: "/api/v1/org/export" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toBe("application/zip");
    expect(res.headers["content-disposition"]).toMatch(
      /^attachment; filename="exporter-a-export-\d{4}-\d{2}-\d{2}\.zip"$/,
    );
    const entries = await unzip(res.rawPayload);
    const text = (name: string) => {
      const e = entries.get(name);
      if (!e) throw new Error(`${name} missing; have ${[...entries.keys()].join(", ")}`);
      return e.toString("utf8");
    };
    const ndjson = (name: string) =>
      text(name)
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));

    expect(JSON.parse(text("manifest.json"))).toMatchObject({
      format: "modelworks-org-export",
      orgId: a.orgId,
    });
    expect(JSON.parse(text("organization.json"))).toMatchObject({ id: a.orgId, name: "Exporter A" });
    expect(JSON.parse(text("retention-policy.json"))).toMatchObject({ filesDays: 30, isDefault: true });
    const members = JSON.parse(text("members.json"));
    expect(members.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort()).toEqual(
      [
        [a.userId, "owner"],
        [admin.userId, "admin"],
      ].sort(),
    );
    expect(Object.keys(members[0]).sort()).toEqual(["email", "joinedAt", "name", "role", "userId"]);

    expect(ndjson("projects.ndjson").map((p) => p.id)).toEqual([ofA.project.id]);
    expect(ndjson("scenarios.ndjson").map((s) => s.id)).toEqual([ofA.scenario.id]);
    expect(
      ndjson("scenario-revisions.ndjson")
        .map((r) => r.input.marker)
        .sort(),
    ).toEqual(["alpha-revision-1", "alpha-revision-2"]);
    const [run] = ndjson("runs.ndjson");
    expect(run).toMatchObject({
      id: ofA.runId,
      input: { marker: "alpha-run-input" },
      output: { marker: "alpha-run-output" },
      status: "succeeded",
    });
    const [link] = ndjson("share-links.ndjson");
    expect(link.id).toBe(ofA.linkId);
    expect(link).not.toHaveProperty("tokenHash");
    const keys = ndjson("api-keys.ndjson");
    expect(keys.map((k) => k.id)).toEqual([key.id]);
    expect(keys[0]).not.toHaveProperty("tokenHash");
    const [fileRow] = ndjson("files.ndjson");
    expect(fileRow).toMatchObject({ id: ofA.file.id, name: "alpha.csv", rowCount: 2 });
    expect(text(`files/${ofA.file.id}/alpha.csv`)).toBe(ofA.csv);
    const actions = ndjson("audit-events.ndjson").map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["org.created", "project.created", "file.uploaded"]));
    expect(ndjson("field-mappings.ndjson")).toEqual([]);
    expect(ndjson("conversations.ndjson")).toEqual([]);
    expect(ndjson("plan-revisions.ndjson")).toEqual([]);
    expect([...entries.keys()].filter((n) => n.startsWith("files/"))).toEqual([
      `files/${ofA.file.id}/alpha.csv`,
    ]);

    // No secrets and nothing of organization B, in any entry.
    const all = [...entries.values()].map((e) => e.toString("utf8")).join("\n");
    const [user] = await db().select().from(users).where(eq(users.id, a.userId));
    const [keyRow] = await db().select().from(apiKeys).where(eq(apiKeys.id, key.id));
    for (const secret of [user!.passwordHash!, keyRow!.tokenHash, "$argon2", "passwordHash", "tokenHash"]) {
      expect(all).not.toContain(secret);
    }
    for (const foreign of [
      b.orgId,
      b.userId,
      ofB.project.id,
      ofB.scenario.id,
      ofB.runId,
      ofB.linkId,
      ofB.file.id,
      "bravo",
    ]) {
      expect(all).not.toContain(foreign);
    }

    const [event] = await auditIn(a.orgId, "org.exported");
    expect(event).toMatchObject({ actorUserId: admin.userId, targetId: a.orgId });
  });

  it("is for owners and admins only — not analysts, not API keys", async () => {
    const analyst = await addMember(t.app, a, "analyst");
    const refused = await request(t.app, analyst, { method: "GET", url: "/api/v1/org/export" });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toBe(
      "This action requires the admin role or higher; your role is analyst.",
    );
    const adminKey = await createApiKey(t.app, a, "admin");
    const byKey = await request(t.app, adminKey.key, { method: "GET", url: "/api/v1/org/export" });
    expect(byKey.statusCode).toBe(403);
    // B's owner naming A by header learns nothing.
    const foreign = await request(t.app, b, {
      method: "GET",
      url: "/api/v1/org/export",
      headers: { "x-organization-id": a.orgId },
    });
    expect(foreign.statusCode).toBe(404);
  });
});

describe("an export the client abandons", () => {
  it("closes the file it was reading and opens no more", async () => {
    const owner = await createOwner(t.app, "Abandoner");
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},${(i * 7919) % 100_003},row ${i}`).join("\n");
    const big = await fileRowOf((await uploadCsv(t, owner, "big.csv", `id,value,label\n${rows}\n`)).id);
    const blobPath = path.join(path.resolve(t.runtime.config.DATA_DIR, "files"), "objects", big.storageKey);
    const openOnBlob = () =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === blobPath;
        } catch {
          return false;
        }
      }).length;
    const out = orgExportZip(db(), createFileStore(t.runtime.config), owner.orgId) as Readable;
    let sawOpen = false;
    for await (const _chunk of out) {
      if (openOnBlob() > 0) {
        sawOpen = true;
        break; // leaving the loop destroys the stream, as a closed connection does
      }
    }
    expect(sawOpen).toBe(true);
    await expect.poll(openOnBlob, { timeout: 5000 }).toBe(0);
  });
});

describe("DELETE /session/account", () => {
  const del = (as: Owner, payload: unknown) =>
    request(t.app, as, { method: "DELETE", url: "/api/v1/session/account", payload });

  it("asks for the password: missing or wrong is a 422 on body.password, and nothing changes", async () => {
    const owner = await createOwner(t.app, "Careful");
    const missing = await del(owner, {});
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors).toContainEqual({ path: "body.password", message: expect.any(String) });
    const wrong = await del(owner, { password: "not my password" });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors).toEqual([{ path: "body.password", message: "is incorrect" }]);
    expect(await db().select().from(users).where(eq(users.id, owner.userId))).toHaveLength(1);
    expect((await request(t.app, owner, { method: "GET", url: "/api/v1/session" })).statusCode).toBe(200);
  });

  it("is refused (409) for the only owner of an org with other members, until another owner exists", async () => {
    const owner = await createOwner(t.app, "Sole Owner Co");
    const admin = await addMember(t.app, owner, "admin");
    const res = await del(owner, { password: PASSWORD });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toBe(
      `You are the only owner of Sole Owner Co (${owner.orgId}), which has other members: make another member ` +
        "an owner, or delete the organization, before deleting your account.",
    );
    expect(await db().select().from(users).where(eq(users.id, owner.userId))).toHaveLength(1);

    const promote = await request(t.app, owner, {
      method: "PATCH",
      url: `/api/v1/org/members/${admin.userId}`,
      payload: { role: "owner" },
    });
    expect(promote.statusCode, promote.body).toBe(200);
    expect((await del(owner, { password: PASSWORD })).statusCode).toBe(204);
    expect(await db().select().from(organizations).where(eq(organizations.id, owner.orgId))).toHaveLength(1);
    const left = await db().select().from(memberships).where(eq(memberships.orgId, owner.orgId));
    expect(left.map((m) => [m.userId, m.role])).toEqual([[admin.userId, "owner"]]);
  });

  it("removes the person, keeps what they made (unattributed), revokes their keys, erases their solo orgs", async () => {
    const owner = await createOwner(t.app, "Stays");
    const leaver = await addMember(t.app, owner, "admin");
    const project = (
      await request(t.app, leaver, {
        method: "POST",
        url: "/api/v1/projects",
        payload: { name: "Left behind" },
      })
    ).json();
    const key = await createApiKey(t.app, leaver, "read");
    const ownersKey = await createApiKey(t.app, owner, "read");
    // An organization of the leaver's own, with a file in the store.
    const solo = await request(t.app, leaver, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "Just Me" },
    });
    const soloOrgId = solo.json().id as string;
    const soloFile = await uploadCsv(t, { ...leaver, orgId: soloOrgId }, "mine.csv", "a\n1\n");
    const soloRow = await fileRowOf(soloFile.id);
    expect(blobExists(t, soloRow.storageKey)).toBe(true);

    const res = await del(leaver, { password: PASSWORD });
    expect(res.statusCode, res.body).toBe(204);
    expect(res.cookies.find((c) => c.name === "mw_session")?.value).toBe("");

    expect(await db().select().from(users).where(eq(users.id, leaver.userId))).toHaveLength(0);
    expect(await db().select().from(memberships).where(eq(memberships.userId, leaver.userId))).toHaveLength(
      0,
    );
    expect(await db().select().from(sessions).where(eq(sessions.userId, leaver.userId))).toHaveLength(0);
    expect((await request(t.app, leaver, { method: "GET", url: "/api/v1/session" })).statusCode).toBe(401);
    // What they made stays in the org, no longer attributed.
    const [kept] = await db().select().from(projects).where(eq(projects.id, project.id));
    expect(kept).toMatchObject({ name: "Left behind", createdBy: null });
    // Their key is revoked; the owner's is not.
    expect((await request(t.app, key.key, { method: "GET", url: "/api/v1/projects" })).statusCode).toBe(401);
    expect((await request(t.app, ownersKey.key, { method: "GET", url: "/api/v1/projects" })).statusCode).toBe(
      200,
    );
    const [keyRow] = await db().select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(keyRow!.revokedAt).not.toBeNull();
    // The solo org is erased, blobs and all.
    expect(await db().select().from(organizations).where(eq(organizations.id, soloOrgId))).toHaveLength(0);
    expect(await db().select().from(auditEvents).where(eq(auditEvents.orgId, soloOrgId))).toHaveLength(0);
    expect(blobExists(t, soloRow.storageKey)).toBe(false);
    expect(blobExists(t, soloRow.dataKey)).toBe(false);

    const [event] = await auditIn(owner.orgId, "member.account_deleted");
    expect(event).toMatchObject({
      actorUserId: leaver.userId,
      targetType: "user",
      targetId: leaver.userId,
      metadata: { role: "admin", apiKeysRevoked: [key.id] },
    });
    const erased = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "org.deleted"), eq(auditEvents.targetId, soloOrgId)));
    expect(erased).toHaveLength(1);
    expect(erased[0]).toMatchObject({
      orgId: null,
      metadata: { reason: "account_deleted", filesDeleted: 1 },
    });
  });

  it("pseudonymizes the person in the history that remains: events stay, their email, IP and user agent go", async () => {
    const owner = await createOwner(t.app, "Keeps History");
    const leaver = await addMember(t.app, owner, "analyst");
    const [row] = await db().select({ email: users.email }).from(users).where(eq(users.id, leaver.userId));
    const email = row!.email;
    await request(t.app, leaver, { method: "POST", url: "/api/v1/projects", payload: { name: "Theirs" } });
    // A failed sign-in with their address: the event has their email but no user id.
    const failed = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/sign-in",
      payload: { email: email.toUpperCase(), password: "wrong password" },
    });
    expect(failed.statusCode).toBe(401);
    const mentions = sql`(lower(${auditEvents.actorEmail}) = ${email} or lower(${auditEvents.metadata}->>'email') = ${email})`;
    const byThem = () => db().select().from(auditEvents).where(eq(auditEvents.actorUserId, leaver.userId));
    const before = await byThem();
    expect(before.length).toBeGreaterThanOrEqual(2); // invitation accepted, project created
    expect(before.every((e) => e.ip !== null)).toBe(true);
    expect((await db().select().from(auditEvents).where(mentions)).length).toBeGreaterThanOrEqual(2);
    const ownersBefore = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.actorUserId, owner.userId));

    expect((await del(leaver, { password: PASSWORD })).statusCode).toBe(204);

    const after = await byThem();
    // The same events and one more (member.account_deleted), keyed by an id that resolves to no one.
    expect(after.map((e) => e.id)).toEqual(expect.arrayContaining(before.map((e) => e.id)));
    expect(after.map((e) => e.action)).toContain("member.account_deleted");
    for (const e of after) expect(e).toMatchObject({ actorEmail: null, ip: null, userAgent: null });
    const kept = new Map(after.map((e) => [e.id, e]));
    for (const e of before)
      expect(kept.get(e.id)).toMatchObject({ action: e.action, orgId: e.orgId, targetId: e.targetId });
    // Nowhere in the log: not as the actor of the failed sign-in, not in the owner's invitation.
    expect(await db().select().from(auditEvents).where(mentions)).toEqual([]);
    const [invited] = await auditIn(owner.orgId, "invitation.created");
    expect(invited!.metadata).not.toHaveProperty("email");
    expect(invited!.metadata).toHaveProperty("role", "analyst");
    // The owner's own details are untouched.
    const ownersAfter = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.actorUserId, owner.userId));
    for (const e of ownersBefore) {
      const now = ownersAfter.find((x) => x.id === e.id)!;
      expect({ ip: now.ip, userAgent: now.userAgent, actorEmail: now.actorEmail }).toEqual({
        ip: e.ip,
        userAgent: e.userAgent,
        actorEmail: e.actorEmail,
      });
    }
  });
});

describe("DELETE /org erases", () => {
  it("removes the org's blobs from the file store and its audit rows; other orgs keep theirs", async () => {
    const doomed = await createOwner(t.app, "Doomed Files");
    const bystander = await createOwner(t.app, "Bystander");
    const f1 = await fileRowOf((await uploadCsv(t, doomed, "one.csv", "a\n1\n")).id);
    const f2 = await fileRowOf((await uploadCsv(t, doomed, "two.csv", "a;b\n1;2\n")).id);
    const f3 = await fileRowOf((await uploadCsv(t, doomed, "two.csv", "a;b\n1;2\n", "?delimiter=%3B")).id);
    const theirs = await fileRowOf((await uploadCsv(t, bystander, "one.csv", "a\n1\n")).id);
    const bystanderEvents = (
      await db().select().from(auditEvents).where(eq(auditEvents.orgId, bystander.orgId))
    ).length;

    const res = await request(t.app, doomed, { method: "DELETE", url: "/api/v1/org" });
    expect(res.statusCode, res.body).toBe(204);
    for (const f of [f1, f2, f3]) {
      expect(blobExists(t, f.storageKey)).toBe(false);
      expect(blobExists(t, f.dataKey)).toBe(false);
    }
    expect(blobExists(t, theirs.storageKey)).toBe(true);
    expect(blobExists(t, theirs.dataKey)).toBe(true);
    expect(await db().select().from(files).where(eq(files.orgId, doomed.orgId))).toHaveLength(0);
    expect(await db().select().from(auditEvents).where(eq(auditEvents.orgId, doomed.orgId))).toHaveLength(0);
    expect(await db().select().from(auditEvents).where(eq(auditEvents.orgId, bystander.orgId))).toHaveLength(
      bystanderEvents,
    );
    const [deleted] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "org.deleted"), eq(auditEvents.targetId, doomed.orgId)));
    expect(deleted).toMatchObject({
      orgId: null,
      actorUserId: doomed.userId,
      metadata: { filesDeleted: 3 },
    });
    expect((deleted!.metadata as { auditEventsErased: number }).auditEventsErased).toBeGreaterThanOrEqual(4);
    expect(
      (await request(t.app, bystander, { method: "GET", url: `/api/v1/files/${theirs.id}/rows` })).statusCode,
    ).toBe(200);
  });

  it("leaves the deleting session in another organization its person belongs to, or in none", async () => {
    const owner = await createOwner(t.app, "First Home");
    const second = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "Second Home" },
    });
    const secondId = second.json().id as string;
    const moved = await request(t.app, owner, {
      method: "PUT",
      url: "/api/v1/session/organization",
      payload: { orgId: secondId },
    });
    expect(moved.json().activeOrgId).toBe(secondId);
    expect((await request(t.app, owner, { method: "DELETE", url: "/api/v1/org" })).statusCode).toBe(204);
    const session = (await request(t.app, owner, { method: "GET", url: "/api/v1/session" })).json();
    expect(session.activeOrgId).toBe(owner.orgId);
    expect(session.organizations.map((o: { name: string }) => o.name)).toEqual(["First Home"]);
    // Working on goes on in that organization without choosing it again.
    expect((await request(t.app, owner, { method: "GET", url: "/api/v1/projects" })).statusCode).toBe(200);
    expect((await request(t.app, owner, { method: "DELETE", url: "/api/v1/org" })).statusCode).toBe(204);
    const none = (await request(t.app, owner, { method: "GET", url: "/api/v1/session" })).json();
    expect(none).toMatchObject({ activeOrgId: null, organizations: [] });
  });

  it("the audit log still refuses an ordinary DELETE or UPDATE — an erasure of an org that exists, a pseudonymization of someone who exists or of another's event", async () => {
    const owner = await createOwner(t.app, "Still Append Only");
    const [event] = await auditIn(owner.orgId, "org.created");
    const attempts = [
      // Plain statements.
      () => db().execute(sql`delete from audit_events where id = ${event!.id}`),
      () => db().execute(sql`update audit_events set action = 'x' where id = ${event!.id}`),
      // The erasure setting naming this org, while the org still exists.
      () =>
        db().transaction(async (tx) => {
          await tx.execute(sql`select set_config('modelworks.erase_org', ${owner.orgId}, true)`);
          await tx.delete(auditEvents).where(eq(auditEvents.orgId, owner.orgId));
        }),
      // The org gone but the setting naming another org.
      () =>
        db().transaction(async (tx) => {
          await tx.execute(sql`select set_config('modelworks.erase_org', ${crypto.randomUUID()}, true)`);
          await tx.delete(organizations).where(eq(organizations.id, owner.orgId));
          await tx.delete(auditEvents).where(eq(auditEvents.orgId, owner.orgId));
        }),
      // Pseudonymizing a person who still exists.
      () =>
        db().transaction(async (tx) => {
          await tx.execute(
            sql`select set_config('modelworks.erase_user', ${owner.userId}, true), set_config('modelworks.erase_email', 'x@example.com', true)`,
          );
          await tx
            .update(auditEvents)
            .set({ ip: null, userAgent: null, actorEmail: null })
            .where(eq(auditEvents.id, event!.id));
        }),
      // Pseudonymizing someone gone, but on an event that is not theirs, or changing more than the details.
      () =>
        db().transaction(async (tx) => {
          await tx.execute(
            sql`select set_config('modelworks.erase_user', ${crypto.randomUUID()}, true), set_config('modelworks.erase_email', 'gone@example.com', true)`,
          );
          await tx
            .update(auditEvents)
            .set({ ip: null, userAgent: null, actorEmail: null })
            .where(eq(auditEvents.id, event!.id));
        }),
      () =>
        db().transaction(async (tx) => {
          await tx.execute(
            sql`select set_config('modelworks.erase_user', ${crypto.randomUUID()}, true), set_config('modelworks.erase_email', 'gone@example.com', true)`,
          );
          await tx.update(auditEvents).set({ action: "x" }).where(eq(auditEvents.id, event!.id));
        }),
      // Erasure never allows an UPDATE.
      () =>
        db().transaction(async (tx) => {
          await tx.execute(sql`select set_config('modelworks.erase_org', ${owner.orgId}, true)`);
          await tx.delete(organizations).where(eq(organizations.id, owner.orgId));
          await tx.update(auditEvents).set({ action: "x" }).where(eq(auditEvents.orgId, owner.orgId));
        }),
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        await attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeDefined();
      expect(errorText(error)).toMatch(/audit_events is append-only \((UPDATE|DELETE) rejected\)/);
    }
    // The setting is transaction-local: it does not linger on the connection.
    await expect(db().execute(sql`delete from audit_events where id = ${event!.id}`)).rejects.toThrow();
    const [after] = await db().select().from(auditEvents).where(eq(auditEvents.id, event!.id));
    expect(after).toEqual(event);
    expect(await db().select().from(organizations).where(eq(organizations.id, owner.orgId))).toHaveLength(1);
  });
});
