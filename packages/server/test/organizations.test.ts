import { createHash, randomUUID } from "node:crypto";
import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiKeys,
  auditEvents,
  invitations,
  memberships,
  organizations,
  projects,
  sessions,
} from "../src/db/schema.ts";
import {
  type Actor,
  addMember,
  createApiKey,
  createOwner,
  createTestApp,
  PASSWORD,
  request,
  signUp,
  type TestApp,
  uniqueEmail,
} from "./harness.ts";

type OrgActor = Actor & { orgId: string };
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Res = Awaited<ReturnType<typeof request>>;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

/** As a signed-in user, acting in `orgId` when given (else the session's active organization). */
const call = (as: Actor | string, method: Method, url: string, payload?: unknown, orgId?: string) =>
  request(t.app, as, {
    method,
    url: `/api/v1${url}`,
    ...(orgId ? { headers: { "x-organization-id": orgId } } : {}),
    ...(payload !== undefined ? { payload } : {}),
  });
/** As a member of their organization, named by header. */
const inOrg = (as: OrgActor, method: Method, url: string, payload?: unknown) =>
  call(as, method, url, payload, as.orgId);

function expectProblem(res: Res, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(res.headers["x-request-id"]);
  return body as { title: string; detail?: string; errors?: { path: string; message: string }[] };
}

const db = () => t.database.db;
const rowCount = async (table: typeof organizations | typeof memberships | typeof auditEvents) =>
  (await db().select({ n: count() }).from(table))[0]!.n;
const sessionOf = async (a: Actor) => (await call(a, "GET", "/session")).json();
const auditOf = (orgId: string, action: string) =>
  db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, action)))
    .orderBy(auditEvents.id);
/** The message of an error and of the driver error Drizzle wraps in it. */
const errorText = (e: unknown) => {
  const err = e as { message?: string; cause?: { message?: string } };
  return `${err.message ?? ""} ${err.cause?.message ?? ""}`;
};

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

