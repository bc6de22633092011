import {
  Button,
  Chip,
  Group,
  Loader,
  NumberInput,
  Paper,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import type { KeyboardEvent, ReactNode } from "react";
import {
  canCrossFilter,
  categoriesOf,
  type dashboardQueryOf,
  gridPlacement,
  kpiOf,
  type PlanSlicer,
  type PlanView,
  type PlanVisual,
  type Selection,
  type SlicerState,
  selectionFor,
  type Tile,
  tableOf,
  toggleSelection,
  type VisualResult,
  visualOption,
} from "../lib/dashboard.ts";
import { EChart } from "./chart.tsx";
import { ListSlicer, type SlicerSource } from "./slicer-values.tsx";

/**
 * A dashboard plan drawn on its 12-column grid: slicers, KPI cards, charts and tables over the
 * visuals' query results, with cross-filtering. Shared by the signed-in dashboard (which adds
 * keyboard layout edits and "ask to change") and the public share-link page (read-only); the
 * caller owns the filter state and where the answers come from.
 */

/** A grid row's height on the dashboard: the plan's tiles are 12 columns wide and h rows tall. */
export const GRID_ROW_PX = 56;
export const GRID_GAP_PX = 8;

/** Extra attributes of a visual's tile (the signed-in page's keyboard moves). */
export interface TileProps {
  tabIndex?: number;
  "aria-describedby"?: string;
  "aria-keyshortcuts"?: string;
  onKeyDown?: (e: KeyboardEvent) => void;
}

export function DashboardPages({
  plan: p,
  results,
  loading,
  filters,
  slicers,
  onSlicer,
  selections,
  onSelect,
  slicerSource,
  tile,
  preview,
  overlay,
  onAsk,
  onEdit,
}: {
  plan: PlanView;
  results: VisualResult[];
  loading: boolean;
  filters: ReturnType<typeof dashboardQueryOf>["body"];
  slicers: Record<string, SlicerState>;
  onSlicer: (id: string, s: SlicerState) => void;
  selections: Selection[];
  onSelect: (s: Selection) => void;
  slicerSource: SlicerSource;
  tile?: ((v: PlanVisual) => TileProps) | undefined;
  /** A tile being dragged: drawn at this place (snapped) until the new revision arrives. */
  preview?: { id: string; tile: Tile } | null | undefined;
  /** Drawn over each visual's tile (the signed-in page's drag grips). */
  overlay?: ((v: PlanVisual) => ReactNode) | undefined;
  onAsk?: ((v: PlanVisual) => void) | undefined;
  /** Offered on each visual: open the visual form. */
  onEdit?: ((v: PlanVisual) => void) | undefined;
}) {
  const byId = new Map(results.map((r) => [r.visualId, r]));
  return (
    <>
      {p.pages.map((page) => (
        <section key={page.id} aria-label={`Page ${page.title}`}>
          {p.pages.length > 1 ? (
            <Title order={3} size="h4" mb="xs">
              {page.title}
            </Title>
          ) : null}
          <div
            style={{
              display: "grid",
              gridTemplateColumns: "repeat(12, minmax(0, 1fr))",
              gridAutoRows: GRID_ROW_PX,
              gap: GRID_GAP_PX,
            }}
            data-dashboard-grid
          >
            {page.slicers.map((s) => (
              <Paper key={s.id} withBorder p="xs" style={gridPlacement(s.layout)}>
                <SlicerControl
                  source={slicerSource}
                  filters={filters}
                  slicer={s}
                  state={slicers[s.id]}
                  onChange={(st) => onSlicer(s.id, st)}
                />
              </Paper>
            ))}
            {page.visuals.map((v) => (
              <Paper
                key={v.id}
                withBorder
                p="xs"
                style={{
                  ...gridPlacement(preview?.id === v.id ? preview.tile : v.layout),
                  position: "relative",
                  ...(preview?.id === v.id
                    ? { outline: "2px dashed var(--mantine-color-blue-5)", zIndex: 1 }
                    : {}),
                  overflow: "hidden",
                  display: "flex",
                  flexDirection: "column",
                }}
                role="figure"
                aria-label={v.title}
                data-visual-id={v.id}
                data-layout={`${v.layout.x},${v.layout.y},${v.layout.w},${v.layout.h}`}
                {...tile?.(v)}
              >
                <VisualTile
                  visual={v}
                  result={byId.get(v.id)}
                  loading={loading}
                  selections={selections}
                  onSelect={onSelect}
                  onAsk={onAsk ? () => onAsk(v) : undefined}
                  onEdit={onEdit ? () => onEdit(v) : undefined}
                />
                {overlay?.(v)}
              </Paper>
            ))}
          </div>
        </section>
      ))}
    </>
  );
}

function SlicerControl({
  source,
  filters,
  slicer,
  state,
  onChange,
}: {
  source: SlicerSource;
  filters: ReturnType<typeof dashboardQueryOf>["body"];
  slicer: PlanSlicer;
  state: SlicerState | undefined;
  onChange: (s: SlicerState) => void;
}) {
  const label = slicer.title ?? slicer.field.column;
  if (slicer.kind === "range" || slicer.kind === "dateRange") {
    const range = state && "range" in state ? state.range : [null, null];
    if (slicer.kind === "dateRange")
      return (
        <Group gap={4} grow>
          <TextInput
            size="xs"
            type="date"
            label={`${label} from`}
            value={typeof range[0] === "string" ? range[0] : ""}
            onChange={(e) => onChange({ range: [e.currentTarget.value || null, range[1] ?? null] })}
          />
          <TextInput
            size="xs"
            type="date"
            label={`${label} to`}
            value={typeof range[1] === "string" ? range[1] : ""}
            onChange={(e) => onChange({ range: [range[0] ?? null, e.currentTarget.value || null] })}
          />
        </Group>
      );
    return (
      <Group gap={4} grow>
        <NumberInput
          size="xs"
          label={`${label} from`}
          value={typeof range[0] === "number" ? range[0] : ""}
          onChange={(x) => onChange({ range: [typeof x === "number" ? x : null, range[1] ?? null] })}
        />
        <NumberInput
          size="xs"
          label={`${label} to`}
          value={typeof range[1] === "number" ? range[1] : ""}
          onChange={(x) => onChange({ range: [range[0] ?? null, typeof x === "number" ? x : null] })}
        />
      </Group>
    );
  }
  return <ListSlicer source={source} slicer={slicer} state={state} filters={filters} onChange={onChange} />;
}

function VisualTile({
  visual: v,
  result,
  loading,
  selections,
  onSelect,
  onAsk,
  onEdit,
}: {
  visual: PlanVisual;
  result: VisualResult | undefined;
  loading: boolean;
  selections: Selection[];
  onSelect: (s: Selection) => void;
  onAsk: (() => void) | undefined;
  onEdit?: (() => void) | undefined;
}) {
  const header = (
    <Group justify="space-between" gap={4} wrap="nowrap">
      <Text size="sm" fw={600} truncate>
        {v.title}
      </Text>
      <Group gap={4} wrap="nowrap">
        {loading ? <Loader size="xs" aria-hidden /> : null}
        {onEdit ? (
          <Button size="compact-xs" variant="subtle" onClick={onEdit} aria-label={`Edit ${v.title}`}>
            Edit
          </Button>
        ) : null}
        {onAsk ? (
          <Button size="compact-xs" variant="subtle" onClick={onAsk} aria-label={`Ask to change ${v.title}`}>
            Ask to change
          </Button>
        ) : null}
      </Group>
    </Group>
  );
  if (!result)
    return (
      <>
        {header}
        <Text size="xs" c="dimmed">
          {loading ? "Loading…" : "No result"}
        </Text>
      </>
    );
  const table = tableOf(v, result);
  // The numbers behind a chart, for screen readers and for reading exact values.
  const data = (
    <details>
      <summary>
        <Text span size="xs">
          Data
        </Text>
      </summary>
      <DataTable headers={table.headers} rows={table.rows} label={`${v.title} data`} />
    </details>
  );
  if (v.kind === "kpi") {
    const k = kpiOf(v, result);
    return (
      <>
        {header}
        <Text size="xl" fw={700} aria-label={`${v.title} value`}>
          {k.value}
        </Text>
        {k.previous !== undefined ? (
          <Text size="xs" className={k.changePct !== undefined && k.changePct < 0 ? "kpi-down" : "kpi-up"}>
            {k.changePct !== undefined
              ? `${k.changePct >= 0 ? "+" : "−"}${Math.abs(k.changePct).toFixed(1)} % `
              : ""}
            vs {k.previous}
          </Text>
        ) : null}
      </>
    );
  }
  const option = visualOption(v, result);
  if (!option)
    return (
      <>
        {header}
        <div style={{ overflow: "auto", flex: 1 }}>
          <DataTable headers={table.headers} rows={table.rows} label={`${v.title} data`} />
        </div>
      </>
    );
  const filterable = canCrossFilter(v, result);
  const pick = (category: string) => {
    const sel = selectionFor(v, result, category);
    if (sel) onSelect(sel);
  };
  const active = (category: string) => {
    const sel = selectionFor(v, result, category);
    return (
      !!sel &&
      selections.some(
        (s) => JSON.stringify(s.values) === JSON.stringify(sel.values) && s.field.column === sel.field.column,
      )
    );
  };
  return (
    <>
      {header}
      <div style={{ flex: 1, minHeight: 0 }}>
        <EChart
          option={option}
          label={v.title}
          height="100%"
          onClick={filterable ? (m) => pick(m.name) : undefined}
        />
      </div>
      {filterable ? (
        <Group gap={2} aria-label={`Cross-filter by ${v.title}`} wrap="nowrap" style={{ overflowX: "auto" }}>
          {categoriesOf(v, result)
            .filter((c) => c !== "Other")
            .slice(0, 20)
            .map((c) => (
              <Button
                key={c}
                size="compact-xs"
                variant={active(c) ? "filled" : "subtle"}
                aria-pressed={active(c)}
                aria-label={`Cross-filter by ${c}`}
                onClick={() => pick(c)}
              >
                {c}
              </Button>
            ))}
        </Group>
      ) : null}
      {data}
    </>
  );
}

function DataTable({ headers, rows, label }: { headers: string[]; rows: string[][]; label: string }) {
  return (
    <Table fz="xs" striped aria-label={label}>
      <Table.Thead>
        <Table.Tr>
          {headers.map((h) => (
            <Table.Th key={h}>{h}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.slice(0, 200).map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows of a query answer have no id
          <Table.Tr key={i}>
            {r.map((cell, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
              <Table.Td key={j}>{cell}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The cross-filters in force, each a chip that removes it, and "clear all". */
export function CrossFilters({
  selections,
  onChange,
}: {
  selections: Selection[];
  onChange: (next: (cur: Selection[]) => Selection[]) => void;
}) {
  if (!selections.length) return null;
  return (
    <Group gap="xs" aria-label="Cross-filters">
      <Text size="sm">Filtered by:</Text>
      {selections.map((s) => (
        <Chip
          key={`${s.field.table}.${s.field.column}`}
          checked
          size="xs"
          onChange={() => onChange((cur) => toggleSelection(cur, s))}
        >
          {s.field.column} = {s.values.map(String).join(", ")}
        </Chip>
      ))}
      <Button variant="subtle" size="compact-xs" onClick={() => onChange(() => [])}>
        Clear cross-filters
      </Button>
    </Group>
  );
}
