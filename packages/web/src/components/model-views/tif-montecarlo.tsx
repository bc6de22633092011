import { Alert, Card, Group, RingProgress, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMemo } from "react";
import { formatValue } from "../../format.ts";
import { type ChartOption, EChart } from "../chart.tsx";
import type { ModelViewProps } from "./index.tsx";
import { formatBps, NumTd, num, Stat } from "./parts.tsx";

type N = number | null;
/** The parts of tif-montecarlo's output this view reads (engine schema: montecarlo/schema.ts). */
export interface MonteCarloOutput {
  iterations: number;
  seed: number;
  base: { leveredIrr: N; equityMultiple: N; npvLeveredUsd: N };
  summary: { leveredIrr: { count: number; missing: number; mean: N; sd: N } };
  failedIterations: number;
  firstFailure: string | null;
  leveredIrrMultipleRoots: number;
  target: {
    leveredIrrAnnual: number;
    probability: number;
    iterationsMeeting: number;
    iterationsWithoutIrr: number;
  };
  percentiles: {
    percentile: number;
    leveredIrr: N;
    unleveredIrr: N;
    equityMultiple: N;
    npvLeveredUsd: N;
    profitUsd: N;
  }[];
  histogram: { fromIrr: number; toIrr: number; midIrr: number; count: number; share: number }[];
  inputs: {
    input: string;
    label: string;
    unit: string;
    distribution: string;
    baseValue: number;
    sampledP10: number;
    sampledP90: number;
    spearmanLeveredIrr: N;
  }[];
  tornado: {
    input: string;
    label: string;
    lowValue: number;
    highValue: number;
    lowDeltaBps: N;
    highDeltaBps: N;
    swingBps: N;
  }[];
}

const pct = (v: N, d = 2) => formatValue(v, "fraction", d);

