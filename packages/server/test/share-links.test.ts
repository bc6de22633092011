import { catalog } from "@modelworks/catalog";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, shareLinks } from "../src/db/schema.ts";
import { addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/** Share links: create, read without an account, export, count, revoke, expire, tamper, rate-limit. */

let t: TestApp;
let owner: Awaited<ReturnType<typeof createOwner>>;
const tif = catalog.find("tif")!;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read by path
type Json = any;
let runA: Json;
let runB: Json;
let debtRunId: string;

async function run(modelId: string, input: unknown) {
  const res = await request(t.app, owner, {
    method: "POST",
    url: `/api/v1/models/${modelId}/runs?wait=60&cache=false`,
    payload: { input },
  });
  expect(res.json().status).toBe("succeeded");
  return res.json();
}

const create = (runId: string, body: unknown = {}) =>
  request(t.app, owner, { method: "POST", url: `/api/v1/runs/${runId}/share-links`, payload: body });
const anonymous = (url: string, remoteAddress = "203.0.113.7") =>
  t.app.inject({ method: "GET", url, remoteAddress });
const list = async (query = "") =>
  (await request(t.app, owner, { method: "GET", url: `/api/v1/share-links${query}` })).json();

beforeAll(async () => {
  t = await createTestApp({ RUN_POLL_MS: "200", SHARE_RATE_LIMIT_MAX: "1000" }, { worker: true });
  owner = await createOwner(t.app, "Sharers");
  const input = tif.examples[0]!.input as Json;
  runA = await run("tif", input);
  runB = await run("tif", { ...input, landCostUsd: input.landCostUsd + 250_000 });
  debtRunId = (await run("debt-stack", catalog.find("debt-stack")!.examples[0]!.input)).id;
}, 120_000);
afterAll(async () => t?.close());

describe("a share link's life", () => {
  let link: Json;

  it("is created with a token shown once", async () => {
    const res = await create(runA.id, { label: "For the lender", expiresInHours: 48 });
    expect(res.statusCode, res.body).toBe(201);
    link = res.json();
    expect(link.token).toMatch(/^mwl_[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{22}$/);
    expect(link.url).toBe(`http://localhost:3000/api/v1/shared/${link.token}`);
    expect(link.pageUrl).toBe(`http://localhost:3000/shared/${link.token}`);
    expect(link).toMatchObject({
      runIds: [runA.id],
      label: "For the lender",
      status: "active",
      accessCount: 0,
    });
    const hours = (Date.parse(link.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(47.9);
    expect(hours).toBeLessThanOrEqual(48);
    const [row] = await t.database.db.select().from(shareLinks).where(eq(shareLinks.id, link.id));
    expect(row!.tokenHash).not.toContain(link.token.slice(4, 20)); // only a hash is stored
  });

  it("shows the run's results without an account, and nothing about who made it", async () => {
    const res = await anonymous(`/api/v1/shared/${link.token}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.link).toEqual({ label: "For the lender", expiresAt: link.expiresAt });
    expect(body.model).toMatchObject({ id: "tif", version: tif.version, title: tif.title });
    expect(body.model.tables.map((x: Json) => x.name)).toEqual(["periods", "unit-mix", "annual"]);
    expect(body.runs).toHaveLength(1);
    expect(body.runs[0].output).toEqual(runA.output);
    expect(body.comparison).toBeNull();
    for (const secret of [owner.email, owner.userId, owner.orgId, "Sharers", link.id]) {
      expect(res.body).not.toContain(secret);
    }
  });

  it("exports without an account", async () => {
    const res = await anonymous(`/api/v1/shared/${link.token}/export?format=pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    expect(res.headers["content-disposition"]).toBe(
      `attachment; filename="tif-run-${runA.id.slice(0, 8)}.pdf"`,
    );
    const bad = await anonymous(`/api/v1/shared/${link.token}/export?format=exe`);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe("query.format");
  });

  it("counts its uses", async () => {
    const [item] = (await list()).items.filter((x: Json) => x.id === link.id);
    expect(item).toMatchObject({ accessCount: 2, status: "active" });
    expect(Date.now() - Date.parse(item.lastAccessedAt)).toBeLessThan(60_000);
    expect(JSON.stringify(item)).not.toContain(link.token);
  });

  it("rejects altered or made-up tokens with 404", async () => {
    const [body, sig] = link.token.slice(4).split(".");
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    for (const token of [
      `mwl_${flip(body, 5)}.${sig}`,
      `mwl_${body}.${flip(sig, 3)}`,
      "mwl_nothing",
      "not-a-token",
      `mwk_${body}.${sig}`,
    ]) {
      const res = await anonymous(`/api/v1/shared/${encodeURIComponent(token)}`);
      expect(res.statusCode, token).toBe(404);
      expect(res.json().detail).toBe("This share link is not valid: check that it was copied whole.");
    }
  });

  it("is revoked: 410 from then on, listed as revoked, not revoked twice", async () => {
    const del = await request(t.app, owner, { method: "DELETE", url: `/api/v1/share-links/${link.id}` });
    expect(del.statusCode).toBe(204);
    const res = await anonymous(`/api/v1/shared/${link.token}`);
    expect(res.statusCode).toBe(410);
    expect(res.json().detail).toBe("This share link was revoked by the organization that created it.");
    expect(res.json().code).toBe("share_link_revoked");
    expect((await anonymous(`/api/v1/shared/${link.token}/export?format=csv`)).statusCode).toBe(410);
    const again = await request(t.app, owner, { method: "DELETE", url: `/api/v1/share-links/${link.id}` });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("already_revoked");
    const revoked = await list("?status=revoked");
    expect(revoked.items.map((x: Json) => x.id)).toEqual([link.id]);
    expect(revoked.items[0].revokedAt).not.toBeNull();
  });

  it("expires", async () => {
    const res = (await create(runA.id, { expiresInHours: 1 })).json();
    expect((await anonymous(`/api/v1/shared/${res.token}`)).statusCode).toBe(200);
    const past = new Date(Date.now() - 1000);
    await t.database.db.update(shareLinks).set({ expiresAt: past }).where(eq(shareLinks.id, res.id));
    const expired = await anonymous(`/api/v1/shared/${res.token}`);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().detail).toBe(`This share link expired on ${past.toISOString()}.`);
    expect(expired.json().code).toBe("share_link_expired");
    expect((await list("?status=expired")).items.map((x: Json) => x.id)).toEqual([res.id]);
  });

  it("stops working when its run is deleted", async () => {
    const extra = await run("tif", { ...(tif.examples[0]!.input as Json), landCostUsd: 1_234_567 });
    const res = (await create(extra.id)).json();
    await t.database.db.delete(runs).where(eq(runs.id, extra.id));
    const after = await anonymous(`/api/v1/shared/${res.token}`);
    expect(after.statusCode).toBe(410);
    expect(after.json().detail).toBe("A run this link shares has been deleted, so the link no longer works.");
    expect(after.json().code).toBe("share_link_run_deleted");
  });

  it("leaves an audit trail: creation, revocation and exports through the link", async () => {
    const events = (
      await request(t.app, owner, { method: "GET", url: "/api/v1/org/audit-events?limit=100" })
    ).json().items as Json[];
    const of = (action: string) =>
      events.filter(
        (e) => e.action === action && (e.targetId === link.id || e.metadata.shareLinkId === link.id),
      );
    expect(of("share_link.created")).toHaveLength(1);
    expect(of("share_link.created")[0].metadata).toMatchObject({
      runIds: [runA.id],
      label: "For the lender",
    });
    expect(of("share_link.revoked")).toHaveLength(1);
    const exported = of("run.exported");
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({
      actorType: "anonymous",
      targetId: runA.id,
      metadata: { format: "pdf", via: "share-link" },
    });
  });
});

describe("sharing a comparison", () => {
  it("shows the runs side by side and exports any of them", async () => {
    const res = await create(runA.id, { compareWith: [runB.id] });
    expect(res.statusCode, res.body).toBe(201);
    const { token, runIds } = res.json();
    expect(runIds).toEqual([runA.id, runB.id]);
    const body = (await anonymous(`/api/v1/shared/${token}`)).json();
    expect(body.runs.map((r: Json) => r.id)).toEqual([runA.id, runB.id]);
    expect(body.comparison).toMatchObject({ baselineRunId: runA.id, runs: [runA.id, runB.id] });
    expect(body.comparison.inputs.map((d: Json) => d.path)).toContain("landCostUsd");
    const second = await anonymous(`/api/v1/shared/${token}/export?format=xlsx&runId=${runB.id}`);
    expect(second.statusCode).toBe(200);
    expect(second.headers["content-disposition"]).toContain(`tif-run-${runB.id.slice(0, 8)}.xlsx`);
    const outsider = await anonymous(`/api/v1/shared/${token}/export?format=xlsx&runId=${debtRunId}`);
    expect(outsider.statusCode).toBe(422);
    expect(outsider.json().errors).toEqual([
      { path: "query.runId", message: "is not one of the runs this link shares" },
    ]);
  });

  it("refuses runs of another model, repeats, and unfinished runs", async () => {
    const other = await create(runA.id, { compareWith: [runB.id, debtRunId] });
    expect(other.statusCode).toBe(422);
    expect(other.json().errors).toEqual([
      { path: "body.compareWith.1", message: "is a run of debt-stack; a comparison needs runs of tif" },
    ]);
    const repeat = await create(runA.id, { compareWith: [runA.id] });
    expect(repeat.statusCode).toBe(422);
    expect(repeat.json().errors[0].path).toBe("body.compareWith.0");
    const [queued] = await t.database.db
      .insert(runs)
      .values({
        orgId: owner.orgId,
        modelId: "tif",
        modelVersion: tif.version,
        input: {},
        inputHash: "q",
        status: "canceled",
        timeoutMs: 1,
      })
      .returning();
    const unfinished = await create(queued!.id);
    expect(unfinished.statusCode).toBe(409);
    const before = (await list()).total;
    const badExpiry = await create(runA.id, { expiresInHours: 0 });
    expect(badExpiry.statusCode).toBe(422);
    expect(badExpiry.json().errors[0].path).toBe("body.expiresInHours");
    expect((await list()).total).toBe(before);
  });

  it("lets a viewer list links but not create or revoke them", async () => {
    const viewer = await addMember(t.app, owner, "viewer");
    const listed = await request(t.app, viewer, {
      method: "GET",
      url: `/api/v1/share-links?runId=${runB.id}`,
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((x: Json) => x.runIds)).toEqual([[runA.id, runB.id]]);
    const made = await request(t.app, viewer, {
      method: "POST",
      url: `/api/v1/runs/${runA.id}/share-links`,
      payload: {},
    });
    expect(made.statusCode).toBe(403);
  });
});

describe("rate limit", () => {
  it("limits the public routes per client IP", async () => {
    const small = await createTestApp({ SHARE_RATE_LIMIT_MAX: "3", INTERNAL_MODELS: "true" });
    try {
      const o = await createOwner(small.app, "Limited");
      const [row] = await small.database.db
        .insert(runs)
        .values({
          orgId: o.orgId,
          modelId: "test-montecarlo-sum",
          modelVersion: "1.0.0",
          input: { terms: [{ mean: 1, sd: 1 }] },
          inputHash: "rl",
          status: "succeeded",
          output: {
            samples: 1,
            mean: 1,
            sd: 0,
            p05: 1,
            p50: 1,
            p95: 1,
            analyticMean: 1,
            analyticSd: 1,
            histogram: [],
          },
          timeoutMs: 1000,
          startedAt: new Date(),
          finishedAt: new Date(),
        })
        .returning();
      const made = await request(small.app, o, {
        method: "POST",
        url: `/api/v1/runs/${row!.id}/share-links`,
        payload: {},
      });
      const url = `/api/v1/shared/${made.json().token}`;
      const from = (ip: string) => small.app.inject({ method: "GET", url, remoteAddress: ip });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await from("198.51.100.1")).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await from("198.51.100.2")).statusCode).toBe(200);
      // A made-up token counts against the same budget: guessing is limited too.
      expect(
        (
          await small.app.inject({
            method: "GET",
            url: "/api/v1/shared/mwl_x",
            remoteAddress: "198.51.100.1",
          })
        ).statusCode,
      ).toBe(429);
    } finally {
      await small.close();
    }
  });
});
