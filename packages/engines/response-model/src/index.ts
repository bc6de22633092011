export type { FieldKind, FieldSpec, RawTable } from "./types.ts";
