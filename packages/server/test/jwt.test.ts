import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, count, eq } from "drizzle-orm";
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { memberships, users } from "../src/db/schema.ts";
import { createTestApp, request, signUp, type TestApp, uniqueEmail } from "./harness.ts";

/**
 * External JWTs: Modelworks behind another application's login. Users are provisioned from the
 * token, membership follows its org and role claims, and every kind of bad token is a 401 that
 * writes nothing.
 */

const SECRET = "shared-secret-for-the-jwt-tests-0123456789";
const ISSUER = "https://login.example.com";
const AUDIENCE = "modelworks";
const enc = (s: string) => new TextEncoder().encode(s);

interface SignOptions {
  secret?: string;
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch, or a jose time span such as "5m". */
  exp?: number | string;
}

function hs256(claims: JWTPayload, o: SignOptions = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setIssuer(o.issuer ?? ISSUER)
    .setAudience(o.audience ?? AUDIENCE)
    .setExpirationTime(o.exp ?? "5m")
    .sign(enc(o.secret ?? SECRET));
}

const bearerGet = (t: TestApp, token: string, url = "/api/v1/session") =>
  request(t.app, token, { method: "GET", url });
const createProject = (t: TestApp, token: string, name: string) =>
  request(t.app, token, { method: "POST", url: "/api/v1/projects", payload: { name } });

async function rowCounts(t: TestApp) {
  const { db } = t.database;
  const [u] = await db.select({ n: count() }).from(users);
  const [m] = await db.select({ n: count() }).from(memberships);
  return { users: Number(u!.n), memberships: Number(m!.n) };
}

