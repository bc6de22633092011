import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, count, eq } from "drizzle-orm";
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HS256_ISSUER } from "../src/auth/jwt.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { auditEvents, memberships, users } from "../src/db/schema.ts";
import {
  createTestApp,
  mailOf,
  PASSWORD,
  request,
  signIn,
  signUp,
  type TestApp,
  uniqueEmail,
} from "./harness.ts";

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

/** A subject per email unless the claims name one (or `sub: undefined` leaves it out). */
const withSub = (claims: JWTPayload): JWTPayload =>
  "sub" in claims ? claims : { ...claims, sub: `sub-${String(claims.email)}` };

function hs256(claims: JWTPayload, o: SignOptions = {}) {
  return new SignJWT(withSub(claims))
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

  it("a token with no org claim acts in no organization (403), even one its person belongs to", async () => {
    const email = uniqueEmail("jwt");
    const member = await hs256({ email, org: slug, role: "admin" });
    expect((await bearerGet(t, member)).json().organizations).toHaveLength(1);

    const token = await hs256({ email });
    const res = await bearerGet(t, token);
    expect(res.statusCode).toBe(200);
    expect(res.json().organizations).toEqual([]);
    expect((await bearerGet(t, token, "/api/v1/orgs")).json().items).toEqual([]);
    const noOrg = await createProject(t, token, "Nowhere");
    expect(noOrg.statusCode).toBe(403);
    expect(noOrg.json().detail).toMatch(/^This token names no organization \(claim `org`\)/);
    const named = await request(t.app, token, {
      method: "GET",
      url: "/api/v1/projects",
      headers: { "x-organization-id": orgId },
    });
    expect(named.statusCode).toBe(403);
  });

  it("a token acts only in the organization it names: another one by header is 403, and nothing changes", async () => {
    const other = await signUp(t.app);
    const created = await request(t.app, other, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "JWT Other", slug: "jwt-other" },
    });
    const otherId = created.json().id as string;
    // One person (one subject) who is owner of the first organization and viewer of the second.
    const email = uniqueEmail("jwt");
    const asOwnerHere = await hs256({ email, org: slug, role: "owner" });
    const asViewerThere = await hs256({ email, org: "jwt-other", role: "viewer" });
    expect((await bearerGet(t, asOwnerHere)).statusCode).toBe(200);
    expect((await bearerGet(t, asViewerThere)).json().organizations).toEqual([
      { orgId: otherId, name: "JWT Other", slug: "jwt-other", role: "viewer" },
    ]);

    const here = { "x-organization-id": orgId };
    const bound =
      "This token acts only in the organization it names; it cannot act in another with the x-organization-id header.";
    for (const [method, url, payload] of [
      ["GET", "/api/v1/org", undefined],
      ["GET", "/api/v1/org/members", undefined],
      ["POST", "/api/v1/projects", { name: "Smuggled" }],
      ["PATCH", "/api/v1/org", { name: "Renamed by a foreign token" }],
      ["DELETE", "/api/v1/org", undefined],
    ] as const) {
      const res = await request(t.app, asViewerThere, { method, url, payload, headers: here });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().detail).toBe(bound);
    }
    const org = await request(t.app, asOwnerHere, { method: "GET", url: "/api/v1/org" });
    expect(org.json()).toMatchObject({ id: orgId, name: "JWT Acme" });
    // The token's own organization by header is fine; its list and session show only that one.
    const own = await request(t.app, asViewerThere, {
      method: "GET",
      url: "/api/v1/org",
      headers: { "x-organization-id": otherId },
    });
    expect(own.statusCode).toBe(200);
    const orgs = (await bearerGet(t, asViewerThere, "/api/v1/orgs")).json().items;
    expect(orgs.map((o: { id: string }) => o.id)).toEqual([otherId]);

    // Nor does it make organizations or join them elsewhere.
    const make = await request(t.app, asViewerThere, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "Mine" },
    });
    expect(make.statusCode).toBe(403);
    const accept = await request(t.app, asViewerThere, {
      method: "POST",
      url: "/api/v1/invitations/accept",
      payload: { token: "mwi_whatever" },
    });
    expect(accept.statusCode).toBe(403);
    expect(accept.json().detail).toMatch(/^An external token acts only in the organization it names/);
  });

  it("a token carrying a password account's email is a separate person, never that account", async () => {
    // The owner of the organization signs in with a password; a token claims their email.
    const owner = await signUp(t.app);
    const made = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "Victim Org", slug: "jwt-victim" },
    });
    const victimOrg = made.json().id as string;
    const before = await rowCounts(t);
    const token = await hs256({ email: owner.email, org: slug, role: "viewer", sub: "impostor-1" });
    const session = await bearerGet(t, token);
    expect(session.statusCode).toBe(200);
    expect(session.json().user.id).not.toBe(owner.userId);
    expect(session.json().user.email).toBe(owner.email);
    expect(await rowCounts(t)).toEqual({ users: before.users + 1, memberships: before.memberships + 1 });

    const res = await request(t.app, token, {
      method: "DELETE",
      url: "/api/v1/org",
      headers: { "x-organization-id": victimOrg },
    });
    expect(res.statusCode).toBe(403);
    const still = await request(t.app, owner, { method: "GET", url: "/api/v1/orgs" });
    expect(still.json().items).toEqual([expect.objectContaining({ id: victimOrg, role: "owner" })]);
    // A token naming the victim's organization makes the separate person a member there; the
    // owner's own membership is untouched.
    const there = await hs256({ email: owner.email, org: "jwt-victim", role: "viewer", sub: "impostor-1" });
    expect((await bearerGet(t, there)).json().organizations).toEqual([
      expect.objectContaining({ orgId: victimOrg, role: "viewer" }),
    ]);
    const owners = await t.database.db
      .select({ userId: memberships.userId, role: memberships.role })
      .from(memberships)
      .where(eq(memberships.orgId, victimOrg));
    expect(owners).toContainEqual({ userId: owner.userId, role: "owner" });
    expect(owners).toHaveLength(2);
  });

  it("keys a person by (issuer, subject): a changed email keeps them, a new subject is someone else", async () => {
    const email = uniqueEmail("jwt");
    const first = (await bearerGet(t, await hs256({ email, sub: "stable-1" }))).json().user.id;
    const renamed = (await bearerGet(t, await hs256({ email: uniqueEmail("jwt"), sub: "stable-1" }))).json()
      .user.id;
    const other = (await bearerGet(t, await hs256({ email, sub: "stable-2" }))).json().user.id;
    expect(renamed).toBe(first);
    expect(other).not.toBe(first);
    const [row] = await t.database.db.select().from(users).where(eq(users.id, first));
    expect(row).toMatchObject({ externalIssuer: ISSUER, externalSubject: "stable-1", passwordHash: null });
  });

  it("sign-up, sign-in and invitations find the password account, not an external one with the same email", async () => {
    const email = uniqueEmail("shared");
    const external = (await bearerGet(t, await hs256({ email, org: slug, role: "analyst" }))).json().user.id;
    const person = await signUp(t.app, email);
    expect(person.userId).not.toBe(external);
    expect((await signIn(t.app, email)).userId).toBe(person.userId);
    // Signing up again answers as for a new address; the password account's owner is told by mail.
    const since = mailOf(t.app).messages.length;
    const again = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/sign-up",
      payload: { email, password: PASSWORD, name: "Twice" },
    });
    expect(again.statusCode).toBe(202);
    const notice = await mailOf(t.app).waitFor(email, { since });
    expect(notice.subject).toBe("Someone tried to sign up to Modelworks with your address");
    expect((await signIn(t.app, email)).userId).toBe(person.userId);
    // The external identity is a member of the organization; the password account is not yet.
    const owner = await signUp(t.app);
    const org = (
      await request(t.app, owner, { method: "POST", url: "/api/v1/orgs", payload: { name: "Shared Mail" } })
    ).json();
    await bearerGet(t, await hs256({ email, org: org.slug, role: "viewer" }));
    const inv = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/org/invitations",
      payload: { email, role: "analyst" },
      headers: { "x-organization-id": org.id },
    });
    expect(inv.statusCode).toBe(201);
    const accepted = await request(t.app, person, {
      method: "POST",
      url: "/api/v1/invitations/accept",
      payload: { token: inv.json().token },
    });
    expect(accepted.statusCode).toBe(200);
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
    [
      "no subject claim",
      () => hs256({ email: uniqueEmail("bad"), org: slug, role: "owner", sub: undefined }),
      /^The JWT has no valid `sub` claim/,
    ],
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
    new SignJWT(withSub(claims)).setProtectedHeader({ alg: "RS256", kid }).setExpirationTime("5m").sign(key);

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

