import {
  Accordion,
  Alert,
  Anchor,
  Badge,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link, useSearch } from "wouter";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { type ChartOption, EChart } from "../components/chart.tsx";
import { ShareButton } from "../components/run-actions.tsx";
import { ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime, formatValue, humanize, unitFromName } from "../format.ts";
import { deltaColor, formatDelta, isDetailPath } from "../lib/delta.ts";
import { describePath } from "../lib/field-path.ts";
import { valueAtPath } from "../lib/output.ts";
import { fieldSchema, inputUnit, type JsonSchema } from "../lib/schema.ts";
import { useModel } from "../queries.ts";
import { useOrg } from "../session.ts";
import type { Comparison, Model } from "../types.ts";

/** An input value in its unit (a land cost as $3,000,000, a share as 20.00%), as the form shows it. */
const show = (v: unknown, path: string, model: Model | undefined) => {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") {
    const key = path.split(".").pop() ?? path;
    const schema = model ? fieldSchema(model.inputSchema as JsonSchema, path) : undefined;
    return formatValue(v, inputUnit(key, schema ?? {}, undefined));
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
};

/** Two or more runs of one model side by side: inputs that differ, outputs with deltas, charts overlaid. */
export function ComparePage() {
  const ids = (new URLSearchParams(useSearch()).get("runs") ?? "").split(",").filter(Boolean);
  const { session, can } = useOrg();
  const cmp = useQuery({
    queryKey: queryKeys.compare(session?.activeOrgId, ids.join(",")),
    queryFn: () => call(endpoints.compare, { body: { runIds: ids } }),
    enabled: ids.length >= 2,
  });
  const runs = useQueries({
    queries: ids.map((id) => ({
      queryKey: queryKeys.run(session?.activeOrgId, id),
      queryFn: () => call(endpoints.run, { params: { id } }),
    })),
  });
  const model = useModel(cmp.data?.modelId, cmp.data?.modelVersion);
  if (ids.length < 2) {
    return (
      <ErrorState
        title="Pick runs to compare"
        error={new Error("Choose two or more runs in a scenario's run history, then press Compare.")}
      />
    );
  }
  if (cmp.isPending) return <Loading label="Comparing runs…" />;
  if (cmp.error) return <ErrorState error={cmp.error} onRetry={() => cmp.refetch()} />;
  const c = cmp.data;
  const runLabel = (i: number) => {
    const r = runs[i]?.data;
    return `${i === 0 ? "Baseline" : `Run ${i + 1}`}${r ? ` · ${formatDateTime(r.createdAt)}` : ""}`;
  };
  return (
    <Stack>
      <Title order={1} size="h2">
        Comparison of {c.runs.length} runs
      </Title>
      <Group gap="xs">
        {c.runs.map((id, i) => (
          <Anchor key={id} component={Link} href={`/runs/${id}`} size="sm">
            <Badge variant={i === 0 ? "filled" : "light"}>{runLabel(i)}</Badge>
          </Anchor>
        ))}
      </Group>
      <div>
        <ShareButton runId={c.runs[0]!} compareWith={c.runs.slice(1)} canShare={can("runs:execute")} />
      </div>
      <ComparisonBody
        c={c}
        model={model.data}
        runs={runs.map((r) => r.data)}
        labels={c.runs.map((_, i) => runLabel(i))}
      />
    </Stack>
  );
}

