export * from "./plan/index.ts";
export * from "./profile/index.ts";