describe("external identities: issuers and linking to a password account", () => {
  let t: TestApp;
  const slug = "link-org";
  // No JWT_ISSUER: any issuer's token signed with the secret is accepted, each its own namespace.
  beforeAll(async () => {
    t = await createTestApp({ JWT_HS256_SECRET: SECRET });
    const owner = await signUp(t.app);
    await request(t.app, owner, { method: "POST", url: "/api/v1/orgs", payload: { name: "Link Org", slug } });
  });
  afterAll(async () => t?.close());

  const sign = (claims: JWTPayload) =>
    new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(enc(SECRET));
  const userOf = async (token: string) => (await bearerGet(t, token)).json().user.id as string;
  const link = (as: Parameters<typeof request>[1], token: string) =>
    request(t.app, as, { method: "POST", url: "/api/v1/session/external-identity", payload: { token } });
  const verified = (userId: string, at: Date | null = new Date()) =>
    t.database.db.update(users).set({ emailVerifiedAt: at }).where(eq(users.id, userId));
  const userRow = async (id: string) => (await t.database.db.select().from(users).where(eq(users.id, id)))[0];

  it("the same subject under two issuers is two people; no iss falls back to the verifier's identity", async () => {
    const email = uniqueEmail("iss");
    const a = await userOf(await sign({ email, sub: "same", iss: "https://a.example.com" }));
    const b = await userOf(await sign({ email, sub: "same", iss: "https://b.example.com" }));
    const none = await userOf(await sign({ email, sub: "same" }));
    expect(new Set([a, b, none]).size).toBe(3);
    expect((await userRow(none))!.externalIssuer).toBe(HS256_ISSUER);
    expect((await userRow(b))!.externalIssuer).toBe("https://b.example.com");
  });

  it("links an identity only from a verified password session, with a token of the account's email", async () => {
    const person = await signUp(t.app);
    const iss = "https://idp.example.com";
    const token = await sign({ email: person.email, sub: "person-1", iss, org: slug, role: "analyst" });
    // Before linking the identity is provisioned on its own, a member of the token's org — and
    // owner of a second organization where the password account is a mere viewer.
    const shadow = await userOf(token);
    expect(shadow).not.toBe(person.userId);
    const owned = await signUp(t.app);
    const ownedOrg = (
      await request(t.app, owned, {
        method: "POST",
        url: "/api/v1/orgs",
        payload: { name: "Owned", slug: "link-owned" },
      })
    ).json();
    const invite = await request(t.app, owned, {
      method: "POST",
      url: "/api/v1/org/invitations",
      payload: { email: person.email, role: "viewer" },
      headers: { "x-organization-id": ownedOrg.id },
    });
    const joined = await request(t.app, person, {
      method: "POST",
      url: "/api/v1/invitations/accept",
      payload: { token: invite.json().token },
    });
    expect(joined.statusCode).toBe(200);
    await bearerGet(
      t,
      await sign({ email: person.email, sub: "person-1", iss, org: "link-owned", role: "owner" }),
    );

    // An unverified account cannot sign in, so it has no session to link from; the route checks
    // anyway (defence in depth), shown here on a session whose address is made unverified again.
    await verified(person.userId, null);
    const unverified = await link(person, token);
    expect(unverified.statusCode).toBe(403);
    expect(unverified.json().detail).toMatch(/^Verify your account's email address/);
    await verified(person.userId);

    const foreign = await link(person, await sign({ email: uniqueEmail("x"), sub: "person-1", iss }));
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().errors).toEqual([
      { path: "body.token", message: "its `email` claim must be your account's email address" },
    ]);
    const forged = await link(
      person,
      await new SignJWT({ email: person.email, sub: "person-1", iss })
        .setProtectedHeader({ alg: "HS256" })
        .setExpirationTime("5m")
        .sign(enc(`${SECRET}-forged`)),
    );
    expect(forged.statusCode).toBe(422);
    expect(forged.json().errors[0]).toMatchObject({ path: "body.token" });
    // A token cannot link itself: it takes the password session.
    const byToken = await link(token, token);
    expect(byToken.statusCode).toBe(403);
    expect(await userRow(person.userId)).toMatchObject({ externalIssuer: null, externalSubject: null });

    const linked = await link(person, token);
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json()).toEqual({ issuer: iss, subject: "person-1", userId: person.userId });
    // From now on the identity acts as the account, with the separate person's membership folded in.
    const session = (await bearerGet(t, token)).json();
    expect(session.user.id).toBe(person.userId);
    expect(session.organizations).toEqual([expect.objectContaining({ slug, role: "analyst" })]);
    const everywhere = (await request(t.app, person, { method: "GET", url: "/api/v1/orgs" })).json().items;
    expect(everywhere.map((o: { slug: string; role: string }) => [o.slug, o.role]).sort()).toEqual([
      [slug, "analyst"],
      ["link-owned", "owner"],
    ]);
    expect(await userRow(shadow)).toBeUndefined();
    expect((await signIn(t.app, person.email)).userId).toBe(person.userId);
    // The email stays taken by the (linked) password account: signing up again makes no account,
    // the owner is told by mail, and their password still signs them in.
    const before = (await t.database.db.select({ n: count() }).from(users))[0]!.n;
    const since = mailOf(t.app).messages.length;
    const again = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/sign-up",
      payload: { email: person.email, password: `${PASSWORD} twin`, name: "Twin" },
    });
    expect(again.statusCode).toBe(202);
    expect((await mailOf(t.app).waitFor(person.email, { since })).subject).toBe(
      "Someone tried to sign up to Modelworks with your address",
    );
    expect((await t.database.db.select({ n: count() }).from(users))[0]!.n).toBe(before);
    expect((await signIn(t.app, person.email)).userId).toBe(person.userId);

    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.action, "user.external_identity_linked"), eq(auditEvents.targetId, person.userId)),
      );
    expect(event).toMatchObject({
      actorUserId: person.userId,
      metadata: { issuer: iss, subject: "person-1", replacedUserId: shadow, movedApiKeys: 0 },
    });
    expect((event!.metadata as { movedMemberships: string[] }).movedMemberships).toHaveLength(2);

    // Linking again is a no-op; another identity, or this identity to another account, is a 409.
    expect((await link(person, token)).statusCode).toBe(200);
    const second = await link(person, await sign({ email: person.email, sub: "person-2", iss }));
    expect(second.statusCode).toBe(409);
    const other = await signUp(t.app);
    await verified(other.userId);
    const stolen = await link(other, await sign({ email: other.email, sub: "person-1", iss }));
    expect(stolen.statusCode).toBe(409);
    expect(stolen.json().detail).toBe("This identity is linked to another account.");
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
