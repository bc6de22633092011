import type { ApiKeyScope, Permission, Role } from "../domain/roles.ts";

/** Who is making a request, as established from its credentials (before any access decision). */
export type Principal =
  | {
      kind: "session";
      userId: string;
      email: string;
      sessionId: string;
      sessionTokenHash: string;
      activeOrgId: string | null;
    }
  | { kind: "api_key"; apiKeyId: string; orgId: string; scope: ApiKeyScope; createdBy: string | null }
  | { kind: "jwt"; userId: string; email: string; orgId: string | null };

/** The organization a request acts in, set by the access check for org-scoped routes. */
export interface OrgContext {
  id: string;
  /** The member's role; null when acting through an API key. */
  role: Role | null;
  permissions: ReadonlySet<Permission>;
}

export function principalUserId(p: Principal | null): string | null {
  if (!p) return null;
  return p.kind === "api_key" ? null : p.userId;
}
