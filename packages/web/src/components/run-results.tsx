import { Alert, Badge, Stack, Text } from "@mantine/core";
import { outcomeOf } from "@modelworks/model-kit/descriptors";
import { resultViewOf } from "../lib/model-views.ts";
import { pricesAreDetail } from "../lib/optimizer.ts";
import { provenanceOf, provenanceSentence } from "../lib/provenance.ts";
import type { Model, Run } from "../types.ts";
import { dedicatedViewOf, ModelView } from "./model-views/index.tsx";
import { DeclaredCharts, DeclaredTables, KpiCards, OptimizerPanels } from "./results.tsx";

/** The optimizers' price tables: rows at shadowPrices.rows or lpRelaxationPrices.rows. */
const PRICE_ROWS = /^(shadowPrices|lpRelaxationPrices)\.rows$/;

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
  // For an integer plan the LP duals are a labelled detail, not a headline table (issue 18 item 5).
  const optimizer = resultViewOf(model) === "optimizer";
  const isPrices = (t: Model["tables"][number]) =>
    optimizer && pricesAreDetail(output) && PRICE_ROWS.test(t.rows);
  const main = model.tables.filter((t) => !isPrices(t));
  const detail = model.tables.filter(isPrices);
  if (view) return <ModelView view={view} run={run} model={model} output={output} currency={currency} />;
  return (
    <Stack gap="lg">
      <ProvenanceNote output={output} />
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
      <DeclaredTables model={{ ...model, tables: main }} output={output} />
      {detail.length ? (
        <details data-testid="price-tables">
          <summary>LP duals of the limits (detail)</summary>
          <Text size="sm" c="dimmed" my="xs">
            Prices of the plan's LP with its whole choices fixed (or of the relaxation): they hold only while
            the same choices are kept. The value of relaxing a limit is its re-solved what-if.
          </Text>
          <DeclaredTables model={{ ...model, tables: detail }} output={output} />
        </details>
      ) : null}
    </Stack>
  );
}

const TONE_COLOR = { good: "green", caution: "yellow", bad: "red" } as const;

/**
 * The run's answer beside its status, as the model declares it (model-kit OutcomeDescriptor): a
 * succeeded optimizer run may answer "No feasible plan" or "Empty plan" (issue 18 items 4, 9).
 */
export function OutcomeBadge({ model, output }: { model: Pick<Model, "outcome">; output: unknown }) {
  const o = outcomeOf(model.outcome, output);
  if (!o) return null;
  // Light, as the status badge beside it: white on Mantine's filled green or yellow fails WCAG's
  // contrast ratio (axe on the shared page, browser-files.test.ts).
  return (
    <Badge variant="light" color={TONE_COLOR[o.tone]} data-testid="outcome-badge" data-tone={o.tone}>
      {o.label}
    </Badge>
  );
}

/** Which path wrote the run's text, and why the built-in rules stood in if they did (issue 14). */
function ProvenanceNote({ output }: { output: Record<string, unknown> }) {
  const provenance = provenanceOf(output);
  const sentence = provenanceSentence(provenance);
  if (!sentence) return null;
  return (
    <Alert
      data-testid="provenance"
      color={provenance.fallbackReasons.length ? "yellow" : "gray"}
      variant="light"
      title={sentence}
    >
      {provenance.fallbackReasons.length ? (
        <Text size="sm">
          The built-in rules stood in for the configured model: {provenance.fallbackReasons.join("; ")}
        </Text>
      ) : null}
    </Alert>
  );
}
