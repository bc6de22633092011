import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, sessions, users } from "../src/db/schema.ts";
import { createTestApp, PASSWORD, request, signIn, signUp, type TestApp, uniqueEmail } from "./harness.ts";
import { verifyTokenIn } from "./mail-server.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: "POST", url, payload: payload as object, headers });

describe("sign-up", () => {
  it("creates an unverified user with an argon2id hash, mails the link, and signs in only through it", async () => {
    const email = uniqueEmail();
    const res = await post("/api/v1/auth/sign-up", {
      email: email.toUpperCase(),
      password: PASSWORD,
      name: "Ada",
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: "verification_sent", email });
    expect(res.cookies).toEqual([]);
    const [row] = await t.database.db.select().from(users).where(eq(users.email, email));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row!.emailVerifiedAt).toBeNull();

    const mail = await t.mail!.waitFor(email);
    expect(mail.subject).toBe("Confirm your Modelworks email address");
    expect(mail.from).toBe("no-reply@modelworks.local");
    const verified = await post("/api/v1/auth/verify-email", {
      token: verifyTokenIn(mail),
      password: PASSWORD,
    });
    expect(verified.statusCode).toBe(200);
    const body = verified.json();
    expect(body.user.email).toBe(email);
    expect(body.organizations).toEqual([]);
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = verified.cookies.find((c) => c.name === "mw_session")!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.secure).toBe(true);
    expect(cookie.sameSite).toBe("Lax");
    const [after] = await t.database.db.select().from(users).where(eq(users.email, email));
    expect(after!.emailVerifiedAt).toBeInstanceOf(Date);
    const events = await t.database.db.select().from(auditEvents).where(eq(auditEvents.actorUserId, row!.id));
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(["user.signed_up", "user.email_verified", "auth.signed_in"]),
    );
  });

  it.each([
    [{ email: "not-an-email", password: PASSWORD, name: "A" }, "body.email", "must be a valid email address"],
    [
      { email: uniqueEmail(), password: "short", name: "A" },
      "body.password",
      "must be at least 10 characters",
    ],
    [
      { email: uniqueEmail(), password: "password123", name: "A" },
      "body.password",
      "is too common; choose a less guessable password",
    ],
    [
      { email: uniqueEmail(), password: "aaaaaaaaaaaaaa", name: "A" },
      "body.password",
      "must contain at least 4 different characters",
    ],
    [{ email: uniqueEmail(), password: PASSWORD, name: "   " }, "body.name", "must not be blank"],
    [
      { email: uniqueEmail(), password: PASSWORD, name: "A", admin: true },
      "body",
      'Unrecognized key: "admin"',
    ],
    [
      { email: uniqueEmail(), password: 12345678901, name: "A" },
      "body.password",
      "Invalid input: expected string, received number",
    ],
  ])("rejects %j with a field-level 422 and writes nothing", async (payload, path, message) => {
    const before = await t.database.db.select().from(users);
    const res = await post("/api/v1/auth/sign-up", payload);
    expect(res.statusCode).toBe(422);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem.errors).toContainEqual({ path, message });
    expect(problem.requestId).toBe(res.headers["x-request-id"]);
    expect(problem).not.toHaveProperty("stack");
    expect(await t.database.db.select().from(users)).toHaveLength(before.length);
  });

  it("rejects a password containing the email's local part", async () => {
    const res = await post("/api/v1/auth/sign-up", {
      email: "margaret@example.com",
      password: "margaret-rocks-2026",
      name: "M",
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toContainEqual({
      path: "body.password",
      message: "must not contain your email address",
    });
  });

  it("answers a second sign-up for the same email as it answers a new one, and mails the owner instead", async () => {
    const email = uniqueEmail();
    const owner = await signUp(t.app, email);
    const since = t.mail!.messages.length;
    const res = await post("/api/v1/auth/sign-up", { email, password: "another passphrase!", name: "Again" });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: "verification_sent", email });
    expect(res.cookies).toEqual([]);
    const notice = await t.mail!.waitFor(email, { since });
    expect(notice.subject).toBe("Someone tried to sign up to Modelworks with your address");
    expect(notice.text).not.toMatch(/token=/);
    // Nothing about the account changed: the owner's password still works, the new one does not.
    await signIn(t.app, email);
    expect((await post("/api/v1/auth/sign-in", { email, password: "another passphrase!" })).statusCode).toBe(
      401,
    );
    expect((await request(t.app, owner, { method: "GET", url: "/api/v1/session" })).statusCode).toBe(200);
  });

  it("answers malformed JSON with 400 and an oversized body with 413", async () => {
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/sign-up",
      headers: { "content-type": "application/json" },
      payload: '{"email": "a@b.c",',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ title: "Bad Request", detail: "The body is not valid JSON." });
    const huge = await post("/api/v1/auth/sign-up", {
      email: uniqueEmail(),
      password: PASSWORD,
      name: "x".repeat(1_100_000),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().title).toBe("Content Too Large");
  });
});

