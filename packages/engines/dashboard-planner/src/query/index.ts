export {
  type CompiledQuery,
  compileSlicer,
  compileVisual,
  type OutputRole,
  QueryCompileError,
  type QueryOptions,
  type Selection,
  type SlicerState,
} from "./compile.ts";
export { ident, type SqlValue } from "./sql.ts";
