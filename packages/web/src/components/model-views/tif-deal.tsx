import { Badge, Card, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMemo } from "react";
import { formatValue } from "../../format.ts";
import { type ChartOption, EChart } from "../chart.tsx";
import { DeclaredCharts, DeclaredTables, KpiCards } from "../results.tsx";
import type { ModelViewProps } from "./index.tsx";
import { NumTd } from "./parts.tsx";

/** The parts of a tif@2 output this view reads (engine schemas: src/schema.ts, v2/schema.ts, v2/annual.ts). */
export interface TifDealOutput {
  scenario: string;
  sourcesUses: Record<string, number> & { tdcUsd: number; constructionLoanUsd: number; equityUsd: number };
  permanentLoan: {
    fundedUsd: number;
    sizingMaxUsd: number;
    ltvAmountUsd: number;
    dscrAmountUsd: number;
    bindingConstraint: "LTV" | "DSCR" | "LTC" | "CAP";
    monthlyPaymentUsd: number;
    stabilizedNoiForSizingUsd: number;
    stabilizedValueForLtvUsd: number;
    constructionPayoffAtConversionUsd: number;
  };
  incentives: { permRateEffectiveAnnual: number; interestBuydownBps: number };
  annual: {
    year: number;
    firstMonth: string;
    lastMonth: string;
    phases: string;
    propertyTaxesNetUsd: number;
    tifReimbursementUsd: number;
    tifAbatementUsd: number;
    noiUsd: number;
    seniorDebtServiceUsd: number;
    dscr: number | null;
    debtYield: number | null;
  }[];
}

interface DealInput {
  permLtvMax?: number;
  permDscrMin?: number;
  permAmortYears?: number;
  exitCapRate?: number;
  tif?: { treatment?: string };
}

