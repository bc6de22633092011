import { and, eq, ne } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { hashPassword, verifyPassword } from "../auth/passwords.ts";
import { ActiveOrgBody, ChangePasswordBody, SessionDto, SignInBody, SignUpBody } from "../contracts/auth.ts";
import { memberships, sessions, users } from "../db/schema.ts";
import { passwordAccount } from "../db/users.ts";
import { recordAudit } from "../http/audit.ts";
import { badRequest, conflict, HttpProblem, notFound, unprocessable } from "../http/problem.ts";
import { authRateLimit } from "../http/rate-limit.ts";
import { clearSessionCookie, membershipsOf, sessionDto, startSession } from "./session-helpers.ts";

const tags = ["auth"];

/** Sign-up, sign-in, sign-out, the current session and password change. */
export async function authRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.post(
    "/auth/sign-up",
    {
      config: { access: "public", rateLimit: authRateLimit(app) },
      schema: {
        tags,
        summary: "Create an account and sign in",
        body: SignUpBody,
        response: { 201: SessionDto },
      },
    },
    async (req, reply) => {
      const { email, password, name } = req.body;
      const passwordHash = await hashPassword(password);
      const user = await db.transaction(async (tx) => {
        // The unique index covers unlinked password accounts; one linked to an external identity
        // (which carries its issuer) is found here.
        const [taken] = await tx.select({ id: users.id }).from(users).where(passwordAccount(email));
        if (taken) throw conflict("An account with this email already exists; sign in instead.");
        const [created] = await tx
          .insert(users)
          .values({ email, name, passwordHash })
          .onConflictDoNothing()
          .returning();
        if (!created) throw conflict("An account with this email already exists; sign in instead.");
        await recordAudit(tx, req, {
          action: "user.signed_up",
          orgId: null,
          actorUserId: created.id,
          actorEmail: email,
          targetType: "user",
          targetId: created.id,
        });
        return created;
      });
      return reply.code(201).send(await startSession(app, req, reply, user));
    },
  );

  r.post(
    "/auth/sign-in",
    {
      config: { access: "public", rateLimit: authRateLimit(app) },
      schema: {
        tags,
        summary: "Sign in with email and password",
        body: SignInBody,
        response: { 200: SessionDto },
      },
    },
    async (req, reply) => {
      const { email, password } = req.body;
      // Password accounts only: external identities may carry the same email (and have no password).
      const [user] = await db.select().from(users).where(passwordAccount(email));
      if (!(await verifyPassword(user?.passwordHash ?? null, password)) || !user) {
        await recordAudit(db, req, {
          action: "auth.sign_in_failed",
          orgId: null,
          actorEmail: email,
          ...(user ? { targetType: "user", targetId: user.id } : {}),
        });
        throw new HttpProblem(401, "Unauthorized", "Email or password is incorrect.");
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
      config: { access: "user" },
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
      if (next) await db.update(sessions).set({ activeOrgId: next }).where(eq(sessions.id, s.id));
      return sessionDto(app, user, { ...s, activeOrgId: next }, orgs);
    },
  );

  r.put(
    "/session/organization",
    {
      config: { access: "user" },
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
      config: { access: "user", rateLimit: authRateLimit(app) },
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
