import { eq } from "drizzle-orm";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, memberships, sessions } from "../src/db/schema.ts";
import { type Broadcast, openBroadcast } from "../src/redis/broadcast.ts";
import { RedisLink } from "../src/redis/link.ts";
import {
  type Actor,
  addMember,
  createApiKey,
  createOwner,
  createTestApp,
  eventually,
  apiRequest as inOrg,
  request,
  type TestApp,
} from "./harness.ts";
import { settle, useTwoInstances } from "./two-instances.ts";

/**
 * The credential cache (src/auth/cache.ts, issue 20 goal 2). The TTL here is ten minutes, so
 * every revocation below that takes effect does so because a change flushed the cache — never
 * because an entry expired. Each test first shows the cache at work: a change written to the
 * database behind the app's back (no flush) is not seen.
 */
const LONG_TTL = { AUTH_CACHE_TTL_MS: "600000" };

describe("credential cache, one instance", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(LONG_TTL);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("serves a key from the cache, and a revoked key is refused at once", async () => {
    const owner = await createOwner(t.app, "Cache key");
    const { id, key } = await createApiKey(t.app, owner, "read");
    expect((await inOrg(t.app, key, "GET", "/projects")).statusCode).toBe(200);
    // Revoked behind the app's back: the cached key still works (the cache is used)...
    await t.database.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
    expect((await inOrg(t.app, key, "GET", "/projects")).statusCode).toBe(200);
    await t.database.db.update(apiKeys).set({ revokedAt: null }).where(eq(apiKeys.id, id));
    // ...revoked through the API: refused on the very next request.
    const revoke = await inOrg(t.app, owner, "DELETE", `/org/api-keys/${id}`, undefined, owner.orgId);
    expect(revoke.statusCode).toBe(204);
    const after = await inOrg(t.app, key, "GET", "/projects");
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toBe("This API key has been revoked.");
  });

  it("a signed-out session is refused at once", async () => {
    const owner = await createOwner(t.app, "Cache session");
    expect((await inOrg(t.app, owner, "GET", "/projects")).statusCode).toBe(200);
    const out = await request(t.app, owner, { method: "POST", url: "/api/v1/auth/sign-out" });
    expect(out.statusCode).toBe(204);
    const after = await inOrg(t.app, owner, "GET", "/projects");
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toMatch(/no longer valid/);
  });

  it("a role change and a removal apply at once to the member and to their keys", async () => {
    const owner = await createOwner(t.app, "Cache members");
    const admin = await addMember(t.app, owner, "admin");
    const { key } = await createApiKey(t.app, admin, "run");
    const create = (as: Actor | string) =>
      inOrg(t.app, as, "POST", "/projects", { name: `p-${Math.random()}` }, owner.orgId);
    expect((await create(admin)).statusCode).toBe(201);
    expect((await create(key)).statusCode).toBe(201);

    // Demoted behind the app's back: still served from the cache.
    await t.database.db
      .update(memberships)
      .set({ role: "viewer" })
      .where(eq(memberships.userId, admin.userId));
    expect((await create(admin)).statusCode).toBe(201);
    await t.database.db
      .update(memberships)
      .set({ role: "admin" })
      .where(eq(memberships.userId, admin.userId));

    // Demoted through the API: the member and the key they created both lose write at once.
    const demote = await inOrg(
      t.app,
      owner,
      "PATCH",
      `/org/members/${admin.userId}`,
      { role: "viewer" },
      owner.orgId,
    );
    expect(demote.statusCode).toBe(200);
    expect((await create(admin)).statusCode).toBe(403);
    expect((await create(key)).statusCode).toBe(403);
    expect((await inOrg(t.app, key, "GET", "/projects")).statusCode).toBe(200);

    const remove = await inOrg(
      t.app,
      owner,
      "DELETE",
      `/org/members/${admin.userId}`,
      undefined,
      owner.orgId,
    );
    expect(remove.statusCode).toBe(204);
    expect((await inOrg(t.app, admin, "GET", "/projects", undefined, owner.orgId)).statusCode).toBe(404);
    expect((await inOrg(t.app, key, "GET", "/projects")).statusCode).toBe(401);
  });

  it("a session's new active organization applies at once", async () => {
    const owner = await createOwner(t.app, "Cache first");
    const second = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "Cache second" },
    });
    expect(second.statusCode).toBe(201);
    expect((await request(t.app, owner, { method: "GET", url: "/api/v1/org" })).json().id).toBe(owner.orgId);
    const sw = await request(t.app, owner, {
      method: "PUT",
      url: "/api/v1/session/organization",
      payload: { orgId: second.json().id },
    });
    expect(sw.statusCode).toBe(200);
    expect((await request(t.app, owner, { method: "GET", url: "/api/v1/org" })).json().id).toBe(
      second.json().id,
    );
  });

  it("with AUTH_CACHE_TTL_MS=0 every request reads the database", async () => {
    const off = await createTestApp({ AUTH_CACHE_TTL_MS: "0" });
    try {
      const owner = await createOwner(off.app, "No cache");
      const { id, key } = await createApiKey(off.app, owner, "read");
      expect((await inOrg(off.app, key, "GET", "/projects")).statusCode).toBe(200);
      await off.database.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
      expect((await inOrg(off.app, key, "GET", "/projects")).statusCode).toBe(401);
      expect(off.app.deps.authCache.size).toBe(0);
    } finally {
      await off.close();
    }
  });
});

