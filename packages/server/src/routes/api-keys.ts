import { IdParams, parseSort } from "@modelworks/contracts/common";
import { ApiKeyCreatedDto, ApiKeyListQuery, ApiKeyPage, CreateApiKeyBody } from "@modelworks/contracts/orgs";
import type { Role } from "@modelworks/contracts/roles";
import { and, asc, count, desc, eq, isNull } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { hashToken, newToken } from "../auth/tokens.ts";
import { apiKeys, memberships, users } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { badRequest, DomainError } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { recordAudit } from "../http/audit.ts";

const tags = ["api keys"];
type ApiKeyRow = typeof apiKeys.$inferSelect;
type Creator = { userId: string; name: string; email: string; role: Role | null } | null;

function toDto(k: ApiKeyRow, createdBy: Creator) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scope: k.scope,
    createdBy,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

/** Organization API keys: the key is shown once at creation; only its SHA-256 is stored. */
export async function apiKeyRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  r.post(
    "/org/api-keys",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "Create an API key",
        body: CreateApiKeyBody,
        response: { 201: ApiKeyCreatedDto },
      },
    },
    async (req, reply) => {
      const org = orgOf(req);
      const orgId = org.id;
      const p = req.principal!;
      // keys:manage is never a key's: a person creates every key, and the key answers to them.
      if (p.kind === "api_key") throw badRequest("unreachable");
      const key = newToken("apiKey");
      const { name, scope, expiresInDays } = req.body;
      const row = await db.transaction(async (tx) => {
        const [k] = await tx
          .insert(apiKeys)
          .values({
            orgId,
            name,
            scope,
            prefix: key.slice(0, 12),
            tokenHash: hashToken(key),
            createdBy: p.userId,
            expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
          })
          .returning();
        await recordAudit(tx, req, {
          action: "api_key.created",
          orgId,
          targetType: "api_key",
          targetId: k!.id,
          metadata: { name, scope },
        });
        return k!;
      });
      const [me] = await db
        .select({ name: users.name, email: users.email })
        .from(users)
        .where(eq(users.id, p.userId));
      return reply
        .code(201)
        .header("location", `/api/v1/org/api-keys/${row.id}`)
        .send({ ...toDto(row, { userId: p.userId, name: me!.name, email: me!.email, role: org.role }), key });
    },
  );

  r.get(
    "/org/api-keys",
    {
      config: { access: "keys:manage" },
      schema: { tags, summary: "List API keys", querystring: ApiKeyListQuery, response: { 200: ApiKeyPage } },
    },
    async (req) => {
      const { limit, offset, sort, includeRevoked } = req.query;
      const where = and(
        eq(apiKeys.orgId, orgOf(req).id),
        includeRevoked ? undefined : isNull(apiKeys.revokedAt),
      );
      const { field, descending } = parseSort<"createdAt" | "name" | "lastUsedAt">(sort);
      const column = { createdAt: apiKeys.createdAt, name: apiKeys.name, lastUsedAt: apiKeys.lastUsedAt }[
        field
      ];
      const [rows, [total]] = await Promise.all([
        db
          .select({
            key: apiKeys,
            userId: users.id,
            name: users.name,
            email: users.email,
            role: memberships.role,
          })
          .from(apiKeys)
          .leftJoin(users, eq(users.id, apiKeys.createdBy))
          .leftJoin(
            memberships,
            and(eq(memberships.orgId, apiKeys.orgId), eq(memberships.userId, apiKeys.createdBy)),
          )
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(apiKeys.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(apiKeys).where(where),
      ]);
      const items = rows.map(({ key, userId, name, email, role }) =>
        toDto(key, userId && name !== null && email !== null ? { userId, name, email, role } : null),
      );
      return { items, total: total?.n ?? 0, limit, offset };
    },
  );

  r.delete(
    "/org/api-keys/:id",
    {
      config: { access: "keys:manage", changesAccess: true },
      schema: {
        tags,
        summary: "Revoke an API key (takes effect at once)",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await db.transaction(async (tx) => {
        const k = firstOr404(
          await tx
            .select()
            .from(apiKeys)
            .where(inOrg(apiKeys, orgId, req.params.id))
            .for("update"),
          "API key",
        );
        if (k.revokedAt) throw new DomainError("already_revoked", "This API key is already revoked.");
        await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, k.id));
        await recordAudit(tx, req, {
          action: "api_key.revoked",
          orgId,
          targetType: "api_key",
          targetId: k.id,
          metadata: { name: k.name },
        });
      });
      return reply.code(204).send();
    },
  );
}
