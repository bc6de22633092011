import {
  ActiveOrgBody,
  ChangePasswordBody,
  ResendVerificationBody,
  SessionDto,
  SignInBody,
  SignUpBody,
  VerificationSentDto,
  VerifyEmailBody,
} from "@modelworks/contracts/auth";
import { and, eq, ne } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { hashPassword, verifyPassword } from "../auth/passwords.ts";
import { createSignInThrottle } from "../auth/sign-in-throttle.ts";
import { hashToken } from "../auth/tokens.ts";
import { emailTokens, memberships, sessions, users } from "../db/schema.ts";
import { addressHolder, passwordAccount } from "../db/users.ts";
import { badRequest, DomainError, notFound, unprocessable } from "../errors/domain-error.ts";
import { recordAudit } from "../http/audit.ts";
import { authRateLimit } from "../http/rate-limit.ts";
import { clearSessionCookie, membershipsOf, sessionDto, startSession } from "../http/session.ts";
import { issueVerificationToken, signUpAttemptMail, verificationMail } from "../mail/verification.ts";

const tags = ["auth"];
const LINK_SPENT =
  "This verification link has already been used or replaced by a newer one; sign in, or ask for a new link.";

/**
 * Sign-up (verified by a mailed link before the account can be used), sign-in, sign-out, the
 * current session and password change. docs/decisions/0018-email.md.
 */
