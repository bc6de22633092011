import {
  type AnyModel,
  type ChartDescriptor,
  type ColumnDescriptor,
  type DocumentBlock,
  type TableDescriptor,
  valueAtPath,
} from "@modelworks/model-kit";
import { humanize, resolveUnit, type ValueFormat } from "./cells.ts";

/**
 * What every export of a run is built from: the model's declared tables (rows taken from the
 * output), charts, headline numbers and the run's inputs, resolved once and then written as
 * XLSX, CSV, PDF or Word. Pure: no I/O.
 */

/** The parts of a stored run an export reads. Deliberately no creator: shared exports carry no identities. */
export interface ExportableRun {
  id: string;
  modelId: string;
  modelVersion: string;
  status: string;
  input: unknown;
  output: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  scenarioRevision: number | null;
}

export interface Field extends ValueFormat {
  label: string;
  value: unknown;
}

export type Column = ColumnDescriptor & { unit?: string | undefined };

export interface ResolvedTable {
  name: string;
  title: string;
  columns: Column[];
  rows: Record<string, unknown>[];
}

export interface ResolvedChart {
  name: string;
  title: string;
  descriptor: ChartDescriptor;
  table: ResolvedTable;
}

export interface RunReport {
  /** `tif-run-1a2b3c4d`: the safe stem of every file name of this run's exports. */
  fileStem: string;
  title: string;
  model: { id: string; version: string; title: string; summary: string };
  currency: string | null;
  metadata: Field[];
  inputs: Field[];
  /** Set when inputs were cut short (very large inputs: the XLSX/JSON hold them whole). */
  inputsNote: string | null;
  kpis: Field[];
  tables: ResolvedTable[];
  charts: ResolvedChart[];
}

const MAX_INPUT_FIELDS = 400;
const MAX_ARRAY_ITEMS = 25;
const MAX_INLINE_SCALARS = 20;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The run's currency when the output names one (`currency: "AED"`), for generic `currency` units. */
function currencyOf(output: unknown): string | null {
  const c = isObject(output) ? output.currency : undefined;
  return typeof c === "string" && /^[A-Za-z]{3}$/.test(c) ? c.toUpperCase() : null;
}

function resolveTable(t: TableDescriptor, output: unknown, currency: string | null): ResolvedTable {
  const raw = valueAtPath(output, t.rows);
  const rows = Array.isArray(raw) ? raw.filter(isObject) : [];
  return {
    name: t.name,
    title: t.title,
    columns: t.columns.map((c) => ({ ...c, unit: resolveUnit(c.unit, currency) })),
    rows,
  };
}

/**
 * The input as label–value rows (dotted paths). Short scalar lists are written inline; long
 * lists of records (10,000 deals) are summarized rather than spelled out, and past
 * MAX_INPUT_FIELDS the rest is left to the spreadsheet and the run's JSON.
 */
export function flattenInput(input: unknown): { fields: Field[]; truncated: boolean } {
  const fields: Field[] = [];
  let truncated = false;
  const push = (label: string, value: unknown) => {
    if (fields.length >= MAX_INPUT_FIELDS) truncated = true;
    else fields.push({ label, value, format: typeof value === "number" ? undefined : "text" });
  };
  const walk = (value: unknown, path: string) => {
    if (truncated) return;
    if (Array.isArray(value)) {
      if (value.length === 0) return push(path, "(none)");
      if (value.every((v) => v === null || typeof v !== "object")) {
        if (value.length <= MAX_INLINE_SCALARS) return push(path, value.map((v) => String(v)).join(", "));
        return push(path, `${value.length.toLocaleString("en-US")} values`);
      }
      if (value.length > MAX_ARRAY_ITEMS) {
        return push(path, `${value.length.toLocaleString("en-US")} items (in the run's input)`);
      }
      for (const [i, v] of value.entries()) walk(v, `${path}.${i}`);
      return;
    }
    if (isObject(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) return push(path || "(input)", "(empty)");
      for (const [k, v] of entries) walk(v, path ? `${path}.${k}` : k);
      return;
    }
    push(path || "(input)", value);
  };
  walk(input, "");
  return { fields, truncated };
}

