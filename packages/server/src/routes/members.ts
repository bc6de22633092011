import { parseSort } from "@modelworks/contracts/common";
import {
  MemberDto,
  MemberListQuery,
  MemberPage,
  UpdateMemberBody,
  UserIdParams,
} from "@modelworks/contracts/orgs";
import { KEY_GRANTABLE_ROLES, type Role } from "@modelworks/contracts/roles";
import { and, asc, count, desc, eq } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { memberships, sessions, users } from "../db/schema.ts";
import { DomainError, forbidden, notFound } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { recordAudit } from "../http/audit.ts";

const tags = ["members"];

/** Members of the current organization and their roles. */
export async function memberRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  const memberColumns = {
    userId: users.id,
    email: users.email,
    name: users.name,
    role: memberships.role,
    joinedAt: memberships.createdAt,
  };
  const toDto = (m: { userId: string; email: string; name: string; role: Role; joinedAt: Date }) => ({
    ...m,
    joinedAt: m.joinedAt.toISOString(),
  });

  r.get(
    "/org/members",
    {
      config: { access: "org:read" },
      schema: { tags, summary: "List members", querystring: MemberListQuery, response: { 200: MemberPage } },
    },
    async (req) => {
      const { limit, offset, sort, role } = req.query;
      const where = and(eq(memberships.orgId, orgOf(req).id), role ? eq(memberships.role, role) : undefined);
      const { field, descending } = parseSort<"joinedAt" | "email" | "role">(sort);
      const column = { joinedAt: memberships.createdAt, email: users.email, role: memberships.role }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select(memberColumns)
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(users.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(memberships).where(where),
      ]);
      return { items: rows.map(toDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.patch(
    "/org/members/:userId",
    {
      config: { access: "members:manage", changesAccess: true },
      schema: {
        tags,
        summary: "Change a member's role",
        params: UserIdParams,
        body: UpdateMemberBody,
        response: { 200: MemberDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const { userId } = req.params;
      return db.transaction(async (tx) => {
        const target = await lockMember(tx, orgId, userId);
        const role = req.body.role;
        if (target.role === role) return toDto({ ...target, role });
        if (req.principal!.kind === "api_key" && !KEY_GRANTABLE_ROLES.has(role)) {
          // Else an admin key could make a human admin — who manages keys and exports the org.
          throw forbidden(`API keys cannot make a member ${role}; a person with that right must.`);
        }
        if (target.role === "owner" || role === "owner")
          requireOwner(req, "grant or take away the owner role");
        if (target.role === "owner") await keepAnOwner(tx, orgId);
        await tx
          .update(memberships)
          .set({ role, updatedAt: new Date() })
          .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
        await recordAudit(tx, req, {
          action: "member.role_changed",
          orgId,
          targetType: "user",
          targetId: userId,
          metadata: { from: target.role, to: role },
        });
        return toDto({ ...target, role });
      });
    },
  );

  r.delete(
    "/org/members/:userId",
    {
      config: { access: "members:manage", changesAccess: true },
      schema: { tags, summary: "Remove a member", params: UserIdParams, response: { 204: z.undefined() } },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const { userId } = req.params;
      await db.transaction(async (tx) => {
        const target = await lockMember(tx, orgId, userId);
        if (target.role === "owner") {
          requireOwner(req, "remove an owner");
          await keepAnOwner(tx, orgId);
        }
        await tx.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
        await tx
          .update(sessions)
          .set({ activeOrgId: null })
          .where(and(eq(sessions.userId, userId), eq(sessions.activeOrgId, orgId)));
        await recordAudit(tx, req, {
          action: "member.removed",
          orgId,
          targetType: "user",
          targetId: userId,
          metadata: { role: target.role, email: target.email },
        });
      });
      return reply.code(204).send();
    },
  );

  async function lockMember(tx: Db, orgId: string, userId: string) {
    const [m] = await tx
      .select(memberColumns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .for("update", { of: memberships });
    if (!m) throw notFound("Member");
    return m;
  }
}

function requireOwner(req: FastifyRequest, what: string) {
  if (req.org?.role !== "owner") throw forbidden(`Only an owner can ${what}.`);
}

/** Refuses a change that would leave the organization without an owner (owners are locked first). */
async function keepAnOwner(tx: Db, orgId: string) {
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")))
    .for("update");
  if (owners.length <= 1)
    throw new DomainError(
      "sole_owner",
      "An organization needs at least one owner; appoint another owner first.",
    );
}
