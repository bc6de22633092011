import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newShareToken } from "../src/auth/share-token.ts";
import { shareLinks } from "../src/db/schema.ts";
import { type Actor, addMember, createOwner, createTestApp, request } from "./harness.ts";
import { multipart } from "./multipart.ts";

/*
 * Share links to a dashboard (issue 16 item 5a): created by whoever may edit the conversation,
 * read without an account, live (a new revision or a replaced file shows up at once), through the
 * same compiled queries as the signed-in dashboard, and nothing else reachable: not another
 * conversation's plan, not the conversation's messages or files, not run links' routes. Revoked and
 * expired links answer 410 like run links; a token that is not genuine 404.
 */
const t = await createTestApp({ RUN_POLL_MS: "100", SHARE_RATE_LIMIT_MAX: "40" }, { worker: true });
afterAll(async () => t.close());

type Who = Actor & { orgId: string };
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
let owner: Who;
let viewer: Who;
let analyst: Who;
let other: Who;
const as = (who: Who, method: Method, url: string, payload?: unknown) =>
  request(t.app, who, { method, url, payload, headers: { "x-organization-id": who.orgId } });
const call = (method: Method, url: string, payload?: unknown) => as(owner, method, url, payload);
let ip = 0;
/** A caller without an account; each test section from an address of its own (the rate limit is per IP). */
const anonymousFrom = (address: string) => ({
  get: (url: string) => t.app.inject({ method: "GET", url, remoteAddress: address }),
  post: (url: string, payload: Record<string, unknown> = {}) =>
    t.app.inject({ method: "POST", url, payload, remoteAddress: address }),
});
const freshAnonymous = () => anonymousFrom(`198.51.100.${++ip}`);

const REGIONS = ["North", "South", "East", "West"];
/** Orders: four regions, twelve months, fixed amounts; `bump` makes a second version of the file. */
const orders = (bump = 0) =>
  Array.from({ length: 48 }, (_, i) => ({
    order_id: 1001 + i,
    region: REGIONS[(i * 7) % 4]!,
    month: `2025-${String((i % 12) + 1).padStart(2, "0")}-01`,
    amount: Math.round((((i * 37) % 91) + 10.25 + bump) * 100) / 100,
  }));
const csvOf = (rows: ReturnType<typeof orders>) =>
  `order_id,region,month,amount\n${rows.map((o) => `${o.order_id},${o.region},${o.month},${o.amount}`).join("\n")}\n`;
const sumByRegion = (rows: ReturnType<typeof orders>) =>
  Object.fromEntries(
    REGIONS.map((r) => [
      r,
      Math.round(rows.filter((o) => o.region === r).reduce((a, o) => a + o.amount, 0) * 100) / 100,
    ]),
  );

