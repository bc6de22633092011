import { ExternalIdentityDto, LinkExternalIdentityBody } from "@modelworks/contracts/auth";
import { lesserRole } from "@modelworks/contracts/roles";
import { and, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { issuerOf } from "../auth/jwt.ts";
import { apiKeys, memberships, users } from "../db/schema.ts";
import { conflict, DomainError, forbidden, notFound, unprocessable } from "../errors/domain-error.ts";
import { recordAudit } from "../http/audit.ts";
import { authRateLimit } from "../http/rate-limit.ts";

/**
 * Linking an external identity to a password account: the only way a JWT ever acts as a person
 * who signs in with a password. Without it an external identity is a user of its own, keyed by
 * (issuer, subject), whatever email it carries (../http/identity.ts).
 *
 * The account holder does it themself, signed in with their cookie session and a verified email,
 * by presenting a valid token of the identity whose email claim is that same address — so neither
 * a token nor a session alone can link, and nobody can attach someone else's identity. The account
 * then carries the issuer and subject (one identity per account). An identity already provisioned
 * on its own is folded in: its memberships (the higher role where both are members) and the API
 * keys it made move to the account, and the separate user is deleted; rows it created otherwise stay, no
 * longer attributed. Audited as `user.external_identity_linked`.
 */
export async function externalIdentityRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.post(
    "/session/external-identity",
    {
      config: { access: "user", rateLimit: authRateLimit(app), changesAccess: true },
      schema: {
        tags: ["auth"],
        summary: "Link an external identity (a JWT you hold) to your account",
        description:
          "Signed in with your password session and a verified email, send a JWT your identity provider issued " +
          "to you (its email claim must be your account's email). From then on tokens with that issuer and " +
          "subject act as you, still only in the organization each names.",
        body: LinkExternalIdentityBody,
        response: { 200: ExternalIdentityDto },
      },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind !== "session") {
        throw forbidden(
          "Link an external identity from a signed-in Modelworks session (cookie), not a token.",
        );
      }
      const verify = app.deps.jwt;
      if (!verify) throw notFound("External identity provider");
      const [user] = await db.select().from(users).where(eq(users.id, p.userId));
      if (!user) throw notFound("User");
      if (!user.passwordHash || !user.emailVerifiedAt) {
        throw new DomainError(
          "email_not_verified",
          "Verify your account's email address before linking an external identity to it.",
        );
      }
      const claims = await verify(req.body.token).catch((err: Error) => {
        throw unprocessable([{ path: "body.token", message: `was rejected: ${err.message}` }]);
      });
      const { config } = app.deps;
      const subject = claims.sub;
      if (typeof subject !== "string" || !subject || subject.length > 255) {
        throw unprocessable([{ path: "body.token", message: "has no valid `sub` claim" }]);
      }
      const email = claims[config.JWT_EMAIL_CLAIM];
      if (typeof email !== "string" || email.toLowerCase() !== user.email) {
        throw unprocessable([
          {
            path: "body.token",
            message: `its \`${config.JWT_EMAIL_CLAIM}\` claim must be your account's email address`,
          },
        ]);
      }
      const issuer = issuerOf(claims, config);
      if (user.externalIssuer) {
        if (user.externalIssuer === issuer && user.externalSubject === subject) {
          return { issuer, subject, userId: user.id };
        }
        throw conflict(
          "Your account is already linked to another external identity; an account holds one at a time.",
        );
      }

      return db.transaction(async (tx) => {
        const [existing] = await tx
          .select()
          .from(users)
          .where(and(eq(users.externalIssuer, issuer), eq(users.externalSubject, subject)))
          .for("update");
        if (existing?.passwordHash) throw conflict("This identity is linked to another account.");
        let folded: { memberships: string[]; apiKeys: number } | null = null;
        if (existing) {
          // Where both are members the higher role stays: the person held both, and an
          // organization the identity owned must not lose its owner to the fold.
          const theirs = await tx
            .select({ orgId: memberships.orgId, role: memberships.role })
            .from(memberships)
            .where(eq(memberships.userId, existing.id));
          const mine = new Map(
            (
              await tx
                .select({ orgId: memberships.orgId, role: memberships.role })
                .from(memberships)
                .where(eq(memberships.userId, user.id))
            ).map((m) => [m.orgId, m.role]),
          );
          const moved: string[] = [];
          for (const m of theirs) {
            const current = mine.get(m.orgId);
            if (current && lesserRole(current, m.role) === m.role) continue;
            await tx
              .insert(memberships)
              .values({ orgId: m.orgId, userId: user.id, role: m.role })
              .onConflictDoUpdate({
                target: [memberships.orgId, memberships.userId],
                set: { role: m.role, updatedAt: new Date() },
              });
            moved.push(m.orgId);
          }
          const keys = await tx
            .update(apiKeys)
            .set({ createdBy: user.id })
            .where(eq(apiKeys.createdBy, existing.id))
            .returning({ id: apiKeys.id });
          // Its memberships and sessions cascade; other rows it created lose the attribution.
          await tx.delete(users).where(eq(users.id, existing.id));
          folded = { memberships: moved, apiKeys: keys.length };
        }
        await tx
          .update(users)
          .set({ externalIssuer: issuer, externalSubject: subject, updatedAt: new Date() })
          .where(eq(users.id, user.id));
        await recordAudit(tx, req, {
          action: "user.external_identity_linked",
          orgId: null,
          targetType: "user",
          targetId: user.id,
          metadata: {
            issuer,
            subject,
            ...(existing && folded
              ? {
                  replacedUserId: existing.id,
                  movedMemberships: folded.memberships,
                  movedApiKeys: folded.apiKeys,
                }
              : {}),
          },
        });
        return { issuer, subject, userId: user.id };
      });
    },
  );
}
