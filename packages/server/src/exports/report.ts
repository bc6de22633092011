import type { NumberStyle } from "@modelworks/contracts/number-style";
import {
  type AnyModel,
  type ChartDescriptor,
  type ColumnDescriptor,
  type DocumentBlock,
  outcomeOf,
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
  /** The deal's name (the scenario's, or the run's label) for the cover; the model's title without one. */
  dealName?: string | null | undefined;
  /** The org's locale (`en-US`, `de-DE`): decides the paper size and how dates are written. */
  locale?: string | null | undefined;
  /** The org's way of writing negatives; a minus when not said. */
  numberStyle?: NumberStyle | null | undefined;
}

/** Paper for printed exports: US Letter where it is the norm, A4 elsewhere. */
export type Paper = "LETTER" | "A4";

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
  /** Draw x as numbers on a value axis (curves: ROC, gains), not as evenly spaced categories. */
  xValue?: boolean;
}

export interface RunReport {
  /** `tif-run-1a2b3c4d`: the safe stem of every file name of this run's exports. */
  fileStem: string;
  title: string;
  /** The deal's name when the run has one (the cover's title). */
  dealName: string | null;
  paper: Paper;
  /** The org's way of writing negatives (already on every field and column); null = minus. */
  numberStyle: NumberStyle | null;
  /** The org's locale (dates on the cover); null = ISO dates. */
  locale: string | null;
  model: { id: string; version: string; title: string; summary: string };
  currency: string | null;
  metadata: Field[];
  inputs: Field[];
  /** Set when inputs were cut short (very large inputs: the XLSX/JSON hold them whole). */
  inputsNote: string | null;
  kpis: Field[];
  /** What a succeeded run's answer was, when the model declares outcomes (an optimizer's plan or no plan). */
  outcome: RunOutcome | null;
  tables: ResolvedTable[];
  charts: ResolvedChart[];
}

/**
 * A run's answer as the exports open with it (issue 18 items 4 and 9): "No feasible plan" with
 * the smallest changes that make one possible, "Empty plan" with why, rather than a bare
 * "succeeded" above numbers that read as a plan.
 */
