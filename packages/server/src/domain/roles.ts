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

/** The least role that holds a permission: used in 403 messages ("requires role analyst"). */
export function minimumRoleFor(permission: Permission): Role {
  return ROLES.find((r) => ROLE_PERMISSIONS[r].has(permission)) ?? "owner";
}
