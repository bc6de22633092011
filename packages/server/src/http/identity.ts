import { ROLES, type Role } from "@modelworks/contracts/roles";
import { and, eq, isNull, lt, ne, or } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { issuerOf, looksLikeJwt } from "../auth/jwt.ts";
import type { Principal } from "../auth/principal.ts";
import { hashToken, tokenKind } from "../auth/tokens.ts";
import { apiKeys, memberships, organizations, sessions, users } from "../db/schema.ts";
import { type DomainError, unauthorized } from "../errors/domain-error.ts";
import { recordAudit } from "./audit.ts";

export const SESSION_COOKIE = "mw_session";
/** How often last-used times are written: a busy key must not turn every read into a write. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Establishes who is calling (request.principal) from a bearer token or the session cookie.
 * It never rejects a request itself: bad credentials are kept in request.authProblem and
 * reported by the access check, after rate limiting has counted the attempt.
 */
export const identityPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest("principal", null);
  app.decorateRequest("authProblem", null);
  app.decorateRequest("org", null);

  app.addHook("onRequest", async (req) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
    try {
      if (bearer) await fromBearer(app, req, bearer);
      else if (req.headers.authorization)
        req.authProblem = unauthorized("The Authorization header must be `Bearer <token>`.");
      else {
        const cookie = req.cookies[SESSION_COOKIE];
        if (cookie) await fromSessionCookie(app, req, cookie);
      }
    } catch (err) {
      if ((err as DomainError).status === 401) req.authProblem = err as DomainError;
      else throw err;
    }
  });

  // Routes that change credentials, memberships, users or organizations (`config.changesAccess`)
  // empty every instance's credential cache before answering — after their transaction — so the
  // caller's next request anywhere sees the change. Not after a 4xx: the request was refused and
  // its transaction rolled back, and flushing then would let anyone empty every cache at will.
  // A 5xx flushes (it may come after a commit).
  app.addHook("onSend", async (req, reply) => {
    const refused = reply.statusCode >= 400 && reply.statusCode < 500;
    if (req.routeOptions.config.changesAccess && !refused && req.method !== "GET" && req.method !== "HEAD") {
      await app.deps.authCache.changed();
    }
  });
});

async function fromBearer(app: FastifyInstance, req: FastifyRequest, token: string) {
  const kind = tokenKind(token);
  if (kind === "apiKey") return fromApiKey(app, req, token);
  if (kind === null && looksLikeJwt(token) && app.deps.jwt) return fromJwt(app, req, token);
  throw unauthorized("The bearer token is not a Modelworks API key or an accepted JWT.");
}

async function fromApiKey(app: FastifyInstance, req: FastifyRequest, token: string) {
  const { db } = app.deps.database;
  const tokenHash = hashToken(token);
  // One query: the key and its creator's membership in the key's organization (a key acts with
  // at most its creator's current role there, and not at all once they have left). Cached:
  // revoking the key or changing the membership flushes the cache (src/auth/cache.ts).
  const row = await app.deps.authCache.get(`key:${tokenHash}`, async () => {
    const [found] = await db
      .select({ key: apiKeys, creatorRole: memberships.role })
      .from(apiKeys)
      .leftJoin(
        memberships,
        and(eq(memberships.orgId, apiKeys.orgId), eq(memberships.userId, apiKeys.createdBy)),
      )
      .where(eq(apiKeys.tokenHash, tokenHash));
    return found ?? null;
  });
  if (!row) throw unauthorized("This API key is not valid.");
  const { key, creatorRole } = row;
  if (key.revokedAt) throw unauthorized("This API key has been revoked.");
  if (key.expiresAt && key.expiresAt <= new Date()) throw unauthorized("This API key has expired.");
  if (!key.createdBy)
    throw unauthorized("This API key no longer works: the account that created it has been deleted.");
  if (!creatorRole) {
    throw unauthorized(
      "This API key no longer works: the person who created it is no longer a member of its organization.",
    );
  }
  req.principal = {
    kind: "api_key",
    apiKeyId: key.id,
    orgId: key.orgId,
    scope: key.scope,
    createdBy: key.createdBy,
    creatorRole,
  };
  const now = new Date();
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    // Recorded in the (possibly cached) row first, so concurrent requests here do not all write.
    const previous = key.lastUsedAt;
    key.lastUsedAt = now;
    // The conditional update makes one of several concurrent requests (of all instances) the one
    // that records use.
    const touched = await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiKeys.id, key.id),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - TOUCH_INTERVAL_MS))),
        ),
      )
      .returning({ id: apiKeys.id })
      .catch((err) => {
        key.lastUsedAt = previous;
        throw err;
      });
    if (touched.length > 0) {
      await recordAudit(db, req, {
        action: "api_key.used",
        orgId: key.orgId,
        targetType: "api_key",
        targetId: key.id,
      });
    }
  }
}

