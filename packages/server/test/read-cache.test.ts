import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { AuthCache } from "../src/auth/cache.ts";
import { projects } from "../src/db/schema.ts";
import { ReadCache } from "../src/http/read-cache.ts";
import type { Broadcast } from "../src/redis/broadcast.ts";
import {
  type Actor,
  addMember,
  apiRequest as call,
  createApiKey,
  createOwner,
  createTestApp,
  eventually,
  request,
  type TestApp,
} from "./harness.ts";
import { settle, useTwoInstances } from "./two-instances.ts";

/**
 * The read cache of hot list reads (src/http/read-cache.ts, decision 0053). Both caches' TTLs are
 * ten minutes here, so every write or revocation seen below is seen because it invalidated the
 * cache — never because an entry expired. Each test first shows the cache at work: a row written
 * to the database behind the app's back is not seen.
 */
const LONG_TTL = { AUTH_CACHE_TTL_MS: "600000", READ_CACHE_TTL_MS: "600000" };

type Page = { items: { id: string; name: string }[]; total: number };

async function names(app: App, as: Actor | string, orgId?: string): Promise<string[]> {
  const res = await call(app, as, "GET", "/projects?limit=50&sort=name", undefined, orgId);
  expect(res.statusCode).toBe(200);
  const page = res.json() as Page;
  expect(page.total).toBe(page.items.length);
  return page.items.map((p) => p.name);
}

/** A project row written straight to the database: no invalidation, as a test's fixture would be. */
async function insertBehindTheBack(t: TestApp, orgId: string, name: string) {
  await t.database.db.insert(projects).values({ orgId, name });
}

describe("ReadCache", () => {
  const body = (s: string) => Buffer.from(s);

  it("serves an entry until its organization is written to, and only that organization's", async () => {
    const c = new ReadCache({ ttlMs: 60_000, maxEntries: 10 });
    c.set("a", "k", c.generation("a"), body("a1"));
    c.set("b", "k", c.generation("b"), body("b1"));
    expect(c.get("a", "k")?.toString()).toBe("a1");
    expect(c.get("b", "k")?.toString()).toBe("b1");
    await c.changed("a");
    expect(c.get("a", "k")).toBeUndefined();
    expect(c.get("b", "k")?.toString()).toBe("b1");
  });

  it("does not store what a read loaded while its organization was written to", async () => {
    const c = new ReadCache({ ttlMs: 60_000, maxEntries: 10 });
    const before = c.generation("a");
    await c.changed("a"); // the write commits while the read's query is out
    c.set("a", "k", before, body("stale"));
    expect(c.get("a", "k")).toBeUndefined();
    expect(c.size).toBe(0);
    // A load that began before a full flush stores nothing either.
    const beforeFlush = c.generation("a");
    c.flush();
    c.set("a", "k", beforeFlush, body("stale"));
    expect(c.get("a", "k")).toBeUndefined();
  });

  it("expires entries after the TTL, keeps at most maxEntries, and is off at TTL 0", async () => {
    const c = new ReadCache({ ttlMs: 30, maxEntries: 2 });
    c.set("a", "1", c.generation("a"), body("1"));
    c.set("a", "2", c.generation("a"), body("2"));
    c.set("a", "3", c.generation("a"), body("3"));
    expect(c.size).toBe(2);
    expect(c.get("a", "1")).toBeUndefined(); // the oldest went first
    expect(c.get("a", "3")?.toString()).toBe("3");
    await new Promise((r) => setTimeout(r, 40));
    expect(c.get("a", "3")).toBeUndefined();

    const off = new ReadCache({ ttlMs: 0, maxEntries: 10 });
    off.set("a", "k", off.generation("a"), body("x"));
    expect(off.get("a", "k")).toBeUndefined();
  });

  it("tells the other instances which organization changed, and they void it", async () => {
    const wire: ((m: string) => void)[] = [];
    const sent: string[] = [];
    const bus = (): Broadcast => ({
      publish: async (m) => {
        sent.push(m);
        for (const h of wire) h(m);
      },
      onMessage: (h) => void wire.push(h),
      close: async () => {},
    });
    const here = new ReadCache({ ttlMs: 60_000, maxEntries: 10 });
    const there = new ReadCache({ ttlMs: 60_000, maxEntries: 10 });
    there.connect(bus());
    here.connect({ ...bus(), onMessage: () => {} }); // here only sends
    there.set("a", "k", there.generation("a"), body("a"));
    there.set("b", "k", there.generation("b"), body("b"));
    await here.changed("a");
    expect(sent).toEqual(["reads:org:a"]);
    expect(there.get("a", "k")).toBeUndefined();
    expect(there.get("b", "k")?.toString()).toBe("b");
    await here.changed(null);
    expect(there.get("b", "k")).toBeUndefined();
  });

  it("empties with every flush of the credential cache (access changed)", async () => {
    const auth = new AuthCache({ ttlMs: 60_000, maxEntries: 10 });
    const reads = new ReadCache({ ttlMs: 60_000, maxEntries: 10 });
    auth.onFlush(() => reads.flush());
    reads.set("a", "k", reads.generation("a"), body("a"));
    await auth.changed();
    expect(reads.get("a", "k")).toBeUndefined();
  });
});

