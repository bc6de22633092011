import { randomUUID } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, projects } from "../src/db/schema.ts";
import { type Actor, addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

type OrgActor = Actor & { orgId: string };
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

let t: TestApp;
let owner: OrgActor;
let admin: OrgActor;
let analyst: OrgActor;
let viewer: OrgActor;

beforeAll(async () => {
  t = await createTestApp();
  owner = await createOwner(t.app, "Projects Org");
  admin = await addMember(t.app, owner, "admin");
  analyst = await addMember(t.app, owner, "analyst");
  viewer = await addMember(t.app, owner, "viewer");
});
afterAll(async () => t?.close());

/** A request in the actor's own organization (named by header, so the session's active org does not matter). */
const call = (as: OrgActor, method: Method, url: string, payload?: unknown) =>
  request(t.app, as, {
    method,
    url: `/api/v1${url}`,
    headers: { "x-organization-id": as.orgId },
    ...(payload !== undefined ? { payload } : {}),
  });

async function createProject(as: OrgActor, name: string, description?: string) {
  const res = await call(as, "POST", "/projects", {
    name,
    ...(description !== undefined ? { description } : {}),
  });
  if (res.statusCode !== 201) throw new Error(`create project failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; name: string; status: string; archivedAt: string | null };
}

/** Row counts that must not move when a request is rejected. */
async function snapshot() {
  const { db } = t.database;
  const [p] = await db.select({ n: count() }).from(projects);
  const [a] = await db.select({ n: count() }).from(auditEvents);
  return { projects: p!.n, audit: a!.n };
}

const eventsFor = (targetId: string) =>
  t.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetType, "project"), eq(auditEvents.targetId, targetId)))
    .orderBy(auditEvents.id);

function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(res.headers["x-request-id"]);
  return body as { title: string; detail?: string; errors?: { path: string; message: string }[] };
}

describe("create and get", () => {
  it("creates a project (201, Location, trimmed name, creator) and records project.created", async () => {
    const res = await call(analyst, "POST", "/projects", { name: "  Revenue Model  ", description: " Q3 " });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/v1/projects/${body.id}`);
    expect(body).toMatchObject({
      name: "Revenue Model",
      description: "Q3",
      status: "active",
      createdBy: analyst.userId,
      archivedAt: null,
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
    expect(body.updatedAt).toBe(body.createdAt);

    const [row] = await t.database.db.select().from(projects).where(eq(projects.id, body.id));
    expect(row).toMatchObject({ orgId: owner.orgId, name: "Revenue Model", createdBy: analyst.userId });

    const events = await eventsFor(body.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "project.created",
      orgId: owner.orgId,
      actorType: "user",
      actorUserId: analyst.userId,
      actorEmail: analyst.email,
      metadata: { name: "Revenue Model" },
      requestId: res.headers["x-request-id"],
    });

    const got = await request(t.app, viewer, {
      method: "GET",
      url: res.headers.location as string,
      headers: { "x-organization-id": viewer.orgId },
    });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(body);
  });

  it("defaults the description to empty and accepts a name of exactly 120 characters", async () => {
    const name = "N".repeat(120);
    const res = await call(analyst, "POST", "/projects", { name });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name, description: "" });
  });

  it("refuses a viewer (403) and writes nothing", async () => {
    const before = await snapshot();
    const res = await call(viewer, "POST", "/projects", { name: "Viewer's project" });
    const problem = expectProblem(res, 403);
    expect(problem.detail).toBe("This action requires the analyst role or higher; your role is viewer.");
    expect(await snapshot()).toEqual(before);
  });

  it("answers 404 for an unknown id and for another organization's project", async () => {
    const unknown = await call(viewer, "GET", `/projects/${randomUUID()}`);
    expect(expectProblem(unknown, 404).detail).toBe("Project not found.");

    const stranger = await createOwner(t.app, "Stranger Org");
    const theirs = await createProject(stranger, "Their Secret Model");
    const res = await call(owner, "GET", `/projects/${theirs.id}`);
    expect(expectProblem(res, 404).detail).toBe("Project not found.");
    // Nor can it be changed or deleted from here.
    expect((await call(owner, "PATCH", `/projects/${theirs.id}`, { name: "Mine" })).statusCode).toBe(404);
    expect((await call(owner, "DELETE", `/projects/${theirs.id}`)).statusCode).toBe(404);
    const [row] = await t.database.db.select().from(projects).where(eq(projects.id, theirs.id));
    expect(row?.name).toBe("Their Secret Model");
  });
});

