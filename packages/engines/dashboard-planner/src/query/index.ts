export {
  type CompiledQuery,
  compileSlicer,
  compileVisual,
  type OutputRole,
  QueryCompileError,
  type QueryOptions,
  type Selection,
  type SlicerState,
  type SlicerValueOptions,
} from "./compile.ts";
export { ident, type SqlValue } from "./sql.ts";