describe("organizations", () => {
  it("creates an org with a slug derived from its name, suffixed when taken, and records org.created", async () => {
    const a = await signUp(t.app);
    const first = await call(a, "POST", "/orgs", { name: "Acme Capital, Inc." });
    expect(first.statusCode).toBe(201);
    expect(first.headers.location).toBe("/api/v1/org");
    const org = first.json();
    expect(org).toMatchObject({ name: "Acme Capital, Inc.", slug: "acme-capital-inc", role: "owner" });
    expect((await sessionOf(a)).activeOrgId).toBe(org.id);
    const [created] = await auditOf(org.id, "org.created");
    expect(created).toMatchObject({ actorUserId: a.userId, targetType: "organization", targetId: org.id });

    const b = await signUp(t.app);
    const second = await call(b, "POST", "/orgs", { name: "Acme Capital, Inc." });
    expect(second.statusCode).toBe(201);
    expect(second.json().slug).toBe("acme-capital-inc-2");
    const third = await call(b, "POST", "/orgs", { name: "ACME  capital inc" });
    expect(third.json().slug).toBe("acme-capital-inc-3");
    // A second org does not move the session away from the first.
    expect((await sessionOf(b)).activeOrgId).toBe(second.json().id);
  });

  it.each([
    ["Ünïcödé Café", "unicode-cafe"],
    ["X", "org-x"],
    ["東京", "org"],
    [`${"a".repeat(31)} bbb`, "a".repeat(31)],
  ])("derives a valid slug from %j", async (name, slug) => {
    const a = await signUp(t.app);
    const res = await call(a, "POST", "/orgs", { name });
    expect(res.statusCode).toBe(201);
    expect(res.json().slug).toBe(slug);
    expect(res.json().slug).toMatch(SLUG_RE);
  });

  it("refuses an explicit slug that is taken (409) and writes nothing", async () => {
    const a = await createOwner(t.app, "Slug Holder");
    const [holder] = await db().select().from(organizations).where(eq(organizations.id, a.orgId));
    const slug = holder!.slug;
    expect(slug).toBe("slug-holder");
    const b = await signUp(t.app);
    const before = [await rowCount(organizations), await rowCount(memberships), await rowCount(auditEvents)];
    const res = await call(b, "POST", "/orgs", { name: "Someone Else", slug });
    expect(expectProblem(res, 409).detail).toBe(`The slug \`${slug}\` is taken; choose another.`);
    expect([await rowCount(organizations), await rowCount(memberships), await rowCount(auditEvents)]).toEqual(
      before,
    );
    expect((await sessionOf(b)).activeOrgId).toBeNull();
  });

  it("accepts a valid explicit slug", async () => {
    const a = await signUp(t.app);
    const res = await call(a, "POST", "/orgs", { name: "Explicit", slug: "explicit-slug-1" });
    expect(res.statusCode).toBe(201);
    expect(res.json().slug).toBe("explicit-slug-1");
  });

  it.each([
    ["Bad_Slug", "must be lower-case letters, digits and inner hyphens"],
    ["UPPER", "must be lower-case letters, digits and inner hyphens"],
    ["-lead", "must be lower-case letters, digits and inner hyphens"],
    ["trail-", "must be lower-case letters, digits and inner hyphens"],
    ["a", "must be at least 2 characters"],
    ["x".repeat(41), "must be at most 40 characters"],
  ])("refuses the slug %j with 422 at body.slug", async (slug, message) => {
    const a = await signUp(t.app);
    const before = await rowCount(organizations);
    const res = await call(a, "POST", "/orgs", { name: "Invalid Slug Org", slug });
    expect(expectProblem(res, 422).errors).toContainEqual({ path: "body.slug", message });
    expect(await rowCount(organizations)).toBe(before);
  });

  it("refuses a blank name and unknown fields (422)", async () => {
    const a = await signUp(t.app);
    const blank = await call(a, "POST", "/orgs", { name: "  " });
    expect(expectProblem(blank, 422).errors).toContainEqual({
      path: "body.name",
      message: "must not be blank",
    });
    const extra = await call(a, "POST", "/orgs", { name: "Fine", plan: "enterprise" });
    expect(expectProblem(extra, 422).errors).toContainEqual({
      path: "body",
      message: 'Unrecognized key: "plan"',
    });
  });

  it("GET /orgs lists only my organizations, with my role in each", async () => {
    const me = await createOwner(t.app, "Mine One");
    const second = (await call(me, "POST", "/orgs", { name: "Mine Two" })).json();
    const stranger = await createOwner(t.app, "Not Mine");
    // Invited into the stranger's org as a viewer.
    const inv = (
      await inOrg(stranger, "POST", "/org/invitations", { email: me.email, role: "viewer" })
    ).json();
    expect((await call(me, "POST", "/invitations/accept", { token: inv.token })).statusCode).toBe(200);
    const lonely = await createOwner(t.app, "Nobody Invites Me");

    const res = await call(me, "GET", "/orgs");
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string; name: string; role: string }[];
    expect(items.map((o) => [o.name, o.role])).toEqual([
      ["Mine One", "owner"],
      ["Mine Two", "owner"],
      ["Not Mine", "viewer"],
    ]);
    expect(items.map((o) => o.id)).toEqual([me.orgId, second.id, stranger.orgId]);
    expect(items.map((o) => o.id)).not.toContain(lonely.orgId);
  });

  it("switches the session's active organization, and refuses one I am not in (404)", async () => {
    const me = await createOwner(t.app, "Active One");
    const two = (await call(me, "POST", "/orgs", { name: "Active Two" })).json();
    expect((await call(me, "GET", "/org")).json().id).toBe(me.orgId);

    const res = await call(me, "PUT", "/session/organization", { orgId: two.id });
    expect(res.statusCode).toBe(200);
    expect(res.json().activeOrgId).toBe(two.id);
    expect((await call(me, "GET", "/org")).json()).toMatchObject({ id: two.id, name: "Active Two" });

    const other = await createOwner(t.app, "Someone's Org");
    const refused = await call(me, "PUT", "/session/organization", { orgId: other.orgId });
    expect(expectProblem(refused, 404).detail).toBe("Organization not found.");
    const missing = await call(me, "PUT", "/session/organization", { orgId: randomUUID() });
    expect(missing.statusCode).toBe(404);
    const bad = await call(me, "PUT", "/session/organization", { orgId: "nope" });
    expect(expectProblem(bad, 422).errors).toEqual([{ path: "body.orgId", message: "must be a UUID" }]);
    expect((await sessionOf(me)).activeOrgId).toBe(two.id);
    // Nor can another org be reached by header.
    expect((await call(me, "GET", "/org", undefined, other.orgId)).statusCode).toBe(404);
  });

  it("GET /org for any member; PATCH /org for owners only, recorded with before and after", async () => {
    const owner = await createOwner(t.app, "Rename Me");
    const admin = await addMember(t.app, owner, "admin");
    const viewer = await addMember(t.app, owner, "viewer");
    const got = await inOrg(viewer, "GET", "/org");
    expect(got.statusCode).toBe(200);
    const original = got.json();
    expect(original).toMatchObject({ id: owner.orgId, name: "Rename Me", slug: "rename-me" });

    const byAdmin = await inOrg(admin, "PATCH", "/org", { name: "Admin Was Here" });
    expect(expectProblem(byAdmin, 403).detail).toBe(
      "This action requires the owner role or higher; your role is admin.",
    );
    expect((await auditOf(owner.orgId, "org.updated")).length).toBe(0);

    const res = await inOrg(owner, "PATCH", "/org", { name: "  Renamed Co  " });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: owner.orgId, name: "Renamed Co", slug: "rename-me" });
    expect(Date.parse(res.json().updatedAt)).toBeGreaterThanOrEqual(Date.parse(original.updatedAt));
    const [event] = await auditOf(owner.orgId, "org.updated");
    expect(event).toMatchObject({
      actorUserId: owner.userId,
      targetType: "organization",
      targetId: owner.orgId,
      metadata: { before: { name: "Rename Me", slug: "rename-me" }, after: { name: "Renamed Co" } },
    });
    expect((await inOrg(viewer, "GET", "/org")).json().name).toBe("Renamed Co");

    const slugged = await inOrg(owner, "PATCH", "/org", { slug: "renamed-co" });
    expect(slugged.json().slug).toBe("renamed-co");
    const empty = await inOrg(owner, "PATCH", "/org", {});
    expect(expectProblem(empty, 422).errors).toEqual([
      { path: "body", message: "give at least one of name, slug, locale, negativeNumbers, negativesRed" },
    ]);
    const other = await createOwner(t.app, "Slug Owner Elsewhere");
    const taken = await inOrg(owner, "PATCH", "/org", { slug: "slug-owner-elsewhere" });
    expect(expectProblem(taken, 409).detail).toBe(
      "The slug `slug-owner-elsewhere` is taken; choose another.",
    );
    expect((await inOrg(owner, "GET", "/org")).json().slug).toBe("renamed-co");
    expect(other.orgId).not.toBe(owner.orgId);
  });

  it("DELETE /org: owner only; members lose access; the org's history is erased, org.deleted recorded", async () => {
    const owner = await createOwner(t.app, "Doomed Org");
    const admin = await addMember(t.app, owner, "admin");
    const analyst = await addMember(t.app, owner, "analyst");
    const project = (await inOrg(analyst, "POST", "/projects", { name: "Doomed Project" })).json();
    const key = await createApiKey(t.app, owner, "read");

    const byAdmin = await inOrg(admin, "DELETE", "/org");
    expect(expectProblem(byAdmin, 403).detail).toBe(
      "This action requires the owner role or higher; your role is admin.",
    );
    expect(await db().select().from(organizations).where(eq(organizations.id, owner.orgId))).toHaveLength(1);

    const res = await inOrg(owner, "DELETE", "/org");
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");

    for (const who of [owner, admin, analyst]) {
      expect(expectProblem(await inOrg(who, "GET", "/org"), 404).detail).toBe("Organization not found.");
      expect((await inOrg(who, "GET", "/projects")).statusCode).toBe(404);
      const session = await sessionOf(who);
      expect(session.activeOrgId).toBeNull();
      expect(session.organizations).toEqual([]);
    }
    expect((await call(key.key, "GET", "/projects")).statusCode).toBe(401);
    expect(await db().select().from(projects).where(eq(projects.id, project.id))).toHaveLength(0);
    expect(await db().select().from(memberships).where(eq(memberships.orgId, owner.orgId))).toHaveLength(0);
    expect(await db().select().from(apiKeys).where(eq(apiKeys.orgId, owner.orgId))).toHaveLength(0);

    // Deleting is erasure (a privacy request): the org's own history goes with it, and one
    // org-less event records who deleted it.
    const [deleted] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "org.deleted"), eq(auditEvents.targetId, owner.orgId)));
    expect(deleted).toMatchObject({
      orgId: null,
      actorUserId: owner.userId,
      targetType: "organization",
      targetId: owner.orgId,
      requestId: res.headers["x-request-id"],
    });
    expect(await auditOf(owner.orgId, "project.created")).toHaveLength(0);
    expect(await db().select().from(auditEvents).where(eq(auditEvents.orgId, owner.orgId))).toHaveLength(0);
  });

  it("the database itself rejects UPDATE, DELETE and TRUNCATE on audit_events", async () => {
    const owner = await createOwner(t.app, "Tamper Proof");
    const [event] = await auditOf(owner.orgId, "org.created");
    const id = event!.id;
    const attempts = [
      sql`update audit_events set action = 'tampered' where id = ${id}`,
      sql`delete from audit_events where id = ${id}`,
      sql`truncate audit_events`,
    ];
    for (const statement of attempts) {
      let error: unknown;
      try {
        await db().execute(statement);
      } catch (e) {
        error = e;
      }
      expect(error).toBeDefined();
      expect(errorText(error)).toMatch(/audit_events is append-only \((UPDATE|DELETE|TRUNCATE) rejected\)/);
      expect((error as { cause?: { code?: string } }).cause?.code).toBe("42501");
    }
    // Nor through a transaction, nor via the ORM.
    await expect(
      db().transaction(async (tx) => {
        await tx
          .update(auditEvents)
          .set({ metadata: { x: 1 } })
          .where(eq(auditEvents.id, id));
      }),
    ).rejects.toThrow();
    const [after] = await db().select().from(auditEvents).where(eq(auditEvents.id, id));
    expect(after).toEqual(event);
  });
});