describe("list", () => {
  let lister: OrgActor;
  const names = Array.from({ length: 25 }, (_, i) => `model ${String(i + 1).padStart(2, "0")}`);
  const created: { id: string; name: string }[] = [];

  beforeAll(async () => {
    lister = await createOwner(t.app, "Listing Org");
    for (const name of names) created.push(await createProject(lister, name));
  });

  it("paginates with limit and offset: correct totals, disjoint pages that cover everything", async () => {
    const seen: string[] = [];
    for (const [offset, expected] of [
      [0, 10],
      [10, 10],
      [20, 5],
    ] as const) {
      const res = await call(lister, "GET", `/projects?limit=10&offset=${offset}`);
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page).toMatchObject({ total: 25, limit: 10, offset });
      expect(page.items).toHaveLength(expected);
      seen.push(...page.items.map((p: { id: string }) => p.id));
    }
    expect(new Set(seen).size).toBe(25);
    expect(new Set(seen)).toEqual(new Set(created.map((p) => p.id)));

    const beyond = (await call(lister, "GET", "/projects?offset=40")).json();
    expect(beyond).toMatchObject({ items: [], total: 25, limit: 20, offset: 40 });
  });

  it("defaults to limit 20, offset 0, newest first", async () => {
    const page = (await call(lister, "GET", "/projects")).json();
    expect(page).toMatchObject({ total: 25, limit: 20, offset: 0 });
    expect(page.items).toHaveLength(20);
    const explicit = (await call(lister, "GET", "/projects?sort=-createdAt")).json();
    expect(page.items.map((p: { id: string }) => p.id)).toEqual(
      explicit.items.map((p: { id: string }) => p.id),
    );
    // Created one by one, so newest first is the creation order reversed.
    expect(page.items.map((p: { name: string }) => p.name)).toEqual([...names].reverse().slice(0, 20));
    const stamps = page.items.map((p: { createdAt: string }) => Date.parse(p.createdAt));
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));

    const oldest = (await call(lister, "GET", "/projects?sort=createdAt&limit=100")).json();
    expect(oldest.items.map((p: { name: string }) => p.name)).toEqual(names);
  });

  it("sorts by name ascending and descending", async () => {
    const asc = (await call(lister, "GET", "/projects?sort=name&limit=100")).json();
    expect(asc.items.map((p: { name: string }) => p.name)).toEqual(names);
    const desc = (await call(lister, "GET", "/projects?sort=-name&limit=100")).json();
    expect(desc.items.map((p: { name: string }) => p.name)).toEqual([...names].reverse());
    const secondPage = (await call(lister, "GET", "/projects?sort=name&limit=5&offset=5")).json();
    expect(secondPage.items.map((p: { name: string }) => p.name)).toEqual(names.slice(5, 10));
  });

  it("filters by status", async () => {
    for (const p of created.slice(0, 3)) {
      expect((await call(lister, "PATCH", `/projects/${p.id}`, { status: "archived" })).statusCode).toBe(200);
    }
    const archived = (await call(lister, "GET", "/projects?status=archived&sort=name")).json();
    expect(archived.total).toBe(3);
    expect(archived.items.map((p: { name: string }) => p.name)).toEqual(names.slice(0, 3));
    expect(archived.items.every((p: { status: string }) => p.status === "archived")).toBe(true);
    const active = (await call(lister, "GET", "/projects?status=active&limit=100")).json();
    expect(active.total).toBe(22);
    expect(active.items.every((p: { status: string }) => p.status === "active")).toBe(true);
  });

  it("filters by q: a case-insensitive substring of the name, wildcards taken literally", async () => {
    const searcher = await createOwner(t.app, "Search Org");
    for (const n of ["Alpha Forecast", "beta ALPHA", "Gamma", "Growth 50% case", "Growth 500 case", "a_b"]) {
      await createProject(searcher, n);
    }
    const q = async (term: string) => {
      const res = await call(searcher, "GET", `/projects?sort=name&q=${encodeURIComponent(term)}`);
      expect(res.statusCode).toBe(200);
      return res
        .json()
        .items.map((p: { name: string }) => p.name)
        .sort();
    };
    expect(await q("alpha")).toEqual(["Alpha Forecast", "beta ALPHA"]);
    expect(await q("ALPHA")).toEqual(["Alpha Forecast", "beta ALPHA"]);
    expect(await q("  gAmM  ")).toEqual(["Gamma"]);
    expect(await q("50%")).toEqual(["Growth 50% case"]);
    expect(await q("a_b")).toEqual(["a_b"]);
    expect(await q("nothing like it")).toEqual([]);
    const filtered = (await call(searcher, "GET", "/projects?q=growth&limit=1")).json();
    expect(filtered).toMatchObject({ total: 2, limit: 1 });
    expect(filtered.items).toHaveLength(1);
  });
});