export async function authRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  const throttle = createSignInThrottle(app.deps.config, app.deps.redis, (err) =>
    app.log.warn({ err }, "sign-in throttle store failed; attempt allowed"),
  );
  const { config } = app.deps;

  r.post(
    "/auth/sign-up",
    {
      config: { access: "public", rateLimit: authRateLimit(app), changesAccess: true },
      schema: {
        tags,
        summary: "Create an account; a link to confirm the email address is mailed",
        description:
          "Answers 202 with the same body whether or not the address already has an account: a new " +
          "address gets a verification link, an unverified account a fresh link (and the password just " +
          "given), a verified account a notice that someone tried to sign up. No session is started; " +
          "`POST /auth/verify-email` with the link's token and this password does that.",
        body: SignUpBody,
        response: { 202: VerificationSentDto },
      },
    },
    async (req, reply) => {
      const { email, password, name } = req.body;
      // Hashed whatever happens next, so a known address answers as slowly as a new one.
      const passwordHash = await hashPassword(password);
      const mail = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(users)
          .values({ email, name, passwordHash })
          .onConflictDoNothing()
          .returning();
        if (created) {
          await recordAudit(tx, req, {
            action: "user.signed_up",
            orgId: null,
            actorUserId: created.id,
            actorEmail: email,
            targetType: "user",
            targetId: created.id,
          });
          const token = await issueVerificationToken(tx, created.id, config);
          return {
            mail: verificationMail(config, email, token),
            userId: created.id,
            purpose: "verify_email",
          };
        }
        const [existing] = await tx.select().from(users).where(addressHolder(email)).for("update");
        if (!existing) throw new Error("sign-up: the conflicting account vanished");
        const verified = existing.emailVerifiedAt !== null;
        await recordAudit(tx, req, {
          action: "user.sign_up_repeated",
          orgId: null,
          actorEmail: email,
          targetType: "user",
          targetId: existing.id,
          metadata: { verified },
        });
        if (verified) {
          return { mail: signUpAttemptMail(config, email), userId: existing.id, purpose: "sign_up_attempt" };
        }
        // Nobody has proved they read this address yet, so the latest sign-up's password and name
        // stand (an address squatted before its owner arrived does not keep the squatter's
        // password); earlier links stop working.
        await tx
          .update(users)
          .set({ passwordHash, name, updatedAt: new Date() })
          .where(eq(users.id, existing.id));
        const token = await issueVerificationToken(tx, existing.id, config);
        return { mail: verificationMail(config, email, token), userId: existing.id, purpose: "verify_email" };
      });
      app.outbox.send(mail.mail, { purpose: mail.purpose, userId: mail.userId });
      return reply.code(202).send({ status: "verification_sent" as const, email });
    },
  );

  r.post(
    "/auth/resend-verification",
    {
      config: { access: "public", rateLimit: authRateLimit(app) },
      schema: {
        tags,
        summary: "Mail a new verification link",
        description:
          "Answers 202 with the same body for every address; only an unverified password account is " +
          "mailed (a new link; earlier links stop working).",
        body: ResendVerificationBody,
        response: { 202: VerificationSentDto },
      },
    },
    async (req, reply) => {
      const { email } = req.body;
      const [user] = await db.select().from(users).where(passwordAccount(email));
      if (user?.passwordHash && !user.emailVerifiedAt) {
        const token = await issueVerificationToken(db, user.id, config);
        app.outbox.send(verificationMail(config, email, token), { purpose: "verify_email", userId: user.id });
      }
      return reply.code(202).send({ status: "verification_sent" as const, email });
    },
  );

  r.post(
    "/auth/verify-email",
    {
      config: { access: "public", rateLimit: authRateLimit(app), changesAccess: true },
      schema: {
        tags,
        summary:
          "Confirm an email address with the mailed link's token and the sign-up's password, and sign in",
        description:
          "Both the token (proof of the mailbox) and the password the account has now (proof of the " +
          "sign-up that sent the link) are required, so nobody who signed up with someone else's address " +
          "ends up knowing the password of the account its owner confirms. A wrong password answers 422, " +
          "leaves the link usable and counts as a failed sign-in for the address (429 once it has failed " +
          "too often, from any IP). A used or replaced link answers 410, an expired one 410, an unknown one 404.",
        body: VerifyEmailBody,
        response: { 200: SessionDto },
      },
    },
    async (req, reply) => {
      const { token, password } = req.body;
      const tokenHash = hashToken(token);
      const live = (row: typeof emailTokens.$inferSelect | undefined, now: Date) => {
        if (!row) throw notFound("Verification link");
        if (row.usedAt) {
          throw new DomainError("verification_link_used", LINK_SPENT);
        }
        if (row.expiresAt <= now)
          throw new DomainError(
            "verification_link_expired",
            "This verification link has expired; ask for a new one.",
          );
        return row;
      };
      const byHash = and(eq(emailTokens.tokenHash, tokenHash), eq(emailTokens.purpose, "verify_email"));
      // The password is checked before anything is written, outside the transaction (argon2 is slow
      // and must not hold the token's row lock); the transaction then re-checks that neither the
      // token nor the password hash changed meanwhile.
      const [found] = await db.select().from(emailTokens).where(byHash);
      const row = live(found, new Date());
      const [account] = await db.select().from(users).where(eq(users.id, row.userId));
      if (!account) throw notFound("Verification link");
      // The same per-address budget as sign-in: a leaked link must not become a way to guess the
      // password without limit.
      await throttle.check(account.email);
      if (!(await verifyPassword(account.passwordHash, password))) {
        await throttle.failed(account.email);
        await recordAudit(db, req, {
          action: "auth.verify_email_failed",
          orgId: null,
          actorEmail: account.email,
          targetType: "user",
          targetId: account.id,
        });
        // Says what to do without saying whether someone else signed up with this address.
        throw unprocessable(
          [{ path: "body.password", message: "does not match the sign-up that sent this link" }],
          "This link belongs to a sign-up of this address with a different password. Enter the password " +
            "you signed up with; if you signed up more than once, use the newest link, or sign up again.",
        );
      }
      await throttle.succeeded(account.email);
      const user = await db.transaction(async (tx) => {
        const now = new Date();
        const [locked] = await tx.select().from(emailTokens).where(byHash).for("update");
        live(locked, now);
        const [current] = await tx.select().from(users).where(eq(users.id, row.userId)).for("update");
        // A sign-up in between replaced the password (and voided this token in the same
        // transaction); refuse rather than verify an account whose password was not the one checked.
        if (!current || current.passwordHash !== account.passwordHash) {
          throw new DomainError("verification_link_used", LINK_SPENT);
        }
        await tx.update(emailTokens).set({ usedAt: now }).where(eq(emailTokens.id, row.id));
        const [u] = await tx
          .update(users)
          .set({ emailVerifiedAt: current.emailVerifiedAt ?? now, updatedAt: now })
          .where(eq(users.id, row.userId))
          .returning();
        await recordAudit(tx, req, {
          action: "user.email_verified",
          orgId: null,
          actorUserId: u!.id,
          actorEmail: u!.email,
          targetType: "user",
          targetId: u!.id,
        });
        return u!;
      });
      const dto = await startSession(app, req, reply, user);
      await recordAudit(db, req, {
        action: "auth.signed_in",
        orgId: null,
        actorUserId: user.id,
        actorEmail: user.email,
        targetType: "user",
        targetId: user.id,
        metadata: { via: "verify_email" },
      });
      return dto;
    },
  );

  r.post(
    "/auth/sign-in",
    {
      config: { access: "public", rateLimit: authRateLimit(app) },
      schema: {
        tags,
        summary: "Sign in with email and password",
        description:
          "401 for a wrong email or password; 403 when the password is right but the address is not " +
          "confirmed yet (a new link is mailed); 429 when this IP, or this email from any IP, has " +
          "failed too often.",
        body: SignInBody,
        response: { 200: SessionDto },
      },
    },
    async (req, reply) => {
      const { email, password } = req.body;
      await throttle.check(email);
      // Password accounts only: external identities may carry the same email (and have no password).
      const [user] = await db.select().from(users).where(passwordAccount(email));
      if (!(await verifyPassword(user?.passwordHash ?? null, password)) || !user) {
        await throttle.failed(email);
        await recordAudit(db, req, {
          action: "auth.sign_in_failed",
          orgId: null,
          actorEmail: email,
          ...(user ? { targetType: "user", targetId: user.id } : {}),
        });
        throw new DomainError("invalid_credentials", "Email or password is incorrect.");
      }
      await throttle.succeeded(email);
      if (!user.emailVerifiedAt) {
        // Only someone who knows the password learns this; they get a new link with it.
        const token = await issueVerificationToken(db, user.id, config);
        app.outbox.send(verificationMail(config, email, token), { purpose: "verify_email", userId: user.id });
        await recordAudit(db, req, {
          action: "auth.sign_in_unverified",
          orgId: null,
          actorEmail: email,
          targetType: "user",
          targetId: user.id,
        });
        throw new DomainError(
          "email_not_verified",
          "Confirm your email address first: open the link we mailed to you. A new link is on its way.",
        );
      }
      const dto = await startSession(app, req, reply, user);
      await recordAudit(db, req, {
        action: "auth.signed_in",
        orgId: null,
        actorUserId: user.id,
        actorEmail: user.email,
        targetType: "user",
        targetId: user.id,
      });
      return dto;
    },
  );

  r.post(
    "/auth/sign-out",
    {
      config: { access: "user", changesAccess: true },
      schema: { tags, summary: "End the current session", response: { 204: z.undefined() } },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind !== "session") throw badRequest("Only a cookie session can be signed out.");
      await db.delete(sessions).where(eq(sessions.id, p.sessionId));
      await recordAudit(db, req, {
        action: "auth.signed_out",
        orgId: null,
        targetType: "user",
        targetId: p.userId,
      });
      clearSessionCookie(app, reply);
      return reply.code(204).send();
    },
  );

  r.get(
    "/session",
    {
      config: { access: "user" },
      schema: {
        tags,
        summary: "The signed-in user, their organizations and the CSRF token",
        response: { 200: SessionDto },
      },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind === "api_key") throw badRequest("unreachable");
      const [user] = await db.select().from(users).where(eq(users.id, p.userId));
      if (!user) throw notFound("User");
      if (p.kind === "jwt") {
        // An external token sees only the organization it names (it acts in no other).
        const bound = (await membershipsOf(db, user.id)).filter((o) => o.orgId === p.orgId);
        return sessionDto(app, user, null, bound);
      }
      const [s] = await db.select().from(sessions).where(eq(sessions.id, p.sessionId));
      if (!s || s.activeOrgId) return sessionDto(app, user, s ?? null);
      // The active organization went away (deleted, or the person was removed from it): carry on
      // in the first one they still belong to, as a new sign-in would.
      const orgs = await membershipsOf(db, user.id);
      const next = orgs[0]?.orgId ?? null;
      if (next) {
        await db.update(sessions).set({ activeOrgId: next }).where(eq(sessions.id, s.id));
        await app.deps.authCache.changed();
      }
      return sessionDto(app, user, { ...s, activeOrgId: next }, orgs);
    },
  );

  r.put(
    "/session/organization",
    {
      config: { access: "user", changesAccess: true },
      schema: {
        tags,
        summary: "Choose the session's active organization",
        body: ActiveOrgBody,
        response: { 200: SessionDto },
      },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind !== "session")
        throw badRequest("Only a cookie session has an active organization; send x-organization-id instead.");
      const [m] = await db
        .select()
        .from(memberships)
        .where(and(eq(memberships.orgId, req.body.orgId), eq(memberships.userId, p.userId)));
      if (!m) throw notFound("Organization");
      const [s] = await db
        .update(sessions)
        .set({ activeOrgId: req.body.orgId })
        .where(eq(sessions.id, p.sessionId))
        .returning();
      const [user] = await db.select().from(users).where(eq(users.id, p.userId));
      return sessionDto(app, user!, s ?? null);
    },
  );

  r.post(
    "/auth/password",
    {
      config: { access: "user", rateLimit: authRateLimit(app), changesAccess: true },
      schema: {
        tags,
        summary: "Change your password (signs out your other sessions)",
        body: ChangePasswordBody,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind === "api_key") throw badRequest("unreachable");
      const [user] = await db.select().from(users).where(eq(users.id, p.userId));
      if (!user || !(await verifyPassword(user.passwordHash, req.body.currentPassword))) {
        throw unprocessable([{ path: "body.currentPassword", message: "is incorrect" }]);
      }
      if (req.body.newPassword === req.body.currentPassword) {
        throw unprocessable([{ path: "body.newPassword", message: "must differ from the current password" }]);
      }
      const passwordHash = await hashPassword(req.body.newPassword);
      await db.transaction(async (tx) => {
        await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, user.id));
        const keep = p.kind === "session" ? ne(sessions.id, p.sessionId) : undefined;
        await tx.delete(sessions).where(and(eq(sessions.userId, user.id), keep));
        await recordAudit(tx, req, {
          action: "auth.password_changed",
          orgId: null,
          targetType: "user",
          targetId: user.id,
        });
      });
      return reply.code(204).send();
    },
  );
}
