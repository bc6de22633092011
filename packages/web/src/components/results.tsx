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
import {
  bindingGroupsOf,
  emptyPlanOf,
  infeasibilitySummary,
  pricesAreDetail,
  pricesTitle,
  relaxationLines,
  whatIfRun,
} from "../lib/optimizer.ts";
import { kpisOf, valueAtPath } from "../lib/output.ts";
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
  const groups = bindingGroupsOf(output, { lowerBetter });
  const prices = shadowPriceRows(output);
  const sp = output.shadowPrices as Obj | undefined;
  const whatIfs = Array.isArray(output.whatIf) ? (output.whatIf as WhatIf[]) : [];
  const inf = output.infeasibility as Obj | null | undefined;
  const empty = emptyPlanOf(output);
  const currency = typeof output.currency === "string" ? output.currency : "AED";
  // For integer plans the re-solved what-ifs are the marginal values: they lead, and the
  // fixed-integer LP's duals are a labelled detail (issue 18 item 5).
  const detail = pricesAreDetail(output);
  const whatIfPanel = whatIfs.length ? (
    <div data-testid="what-ifs">
      <Title order={3} size="h4" mb={4}>
        What if… (re-solved)
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Each answer solves the plan again with one input changed: the value of that change.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {whatIfs.map((w) => (
          <WhatIfCard
            key={`${w.question}|${String(w.parameter)}|${JSON.stringify(w.to)}`}
            w={w}
            input={input}
            lowerBetter={lowerBetter}
            canRun={canRun}
            onRunChange={onRunChange}
          />
        ))}
      </SimpleGrid>
    </div>
  ) : null;
  const priceTable = prices.length ? (
    <Table.ScrollContainer minWidth={720}>
      <Table striped fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Constraint</Table.Th>
            <Table.Th ta="right">{detail ? "LP dual" : "Shadow price"}</Table.Th>
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
  ) : null;
  return (
    <Stack>
      <Alert
        color={infeasible ? "red" : empty ? "yellow" : status === "optimal" ? "green" : "yellow"}
        title={
          infeasible ? "No feasible plan" : empty ? "The best plan buys nothing" : `Solver status: ${status}`
        }
        data-testid="optimizer-status"
      >
        {String(output.statusLabel ?? "")}
      </Alert>
      {empty ? (
        <Alert color="yellow" variant="outline" title="Why the plan is empty" data-testid="empty-plan">
          <Text size="sm" fw={600} mb={4}>
            {empty.reason}
          </Text>
          {empty.blockers.length ? (
            <List size="sm" spacing={4}>
              {empty.blockers.map((b) => (
                <List.Item key={b}>{b}</List.Item>
              ))}
            </List>
          ) : null}
        </Alert>
      ) : null}
      {inf ? <InfeasibilityPanel inf={inf} /> : null}
      {!infeasible ? (
        <Card withBorder data-testid="binding">
          <Title order={3} size="h4" mb={4}>
            Binding limits
          </Title>
          <Text size="sm" c="dimmed" mb="xs">
            A binding limit is one this plan uses in full. Whether relaxing it pays is the re-solved what-if
            shown with it.
          </Text>
          {groups.length ? (
            <Stack gap="sm">
              {groups.map((g) => (
                <div key={g.family} data-testid="binding-group">
                  <Group gap="xs" mb={2}>
                    <Text size="sm" fw={600}>
                      {g.label}
                    </Text>
                    {g.count > 1 ? (
                      <Badge variant="light" color="grape" data-testid="binding-count">
                        binding in {g.count}
                      </Badge>
                    ) : null}
                  </Group>
                  {g.top.length ? (
                    <Text size="xs" c="dimmed">
                      {g.top.map((t) => t.what ?? t.constraint).join(" · ")}
                      {g.more ? ` · and ${g.more} more` : ""}
                    </Text>
                  ) : null}
                  {g.marginal ? (
                    <Text size="sm" data-testid="binding-marginal">
                      {g.marginal.sentence}
                    </Text>
                  ) : null}
                </div>
              ))}
            </Stack>
          ) : (
            <Text size="sm">No limit is binding: the plan is limited by the objective alone.</Text>
          )}
        </Card>
      ) : null}
      {detail ? whatIfPanel : null}
      {priceTable && !infeasible ? (
        detail ? (
          <details data-testid="shadow-prices">
            <summary>
              <Text span size="sm" fw={600}>
                {pricesTitle(output)} (detail)
              </Text>
            </summary>
            <Text size="sm" c="dimmed" my="xs">
              {typeof sp?.label === "string" ? sp.label : ""} These duals hold only while the same whole
              choices are kept; they are not the value of relaxing a limit (see the re-solved what-ifs).
            </Text>
            {priceTable}
          </details>
        ) : (
          <Card withBorder data-testid="shadow-prices">
            <Title order={3} size="h4">
              {pricesTitle(output)}
            </Title>
            <Text size="sm" c="dimmed" mb="xs">
              {typeof sp?.label === "string"
                ? sp.label
                : "How much the objective changes per unit of each limit, valid while the limit stays within the range shown."}
            </Text>
            {priceTable}
          </Card>
        )
      ) : null}
      {detail ? null : whatIfPanel}
    </Stack>
  );
}

function InfeasibilityPanel({ inf }: { inf: Obj }) {
  const iis = inf.iis as Obj | null | undefined;
  const relaxation = relaxationLines(inf);
  // The shared summary's own "Smallest change…" sentence repeats the list above it.
  const summary = infeasibilitySummary(inf).filter(
    (s) => !(relaxation.length && s.startsWith("Smallest change")),
  );
  const conflicting = iis && Array.isArray(iis.constraints) ? (iis.constraints as Obj[]) : [];
  return (
    <Card withBorder data-testid="infeasibility">
      <Title order={3} size="h4" mb="xs">
        Why there is no plan
      </Title>
      {relaxation.length ? (
        <>
          <Text size="sm" fw={600}>
            Smallest changes that make a plan possible
          </Text>
          <List size="sm" spacing={4} mb="sm" data-testid="relaxation">
            {relaxation.map((r) => (
              <List.Item key={r}>{r}</List.Item>
            ))}
          </List>
        </>
      ) : null}
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
            Limits that cannot all hold (the conflicting set)
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
  // Only a what-if that is one change of this run's input offers a button (issue 18 item 13).
  const run = whatIfRun(w, input);
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
        {canRun && run ? (
          <Button
            size="xs"
            variant="light"
            loading={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await onRunChange(run.input, w.question);
              } finally {
                setBusy(false);
              }
            }}
          >
            {run.label}
          </Button>
        ) : null}
      </Stack>
    </Card>
  );
}