describe("members", () => {
  let owner: OrgActor;
  let admin: OrgActor;
  let analyst: OrgActor;
  let viewer: OrgActor;

  beforeAll(async () => {
    owner = await createOwner(t.app, "Member Org");
    admin = await addMember(t.app, owner, "admin");
    analyst = await addMember(t.app, owner, "analyst");
    viewer = await addMember(t.app, owner, "viewer");
  });

  it("lists members with pagination, a role filter and sorting by email", async () => {
    const all = await inOrg(viewer, "GET", "/org/members?sort=joinedAt");
    expect(all.statusCode).toBe(200);
    const page = all.json();
    expect(page).toMatchObject({ total: 4, limit: 20, offset: 0 });
    expect(page.items.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([
      [owner.userId, "owner"],
      [admin.userId, "admin"],
      [analyst.userId, "analyst"],
      [viewer.userId, "viewer"],
    ]);
    expect(page.items[0]).toEqual({
      userId: owner.userId,
      email: owner.email,
      name: owner.email.split("@")[0],
      role: "owner",
      joinedAt: expect.any(String),
    });

    const p1 = (await inOrg(viewer, "GET", "/org/members?limit=3&sort=joinedAt")).json();
    const p2 = (await inOrg(viewer, "GET", "/org/members?limit=3&offset=3&sort=joinedAt")).json();
    expect([p1.total, p1.items.length, p2.total, p2.items.length]).toEqual([4, 3, 4, 1]);
    expect([...p1.items, ...p2.items].map((m: { userId: string }) => m.userId)).toEqual(
      page.items.map((m: { userId: string }) => m.userId),
    );

    const analysts = (await inOrg(viewer, "GET", "/org/members?role=analyst")).json();
    expect(analysts.total).toBe(1);
    expect(analysts.items.map((m: { userId: string }) => m.userId)).toEqual([analyst.userId]);

    // Emails start with the role they were invited as (owner's with "user"): admin < analyst < user < viewer.
    const byEmail = (await inOrg(viewer, "GET", "/org/members?sort=email")).json();
    expect(byEmail.items.map((m: { userId: string }) => m.userId)).toEqual([
      admin.userId,
      analyst.userId,
      owner.userId,
      viewer.userId,
    ]);
    const byEmailDesc = (await inOrg(viewer, "GET", "/org/members?sort=-email")).json();
    expect(byEmailDesc.items.map((m: { userId: string }) => m.userId)).toEqual([
      viewer.userId,
      owner.userId,
      analyst.userId,
      admin.userId,
    ]);

    const badRole = await inOrg(viewer, "GET", "/org/members?role=superuser");
    expect(expectProblem(badRole, 422).errors).toEqual([
      { path: "query.role", message: "must be one of viewer, analyst, admin, owner" },
    ]);
    const badSort = await inOrg(viewer, "GET", "/org/members?sort=name");
    expect(expectProblem(badSort, 422).errors?.[0]?.path).toBe("query.sort");
  });

  it("an admin changes analyst → viewer, recorded as member.role_changed from/to", async () => {
    const target = await addMember(t.app, owner, "analyst");
    const res = await inOrg(admin, "PATCH", `/org/members/${target.userId}`, { role: "viewer" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ userId: target.userId, email: target.email, role: "viewer" });
    const [event] = (await auditOf(owner.orgId, "member.role_changed")).filter(
      (e) => e.targetId === target.userId,
    );
    expect(event).toMatchObject({
      actorUserId: admin.userId,
      targetType: "user",
      metadata: { from: "analyst", to: "viewer" },
    });
    // The new role takes effect at once.
    expect((await inOrg(target, "POST", "/projects", { name: "Not any more" })).statusCode).toBe(403);
    // Setting the same role again is a no-op: no second event.
    expect(
      (await inOrg(admin, "PATCH", `/org/members/${target.userId}`, { role: "viewer" })).statusCode,
    ).toBe(200);
    const events = (await auditOf(owner.orgId, "member.role_changed")).filter(
      (e) => e.targetId === target.userId,
    );
    expect(events).toHaveLength(1);
  });

  it("an admin cannot grant owner, change an owner or remove an owner (403); nothing changes", async () => {
    const before = await rowCount(auditEvents);
    const grant = await inOrg(admin, "PATCH", `/org/members/${viewer.userId}`, { role: "owner" });
    expect(expectProblem(grant, 403).detail).toBe("Only an owner can grant or take away the owner role.");
    const demote = await inOrg(admin, "PATCH", `/org/members/${owner.userId}`, { role: "admin" });
    expect(expectProblem(demote, 403).detail).toBe("Only an owner can grant or take away the owner role.");
    const remove = await inOrg(admin, "DELETE", `/org/members/${owner.userId}`);
    expect(expectProblem(remove, 403).detail).toBe("Only an owner can remove an owner.");
    const byAnalyst = await inOrg(analyst, "PATCH", `/org/members/${viewer.userId}`, { role: "analyst" });
    expect(expectProblem(byAnalyst, 403).detail).toBe(
      "This action requires the admin role or higher; your role is analyst.",
    );
    expect(await rowCount(auditEvents)).toBe(before);
    const roles = await db().select().from(memberships).where(eq(memberships.orgId, owner.orgId));
    expect(roles.find((m) => m.userId === owner.userId)?.role).toBe("owner");
    expect(roles.find((m) => m.userId === viewer.userId)?.role).toBe("viewer");
  });

  it("an owner can appoint and demote owners, but never the last one (409)", async () => {
    const o = await createOwner(t.app, "Owner Rules");
    const other = await addMember(t.app, o, "admin");

    const lastDemote = await inOrg(o, "PATCH", `/org/members/${o.userId}`, { role: "admin" });
    expect(expectProblem(lastDemote, 409).detail).toBe(
      "An organization needs at least one owner; appoint another owner first.",
    );
    const lastRemove = await inOrg(o, "DELETE", `/org/members/${o.userId}`);
    expect(expectProblem(lastRemove, 409).detail).toBe(
      "An organization needs at least one owner; appoint another owner first.",
    );
    expect((await auditOf(o.orgId, "member.role_changed")).length).toBe(0);
    expect((await auditOf(o.orgId, "member.removed")).length).toBe(0);

    const promote = await inOrg(o, "PATCH", `/org/members/${other.userId}`, { role: "owner" });
    expect(promote.statusCode).toBe(200);
    expect(promote.json().role).toBe("owner");
    // With two owners, the first may step down; then the second is the last one.
    const stepDown = await inOrg(o, "PATCH", `/org/members/${o.userId}`, { role: "admin" });
    expect(stepDown.statusCode).toBe(200);
    const lastAgain = await inOrg(other, "DELETE", `/org/members/${other.userId}`);
    expect(lastAgain.statusCode).toBe(409);
    // The former owner is now an admin, and cannot touch the remaining owner.
    expect((await inOrg(o, "PATCH", `/org/members/${other.userId}`, { role: "admin" })).statusCode).toBe(403);
    const events = await auditOf(o.orgId, "member.role_changed");
    expect(events.map((e) => e.metadata)).toEqual([
      { from: "admin", to: "owner" },
      { from: "owner", to: "admin" },
    ]);
  });

  it("removes a member: 204, their session can no longer act in the org and their active org is cleared", async () => {
    const leaving = await addMember(t.app, owner, "analyst");
    expect((await sessionOf(leaving)).activeOrgId).toBe(owner.orgId);
    const res = await inOrg(admin, "DELETE", `/org/members/${leaving.userId}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");

    expect(expectProblem(await inOrg(leaving, "GET", "/org"), 404).detail).toBe("Organization not found.");
    expect((await inOrg(leaving, "GET", "/projects")).statusCode).toBe(404);
    expect((await inOrg(leaving, "POST", "/projects", { name: "Sneaky" })).statusCode).toBe(404);
    const session = await sessionOf(leaving);
    expect(session.activeOrgId).toBeNull();
    expect(session.organizations).toEqual([]);
    const noOrg = await call(leaving, "GET", "/projects");
    expect(expectProblem(noOrg, 400).detail).toMatch(/^No organization selected/);
    const [row] = await db().select().from(sessions).where(eq(sessions.userId, leaving.userId));
    expect(row?.activeOrgId).toBeNull();

    const [event] = (await auditOf(owner.orgId, "member.removed")).filter(
      (e) => e.targetId === leaving.userId,
    );
    expect(event).toMatchObject({
      actorUserId: admin.userId,
      targetType: "user",
      metadata: { role: "analyst", email: leaving.email },
    });
    const remaining = (await inOrg(viewer, "GET", "/org/members?limit=100")).json();
    expect(remaining.items.map((m: { userId: string }) => m.userId)).not.toContain(leaving.userId);
  });

  it("answers 404 for a user who is not a member and 422 for a malformed id or role", async () => {
    const outsider = await signUp(t.app);
    const before = await rowCount(auditEvents);
    for (const userId of [outsider.userId, randomUUID()]) {
      const patch = await inOrg(admin, "PATCH", `/org/members/${userId}`, { role: "viewer" });
      expect(expectProblem(patch, 404).detail).toBe("Member not found.");
      expect(expectProblem(await inOrg(admin, "DELETE", `/org/members/${userId}`), 404).detail).toBe(
        "Member not found.",
      );
    }
    const badId = await inOrg(admin, "PATCH", "/org/members/123", { role: "viewer" });
    expect(expectProblem(badId, 422).errors).toEqual([{ path: "params.userId", message: "must be a UUID" }]);
    const badRole = await inOrg(admin, "PATCH", `/org/members/${viewer.userId}`, { role: "root" });
    expect(expectProblem(badRole, 422).errors).toEqual([
      { path: "body.role", message: "must be one of viewer, analyst, admin, owner" },
    ]);
    expect(await rowCount(auditEvents)).toBe(before);
    expect(await db().select().from(memberships).where(eq(memberships.userId, outsider.userId))).toHaveLength(
      0,
    );
  });
});

describe("invitations", () => {
  let owner: OrgActor;
  let admin: OrgActor;
  let viewer: OrgActor;

  beforeAll(async () => {
    owner = await createOwner(t.app, "Inviting Org");
    admin = await addMember(t.app, owner, "admin");
    viewer = await addMember(t.app, owner, "viewer");
  });

  const invite = async (by: OrgActor, body: Record<string, unknown>) => {
    const res = await inOrg(by, "POST", "/org/invitations", body);
    if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string; token: string; email: string; role: string };
  };

  it("an admin invites: the token is returned once with an accept URL; lists never show it", async () => {
    const email = uniqueEmail("invitee");
    const res = await inOrg(admin, "POST", "/org/invitations", {
      email: email.toUpperCase(),
      role: "analyst",
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/v1/org/invitations/${body.id}`);
    expect(body).toMatchObject({ email, role: "analyst", status: "pending" });
    expect(body.token).toMatch(/^mwi_[A-Za-z0-9_-]{43}$/);
    expect(body.acceptUrl).toBe(`http://localhost:3000/invitations/accept?token=${body.token}`);
    expect(body.acceptUrl).toContain(body.token);
    const expires = Date.parse(body.expiresAt) - Date.parse(body.createdAt);
    expect(Math.abs(expires - 7 * 24 * 3_600_000)).toBeLessThan(60_000);

    const [row] = await db().select().from(invitations).where(eq(invitations.id, body.id));
    expect(row!.tokenHash).toBe(createHash("sha256").update(body.token).digest("base64url"));
    expect(JSON.stringify(row)).not.toContain(body.token);
    const [event] = (await auditOf(owner.orgId, "invitation.created")).filter((e) => e.targetId === body.id);
    expect(event).toMatchObject({ actorUserId: admin.userId, metadata: { email, role: "analyst" } });

    const list = await inOrg(admin, "GET", "/org/invitations?limit=100");
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(body.token);
    expect(list.body).not.toContain(row!.tokenHash);
    const listed = list.json().items.find((i: { id: string }) => i.id === body.id);
    expect(listed).toEqual({
      id: body.id,
      email,
      role: "analyst",
      status: "pending",
      createdAt: body.createdAt,
      expiresAt: body.expiresAt,
    });

    const defaults = await invite(admin, { email: uniqueEmail("default") });
    expect(defaults.role).toBe("viewer");
  });

  it("refuses to invite an existing member (409), an owner by an admin (403) and bad input (422)", async () => {
    const before = await rowCount(auditEvents);
    const countInvites = async () =>
      (await db().select({ n: count() }).from(invitations).where(eq(invitations.orgId, owner.orgId)))[0]!.n;
    const invitesBefore = await countInvites();

    const member = await inOrg(admin, "POST", "/org/invitations", { email: viewer.email.toUpperCase() });
    expect(expectProblem(member, 409).detail).toBe(
      `${viewer.email} is already a member of this organization.`,
    );
    const asOwner = await inOrg(admin, "POST", "/org/invitations", { email: uniqueEmail(), role: "owner" });
    expect(expectProblem(asOwner, 403).detail).toBe("Only an owner can invite an owner.");
    const byViewer = await inOrg(viewer, "POST", "/org/invitations", { email: uniqueEmail() });
    expect(expectProblem(byViewer, 403).detail).toBe(
      "This action requires the admin role or higher; your role is viewer.",
    );
    for (const [payload, path, message] of [
      [{ email: "not an email" }, "body.email", "must be a valid email address"],
      [{ email: uniqueEmail(), role: "god" }, "body.role", "must be one of viewer, analyst, admin, owner"],
      [{ email: uniqueEmail(), expiresInHours: 0 }, "body.expiresInHours", expect.any(String)],
      [{ email: uniqueEmail(), note: "hi" }, "body", 'Unrecognized key: "note"'],
    ] as const) {
      const res = await inOrg(admin, "POST", "/org/invitations", payload);
      expect(expectProblem(res, 422).errors).toContainEqual({ path, message });
    }
    expect(await countInvites()).toBe(invitesBefore);
    expect(await rowCount(auditEvents)).toBe(before);

    const byOwner = await invite(owner, { email: uniqueEmail("co-owner"), role: "owner" });
    expect(byOwner.role).toBe("owner");
  });

  it("accepting makes the invitee a member with the invited role, once", async () => {
    const email = uniqueEmail("joiner");
    const inv = await invite(admin, { email, role: "analyst" });
    const joiner = await signUp(t.app, email);
    const res = await call(joiner, "POST", "/invitations/accept", { token: inv.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: owner.orgId, name: "Inviting Org", role: "analyst" });
    const session = await sessionOf(joiner);
    expect(session.activeOrgId).toBe(owner.orgId);
    expect(session.organizations).toEqual([
      { orgId: owner.orgId, name: "Inviting Org", slug: expect.any(String), role: "analyst" },
    ]);
    const members = (await inOrg(admin, "GET", "/org/members?role=analyst")).json();
    expect(members.items.map((m: { userId: string }) => m.userId)).toContain(joiner.userId);

    const accepted = (await auditOf(owner.orgId, "invitation.accepted")).filter((e) => e.targetId === inv.id);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ actorUserId: joiner.userId, actorEmail: email });
    const added = (await auditOf(owner.orgId, "member.added")).filter((e) => e.targetId === joiner.userId);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      actorUserId: joiner.userId,
      metadata: { role: "analyst", via: "invitation" },
    });

    const thief = await signUp(t.app);
    const before = await rowCount(auditEvents);
    const replay = await call(joiner, "POST", "/invitations/accept", { token: inv.token });
    expect(expectProblem(replay, 410).detail).toBe("This invitation has already been used.");
    expect(replay.json().code).toBe("invitation_used");
    const stolen = await call(thief, "POST", "/invitations/accept", { token: inv.token });
    expect(expectProblem(stolen, 410).detail).toBe("This invitation has already been used.");
    expect(await rowCount(auditEvents)).toBe(before);
  });

  it("refuses a user signed in with a different email (403), leaving the invitation usable", async () => {
    const email = uniqueEmail("intended");
    const inv = await invite(admin, { email, role: "admin" });
    const other = await signUp(t.app);
    const res = await call(other, "POST", "/invitations/accept", { token: inv.token });
    expect(expectProblem(res, 403).detail).toBe(
      "This invitation was sent to a different email address; sign in with that address to accept it.",
    );
    expect(await db().select().from(memberships).where(eq(memberships.userId, other.userId))).toHaveLength(0);
    const intended = await signUp(t.app, email);
    const ok = await call(intended, "POST", "/invitations/accept", { token: inv.token });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().role).toBe("admin");
  });

  it("revoked (410), expired (410) and unknown (404) tokens are refused; API keys cannot accept", async () => {
    const revokedEmail = uniqueEmail("revoked");
    const revoked = await invite(admin, { email: revokedEmail });
    const del = await inOrg(admin, "DELETE", `/org/invitations/${revoked.id}`);
    expect(del.statusCode).toBe(204);
    const [revokedEvent] = (await auditOf(owner.orgId, "invitation.revoked")).filter(
      (e) => e.targetId === revoked.id,
    );
    expect(revokedEvent).toMatchObject({ actorUserId: admin.userId, metadata: { email: revokedEmail } });
    const revokedUser = await signUp(t.app, revokedEmail);
    const r1 = await call(revokedUser, "POST", "/invitations/accept", { token: revoked.token });
    expect(expectProblem(r1, 410).detail).toBe("This invitation has been revoked.");

    const expiredEmail = uniqueEmail("expired");
    const expired = await invite(admin, { email: expiredEmail });
    await db()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, expired.id));
    const expiredUser = await signUp(t.app, expiredEmail);
    const r2 = await call(expiredUser, "POST", "/invitations/accept", { token: expired.token });
    expect(expectProblem(r2, 410).detail).toBe("This invitation has expired; ask for a new one.");

    const r3 = await call(expiredUser, "POST", "/invitations/accept", { token: "mwi_not-a-real-token" });
    expect(expectProblem(r3, 404).detail).toBe("Invitation not found.");
    const r4 = await call(expiredUser, "POST", "/invitations/accept", { token: "" });
    expect(expectProblem(r4, 422).errors).toEqual([{ path: "body.token", message: "is required" }]);

    for (const u of [revokedUser, expiredUser]) {
      expect(await db().select().from(memberships).where(eq(memberships.userId, u.userId))).toHaveLength(0);
    }
    const key = await createApiKey(t.app, owner, "admin");
    const byKey = await call(key.key, "POST", "/invitations/accept", { token: expired.token });
    expect(expectProblem(byKey, 403).detail).toBe(
      "This endpoint needs a signed-in user; API keys cannot use it.",
    );
  });

  it("revoking an accepted or already revoked invitation is a 409; an unknown one a 404", async () => {
    const email = uniqueEmail("done");
    const inv = await invite(admin, { email });
    await call(await signUp(t.app, email), "POST", "/invitations/accept", { token: inv.token });
    const accepted = await inOrg(admin, "DELETE", `/org/invitations/${inv.id}`);
    expect(expectProblem(accepted, 409).detail).toBe("The invitation is already accepted.");

    const other = await invite(admin, { email: uniqueEmail() });
    expect((await inOrg(admin, "DELETE", `/org/invitations/${other.id}`)).statusCode).toBe(204);
    const twice = await inOrg(admin, "DELETE", `/org/invitations/${other.id}`);
    expect(expectProblem(twice, 409).detail).toBe("The invitation is already revoked.");
    const unknown = await inOrg(admin, "DELETE", `/org/invitations/${randomUUID()}`);
    expect(expectProblem(unknown, 404).detail).toBe("Invitation not found.");
    // Another organization's invitation is not reachable.
    const elsewhere = await createOwner(t.app, "Other Inviter");
    const theirs = (await inOrg(elsewhere, "POST", "/org/invitations", { email: uniqueEmail() })).json();
    expect((await inOrg(admin, "DELETE", `/org/invitations/${theirs.id}`)).statusCode).toBe(404);
  });

  it("filters the list by status: pending, accepted, revoked, expired", async () => {
    const o = await createOwner(t.app, "Status Org");
    const mk = async (role = "viewer") =>
      (await inOrg(o, "POST", "/org/invitations", { email: uniqueEmail("s"), role })).json();
    const pending = await mk();
    const acceptedInv = await mk("analyst");
    await call(await signUp(t.app, acceptedInv.email), "POST", "/invitations/accept", {
      token: acceptedInv.token,
    });
    const revokedInv = await mk();
    await inOrg(o, "DELETE", `/org/invitations/${revokedInv.id}`);
    const expiredInv = await mk();
    await db()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(invitations.id, expiredInv.id));

    const ids = async (qs: string) => {
      const res = await inOrg(o, "GET", `/org/invitations${qs}`);
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page.total).toBe(page.items.length);
      return page.items.map((i: { id: string; status: string }) => [i.id, i.status]);
    };
    expect(await ids("?status=pending")).toEqual([[pending.id, "pending"]]);
    expect(await ids("?status=accepted")).toEqual([[acceptedInv.id, "accepted"]]);
    expect(await ids("?status=revoked")).toEqual([[revokedInv.id, "revoked"]]);
    expect(await ids("?status=expired")).toEqual([[expiredInv.id, "expired"]]);
    expect((await ids("?sort=createdAt")).map((x: string[]) => x[0])).toEqual([
      pending.id,
      acceptedInv.id,
      revokedInv.id,
      expiredInv.id,
    ]);
    const bad = await inOrg(o, "GET", "/org/invitations?status=lost");
    expect(expectProblem(bad, 422).errors?.[0]?.path).toBe("query.status");
  });
});

