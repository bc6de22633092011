// Each optimizer lives in its own folder; this file only re-exports them (one line per engine).

export * from "./capex-phasing/index.ts";
export * from "./deal-picker/index.ts";
export * from "./debt-stack/index.ts";
export * from "./leasing-mix/index.ts";
