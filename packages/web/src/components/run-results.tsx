import { Stack } from "@mantine/core";
import { resultViewOf } from "../lib/model-views.ts";
import type { Model, Run } from "../types.ts";
import { dedicatedViewOf, ModelView } from "./model-views/index.tsx";
import { DeclaredCharts, DeclaredTables, KpiCards, OptimizerPanels } from "./results.tsx";

/**
 * A succeeded run's results, the same on the run page and the public shared page, in the view
 * the model declares: a dedicated one (model-views/index.tsx), or the generic one — KPIs, the
 * optimizers' explanation panels for `optimizer`, and the model's declared charts and tables.
 */
export function RunResults({
  run,
  model,
  output,
  currency,
  canRun,
  onRunChange,
}: {
  run: Run;
  model: Model;
  output: Record<string, unknown>;
  currency: string;
  /** Whether what-if cards may start runs (never on a shared page). */
  canRun: boolean;
  onRunChange: (input: unknown, label: string) => Promise<void>;
}) {
  const view = dedicatedViewOf(model);
  if (view) return <ModelView view={view} run={run} model={model} output={output} currency={currency} />;
  return (
    <Stack gap="lg">
      <KpiCards output={output} currency={currency} declared={model.kpis} />
      {resultViewOf(model) === "optimizer" ? (
        <OptimizerPanels
          output={output}
          input={run.input}
          canRun={canRun}
          onRunChange={onRunChange}
          model={model}
        />
      ) : null}
      <DeclaredCharts model={model} output={output} />
      <DeclaredTables model={model} output={output} />
    </Stack>
  );
}
