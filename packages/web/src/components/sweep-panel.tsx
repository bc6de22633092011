import {
  Button,
  Card,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Slider,
  Stack,
  Table,
  Text,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatValue, humanize, unitLabel } from "../format.ts";
import { valueAtPath } from "../lib/output.ts";
import { classify, fieldSchema, inputUnit, type JsonSchema, numericPaths } from "../lib/schema.ts";
import { defaultSweepOutputs, plottable, type SweepOutput, sweepOutputs } from "../lib/sweep-outputs.ts";
import type { Model, Scenario, Sweep } from "../types.ts";
import { type ChartOption, EChart } from "./chart.tsx";
import { FormErrorAlert } from "./form-error-alert.tsx";

/** The unit of an input field, as the form shows it (for the range text and the x axis). */
function unitOfInput(model: Model, path: string | null): string | undefined {
  if (!path) return undefined;
  const schema = fieldSchema(model.inputSchema as JsonSchema, path) ?? {};
  return inputUnit(path.split(".").pop()!, schema, undefined);
}

/**
 * What-if: vary one numeric input over a range (a sweep of runs on the server) and plot how the
 * chosen outputs move.
 */
export function SweepPanel({
  model,
  scenario,
  canRun,
}: {
  model: Model;
  scenario: Scenario;
  canRun: boolean;
}) {
  const inputs = useMemo(
    () =>
      numericPaths(model.inputSchema as JsonSchema).filter(
        (p) => typeof valueAtPath(scenario.input, p) === "number",
      ),
    [model, scenario],
  );
  // Every scalar output, the model's key results first, with their labels and units.
  const outputs = useMemo(() => sweepOutputs(model.outputSchema as JsonSchema, model.kpis), [model]);
  const [path, setPath] = useState<string | null>(inputs[0] ?? null);
  const base = path ? (valueAtPath(scenario.input, path) as number) : 0;
  const [spread, setSpread] = useState(20);
  const [steps, setSteps] = useState<number | string>(5);
  // Empty: the model's key results, of which the view plots those that change.
  const [chosen, setChosen] = useState<string[]>([]);
  const [picked, setPicked] = useState(false);
  const [sweepId, setSweepId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = base * (1 - spread / 100);
  const to = base * (1 + spread / 100);
  const integer = path ? classify(fieldSchema(model.inputSchema as JsonSchema, path) ?? {}).integer : false;
  const unit = unitOfInput(model, path);

  const sweep = useQuery({
    queryKey: queryKeys.sweep(sweepId ?? ""),
    queryFn: () => call(endpoints.sweep, { params: { id: sweepId! } }),
    enabled: !!sweepId,
    refetchInterval: (q) => (q.state.data?.status === "running" ? 1500 : false),
  });

  const start = async () => {
    if (!path) return;
    setError(null);
    setBusy(true);
    try {
      const n = typeof steps === "number" ? steps : 5;
      const values = integer ? [...new Set(range(from, to, n).map(Math.round))] : undefined;
      const parameter = values && values.length >= 1 ? { path, values } : { path, from, to, steps: n };
      const s = await call(endpoints.createSweep, {
        params: { id: model.id },
        body: {
          scenarioId: scenario.id,
          parameters: [parameter],
          outputs: chosen.length ? chosen : defaultSweepOutputs(outputs, model.kpis),
        },
      });
      setPicked(chosen.length > 0);
      setSweepId(s.id);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (inputs.length === 0) return <Text size="sm">This model's input has no numeric field to vary.</Text>;
  return (
    <Stack>
      <Card withBorder>
        <Stack gap="sm">
          <Group align="flex-end">
            <Select
              label="Input to vary"
              searchable
              w={320}
              data={inputs.map((p) => ({ value: p, label: inputLabel(model, p) }))}
              value={path}
              onChange={setPath}
              allowDeselect={false}
            />
            <NumberInput
              label="Points"
              w={100}
              min={2}
              max={20}
              allowDecimal={false}
              value={steps}
              onChange={setSteps}
            />
            <MultiSelect
              label="Outputs to plot"
              placeholder={chosen.length ? undefined : "Key results that change"}
              searchable
              w={420}
              maxValues={6}
              data={outputs.map((o) => ({ value: o.path, label: outputLabel(o) }))}
              value={chosen}
              onChange={setChosen}
            />
          </Group>
          <div>
            <Text size="sm" id="spread-label">
              Range: ±{spread}% around the current value {formatValue(base, unit)} → {formatValue(from, unit)}{" "}
              to {formatValue(to, unit)}
            </Text>
            <Slider
              aria-labelledby="spread-label"
              min={5}
              max={100}
              step={5}
              value={spread}
              onChange={setSpread}
              label={(v) => `±${v}%`}
              maw={520}
              mt={4}
            />
          </div>
          {canRun ? (
            <Group>
              <Button onClick={start} loading={busy} disabled={!path || base === 0}>
                Run the sweep
              </Button>
              {base === 0 ? (
                <Text size="xs">The current value is 0: a ± range around it is empty.</Text>
              ) : null}
            </Group>
          ) : (
            <Text size="sm" c="dimmed">
              Your role cannot start runs.
            </Text>
          )}
          <FormErrorAlert error={error} />
        </Stack>
      </Card>
      {sweep.data ? (
        <SweepResult
          sweep={sweep.data}
          outputs={outputs}
          picked={picked}
          parameterLabel={
            path
              ? inputLabel(model, sweep.data.table.kind === "one-way" ? sweep.data.table.parameter : path)
              : ""
          }
          parameterUnit={unitOfInput(
            model,
            sweep.data.table.kind === "one-way" ? sweep.data.table.parameter : path,
          )}
        />
      ) : sweep.error ? (
        <FormErrorAlert error={sweep.error} />
      ) : null}
    </Stack>
  );
}

function range(from: number, to: number, n: number) {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
}

/** "Levered IRR (%/yr)": an output's label with the unit its values are shown in. */
function outputLabel(o: SweepOutput | undefined, path = ""): string {
  if (!o) return humanize(path.split(".").pop() ?? path);
  const u = unitLabel(o.unit ?? (o.format === "percent" ? "fraction" : undefined));
  return u ? `${o.label} (${u})` : o.label;
}

/** An input's name as the form shows it ("Land cost"), with where it sits when nested. */
function inputLabel(model: Model, path: string): string {
  const parts = path.split(".");
  const name = humanize(parts.at(-1)!);
  const unit = unitLabel(unitOfInput(model, path));
  const where =
    parts.length > 1
      ? ` — ${parts
          .slice(0, -1)
          .map((p) => (/^\d+$/.test(p) ? `row ${Number(p) + 1}` : humanize(p)))
          .join(", ")}`
      : "";
  return `${name}${unit ? ` (${unit})` : ""}${where}`;
}

/** A sweep's value as its output's declared unit and format show it. */
const formatOutput = (o: SweepOutput | undefined, v: number | null) =>
  formatValue(v, o?.unit, o?.decimals, { format: o?.format });

function SweepResult({
  sweep,
  outputs,
  picked,
  parameterLabel,
  parameterUnit,
}: {
  sweep: Sweep;
  outputs: readonly SweepOutput[];
  picked: boolean;
  parameterLabel: string;
  parameterUnit: string | undefined;
}) {
  const c = sweep.counts;
  const done = c.succeeded + c.failed + c.canceled + c.deleted;
  const table = sweep.table;
  const byPath = useMemo(() => new Map(outputs.map((o) => [o.path, o])), [outputs]);
  const fmt = (path: string, v: number | null) => formatOutput(byPath.get(path), v);
  const shown = useMemo(() => {
    if (table.kind !== "one-way") return { plotted: [], constant: [] };
    const columns = table.outputs.map((_, i) => table.rows.map((r) => r.cells[i] ?? null));
    return plottable(table.outputs, columns, picked);
  }, [table, picked]);
  const option = useMemo<ChartOption | null>(() => {
    if (table.kind !== "one-way" || shown.plotted.length === 0) return null;
    const index = (o: string) => table.outputs.indexOf(o);
    const unitOf = (o: string) => byPath.get(o)?.unit ?? byPath.get(o)?.format ?? o;
    const units = [...new Set(shown.plotted.map(unitOf))];
    const axes = units.map((u) => shown.plotted.find((o) => unitOf(o) === u)!);
    const axisOf = (o: string) => units.indexOf(unitOf(o));
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 90, right: 90, top: 40, bottom: 50 },
      xAxis: {
        type: "category",
        name: parameterLabel,
        nameLocation: "middle",
        nameGap: 30,
        data: table.rows.map((r) =>
          typeof r.value === "number" ? formatValue(r.value, parameterUnit) : String(r.value),
        ),
      },
      // One axis per unit: money beside percentages would flatten the percentages, while the
      // two IRRs share theirs. The first two axes are drawn (left, right).
      yAxis: axes.map((first, i) => ({
        type: "value",
        scale: true,
        position: i % 2 ? "right" : "left",
        offset: Math.floor(i / 2) * 60,
        show: i < 2,
        axisLabel: { formatter: (v: number) => formatOutput(byPath.get(first), v) },
      })),
      series: shown.plotted.map((o) => ({
        name: outputLabel(byPath.get(o), o),
        type: "line",
        yAxisIndex: axisOf(o),
        data: table.rows.map((r) => r.cells[index(o)] ?? null),
        tooltip: {
          valueFormatter: (v: unknown) => formatOutput(byPath.get(o), typeof v === "number" ? v : null),
        },
      })),
    };
  }, [table, shown, byPath, parameterLabel, parameterUnit]);
  const columns =
    table.kind === "one-way" ? table.outputs.filter((o) => !shown.constant.includes(o) || picked) : [];
  return (
    <Card withBorder data-testid="sweep-result">
      <Text size="sm" mb="xs">
        Sweep {sweep.status}: {done} of {c.total} points finished ({c.succeeded} succeeded
        {c.failed ? `, ${c.failed} failed` : ""})
      </Text>
      {option ? <EChart option={option} label={`Sweep of ${parameterLabel}`} /> : null}
      {shown.constant.length ? (
        <Text size="xs" c="dimmed" mt="xs" data-testid="sweep-constant">
          Unchanged across the sweep:{" "}
          {shown.constant
            .map((o) => {
              const i = table.kind === "one-way" ? table.outputs.indexOf(o) : -1;
              const v =
                table.kind === "one-way"
                  ? (table.rows.find((r) => r.cells[i] !== null)?.cells[i] ?? null)
                  : null;
              return `${byPath.get(o)?.label ?? o} ${fmt(o, v)}`;
            })
            .join(" · ")}
        </Text>
      ) : null}
      {table.kind === "one-way" ? (
        <Table.ScrollContainer minWidth={480}>
          <Table striped fz="sm" mt="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{parameterLabel}</Table.Th>
                {columns.map((o) => (
                  <Table.Th key={o} ta="right" title={o}>
                    {outputLabel(byPath.get(o), o)}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {table.rows.map((r) => (
                <Table.Tr key={String(r.value)}>
                  <Table.Td>
                    {typeof r.value === "number" ? formatValue(r.value, parameterUnit) : String(r.value)}
                  </Table.Td>
                  {columns.map((o) => (
                    <Table.Td key={o} ta="right">
                      {fmt(o, r.cells[table.outputs.indexOf(o)] ?? null)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Card>
  );
}