describe("HS256 bearer JWTs", () => {
  let t: TestApp;
  const slug = "jwt-acme";
  let orgId: string;

  beforeAll(async () => {
    t = await createTestApp({ JWT_HS256_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
    const owner = await signUp(t.app);
    const res = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "JWT Acme", slug },
    });
    expect(res.statusCode).toBe(201);
    orgId = res.json().id;
  });
  afterAll(async () => t?.close());

  const roleOf = async (email: string) => {
    const [row] = await t.database.db
      .select({ role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(users.email, email), eq(memberships.orgId, orgId)));
    return row?.role;
  };

  it("provisions the user and membership on first sight and shows them in the session", async () => {
    const email = uniqueEmail("jwt");
    const before = await rowCounts(t);
    const token = await hs256({ email: email.toUpperCase(), org: slug, role: "analyst", name: "Ann Alyst" });
    const res = await bearerGet(t, token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ email, name: "Ann Alyst" });
    expect(body.organizations).toEqual([{ orgId, name: "JWT Acme", slug, role: "analyst" }]);
    // A bearer caller has no cookie session: no CSRF token, no active org.
    expect(body.csrfToken).toBeNull();
    expect(res.cookies).toEqual([]);
    expect(await rowCounts(t)).toEqual({ users: before.users + 1, memberships: before.memberships + 1 });

    // The second request finds the same user rather than creating another.
    expect((await bearerGet(t, token)).json().user.id).toBe(body.user.id);
    expect((await rowCounts(t)).users).toBe(before.users + 1);
  });

  it("lets an analyst token create a project with no cookie and no CSRF header", async () => {
    const token = await hs256({ email: uniqueEmail("jwt"), org: slug, role: "analyst" });
    const res = await createProject(t, token, "From the portal");
    expect(res.statusCode).toBe(201);
    expect(res.json().name).toBe("From the portal");
    const list = await bearerGet(t, token, "/api/v1/projects?q=portal");
    expect(list.json().items.map((p: { name: string }) => p.name)).toEqual(["From the portal"]);
  });

  it("forbids a viewer token from creating a project", async () => {
    const token = await hs256({ email: uniqueEmail("jwt"), org: slug, role: "viewer" });
    const res = await createProject(t, token, "Not allowed");
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/requires the analyst role.*your role is viewer/);
    expect((await bearerGet(t, token, "/api/v1/projects")).statusCode).toBe(200);
  });

  it("gives a new member JWT_DEFAULT_ROLE (viewer) when the token has no role claim", async () => {
    const email = uniqueEmail("jwt");
    const token = await hs256({ email, org: slug });
    const res = await bearerGet(t, token);
    expect(res.statusCode).toBe(200);
    expect(res.json().organizations).toEqual([expect.objectContaining({ slug, role: "viewer" })]);
    expect((await createProject(t, token, "Default role")).statusCode).toBe(403);
  });

  it("applies a changed role claim on the next request; a token without one keeps the role", async () => {
    const email = uniqueEmail("jwt");
    const asAnalyst = await hs256({ email, org: slug, role: "analyst" });
    expect((await createProject(t, asAnalyst, "Before demotion")).statusCode).toBe(201);
    expect(await roleOf(email)).toBe("analyst");

    const asViewer = await hs256({ email, org: slug, role: "viewer" });
    expect((await createProject(t, asViewer, "After demotion")).statusCode).toBe(403);
    expect(await roleOf(email)).toBe("viewer");

    const asAdmin = await hs256({ email, org: slug, role: "admin" });
    expect((await bearerGet(t, asAdmin)).json().organizations[0].role).toBe("admin");
    // No role claim: the existing membership is left alone (the default is only for new members).
    const noRole = await hs256({ email, org: slug });
    expect((await bearerGet(t, noRole)).json().organizations[0].role).toBe("admin");
    expect(await roleOf(email)).toBe("admin");
  });

  it("accepts a token with no org claim: a user with no organization", async () => {
    const email = uniqueEmail("jwt");
    const token = await hs256({ email });
    const res = await bearerGet(t, token);
    expect(res.statusCode).toBe(200);
    expect(res.json().organizations).toEqual([]);
    const noOrg = await createProject(t, token, "Nowhere");
    expect(noOrg.statusCode).toBe(400);
    expect(noOrg.json().detail).toMatch(/No organization selected/);
  });

  const rsaPrivate = generateKeyPair("RS256").then((k) => k.privateKey);
  const rejections: [string, () => Promise<string>, RegExp][] = [
    [
      "a wrong signature",
      () => hs256({ email: uniqueEmail("bad"), org: slug }, { secret: `${SECRET}-but-not-quite` }),
      /^The JWT was rejected: signature verification failed/,
    ],
    [
      "an expired token",
      () =>
        hs256(
          { email: uniqueEmail("bad"), org: slug, role: "analyst" },
          { exp: Math.floor(Date.now() / 1000) - 60 },
        ),
      /^The JWT was rejected: .*"exp" claim timestamp check failed/,
    ],
    [
      "a token without an expiry",
      () =>
        new SignJWT({ email: uniqueEmail("bad"), org: slug, role: "analyst" })
          .setProtectedHeader({ alg: "HS256", typ: "JWT" })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(enc(SECRET)),
      /^The JWT was rejected: missing required "exp" claim/,
    ],
    [
      "a wrong issuer",
      () => hs256({ email: uniqueEmail("bad"), org: slug }, { issuer: "https://evil.example.com" }),
      /^The JWT was rejected: unexpected "iss" claim value/,
    ],
    [
      "a wrong audience",
      () => hs256({ email: uniqueEmail("bad"), org: slug }, { audience: "someone-else" }),
      /^The JWT was rejected: unexpected "aud" claim value/,
    ],
    ["no email claim", () => hs256({ sub: "user-123", org: slug }), /no valid `email` claim/],
    ["a malformed email claim", () => hs256({ email: "not an email", org: slug }), /no valid `email` claim/],
    [
      "an invalid role claim",
      () => hs256({ email: uniqueEmail("bad"), org: slug, role: "superuser" }),
      /`role` claim must be one of viewer, analyst, admin, owner/,
    ],
    [
      "an organization that does not exist",
      () => hs256({ email: uniqueEmail("bad"), org: "no-such-org", role: "owner" }),
      /names organization `no-such-org`, which does not exist/,
    ],
    [
      "alg none",
      async () =>
        new UnsecuredJWT({ email: uniqueEmail("bad"), org: slug, role: "owner" })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime("5m")
          .encode(),
      /^The JWT was rejected: "alg" \(Algorithm\) Header Parameter value not allowed/,
    ],
    [
      "an RS256 token",
      async () =>
        new SignJWT({ email: uniqueEmail("bad"), org: slug, role: "owner" })
          .setProtectedHeader({ alg: "RS256" })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime("5m")
          .sign(await rsaPrivate),
      /^The JWT was rejected: "alg" \(Algorithm\) Header Parameter value not allowed/,
    ],
  ];

  it.each(rejections)("rejects %s with 401 problem+json and writes nothing", async (_what, make, detail) => {
    const token = await make();
    const before = await rowCounts(t);
    for (const res of [await bearerGet(t, token), await createProject(t, token, "Should not exist")]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(res.json()).toMatchObject({
        title: "Unauthorized",
        status: 401,
        detail: expect.stringMatching(detail),
      });
    }
    expect(await rowCounts(t)).toEqual(before);
  });

  it("rejects a bearer string that is not a JWT or an API key", async () => {
    const res = await bearerGet(t, "definitely-not-a-token");
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toBe("The bearer token is not a Modelworks API key or an accepted JWT.");
  });
});

