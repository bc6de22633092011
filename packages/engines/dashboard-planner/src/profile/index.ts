export { analyzeTable, analyzeTables, findRelationships, grainOf } from "./analyze.ts";
export { regionKindOf } from "./geo.ts";
export { columnRole } from "./roles.ts";
export type * from "./types.ts";
