export { ByteInterner, ColumnScorer, cellTextOf, type ScoredColumns } from "./column-scorer.ts";
export * from "./data/index.ts";
export * from "./evaluate/index.ts";
export { SAMPLE_DATA_NAMES, type SampleDataName } from "./examples/sample-names.ts";
export { sampleFieldEnds, sampleRecords } from "./examples/samples.ts";
export * from "./fit/index.ts";
export { responseModel } from "./model.ts";
export * from "./model-schema.ts";
export { MODEL_ID, MODEL_VERSION, type PipelineContext, runResponseModel } from "./pipeline.ts";
export * from "./prepare/index.ts";
export * from "./records.ts";
export * from "./score.ts";
export * from "./scorecard/index.ts";
export * from "./sql/index.ts";
export {
  builtInSummary,
  type ExecutiveSummary,
  executiveSummary,
  summaryFacts,
  unsupportedNumbers,
} from "./summary.ts";
export type { FieldKind, FieldSpec, RawTable } from "./types.ts";
