import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  AcceptInvitationBody,
  CreateInvitationBody,
  InvitationCreatedDto,
  InvitationListQuery,
  InvitationPage,
  OrgWithRoleDto,
} from "@modelworks/contracts/orgs";
import { KEY_GRANTABLE_ROLES } from "@modelworks/contracts/roles";
import { and, asc, count, desc, eq, gt, isNotNull, isNull, lte, type SQL } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { hashToken, newToken } from "../auth/tokens.ts";
import { invitations, memberships, organizations, sessions, users } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { passwordAccount } from "../db/users.ts";
import { orgDto } from "../dto/orgs.ts";
import { DomainError, forbidden, notFound } from "../errors/domain-error.ts";
import { JWT_BOUND, orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";

const tags = ["invitations"];
type InvitationRow = typeof invitations.$inferSelect;
type Status = "pending" | "accepted" | "revoked" | "expired";

function statusOf(i: InvitationRow, now = new Date()): Status {
  if (i.acceptedAt) return "accepted";
  if (i.revokedAt) return "revoked";
  if (i.expiresAt <= now) return "expired";
  return "pending";
}

function toDto(i: InvitationRow) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    status: statusOf(i),
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
  };
}

function statusFilter(status: Status | undefined): SQL | undefined {
  const now = new Date();
  switch (status) {
    case "accepted":
      return isNotNull(invitations.acceptedAt);
    case "revoked":
      return and(isNull(invitations.acceptedAt), isNotNull(invitations.revokedAt));
    case "expired":
      return and(
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        lte(invitations.expiresAt, now),
      );
    case "pending":
      return and(
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, now),
      );
    default:
      return undefined;
  }
}

/**
 * Invitations by token: the admin receives the token (once) and passes it on; the invitee,
 * signed in with the invited email and having confirmed it (the sign-up link), accepts it. A
 * token works once.
 */