describe("read cache, one instance", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(LONG_TTL);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a project written through the API is seen by the very next read (list and item)", async () => {
    const owner = await createOwner(t.app, "Reads writes");
    const created = await call(t.app, owner, "POST", "/projects", { name: "alpha" });
    expect(created.statusCode).toBe(201);
    const alpha = (created.json() as { id: string }).id;
    expect(await names(t.app, owner)).toEqual(["alpha"]);
    expect((await call(t.app, owner, "GET", `/projects/${alpha}`)).json()).toMatchObject({ name: "alpha" });

    // Behind the app's back: the cached answers stay (the cache is used)...
    await insertBehindTheBack(t, owner.orgId, "beta");
    await t.database.db.update(projects).set({ description: "hidden" }).where(eq(projects.id, alpha));
    expect(await names(t.app, owner)).toEqual(["alpha"]);
    expect((await call(t.app, owner, "GET", `/projects/${alpha}`)).json()).toMatchObject({ description: "" });

    // ...and each write through the API voids them at once.
    expect((await call(t.app, owner, "POST", "/projects", { name: "gamma" })).statusCode).toBe(201);
    expect(await names(t.app, owner)).toEqual(["alpha", "beta", "gamma"]);
    expect((await call(t.app, owner, "GET", `/projects/${alpha}`)).json()).toMatchObject({
      description: "hidden",
    });

    const renamed = await call(t.app, owner, "PATCH", `/projects/${alpha}`, { name: "delta" });
    expect(renamed.statusCode).toBe(200);
    expect(await names(t.app, owner)).toEqual(["beta", "delta", "gamma"]);
    expect((await call(t.app, owner, "GET", `/projects/${alpha}`)).json()).toMatchObject({ name: "delta" });

    expect((await call(t.app, owner, "DELETE", `/projects/${alpha}`)).statusCode).toBe(204);
    expect(await names(t.app, owner)).toEqual(["beta", "gamma"]);
    expect((await call(t.app, owner, "GET", `/projects/${alpha}`)).statusCode).toBe(404);
  });

  it("a refused write voids nothing, and the cached answer is the same bytes as a fresh one", async () => {
    const owner = await createOwner(t.app, "Reads refused");
    expect((await call(t.app, owner, "POST", "/projects", { name: "one" })).statusCode).toBe(201);
    const fresh = await call(t.app, owner, "GET", "/projects?limit=10");
    const hit = await call(t.app, owner, "GET", "/projects?limit=10");
    expect(hit.body).toBe(fresh.body);
    expect(hit.headers["content-type"]).toBe(fresh.headers["content-type"]);
    expect(hit.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(await names(t.app, owner)).toEqual(["one"]);
    await insertBehindTheBack(t, owner.orgId, "two");
    expect((await call(t.app, owner, "POST", "/projects", { name: "ONE" })).statusCode).toBe(409);
    expect(await names(t.app, owner)).toEqual(["one"]); // still cached: nothing was written
  });

  it("organizations never see or void each other's entries", async () => {
    const a = await createOwner(t.app, "Reads A");
    const b = await createOwner(t.app, "Reads B");
    expect((await call(t.app, a, "POST", "/projects", { name: "same" })).statusCode).toBe(201);
    expect((await call(t.app, b, "POST", "/projects", { name: "same" })).statusCode).toBe(201);
    const idOf = async (as: Actor) =>
      ((await call(t.app, as, "GET", "/projects?limit=50&sort=name")).json() as Page).items[0]!.id;
    const [aId, bId] = [await idOf(a), await idOf(b)];
    expect(aId).not.toBe(bId); // the same query, each organization's own answer
    // B's project by id is not found through A, cached or not.
    expect((await call(t.app, a, "GET", `/projects/${bId}`)).statusCode).toBe(404);
    expect((await call(t.app, b, "GET", `/projects/${bId}`)).statusCode).toBe(200);
    expect((await call(t.app, a, "GET", `/projects/${bId}`)).statusCode).toBe(404);

    await insertBehindTheBack(t, b.orgId, "unseen");
    expect((await call(t.app, a, "POST", "/projects", { name: "another" })).statusCode).toBe(201);
    expect(await names(t.app, a)).toEqual(["another", "same"]);
    expect(await names(t.app, b)).toEqual(["same"]); // A's write left B's entries alone
  });

  it("revoking a key, signing out or removing a member takes effect at once on a cached list", async () => {
    const owner = await createOwner(t.app, "Reads revoke");
    const member = await addMember(t.app, owner, "analyst");
    const { id, key } = await createApiKey(t.app, owner, "read");
    for (const as of [owner, key]) expect(await names(t.app, as)).toEqual([]);
    expect(await names(t.app, member, owner.orgId)).toEqual([]);

    expect(
      (await call(t.app, owner, "DELETE", `/org/api-keys/${id}`, undefined, owner.orgId)).statusCode,
    ).toBe(204);
    expect((await call(t.app, key, "GET", "/projects?limit=50&sort=name")).statusCode).toBe(401);

    const removed = await call(
      t.app,
      owner,
      "DELETE",
      `/org/members/${member.userId}`,
      undefined,
      owner.orgId,
    );
    expect(removed.statusCode).toBe(204);
    const asMember = await call(t.app, member, "GET", "/projects?limit=50&sort=name", undefined, owner.orgId);
    expect(asMember.statusCode).toBe(404);

    expect((await request(t.app, owner, { method: "POST", url: "/api/v1/auth/sign-out" })).statusCode).toBe(
      204,
    );
    expect((await call(t.app, owner, "GET", "/projects?limit=50&sort=name")).statusCode).toBe(401);
  });

  it("with READ_CACHE_TTL_MS=0 every read queries the database", async () => {
    const off = await createTestApp({ READ_CACHE_TTL_MS: "0" });
    try {
      const owner = await createOwner(off.app, "Reads off");
      expect(await names(off.app, owner)).toEqual([]);
      await insertBehindTheBack(off, owner.orgId, "seen");
      expect(await names(off.app, owner)).toEqual(["seen"]);
      expect(off.app.deps.readCache.size).toBe(0);
    } finally {
      await off.close();
    }
  });
});

