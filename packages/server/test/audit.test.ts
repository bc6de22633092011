import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  addMember,
  createOwner,
  createTestApp,
  request,
  signIn,
  signUp,
  type TestApp,
  uniqueEmail,
} from "./harness.ts";

type OrgActor = Actor & { orgId: string };
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Res = Awaited<ReturnType<typeof request>>;
interface AuditEvent {
  id: number;
  actorType: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

let t: TestApp;
let owner: OrgActor;
let admin: OrgActor;
let analyst: OrgActor;
let viewer: OrgActor;
let otherOwner: OrgActor;
let outsider: Actor;
let analystSideOrg: string;
let otherProject: string;
let sideProject: string;
let p1: string;
let p2: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const call = (
  as: Actor,
  method: Method,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  request(t.app, as, {
    method,
    url: `/api/v1${url}`,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
const inOrg = (
  as: OrgActor,
  method: Method,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) => call(as, method, url, payload, { "x-organization-id": as.orgId, ...headers });

async function createProject(as: OrgActor, name: string, headers: Record<string, string> = {}) {
  const res = await inOrg(as, "POST", "/projects", { name }, headers);
  if (res.statusCode !== 201) throw new Error(`create project failed: ${res.statusCode} ${res.body}`);
  return { id: res.json().id as string, res };
}

/** One page of the admin's audit log. */
async function page(qs = "", as: OrgActor = admin) {
  const res = await inOrg(as, "GET", `/org/audit-events${qs ? `?${qs}` : ""}`);
  expect(res.statusCode).toBe(200);
  return res.json() as { items: AuditEvent[]; total: number; limit: number; offset: number };
}

/** Every event matching a query, walking the pages. */
async function all(qs = ""): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for (let offset = 0; ; offset += 100) {
    const p = await page(`${qs}${qs ? "&" : ""}limit=100&offset=${offset}`);
    out.push(...p.items);
    if (out.length >= p.total || p.items.length === 0) {
      expect(out).toHaveLength(p.total);
      return out;
    }
  }
}

function expectProblem(res: Res, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  return res.json() as { detail?: string; errors?: { path: string; message: string }[] };
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await createOwner(t.app, "Audited Org");
  admin = await addMember(t.app, owner, "admin");
  analyst = await addMember(t.app, owner, "analyst");
  viewer = await addMember(t.app, owner, "viewer");

  // Someone else's organization, with activity of its own.
  otherOwner = await createOwner(t.app, "Other Org");
  otherProject = (await createProject(otherOwner, "Other Org Project")).id;
  await signIn(t.app, otherOwner.email);

  // A member of ours who also owns another organization: what they do there is not ours to see.
  const side = await call(analyst, "POST", "/orgs", { name: "Analyst Side Org" });
  analystSideOrg = side.json().id;
  sideProject = (await createProject({ ...analyst, orgId: analystSideOrg }, "Side Project")).id;

  // Account events: of a member (visible) and of a non-member (not).
  await signIn(t.app, analyst.email);
  await t.app.inject({
    method: "POST",
    url: "/api/v1/auth/sign-in",
    payload: { email: analyst.email, password: "definitely wrong" },
  });
  outsider = await signUp(t.app);
  await signIn(t.app, outsider.email);
  await t.app.inject({
    method: "POST",
    url: "/api/v1/auth/sign-in",
    payload: { email: outsider.email, password: "definitely wrong" },
  });
  await t.app.inject({
    method: "POST",
    url: "/api/v1/auth/sign-in",
    payload: { email: uniqueEmail("nobody"), password: "definitely wrong" },
  });

  // Project history in our organization.
  p1 = (await createProject(analyst, "Audit P1")).id;
  await inOrg(analyst, "PATCH", `/projects/${p1}`, { name: "Audit P1 renamed" });
  await inOrg(analyst, "PATCH", `/projects/${p1}`, { status: "archived" });
  p2 = (await createProject(admin, "Audit P2")).id;
});
afterAll(async () => t?.close());

describe("what the log contains", () => {
  it("shows the org's events and its members' account events, not other orgs' or non-members'", async () => {
    const events = await all();
    const actions = new Set(events.map((e) => e.action));
    for (const a of [
      "org.created",
      "invitation.created",
      "invitation.accepted",
      "member.added",
      "project.created",
      "project.updated",
      "project.archived",
      "user.signed_up",
      "auth.signed_in",
      "auth.sign_in_failed",
    ]) {
      expect(actions).toContain(a);
    }
    // The analyst's sign-in and failed sign-in.
    expect(events).toContainEqual(
      expect.objectContaining({
        action: "auth.signed_in",
        actorUserId: analyst.userId,
        targetId: analyst.userId,
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        action: "auth.sign_in_failed",
        actorType: "anonymous",
        actorUserId: null,
        actorEmail: analyst.email,
        targetType: "user",
        targetId: analyst.userId,
      }),
    );

    const strangers = [otherOwner.userId, outsider.userId];
    for (const e of events) {
      expect(strangers).not.toContain(e.actorUserId);
      expect(strangers).not.toContain(e.targetId);
      expect([otherOwner.orgId, analystSideOrg, otherProject, sideProject]).not.toContain(e.targetId);
      expect(e.actorEmail === null || !e.actorEmail.startsWith("nobody-")).toBe(true);
      expect(e).not.toHaveProperty("orgId");
    }
    expect(
      events
        .filter((e) => e.action === "project.created")
        .map((e) => e.targetId)
        .sort(),
    ).toEqual([p1, p2].sort());
    expect(events.filter((e) => e.action === "org.created").map((e) => e.targetId)).toEqual([owner.orgId]);
  });

  it("every event carries the ip, user agent and request id of the request that caused it", async () => {
    const ua = "AuditSpec/1.0 (+https://example.com/bot)";
    const { id, res } = await createProject(analyst, "With Headers", { "user-agent": ua });
    const [created] = (await page(`action=project.created&targetId=${id}`)).items;
    expect(created).toMatchObject({
      actorType: "user",
      actorUserId: analyst.userId,
      actorEmail: analyst.email,
      ip: "127.0.0.1",
      userAgent: ua,
      requestId: res.headers["x-request-id"],
    });
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);

    const traced = await createProject(analyst, "With Request Id", { "x-request-id": "audit-trace-42" });
    expect(traced.res.headers["x-request-id"]).toBe("audit-trace-42");
    const [tracedEvent] = (await page(`targetId=${traced.id}`)).items;
    expect(tracedEvent?.requestId).toBe("audit-trace-42");

    for (const e of await all()) {
      expect(e.ip).toBe("127.0.0.1");
      expect(e.requestId).toEqual(expect.any(String));
      expect(e.userAgent).toEqual(expect.any(String));
      expect(new Date(e.createdAt).toISOString()).toBe(e.createdAt);
    }
  });
});

describe("filters", () => {
  it("action: an exact name, or a prefix with .*", async () => {
    const created = await all("action=project.created");
    expect(created.length).toBeGreaterThanOrEqual(2);
    expect(created.every((e) => e.action === "project.created")).toBe(true);

    const anyProject = await all("action=project.*");
    expect(new Set(anyProject.map((e) => e.action))).toEqual(
      new Set(["project.created", "project.updated", "project.archived"]),
    );
    expect(anyProject.length).toBe(created.length + 2);
    const auth = await all("action=auth.*");
    expect(auth.every((e) => e.action.startsWith("auth."))).toBe(true);
    expect(auth.length).toBeGreaterThan(0);
    expect((await page("action=project.nothing_like_this")).total).toBe(0);
  });

  it("actorUserId", async () => {
    const mine = await all(`actorUserId=${analyst.userId}`);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.actorUserId === analyst.userId)).toBe(true);
    expect(mine.map((e) => e.action)).toEqual(expect.arrayContaining(["auth.signed_in", "project.created"]));
    // A stranger's id finds nothing here, though they have events elsewhere.
    expect((await page(`actorUserId=${otherOwner.userId}`)).total).toBe(0);
    expect((await page(`actorUserId=${randomUUID()}`)).total).toBe(0);
  });

