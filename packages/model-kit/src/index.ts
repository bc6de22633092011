export * from "./context.ts";
export * from "./define.ts";
export * from "./descriptors.ts";
export * from "./errors.ts";
export * from "./fields.ts";
export * from "./parallel.ts";
export * from "./reference-data.ts";
export * from "./text.ts";
