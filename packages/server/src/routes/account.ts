import { DeleteAccountBody } from "@modelworks/contracts/retention";
import { and, count, eq, isNull, ne } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { verifyPassword } from "../auth/passwords.ts";
import type { Db } from "../db/client.ts";
import { apiKeys, memberships, organizations, users } from "../db/schema.ts";
import { badRequest, DomainError, notFound, unprocessable } from "../errors/domain-error.ts";
import { recordAudit } from "../http/audit.ts";
import { authRateLimit } from "../http/rate-limit.ts";
import { clearSessionCookie } from "../http/session.ts";
import { eraseOrganization, pseudonymizeAuditActor } from "../retention/erase.ts";

/**
 * A person deleting their own account (a privacy request). What goes and what stays:
 * - the user row (email, name, password hash), their memberships and sessions;
 * - organizations where they are the only member, erased whole (as DELETE /org);
 * - API keys they created are revoked, not deleted: the organization keeps the record of
 *   them, but a departed person's credentials stop working;
 * - rows they created in organizations stay, with `createdBy` set to null (foreign keys);
 * - audit events stay — the log is the record of who did what — but pseudonymized: the events
 *   keep the user id, which no longer resolves, and lose the person's email, IP and user agent.
 * Refused (409) while they are the only owner of an organization that has other members.
 */
export async function accountRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const store = app.fileStore;

  r.delete(
    "/session/account",
    {
      config: { access: "user", rateLimit: authRateLimit(app), changesAccess: true },
      schema: {
        tags: ["auth"],
        summary: "Delete your account and your personal data (asks for your password)",
        description:
          "Refused with 409 while you are the only owner of an organization with other members: appoint " +
          "another owner or delete the organization first. Organizations where you are the only member are " +
          "deleted with everything in them. API keys you created are revoked; what you created in " +
          "organizations stays, no longer attributed to you; the audit log keeps your actions under your user id, " +
          "without your email, IP address or user agent.",
        body: DeleteAccountBody,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind === "api_key") throw badRequest("unreachable");
      const [user] = await db.select().from(users).where(eq(users.id, p.userId));
      if (!user) throw notFound("User");
      if (user.passwordHash === null) {
        throw unprocessable([
          {
            path: "body.password",
            message:
              "this account has no password: it signs in through your identity provider; remove it there",
          },
        ]);
      }
      if (!(await verifyPassword(user.passwordHash, req.body.password))) {
        throw unprocessable([{ path: "body.password", message: "is incorrect" }]);
      }

      const mine = await db
        .select({ orgId: memberships.orgId, role: memberships.role, name: organizations.name })
        .from(memberships)
        .innerJoin(organizations, eq(organizations.id, memberships.orgId))
        .where(eq(memberships.userId, user.id));
      const solo: string[] = [];
      const blocking: string[] = [];
      for (const m of mine) {
        const [others] = await db
          .select({ n: count() })
          .from(memberships)
          .where(and(eq(memberships.orgId, m.orgId), ne(memberships.userId, user.id)));
        if (!others?.n) {
          solo.push(m.orgId);
          continue;
        }
        if (m.role !== "owner") continue;
        const [owners] = await db
          .select({ n: count() })
          .from(memberships)
          .where(
            and(
              eq(memberships.orgId, m.orgId),
              eq(memberships.role, "owner"),
              ne(memberships.userId, user.id),
            ),
          );
        if (!owners?.n) blocking.push(`${m.name} (${m.orgId})`);
      }
      if (blocking.length) {
        throw new DomainError(
          "sole_owner",
          `You are the only owner of ${blocking.join(", ")}, which ${blocking.length > 1 ? "have" : "has"} other members: ` +
            "make another member an owner, or delete the organization, before deleting your account.",
        );
      }

      for (const orgId of solo) {
        await eraseOrganization(
          db,
          store,
          orgId,
          (tx, erasure) =>
            recordAudit(tx, req, {
              action: "org.deleted",
              orgId: null,
              targetType: "organization",
              targetId: orgId,
              metadata: { reason: "account_deleted", ...erasure },
            }),
          req.log,
        );
      }
      const remaining = mine.filter((m) => !solo.includes(m.orgId));
      await db.transaction(async (tx) => {
        const revoked = await tx
          .update(apiKeys)
          .set({ revokedAt: new Date() })
          .where(and(eq(apiKeys.createdBy, user.id), isNull(apiKeys.revokedAt)))
          .returning({ id: apiKeys.id, orgId: apiKeys.orgId });
        for (const m of remaining) {
          await recordAudit(tx, req, {
            action: "member.account_deleted",
            orgId: m.orgId,
            targetType: "user",
            targetId: user.id,
            metadata: {
              role: m.role,
              apiKeysRevoked: revoked.filter((k) => k.orgId === m.orgId).map((k) => k.id),
            },
          });
        }
        await recordAudit(tx, req, {
          action: "auth.account_deleted",
          orgId: null,
          targetType: "user",
          targetId: user.id,
          metadata: { organizationsLeft: remaining.length, organizationsDeleted: solo.length },
        });
        // Memberships and sessions cascade; createdBy columns elsewhere become null.
        await tx.delete(users).where(eq(users.id, user.id));
        // Then the history that remains keeps the events but not who they were (email, IP).
        await pseudonymizeAuditActor(tx as unknown as Db, user.id, user.email);
      });
      clearSessionCookie(app, reply);
      return reply.code(204).send();
    },
  );
}
