import { unprocessable } from "../errors/domain-error.ts";
import { findModel } from "../models/find.ts";
import { type StandardSchemaName, standardTable } from "./standard.ts";
import { inputTable, inputTables } from "./targets.ts";

export interface TargetRefInput {
  modelId?: string | undefined;
  version?: string | undefined;
  field?: string | undefined;
  schema?: StandardSchemaName | undefined;
}

/** The table a mapping fills: a model's input table or a named standard schema. */
export function resolveTarget(app: { deps: { config: { INTERNAL_MODELS: boolean } } }, ref: TargetRefInput) {
  if (ref.schema) {
    const table = standardTable(ref.schema);
    return { table, target: { modelId: null, modelVersion: null, schema: ref.schema, field: table.field } };
  }
  const { model, table } = resolveModelTable(app, {
    modelId: ref.modelId!,
    version: ref.version,
    field: ref.field!,
  });
  return {
    table,
    target: { modelId: model.id, modelVersion: model.version, schema: null, field: table.field },
  };
}

export function resolveModelTable(
  app: { deps: { config: { INTERNAL_MODELS: boolean } } },
  ref: { modelId: string; version?: string | undefined; field: string },
) {
  const model = findModel(app, ref.modelId, ref.version);
  const table = inputTable(model, ref.field);
  if (!table) {
    const fields = inputTables(model).map((t) => t.field);
    throw unprocessable([
      {
        path: "body.field",
        message: fields.length
          ? `${model.id} has no input table "${ref.field}"; its tables are ${fields.join(", ")}`
          : `${model.id} takes no input tables`,
      },
    ]);
  }
  return { model, table };
}
