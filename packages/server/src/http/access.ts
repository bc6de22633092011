import {
  keyPermissions,
  keyRole,
  minimumRoleFor,
  type Permission,
  ROLE_PERMISSIONS,
  SCOPE_ROLE,
} from "@modelworks/contracts/roles";
import { and, eq } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { OrgContext } from "../auth/principal.ts";
import { csrfTokenFor, safeEqual } from "../auth/tokens.ts";
import { memberships } from "../db/schema.ts";
import { badRequest, DomainError, forbidden, notFound, unauthorized } from "../errors/domain-error.ts";

/**
 * What a route requires:
 * - "public": anyone;
 * - "user": a signed-in person (session or external JWT), not an API key;
 * - a Permission: a member (or API key) of the request's organization holding it.
 */
export type Access = "public" | "user" | Permission;

export const ORG_HEADER = "x-organization-id";
export const CSRF_HEADER = "x-csrf-token";
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Why an external token is refused outside the organization it names. */
export const JWT_BOUND =
  "An external token acts only in the organization it names; sign in to Modelworks for anything else.";
/** A uuid no organization has: filters that must match nothing for a token bound to none. */
export const NO_ORG = "00000000-0000-0000-0000-000000000000";
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one place that decides whether a request may proceed. Every route declares
 * `config.access`; a route without one fails at start-up rather than being open by accident.
 * It runs before body validation, so an unauthenticated caller learns nothing about a route's input.
 */
export const accessPlugin = fp(async (app: FastifyInstance) => {
  app.addHook("onRoute", (route) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (route.url.startsWith("/api/") && !access) {
      throw new Error(`Route ${route.method} ${route.url} must declare config.access`);
    }
  });

  app.addHook("preValidation", async (req) => {
    const access = req.routeOptions.config.access;
    if (!access || access === "public") return;
    const p = req.principal;
    if (!p) throw req.authProblem ?? unauthorized();
    if (p.kind === "session" && UNSAFE_METHODS.has(req.method)) checkCsrf(app, req, p.sessionTokenHash);
    if (access === "user") {
      if (p.kind === "api_key")
        throw forbidden("This endpoint needs a signed-in user; API keys cannot use it.");
      return;
    }
    req.org = await resolveOrg(app, req);
    if (!req.org.permissions.has(access)) {
      throw forbidden(
        `This action requires the ${minimumRoleFor(access)} role or higher; ${whyNot(req, access)}.`,
      );
    }
  });
});

function checkCsrf(app: FastifyInstance, req: FastifyRequest, sessionTokenHash: string) {
  const sent = req.headers[CSRF_HEADER];
  const expected = csrfTokenFor(app.deps.config.SESSION_SECRET, sessionTokenHash);
  if (typeof sent !== "string" || !safeEqual(sent, expected)) {
    throw forbidden(
      `Missing or invalid CSRF token: send the session's csrfToken in the ${CSRF_HEADER} header.`,
    );
  }
}

/**
 * The organization a request acts in: an API key's own (another named by header is 404), an
 * external token's own (another is 403), else the header or the session's active organization.
 */
async function resolveOrg(app: FastifyInstance, req: FastifyRequest): Promise<OrgContext> {
  const p = req.principal!;
  const header = req.headers[ORG_HEADER];
  if (header !== undefined && (typeof header !== "string" || !UUID_RE.test(header))) {
    throw new DomainError("bad_request", `The ${ORG_HEADER} header must be an organization id (UUID).`, [
      { path: `headers.${ORG_HEADER}`, message: "must be a UUID" },
    ]);
  }
  if (p.kind === "api_key") {
    if (header && header.toLowerCase() !== p.orgId) throw notFound("Organization");
    return {
      id: p.orgId,
      role: null,
      keyRole: keyRole(p.scope, p.creatorRole),
      permissions: keyPermissions(p.scope, p.creatorRole),
    };
  }
  if (p.kind === "jwt") {
    // An external token acts only in the organization it names: its issuer vouches for the
    // person there and nowhere else. A token that names none acts in none (least privilege).
    if (!p.orgId) {
      throw forbidden(
        `This token names no organization (claim \`${app.deps.config.JWT_ORG_CLAIM}\`), so it cannot act in one; ` +
          "ask your identity provider for a token that names the organization.",
      );
    }
    if (header && header.toLowerCase() !== p.orgId) {
      throw forbidden(
        "This token acts only in the organization it names; it cannot act in another with the " +
          `${ORG_HEADER} header.`,
      );
    }
  }
  const orgId = header?.toLowerCase() ?? (p.kind === "session" ? p.activeOrgId : p.orgId);
  if (!orgId) {
    throw badRequest(
      `No organization selected: send the ${ORG_HEADER} header or choose one with PUT /api/v1/session/organization.`,
    );
  }
  const userId = p.userId;
  // Cached (src/auth/cache.ts): a role change or removal flushes it on every instance.
  const m = await app.deps.authCache.get(`member:${orgId}:${userId}`, async () => {
    const [found] = await app.deps.database.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
    return found ?? null;
  });
  // Not a member: the organization does not exist as far as this caller may know.
  if (!m) throw notFound("Organization");
  return { id: orgId, role: m.role, permissions: ROLE_PERMISSIONS[m.role] };
}

/** The second half of a 403: the caller's role, or what caps an API key. */
function whyNot(req: FastifyRequest, access: Permission): string {
  const org = req.org!;
  const p = req.principal!;
  if (org.role || p.kind !== "api_key") return `your role is ${org.role}`;
  const actsAs = org.keyRole!;
  if (ROLE_PERMISSIONS[actsAs].has(access)) return "API keys cannot do this at any scope; a person must";
  if (actsAs !== SCOPE_ROLE[p.scope]) {
    return `this API key acts as ${actsAs}: its scope is ${p.scope}, but the person who created it is now ${p.creatorRole}`;
  }
  return `this API key (scope ${p.scope}) acts as ${actsAs}`;
}

/** For handlers of org-scoped routes: the organization the access check established. */
export function orgOf(req: FastifyRequest): OrgContext {
  if (!req.org) throw new Error("orgOf() called on a route without an org permission");
  return req.org;
}

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
}