describe("sign-in and sessions", () => {
  it("signs in, reads the session, and records a failed attempt without revealing which part was wrong", async () => {
    const u = await signUp(t.app);
    const ok = await signIn(t.app, u.email);
    const session = await request(t.app, ok, { method: "GET", url: "/api/v1/session" });
    expect(session.statusCode).toBe(200);
    expect(session.json().user.email).toBe(u.email);

    const wrongPassword = await post("/api/v1/auth/sign-in", { email: u.email, password: "wrong password!" });
    const noSuchUser = await post("/api/v1/auth/sign-in", {
      email: uniqueEmail(),
      password: "wrong password!",
    });
    expect(wrongPassword.statusCode).toBe(401);
    expect(noSuchUser.statusCode).toBe(401);
    expect(wrongPassword.json().detail).toBe(noSuchUser.json().detail);
    const failed = await t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "auth.sign_in_failed"));
    expect(failed.find((e) => e.targetId === u.userId)).toMatchObject({
      actorEmail: u.email,
      actorType: "anonymous",
    });
  });

  it("rejects an unsafe request without the CSRF token, and accepts it with the token", async () => {
    const u = await signUp(t.app);
    const noToken = await t.app.inject({
      method: "POST",
      url: "/api/v1/orgs",
      headers: { cookie: u.cookie },
      payload: { name: "No CSRF" },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().detail).toMatch(/CSRF/);
    const other = await signUp(t.app);
    const wrongToken = await request(
      t.app,
      { ...u, csrf: other.csrf },
      { method: "POST", url: "/api/v1/orgs", payload: { name: "X" } },
    );
    expect(wrongToken.statusCode).toBe(403);
    const ok = await request(t.app, u, {
      method: "POST",
      url: "/api/v1/orgs",
      payload: { name: "With CSRF" },
    });
    expect(ok.statusCode).toBe(201);
  });

  it("signs out: the cookie stops working", async () => {
    const u = await signUp(t.app);
    const out = await request(t.app, u, { method: "POST", url: "/api/v1/auth/sign-out" });
    expect(out.statusCode).toBe(204);
    const after = await request(t.app, u, { method: "GET", url: "/api/v1/session" });
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toMatch(/no longer valid/);
  });

  it("rejects an expired session with 401 and removes it", async () => {
    const u = await signUp(t.app);
    await t.database.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.userId, u.userId));
    t.app.deps.authCache.flush(); // written behind the app's back (src/auth/cache.ts)
    const res = await request(t.app, u, { method: "GET", url: "/api/v1/session" });
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toBe("Your session has expired; sign in again.");
    expect(await t.database.db.select().from(sessions).where(eq(sessions.userId, u.userId))).toHaveLength(0);
  });

  it("changes the password: old password fails, other sessions end, this one stays", async () => {
    const u = await signUp(t.app);
    const second = await signIn(t.app, u.email);
    const wrong = await request(t.app, u, {
      method: "POST",
      url: "/api/v1/auth/password",
      payload: { currentPassword: "not it at all", newPassword: "a brand new passphrase" },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors).toEqual([{ path: "body.currentPassword", message: "is incorrect" }]);
    const ok = await request(t.app, u, {
      method: "POST",
      url: "/api/v1/auth/password",
      payload: { currentPassword: PASSWORD, newPassword: "a brand new passphrase" },
    });
    expect(ok.statusCode).toBe(204);
    expect((await request(t.app, u, { method: "GET", url: "/api/v1/session" })).statusCode).toBe(200);
    expect((await request(t.app, second, { method: "GET", url: "/api/v1/session" })).statusCode).toBe(401);
    expect((await post("/api/v1/auth/sign-in", { email: u.email, password: PASSWORD })).statusCode).toBe(401);
    await signIn(t.app, u.email, "a brand new passphrase");
  });

  it("rejects a malformed Authorization header and an unknown bearer token with 401", async () => {
    const a = await t.app.inject({
      method: "GET",
      url: "/api/v1/session",
      headers: { authorization: "Basic Zm9vOmJhcg==" },
    });
    expect(a.statusCode).toBe(401);
    expect(a.headers["www-authenticate"]).toMatch(/Bearer/);
    const b = await t.app.inject({
      method: "GET",
      url: "/api/v1/projects",
      headers: { authorization: "Bearer mwk_nope" },
    });
    expect(b.statusCode).toBe(401);
    expect(b.json().detail).toBe("This API key is not valid.");
  });
});
