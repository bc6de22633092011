import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useMemo, useState } from "react";
import { formatValue, negativeColor } from "../format.ts";
import { chartOption } from "../lib/charts.ts";
import { objectiveIsCost } from "../lib/delta.ts";
import { kpisOf, valueAtPath, withChange } from "../lib/output.ts";
import type { Model, TableDescriptor } from "../types.ts";
import { EChart } from "./chart.tsx";
import { DataTable, PeriodTable } from "./data-table.tsx";

type Obj = Record<string, unknown>;

/**
 * The headline numbers: the model's declared KPIs first, with their titles, units, formats and
 * decimals (LTC as a percent, not 0.7007; issue 18 item 8), then the other numbers of its KPI
 * groups, labelled from their names.
 */
export function KpiCards({
  output,
  currency,
  declared = [],
}: {
  output: unknown;
  currency: string;
  declared?: Model["kpis"];
}) {
  const fromDeclared = declared.flatMap((d) => {
    const v = valueAtPath(output, d.path);
    return typeof v === "number"
      ? [{ path: d.path, label: d.title, value: v, unit: d.unit, format: d.format, decimals: d.decimals }]
      : [];
  });
  const seen = new Set(fromDeclared.map((k) => k.path));
  const kpis: {
    path: string;
    label: string;
    value: number;
    unit?: string;
    format?: string;
    decimals?: number;
  }[] = [...fromDeclared, ...kpisOf(output, currency).filter((k) => !seen.has(k.path))];
  if (kpis.length === 0) return null;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm" data-testid="kpis">
      {kpis.slice(0, 20).map((k) => (
        <Card key={k.path} withBorder padding="sm">
          <Text size="xs" c="dimmed" title={k.path}>
            {k.label}
          </Text>
          <Text fw={700} size="lg" c={negativeColor(k.value)} style={{ fontVariantNumeric: "tabular-nums" }}>
            {formatValue(k.value, k.unit, k.decimals, { format: k.format, currency })}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

/** Tables whose rows are months (TIF's periods) can be rolled up to quarters and years. */
function isMonthly(t: TableDescriptor, rows: Obj[]) {
  return rows.length >= 24 && t.columns.some((c) => c.key === "month" || c.key === "period");
}

export function DeclaredTables({ model, output }: { model: Model; output: unknown }) {
  const own = output && typeof output === "object" ? (output as Obj).currency : undefined;
  const currency = typeof own === "string" ? own : undefined;
  return (
    <Stack>
      {model.tables.map((t) => {
        const rows = valueAtPath(output, t.rows);
        if (!Array.isArray(rows)) return null;
        return (
          <section key={t.name} aria-labelledby={`t-${t.name}`}>
            <Title order={3} size="h4" id={`t-${t.name}`} mb="xs">
              {t.title}
            </Title>
            {isMonthly(t, rows as Obj[]) ? (
              <PeriodTable descriptor={t} rows={rows as Obj[]} currency={currency} />
            ) : (
              <DataTable descriptor={t} rows={rows as Obj[]} currency={currency} />
            )}
          </section>
        );
      })}
    </Stack>
  );
}

export function DeclaredCharts({ model, output }: { model: Model; output: unknown }) {
  const charts = useMemo(
    () =>
      model.charts.flatMap((c) => {
        const table = model.tables.find((t) => t.name === c.table);
        const rows = table ? valueAtPath(output, table.rows) : undefined;
        if (!Array.isArray(rows) || rows.length === 0) return [];
        // A chart with nothing to draw (every what-if infeasible, say) is left out.
        if (!(rows as Obj[]).some((r) => c.y.some((y) => typeof r[y] === "number"))) return [];
        // A schedule gets a row of ~22 px per bar, so 60 projects stay readable.
        const height = c.kind === "gantt" ? Math.max(220, 22 * rows.length + 70) : 320;
        return [{ c, option: chartOption(c, table, rows as Obj[]), height }];
      }),
    [model, output],
  );
  if (charts.length === 0) return null;
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      {charts.map(({ c, option, height }) => (
        <Card key={c.name} withBorder>
          <Title order={3} size="h5" mb="xs">
            {c.title}
          </Title>
          <EChart option={option} label={c.title} height={height} />
        </Card>
      ))}
    </SimpleGrid>
  );
}

// ——— Optimizer explainability: the optimizers' shared explanation shape (engines/optimizers
// common/explain-schema.ts), shown for models that declare the `optimizer` view; deal-picker@2's
// older rows (price inline on constraint rows, one summary string) are read too, for its runs. ———

interface PriceRow {
  constraint: string;
  price: number | null;
  priceUnit?: string;
  limit?: unknown;
  unit?: string;
  validFrom: number | null;
  validTo: number | null;
  meaning?: string;
  binding?: boolean;
}

function shadowPriceRows(o: Obj): PriceRow[] {
  const sp = o.shadowPrices as Obj | undefined;
  if (sp && Array.isArray(sp.rows)) {
    return (sp.rows as Obj[]).map((r) => ({
      constraint: String(r.constraint),
      price: typeof r.pricePerUnit === "number" ? r.pricePerUnit : null,
      priceUnit: typeof r.objectiveUnit === "string" ? `${r.objectiveUnit} per ${r.unit}` : undefined,
      limit: r.limitValue,
      unit: r.unit as string | undefined,
      validFrom: (r.validFrom as number | null) ?? null,
      validTo: (r.validTo as number | null) ?? null,
      meaning: r.meaning as string | undefined,
      binding: r.binding as boolean | undefined,
    }));
  }
  if (Array.isArray(o.constraints) && (o.constraints as Obj[]).some((c) => "shadowPrice" in c)) {
    return (o.constraints as Obj[]).map((c) => ({
      constraint: String(c.constraint),
      price: typeof c.shadowPrice === "number" ? c.shadowPrice : null,
      priceUnit: c.priceUnit as string | undefined,
      limit: c.limit,
      unit: c.unit as string | undefined,
      validFrom: (c.validFrom as number | null) ?? null,
      validTo: (c.validTo as number | null) ?? null,
      binding: c.binding as boolean | undefined,
    }));
  }
  return [];
}

const range = (from: number | null, to: number | null, unit?: string) =>
  `${from === null ? "−∞" : formatValue(from, unit)} … ${to === null ? "∞" : formatValue(to, unit)}`;

export interface WhatIf {
  question: string;
  answer?: string;
  parameter?: string;
  from?: unknown;
  to?: unknown;
  status?: string;
  deltaObjective?: number;
}

/**
 * Status, binding constraints, shadow prices (with units and the range over which each holds),
 * the infeasibility explanation (IIS + smallest relaxation) and what-if cards whose button runs
 * the suggested change as a new run.
 */
export function OptimizerPanels({
  output,
  input,
  onRunChange,
  canRun,
  model,
}: {
  output: Obj;
  input: unknown;
  onRunChange: (input: unknown, label: string) => Promise<void>;
  canRun: boolean;
  model?: Model;
}) {
  const lowerBetter = model ? objectiveIsCost(model) : false;
  const status = String(output.status ?? "");
  const infeasible =
    status === "infeasible" || (output.infeasibility !== null && output.infeasibility !== undefined);
  const binding = Array.isArray(output.binding) ? (output.binding as string[]) : [];
  const prices = shadowPriceRows(output);
  const sp = output.shadowPrices as Obj | undefined;
  const whatIfs = Array.isArray(output.whatIf) ? (output.whatIf as WhatIf[]) : [];
  const inf = output.infeasibility as Obj | null | undefined;
  const currency = typeof output.currency === "string" ? output.currency : "AED";
  return (
    <Stack>
      <Alert
        color={infeasible ? "red" : status === "optimal" ? "green" : "yellow"}
        title={infeasible ? "No feasible plan" : `Solver status: ${status}`}
        data-testid="optimizer-status"
      >
        {String(output.statusLabel ?? "")}
      </Alert>
      {inf ? <InfeasibilityPanel inf={inf} /> : null}
      {!infeasible ? (
        <Card withBorder data-testid="binding">
          <Title order={3} size="h4" mb="xs">
            Binding constraints
          </Title>
          {binding.length ? (
            <Group gap="xs">
              {binding.map((b) => (
                <Badge key={b} variant="light" color="grape" size="lg">
                  {b}
                </Badge>
              ))}
            </Group>
          ) : (
            <Text size="sm">No constraint is binding: the plan is limited by the objective alone.</Text>
          )}
        </Card>
      ) : null}
      {prices.length && !infeasible ? (
        <Card withBorder data-testid="shadow-prices">
          <Title order={3} size="h4">
            Shadow prices
          </Title>
          <Text size="sm" c="dimmed" mb="xs">
            {typeof sp?.label === "string"
              ? sp.label
              : "How much the objective changes per unit of each limit, valid while the limit stays within the range shown."}
          </Text>
          <Table.ScrollContainer minWidth={720}>
            <Table striped fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Constraint</Table.Th>
                  <Table.Th ta="right">Shadow price</Table.Th>
                  <Table.Th>Unit</Table.Th>
                  <Table.Th>Limit</Table.Th>
                  <Table.Th>Valid for limits in</Table.Th>
                  <Table.Th>Meaning</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {prices.map((p) => (
                  <Table.Tr key={p.constraint} fw={p.binding ? 600 : undefined}>
                    <Table.Td>
                      {p.constraint}
                      {p.binding ? (
                        <Badge ml={6} size="xs" variant="light" color="grape">
                          binding
                        </Badge>
                      ) : null}
                    </Table.Td>
                    <Table.Td ta="right" style={{ fontVariantNumeric: "tabular-nums" }}>
                      {p.price === null
                        ? "—"
                        : formatValue(p.price, undefined, Math.abs(p.price) < 1 && p.price !== 0 ? 4 : 2)}
                    </Table.Td>
                    <Table.Td>{p.priceUnit ?? ""}</Table.Td>
                    <Table.Td>
                      {typeof p.limit === "number"
                        ? formatValue(p.limit, p.unit === "AED" || p.unit === currency ? currency : undefined)
                        : String(p.limit ?? "")}
                    </Table.Td>
                    <Table.Td>{range(p.validFrom, p.validTo)}</Table.Td>
                    <Table.Td>
                      <Text size="xs">{p.meaning ?? ""}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      ) : null}
      {whatIfs.length ? (
        <div data-testid="what-ifs">
          <Title order={3} size="h4" mb="xs">
            What if…
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {whatIfs.map((w) => (
              <WhatIfCard
                key={`${w.question}|${String(w.parameter)}|${String(w.to)}`}
                w={w}
                input={input}
                lowerBetter={lowerBetter}
                canRun={canRun}
                onRunChange={onRunChange}
              />
            ))}
          </SimpleGrid>
        </div>
      ) : null}
    </Stack>
  );
}

function InfeasibilityPanel({ inf }: { inf: Obj }) {
  const iis = inf.iis as Obj | null | undefined;
  // The shared shape (common/explain-schema.ts) lists sentences; deal-picker@2's runs hold one string.
  const summary = Array.isArray(inf.summary)
    ? (inf.summary as string[])
    : typeof inf.summary === "string"
      ? [inf.summary]
      : [];
  const relaxation = Array.isArray(inf.relaxation)
    ? (inf.relaxation as Obj[])
    : (inf.relaxation as Obj | null)
      ? [inf.relaxation as Obj]
      : [];
  const conflicting = iis && Array.isArray(iis.constraints) ? (iis.constraints as Obj[]) : [];
  return (
    <Card withBorder data-testid="infeasibility">
      <Title order={3} size="h4" mb="xs">
        Why there is no plan
      </Title>
      {summary.length ? (
        <List size="sm" spacing={4} mb="sm">
          {summary.map((s) => (
            <List.Item key={s}>{s}</List.Item>
          ))}
        </List>
      ) : null}
      {conflicting.length ? (
        <>
          <Text size="sm" fw={600}>
            Conflicting constraints (irreducible infeasible set)
          </Text>
          <Group gap="xs" mb="sm">
            {conflicting.map((c) => (
              <Badge key={String(c.constraint)} color="red" variant="light">
                {String(c.constraint)}
              </Badge>
            ))}
          </Group>
        </>
      ) : null}
      {relaxation.length ? (
        <>
          <Text size="sm" fw={600}>
            Smallest changes that make a plan possible
          </Text>
          <List size="sm" spacing={4}>
            {relaxation.map((r) => (
              <List.Item key={`${String(r.constraint)}|${String(r.explanation)}`}>
                {String(r.explanation ?? r.text ?? r.constraint)}
              </List.Item>
            ))}
          </List>
        </>
      ) : null}
      {typeof inf.iisNote === "string" ? (
        <Text size="xs" c="dimmed" mt="xs">
          {inf.iisNote}
        </Text>
      ) : null}
    </Card>
  );
}

function WhatIfCard({
  w,
  input,
  lowerBetter,
  canRun,
  onRunChange,
}: {
  w: WhatIf;
  input: unknown;
  /** The objective is a cost: a fall is the good news (issue 18 item 11). */
  lowerBetter: boolean;
  canRun: boolean;
  onRunChange: (input: unknown, label: string) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const changed =
    w.parameter !== undefined && w.to !== undefined ? withChange(input, w.parameter, w.to) : undefined;
  return (
    <Card withBorder padding="sm" data-testid="what-if-card">
      <Stack gap={6}>
        <Text size="sm" fw={600}>
          {w.question}
        </Text>
        <Text size="sm">{w.answer ?? w.status}</Text>
        {typeof w.deltaObjective === "number" ? (
          <Text
            size="sm"
            // The light-variant text colours: ≥ 4.5:1 in both themes (green.9 is 4.4:1 on white).
            c={
              w.deltaObjective === 0
                ? "dimmed"
                : w.deltaObjective > 0 !== lowerBetter
                  ? "var(--mantine-color-green-light-color)"
                  : "var(--mantine-color-red-light-color)"
            }
            data-testid="what-if-delta"
            data-better={w.deltaObjective === 0 ? "same" : String(w.deltaObjective > 0 !== lowerBetter)}
            fw={600}
          >
            Objective {w.deltaObjective >= 0 ? "+" : "−"}
            {formatValue(Math.abs(w.deltaObjective))}
          </Text>
        ) : null}
        {canRun ? (
          changed !== undefined ? (
            <Button
              size="xs"
              variant="light"
              loading={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await onRunChange(changed, w.question);
                } finally {
                  setBusy(false);
                }
              }}
            >
              Run this change ({w.parameter} = {String(w.to)})
            </Button>
          ) : (
            <Text size="xs" c="dimmed">
              {w.parameter
                ? `“${w.parameter}” is not set in this run's input, so it cannot be re-run from here.`
                : "Not a single input change."}
            </Text>
          )
        ) : null}
      </Stack>
    </Card>
  );
}