/** The comparison itself (also on a shared comparison's public page): differences, charts, tables. */
export function ComparisonBody({
  c,
  model,
  runs,
  labels,
}: {
  c: Comparison;
  model: Model | undefined;
  runs: ({ output: unknown } | undefined)[];
  labels: string[];
}) {
  return (
    <>
      {c.warnings.map((w) => (
        <Alert key={w} color="yellow">
          {w}
        </Alert>
      ))}
      {/* One card above the other: side by side, the second run's column was clipped (issue 18 item 7). */}
      <SimpleGrid cols={1}>
        <Card withBorder data-testid="input-differences">
          <Title order={2} size="h4" mb="xs">
            Input differences
          </Title>
          {c.inputs.length === 0 ? (
            <Text size="sm">The runs used the same input.</Text>
          ) : (
            <Table.ScrollContainer minWidth={400}>
              <Table striped fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Field</Table.Th>
                    {c.runs.map((id, i) => (
                      <Table.Th key={id}>{i === 0 ? "Baseline" : `Run ${i + 1}`}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {c.inputs.slice(0, 200).map((d) => (
                    <Table.Tr key={d.path}>
                      <Table.Td>
                        <span title={d.path}>{describePath(d.path)}</span>
                      </Table.Td>
                      {d.values.map((v, i) => (
                        <Table.Td key={c.runs[i]}>{show(v, d.path, model)}</Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
        <Card withBorder data-testid="output-differences">
          <Title order={2} size="h4" mb="xs">
            Output differences
          </Title>
          <OutputDiffs c={c} model={model} />
        </Card>
      </SimpleGrid>
      {model ? <OverlaidCharts model={model} runs={runs} labels={labels} /> : null}
      {c.tables.length ? (
        <Accordion variant="contained">
          {c.tables.map((t) => (
            <Accordion.Item key={t.name} value={t.name}>
              <Accordion.Control>Table differences: {t.title}</Accordion.Control>
              <Accordion.Panel>
                <TableDiff t={t} runs={c.runs} />
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      ) : null}
    </>
  );
}

function OutputDiffs({ c, model }: { c: Comparison; model: Model | undefined }) {
  const results = c.outputs.filter((o) => !isDetailPath(o.path));
  const changed = results.filter((o) =>
    o.deltas.some((d) => d.absolute !== null && Math.abs(d.absolute) > 1e-12),
  );
  const rows = changed.length ? changed : results;
  if (rows.length === 0) return <Text size="sm">No numeric outputs outside the tables.</Text>;
  return (
    <Table.ScrollContainer minWidth={400}>
      <Table striped fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Output</Table.Th>
            {c.runs.map((id, i) => (
              <Table.Th key={id} ta="right">
                {i === 0 ? "Baseline" : `Run ${i + 1} (Δ)`}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.slice(0, 200).map((o) => {
            const kpi = model?.kpis.find((k) => k.path === o.path);
            const unit = kpi?.unit ?? unitFromName(o.path.split(".").pop()!);
            return (
              <Table.Tr key={o.path}>
                <Table.Td>
                  <span title={o.path}>{kpi?.title ?? describePath(o.path)}</span>
                </Table.Td>
                {o.values.map((v, i) => {
                  const d = o.deltas[i];
                  return (
                    <Table.Td key={c.runs[i]} ta="right" style={{ fontVariantNumeric: "tabular-nums" }}>
                      {formatValue(v, unit)}
                      {i > 0 && d?.absolute ? (
                        <Text span size="xs" c={deltaColor(o.path, d.absolute)} ml={4} data-testid="delta">
                          ({formatDelta(d.absolute, unit)}
                          {d.relative !== null && !unit?.startsWith("fraction")
                            ? `, ${formatValue(d.relative * 100, "%", 1).replace(/^(?=\d)/, "+")}`
                            : ""}
                          )
                        </Text>
                      ) : null}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function TableDiff({ t, runs }: { t: Comparison["tables"][number]; runs: string[] }) {
  const rows = t.rows.flatMap((r) =>
    r.cells
      .filter((cell) => cell.deltas.some((d) => d.absolute !== null && Math.abs(d.absolute) > 1e-9))
      .map((cell) => ({ row: r, cell })),
  );
  if (rows.length === 0) return <Text size="sm">Every number in this table is the same in all runs.</Text>;
  return (
    <Table.ScrollContainer minWidth={500}>
      <Table striped fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Row</Table.Th>
            <Table.Th>Column</Table.Th>
            {runs.map((id, i) => (
              <Table.Th key={id} ta="right">
                {i === 0 ? "Baseline" : `Run ${i + 1}`}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.slice(0, 300).map(({ row, cell }) => (
            <Table.Tr key={`${row.index}-${cell.column}`}>
              <Table.Td>{row.key ?? row.index + 1}</Table.Td>
              <Table.Td>{cell.title}</Table.Td>
              {cell.values.map((v, i) => (
                <Table.Td key={runs[i]} ta="right">
                  {formatValue(v, cell.unit)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {rows.length > 300 ? (
        <Text size="xs">Showing the first 300 of {rows.length} differing cells.</Text>
      ) : null}
    </Table.ScrollContainer>
  );
}

/** Each declared line/bar chart with one series per run (its first measure), drawn on one axis. */
function OverlaidCharts({
  model,
  runs,
  labels,
}: {
  model: Model;
  runs: ({ output: unknown } | undefined)[];
  labels: string[];
}) {
  const charts = useMemo(
    () =>
      model.charts
        // A pie or a schedule does not overlay run on run.
        .filter((ch) => ch.kind !== "pie" && ch.kind !== "gantt")
        .map((ch) => {
          const table = model.tables.find((t) => t.name === ch.table);
          const y = ch.y[0]!;
          const unit = table?.columns.find((col) => col.key === y)?.unit;
          const series = runs.map((r, i) => {
            const rows = table ? valueAtPath(r?.output, table.rows) : undefined;
            return {
              name: labels[i],
              type: ch.kind === "bar" || ch.kind === "stacked-bar" ? "bar" : "line",
              showSymbol: false,
              data: Array.isArray(rows)
                ? (rows as Record<string, unknown>[]).map((row) => [String(row[ch.x]), row[y]])
                : [],
            };
          });
          const option: ChartOption = {
            tooltip: { trigger: "axis", valueFormatter: (v: number) => formatValue(v, unit) },
            legend: { top: 0 },
            grid: { left: 80, right: 20, top: 40, bottom: 40 },
            xAxis: { type: "category" },
            yAxis: { type: "value" },
            series,
          };
          return {
            ch,
            option,
            title: `${ch.title}: ${table?.columns.find((col) => col.key === y)?.title ?? humanize(y)}`,
          };
        }),
    [model, runs, labels],
  );
  if (charts.length === 0 || runs.some((r) => !r)) return null;
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      {charts.map(({ ch, option, title }) => (
        <Card key={ch.name} withBorder>
          <Title order={3} size="h5" mb="xs">
            {title}
          </Title>
          <EChart option={option} label={title} />
        </Card>
      ))}
    </SimpleGrid>
  );
}
