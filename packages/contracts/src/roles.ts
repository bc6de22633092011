/**
 * Roles, API-key scopes and the permissions they grant: the whole authorization policy in one
 * table. Routes declare the permission they need; nothing else decides who may do what.
 */
export const ROLES = ["viewer", "analyst", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

export const API_KEY_SCOPES = ["read", "run", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const PERMISSIONS = [
  "org:read", // see the organization and its members
  "org:manage", // rename or delete the organization, appoint owners
  "members:manage", // invite, change roles, remove members
  "keys:manage", // create, list and revoke API keys
  "audit:read", // read the audit log
  "projects:read",
  "projects:write", // create, rename, archive projects (and later: run models)
  "projects:delete", // delete projects and everything in them
  "runs:read", // see runs, their inputs, outputs and progress
  "runs:execute", // start, cancel, compare and sweep runs
  "runs:delete", // delete run records
  "models:approve", // approve or retire fitted model artifacts (issue 15)
  "retention:manage", // change how long files, runs and expired share links are kept
  "data:export", // download everything the organization holds as one zip
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = ["org:read", "projects:read", "runs:read"];
const ANALYST: readonly Permission[] = [...VIEWER, "projects:write", "runs:execute"];
const ADMIN: readonly Permission[] = [
  ...ANALYST,
  "projects:delete",
  "runs:delete",
  "models:approve",
  "members:manage",
  "keys:manage",
  "audit:read",
  "retention:manage",
  "data:export",
];
const OWNER: readonly Permission[] = [...ADMIN, "org:manage"];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(VIEWER),
  analyst: new Set(ANALYST),
  admin: new Set(ADMIN),
  owner: new Set(OWNER),
};

/**
 * An API key acts like a member of the matching role, with three exceptions: no key manages the
 * organization itself, no key manages keys — so a leaked key cannot mint its own successors — and
 * no key exports the whole organization, so a leaked key cannot carry everything off in one call.
 */
const NOT_FOR_KEYS: ReadonlySet<Permission> = new Set(["keys:manage", "data:export"]);
export const SCOPE_PERMISSIONS: Record<ApiKeyScope, ReadonlySet<Permission>> = {
  read: ROLE_PERMISSIONS.viewer,
  run: ROLE_PERMISSIONS.analyst,
  admin: new Set(ADMIN.filter((p) => !NOT_FOR_KEYS.has(p))),
};

/** The role a key's scope stands for; a key never acts above its creator's current role either. */
export const SCOPE_ROLE: Record<ApiKeyScope, Exclude<Role, "owner">> = {
  read: "viewer",
  run: "analyst",
  admin: "admin",
};

/** The lower of two roles. */
export function lesserRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}

/**
 * What a key may do: the role its scope stands for, capped by its creator's current role in the
 * key's organization (a demoted creator's keys are demoted with them), less what no key may do.
 */
export function keyRole(scope: ApiKeyScope, creatorRole: Role): Role {
  return lesserRole(SCOPE_ROLE[scope], creatorRole);
}
export function keyPermissions(scope: ApiKeyScope, creatorRole: Role): ReadonlySet<Permission> {
  // The capped role is at most the scope's, so it is always some scope's role.
  const role = keyRole(scope, creatorRole);
  return SCOPE_PERMISSIONS[role === "viewer" ? "read" : role === "analyst" ? "run" : "admin"];
}

/** Roles a key may hand out by invitation or role change: below admin, so no key mints an admin. */
export const KEY_GRANTABLE_ROLES: ReadonlySet<Role> = new Set(["viewer", "analyst"]);

/** The least role that holds a permission: used in 403 messages ("requires role analyst"). */
export function minimumRoleFor(permission: Permission): Role {
  return ROLES.find((r) => ROLE_PERMISSIONS[r].has(permission)) ?? "owner";
}
