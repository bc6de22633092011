import {
  Alert,
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
import { formatValue, humanize, unitFromName } from "../format.ts";
import { valueAtPath } from "../lib/output.ts";
import { classify, fieldSchema, type JsonSchema, numericPaths } from "../lib/schema.ts";
import type { Model, Scenario, Sweep } from "../types.ts";
import { type ChartOption, EChart } from "./chart.tsx";

const PREFERRED_OUTPUTS = /^(kpis|returns|metrics|objective)\./;
// Headline numbers first (IRRs, NPV, the optimizers' objective); echoed assumptions last.
const HEADLINE =
  /(leveredIrr|unleveredIrr|npvLevered|objective|yield|noi|ncf12|capitalUsed|equityMultiple)$/i;
const headlineFirst = (a: string, b: string) => Number(HEADLINE.test(b)) - Number(HEADLINE.test(a));

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
  const outputs = useMemo(() => {
    const all = numericPaths(model.outputSchema as JsonSchema);
    return [
      ...all.filter((p) => PREFERRED_OUTPUTS.test(p)).sort(headlineFirst),
      ...all.filter((p) => !PREFERRED_OUTPUTS.test(p)),
    ];
  }, [model]);
  const [path, setPath] = useState<string | null>(inputs[0] ?? null);
  const base = path ? (valueAtPath(scenario.input, path) as number) : 0;
  const [spread, setSpread] = useState(20);
  const [steps, setSteps] = useState<number | string>(5);
  const [chosen, setChosen] = useState<string[]>(
    outputs.filter((p) => PREFERRED_OUTPUTS.test(p)).slice(0, 3),
  );
  const [sweepId, setSweepId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = base * (1 - spread / 100);
  const to = base * (1 + spread / 100);
  const integer = path ? classify(fieldSchema(model.inputSchema as JsonSchema, path) ?? {}).integer : false;

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
          outputs: chosen.length ? chosen : undefined,
        },
      });
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
              data={inputs.map((p) => ({ value: p, label: `${humanize(p.split(".").pop()!)} (${p})` }))}
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
              searchable
              w={420}
              maxValues={6}
              data={outputs}
              value={chosen}
              onChange={setChosen}
            />
          </Group>
          <div>
            <Text size="sm" id="spread-label">
              Range: ±{spread}% around the current value {formatValue(base, unitFromName(path ?? ""))} →{" "}
              {formatValue(from, unitFromName(path ?? ""))} to {formatValue(to, unitFromName(path ?? ""))}
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
          {error ? <Alert color="red">{error}</Alert> : null}
        </Stack>
      </Card>
      {sweep.data ? (
        <SweepResult sweep={sweep.data} />
      ) : sweep.error ? (
        <Alert color="red">{errorMessage(sweep.error)}</Alert>
      ) : null}
    </Stack>
  );
}

function range(from: number, to: number, n: number) {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
}

function SweepResult({ sweep }: { sweep: Sweep }) {
  const c = sweep.counts;
  const done = c.succeeded + c.failed + c.canceled + c.deleted;
  const table = sweep.table;
  const option = useMemo<ChartOption | null>(() => {
    if (table.kind !== "one-way") return null;
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 80, right: 80, top: 40, bottom: 40 },
      xAxis: { type: "category", name: table.parameter, data: table.rows.map((r) => String(r.value)) },
      // One axis per output scale: money beside percentages would flatten the percentages.
      yAxis: table.outputs.map((o, i) => ({
        type: "value",
        position: i % 2 ? "right" : "left",
        offset: Math.floor(i / 2) * 60,
        show: i < 2,
        axisLabel: { formatter: (v: number) => formatValue(v, unitFromName(o.split(".").pop()!)) },
      })),
      series: table.outputs.map((o, i) => ({
        name: o,
        type: "line",
        yAxisIndex: i,
        data: table.rows.map((r) => r.cells[i]),
      })),
    };
  }, [table]);
  return (
    <Card withBorder data-testid="sweep-result">
      <Text size="sm" mb="xs">
        Sweep {sweep.status}: {done} of {c.total} points finished ({c.succeeded} succeeded
        {c.failed ? `, ${c.failed} failed` : ""})
      </Text>
      {option ? (
        <EChart option={option} label={`Sweep of ${table.kind === "one-way" ? table.parameter : ""}`} />
      ) : null}
      {table.kind === "one-way" ? (
        <Table striped fz="sm" mt="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{table.parameter}</Table.Th>
              {table.outputs.map((o) => (
                <Table.Th key={o} ta="right">
                  {o}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {table.rows.map((r) => (
              <Table.Tr key={String(r.value)}>
                <Table.Td>{String(r.value)}</Table.Td>
                {r.cells.map((v, i) => (
                  <Table.Td key={table.outputs[i]} ta="right">
                    {formatValue(v, unitFromName(table.outputs[i]!.split(".").pop()!))}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Card>
  );
}