  it("targetType and targetId: one project's history, newest first", async () => {
    const history = await all(`targetType=project&targetId=${p1}`);
    expect(history.map((e) => e.action)).toEqual(["project.archived", "project.updated", "project.created"]);
    expect(history[1]?.metadata).toEqual({
      before: { name: "Audit P1" },
      after: { name: "Audit P1 renamed" },
    });
    const users = await all("targetType=user");
    expect(users.every((e) => e.targetType === "user")).toBe(true);
    expect((await page(`targetType=invitation&targetId=${p1}`)).total).toBe(0);
    // Another org's project is invisible even when named exactly.
    expect((await page(`targetId=${otherProject}`)).total).toBe(0);
  });

  it("since and until bound createdAt (inclusive), with any UTC offset", async () => {
    const early = (await createProject(analyst, "Early")).id;
    await sleep(40);
    const mid = new Date();
    await sleep(40);
    const late = (await createProject(analyst, "Late")).id;

    const since = await all(`action=project.created&since=${encodeURIComponent(mid.toISOString())}`);
    expect(since.map((e) => e.targetId)).toEqual([late]);
    const until = await all(`action=project.created&until=${encodeURIComponent(mid.toISOString())}`);
    expect(until.map((e) => e.targetId)).toContain(early);
    expect(until.map((e) => e.targetId)).not.toContain(late);

    // The same instant written with a +02:00 offset.
    const local = new Date(mid.getTime() + 2 * 3_600_000).toISOString().replace("Z", "+02:00");
    const sinceLocal = await all(`action=project.created&since=${encodeURIComponent(local)}`);
    expect(sinceLocal.map((e) => e.targetId)).toEqual([late]);

    // A window that holds only the early project's creation, using the timestamps the log shows.
    const [earlyEvent] = (await page(`targetId=${early}`)).items;
    const [lateEvent] = (await page(`targetId=${late}`)).items;
    const window = await all(
      `action=project.created&since=${earlyEvent!.createdAt}&until=${encodeURIComponent(mid.toISOString())}`,
    );
    expect(window.map((e) => e.targetId)).toEqual([early]);
    // An event's own createdAt, as shown, is inside both bounds.
    expect((await all(`targetId=${late}&since=${lateEvent!.createdAt}`)).map((e) => e.id)).toEqual([
      lateEvent!.id,
    ]);
    expect((await all(`targetId=${late}&until=${lateEvent!.createdAt}`)).map((e) => e.id)).toEqual([
      lateEvent!.id,
    ]);
    // An empty window.
    expect((await page(`since=${lateEvent!.createdAt}&until=${earlyEvent!.createdAt}`)).total).toBe(0);
  });
});

