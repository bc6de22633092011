import { Alert, Card, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMemo } from "react";
import { formatValue } from "../../format.ts";
import { solveMeetsTarget } from "../../lib/model-views.ts";
import { type ChartOption, EChart } from "../chart.tsx";
import { DeclaredTables } from "../results.tsx";
import type { ModelViewProps } from "./index.tsx";
import { formatBps, Stat, TargetBadge } from "./parts.tsx";

/** The parts of tif-solve's output this view reads (engine schema: analysis/solve.ts). */
interface SolveOutput {
  lever: string;
  leverUnit: string;
  status: string;
  message: string;
  value: number | null;
  gapBpsAtValue: number | null;
  targetIrrGapBps: number;
  toleranceBps: number;
  iterations: number;
  bounds: { lower: number; upper: number; gapBpsAtLower: number | null; gapBpsAtUpper: number | null };
  history: { iteration: number; value: number; gapBps: number | null }[];
}

const unit = (u: string) => (/^(USD|fraction)/.test(u) ? u : undefined);

/** "What would it take": the lever's value that closes the gap, and the bisection that found it. */
export default function TifSolveView({ model, output }: ModelViewProps) {
  const o = output as unknown as SolveOutput;
  const solved = o.status === "solved" || o.status === "solved-at-discontinuity";
  const chart = useMemo(() => bisectionChart(o), [o]);
  return (
    <Stack gap="lg" data-testid="tif-solve">
      <Alert color={solved ? "green" : "orange"} title={`${o.lever}: ${o.status.replaceAll("-", " ")}`}>
        {o.message}
      </Alert>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <Stat
          label={`Value that closes the gap (${o.leverUnit})`}
          value={formatValue(o.value, unit(o.leverUnit))}
        />
        <Stat
          label="Gap at that value"
          value={formatBps(o.gapBpsAtValue)}
          hint={<TargetBadge met={solveMeetsTarget(o)} size="sm" />}
        />
        <Stat label="Target" value={formatBps(o.targetIrrGapBps)} hint={`tolerance ${o.toleranceBps} bps`} />
        <Stat
          label="Search range"
          value={`${formatValue(o.bounds.lower, unit(o.leverUnit))} … ${formatValue(o.bounds.upper, unit(o.leverUnit))}`}
          hint={`gap ${formatBps(o.bounds.gapBpsAtLower)} … ${formatBps(o.bounds.gapBpsAtUpper)}; ${o.iterations} steps`}
        />
      </SimpleGrid>
      {o.history.length ? (
        <Card withBorder>
          <Title order={3} size="h5" mb="xs">
            Bisection: the gap at each value tried
          </Title>
          <EChart option={chart} label="Levered IRR gap against the lever's value at each bisection step" />
          <Text size="xs" c="dimmed">
            The dashed line is the target.
          </Text>
        </Card>
      ) : null}
      <DeclaredTables model={model} output={output} />
    </Stack>
  );
}

function bisectionChart(o: SolveOutput): ChartOption {
  const pts = o.history.filter((h) => h.gapBps !== null).sort((a, b) => a.value - b.value);
  const xs = pts.map((p) => p.value);
  return {
    tooltip: { trigger: "axis", valueFormatter: (v: number) => formatBps(v) },
    legend: { top: 0 },
    grid: { left: 70, right: 20, top: 36, bottom: 40 },
    xAxis: { type: "value", name: o.leverUnit, scale: true },
    yAxis: { type: "value", name: "gap, bps", scale: true },
    series: [
      { name: "Gap", type: "scatter", data: pts.map((p) => [p.value, p.gapBps]) },
      {
        name: "Target",
        type: "line",
        showSymbol: false,
        lineStyle: { type: "dashed" },
        data: xs.length
          ? [
              [Math.min(...xs), o.targetIrrGapBps],
              [Math.max(...xs), o.targetIrrGapBps],
            ]
          : [],
      },
    ],
  };
}
