// The API's shapes, shared by the server (validation, OpenAPI) and its clients (web forms).

export * from "./audit.ts";
export * from "./auth.ts";
export * from "./common.ts";
export * from "./compare.ts";
export * from "./errors.ts";
export * from "./exports.ts";
export * from "./number-style.ts";
export * from "./orgs.ts";
export * from "./projects.ts";
export * from "./retention.ts";
// The authorization policy, so clients hide what a role cannot do (the server still decides).
export { keyRole, type Permission, ROLE_PERMISSIONS, ROLES } from "./roles.ts";
export * from "./runs.ts";
export * from "./scenarios.ts";
export * from "./sweeps.ts";
