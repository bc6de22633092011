export * from "./auc.ts";
export * from "./curves.ts";
export * from "./deciles.ts";
export * from "./delong.ts";
export * from "./forward.ts";
export * from "./mailing.ts";
export * from "./metrics.ts";
export * from "./split.ts";