/**
 * Two API instances on one PostgreSQL database (and Redis, when REDIS_URL is set): a change made
 * through instance A empties instance B's cache (Redis pub/sub and PostgreSQL NOTIFY both carry
 * it). PGlite serves one process, so this needs DATABASE_URL.
 */
describe.skipIf(!process.env.DATABASE_URL)("credential cache across two instances", () => {
  const two = useTwoInstances(LONG_TTL);
  const onB = (check: () => Promise<boolean>) =>
    eventually(check, "instance B still serves the old credential");

  it("a key revoked on A is refused on B", async () => {
    const { a, b } = two();
    const owner = await createOwner(a.app, "Across key");
    const { id, key } = await createApiKey(a.app, owner, "read");
    await settle();
    expect((await inOrg(b, key, "GET", "/projects")).statusCode).toBe(200);
    // B serves it from its cache: revoked behind both apps' backs, B still lets it in.
    await a.database.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
    expect((await inOrg(b, key, "GET", "/projects")).statusCode).toBe(200);
    await a.database.db.update(apiKeys).set({ revokedAt: null }).where(eq(apiKeys.id, id));

    const revoke = await inOrg(a.app, owner, "DELETE", `/org/api-keys/${id}`, undefined, owner.orgId);
    expect(revoke.statusCode).toBe(204);
    await onB(async () => (await inOrg(b, key, "GET", "/projects")).statusCode === 401);
  });

  it("a session signed out on A is refused on B", async () => {
    const { a, b } = two();
    const owner = await createOwner(a.app, "Across session");
    await settle();
    expect((await inOrg(b, owner, "GET", "/projects")).statusCode).toBe(200);
    await a.database.db.update(sessions).set({ activeOrgId: null }).where(eq(sessions.userId, owner.userId));
    expect((await inOrg(b, owner, "GET", "/projects")).statusCode).toBe(200); // cached on B
    await a.database.db
      .update(sessions)
      .set({ activeOrgId: owner.orgId })
      .where(eq(sessions.userId, owner.userId));

    expect((await request(a.app, owner, { method: "POST", url: "/api/v1/auth/sign-out" })).statusCode).toBe(
      204,
    );
    await onB(async () => (await inOrg(b, owner, "GET", "/projects")).statusCode === 401);
  });

  it("a member removed or demoted on A loses access on B", async () => {
    const { a, b } = two();
    const owner = await createOwner(a.app, "Across members");
    const editor = await addMember(a.app, owner, "analyst");
    const viewer = await addMember(a.app, owner, "analyst");
    const create = (as: Actor) =>
      inOrg(b, as, "POST", "/projects", { name: `p-${Math.random()}` }, owner.orgId);
    expect((await create(editor)).statusCode).toBe(201);
    expect((await create(viewer)).statusCode).toBe(201);

    const demote = await inOrg(
      a.app,
      owner,
      "PATCH",
      `/org/members/${viewer.userId}`,
      { role: "viewer" },
      owner.orgId,
    );
    expect(demote.statusCode).toBe(200);
    await onB(async () => (await create(viewer)).statusCode === 403);

    const remove = await inOrg(
      a.app,
      owner,
      "DELETE",
      `/org/members/${editor.userId}`,
      undefined,
      owner.orgId,
    );
    expect(remove.statusCode).toBe(204);
    await onB(
      async () => (await inOrg(b, editor, "GET", "/projects", undefined, owner.orgId)).statusCode === 404,
    );
  });
});

/** Each way of the broadcast alone: Redis pub/sub without PostgreSQL, PostgreSQL NOTIFY without Redis. */
describe("broadcast transports", () => {
  async function roundTrip(make: () => Promise<Broadcast>) {
    const [x, y] = [await make(), await make()];
    try {
      const heardByY: string[] = [];
      const heardByX: string[] = [];
      y.onMessage((m) => heardByY.push(m));
      x.onMessage((m) => heardByX.push(m));
      // A subscription is set up asynchronously after connecting: publish until it is heard.
      for (let i = 0; i < 100 && heardByY.length === 0; i++) {
        await x.publish("flush");
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(heardByY[0]).toBe("flush");
      expect(heardByX).toEqual([]); // an instance never hears itself
    } finally {
      await Promise.all([x.close(), y.close()]);
    }
  }

  it.skipIf(!process.env.REDIS_URL)("Redis pub/sub", async () => {
    const links: RedisLink[] = [];
    const prefix = `mwtest${Math.random().toString(36).slice(2, 10)}:`;
    try {
      await roundTrip(async () => {
        const link = new RedisLink({
          url: process.env.REDIS_URL!,
          commandTimeoutMs: 1000,
          breakerMs: 500,
          log: pino({ level: "silent" }),
        });
        links.push(link);
        await link.ready(5000);
        return openBroadcast({ channel: "mw_test_broadcast", redis: { link, prefix }, postgres: null });
      });
    } finally {
      await Promise.all(links.map((l) => l.close()));
    }
  });

  it.skipIf(!process.env.DATABASE_URL)("PostgreSQL NOTIFY", async () => {
    const url = process.env.DATABASE_URL!;
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const channel = `mw_test_${Math.random().toString(36).slice(2, 10)}`;
    try {
      await roundTrip(() => openBroadcast({ channel, redis: null, postgres: { url, pool } }));
    } finally {
      await pool.end();
    }
  });
});
