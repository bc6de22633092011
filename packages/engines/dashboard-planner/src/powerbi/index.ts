export { type CsvValue, powerBiCsv } from "./csv.ts";
export {
  checkedPowerBiSpec,
  numberFormatString,
  PAGE_WIDTH_PX,
  PLAN_KIND_TO_POWER_BI,
  type PlanMappingNote,
  type PlanToPowerBi,
  planToPowerBiSpec,
  projectName,
  ROW_HEIGHT_PX,
} from "./from-plan.ts";
export { objectName, sha256Hex, stableGuid } from "./ids.ts";
export { DATA_DIR, PowerBiDataError, type ProjectFiles, writePowerBiProject } from "./project.ts";
export {
  PUSH_DATA_TYPES,
  PUSH_LIMITS,
  PUSH_TYPE,
  type PushColumn,
  type PushDataset,
  type PushDataType,
  type PushIssue,
  type PushMeasure,
  type PushRelationship,
  type PushTable,
  type PushValue,
  pushDataset,
  pushRow,
} from "./push-dataset.ts";
export { FORMAT_VERSION, SCHEMA_URL } from "./schema-urls.ts";
export * from "./spec.ts";
export { tmdlName, tmdlText } from "./tmdl.ts";
export { KIND_RULES, ROLES, type Role, VISUAL_KINDS, type VisualKind } from "./visual-kinds.ts";
