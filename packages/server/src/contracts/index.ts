// The API's shapes, shared by the server (validation, OpenAPI) and its clients (web forms).
export * from "./audit.ts";
export * from "./auth.ts";
export * from "./common.ts";
export * from "./exports.ts";
export * from "./orgs.ts";
export * from "./projects.ts";
export * from "./runs.ts";
export * from "./scenarios.ts";