export interface RunOutcome {
  code: string;
  label: string;
  tone: "good" | "caution" | "bad";
  /** Why the plan is empty (the engine's one sentence); null for other outcomes. */
  reason: string | null;
  /** Further lines under the reason: the limit stopping each candidate, or the smallest changes. */
  details: string[];
  /** The heading of `details`. */
  detailsTitle: string | null;
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
  const push = (path: string, value: unknown) => {
    if (fields.length >= MAX_INPUT_FIELDS) truncated = true;
    else {
      const key = path.split(".").at(-1) ?? path;
      const format = typeof value === "number" ? inputFormat(key) : { format: "text" as const };
      fields.push({ label: inputLabel(path), value, ...format });
    }
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

/** Countries whose paper is US Letter (the rest of the world uses A4). */
const LETTER_REGIONS = new Set([
  "US",
  "CA",
  "MX",
  "PH",
  "CL",
  "CO",
  "VE",
  "CR",
  "GT",
  "PR",
  "DO",
  "PA",
  "SV",
  "NI",
  "BZ",
]);

/**
 * The paper of printed exports: from the org's locale when known (`en-US` → Letter,
 * `en-GB`/`de-DE` → A4); else from the money of the run — a model or deal in US dollars (an
 * output `currency: "USD"`, or inputs in `…Usd`) prints on Letter, others on A4.
 */
export function paperFor(locale: string | null | undefined, currency: string | null, input: unknown): Paper {
  const region = locale ? /[-_]([A-Za-z]{2})\b/.exec(locale)?.[1]?.toUpperCase() : undefined;
  if (region) return LETTER_REGIONS.has(region) ? "LETTER" : "A4";
  if (currency) return currency === "USD" ? "LETTER" : "A4";
  return isObject(input) && Object.keys(input).some((k) => /Usd$/.test(k)) ? "LETTER" : "A4";
}

/** An input's label: its words, list positions as 1-based rows ("Unit mix, row 2: gross sqft"). */
export function inputLabel(path: string): string {
  const parts = path.split(".");
  const words: string[] = [];
  for (const p of parts) {
    if (/^\d+$/.test(p)) words.push(`row ${Number(p) + 1}`);
    else {
      // The unit goes beside the value, not in the words ("landCostUsd" → "Land cost", USD).
      const text = humanize(p.replace(/(?<=[a-z0-9])(Usd|Aed)$/, ""))
        .toLowerCase()
        .replace(/\b(irr|mirr|npv|noi|ltv|ltc|dscr|egi|tdc|ami|tif|smart)\b/g, (w) => w.toUpperCase());
      words.push(words.length ? text : text.charAt(0).toUpperCase() + text.slice(1));
    }
  }
  // "Unit mix row 2 gross sqft" → "Unit mix, row 2: gross sqft"; "Mezzanine: amount"
  return words.reduce(
    (acc, w, i) => (i === 0 ? w : /^row \d+$/.test(w) ? `${acc}, ${w}` : `${acc}: ${w}`),
    "",
  );
}

/** An input number's unit and format, read from its name as the models name them. */
export function inputFormat(key: string): Pick<Field, "unit" | "format" | "decimals"> {
  if (/Usd$/.test(key)) return { unit: "USD", format: "currency", decimals: 0 };
  if (/Aed$/.test(key)) return { unit: "AED", format: "currency", decimals: 0 };
  if (/Bps$/.test(key)) return { unit: "bps", format: "number", decimals: 0 };
  if (
    /(Rate|Share|Ltc|Ltv|Ltv[A-Z]\w*|Ltc[A-Z]\w*|Growth|Yield|Occupancy|Pace|Margin)([A-Z][a-z]*)*$/.test(
      key,
    ) ||
    /^(vacancy|occupancy)/i.test(key)
  )
    return { format: "percent", decimals: 2 };
  if (/Months$|^months$/.test(key)) return { unit: "months", format: "integer" };
  if (/Years$|^years$/.test(key)) return { unit: "years", format: "number", decimals: 0 };
  if (/Sqft$/i.test(key)) return { unit: "sq ft", format: "integer" };
  if (/Dscr|Multiple/.test(key)) return { unit: "x", format: "number", decimals: 2 };
  return {};
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

/**
 * A time as people read it: in the org's locale when known (`Dec 6, 2026, 9:05 AM UTC` for
 * en-US, `06.12.2026, 09:05 UTC` for de-DE), else `2026-12-06 09:05 UTC` — never milliseconds.
 */
export function when(d: Date | null, locale?: string | null): string | null {
  if (!d) return null;
  if (locale) {
    try {
      const text = d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
      // ICU writes "9:05\u202fAM": plain spaces, which every PDF font has.
      return `${text.replace(/[\u00a0\u202f]/g, " ")} UTC`;
    } catch {
      // An unknown locale falls back to the ISO form below.
    }
  }
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);

/**
 * The smallest changes that make a plan possible, as the engine wrote them: the shared shape's
 * `explanation`, deal-picker@2's `text`; rows with neither are left out (never "undefined").
 */
function relaxationLines(inf: unknown): string[] {
  if (!isObject(inf)) return [];
  const r = inf.relaxation;
  const rows = Array.isArray(r) ? r : isObject(r) ? [r] : [];
  return rows.flatMap((row) => {
    if (!isObject(row)) return [];
    const own = text(row.explanation) ?? text(row.text);
    return own ? [own] : [];
  });
}

/** The outcome the model declares for this output, with the engine's reason and changes beside it. */
export function outcomeOfRun(model: AnyModel, output: unknown): RunOutcome | null {
  const o = outcomeOf(model.outcome, output);
  if (!o) return null;
  const out = isObject(output) ? output : {};
  if (o.code === "empty") {
    const e = isObject(out.emptyPlan) ? out.emptyPlan : {};
    const blockers = Array.isArray(e.blockers)
      ? e.blockers.flatMap((b) => (isObject(b) && text(b.explanation) ? [b.explanation as string] : []))
      : [];
    return {
      ...o,
      reason: text(e.reason),
      details: blockers,
      detailsTitle: blockers.length ? "What stops each deal" : null,
    };
  }
  if (o.tone === "bad") {
    const changes = relaxationLines(out.infeasibility);
    const summary = isObject(out.infeasibility) ? out.infeasibility.summary : undefined;
    const sentences = Array.isArray(summary) ? summary.flatMap((x) => (text(x) ? [x] : [])) : [];
    const reason = text(summary) ?? (sentences.length ? sentences.join(" ") : null);
    return {
      ...o,
      reason,
      details: changes,
      detailsTitle: changes.length ? "Smallest changes that make a plan possible" : null,
    };
  }
  return { ...o, reason: null, details: [], detailsTitle: null };
}

/** The columns of the binding-limits table (the optimizers' shared `bindingGroups`). */
const BINDING_COLUMNS: Column[] = [
  { key: "label", title: "Limit", format: "text" },
  { key: "count", title: "Binding rows", format: "integer" },
  { key: "top", title: "Tightest rows", format: "text" },
  { key: "whatIf", title: "Re-solved what-if", format: "text" },
  { key: "deltaObjective", title: "Objective change", format: "number", decimals: 2 },
];

/**
 * What binds, grouped by kind of limit and ranked (issue 18 item 13), as a table: one row per
 * group with its count, its top rows and the re-solved what-if that relaxes it. Null when the
 * output has no groups.
 */
export function bindingTableOf(output: unknown): ResolvedTable | null {
  const groups = isObject(output) ? output.bindingGroups : undefined;
  if (!Array.isArray(groups) || groups.length === 0) return null;
  const rows = groups.filter(isObject).map((g) => {
    const top = Array.isArray(g.top) ? g.top.filter(isObject) : [];
    const count = typeof g.count === "number" ? g.count : top.length;
    const names = top.map((t) => String(t.constraint));
    const more = count - names.length;
    const r = isObject(g.resolved) ? g.resolved : null;
    return {
      label: text(g.label) ?? String(g.family),
      count,
      top: names.join("; ") + (more > 0 ? `; and ${more.toLocaleString("en-US")} more` : ""),
      whatIf: r ? [text(r.question), text(r.answer)].filter(Boolean).join(" ") : null,
      deltaObjective: r && typeof r.deltaObjective === "number" ? r.deltaObjective : null,
    };
  });
  return { name: "binding-limits", title: "What binds", columns: BINDING_COLUMNS, rows };
}

/** Every number of a report in the org's style (fields and table columns carry it to the writers). */
function styled<T extends ValueFormat>(items: T[], style: NumberStyle | null | undefined): T[] {
  return style ? items.map((x) => ({ ...x, style })) : items;
}

export function buildRunReport(model: AnyModel, run: ExportableRun): RunReport {
  const currency = currencyOf(run.output);
  const style = run.numberStyle;
  const tables = (model.tables ?? [])
    .map((t) => resolveTable(t, run.output, currency))
    .map((t) => ({ ...t, columns: styled(t.columns, style) }));
  const byName = new Map(tables.map((t) => [t.name, t]));
  const binding = bindingTableOf(run.output);
  if (binding) tables.unshift({ ...binding, columns: styled(binding.columns, style) });
  const charts = (model.charts ?? []).flatMap((c) => {
    const table = byName.get(c.table);
    return table?.rows.length ? [{ name: c.name, title: c.title, descriptor: c, table }] : [];
  });
  const { fields, truncated } = flattenInput(run.input);
  const durationMs =
    run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
  const dealName = run.dealName?.trim() || null;
  return {
    fileStem: `${run.modelId}-run-${run.id.slice(0, 8)}`,
    title: dealName ?? `${model.title} — run report`,
    dealName,
    paper: paperFor(run.locale, currency, run.input),
    model: { id: model.id, version: model.version, title: model.title, summary: model.summary },
    currency,
    numberStyle: style ?? null,
    locale: run.locale ?? null,
    metadata: styled<Field>(
      [
        { label: "Model", value: `${model.title} (${run.modelId}@${run.modelVersion})` },
        { label: "Run", value: run.id },
        { label: "Status", value: run.status },
        { label: "Created", value: when(run.createdAt, run.locale) },
        { label: "Started", value: when(run.startedAt, run.locale) },
        { label: "Finished", value: when(run.finishedAt, run.locale) },
        {
          label: "Duration",
          value: durationMs === null ? null : durationMs / 1000,
          unit: "s",
          format: "number",
          decimals: 1,
        },
        ...(run.scenarioRevision !== null
          ? [{ label: "Scenario revision", value: run.scenarioRevision }]
          : []),
        ...(currency ? [{ label: "Currency", value: currency }] : []),
      ],
      style,
    ),
    inputs: styled(fields, style),
    inputsNote: truncated
      ? `Only the first ${MAX_INPUT_FIELDS} input fields are listed; the run's JSON holds the whole input.`
      : null,
    kpis: styled(kpisOf(model, run.output, currency), style),
    outcome: run.status === "succeeded" ? outcomeOfRun(model, run.output) : null,
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
  | {
      kind: "table";
      title?: string | undefined;
      columns: Column[];
      rows: Record<string, unknown>[];
      /** Printed across a landscape page (wide tables: more columns per part). */
      landscape?: boolean;
    }
  | { kind: "chart"; title: string; chart: ResolvedChart }
  /** The next block starts a new page (after a report's cover). */
  | { kind: "pageBreak" };

export interface PagedDocument {
  fileStem: string;
  title: string;
  subtitle: string;
  /** A4 when not said (engine documents); the report's from the org's locale or the run's money. */
  paper?: Paper;
  /** The org's locale: how the cover writes when it was generated (ISO when null). */
  locale?: string | null;
  blocks: PagedBlock[];
}

/** Rows of a table a paged document shows; the spreadsheet exports hold every row. */
export const PAGED_MAX_ROWS = 100;
/** Columns per printed table; wider tables continue in further parts, the first column repeated. */
export const PAGED_MAX_COLUMNS = 7;
/** Columns per part of a wide table, printed landscape in smaller type. */
export const PAGED_MAX_COLUMNS_LANDSCAPE = 13;

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
  const landscape = t.columns.length > PAGED_MAX_COLUMNS;
  const perPart = landscape ? PAGED_MAX_COLUMNS_LANDSCAPE : PAGED_MAX_COLUMNS;
  if (t.columns.length <= perPart) groups.push(t.columns);
  else
    for (let i = 0; i < rest.length; i += perPart - 1) groups.push([key, ...rest.slice(i, i + perPart - 1)]);
  groups.forEach((columns, i) => {
    const title =
      groups.length > 1
        ? `${t.title ?? "Table"} (part ${i + 1} of ${groups.length})`
        : titled
          ? undefined
          : t.title;
    blocks.push({ kind: "table", title, columns, rows, ...(landscape ? { landscape } : {}) });
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
  const o = r.outcome;
  const blocks: PagedBlock[] = [
    // The run's answer before its numbers: "No feasible plan" is not read past (issue 18 item 4).
    ...(o
      ? [
          { kind: "heading" as const, text: `Outcome: ${o.label}`, level: 2 as const },
          ...(o.reason ? [{ kind: "paragraph" as const, text: o.reason }] : []),
          ...(o.detailsTitle ? [{ kind: "heading" as const, text: o.detailsTitle, level: 3 as const }] : []),
          ...o.details.map((d) => ({ kind: "paragraph" as const, text: `• ${d}` })),
        ]
      : []),
    { kind: "heading", text: "Key results", level: 2 },
    r.kpis.length
      ? { kind: "fields", rows: r.kpis }
      : { kind: "paragraph", text: "This model declares no headline results.", note: true },
    ...r.charts.map((c): PagedBlock => ({ kind: "chart", title: c.title, chart: c })),
    // A wide table goes on landscape pages with its title on them, not left on the page before.
    ...r.tables.flatMap((t): PagedBlock[] =>
      t.columns.length > PAGED_MAX_COLUMNS
        ? pagedTable(t)
        : [{ kind: "heading", text: t.title, level: 2 }, ...pagedTable(t, true)],
    ),
    { kind: "heading", text: "Inputs", level: 2 },
    { kind: "fields", rows: r.inputs },
    ...(r.inputsNote ? [{ kind: "paragraph" as const, text: r.inputsNote, note: true }] : []),
    { kind: "heading", text: "About this run", level: 2 },
    { kind: "fields", rows: r.metadata },
  ];
  const subtitle = r.dealName ? `${r.model.title} · run report` : r.model.summary;
  return { fileStem: r.fileStem, title: r.title, subtitle, paper: r.paper, locale: r.locale, blocks };
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
          {
            kind: "fields",
            rows: styled(
              b.rows.map((f) => ({ ...f, unit: resolveUnit(f.unit, r.currency) })),
              r.numberStyle,
            ),
          },
        ];
      case "table":
        return pagedTable({
          title: b.title,
          columns: styled(
            b.columns.map((c) => ({ ...c, unit: resolveUnit(c.unit, r.currency) })),
            r.numberStyle,
          ),
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
    // The org's paper (Letter for a US org), like the report's.
    paper: r.paper,
    locale: r.locale,
    blocks,
  };
}