/** Histogram of the levered IRR, percentiles, the probability of meeting the target and the tornado. */
export default function TifMonteCarloView({ output }: ModelViewProps) {
  const o = output as unknown as MonteCarloOutput;
  const histogram = useMemo(() => histogramChart(o), [o]);
  const tornado = useMemo(() => tornadoChart(o), [o]);
  const p = o.target.probability;
  return (
    <Stack gap="lg" data-testid="tif-montecarlo">
      {o.failedIterations > 0 ? (
        <Alert color="orange" title={`${o.failedIterations} iterations could not be computed`}>
          {o.firstFailure}
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder data-testid="target-probability">
          <Group wrap="nowrap">
            <RingProgress
              size={110}
              thickness={12}
              roundCaps
              sections={[{ value: p * 100, color: p >= 0.5 ? "green.8" : "orange.8" }]}
              label={
                <Text ta="center" fw={800} size="lg" style={num}>
                  {pct(p, 1)}
                </Text>
              }
              aria-label={`Probability of a levered IRR of at least ${pct(o.target.leveredIrrAnnual)}: ${pct(p, 1)}`}
            />
            <div>
              <Text size="sm" fw={600}>
                P(levered IRR ≥ {pct(o.target.leveredIrrAnnual)})
              </Text>
              <Text size="xs" c="dimmed">
                {o.target.iterationsMeeting.toLocaleString("en-US")} of {o.iterations.toLocaleString("en-US")}{" "}
                iterations; {o.target.iterationsWithoutIrr} without an IRR count as not met.
              </Text>
            </div>
          </Group>
        </Card>
        <Stat
          label="Levered IRR, mean ± sd"
          value={`${pct(o.summary.leveredIrr.mean)} ± ${pct(o.summary.leveredIrr.sd)}`}
          hint={`base case ${pct(o.base.leveredIrr)}`}
        />
        <Stat
          label="Iterations"
          value={o.iterations.toLocaleString("en-US")}
          hint={`seed ${o.seed}; ${o.leveredIrrMultipleRoots} with several IRRs`}
        />
      </SimpleGrid>
      <Card withBorder data-testid="irr-histogram">
        <Title order={3} size="h5" mb="xs">
          Levered IRR distribution ({o.summary.leveredIrr.count.toLocaleString("en-US")} iterations with an
          IRR)
        </Title>
        <Text size="xs" c="dimmed" mb="xs">
          Green: at or above the {pct(o.target.leveredIrrAnnual)} target; light green: the bin the target
          falls in.
        </Text>
        <EChart
          option={histogram}
          label="Histogram of the levered IRR; bars at or above the target are green"
        />
      </Card>
      <section aria-labelledby="mc-percentiles">
        <Title order={3} size="h4" id="mc-percentiles" mb="xs">
          Percentiles
        </Title>
        <Table.ScrollContainer minWidth={640}>
          <Table striped fz="sm" data-testid="percentiles" aria-labelledby="mc-percentiles">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Percentile</Table.Th>
                <Table.Th ta="right">Levered IRR</Table.Th>
                <Table.Th ta="right">Unlevered IRR</Table.Th>
                <Table.Th ta="right">Equity multiple</Table.Th>
                <Table.Th ta="right">NPV (levered)</Table.Th>
                <Table.Th ta="right">Profit</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {o.percentiles.map((r) => (
                <Table.Tr key={r.percentile}>
                  <Table.Th scope="row">P{r.percentile}</Table.Th>
                  <NumTd>{pct(r.leveredIrr)}</NumTd>
                  <NumTd>{pct(r.unleveredIrr)}</NumTd>
                  <NumTd>{formatValue(r.equityMultiple, "x")}</NumTd>
                  <NumTd>{formatValue(r.npvLeveredUsd, "USD")}</NumTd>
                  <NumTd>{formatValue(r.profitUsd, "USD")}</NumTd>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder data-testid="tornado">
          <Title order={3} size="h5">
            Tornado: levered IRR at each input's P10 and P90
          </Title>
          <Text size="xs" c="dimmed" mb="xs">
            Every other input at the deal's value; change from the base case in bps.
          </Text>
          <EChart
            option={tornado}
            height={Math.max(220, 60 + 36 * o.tornado.length)}
            label="Tornado chart of the levered IRR swing per input"
          />
        </Card>
        <Card withBorder>
          <Title order={3} size="h5" mb="xs" id="mc-sensitivity">
            Sensitivity: rank correlation with the levered IRR
          </Title>
          <Table fz="sm" aria-labelledby="mc-sensitivity" data-testid="sensitivity">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Input</Table.Th>
                <Table.Th>Distribution</Table.Th>
                <Table.Th ta="right">P10 … P90</Table.Th>
                <Table.Th ta="right">Spearman ρ</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...o.inputs]
                .sort((a, b) => Math.abs(b.spearmanLeveredIrr ?? 0) - Math.abs(a.spearmanLeveredIrr ?? 0))
                .map((r) => (
                  <Table.Tr key={r.input}>
                    <Table.Td>{r.label}</Table.Td>
                    <Table.Td>{r.distribution}</Table.Td>
                    <NumTd>
                      {formatValue(r.sampledP10, r.unit)} … {formatValue(r.sampledP90, r.unit)}
                    </NumTd>
                    <NumTd>{formatValue(r.spearmanLeveredIrr, undefined, 3)}</NumTd>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}

function histogramChart(o: MonteCarloOutput): ChartOption {
  const target = o.target.leveredIrrAnnual;
  return {
    tooltip: {
      trigger: "axis",
      formatter: (items: { dataIndex: number }[]) => {
        const b = o.histogram[items[0]?.dataIndex ?? 0];
        return b ? `${pct(b.fromIrr)} … ${pct(b.toIrr)}: ${b.count} (${pct(b.share, 1)})` : "";
      },
    },
    grid: { left: 60, right: 20, top: 20, bottom: 50 },
    xAxis: {
      type: "category",
      name: "levered IRR",
      nameLocation: "middle",
      nameGap: 30,
      data: o.histogram.map((b) => pct(b.midIrr, 1)),
    },
    yAxis: { type: "value", name: "iterations" },
    series: [
      {
        type: "bar",
        barCategoryGap: "5%",
        data: o.histogram.map((b) => ({
          value: b.count,
          // At or above the target: green; the bin the target falls in: light green.
          itemStyle: { color: b.fromIrr >= target ? "#2b8a3e" : b.toIrr > target ? "#8ce99a" : "#868e96" },
        })),
      },
    ],
  };
}

function tornadoChart(o: MonteCarloOutput): ChartOption {
  // Largest swing on top: ECharts draws a category y axis from the bottom.
  const rows = [...o.tornado].reverse();
  const bps = (v: number) => formatBps(v);
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: bps },
    legend: { top: 0 },
    grid: { left: 170, right: 30, top: 30, bottom: 30 },
    xAxis: { type: "value", name: "bps", axisLabel: { formatter: (v: number) => String(v) } },
    yAxis: {
      type: "category",
      data: rows.map((r) => r.label),
      axisLabel: { width: 160, overflow: "truncate" },
    },
    series: [
      { name: "At P10", type: "bar", stack: "swing", data: rows.map((r) => r.lowDeltaBps), color: "#c92a2a" },
      {
        name: "At P90",
        type: "bar",
        stack: "swing",
        data: rows.map((r) => r.highDeltaBps),
        color: "#1864ab",
      },
    ],
  };
}
