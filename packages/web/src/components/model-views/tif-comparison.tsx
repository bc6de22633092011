import { Alert, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMemo } from "react";
import { formatValue } from "../../format.ts";
import { type ChartOption, EChart } from "../chart.tsx";
import type { ModelViewProps } from "./index.tsx";
import { formatBps, NumTd, num, Stat, TargetBadge } from "./parts.tsx";

/** The parts of tif-comparison's output this view reads (engine schema: analysis/comparison.ts). */
interface Summary {
  leveredIrr: number | null;
  permLoanBindingConstraint: string;
  totalUnits: number;
  affordableUnits: number;
  amiLevel: string | null;
}
interface MetricRow {
  metric: string;
  unit: string;
  market: number | null;
  mixedIncome: number | null;
  difference: number | null;
}
interface SourcesUsesRow {
  section: "uses" | "sources" | "memo";
  item: string;
  marketUsd: number;
  mixedIncomeUsd: number;
  differenceUsd: number;
}
interface YearlyRow {
  year: number;
  marketLeveredCfUsd: number;
  mixedIncomeLeveredCfUsd: number;
  marketCumulativeLeveredCfUsd: number;
  mixedIncomeCumulativeLeveredCfUsd: number;
}
export interface ComparisonOutput {
  engine: string;
  market: Summary;
  mixedIncome: Summary;
  incentives: { name: string; tier: number; tif: string; cityCost: { totalUsd: number } };
  tierRequirement: { tier: number; affordableShare: number; amiLevel: string; metByThisDeal: boolean };
  gap: {
    leveredIrrGapBps: number | null;
    leveredIrrGapBpsRounded: number | null;
    unleveredIrrGapBps: number | null;
    targetBps: number;
    meetsTarget: boolean;
    shortfallBps: number | null;
  };
  keyMetrics: MetricRow[];
  sourcesUses: SourcesUsesRow[];
  /** Since tif-comparison 1.2.0; runs of 1.1.0 do not have it. */
  yearly?: YearlyRow[];
}

const unitOf = (u: string) => (u === "×" ? "x" : u === "units" ? undefined : u);

/** Mixed − market: rates in basis points (as the gap is stated), the rest in their unit with a sign. */
function difference(r: MetricRow): string {
  if (r.difference === null) return "—";
  if (r.unit.startsWith("fraction")) return formatBps(r.difference * 10_000);
  return `${r.difference > 0 ? "+" : ""}${formatValue(r.difference, unitOf(r.unit))}`;
}