describe("RS256 bearer JWTs via JWKS", () => {
  let t: TestApp;
  let server: Server;
  let fetches = 0;
  let signingKey: CryptoKey;
  let otherKey: CryptoKey;
  const slug = "jwks-org";

  const rs256 = (claims: JWTPayload, key: CryptoKey, kid = "k1") =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid }).setExpirationTime("5m").sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    server = createServer((req, res) => {
      if (req.url !== "/jwks.json") {
        res.writeHead(404).end();
        return;
      }
      fetches++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    t = await createTestApp({ JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
    const owner = await signUp(t.app);
    const org = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "JWKS Org", slug },
    });
    expect(org.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("accepts tokens signed with the published key, fetching the key set once", async () => {
    expect(fetches).toBe(0); // fetched lazily, on the first token
    const email = uniqueEmail("rs");
    const first = await bearerGet(t, await rs256({ email, org: slug, role: "analyst" }, signingKey));
    expect(first.statusCode).toBe(200);
    expect(first.json().organizations).toEqual([expect.objectContaining({ slug, role: "analyst" })]);
    expect(fetches).toBe(1);

    const second = await createProject(
      t,
      await rs256({ email, org: slug, role: "analyst" }, signingKey),
      "RS",
    );
    expect(second.statusCode).toBe(201);
    expect(fetches).toBe(1);
  });

  it("rejects a token signed with another RS256 key, under a known or an unknown kid", async () => {
    const before = await rowCounts(t);
    const sameKid = await bearerGet(t, await rs256({ email: uniqueEmail("rs"), org: slug }, otherKey));
    expect(sameKid.statusCode).toBe(401);
    expect(sameKid.json().detail).toMatch(/^The JWT was rejected: signature verification failed/);
    const unknownKid = await bearerGet(
      t,
      await rs256({ email: uniqueEmail("rs"), org: slug }, otherKey, "k2"),
    );
    expect(unknownKid.statusCode).toBe(401);
    expect(unknownKid.json().detail).toMatch(/^The JWT was rejected: no applicable key found/);
    expect(await rowCounts(t)).toEqual(before);
    // Within the cooldown an unknown kid does not make every bad token a JWKS fetch.
    expect(fetches).toBe(1);
  });

  it("rejects an HS256 token, even one signed with the public key's bytes", async () => {
    const hs = await new SignJWT({ email: uniqueEmail("rs"), org: slug, role: "owner" })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setExpirationTime("5m")
      .sign(enc(SECRET));
    const res = await bearerGet(t, hs);
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toMatch(/"alg" \(Algorithm\) Header Parameter value not allowed/);
  });
});