/**
 * Two API instances on one PostgreSQL database (and Redis, when REDIS_URL is set): a write made
 * through instance A voids instance B's cached reads of that organization when A's message
 * arrives (Redis pub/sub and PostgreSQL NOTIFY both carry it). PGlite serves one process, so this
 * needs DATABASE_URL.
 */
describe.skipIf(!process.env.DATABASE_URL)("read cache across two instances", () => {
  const two = useTwoInstances(LONG_TTL);
  const onB = (check: () => Promise<boolean>) => eventually(check, "instance B still serves the old answer");

  it("a project written on A is seen on B when A's message arrives", async () => {
    const { a, b } = two();
    const owner = await createOwner(a.app, "Across reads");
    await settle();
    expect(await names(b, owner)).toEqual([]);
    await insertBehindTheBack(a, owner.orgId, "behind");
    expect(await names(b, owner)).toEqual([]); // cached on B

    expect((await call(a.app, owner, "POST", "/projects", { name: "written" })).statusCode).toBe(201);
    expect(await names(a.app, owner)).toEqual(["behind", "written"]); // A at once
    const ms = await onB(async () => (await names(b, owner)).length === 2);
    expect(await names(b, owner)).toEqual(["behind", "written"]);
    expect(ms).toBeLessThan(5000);
  });

  it("a key revoked on A no longer reads B's cached list", async () => {
    const { a, b } = two();
    const owner = await createOwner(a.app, "Across reads key");
    const { id, key } = await createApiKey(a.app, owner, "read");
    await settle();
    expect(await names(b, key)).toEqual([]);
    expect(
      (await call(a.app, owner, "DELETE", `/org/api-keys/${id}`, undefined, owner.orgId)).statusCode,
    ).toBe(204);
    await onB(async () => (await call(b, key, "GET", "/projects?limit=50&sort=name")).statusCode === 401);
  });
});

/**
 * The read cache is voided by the code that writes a cached table (`readCache.changed(orgId)`
 * after the commit). A new module writing one without it would leave other readers on the old
 * answer until the TTL: this check fails closed on the sources.
 */
describe("read cache guard", () => {
  const SRC = path.resolve(import.meta.dirname, "../src");
  const CACHED_TABLES = ["projects"];
  const WRITES = new RegExp(`\\.(insert|update|delete)\\((${CACHED_TABLES.join("|")})\\)`);
  /** Writers that need no call, and why. */
  const EXEMPT: Record<string, string> = {
    // Inserts a project only into the organization it creates in the same transaction: no
    // instance can have cached a read of an organization that did not exist.
    "seed.ts": "new organization only",
  };

  it("every module that writes a cached table calls readCache.changed", async () => {
    const entries = await readdir(SRC, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && e.name.endsWith(".ts"))
      .map((e) => path.join(e.parentPath, e.name));
    const writers: string[] = [];
    for (const file of files) {
      const text = await readFile(file, "utf8");
      if (WRITES.test(text) && !/readCache\.changed\(/.test(text)) writers.push(path.relative(SRC, file));
    }
    expect(writers.filter((f) => !(f in EXEMPT))).toEqual([]);
    expect(writers.filter((f) => f in EXEMPT)).toEqual(Object.keys(EXEMPT)); // no stale exemption
    // The check reads real sources: the projects routes write the table and pass.
    const routes = await readFile(path.join(SRC, "routes/projects.ts"), "utf8");
    expect(WRITES.test(routes)).toBe(true);
  });
});