async function fromSessionCookie(app: FastifyInstance, req: FastifyRequest, token: string) {
  const { db } = app.deps.database;
  const tokenHash = hashToken(token);
  // Cached: signing out, switching organization and every other change to sessions flush it.
  const row = await app.deps.authCache.get(`session:${tokenHash}`, async () => {
    const [found] = await db
      .select({ session: sessions, email: users.email })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.tokenHash, tokenHash));
    return found ?? null;
  });
  if (!row) throw unauthorized("Your session is no longer valid; sign in again.");
  const now = new Date();
  if (row.session.expiresAt <= now) {
    await db.delete(sessions).where(eq(sessions.id, row.session.id));
    await app.deps.authCache.changed();
    throw unauthorized("Your session has expired; sign in again.");
  }
  req.principal = {
    kind: "session",
    userId: row.session.userId,
    email: row.email,
    sessionId: row.session.id,
    sessionTokenHash: tokenHash,
    activeOrgId: row.session.activeOrgId,
  };
  if (now.getTime() - row.session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    row.session.lastSeenAt = now;
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.session.id));
  }
}

/**
 * An external JWT names a person by issuer and subject (`iss`, `sub`), with an email and,
 * optionally, an organization by slug and a role. The person is a user of their own, keyed by
 * (issuer, subject) and created on first sight — never the password account that happens to have
 * the same email (an account holder links an identity to their account explicitly: POST
 * /session/external-identity). Membership follows the token (its role claim is authoritative when
 * present, JWT_DEFAULT_ROLE applies to new members otherwise), and the token acts only in the
 * organization it names (../http/access.ts).
 */
async function fromJwt(app: FastifyInstance, req: FastifyRequest, token: string) {
  const { config } = app.deps;
  let claims: Record<string, unknown>;
  try {
    claims = await app.deps.jwt!(token);
  } catch (err) {
    throw unauthorized(`The JWT was rejected: ${(err as Error).message}`);
  }
  const subject = claims.sub;
  if (typeof subject !== "string" || !subject || subject.length > 255) {
    throw unauthorized("The JWT has no valid `sub` claim (the person's id at the issuer, 1–255 characters).");
  }
  const email = claims[config.JWT_EMAIL_CLAIM];
  if (typeof email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw unauthorized(`The JWT has no valid \`${config.JWT_EMAIL_CLAIM}\` claim.`);
  }
  const roleClaim = claims[config.JWT_ROLE_CLAIM];
  if (roleClaim !== undefined && !ROLES.includes(roleClaim as Role)) {
    throw unauthorized(`The JWT's \`${config.JWT_ROLE_CLAIM}\` claim must be one of ${ROLES.join(", ")}.`);
  }
  const orgSlug = claims[config.JWT_ORG_CLAIM];
  const { db } = app.deps.database;
  // Every check that can reject the token comes before anything is written.
  let orgId: string | null = null;
  if (typeof orgSlug === "string") {
    const [org] = await db.select().from(organizations).where(eq(organizations.slug, orgSlug));
    if (!org)
      throw unauthorized(`The JWT names organization \`${orgSlug}\`, which does not exist in Modelworks.`);
    orgId = org.id;
  }
  const issuer = issuerOf(claims, config);
  const identity = and(eq(users.externalIssuer, issuer), eq(users.externalSubject, subject));
  let [user] = await db.select().from(users).where(identity);
  if (!user) {
    const normalized = email.toLowerCase();
    const name =
      typeof claims.name === "string" && claims.name.trim() ? claims.name.trim().slice(0, 120) : normalized;
    await db
      .insert(users)
      .values({ email: normalized, name, externalIssuer: issuer, externalSubject: subject })
      .onConflictDoNothing();
    [user] = await db.select().from(users).where(identity);
    if (!user) throw unauthorized("The JWT's user could not be provisioned.");
  }

  if (orgId) {
    const role = (roleClaim as Role | undefined) ?? config.JWT_DEFAULT_ROLE;
    const upsert = db.insert(memberships).values({ orgId, userId: user.id, role });
    const written = await (roleClaim
      ? upsert.onConflictDoUpdate({
          target: [memberships.orgId, memberships.userId],
          set: { role, updatedAt: new Date() },
          // Only a changed role is written: a busy token must not rewrite the row on every request.
          setWhere: ne(memberships.role, role),
        })
      : upsert.onConflictDoNothing()
    ).returning({ orgId: memberships.orgId });
    // A role the token changed must not be read from any instance's credential cache.
    if (written.length > 0) await app.deps.authCache.changed();
  }
  req.principal = { kind: "jwt", userId: user.id, email: user.email, orgId, issuer, subject };
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route changes who may do what (src/auth/cache.ts): every instance's cache is flushed. */
    changesAccess?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    authProblem: DomainError | null;
    org: import("../auth/principal.ts").OrgContext | null;
  }
}