describe("loadConfig", () => {
  const SESSION_SECRET = "s".repeat(32);
  const configError = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
  };

  it("refuses both JWT_HS256_SECRET and JWT_JWKS_URL, naming JWT_JWKS_URL", () => {
    const msg = configError({
      SESSION_SECRET,
      JWT_HS256_SECRET: SECRET,
      JWT_JWKS_URL: "https://login.example.com/.well-known/jwks.json",
    });
    expect(msg).toMatch(/^\s*JWT_JWKS_URL: set either JWT_HS256_SECRET or JWT_JWKS_URL, not both$/m);
  });

  it("refuses a JWT_HS256_SECRET shorter than 32 characters, without echoing it", () => {
    const msg = configError({ SESSION_SECRET, JWT_HS256_SECRET: "short-secret-value" });
    expect(msg).toMatch(/JWT_HS256_SECRET: must be at least 32 characters/);
    expect(msg).not.toContain("short-secret-value");
  });

  it.each([
    ["PORT", "abc"],
    ["CORS_ORIGINS", "not a url"],
    ["COOKIE_SECURE", "maybe"],
    ["JWT_DEFAULT_ROLE", "superuser"],
    ["REDIS_KEY_PREFIX", "has spaces"],
    ["JWT_JWKS_URL", "not a url"],
  ])("names %s=%j", (name, value) => {
    const msg = configError({ SESSION_SECRET, [name]: value });
    expect(msg).toMatch(new RegExp(`^  ${name}: `, "m"));
  });

  it("names every bad variable in one message", () => {
    const msg = configError({
      PORT: "abc",
      COOKIE_SECURE: "maybe",
      CORS_ORIGINS: "https://ok.example.com,nope",
    });
    expect(msg).toMatch(/^ {2}PORT: /m);
    expect(msg).toMatch(/^ {2}COOKIE_SECURE: expected true or false \(got "maybe"\)$/m);
    expect(msg).toMatch(/^ {2}CORS_ORIGINS: each origin must be an absolute URL/m);
  });

  it("names a non-PostgreSQL DATABASE_URL without revealing it", () => {
    const url = "mysql://root:hunter2@db.internal:3306/app";
    const msg = configError({ SESSION_SECRET, DATABASE_URL: url });
    expect(msg).toMatch(/^ {2}DATABASE_URL: expected postgres:\/\/.* \(got "<redacted>"\)$/m);
    expect(msg).not.toContain("mysql");
    expect(msg).not.toContain("hunter2");
  });

  it("requires SESSION_SECRET with a PostgreSQL server", () => {
    const msg = configError({ DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres" });
    expect(msg).toMatch(/^ {2}SESSION_SECRET: required/m);
    expect(msg).not.toContain("127.0.0.1");
  });

  it("has the documented defaults", () => {
    const embedded = loadConfig({ SESSION_SECRET });
    expect(embedded).toMatchObject({
      PORT: 3000,
      HOST: "127.0.0.1",
      embedded: true,
      SEED_DEMO: true,
      COOKIE_SECURE: true,
      CORS_ORIGINS: [],
      RATE_LIMIT_MAX: 300,
      AUTH_RATE_LIMIT_MAX: 20,
      JWT_DEFAULT_ROLE: "viewer",
      JWT_EMAIL_CLAIM: "email",
      JWT_ORG_CLAIM: "org",
      JWT_ROLE_CLAIM: "role",
      PUBLIC_URL: "http://localhost:3000",
    });
    expect(embedded.JWT_HS256_SECRET).toBeUndefined();
    expect(embedded.JWT_JWKS_URL).toBeUndefined();
    expect(loadConfig({ SESSION_SECRET, DATABASE_URL: "memory://" }).embedded).toBe(true);

    const server = loadConfig({
      SESSION_SECRET,
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres",
    });
    expect(server).toMatchObject({ embedded: false, SEED_DEMO: false });
    // Empty strings mean unset.
    expect(loadConfig({ SESSION_SECRET, PORT: "", REDIS_URL: "" })).toMatchObject({ PORT: 3000 });
    expect(loadConfig({ SESSION_SECRET, PORT: "", REDIS_URL: "" }).REDIS_URL).toBeUndefined();
  });
});
