export * from "./plan/index.ts";
export * from "./powerbi/index.ts";
export * from "./profile/index.ts";
export * from "./query/index.ts";