describe("update, archive, restore, delete", () => {
  it("renames a project and records project.updated with before and after", async () => {
    const p = await createProject(analyst, "Old Name", "keep me");
    const res = await call(analyst, "PATCH", `/projects/${p.id}`, { name: " New Name " });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: p.id, name: "New Name", description: "keep me", status: "active" });
    expect(Date.parse(body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(body.createdAt));
    const events = await eventsFor(p.id);
    expect(events.map((e) => e.action)).toEqual(["project.created", "project.updated"]);
    expect(events[1]).toMatchObject({
      actorUserId: analyst.userId,
      metadata: { before: { name: "Old Name" }, after: { name: "New Name" } },
    });
    expect((await call(viewer, "GET", `/projects/${p.id}`)).json().name).toBe("New Name");
  });

  it("archives with status=archived and restores with status=active", async () => {
    const p = await createProject(analyst, "Archive Me");
    const archived = await call(analyst, "PATCH", `/projects/${p.id}`, { status: "archived" });
    expect(archived.statusCode).toBe(200);
    const a = archived.json();
    expect(a.status).toBe("archived");
    expect(a.archivedAt).not.toBeNull();
    expect(Math.abs(Date.parse(a.archivedAt) - Date.now())).toBeLessThan(60_000);

    const restored = await call(analyst, "PATCH", `/projects/${p.id}`, { status: "active" });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ status: "active", archivedAt: null });

    const events = await eventsFor(p.id);
    expect(events.map((e) => e.action)).toEqual(["project.created", "project.archived", "project.restored"]);
    expect(events[1]!.metadata).toEqual({ before: { status: "active" }, after: { status: "archived" } });
    expect(events[2]!.metadata).toEqual({ before: { status: "archived" }, after: { status: "active" } });
    const [row] = await t.database.db.select().from(projects).where(eq(projects.id, p.id));
    expect(row).toMatchObject({ status: "active", archivedAt: null });
  });

  it("re-archiving an archived project keeps its original archivedAt", async () => {
    const p = await createProject(analyst, "Archive Twice");
    const first = (await call(analyst, "PATCH", `/projects/${p.id}`, { status: "archived" })).json();
    const second = await call(analyst, "PATCH", `/projects/${p.id}`, { status: "archived" });
    expect(second.statusCode).toBe(200);
    expect(second.json().archivedAt).toBe(first.archivedAt);
    const actions = (await eventsFor(p.id)).map((e) => e.action);
    expect(actions.filter((a) => a === "project.archived")).toHaveLength(1);
  });

  it("deletes a project (admin): 204, then 404, and records project.deleted", async () => {
    const p = await createProject(analyst, "Delete Me");
    const byAnalyst = await call(analyst, "DELETE", `/projects/${p.id}`);
    expect(expectProblem(byAnalyst, 403).detail).toBe(
      "This action requires the admin role or higher; your role is analyst.",
    );
    expect((await call(analyst, "GET", `/projects/${p.id}`)).statusCode).toBe(200);

    const res = await call(admin, "DELETE", `/projects/${p.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await call(admin, "GET", `/projects/${p.id}`)).statusCode).toBe(404);
    expect(expectProblem(await call(admin, "DELETE", `/projects/${p.id}`), 404).detail).toBe(
      "Project not found.",
    );
    expect(await t.database.db.select().from(projects).where(eq(projects.id, p.id))).toHaveLength(0);

    const events = await eventsFor(p.id);
    expect(events.map((e) => e.action)).toEqual(["project.created", "project.deleted"]);
    expect(events[1]).toMatchObject({ actorUserId: admin.userId, metadata: { name: "Delete Me" } });
  });

  it("answers 404 when changing a project that does not exist, and writes nothing", async () => {
    const before = await snapshot();
    const res = await call(analyst, "PATCH", `/projects/${randomUUID()}`, { name: "Ghost" });
    expect(expectProblem(res, 404).detail).toBe("Project not found.");
    expect(await snapshot()).toEqual(before);
  });
});

describe("unique names", () => {
  it("refuses a duplicate name in the same organization, case-insensitively (409), writing nothing", async () => {
    await createProject(analyst, "Dup Model");
    const before = await snapshot();
    const res = await call(analyst, "POST", "/projects", { name: "dup MODEL" });
    expect(expectProblem(res, 409).detail).toBe(
      'A project named "dup MODEL" already exists in this organization.',
    );
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a rename onto another project's name (409), leaving the project unchanged", async () => {
    await createProject(analyst, "Taken Name");
    const other = await createProject(analyst, "Free Name");
    const before = await snapshot();
    const res = await call(analyst, "PATCH", `/projects/${other.id}`, { name: "TAKEN name" });
    expect(expectProblem(res, 409).detail).toBe(
      'A project named "TAKEN name" already exists in this organization.',
    );
    expect(await snapshot()).toEqual(before);
    const [row] = await t.database.db.select().from(projects).where(eq(projects.id, other.id));
    expect(row?.name).toBe("Free Name");
  });

  it("allows a rename that only changes the case of the project's own name", async () => {
    const p = await createProject(analyst, "case model");
    const res = await call(analyst, "PATCH", `/projects/${p.id}`, { name: "Case Model" });
    expect(res.statusCode).toBe(200);
    expect(res.json().name).toBe("Case Model");
  });

  it("allows the same name in another organization", async () => {
    const elsewhere = await createOwner(t.app, "Elsewhere");
    await createProject(analyst, "Shared Name");
    const res = await call(elsewhere, "POST", "/projects", { name: "Shared Name" });
    expect(res.statusCode).toBe(201);
  });
});

describe("bad input: field-level 4xx, nothing written", () => {
  let target: { id: string };
  beforeAll(async () => {
    target = await createProject(analyst, "Validation Target", "unchanged");
  });

  async function expectRejected(
    method: Method,
    url: string,
    payload: unknown,
    status: number,
    path: string,
    message: string,
  ) {
    const before = await snapshot();
    const [rowBefore] = await t.database.db.select().from(projects).where(eq(projects.id, target.id));
    const res = await call(analyst, method, url, payload);
    const problem = expectProblem(res, status);
    expect(problem.errors).toContainEqual({ path, message });
    expect(problem).not.toHaveProperty("stack");
    expect(await snapshot()).toEqual(before);
    const [rowAfter] = await t.database.db.select().from(projects).where(eq(projects.id, target.id));
    expect(rowAfter).toEqual(rowBefore);
  }

  it.each([
    [{ name: "Extra", owner: "me" }, "body", 'Unrecognized key: "owner"'],
    [{ name: 42 }, "body.name", "Invalid input: expected string, received number"],
    [
      { name: "Typed", description: ["x"] },
      "body.description",
      "Invalid input: expected string, received array",
    ],
    [{}, "body.name", "Invalid input: expected string, received undefined"],
    [{ name: "   " }, "body.name", "must not be blank"],
    [{ name: "x".repeat(121) }, "body.name", "must be at most 120 characters"],
    [{ name: "bell\u0007name" }, "body.name", "must not contain control characters"],
    [{ name: "new\nline" }, "body.name", "must not contain control characters"],
    [{ name: "del\u007f" }, "body.name", "must not contain control characters"],
  ])("POST /projects %j → 422 at %s", async (payload, path, message) => {
    await expectRejected("POST", "/projects", payload, 422, path, message);
  });

  it("POST /projects with a description over 2000 characters → 422 at body.description", async () => {
    const before = await snapshot();
    const res = await call(analyst, "POST", "/projects", { name: "Long", description: "d".repeat(2001) });
    const problem = expectProblem(res, 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(["body.description"]);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ["limit=0", "query.limit", "must be at least 1"],
    ["limit=101", "query.limit", "must be at most 100"],
    ["limit=abc", "query.limit", "Invalid input: expected number, received NaN"],
    ["limit=2.5", "query.limit", "Invalid input: expected int, received number"],
    ["offset=-1", "query.offset", "must be 0 or more"],
    ["sort=bogus", "query.sort", "must be one of createdAt, -createdAt, name, -name, updatedAt, -updatedAt"],
    ["status=deleted", "query.status", "must be active or archived"],
    ["owner=me", "query", 'Unrecognized key: "owner"'],
  ])("GET /projects?%s → 422 at %s", async (qs, path, message) => {
    const res = await call(analyst, "GET", `/projects?${qs}`);
    const problem = expectProblem(res, 422);
    expect(problem.title).toBe("Unprocessable Content");
    expect(problem.errors).toContainEqual({ path, message });
  });

  it.each([
    ["GET", undefined],
    ["PATCH", { name: "Whatever" }],
    ["DELETE", undefined],
  ] as const)("%s /projects/not-a-uuid → 422 at params.id", async (method, payload) => {
    const as = method === "DELETE" ? admin : analyst;
    const before = await snapshot();
    const res = await call(as, method, "/projects/not-a-uuid", payload);
    expect(expectProblem(res, 422).errors).toEqual([{ path: "params.id", message: "must be a UUID" }]);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    [{}, "body", "give at least one field to change"],
    [{ status: "deleted" }, "body.status", "must be active or archived"],
    [{ archived: true }, "body", 'Unrecognized key: "archived"'],
    [{ name: "" }, "body.name", "must not be blank"],
    [{ name: null }, "body.name", "Invalid input: expected string, received null"],
    [{ name: "x".repeat(121) }, "body.name", "must be at most 120 characters"],
    [{ name: "tab\tname" }, "body.name", "must not contain control characters"],
  ])("PATCH /projects/:id %j → 422 at %s", async (payload, path, message) => {
    await expectRejected("PATCH", `/projects/${target.id}`, payload, 422, path, message);
  });
});
