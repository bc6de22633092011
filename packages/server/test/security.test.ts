import { randomUUID } from "node:crypto";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projects } from "../src/db/schema.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/**
 * Transport-level defences: security headers, the CORS allowlist, request ids, error bodies
 * that reveal nothing, and user input that stays data (never SQL, never a LIKE pattern).
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const APP_ORIGIN = "https://app.example.com";

function preflight(t: TestApp, origin: string, url = "/api/v1/projects") {
  return t.app.inject({
    method: "OPTIONS",
    url,
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,x-csrf-token",
    },
  });
}

/** One app on the defaults (also used for the data tests) and one with CORS and plain HTTP. */
let t: TestApp;
let corsApp: TestApp;
beforeAll(async () => {
  [t, corsApp] = await Promise.all([
    createTestApp(),
    createTestApp({ CORS_ORIGINS: `${APP_ORIGIN}, https://admin.example.com`, COOKIE_SECURE: "false" }),
  ]);
});
afterAll(async () => {
  await t?.close();
  await corsApp?.close();
});

describe("with the default configuration", () => {
  it.each([
    ["a successful API response", "/health", 200],
    ["a 401 from the API", "/api/v1/projects", 401],
    ["a 404 for an unknown route", "/api/v1/nope", 404],
  ])("sends security headers on %s", async (_what, url, status) => {
    const res = await t.app.inject({ method: "GET", url });
    expect(res.statusCode).toBe(status);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(res.headers["content-security-policy"]).toMatch(/frame-ancestors 'self'/);
    expect(res.headers["content-security-policy"]).toMatch(/default-src 'self'/);
    expect(res.headers["strict-transport-security"]).toMatch(/^max-age=\d+; includeSubDomains/);
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("allows no cross-origin caller when CORS_ORIGINS is empty", async () => {
    const pre = await preflight(t, APP_ORIGIN);
    expect(pre.headers["access-control-allow-origin"]).toBeUndefined();
    expect(pre.headers["access-control-allow-credentials"]).toBeUndefined();
    const simple = await t.app.inject({ method: "GET", url: "/health", headers: { origin: APP_ORIGIN } });
    expect(simple.headers["access-control-allow-origin"]).toBeUndefined();
  });

  describe("request ids", () => {
    it("gives every response an x-request-id, matching the problem body", async () => {
      const ok = await t.app.inject({ method: "GET", url: "/health" });
      expect(ok.headers["x-request-id"]).toMatch(UUID_RE);
      const err = await t.app.inject({ method: "GET", url: "/api/v1/projects" });
      expect(err.headers["x-request-id"]).toMatch(UUID_RE);
      expect(err.json().requestId).toBe(err.headers["x-request-id"]);
      expect(err.headers["x-request-id"]).not.toBe(ok.headers["x-request-id"]);
    });

    it.each(["req-123", "nginx:4f2a.9_b-01", randomUUID(), "a".repeat(128)])(
      "echoes a valid caller id %s",
      async (id) => {
        const res = await t.app.inject({
          method: "GET",
          url: "/api/v1/projects",
          headers: { "x-request-id": id },
        });
        expect(res.headers["x-request-id"]).toBe(id);
        expect(res.json().requestId).toBe(id);
      },
    );

    it.each([
      ["300 characters", "a".repeat(300)],
      ["129 characters", "a".repeat(129)],
      ["spaces", "has some spaces"],
      ["a log-injection attempt", "abc\\nlevel=error"],
      ["markup", "<script>alert(1)</script>"],
      ["an empty value", ""],
    ])("replaces an id with %s by a UUID", async (_what, id) => {
      const res = await t.app.inject({
        method: "GET",
        url: "/api/v1/projects",
        headers: { "x-request-id": id },
      });
      expect(res.headers["x-request-id"]).toMatch(UUID_RE);
      expect(res.json().requestId).toBe(res.headers["x-request-id"]);
    });
  });

  describe("error bodies", () => {
    it("renders an unknown route as a bare problem+json 404", async () => {
      const res = await t.app.inject({ method: "GET", url: "/api/v1/does-not-exist?token=secret" });
      expect(res.statusCode).toBe(404);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      const body = res.json();
      expect(body).toEqual({
        type: "/api/v1/problems/not_found",
        code: "not_found",
        title: "Not Found",
        status: 404,
        detail: "No route GET /api/v1/does-not-exist.",
        requestId: res.headers["x-request-id"],
      });
      // The query string (which may hold a secret) is not echoed back.
      expect(res.body).not.toContain("secret");
    });

    it.each([
      ["malformed JSON", { "content-type": "application/json" }, '{"name": '],
      ["a non-JSON body", { "content-type": "text/plain" }, "name=x"],
    ])("answers %s without a stack or a file path", async (_what, headers, payload) => {
      const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/sign-in", headers, payload });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(
        expect.arrayContaining(["code", "detail", "requestId", "status", "title", "type"]),
      );
      expect(
        Object.keys(body).every((k) =>
          ["type", "code", "title", "status", "detail", "requestId", "instance", "errors"].includes(k),
        ),
      ).toBe(true);
      expect(res.body).not.toMatch(/stack|node_modules|\/src\/|\.ts:\d+|at \w+ \(/);
    });
  });
});

describe("with CORS_ORIGINS and COOKIE_SECURE=false", () => {
  it("answers a preflight from an allowed origin with that origin and credentials", async () => {
    const res = await preflight(corsApp, APP_ORIGIN);
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(APP_ORIGIN);
    expect(res.headers["access-control-allow-credentials"]).toBe("true");
    expect(res.headers["access-control-allow-methods"]).toMatch(/POST/);
    expect(String(res.headers["access-control-allow-headers"])).toMatch(/x-csrf-token/);
    expect(String(res.headers.vary)).toMatch(/Origin/i);
    const second = await preflight(corsApp, "https://admin.example.com");
    expect(second.headers["access-control-allow-origin"]).toBe("https://admin.example.com");
  });

  it("exposes the request id and retry-after to an allowed origin", async () => {
    const res = await corsApp.app.inject({
      method: "GET",
      url: "/api/v1/projects",
      headers: { origin: APP_ORIGIN },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers["access-control-allow-origin"]).toBe(APP_ORIGIN);
    expect(String(res.headers["access-control-expose-headers"])).toMatch(/x-request-id/);
    expect(String(res.headers["access-control-expose-headers"])).toMatch(/retry-after/);
  });

  it.each(["https://evil.example.com", "https://app.example.com.evil.net", "http://app.example.com", "null"])(
    "gives no allow-origin to %s",
    async (origin) => {
      const pre = await preflight(corsApp, origin);
      expect(pre.headers["access-control-allow-origin"]).toBeUndefined();
      // (@fastify/cors still sends allow-credentials; without allow-origin the browser refuses anyway.)
      const simple = await corsApp.app.inject({ method: "GET", url: "/health", headers: { origin } });
      expect(simple.headers["access-control-allow-origin"]).toBeUndefined();
    },
  );

  it("omits Strict-Transport-Security when cookies are not secure (plain-HTTP deployments)", async () => {
    const res = await corsApp.app.inject({ method: "GET", url: "/health" });
    expect(res.headers["strict-transport-security"]).toBeUndefined();
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });
});

describe("user input stays data", () => {
  let owner: Actor & { orgId: string };
  const INJECTION_NAME = "'; DROP TABLE projects; --";
  const names = [
    INJECTION_NAME,
    "50% off",
    "100%",
    "a_b",
    "axb",
    "back\\slash",
    "Robert'); DROP TABLE users;--",
  ];

  beforeAll(async () => {
    owner = await createOwner(t.app, "Little Bobby Tables");
    for (const name of names) {
      const res = await request(t.app, owner, { method: "POST", url: "/api/v1/projects", payload: { name } });
      expect(res.statusCode).toBe(201);
    }
  });

  const search = async (q: string) => {
    const res = await request(t.app, owner, {
      method: "GET",
      url: `/api/v1/projects?${new URLSearchParams({ q, sort: "name", limit: "100" })}`,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(body.items.length);
    return (body.items as { name: string }[]).map((p) => p.name).sort();
  };

  it("stores a SQL-looking name exactly and finds it by id", async () => {
    const list = await request(t.app, owner, { method: "GET", url: "/api/v1/projects?limit=100" });
    const created = (list.json().items as { id: string; name: string }[]).find(
      (p) => p.name === INJECTION_NAME,
    );
    expect(created).toBeDefined();
    const one = await request(t.app, owner, { method: "GET", url: `/api/v1/projects/${created!.id}` });
    expect(one.json().name).toBe(INJECTION_NAME);
    // The table is still there, with every row.
    const [row] = await t.database.db.select({ n: count() }).from(projects);
    expect(Number(row!.n)).toBe(names.length);
  });

  it("treats a SQL-injection search string as text", async () => {
    expect(await search("%' OR '1'='1")).toEqual([]);
    expect(await search("' OR 1=1 --")).toEqual([]);
    expect(await search("DROP TABLE")).toEqual([INJECTION_NAME, "Robert'); DROP TABLE users;--"].sort());
    expect(await search("'; drop")).toEqual([INJECTION_NAME]);
  });

  it("matches LIKE wildcards and the escape character literally", async () => {
    expect(await search("%")).toEqual(["100%", "50% off"]);
    expect(await search("0%")).toEqual(["100%", "50% off"]);
    expect(await search("_")).toEqual(["a_b"]);
    expect(await search("a_b")).toEqual(["a_b"]);
    expect(await search("\\")).toEqual(["back\\slash"]);
    expect(await search("A_B")).toEqual(["a_b"]); // still case-insensitive
  });
});