/** Market rate vs mixed income: the IRR gap against the target, metrics and sources & uses side by side. */
export default function TifComparisonView({ output }: ModelViewProps) {
  const o = output as unknown as ComparisonOutput;
  const g = o.gap;
  const overlay = useMemo(() => sourcesUsesChart(o.sourcesUses), [o.sourcesUses]);
  const flows = useMemo(() => (o.yearly?.length ? yearlyChart(o.yearly) : null), [o.yearly]);
  return (
    <Stack gap="lg" data-testid="tif-comparison">
      <Card withBorder data-testid="irr-gap-card">
        <Group justify="space-between" align="flex-start">
          <div>
            <Text size="sm" c="dimmed">
              Levered IRR gap, mixed income − market rate
            </Text>
            <Text fw={800} fz={40} style={num} data-testid="irr-gap">
              {formatBps(g.leveredIrrGapBps)}
            </Text>
            <Text size="sm">
              Target {formatBps(g.targetBps)}
              {g.meetsTarget
                ? " — the package closes the gap."
                : g.shortfallBps !== null
                  ? ` — short by ${formatBps(g.shortfallBps).replace(/^\+/, "")}.`
                  : " — no IRR exists for one of the deals, so the gap cannot be measured."}
            </Text>
            <Text size="xs" c="dimmed">
              Unlevered gap {formatBps(g.unleveredIrrGapBps)} · rounded as the prototype reports it:{" "}
              {g.leveredIrrGapBpsRounded ?? "—"} bps · engine {o.engine}
            </Text>
          </div>
          <Stack gap="xs" align="flex-end">
            <TargetBadge met={g.meetsTarget} size="xl" />
            <Badge variant="light" size="lg">
              {o.incentives.name}
            </Badge>
          </Stack>
        </Group>
      </Card>
      {!o.tierRequirement.metByThisDeal ? (
        <Alert color="orange" title={`The deal does not meet tier ${o.tierRequirement.tier}'s requirement`}>
          Tier {o.tierRequirement.tier} asks for{" "}
          {formatValue(o.tierRequirement.affordableShare, "fraction", 0)} of the units at{" "}
          {o.tierRequirement.amiLevel} AMI or deeper.
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ScenarioColumn title="Market rate" rows={o.keyMetrics} side="market" summary={o.market} />
        <ScenarioColumn
          title={`Mixed income (${o.mixedIncome.affordableUnits} affordable units at ${o.mixedIncome.amiLevel ?? "—"} AMI)`}
          rows={o.keyMetrics}
          side="mixedIncome"
          summary={o.mixedIncome}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <Stat label="Incentive package" value={o.incentives.name} hint={`TIF: ${o.incentives.tif}`} />
        <Stat
          label="Cost to the city (present value)"
          value={formatValue(o.incentives.cityCost.totalUsd, "USD")}
        />
        <Stat
          label="Tier requirement"
          value={`${formatValue(o.tierRequirement.affordableShare, "fraction", 0)} at ${o.tierRequirement.amiLevel}`}
          hint={o.tierRequirement.metByThisDeal ? "met by this deal" : "not met by this deal"}
        />
        <Stat
          label="Perm-loan sizing binds on"
          value={`${o.market.permLoanBindingConstraint} / ${o.mixedIncome.permLoanBindingConstraint}`}
          hint="market / mixed income"
        />
      </SimpleGrid>
      <section aria-labelledby="cmp-su">
        <Title order={3} size="h4" id="cmp-su" mb="xs">
          Sources and uses, side by side
        </Title>
        <Table.ScrollContainer minWidth={640}>
          <Table striped fz="sm" data-testid="sources-uses" aria-labelledby="cmp-su">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Item</Table.Th>
                <Table.Th ta="right">Market rate</Table.Th>
                <Table.Th ta="right">Mixed income</Table.Th>
                <Table.Th ta="right">Mixed − market</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(["uses", "sources", "memo"] as const).map((section) => [
                <Table.Tr key={section}>
                  <Table.Th colSpan={4} scope="colgroup" tt="capitalize">
                    {section}
                  </Table.Th>
                </Table.Tr>,
                ...o.sourcesUses
                  .filter((r) => r.section === section)
                  .map((r) => {
                    const total = /^Total/.test(r.item);
                    return (
                      <Table.Tr key={`${section}|${r.item}`} fw={total ? 700 : undefined}>
                        <Table.Td>{r.item}</Table.Td>
                        <NumTd>{formatValue(r.marketUsd, "USD")}</NumTd>
                        <NumTd>{formatValue(r.mixedIncomeUsd, "USD")}</NumTd>
                        <NumTd>{formatValue(r.differenceUsd, "USD")}</NumTd>
                      </Table.Tr>
                    );
                  }),
              ])}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
      <SimpleGrid cols={{ base: 1, lg: flows ? 2 : 1 }}>
        {flows ? (
          <Card withBorder>
            <Title order={3} size="h5" mb="xs">
              Levered cash flow by year: market rate vs mixed income
            </Title>
            <EChart
              option={flows}
              label="Levered cash flow by project year, each year and cumulative, of the market-rate and mixed-income deals"
            />
          </Card>
        ) : null}
        <Card withBorder>
          <Title order={3} size="h5" mb="xs">
            Uses and sources overlaid: market rate vs mixed income
          </Title>
          <EChart option={overlay} label="Sources and uses of the market-rate and mixed-income deals" />
        </Card>
      </SimpleGrid>
    </Stack>
  );
}

function ScenarioColumn({
  title,
  rows,
  side,
  summary,
}: {
  title: string;
  rows: MetricRow[];
  side: "market" | "mixedIncome";
  summary: Summary;
}) {
  const id = `cmp-${side}`;
  return (
    <Card withBorder data-testid={`column-${side}`}>
      <Title order={3} size="h4" id={id} mb="xs">
        {title}
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {summary.totalUnits} units
      </Text>
      <Table fz="sm" aria-labelledby={id}>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.metric}>
              <Table.Th scope="row" fw={500}>
                {r.metric}
              </Table.Th>
              <NumTd>{formatValue(r[side], unitOf(r.unit))}</NumTd>
              {side === "mixedIncome" ? (
                <NumTd>
                  <Text span size="xs" c={r.difference === null || r.difference === 0 ? "dimmed" : undefined}>
                    {difference(r)}
                  </Text>
                </NumTd>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** Each deal's sources and uses: one bar per item and deal. */
function sourcesUsesChart(rows: SourcesUsesRow[]): ChartOption {
  const items = rows.filter((r) => r.section !== "memo" && !/^Total/.test(r.item));
  const short = (s: string) => s.replace(/\s*\(.*\)$/, "");
  return {
    tooltip: { trigger: "axis", valueFormatter: (v: number) => formatValue(v, "USD") },
    legend: { top: 0 },
    grid: { left: 90, right: 20, top: 36, bottom: 70 },
    xAxis: {
      type: "category",
      data: items.map((r) => short(r.item)),
      axisLabel: { interval: 0, rotate: 20 },
    },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => formatValue(v, "USD") } },
    series: [
      { name: "Market rate", type: "bar", data: items.map((r) => r.marketUsd) },
      { name: "Mixed income", type: "bar", data: items.map((r) => r.mixedIncomeUsd) },
    ],
  };
}

/** Both deals' levered cash flow per project year (bars) and cumulated (lines), on one USD axis. */
function yearlyChart(rows: YearlyRow[]): ChartOption {
  const years = rows.map((r) => `Y${r.year}`);
  return {
    tooltip: { trigger: "axis", valueFormatter: (v: number) => formatValue(v, "USD") },
    legend: { top: 0 },
    grid: { left: 90, right: 20, top: 50, bottom: 30 },
    xAxis: { type: "category", data: years },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => formatValue(v, "USD") } },
    series: [
      { name: "Market, year", type: "bar", data: rows.map((r) => r.marketLeveredCfUsd) },
      { name: "Mixed, year", type: "bar", data: rows.map((r) => r.mixedIncomeLeveredCfUsd) },
      {
        name: "Market, cumulative",
        type: "line",
        showSymbol: false,
        data: rows.map((r) => r.marketCumulativeLeveredCfUsd),
      },
      {
        name: "Mixed, cumulative",
        type: "line",
        showSymbol: false,
        data: rows.map((r) => r.mixedIncomeCumulativeLeveredCfUsd),
      },
    ],
  };
}