describe("API keys", () => {
  let owner: OrgActor;
  let admin: OrgActor;
  let analyst: OrgActor;

  beforeAll(async () => {
    owner = await createOwner(t.app, "Key Org");
    admin = await addMember(t.app, owner, "admin");
    analyst = await addMember(t.app, owner, "analyst");
  });

  const keyRow = async (id: string) => (await db().select().from(apiKeys).where(eq(apiKeys.id, id)))[0]!;
  const usedEvents = (id: string) =>
    db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "api_key.used"), eq(auditEvents.targetId, id)));

  it("accepts the key's own organization id in the header in any letter case, like a session does", async () => {
    const { key } = await createApiKey(t.app, owner, "read");
    const upper = owner.orgId.toUpperCase();
    const asKey = await call(key, "GET", "/projects", undefined, upper);
    const asSession = await call(owner, "GET", "/projects", undefined, upper);
    expect([asKey.statusCode, asSession.statusCode]).toEqual([200, 200]);
  });

  it("creates a key shown once (mwk_…, prefix = first 12 characters); lists never contain it or its hash", async () => {
    const res = await inOrg(admin, "POST", "/org/api-keys", { name: " CI reader ", scope: "read" });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/v1/org/api-keys/${body.id}`);
    expect(body.key).toMatch(/^mwk_[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({
      name: "CI reader",
      scope: "read",
      prefix: body.key.slice(0, 12),
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
    });
    const row = await keyRow(body.id);
    expect(row.tokenHash).toBe(createHash("sha256").update(body.key).digest("base64url"));
    expect(row.createdBy).toBe(admin.userId);
    const [event] = (await auditOf(owner.orgId, "api_key.created")).filter((e) => e.targetId === body.id);
    expect(event).toMatchObject({
      actorUserId: admin.userId,
      metadata: { name: "CI reader", scope: "read" },
    });

    const list = await inOrg(admin, "GET", "/org/api-keys");
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(body.key);
    expect(list.body).not.toContain(row.tokenHash);
    const listed = list.json().items.find((k: { id: string }) => k.id === body.id);
    const { key: _key, ...shown } = body;
    expect(listed).toEqual(shown);
    expect(Object.keys(listed).sort()).toEqual(
      [
        "createdAt",
        "createdBy",
        "expiresAt",
        "id",
        "lastUsedAt",
        "name",
        "prefix",
        "revokedAt",
        "scope",
      ].sort(),
    );
    // Who made it: the creator by name and email, with their role now (which caps the key).
    expect(listed.createdBy).toEqual({
      userId: admin.userId,
      name: admin.email.split("@")[0],
      email: admin.email,
      role: "admin",
    });
  });

  it("a key authenticates as Bearer; use sets lastUsedAt and records api_key.used at most once a minute", async () => {
    const { id, key } = await createApiKey(t.app, admin, "read");
    const res = await call(key, "GET", "/projects");
    expect(res.statusCode).toBe(200);
    const first = await keyRow(id);
    expect(first.lastUsedAt).not.toBeNull();
    for (let i = 0; i < 4; i++) expect((await call(key, "GET", "/projects")).statusCode).toBe(200);
    expect((await keyRow(id)).lastUsedAt).toEqual(first.lastUsedAt);
    const events = await usedEvents(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      orgId: owner.orgId,
      actorType: "api_key",
      actorApiKeyId: id,
      actorUserId: null,
      targetType: "api_key",
      requestId: res.headers["x-request-id"],
    });
    const listed = (await inOrg(admin, "GET", "/org/api-keys"))
      .json()
      .items.find((k: { id: string }) => k.id === id);
    expect(listed.lastUsedAt).toBe(first.lastUsedAt!.toISOString());

    // A minute later the next use is recorded again.
    await db()
      .update(apiKeys)
      .set({ lastUsedAt: new Date(Date.now() - 61_000) })
      .where(eq(apiKeys.id, id));
    // Written behind the app's back: its credential cache (src/auth/cache.ts) cannot know.
    t.app.deps.authCache.flush();
    await call(key, "GET", "/projects");
    expect(await usedEvents(id)).toHaveLength(2);
  });

  it("scopes: a read key cannot create projects, a run key can, an admin key cannot manage keys", async () => {
    const read = await createApiKey(t.app, admin, "read");
    const run = await createApiKey(t.app, admin, "run");
    const adminKey = await createApiKey(t.app, admin, "admin");
    const projectsBefore = (await db().select({ n: count() }).from(projects))[0]!.n;

    const denied = await call(read.key, "POST", "/projects", { name: "By read key" });
    expect(expectProblem(denied, 403).detail).toBe(
      "This action requires the analyst role or higher; this API key (scope read) acts as viewer.",
    );
    expect((await db().select({ n: count() }).from(projects))[0]!.n).toBe(projectsBefore);

    const created = await call(run.key, "POST", "/projects", { name: "By run key" });
    expect(created.statusCode).toBe(201);
    expect(created.json().createdBy).toBe(admin.userId);
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "project.created"), eq(auditEvents.targetId, created.json().id)));
    expect(event).toMatchObject({ actorType: "api_key", actorApiKeyId: run.id, actorUserId: null });

    const keysBefore = (await db().select({ n: count() }).from(apiKeys))[0]!.n;
    const mint = await call(adminKey.key, "POST", "/org/api-keys", { name: "successor", scope: "admin" });
    expect(expectProblem(mint, 403).detail).toBe(
      "This action requires the admin role or higher; API keys cannot do this at any scope; a person must.",
    );
    expect((await call(adminKey.key, "GET", "/org/api-keys")).statusCode).toBe(403);
    expect((await call(adminKey.key, "DELETE", `/org/api-keys/${read.id}`)).statusCode).toBe(403);
    expect((await db().select({ n: count() }).from(apiKeys))[0]!.n).toBe(keysBefore);
    // But it can do what an admin does otherwise.
    expect((await call(adminKey.key, "GET", "/org/audit-events")).statusCode).toBe(200);
    // A key cannot act in another organization.
    const other = await createOwner(t.app, "Not The Key's Org");
    expect((await call(run.key, "GET", "/projects", undefined, other.orgId)).statusCode).toBe(404);

    const byAnalyst = await inOrg(analyst, "POST", "/org/api-keys", { name: "mine", scope: "read" });
    expect(expectProblem(byAnalyst, 403).detail).toBe(
      "This action requires the admin role or higher; your role is analyst.",
    );
    const badScope = await inOrg(admin, "POST", "/org/api-keys", { name: "x", scope: "write" });
    expect(expectProblem(badScope, 422).errors).toEqual([
      { path: "body.scope", message: "must be one of read, run, admin" },
    ]);
  });

  it("revoking takes effect at once (401), twice is a 409; revoked keys are listed only on request", async () => {
    const { id, key } = await createApiKey(t.app, admin, "read");
    expect((await call(key, "GET", "/projects")).statusCode).toBe(200);
    const res = await inOrg(admin, "DELETE", `/org/api-keys/${id}`);
    expect(res.statusCode).toBe(204);
    const after = await call(key, "GET", "/projects");
    expect(expectProblem(after, 401).detail).toBe("This API key has been revoked.");
    expect(after.headers["www-authenticate"]).toMatch(/^Bearer/);
    const twice = await inOrg(admin, "DELETE", `/org/api-keys/${id}`);
    expect(expectProblem(twice, 409).detail).toBe("This API key is already revoked.");
    expect(expectProblem(await inOrg(admin, "DELETE", `/org/api-keys/${randomUUID()}`), 404).detail).toBe(
      "API key not found.",
    );
    const events = (await auditOf(owner.orgId, "api_key.revoked")).filter((e) => e.targetId === id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorUserId: admin.userId });

    const active = (await inOrg(admin, "GET", "/org/api-keys?limit=100")).json();
    expect(active.items.map((k: { id: string }) => k.id)).not.toContain(id);
    expect(active.items.every((k: { revokedAt: string | null }) => k.revokedAt === null)).toBe(true);
    const all = (await inOrg(admin, "GET", "/org/api-keys?limit=100&includeRevoked=true")).json();
    const revoked = all.items.find((k: { id: string }) => k.id === id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(all.total).toBe(active.total + 1);
    const explicitFalse = (await inOrg(admin, "GET", "/org/api-keys?limit=100&includeRevoked=false")).json();
    expect(explicitFalse.total).toBe(active.total);
    const bad = await inOrg(admin, "GET", "/org/api-keys?includeRevoked=maybe");
    expect(expectProblem(bad, 422).errors).toEqual([
      { path: "query.includeRevoked", message: "must be true or false" },
    ]);
  });

  it("an expiring key carries expiresAt and is refused once it has passed (401)", async () => {
    const res = await inOrg(admin, "POST", "/org/api-keys", {
      name: "temp",
      scope: "run",
      expiresInDays: 30,
    });
    expect(res.statusCode).toBe(201);
    const { id, key, expiresAt } = res.json();
    expect(Math.abs(Date.parse(expiresAt) - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
    expect((await call(key, "GET", "/projects")).statusCode).toBe(200);
    await db()
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, id));
    t.app.deps.authCache.flush(); // written behind the app's back
    const expired = await call(key, "GET", "/projects");
    expect(expectProblem(expired, 401).detail).toBe("This API key has expired.");
    for (const days of [0, 3651, 1.5]) {
      const bad = await inOrg(admin, "POST", "/org/api-keys", {
        name: "bad",
        scope: "run",
        expiresInDays: days,
      });
      expect(expectProblem(bad, 422).errors?.[0]?.path).toBe("body.expiresInDays");
    }
  });
  /** A fresh admin of the owner's organization and an API key of theirs at each scope. */
  async function adminWithKeys() {
    const creator = await addMember(t.app, owner, "admin");
    const keys = {
      read: await createApiKey(t.app, creator, "read"),
      run: await createApiKey(t.app, creator, "run"),
      admin: await createApiKey(t.app, creator, "admin"),
    };
    return { creator, keys };
  }
  const setRole = (userId: string, role: string) => inOrg(owner, "PATCH", `/org/members/${userId}`, { role });
  const projectName = () => `Key project ${randomUUID()}`;
  const invitationCount = async () => (await db().select({ n: count() }).from(invitations))[0]!.n;

  it("a key acts at most at its creator's current role: demoting the creator demotes their keys", async () => {
    const { creator, keys } = await adminWithKeys();
    // As an admin's, the admin key invites (below admin) and the run key creates projects.
    expect(
      (await call(keys.admin.key, "POST", "/org/invitations", { email: uniqueEmail("k") })).statusCode,
    ).toBe(201);
    expect((await call(keys.run.key, "POST", "/projects", { name: projectName() })).statusCode).toBe(201);

    expect((await setRole(creator.userId, "analyst")).statusCode).toBe(200);
    const before = await invitationCount();
    const invite = await call(keys.admin.key, "POST", "/org/invitations", { email: uniqueEmail("k") });
    expect(expectProblem(invite, 403).detail).toBe(
      "This action requires the admin role or higher; this API key acts as analyst: its scope is admin, " +
        "but the person who created it is now analyst.",
    );
    expect(await invitationCount()).toBe(before);
    // At the creator's role it still works; the read key was below it all along.
    expect((await call(keys.admin.key, "POST", "/projects", { name: projectName() })).statusCode).toBe(201);
    expect((await call(keys.read.key, "GET", "/projects")).statusCode).toBe(200);

    expect((await setRole(creator.userId, "viewer")).statusCode).toBe(200);
    for (const k of [keys.run, keys.admin]) {
      const res = await call(k.key, "POST", "/projects", { name: projectName() });
      expect(expectProblem(res, 403).detail).toMatch(/this API key acts as viewer: its scope is (run|admin)/);
      expect((await call(k.key, "GET", "/projects")).statusCode).toBe(200);
    }
    const listed = (await inOrg(owner, "GET", "/org/api-keys?limit=100")).json().items;
    expect(listed.find((k: { id: string }) => k.id === keys.admin.id).createdBy.role).toBe("viewer");

    // Promoted again, the key is whole again: the cap is the creator's role now, not a ratchet.
    expect((await setRole(creator.userId, "admin")).statusCode).toBe(200);
    expect((await call(keys.admin.key, "GET", "/org/audit-events")).statusCode).toBe(200);
  });

  it("a key stops working (401 everywhere) once its creator leaves the organization", async () => {
    const { creator, keys } = await adminWithKeys();
    expect((await inOrg(owner, "DELETE", `/org/members/${creator.userId}`)).statusCode).toBe(204);
    const message =
      "This API key no longer works: the person who created it is no longer a member of its organization.";
    for (const k of Object.values(keys)) {
      for (const [method, url, body] of [
        ["GET", "/projects", undefined],
        ["GET", "/org", undefined],
        ["POST", "/org/invitations", { email: uniqueEmail("k"), role: "viewer" }],
      ] as const) {
        const res = await call(k.key, method, url, body);
        expect(expectProblem(res, 401).detail).toBe(message);
        expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
      }
    }
    // The list says so: the creator is still named, with no role.
    const listed = (await inOrg(owner, "GET", "/org/api-keys?limit=100")).json().items;
    expect(listed.find((k: { id: string }) => k.id === keys.run.id).createdBy).toMatchObject({
      userId: creator.userId,
      email: creator.email,
      role: null,
    });
    // Back in the organization (as analyst), their keys answer to that role again.
    const inv = await inOrg(owner, "POST", "/org/invitations", { email: creator.email, role: "analyst" });
    const back = await call(creator, "POST", "/invitations/accept", { token: inv.json().token });
    expect(back.statusCode).toBe(200);
    expect((await call(keys.run.key, "POST", "/projects", { name: projectName() })).statusCode).toBe(201);
    expect((await call(keys.admin.key, "GET", "/org/audit-events")).statusCode).toBe(403);
  });

  it("a deleted creator's keys are revoked and listed as by a deleted user; none works even un-revoked", async () => {
    const { creator, keys } = await adminWithKeys();
    const gone = await call(creator, "DELETE", "/session/account", { password: PASSWORD });
    expect(gone.statusCode).toBe(204);
    expect(expectProblem(await call(keys.read.key, "GET", "/projects"), 401).detail).toBe(
      "This API key has been revoked.",
    );
    const all = (await inOrg(owner, "GET", "/org/api-keys?limit=100&includeRevoked=true")).json().items;
    expect(all.find((k: { id: string }) => k.id === keys.admin.id).createdBy).toBeNull();
    // A key with no creator (the foreign key set it null) is refused on its own account.
    await db().update(apiKeys).set({ revokedAt: null }).where(eq(apiKeys.id, keys.admin.id));
    t.app.deps.authCache.flush(); // written behind the app's back
    expect(expectProblem(await call(keys.admin.key, "GET", "/projects"), 401).detail).toBe(
      "This API key no longer works: the account that created it has been deleted.",
    );
  });

  it("no key mints an admin: invitations and role changes to admin or owner by key are 403", async () => {
    const { creator, keys } = await adminWithKeys();
    const before = await invitationCount();
    for (const role of ["admin", "owner"]) {
      const res = await call(keys.admin.key, "POST", "/org/invitations", {
        email: uniqueEmail("mint"),
        role,
      });
      expect(expectProblem(res, 403).detail).toBe(
        `API keys cannot invite an ${role}; a person with that right must send the invitation.`,
      );
    }
    expect(await invitationCount()).toBe(before);
    const ok = await call(keys.admin.key, "POST", "/org/invitations", {
      email: uniqueEmail("ok"),
      role: "analyst",
    });
    expect(ok.statusCode).toBe(201);
    const [row] = await db().select().from(invitations).where(eq(invitations.id, ok.json().id));
    expect(row).toMatchObject({ role: "analyst", invitedBy: creator.userId });

    const member = await addMember(t.app, owner, "viewer");
    for (const role of ["admin", "owner"]) {
      const res = await call(keys.admin.key, "PATCH", `/org/members/${member.userId}`, { role });
      expect(expectProblem(res, 403).detail).toBe(
        `API keys cannot make a member ${role}; a person with that right must.`,
      );
    }
    const roleOf = async () =>
      (
        await db()
          .select({ role: memberships.role })
          .from(memberships)
          .where(and(eq(memberships.orgId, owner.orgId), eq(memberships.userId, member.userId)))
      )[0]!.role;
    expect(await roleOf()).toBe("viewer");
    const lateral = await call(keys.admin.key, "PATCH", `/org/members/${member.userId}`, { role: "analyst" });
    expect(lateral.statusCode).toBe(200);
    expect(await roleOf()).toBe("analyst");
    // A person with the right still can.
    expect(
      (await inOrg(admin, "POST", "/org/invitations", { email: uniqueEmail("p"), role: "admin" })).statusCode,
    ).toBe(201);
  });
});