/**
 * Headline numbers: the model's declared KPIs; else the scalars of the output's `kpis` object;
 * else the output's top-level scalars. Declared ones carry titles and units.
 */
export function kpisOf(model: AnyModel, output: unknown, currency: string | null): Field[] {
  if (model.kpis?.length) {
    return model.kpis.map((k) => ({
      label: k.title,
      value: valueAtPath(output, k.path) ?? null,
      unit: resolveUnit(k.unit, currency),
      format: k.format,
      decimals: k.decimals,
    }));
  }
  const source = isObject(output) && isObject(output.kpis) ? output.kpis : output;
  if (!isObject(source)) return [];
  return Object.entries(source)
    .filter(
      ([, v]) =>
        typeof v === "number" || typeof v === "boolean" || (typeof v === "string" && v.length <= 120),
    )
    .map(([k, v]) => ({ label: humanize(k), value: v, format: typeof v === "number" ? undefined : "text" }));
}

const iso = (d: Date | null) => d?.toISOString().replace(/\.\d{3}Z$/, "Z") ?? null;

export function buildRunReport(model: AnyModel, run: ExportableRun): RunReport {
  const currency = currencyOf(run.output);
  const tables = (model.tables ?? []).map((t) => resolveTable(t, run.output, currency));
  const byName = new Map(tables.map((t) => [t.name, t]));
  const charts = (model.charts ?? []).flatMap((c) => {
    const table = byName.get(c.table);
    return table?.rows.length ? [{ name: c.name, title: c.title, descriptor: c, table }] : [];
  });
  const { fields, truncated } = flattenInput(run.input);
  const durationMs =
    run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
  return {
    fileStem: `${run.modelId}-run-${run.id.slice(0, 8)}`,
    title: `${model.title} — run report`,
    model: { id: model.id, version: model.version, title: model.title, summary: model.summary },
    currency,
    metadata: [
      { label: "Model", value: `${model.title} (${run.modelId}@${run.modelVersion})` },
      { label: "Run", value: run.id },
      { label: "Status", value: run.status },
      { label: "Created", value: iso(run.createdAt) },
      { label: "Started", value: iso(run.startedAt) },
      { label: "Finished", value: iso(run.finishedAt) },
      { label: "Duration", value: durationMs, unit: "ms", format: "integer" },
      ...(run.scenarioRevision !== null ? [{ label: "Scenario revision", value: run.scenarioRevision }] : []),
      ...(currency ? [{ label: "Currency", value: currency }] : []),
    ],
    inputs: fields,
    inputsNote: truncated
      ? `Only the first ${MAX_INPUT_FIELDS} input fields are listed; the run's JSON holds the whole input.`
      : null,
    kpis: kpisOf(model, run.output, currency),
    tables,
    charts,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Paged documents (PDF, Word): the report — or an engine's own document — as a list of blocks. */

export type PagedBlock =
  | { kind: "heading"; text: string; level: 1 | 2 | 3 }
  | { kind: "paragraph"; text: string; note?: boolean }
  | { kind: "fields"; rows: Field[] }
  | { kind: "table"; title?: string | undefined; columns: Column[]; rows: Record<string, unknown>[] }
  | { kind: "chart"; title: string; chart: ResolvedChart };

export interface PagedDocument {
  fileStem: string;
  title: string;
  subtitle: string;
  blocks: PagedBlock[];
}

/** Rows of a table a paged document shows; the spreadsheet exports hold every row. */
export const PAGED_MAX_ROWS = 100;
/** Columns per printed table; wider tables continue in further parts, the first column repeated. */
export const PAGED_MAX_COLUMNS = 7;

/**
 * A table for paper: long ones cut at PAGED_MAX_ROWS with a note saying so, wide ones split into
 * column groups that repeat the first (key) column so every part can be read on its own.
 */
export function pagedTable(
  t: { title?: string | undefined; columns: Column[]; rows: Record<string, unknown>[] },
  /** The caller has already put the title above the table (the report's section heading). */
  titled = false,
): PagedBlock[] {
  const blocks: PagedBlock[] = [];
  const rows = t.rows.slice(0, PAGED_MAX_ROWS);
  const [key, ...rest] = t.columns;
  if (!key) return blocks;
  const groups: Column[][] = [];
  if (t.columns.length <= PAGED_MAX_COLUMNS) groups.push(t.columns);
  else
    for (let i = 0; i < rest.length; i += PAGED_MAX_COLUMNS - 1)
      groups.push([key, ...rest.slice(i, i + PAGED_MAX_COLUMNS - 1)]);
  groups.forEach((columns, i) => {
    const title =
      groups.length > 1
        ? `${t.title ?? "Table"} (part ${i + 1} of ${groups.length})`
        : titled
          ? undefined
          : t.title;
    blocks.push({ kind: "table", title, columns, rows });
  });
  if (t.rows.length === 0) blocks.push({ kind: "paragraph", text: "No rows in this run.", note: true });
  if (t.rows.length > rows.length) {
    blocks.push({
      kind: "paragraph",
      note: true,
      text: `Showing the first ${rows.length.toLocaleString("en-US")} of ${t.rows.length.toLocaleString("en-US")} rows; the XLSX and CSV exports hold every row.`,
    });
  }
  return blocks;
}

/** The generic run report: metadata, inputs, KPIs, charts, then every declared table. */
export function reportDocument(r: RunReport): PagedDocument {
  const blocks: PagedBlock[] = [
    { kind: "fields", rows: r.metadata },
    { kind: "heading", text: "Key results", level: 2 },
    r.kpis.length
      ? { kind: "fields", rows: r.kpis }
      : { kind: "paragraph", text: "This model declares no headline results.", note: true },
    ...r.charts.map((c): PagedBlock => ({ kind: "chart", title: c.title, chart: c })),
    ...r.tables.flatMap((t): PagedBlock[] => [
      { kind: "heading", text: t.title, level: 2 },
      ...pagedTable(t, true),
    ]),
    { kind: "heading", text: "Inputs", level: 2 },
    { kind: "fields", rows: r.inputs },
    ...(r.inputsNote ? [{ kind: "paragraph" as const, text: r.inputsNote, note: true }] : []),
  ];
  return { fileStem: r.fileStem, title: r.title, subtitle: r.model.summary, blocks };
}

/**
 * An engine's own document: its blocks, with declared charts resolved against this run and
 * tables laid out for paper. Null when the engine has nothing to say for this run.
 */
export function engineDocument(
  model: AnyModel,
  r: RunReport,
  run: ExportableRun,
  name: string,
): PagedDocument | null {
  const d = model.documents?.find((x) => x.name === name);
  if (!d) return null;
  const content = d.build(run.output, run.input);
  if (!content) return null;
  const charts = new Map(r.charts.map((c) => [c.name, c]));
  const blocks = content.blocks.flatMap((b: DocumentBlock): PagedBlock[] => {
    switch (b.kind) {
      case "heading":
        return [{ kind: "heading", text: b.text, level: b.level ?? 2 }];
      case "paragraph":
        return [{ kind: "paragraph", text: b.text }];
      case "fields":
        return [
          { kind: "fields", rows: b.rows.map((f) => ({ ...f, unit: resolveUnit(f.unit, r.currency) })) },
        ];
      case "table":
        return pagedTable({
          title: b.title,
          columns: b.columns.map((c) => ({ ...c, unit: resolveUnit(c.unit, r.currency) })),
          rows: b.rows,
        });
      case "chart": {
        const c = charts.get(b.chart);
        return c ? [{ kind: "chart", title: c.title, chart: c }] : [];
      }
      default:
        return [];
    }
  });
  return {
    fileStem: `${r.fileStem}-${d.name}`,
    title: content.title,
    subtitle: `${model.title} (${model.id}@${model.version}) · run ${run.id}`,
    blocks,
  };
}
