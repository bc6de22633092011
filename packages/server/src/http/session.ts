import type { SessionDto } from "@modelworks/contracts/auth";
import { asc, eq } from "drizzle-orm";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { csrfTokenFor, hashToken, newToken } from "../auth/tokens.ts";
import type { Db } from "../db/client.ts";
import { memberships, organizations, sessions, type users } from "../db/schema.ts";
import { SESSION_COOKIE } from "./identity.ts";

export type User = typeof users.$inferSelect;

export async function membershipsOf(db: Db, userId: string) {
  return db
    .select({
      orgId: organizations.id,
      name: organizations.name,
      slug: organizations.slug,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
}

/** Starts a cookie session for a user, active in their first organization. */
export async function startSession(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  user: User,
) {
  const { db } = app.deps.database;
  const { config } = app.deps;
  const token = newToken("session");
  const tokenHash = hashToken(token);
  const orgs = await membershipsOf(db, user.id);
  const expiresAt = new Date(Date.now() + config.SESSION_TTL_HOURS * 3_600_000);
  const [session] = await db
    .insert(sessions)
    .values({
      tokenHash,
      userId: user.id,
      activeOrgId: orgs[0]?.orgId ?? null,
      ip: req.ip,
      userAgent: req.headers["user-agent"]?.slice(0, 500) ?? null,
      expiresAt,
    })
    .returning();
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    secure: config.COOKIE_SECURE,
    sameSite: "lax",
    expires: expiresAt,
  });
  return sessionDto(app, user, { tokenHash, activeOrgId: session!.activeOrgId, expiresAt }, orgs);
}

export function clearSessionCookie(app: FastifyInstance, reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, {
    path: "/",
    httpOnly: true,
    secure: app.deps.config.COOKIE_SECURE,
    sameSite: "lax",
  });
}

export async function sessionDto(
  app: FastifyInstance,
  user: User,
  session: { tokenHash: string; activeOrgId: string | null; expiresAt: Date } | null,
  orgs?: Awaited<ReturnType<typeof membershipsOf>>,
): Promise<z.infer<typeof SessionDto>> {
  return {
    user: userDto(user),
    organizations: orgs ?? (await membershipsOf(app.deps.database.db, user.id)),
    activeOrgId: session?.activeOrgId ?? null,
    csrfToken: session ? csrfTokenFor(app.deps.config.SESSION_SECRET, session.tokenHash) : null,
    expiresAt: session?.expiresAt.toISOString() ?? null,
  };
}

export function userDto(u: User) {
  return { id: u.id, email: u.email, name: u.name, createdAt: u.createdAt.toISOString() };
}