async function upload(who: Who, name: string, text: string): Promise<string> {
  const body = multipart(name, text);
  const res = await request(t.app, who, {
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, "x-organization-id": who.orgId },
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json().id;
}

/** A conversation of `who`'s, planned by the built-in planner from `csv`, at revision 1. */
async function plannedConversation(who: Who, projectId: string, csv: string, message: string) {
  const fileId = await upload(who, "orders.csv", csv);
  const id = (await as(who, "POST", `/api/v1/projects/${projectId}/conversations`, {})).json().id;
  const posted = await as(who, "POST", `/api/v1/conversations/${id}/messages`, {
    content: message,
    fileIds: [fileId],
    planner: "built-in",
  });
  expect(posted.statusCode, posted.body).toBe(202);
  for (let i = 0; i < 300; i++) {
    if ((await as(who, "GET", `/api/v1/conversations/${id}`)).json().currentRevision === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await as(who, "GET", `/api/v1/conversations/${id}`)).json().currentRevision).toBe(1);
  return { id, fileId };
}

interface VisualJson {
  id: string;
  kind: string;
  title: string;
  bindings: { channel: string; field?: { table: string; column: string }; aggregation?: string }[];
  layout: { x: number; y: number; w: number; h: number };
}
interface PlanJson {
  pages: { visuals: VisualJson[]; slicers: { id: string; kind: string; field: { column: string } }[] }[];
}

let projectId: string;
let conversation: { id: string; fileId: string };
let token: string;
let linkId: string;
/** The bar of amount by region: its id, for reading its numbers. */
let barId: string;

beforeAll(async () => {
  owner = await createOwner(t.app, "Dashboard sharers");
  viewer = await addMember(t.app, owner, "viewer");
  analyst = await addMember(t.app, owner, "analyst");
  other = await createOwner(t.app, "Someone else");
  projectId = (await call("POST", "/api/v1/projects", { name: "Orders" })).json().id;
  conversation = await plannedConversation(owner, projectId, csvOf(orders()), "amount by region");
  const plan: PlanJson = (
    await call("GET", `/api/v1/conversations/${conversation.id}/plan-revisions/1`)
  ).json().plan;
  const bar = plan.pages[0]!.visuals.find(
    (v) =>
      (v.kind === "bar" || v.kind === "column") &&
      v.bindings.some((b) => !b.aggregation && b.field?.column === "region") &&
      v.bindings.some((b) => b.aggregation === "sum" && b.field?.column === "amount"),
  );
  expect(bar, JSON.stringify(plan.pages[0]!.visuals.map((v) => [v.kind, v.title]))).toBeDefined();
  barId = bar!.id;
}, 120_000);

/** The bar's numbers by region, as an anonymous caller reads them through the link. */
async function sharedBar(anon = freshAnonymous(), tk = token) {
  const res = await anon.post(`/api/v1/shared/${tk}/dashboard/query`, { visualIds: [barId] });
  expect(res.statusCode, res.body).toBe(200);
  const [v] = res.json().visuals as {
    columns: { name: string; role: string }[];
    rows: Record<string, unknown>[];
  }[];
  const dim = v!.columns.find((c) => c.role === "group")!.name;
  const measure = v!.columns.find((c) => c.role === "value")!.name;
  return {
    revision: res.json().revision as number,
    totals: Object.fromEntries(v!.rows.map((r) => [r[dim], Math.round(Number(r[measure]) * 100) / 100])),
  };
}

describe("creating a dashboard link", () => {
  it("an analyst creates one: the token once, a dashboard page URL, no runs; the list finds it by conversation", async () => {
    const res = await as(analyst, "POST", `/api/v1/conversations/${conversation.id}/share-links`, {
      label: "For the board",
      expiresInHours: 48,
    });
    expect(res.statusCode, res.body).toBe(201);
    const link = res.json();
    expect(link).toMatchObject({
      runIds: [],
      conversationId: conversation.id,
      label: "For the board",
      status: "active",
      accessCount: 0,
    });
    expect(link.pageUrl).toMatch(new RegExp(`/shared/dashboards/${link.token}$`));
    expect(link.url).toMatch(new RegExp(`/api/v1/shared/${link.token}/dashboard$`));
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(47.9 * 3_600_000);
    token = link.token;
    linkId = link.id;
    const listed = (await call("GET", `/api/v1/share-links?conversationId=${conversation.id}`)).json();
    expect(listed.items.map((l: { id: string }) => l.id)).toEqual([linkId]);
    const [row] = await t.database.db.select().from(shareLinks).where(eq(shareLinks.id, linkId));
    expect(row!.tokenHash).not.toContain(token);
  });

  it("a viewer may not (403); another organization finds no such conversation (404); nothing is stored", async () => {
    const before = (await call("GET", "/api/v1/share-links?limit=100")).json().total;
    const byViewer = await as(viewer, "POST", `/api/v1/conversations/${conversation.id}/share-links`, {});
    expect(byViewer.statusCode).toBe(403);
    const byOther = await as(other, "POST", `/api/v1/conversations/${conversation.id}/share-links`, {});
    expect(byOther.statusCode).toBe(404);
    expect((await call("GET", "/api/v1/share-links?limit=100")).json().total).toBe(before);
  });

  it("a conversation without a plan yet: 422 at params.id; bad fields: 422 per field", async () => {
    const empty = (await call("POST", `/api/v1/projects/${projectId}/conversations`, {})).json().id;
    const res = await call("POST", `/api/v1/conversations/${empty}/share-links`, {});
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "params.id", message: "the conversation has no dashboard yet" },
    ]);
    const bad = await call("POST", `/api/v1/conversations/${conversation.id}/share-links`, {
      expiresInHours: 0,
      compareWith: [conversation.id],
    });
    expect(bad.statusCode).toBe(422);
    const paths = bad.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toContain("body.expiresInHours");
  });
});