describe("sorting and pagination", () => {
  it("sorts newest first by default, and oldest first with sort=createdAt", async () => {
    const desc = await all();
    const explicit = await all("sort=-createdAt");
    const asc = await all("sort=createdAt");
    expect(explicit.map((e) => e.id)).toEqual(desc.map((e) => e.id));
    expect(asc.map((e) => e.id)).toEqual(desc.map((e) => e.id).reverse());
    const stamps = asc.map((e) => Date.parse(e.createdAt));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(asc[0]?.action).toBe("user.signed_up");
  });

  it("paginates: the same total on every page, disjoint pages that add up to the whole", async () => {
    const everything = await all();
    const total = everything.length;
    expect(total).toBeGreaterThan(20);
    const first = await page();
    expect(first).toMatchObject({ total, limit: 20, offset: 0 });
    expect(first.items).toHaveLength(20);

    const seen: number[] = [];
    for (let offset = 0; offset < total; offset += 7) {
      const p = await page(`limit=7&offset=${offset}`);
      expect(p).toMatchObject({ total, limit: 7, offset });
      expect(p.items).toHaveLength(Math.min(7, total - offset));
      seen.push(...p.items.map((e) => e.id));
    }
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual(everything.map((e) => e.id));
    const beyond = await page(`offset=${total + 5}`);
    expect(beyond).toMatchObject({ items: [], total });

    const filtered = await page("action=project.*&limit=2");
    expect(filtered.items).toHaveLength(2);
    expect(filtered.total).toBe((await all("action=project.*")).length);
  });
});

describe("access and validation", () => {
  it("is for admins and owners: viewers and analysts get 403", async () => {
    for (const [who, role] of [
      [viewer, "viewer"],
      [analyst, "analyst"],
    ] as const) {
      const res = await inOrg(who, "GET", "/org/audit-events");
      expect(expectProblem(res, 403).detail).toBe(
        `This action requires the admin role or higher; your role is ${role}.`,
      );
    }
    expect((await inOrg(owner, "GET", "/org/audit-events")).statusCode).toBe(200);
    expect((await request(t.app, null, { method: "GET", url: "/api/v1/org/audit-events" })).statusCode).toBe(
      401,
    );
    // The other org's owner sees their own log, not ours.
    const theirs = await page("limit=100", otherOwner);
    expect(theirs.items.map((e) => e.targetId)).toContain(otherProject);
    expect(theirs.items.map((e) => e.targetId)).not.toContain(p1);
  });

  it.each([
    [
      "action=DROP%20TABLE",
      "query.action",
      "must be an action name such as project.created, or a prefix such as project.*",
    ],
    [
      "action=project.created%27%20OR%201%3D1",
      "query.action",
      "must be an action name such as project.created, or a prefix such as project.*",
    ],
    ["since=yesterday", "query.since", "Invalid ISO datetime"],
    ["until=2024-13-01T00:00:00Z", "query.until", "Invalid ISO datetime"],
    ["actorUserId=42", "query.actorUserId", "must be a UUID"],
    ["sort=-action", "query.sort", "must be one of createdAt, -createdAt"],
    ["limit=0", "query.limit", "must be at least 1"],
    ["orgId=x", "query", 'Unrecognized key: "orgId"'],
  ])("rejects %s with 422 at %s", async (qs, path, message) => {
    const res = await inOrg(admin, "GET", `/org/audit-events?${qs}`);
    expect(expectProblem(res, 422).errors).toEqual([{ path, message }]);
  });
});
