export * from "./powerbi/index.ts";
