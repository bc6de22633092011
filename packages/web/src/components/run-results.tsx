import { Stack } from "@mantine/core";
import { isOptimizerOutput } from "../lib/output.ts";
import type { Model, Run } from "../types.ts";
import { ModelView, modelViewFor } from "./model-views/index.tsx";
import { DeclaredCharts, DeclaredTables, KpiCards, OptimizerPanels } from "./results.tsx";

/**
 * A succeeded run's results, the same on the run page and the public shared page: a model's
 * dedicated view (model-views/index.tsx) when it has one, else the generic one — KPIs, the
 * optimizers' explanation panels, and the model's declared charts and tables.
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
  const view = modelViewFor(run.modelId, output);
  if (view) return <ModelView view={view} run={run} model={model} output={output} currency={currency} />;
  return (
    <Stack gap="lg">
      <KpiCards output={output} currency={currency} />
      {isOptimizerOutput(output) ? (
        <OptimizerPanels output={output} input={run.input} canRun={canRun} onRunChange={onRunChange} />
      ) : null}
      <DeclaredCharts model={model} output={output} />
      <DeclaredTables model={model} output={output} />
    </Stack>
  );
}