describe("reading a shared dashboard without an account", () => {
  it("serves the current plan without the goal, the messages or the files, and counts the use", async () => {
    const anon = freshAnonymous();
    const res = await anon.get(`/api/v1/shared/${token}/dashboard`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.revision).toBe(1);
    expect(body.link).toMatchObject({ label: "For the board" });
    const own = (await call("GET", `/api/v1/conversations/${conversation.id}/plan-revisions/1`)).json().plan;
    const { goal: _goal, ...withoutGoal } = own;
    expect(body.plan).toEqual(withoutGoal);
    // Nothing of the conversation beyond the plan: not its id, its file's id, nor the words asked.
    expect(res.body).not.toContain(conversation.id);
    expect(res.body).not.toContain(conversation.fileId);
    expect("goal" in body.plan).toBe(false);
    expect(res.body).not.toMatch(/"messages"|"files"|"tables"/);
    const [row] = await t.database.db.select().from(shareLinks).where(eq(shareLinks.id, linkId));
    expect(row!.accessCount).toBe(1);
    // The page's queries follow its one counted read: they do not count again.
    expect((await anon.post(`/api/v1/shared/${token}/dashboard/query`, {})).statusCode).toBe(200);
    const [after] = await t.database.db.select().from(shareLinks).where(eq(shareLinks.id, linkId));
    expect(after!.accessCount).toBe(1);
  });

  it("runs the visuals' compiled queries: the bar's sums equal a JS reduce of the CSV", async () => {
    const { revision, totals } = await sharedBar();
    expect(revision).toBe(1);
    expect(totals).toEqual(sumByRegion(orders()));
    // The same numbers as the signed-in dashboard's query.
    const own = await call("POST", `/api/v1/conversations/${conversation.id}/plan-revisions/1/query`, {
      visualIds: [barId],
    });
    const shared = await freshAnonymous().post(`/api/v1/shared/${token}/dashboard/query`, {
      visualIds: [barId],
    });
    expect(shared.json().visuals).toEqual(own.json().visuals);
  });

  it("slicers and cross-filters apply; a list slicer's values come with their row counts", async () => {
    const anon = freshAnonymous();
    const plan: PlanJson = (await anon.get(`/api/v1/shared/${token}/dashboard`)).json().plan;
    const slicer = plan.pages[0]!.slicers.find((s) => s.field.column === "region" && s.kind !== "range");
    expect(slicer, JSON.stringify(plan.pages[0]!.slicers)).toBeDefined();
    const values = await anon.post(`/api/v1/shared/${token}/dashboard/slicers/${slicer!.id}/values`, {});
    expect(values.statusCode, values.body).toBe(200);
    const counts = Object.fromEntries(REGIONS.map((r) => [r, orders().filter((o) => o.region === r).length]));
    expect(
      Object.fromEntries(
        values.json().values.map((v: { value: string; count: number }) => [v.value, v.count]),
      ),
    ).toEqual(counts);
    const filtered = await anon.post(`/api/v1/shared/${token}/dashboard/query`, {
      visualIds: [barId],
      slicers: { [slicer!.id]: { values: ["East"] } },
    });
    expect(filtered.statusCode, filtered.body).toBe(200);
    expect(filtered.json().visuals[0].rows).toHaveLength(1);
    expect(JSON.stringify(filtered.json().visuals[0].rows)).toContain("East");
  });

  it("is live: a new revision and a replaced file show up on the next read", async () => {
    const anon = freshAnonymous();
    // A hand edit (revision 2): the link shows it.
    const plan: PlanJson = (
      await call("GET", `/api/v1/conversations/${conversation.id}/plan-revisions/1`)
    ).json().plan;
    const bar = plan.pages[0]!.visuals.find((v) => v.id === barId)!;
    const edit = await call("PUT", `/api/v1/conversations/${conversation.id}/visuals/${barId}`, {
      baseRevision: 1,
      visual: { kind: bar.kind, title: "Amount by region (shared)", bindings: bar.bindings },
    });
    expect(edit.statusCode, edit.body).toBe(201);
    const after = (await anon.get(`/api/v1/shared/${token}/dashboard`)).json();
    expect(after.revision).toBe(2);
    expect((after.plan as PlanJson).pages[0]!.visuals.find((v) => v.id === barId)!.title).toBe(
      "Amount by region (shared)",
    );
    // The file replaced by a new version with the same columns (revision 3): the new numbers.
    const newFile = await upload(owner, "orders-v2.csv", csvOf(orders(5)));
    const replaced = await call(
      "POST",
      `/api/v1/conversations/${conversation.id}/files/${conversation.fileId}/replace`,
      { fileId: newFile },
    );
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ sameColumns: true, revision: 3 });
    const live = await sharedBar(anon);
    expect(live.revision).toBe(3);
    expect(live.totals).toEqual(sumByRegion(orders(5)));
    expect(live.totals).not.toEqual(sumByRegion(orders()));
    // Undo: the link follows back to revision 2 and its (old) file.
    expect((await call("POST", `/api/v1/conversations/${conversation.id}/undo`)).statusCode).toBe(200);
    const undone = await sharedBar(anon);
    expect(undone.revision).toBe(2);
    expect(undone.totals).toEqual(sumByRegion(orders()));
  });
});

