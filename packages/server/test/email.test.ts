import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { auditEvents, emailTokens, memberships, users } from "../src/db/schema.ts";
import { createMailer } from "../src/mail/mailer.ts";
import {
  createOwner,
  createTestApp,
  PASSWORD,
  request,
  requestSignUp,
  signIn,
  signUp,
  type TestApp,
  uniqueEmail,
  verifyEmail,
} from "./harness.ts";
import { verifyTokenIn } from "./mail-server.ts";

/**
 * Issue 19 items 3, 8, 10e: sign-up proves the address by a mailed link before the account can
 * be used (or accept an invitation), answers alike whether or not the address is known, and
 * sign-in is throttled per account as well as per IP. Mail goes over real SMTP to a local server.
 */

type Res = Awaited<ReturnType<TestApp["app"]["inject"]>>;
const REDIS_URL = process.env.REDIS_URL ?? "";

function post(t: TestApp, url: string, payload: unknown, opts: { ip?: string; cookie?: string } = {}) {
  return t.app.inject({
    method: "POST",
    url: `/api/v1${url}`,
    payload: payload as object,
    remoteAddress: opts.ip ?? "127.0.0.1",
    ...(opts.cookie ? { headers: { cookie: opts.cookie } } : {}),
  });
}

function expectProblem(res: Res, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  return res.json() as { detail: string; errors?: { path: string; message: string }[] };
}

/** Mails to `to` received after `since` messages, once everything in flight has been sent. */
async function mailsTo(t: TestApp, to: string, since = 0) {
  await t.app.outbox.drain();
  return t.mail!.messages.slice(since).filter((m) => m.to.includes(to));
}

