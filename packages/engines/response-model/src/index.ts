export * from "./data/index.ts";
export * from "./evaluate/index.ts";
export * from "./fit/index.ts";
export * from "./prepare/index.ts";
export * from "./scorecard/index.ts";
export * from "./sql/index.ts";
export type { FieldKind, FieldSpec, RawTable } from "./types.ts";
