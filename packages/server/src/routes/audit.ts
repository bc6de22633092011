import { AuditListQuery, AuditPage } from "@modelworks/contracts/audit";
import { and, asc, count, desc, eq, gte, inArray, isNull, like, lt, or, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { likeLiteral } from "../db/like.ts";
import { auditEvents, memberships } from "../db/schema.ts";
import { orgOf } from "../http/access.ts";

/**
 * The audit log of the current organization, for admins. It includes the organization's own
 * events and the account events (sign-ins, failed sign-ins, password changes) of its current members.
 */
export async function auditRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.get(
    "/org/audit-events",
    {
      config: { access: "audit:read" },
      schema: {
        tags: ["audit"],
        summary: "List audit events, newest first",
        querystring: AuditListQuery,
        response: { 200: AuditPage },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const { limit, offset, sort, action, actorUserId, targetType, targetId, since, until } = req.query;
      const members = db
        .select({ id: memberships.userId })
        .from(memberships)
        .where(eq(memberships.orgId, orgId));
      const memberIdsText = db
        .select({ id: sql<string>`${memberships.userId}::text` })
        .from(memberships)
        .where(eq(memberships.orgId, orgId));
      const visible = or(
        eq(auditEvents.orgId, orgId),
        and(
          isNull(auditEvents.orgId),
          or(
            inArray(auditEvents.actorUserId, members),
            and(eq(auditEvents.targetType, "user"), inArray(auditEvents.targetId, memberIdsText)),
          ),
        ),
      );
      const where = and(
        visible,
        action
          ? action.endsWith(".*")
            ? like(auditEvents.action, `${likeLiteral(action.slice(0, -1))}%`)
            : eq(auditEvents.action, action)
          : undefined,
        actorUserId ? eq(auditEvents.actorUserId, actorUserId) : undefined,
        targetType ? eq(auditEvents.targetType, targetType) : undefined,
        targetId ? eq(auditEvents.targetId, targetId) : undefined,
        since ? gte(auditEvents.createdAt, new Date(since)) : undefined,
        // Timestamps are shown to the millisecond but stored to the microsecond: `until` takes in
        // the whole millisecond it names, so an event's own createdAt finds that event.
        until ? lt(auditEvents.createdAt, new Date(Date.parse(until) + 1)) : undefined,
      );
      const order =
        sort === "createdAt"
          ? [asc(auditEvents.createdAt), asc(auditEvents.id)]
          : [desc(auditEvents.createdAt), desc(auditEvents.id)];
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(auditEvents)
          .where(where)
          .orderBy(...order)
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(auditEvents).where(where),
      ]);
      return {
        items: rows.map(({ orgId: _org, ...e }) => ({ ...e, createdAt: e.createdAt.toISOString() })),
        total: total?.n ?? 0,
        limit,
        offset,
      };
    },
  );
}