describe("nothing else reachable through a dashboard link", () => {
  it("another conversation's visuals, slicers and columns are not the link's: 422 per field", async () => {
    const anon = freshAnonymous();
    const second = await plannedConversation(
      owner,
      projectId,
      "city,score\nOslo,3\nRome,4\nLima,5\n",
      "score by city",
    );
    const otherPlan: PlanJson = (
      await call("GET", `/api/v1/conversations/${second.id}/plan-revisions/1`)
    ).json().plan;
    // Visual ids are per plan (several plans may use the same one): ask for one only the other has.
    const mine: PlanJson = (await anon.get(`/api/v1/shared/${token}/dashboard`)).json().plan;
    const mineIds = new Set(mine.pages.flatMap((p) => p.visuals.map((v) => v.id)));
    const onlyOther = otherPlan.pages[0]!.visuals.find((v) => !mineIds.has(v.id))?.id ?? "only-elsewhere";
    const foreignVisual = await anon.post(`/api/v1/shared/${token}/dashboard/query`, {
      visualIds: [onlyOther],
    });
    expect(foreignVisual.statusCode).toBe(422);
    expect(foreignVisual.json().errors).toEqual([
      { path: "body.visualIds.0", message: "no such visual in the plan" },
    ]);
    const foreignColumn = await anon.post(`/api/v1/shared/${token}/dashboard/query`, {
      selections: [{ field: { table: "orders", column: "city" }, values: ["Oslo"] }],
    });
    expect(foreignColumn.statusCode).toBe(422);
    expect(foreignColumn.json().errors[0].path).toBe("body.selections.0.field");
    const foreignSlicer = await anon.post(`/api/v1/shared/${token}/dashboard/slicers/slicer-city/values`, {});
    expect(foreignSlicer.statusCode).toBe(422);
    // The second conversation's own link shows only its own plan.
    const link2 = (await call("POST", `/api/v1/conversations/${second.id}/share-links`, {})).json();
    const shown = (await anon.get(`/api/v1/shared/${link2.token}/dashboard`)).json();
    expect(JSON.stringify(shown.plan)).toContain("city");
    expect(JSON.stringify(shown.plan)).not.toContain("amount");
  });

  it("a dashboard token opens no run routes, a run token no dashboard routes (404)", async () => {
    const anon = freshAnonymous();
    expect((await anon.get(`/api/v1/shared/${token}`)).statusCode).toBe(404);
    expect((await anon.get(`/api/v1/shared/${token}/export?format=csv`)).statusCode).toBe(404);
    // A genuine run link (its run need not exist: the dashboard routes refuse it before looking).
    const genuine = newShareToken(t.app.deps.config.SESSION_SECRET);
    const runLink = await t.database.db
      .insert(shareLinks)
      .values({
        orgId: owner.orgId,
        runIds: ["00000000-0000-4000-8000-000000000001"],
        tokenHash: genuine.tokenHash,
        expiresAt: new Date(Date.now() + 3_600_000),
      })
      .returning();
    const asDashboard = await anon.get(`/api/v1/shared/${genuine.token}/dashboard`);
    expect(asDashboard.statusCode).toBe(404);
    expect(asDashboard.json().detail).toMatch(/shares run results, not a dashboard/);
    expect((await anon.post(`/api/v1/shared/${genuine.token}/dashboard/query`, {})).statusCode).toBe(404);
    expect(runLink[0]!.conversationId).toBeNull();
    // The database refuses a link that names both, or neither.
    await expect(
      t.database.db.insert(shareLinks).values({
        orgId: owner.orgId,
        runIds: ["00000000-0000-4000-8000-000000000001"],
        conversationId: conversation.id,
        tokenHash: "both",
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
    ).rejects.toThrow();
    await expect(
      t.database.db.insert(shareLinks).values({
        orgId: owner.orgId,
        runIds: [],
        tokenHash: "neither",
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
    ).rejects.toThrow();
  });

  it("a token that is not genuine: 404; tampered: 404", async () => {
    const anon = freshAnonymous();
    expect((await anon.get("/api/v1/shared/not-a-token/dashboard")).statusCode).toBe(404);
    const tampered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    expect((await anon.get(`/api/v1/shared/${tampered}/dashboard`)).statusCode).toBe(404);
    expect((await anon.post(`/api/v1/shared/${tampered}/dashboard/query`, {})).statusCode).toBe(404);
  });
});

describe("revoked, expired, deleted, rate-limited", () => {
  it("revoked: 410 on every dashboard route, and the audit names the conversation", async () => {
    const link = (await call("POST", `/api/v1/conversations/${conversation.id}/share-links`, {})).json();
    const anon = freshAnonymous();
    expect((await anon.get(`/api/v1/shared/${link.token}/dashboard`)).statusCode).toBe(200);
    expect((await call("DELETE", `/api/v1/share-links/${link.id}`)).statusCode).toBe(204);
    const gone = await anon.get(`/api/v1/shared/${link.token}/dashboard`);
    expect(gone.statusCode).toBe(410);
    expect(gone.json().code).toBe("share_link_revoked");
    expect((await anon.post(`/api/v1/shared/${link.token}/dashboard/query`, {})).statusCode).toBe(410);
    expect((await anon.get(`/api/v1/shared/${link.token}/dashboard/export?format=png`)).statusCode).toBe(410);
    const audit = (await call("GET", "/api/v1/org/audit-events?action=share_link.revoked&limit=10")).json();
    expect(audit.items.find((e: { targetId: string }) => e.targetId === link.id)?.metadata).toEqual({
      conversationId: conversation.id,
    });
  });

  it("expired: 410 share_link_expired", async () => {
    const link = (await call("POST", `/api/v1/conversations/${conversation.id}/share-links`, {})).json();
    await t.database.db
      .update(shareLinks)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(shareLinks.id, link.id));
    const res = await freshAnonymous().get(`/api/v1/shared/${link.token}/dashboard`);
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe("share_link_expired");
  });

  it("the PNG export draws the current revision", async () => {
    const res = await freshAnonymous().get(`/api/v1/shared/${token}/dashboard/export?format=png`);
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.rawPayload.subarray(1, 4).toString()).toBe("PNG");
  });

  it("rate-limited per client IP: the 41st call in a minute is 429", async () => {
    const anon = freshAnonymous();
    const codes: number[] = [];
    for (let i = 0; i < 41; i++) codes.push((await anon.get(`/api/v1/shared/${token}/dashboard`)).statusCode);
    expect(codes.slice(0, 40).every((c) => c === 200)).toBe(true);
    expect(codes[40]).toBe(429);
  });

  it("a deleted dashboard takes its links: the token no longer opens (404)", async () => {
    const doomed = await plannedConversation(owner, projectId, csvOf(orders(2)), "amount by region");
    const link = (await call("POST", `/api/v1/conversations/${doomed.id}/share-links`, {})).json();
    const anon = freshAnonymous();
    expect((await anon.get(`/api/v1/shared/${link.token}/dashboard`)).statusCode).toBe(200);
    expect((await call("DELETE", `/api/v1/conversations/${doomed.id}`)).statusCode).toBe(204);
    expect((await anon.get(`/api/v1/shared/${link.token}/dashboard`)).statusCode).toBe(404);
    const [row] = await t.database.db.select().from(shareLinks).where(eq(shareLinks.id, link.id));
    expect(row).toBeUndefined();
  });
});
