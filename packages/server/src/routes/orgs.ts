import { CreateOrgBody, OrgDto, OrgWithRoleDto, UpdateOrgBody } from "@modelworks/contracts/orgs";
import { and, asc, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { memberships, organizations, sessions } from "../db/schema.ts";
import { orgDto } from "../dto/orgs.ts";
import { DomainError, forbidden, notFound } from "../errors/domain-error.ts";
import { JWT_BOUND, NO_ORG, orgOf } from "../http/access.ts";
import { recordAudit } from "../http/audit.ts";
import { eraseOrganization } from "../retention/erase.ts";

const tags = ["organizations"];

/** A slug from a name: `Acme Capital, Inc.` → `acme-capital-inc`, suffixed when taken. */
function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // the accents NFKD split off: `é` → `e`, not `e-`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 32)
    .replace(/^-+|-+$/g, ""); // after the cut, which may end on a hyphen
  return base.length >= 2 ? base : `org-${base}`.replace(/-$/, "");
}

/**
 * Organizations: the ones you belong to (`/orgs`) and the one a request acts in (`/org`,
 * chosen by API key, `x-organization-id` or the session's active organization).
 */
export async function orgRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const store = app.fileStore;

  r.get(
    "/orgs",
    {
      config: { access: "user" },
      schema: {
        tags,
        summary: "Organizations you belong to",
        response: { 200: z.object({ items: z.array(OrgWithRoleDto) }) },
      },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind === "api_key") throw notFound("User");
      // An external token sees only the organization it names (it acts in no other).
      const bound = p.kind === "jwt" ? eq(memberships.orgId, p.orgId ?? NO_ORG) : undefined;
      const rows = await db
        .select({ org: organizations, role: memberships.role })
        .from(memberships)
        .innerJoin(organizations, eq(organizations.id, memberships.orgId))
        .where(and(eq(memberships.userId, p.userId), bound))
        .orderBy(asc(memberships.createdAt));
      return { items: rows.map((r) => ({ ...orgDto(r.org), role: r.role })) };
    },
  );

  r.post(
    "/orgs",
    {
      config: { access: "user", changesAccess: true },
      schema: {
        tags,
        summary: "Create an organization (you become its owner)",
        body: CreateOrgBody,
        response: { 201: OrgWithRoleDto },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind === "api_key") throw notFound("User");
      if (p.kind === "jwt") throw forbidden(JWT_BOUND);
      const slug = req.body.slug ?? (await freeSlug(slugify(req.body.name)));
      const org = await db.transaction(async (tx) => {
        const [o] = await tx
          .insert(organizations)
          .values({ name: req.body.name, slug })
          .onConflictDoNothing()
          .returning();
        if (!o) throw new DomainError("name_taken", `The slug \`${slug}\` is taken; choose another.`);
        await tx.insert(memberships).values({ orgId: o.id, userId: p.userId, role: "owner" });
        if (p.kind === "session") {
          const [s] = await tx.select().from(sessions).where(eq(sessions.id, p.sessionId));
          if (s && !s.activeOrgId)
            await tx.update(sessions).set({ activeOrgId: o.id }).where(eq(sessions.id, s.id));
        }
        await recordAudit(tx, req, {
          action: "org.created",
          orgId: o.id,
          targetType: "organization",
          targetId: o.id,
        });
        return o;
      });
      return reply
        .code(201)
        .header("location", "/api/v1/org")
        .send({ ...orgDto(org), role: "owner" as const });
    },
  );

  r.get(
    "/org",
    {
      config: { access: "org:read" },
      schema: { tags, summary: "The organization this request acts in", response: { 200: OrgDto } },
    },
    async (req) => {
      const [o] = await db
        .select()
        .from(organizations)
        .where(eq(organizations.id, orgOf(req).id));
      if (!o) throw notFound("Organization");
      return orgDto(o);
    },
  );

  r.patch(
    "/org",
    {
      config: { access: "org:manage", changesAccess: true },
      schema: {
        tags,
        summary: "Rename the organization, change its slug, or its number style and locale",
        description:
          "`locale` (en-US, de-DE) picks the paper of printed exports (Letter or A4) and their date format; " +
          "`negativeNumbers` (minus or brackets) and `negativesRed` say how every view and export writes negatives.",
        body: UpdateOrgBody,
        response: { 200: OrgDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      return db.transaction(async (tx) => {
        const [before] = await tx.select().from(organizations).where(eq(organizations.id, orgId));
        if (!before) throw notFound("Organization");
        if (req.body.slug && req.body.slug !== before.slug) {
          const [taken] = await tx
            .select({ id: organizations.id })
            .from(organizations)
            .where(eq(organizations.slug, req.body.slug));
          if (taken)
            throw new DomainError("name_taken", `The slug \`${req.body.slug}\` is taken; choose another.`);
        }
        const [o] = await tx
          .update(organizations)
          .set({ ...req.body, updatedAt: new Date() })
          .where(eq(organizations.id, orgId))
          .returning();
        await recordAudit(tx, req, {
          action: "org.updated",
          orgId,
          targetType: "organization",
          targetId: orgId,
          metadata: {
            // Name and slug always (who it was); the settings only when they changed.
            before: {
              name: before.name,
              slug: before.slug,
              ...Object.fromEntries(
                (["locale", "negativeNumbers", "negativesRed"] as const)
                  .filter((k) => req.body[k] !== undefined)
                  .map((k) => [k, before[k]]),
              ),
            },
            after: req.body,
          },
        });
        return orgDto(o!);
      });
    },
  );

  r.delete(
    "/org",
    {
      config: { access: "org:manage", changesAccess: true },
      schema: {
        tags,
        summary: "Delete the organization and everything in it",
        description:
          "An erasure: its projects, scenarios, runs, files (and their stored bytes), members' access and its " +
          "audit history all go. One audit event without an organization records who deleted it.",
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      // An erasure: the org's rows, its audit history and its files' blobs all go. What remains
      // is one org-less audit event saying who deleted it (docs/decisions/0014-retention-and-privacy.md).
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
            metadata: erasure,
          }),
        req.log,
      );
      return reply.code(204).send();
    },
  );

  async function freeSlug(base: string): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const candidate = i === 0 ? base : `${base}-${i + 1}`;
      const [taken] = await db
        .select({ id: organizations.id })
        .from(organizations)
        .where(eq(organizations.slug, candidate));
      if (!taken) return candidate;
    }
    return `${base}-${Date.now().toString(36)}`;
  }
}