export async function invitationRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.post(
    "/org/invitations",
    {
      config: { access: "members:manage" },
      schema: {
        tags,
        summary: "Invite someone by email",
        body: CreateInvitationBody,
        response: { 201: InvitationCreatedDto },
      },
    },
    async (req, reply) => {
      const org = orgOf(req);
      const { email, role, expiresInHours } = req.body;
      const p = req.principal!;
      if (p.kind === "api_key" && !KEY_GRANTABLE_ROLES.has(role)) {
        // Else an admin key could mint a human admin — who manages keys and exports the org.
        throw forbidden(
          `API keys cannot invite an ${role}; a person with that right must send the invitation.`,
        );
      }
      if (role === "owner" && org.role !== "owner") throw forbidden("Only an owner can invite an owner.");
      const [existing] = await db
        .select({ userId: users.id })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.orgId, org.id), passwordAccount(email)));
      if (existing)
        throw new DomainError("already_member", `${email} is already a member of this organization.`);
      const token = newToken("invitation");
      const row = await db.transaction(async (tx) => {
        const [inv] = await tx
          .insert(invitations)
          .values({
            orgId: org.id,
            email,
            role,
            tokenHash: hashToken(token),
            invitedBy: actorOf(req).userId,
            expiresAt: new Date(Date.now() + expiresInHours * 3_600_000),
          })
          .returning();
        await recordAudit(tx, req, {
          action: "invitation.created",
          orgId: org.id,
          targetType: "invitation",
          targetId: inv!.id,
          metadata: { email, role },
        });
        return inv!;
      });
      const acceptUrl = `${app.deps.config.PUBLIC_URL}/invitations/accept?token=${encodeURIComponent(token)}`;
      return reply
        .code(201)
        .header("location", `/api/v1/org/invitations/${row.id}`)
        .send({ ...toDto(row), token, acceptUrl });
    },
  );

  r.get(
    "/org/invitations",
    {
      config: { access: "members:manage" },
      schema: {
        tags,
        summary: "List invitations",
        querystring: InvitationListQuery,
        response: { 200: InvitationPage },
      },
    },
    async (req) => {
      const { limit, offset, sort, status } = req.query;
      const where = and(eq(invitations.orgId, orgOf(req).id), statusFilter(status));
      const { field, descending } = parseSort<"createdAt" | "email">(sort);
      const column = { createdAt: invitations.createdAt, email: invitations.email }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(invitations)
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(invitations.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(invitations).where(where),
      ]);
      return { items: rows.map(toDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.delete(
    "/org/invitations/:id",
    {
      config: { access: "members:manage" },
      schema: {
        tags,
        summary: "Revoke a pending invitation",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await db.transaction(async (tx) => {
        const inv = firstOr404(
          await tx
            .select()
            .from(invitations)
            .where(inOrg(invitations, orgId, req.params.id))
            .for("update"),
          "Invitation",
        );
        const status = statusOf(inv);
        if (status !== "pending" && status !== "expired")
          throw new DomainError("invitation_not_pending", `The invitation is already ${status}.`);
        await tx.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, inv.id));
        await recordAudit(tx, req, {
          action: "invitation.revoked",
          orgId,
          targetType: "invitation",
          targetId: inv.id,
          metadata: { email: inv.email },
        });
      });
      return reply.code(204).send();
    },
  );

  r.post(
    "/invitations/accept",
    {
      config: { access: "user", changesAccess: true },
      schema: {
        tags,
        summary: "Accept an invitation (signed in with the invited email)",
        body: AcceptInvitationBody,
        response: { 200: OrgWithRoleDto },
      },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind === "api_key") throw forbidden("API keys cannot accept invitations.");
      // The token's issuer vouches for the person in the organization it names, not for their
      // email elsewhere: joining another organization takes a Modelworks sign-in.
      if (p.kind === "jwt") throw forbidden(JWT_BOUND);
      return db.transaction(async (tx) => {
        const [inv] = await tx
          .select()
          .from(invitations)
          .where(eq(invitations.tokenHash, hashToken(req.body.token)))
          .for("update");
        if (!inv) throw notFound("Invitation");
        const status = statusOf(inv);
        if (status === "accepted")
          throw new DomainError("invitation_used", "This invitation has already been used.");
        if (status === "revoked")
          throw new DomainError("invitation_revoked", "This invitation has been revoked.");
        if (status === "expired")
          throw new DomainError("invitation_expired", "This invitation has expired; ask for a new one.");
        if (inv.email !== p.email) {
          throw forbidden(
            "This invitation was sent to a different email address; sign in with that address to accept it.",
          );
        }
        // The invitation is addressed to a mailbox: only someone who proved they read it may take
        // the role (an unverified account with the invited address proves nothing).
        const [me] = await tx
          .select({ emailVerifiedAt: users.emailVerifiedAt })
          .from(users)
          .where(eq(users.id, p.userId));
        if (!me?.emailVerifiedAt) {
          throw forbidden(
            "Confirm your email address before accepting an invitation: open the link we mailed to you when you signed up.",
          );
        }
        const [added] = await tx
          .insert(memberships)
          .values({ orgId: inv.orgId, userId: p.userId, role: inv.role })
          .onConflictDoNothing()
          .returning();
        if (!added) throw new DomainError("already_member", "You are already a member of this organization.");
        await tx
          .update(invitations)
          .set({ acceptedAt: new Date(), acceptedBy: p.userId })
          .where(eq(invitations.id, inv.id));
        if (p.kind === "session") {
          await tx.update(sessions).set({ activeOrgId: inv.orgId }).where(eq(sessions.id, p.sessionId));
        }
        await recordAudit(tx, req, {
          action: "invitation.accepted",
          orgId: inv.orgId,
          targetType: "invitation",
          targetId: inv.id,
        });
        await recordAudit(tx, req, {
          action: "member.added",
          orgId: inv.orgId,
          targetType: "user",
          targetId: p.userId,
          metadata: { role: inv.role, via: "invitation" },
        });
        const [org] = await tx.select().from(organizations).where(eq(organizations.id, inv.orgId));
        return { ...orgDto(org!), role: inv.role };
      });
    },
  );
}
