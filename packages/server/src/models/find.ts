import { catalog } from "@modelworks/catalog";
import type { AnyModel } from "@modelworks/model-kit";
import { notFound } from "../errors/domain-error.ts";

/**
 * Finds a hosted model (and version), or answers 404. Internal models (the platform's test
 * model) exist only where INTERNAL_MODELS=true: tests and benchmarks.
 */
export function findModel(
  app: { deps: { config: { INTERNAL_MODELS: boolean } } },
  id: string,
  version?: string,
): AnyModel {
  const model = catalog.find(id, version);
  if (!model || (model.internal && !app.deps.config.INTERNAL_MODELS)) {
    throw notFound(version ? `Model ${id} version ${version}` : `Model ${id}`);
  }
  return model;
}