/** tif@2, one deal: KPIs, sources & uses, how the permanent loan was sized, the TIF schedule, DSCR by year. */
export default function TifDealView({ run, model, output, currency }: ModelViewProps) {
  const o = output as unknown as TifDealOutput;
  const input = (run.input ?? {}) as DealInput;
  const ratios = useMemo(() => ratioChart(o.annual), [o.annual]);
  const tifYears = o.annual.filter((y) => y.tifReimbursementUsd !== 0 || y.tifAbatementUsd !== 0);
  return (
    <Stack gap="lg" data-testid="tif-deal">
      <KpiCards output={output} currency={currency} declared={model.kpis} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <SourcesUses su={o.sourcesUses} />
        <PermLoanTrace loan={o.permanentLoan} input={input} rate={o.incentives.permRateEffectiveAnnual} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder data-testid="dscr-chart">
          <Title order={3} size="h5" mb="xs">
            DSCR and debt yield by year
          </Title>
          <EChart option={ratios} label="Debt service coverage ratio and debt yield by project year" />
        </Card>
        <Card withBorder data-testid="tif-schedule">
          <Title order={3} size="h5" id="tif-schedule-title">
            TIF schedule ({input.tif?.treatment ?? "none"})
          </Title>
          {tifYears.length === 0 ? (
            <Text size="sm" mt="xs">
              This deal receives no TIF reimbursement or abatement in the hold.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={480} mah={320}>
              <Table striped fz="sm" stickyHeader aria-labelledby="tif-schedule-title">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Year</Table.Th>
                    <Table.Th ta="right">Net property taxes</Table.Th>
                    <Table.Th ta="right">TIF reimbursement</Table.Th>
                    <Table.Th ta="right">TIF abatement</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {tifYears.map((y) => (
                    <Table.Tr key={y.year}>
                      <Table.Td>
                        {y.year}{" "}
                        <Text span size="xs" c="dimmed">
                          ({y.firstMonth} … {y.lastMonth})
                        </Text>
                      </Table.Td>
                      <NumTd>{formatValue(y.propertyTaxesNetUsd, "USD")}</NumTd>
                      <NumTd>{formatValue(y.tifReimbursementUsd, "USD")}</NumTd>
                      <NumTd>{formatValue(y.tifAbatementUsd, "USD")}</NumTd>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
      </SimpleGrid>
      <DeclaredCharts model={model} output={output} />
      <DeclaredTables model={model} output={output} />
    </Stack>
  );
}

const SU_ROWS: [string, string][] = [
  ["landUsd", "Land"],
  ["hardCostsInclContingencyUsd", "Hard costs (incl. contingency)"],
  ["softCostsInclReservesPredevDevFeeUsd", "Soft costs (incl. predevelopment, fee, reserves)"],
  ["idcUsd", "Interest during construction"],
  ["tdcUsd", "Total development cost"],
];

function SourcesUses({ su }: { su: TifDealOutput["sourcesUses"] }) {
  const lump = su.tifLumpSumUsd ?? 0;
  const sources: [string, number][] = [
    ["Construction loan", su.constructionLoanUsd],
    ...(lump ? ([["TIF lump sum", lump]] as [string, number][]) : []),
    ["Sponsor equity", su.equityUsd],
  ];
  const total = sources.reduce((s, [, v]) => s + v, 0);
  const row = (label: string, v: number, bold = false) => (
    <Table.Tr key={label} fw={bold ? 700 : undefined}>
      <Table.Td>{label}</Table.Td>
      <NumTd>{formatValue(v, "USD")}</NumTd>
      <NumTd>{formatValue(su.tdcUsd ? v / su.tdcUsd : null, "fraction", 1)}</NumTd>
    </Table.Tr>
  );
  return (
    <Card withBorder data-testid="deal-sources-uses">
      <Title order={3} size="h5" mb="xs" id="deal-su">
        Sources and uses
      </Title>
      <Table fz="sm" aria-labelledby="deal-su">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Uses</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th ta="right">Share of TDC</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {SU_ROWS.map(([k, label]) => row(label, su[k] ?? 0, k === "tdcUsd"))}
          {su.smartFeeWaiverUsd ? (
            <Table.Tr>
              <Table.Td colSpan={3}>
                <Text size="xs" c="dimmed">
                  Soft costs are net of the SMART fee waiver ({formatValue(su.smartFeeWaiverUsd, "USD")}).
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
        </Table.Tbody>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Sources</Table.Th>
            <Table.Th />
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sources.map(([label, v]) => row(label, v))}
          {row("Total sources", total, true)}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** Each sizing constraint with the loan it allows; the loan is the smallest, the binding one. */
function PermLoanTrace({
  loan,
  input,
  rate,
}: {
  loan: TifDealOutput["permanentLoan"];
  input: DealInput;
  rate: number;
}) {
  const steps: { key: string; label: string; how: string; amount: number | null }[] = [
    {
      key: "LTV",
      label: "Loan to value",
      how: `${formatValue(input.permLtvMax ?? null, "fraction", 0)} × stabilized value ${formatValue(loan.stabilizedValueForLtvUsd, "USD")}`,
      amount: loan.ltvAmountUsd,
    },
    {
      key: "DSCR",
      label: "Debt service coverage",
      how: `NOI ${formatValue(loan.stabilizedNoiForSizingUsd, "USD")} ÷ ${input.permDscrMin ?? "min"}× DSCR, at ${formatValue(rate, "fraction")} over ${input.permAmortYears ?? "?"} years`,
      amount: loan.dscrAmountUsd,
    },
  ];
  if (loan.bindingConstraint === "LTC" || loan.bindingConstraint === "CAP")
    steps.push({
      key: loan.bindingConstraint,
      label: loan.bindingConstraint === "LTC" ? "Loan to cost" : "Cap",
      how: "the sizing maximum",
      amount: loan.sizingMaxUsd,
    });
  return (
    <Card withBorder data-testid="perm-loan-trace">
      <Title order={3} size="h5" mb="xs" id="perm-trace">
        Permanent loan sizing
      </Title>
      <Table fz="sm" aria-labelledby="perm-trace">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Constraint</Table.Th>
            <Table.Th>How</Table.Th>
            <Table.Th ta="right">Loan it allows</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {steps.map((s) => {
            const binds = s.key === loan.bindingConstraint;
            return (
              <Table.Tr key={s.key} fw={binds ? 700 : undefined} data-binding={binds || undefined}>
                <Table.Td>
                  {s.label}{" "}
                  {binds ? (
                    <Badge size="sm" color="grape.8" variant="filled">
                      binds
                    </Badge>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{s.how}</Text>
                </Table.Td>
                <NumTd>{formatValue(s.amount, "USD")}</NumTd>
              </Table.Tr>
            );
          })}
          <Table.Tr fw={700}>
            <Table.Td colSpan={2}>Funded at conversion</Table.Td>
            <NumTd>{formatValue(loan.fundedUsd, "USD")}</NumTd>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt="xs">
        Monthly payment {formatValue(loan.monthlyPaymentUsd, "USD")}; construction loan paid off at conversion{" "}
        {formatValue(loan.constructionPayoffAtConversionUsd, "USD")}.
      </Text>
    </Card>
  );
}

function ratioChart(annual: TifDealOutput["annual"]): ChartOption {
  const years = annual.filter((y) => y.dscr !== null || y.debtYield !== null);
  return {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 55, right: 60, top: 36, bottom: 40 },
    xAxis: { type: "category", name: "year", data: years.map((y) => y.year) },
    yAxis: [
      { type: "value", name: "DSCR", axisLabel: { formatter: (v: number) => `${v.toFixed(2)}×` } },
      {
        type: "value",
        name: "debt yield",
        axisLabel: { formatter: (v: number) => formatValue(v, "fraction", 0) },
        splitLine: { show: false },
      },
    ],
    series: [
      {
        name: "DSCR",
        type: "bar",
        data: years.map((y) => y.dscr),
        tooltip: { valueFormatter: (v: number) => formatValue(v, "x") },
      },
      {
        name: "Debt yield",
        type: "line",
        yAxisIndex: 1,
        data: years.map((y) => y.debtYield),
        tooltip: { valueFormatter: (v: number) => formatValue(v, "fraction") },
      },
    ],
  };
}