/** A free loopback port with nothing listening on it (a mail server that is down). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("sign-up and verification", () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    // Logs at info level, kept: no token may ever appear in them.
    t = await createTestApp({ LOG_LEVEL: "info" }, { logStream: { write: (l) => void lines.push(l) } });
  });
  afterAll(async () => t?.close());

  it("answers new, verified and unverified addresses alike; each address's mail says the rest", async () => {
    const verified = await signUp(t.app);
    const unverified = uniqueEmail("pending");
    await requestSignUp(t.app, unverified, "squatters passphrase");
    const firstLink = verifyTokenIn(await t.mail!.waitFor(unverified));
    const fresh = uniqueEmail("fresh");
    const since = t.mail!.messages.length;
    const usersBefore = (await t.database.db.select().from(users)).length;

    const answers: Res[] = [];
    for (const email of [fresh, verified.email, unverified]) {
      answers.push(await post(t, "/auth/sign-up", { email, password: PASSWORD, name: "Someone" }));
    }
    for (const [i, res] of answers.entries()) {
      expect(res.statusCode).toBe(202);
      expect(res.cookies).toEqual([]);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(res.json()).toEqual({
        status: "verification_sent",
        email: [fresh, verified.email, unverified][i],
      });
    }
    // The same bytes but for the address itself.
    const shapes = answers.map((r) => r.body.replace(/"email":"[^"]+"/, '"email":"…"'));
    expect(new Set(shapes).size).toBe(1);
    expect((await t.database.db.select().from(users)).length).toBe(usersBefore + 1);

    const [toFresh] = await mailsTo(t, fresh, since);
    expect(toFresh!.subject).toBe("Confirm your Modelworks email address");
    const [toVerified, ...more] = await mailsTo(t, verified.email, since);
    expect(more).toEqual([]);
    expect(toVerified!.subject).toBe("Someone tried to sign up to Modelworks with your address");
    expect(toVerified!.text).toContain("http://localhost:3000/sign-in");
    expect(toVerified!.text).not.toContain("token");
    const [toUnverified] = await mailsTo(t, unverified, since);
    expect(toUnverified!.subject).toBe("Confirm your Modelworks email address");

    // The unverified address: the squatter's link is dead, and the latest sign-up's password stands.
    expect(
      expectProblem(
        await post(t, "/auth/verify-email", { token: firstLink, password: "squatters passphrase" }),
        410,
      ).detail,
    ).toMatch(/already been used or replaced/);
    await verifyEmail(t.app, verifyTokenIn(toUnverified!), unverified);
    expect(
      (await post(t, "/auth/sign-in", { email: unverified, password: "squatters passphrase" })).statusCode,
    ).toBe(401);
    await signIn(t.app, unverified, PASSWORD);

    const repeated = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "user.sign_up_repeated"), eq(auditEvents.targetId, verified.userId)));
    expect(repeated).toHaveLength(1);
    expect(repeated[0]).toMatchObject({ actorType: "anonymous", metadata: { verified: true } });
  });

  it("closes the sign-up race: a link confirms the address only with the password the account has now", async () => {
    const email = uniqueEmail("raced");
    const victims = "the victims passphrase";
    const attackers = "the attackers passphrase";
    const before = t.mail!.messages.length;
    await requestSignUp(t.app, email, victims);
    const victimsLink = verifyTokenIn((await mailsTo(t, email, before))[0]!);
    // The attacker signs up again with the same address before the victim clicks: their password
    // replaces the victim's, and the mailbox (the victim's) gets the only live link.
    await requestSignUp(t.app, email, attackers);
    const [, newest] = await mailsTo(t, email, before);
    const attackersLink = verifyTokenIn(newest!);
    const [account] = await t.database.db.select().from(users).where(eq(users.email, email));

    expect((await post(t, "/auth/verify-email", { token: victimsLink, password: victims })).statusCode).toBe(
      410,
    );
    // The victim opens the newest link and types their own password: refused, nothing changes.
    const refused = await post(t, "/auth/verify-email", { token: attackersLink, password: victims });
    expect(expectProblem(refused, 422).errors).toEqual([
      { path: "body.password", message: "does not match the sign-up that sent this link" },
    ]);
    expect(refused.cookies).toEqual([]);
    // The attacker knows the password but has no link; signing in only mails the mailbox again.
    const attackerSignIn = await post(t, "/auth/sign-in", { email, password: attackers });
    expect(attackerSignIn.statusCode).toBe(403);
    expect(attackerSignIn.cookies).toEqual([]);
    const [stillPending] = await t.database.db.select().from(users).where(eq(users.id, account!.id));
    expect(stillPending!.emailVerifiedAt).toBeNull();

    // The victim signs up again: their password stands, a new link is mailed, and it confirms
    // the address only with their password.
    await t.app.outbox.drain(); // the link the attacker's sign-in mailed is out of the way
    const again = t.mail!.messages.length;
    await requestSignUp(t.app, email, victims);
    const [fresh, ...others] = await mailsTo(t, email, again);
    expect(others).toEqual([]);
    const freshLink = verifyTokenIn(fresh!);
    expect(
      expectProblem(await post(t, "/auth/verify-email", { token: freshLink, password: attackers }), 422)
        .errors,
    ).toEqual([{ path: "body.password", message: "does not match the sign-up that sent this link" }]);
    const owner = await verifyEmail(t.app, freshLink, email, victims);
    expect(owner.userId).toBe(account!.id);
    expect((await post(t, "/auth/sign-in", { email, password: attackers })).statusCode).toBe(401);
    await signIn(t.app, email, victims);
  });

  it("a wrong password does not spend the link, verify the address or start a session", async () => {
    const email = uniqueEmail("typo");
    await requestSignUp(t.app, email);
    const token = verifyTokenIn(await t.mail!.waitFor(email));
    const [user] = await t.database.db.select().from(users).where(eq(users.email, email));
    const wrong = await post(t, "/auth/verify-email", { token, password: "not my passphrase" });
    expect(expectProblem(wrong, 422).detail).toBe(
      "This link belongs to a sign-up of this address with a different password. Enter the password " +
        "you signed up with; if you signed up more than once, use the newest link, or sign up again.",
    );
    expect(wrong.cookies).toEqual([]);
    const [row] = await t.database.db.select().from(emailTokens).where(eq(emailTokens.userId, user!.id));
    expect(row!.usedAt).toBeNull();
    const [unchanged] = await t.database.db.select().from(users).where(eq(users.id, user!.id));
    expect(unchanged).toEqual(user);
    const failures = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.verify_email_failed"), eq(auditEvents.targetId, user!.id)));
    expect(failures).toHaveLength(1);
    // The same link, with the right password, still works.
    await verifyEmail(t.app, token, email);
  });

  it("a link works once, expires, and unknown or malformed tokens are refused", async () => {
    const email = uniqueEmail("once");
    await requestSignUp(t.app, email);
    const token = verifyTokenIn(await t.mail!.waitFor(email));
    const first = await post(t, "/auth/verify-email", { token, password: PASSWORD });
    expect(first.statusCode).toBe(200);
    expect(first.json().user.email).toBe(email);
    expect(
      expectProblem(await post(t, "/auth/verify-email", { token, password: PASSWORD }), 410).detail,
    ).toBe(
      "This verification link has already been used or replaced by a newer one; sign in, or ask for a new link.",
    );
    expect(
      expectProblem(await post(t, "/auth/verify-email", { token: "mwv_nope", password: PASSWORD }), 404)
        .detail,
    ).toBe("Verification link not found.");
    expect(
      expectProblem(await post(t, "/auth/verify-email", { token: "", password: "" }), 422).errors,
    ).toEqual([
      { path: "body.token", message: "is required" },
      { path: "body.password", message: "is required" },
    ]);

    const late = uniqueEmail("late");
    await requestSignUp(t.app, late);
    const lateToken = verifyTokenIn(await t.mail!.waitFor(late));
    const [lateUser] = await t.database.db.select().from(users).where(eq(users.email, late));
    await t.database.db
      .update(emailTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(emailTokens.userId, lateUser!.id));
    const expired = await post(t, "/auth/verify-email", { token: lateToken, password: PASSWORD });
    expect(expectProblem(expired, 410).detail).toBe("This verification link has expired; ask for a new one.");
    expect(expired.cookies).toEqual([]);
    const [still] = await t.database.db.select().from(users).where(eq(users.id, lateUser!.id));
    expect(still!.emailVerifiedAt).toBeNull();
    // Only the SHA-256 is stored.
    const rows = await t.database.db.select().from(emailTokens).where(eq(emailTokens.userId, lateUser!.id));
    expect(rows.map((r) => r.tokenHash)).not.toContain(lateToken);
  });

  it("refuses an unverified account's sign-in with 403 only after the right password, and mails a new link", async () => {
    const email = uniqueEmail("unverified");
    await requestSignUp(t.app, email);
    const oldToken = verifyTokenIn(await t.mail!.waitFor(email));
    const since = t.mail!.messages.length;

    const wrong = await post(t, "/auth/sign-in", { email, password: "not the password" });
    const unknown = await post(t, "/auth/sign-in", {
      email: uniqueEmail("nobody"),
      password: "not the password",
    });
    expect(expectProblem(wrong, 401).detail).toBe(expectProblem(unknown, 401).detail);
    expect(await mailsTo(t, email, since)).toEqual([]);

    const right = await post(t, "/auth/sign-in", { email, password: PASSWORD });
    expect(expectProblem(right, 403).detail).toBe(
      "Confirm your email address first: open the link we mailed to you. A new link is on its way.",
    );
    expect(right.cookies).toEqual([]);
    const [again] = await mailsTo(t, email, since);
    const newToken = verifyTokenIn(again!);
    expect(newToken).not.toBe(oldToken);
    expect((await post(t, "/auth/verify-email", { token: oldToken, password: PASSWORD })).statusCode).toBe(
      410,
    );
    await verifyEmail(t.app, newToken, email);
    await signIn(t.app, email);
  });

  it("resend-verification answers alike for every address and mails only an unverified account", async () => {
    const verified = await signUp(t.app);
    const pending = uniqueEmail("resend");
    await requestSignUp(t.app, pending);
    await t.mail!.waitFor(pending);
    const nobody = uniqueEmail("nobody");
    const since = t.mail!.messages.length;
    const answers = [];
    for (const email of [verified.email, pending, nobody]) {
      const res = await post(t, "/auth/resend-verification", { email });
      expect(res.statusCode).toBe(202);
      answers.push(res.body.replace(email, "…"));
    }
    expect(new Set(answers).size).toBe(1);
    expect(await mailsTo(t, verified.email, since)).toEqual([]);
    expect(await mailsTo(t, nobody, since)).toEqual([]);
    const [link] = await mailsTo(t, pending, since);
    await verifyEmail(t.app, verifyTokenIn(link!), pending);
  });

  it("an invitation cannot be taken by an account that never proved the address", async () => {
    const owner = await createOwner(t.app, "Inviting");
    const victim = uniqueEmail("victim");
    const inv = (
      await request(t.app, owner, {
        method: "POST",
        url: "/api/v1/org/invitations",
        payload: { email: victim, role: "admin" },
      })
    ).json();
    // The attack of item 3: sign up with the invited address without reading its mail.
    await requestSignUp(t.app, victim, "attackers passphrase");
    const refused = await post(t, "/auth/sign-in", { email: victim, password: "attackers passphrase" });
    expect(refused.statusCode).toBe(403);
    expect(refused.cookies).toEqual([]);

    // And a session whose address is not (or no longer) confirmed cannot accept either.
    const holder = await signUp(t.app, uniqueEmail("holder"));
    const inv2 = (
      await request(t.app, owner, {
        method: "POST",
        url: "/api/v1/org/invitations",
        payload: { email: holder.email, role: "analyst" },
      })
    ).json();
    await t.database.db.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, holder.userId));
    const notYet = await request(t.app, holder, {
      method: "POST",
      url: "/api/v1/invitations/accept",
      payload: { token: inv2.token },
    });
    expect(expectProblem(notYet, 403).detail).toBe(
      "Confirm your email address before accepting an invitation: open the link we mailed to you when you signed up.",
    );
    expect(
      await t.database.db.select().from(memberships).where(eq(memberships.userId, holder.userId)),
    ).toEqual([]);
    await t.database.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, holder.userId));
    const ok = await request(t.app, holder, {
      method: "POST",
      url: "/api/v1/invitations/accept",
      payload: { token: inv2.token },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().role).toBe("analyst");

    // The owner of the mailbox (who reads the link, and sets the password of the latest sign-up).
    const real = await signUp(t.app, victim, "the victims passphrase");
    const accepted = await request(t.app, real, {
      method: "POST",
      url: "/api/v1/invitations/accept",
      payload: { token: inv.token },
    });
    expect(accepted.statusCode).toBe(200);
    expect(
      (await post(t, "/auth/sign-in", { email: victim, password: "attackers passphrase" })).statusCode,
    ).toBe(401);
  });

  it("never writes a token or a link into the logs", async () => {
    await t.app.outbox.drain();
    const tokens = t.mail!.messages.flatMap((m) =>
      [...m.text.matchAll(/token=([A-Za-z0-9_%-]+)/g)].map((x) => x[1]!),
    );
    expect(tokens.length).toBeGreaterThan(10);
    const log = lines.join("");
    expect(log).toContain('"msg":"mail sent"');
    for (const token of tokens) expect(log).not.toContain(token);
    expect(log).not.toContain("mwv_");
    expect(log).not.toContain("verify-email?token");
  });
});

describe("when the mail server is down", () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    const port = await closedPort();
    t = await createTestApp(
      { LOG_LEVEL: "info", SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_TIMEOUT_MS: "2000" },
      { logStream: { write: (l) => void lines.push(l) } },
    );
  });
  afterAll(async () => t?.close());

  it("sign-up still answers 202, and the failure is logged without the link", async () => {
    const email = uniqueEmail("nomail");
    const res = await post(t, "/auth/sign-up", { email, password: PASSWORD, name: "N" });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: "verification_sent", email });
    await t.app.outbox.drain();
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "mail not sent");
    expect(failures).toHaveLength(1);
    const [user] = await t.database.db.select().from(users).where(eq(users.email, email));
    expect(failures[0]).toMatchObject({
      level: 50,
      mail: "verify_email",
      userId: user!.id,
      via: "smtp",
      error: { code: "ESOCKET" },
    });
    expect(lines.join("")).not.toContain("mwv_");
    // The account waits for a link; a resend once mail works again delivers one.
    expect(user!.emailVerifiedAt).toBeNull();
  });
});

describe("without SMTP_URL (the embedded default)", () => {
  it("prints the message, link included, for a person to click", async () => {
    const out: string[] = [];
    const config = loadConfig({ DATABASE_URL: "memory://", PUBLIC_URL: "http://localhost:3999" });
    const mailer = createMailer(config, (s) => void out.push(s));
    expect(mailer.kind).toBe("console");
    await mailer.send({
      to: "ada@example.com",
      subject: "Confirm",
      text: "Open http://localhost:3999/verify-email?token=mwv_x",
    });
    expect(out.join("")).toContain("To:      ada@example.com");
    expect(out.join("")).toContain("  Open http://localhost:3999/verify-email?token=mwv_x");
  });
});

// Per-account sign-in throttling (item 10e), in both stores.
const stores = [["memory", ""] as const, ...(REDIS_URL ? [["redis", REDIS_URL] as const] : [])];

describe.each(stores)("per-account sign-in throttle (%s store)", (store, redisUrl) => {
  const MAX = 3;
  const WINDOW = 120;
  const prefix = `mwacct${randomBytes(4).toString("hex")}:`;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = {
      SIGN_IN_ACCOUNT_MAX_FAILURES: String(MAX),
      SIGN_IN_ACCOUNT_WINDOW_SECONDS: String(WINDOW),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
    };
    a = await createTestApp(env);
    // With Redis, a second instance shares the count (one Redis, one prefix, its own database).
    b = store === "redis" ? await createTestApp(env) : a;
  });
  afterAll(async () => {
    const redis = a?.app.deps.redis;
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    if (b !== a) await b?.close();
    await a?.close();
  });

  it(`refuses an email after ${MAX} failures from different IPs, whatever the next IP and password`, async () => {
    expect(a.app.deps.redis === null).toBe(store === "memory");
    const user = await signUp(a.app);
    const bystander = await signUp(a.app);
    for (let i = 0; i < MAX; i++) {
      const res = await post(
        a,
        "/auth/sign-in",
        { email: user.email, password: "wrong guess!" },
        { ip: `203.0.113.${i + 1}` },
      );
      expect(res.statusCode).toBe(401);
    }
    for (const password of ["wrong guess!", PASSWORD]) {
      const res = await post(a, "/auth/sign-in", { email: user.email, password }, { ip: "198.51.100.99" });
      const problem = expectProblem(res, 429);
      const retryAfter = Number(res.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThan(WINDOW - 30);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW);
      expect(problem.detail).toBe(`Too many failed sign-ins for this email; retry in ${retryAfter} s.`);
      expect(res.cookies).toEqual([]);
    }
    // Refused before the password is checked: no further failure is recorded.
    const failed = await a.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in_failed"), eq(auditEvents.targetId, user.userId)));
    expect(failed).toHaveLength(MAX);
    // Other accounts, from the very same IPs, are untouched.
    expect(
      (await post(a, "/auth/sign-in", { email: bystander.email, password: PASSWORD }, { ip: "203.0.113.1" }))
        .statusCode,
    ).toBe(200);
    // The session the owner already has keeps working.
    expect((await request(a.app, user, { method: "GET", url: "/api/v1/session" })).statusCode).toBe(200);
  });

  it("counts unknown emails the same way (a 429 tells nothing about existence)", async () => {
    const ghost = uniqueEmail("ghost");
    for (let i = 0; i < MAX; i++) {
      expect(
        (await post(b, "/auth/sign-in", { email: ghost, password: "guess!" }, { ip: `192.0.2.${i + 1}` }))
          .statusCode,
      ).toBe(401);
    }
    expectProblem(
      await post(a, "/auth/sign-in", { email: ghost, password: "guess!" }, { ip: "192.0.2.200" }),
      429,
    );
  });

  it("wrong passwords on a verification link count toward the address's limit, and it applies there too", async () => {
    const email = uniqueEmail("linkguess");
    const since = a.mail!.messages.length;
    await requestSignUp(a.app, email);
    const token = verifyTokenIn((await mailsTo(a, email, since))[0]!);
    // One failed sign-in and MAX - 1 wrong passwords on the link, from different IPs.
    expect(
      (await post(a, "/auth/sign-in", { email, password: "a guess!!" }, { ip: "198.51.100.1" })).statusCode,
    ).toBe(401);
    for (let i = 0; i < MAX - 1; i++) {
      const res = await post(
        a,
        "/auth/verify-email",
        { token, password: `guess number ${i}` },
        { ip: `198.51.100.${10 + i}` },
      );
      expect(res.statusCode).toBe(422);
    }
    // Now even the right password is refused, on the link and at sign-in, and the link is unspent.
    for (const [url, body] of [
      ["/auth/verify-email", { token, password: PASSWORD }],
      ["/auth/sign-in", { email, password: PASSWORD }],
    ] as const) {
      const res = await post(a, url, body, { ip: "198.51.100.200" });
      expect(expectProblem(res, 429).detail).toMatch(
        /^Too many failed sign-ins for this email; retry in \d+ s\.$/,
      );
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(WINDOW - 30);
      expect(res.cookies).toEqual([]);
    }
    const [user] = await a.database.db.select().from(users).where(eq(users.email, email));
    expect(user!.emailVerifiedAt).toBeNull();
    const [row] = await a.database.db.select().from(emailTokens).where(eq(emailTokens.userId, user!.id));
    expect(row!.usedAt).toBeNull();
  });

  it("a successful sign-in clears the account's count", async () => {
    const user = await signUp(a.app);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX - 1; i++) {
        expect(
          (
            await post(
              b,
              "/auth/sign-in",
              { email: user.email, password: "nope nope" },
              { ip: `192.0.2.${50 + i}` },
            )
          ).statusCode,
        ).toBe(401);
      }
      expect((await post(a, "/auth/sign-in", { email: user.email, password: PASSWORD })).statusCode).toBe(
        200,
      );
    }
  });
});
