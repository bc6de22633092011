import type { ApiKeyScope, Permission, Role } from "@modelworks/contracts/roles";

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
  | {
      kind: "api_key";
      apiKeyId: string;
      orgId: string;
      scope: ApiKeyScope;
      createdBy: string;
      /** The creator's role in the key's organization now: the key never acts above it. */
      creatorRole: Role;
    }
  | {
      kind: "jwt";
      userId: string;
      email: string;
      /** The organization the token names: the only one it may act in (null: none). */
      orgId: string | null;
      /** The identity the token asserts: its issuer (or the verifier's, when it names none) and subject. */
      issuer: string;
      subject: string;
    };

/** The organization a request acts in, set by the access check for org-scoped routes. */
export interface OrgContext {
  id: string;
  /** The member's role; null when acting through an API key. */
  role: Role | null;
  /** For an API key: the role it acts as (its scope's, capped by its creator's current role). */
  keyRole?: Role;
  permissions: ReadonlySet<Permission>;
}

export function principalUserId(p: Principal | null): string | null {
  if (!p) return null;
  return p.kind === "api_key" ? null : p.userId;
}
