/**
 * What an engine asks the platform to show and export, beside its raw output: tables (rows
 * taken from an array in the output) and charts drawn from those tables. Units travel with the
 * columns so every number a user sees says what it is.
 */
export type ColumnFormat = "text" | "integer" | "number" | "percent" | "currency" | "date";

export interface ColumnDescriptor {
  /** Property of each row object. */
  key: string;
  title: string;
  /** e.g. "USD", "AED", "months", "fraction" (0–1), "%/yr". */
  unit?: string;
  format?: ColumnFormat;
  /** Decimal places to show (exports keep full precision). */
  decimals?: number;
}

export interface TableDescriptor {
  name: string;
  title: string;
  /** Dotted path of the array of row objects in the output, e.g. "schedule.monthly". */
  rows: string;
  columns: ColumnDescriptor[];
  /**
   * The rows that matter, when a table lists many that do not (every constraint row, of which a
   * few bind): rows whose `key` is true. Clients show only those at first, with a way to show
   * all (issue 18 item 13); exports keep every row.
   */
  focus?: { key: string; label: string };
}

/** The chart kinds every renderer (web, PDF/Word exports) draws. */
export const CHART_KINDS = ["line", "bar", "stacked-bar", "area", "scatter", "pie", "gantt"] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

export interface ChartDescriptor {
  name: string;
  title: string;
  /**
   * `gantt`: one horizontal bar per row, labelled by `x`, covering the periods `y[0]` (first) to
   * `y[1]` (last, inclusive) — e.g. a project's start and end month; rows without both are listed
   * without a bar.
   */
  kind: ChartKind;
  /** Name of the table the chart draws from. */
  table: string;
  x: string;
  y: string[];
}

/**
 * A headline number of a run (IRR, total debt, occupancy…): shown first in reports and on the
 * summary sheet of exports. Same formatting vocabulary as table columns.
 */
export interface KpiDescriptor {
  /** Dotted path of the value in the output, e.g. "returns.leveredIrr". */
  path: string;
  title: string;
  unit?: string;
  format?: ColumnFormat;
  decimals?: number;
}

/** A run's key result as stored with the run and shown in lists of runs. */
export interface KeyResult {
  label: string;
  value: number;
  unit: string | null;
  format: ColumnFormat | null;
  decimals: number | null;
}

/**
 * The key result of an output: the declared `keyResult`, else the first numeric KPI. Null when
 * the model declares neither or the output has no finite number there (an IRR that does not
 * exist, an infeasible plan). A `currency` unit is made concrete with the output's `currency`.
 */
export function keyResultOf(
  model: { keyResult?: KpiDescriptor | undefined; kpis?: KpiDescriptor[] | undefined },
  output: unknown,
): KeyResult | null {
  const declared = model.keyResult ?? (model.kpis ?? []).find((k) => k.format !== "text");
  if (!declared) return null;
  const value = valueAtPath(output, declared.path);
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const currency = valueAtPath(output, "currency");
  const unit =
    declared.unit && typeof currency === "string" && /^[A-Za-z]{3}$/.test(currency)
      ? declared.unit.replace(/\bcurrency\b/, currency.toUpperCase())
      : (declared.unit ?? null);
  return {
    label: declared.title,
    value,
    unit,
    format: declared.format ?? null,
    decimals: declared.decimals ?? null,
  };
}

/**
 * The blocks an engine's own document (a term sheet, a Gantt summary…) is made of. The platform
 * lays them out for PDF and Word exactly as it lays out its generic run report, so an engine
 * says what a document holds without knowing anything about page layout or file formats.
 */
export type DocumentBlock =
  | { kind: "heading"; text: string; level?: 1 | 2 | 3 }
  | { kind: "paragraph"; text: string }
  /** Label–value pairs; numbers are formatted like table cells of the same format and unit. */
  | {
      kind: "fields";
      rows: {
        label: string;
        value: string | number | boolean | null;
        unit?: string;
        format?: ColumnFormat;
        decimals?: number;
      }[];
    }
  | { kind: "table"; title?: string; columns: ColumnDescriptor[]; rows: Record<string, unknown>[] }
  /** One of the model's declared charts, drawn from its table in this run's output. */
  | { kind: "chart"; chart: string };

export interface DocumentContent {
  title: string;
  blocks: DocumentBlock[];
}

/**
 * A document an engine adds to the exports of its runs (`?format=pdf&document=<name>`).
 * `build` is pure: the run's output and input in, the document's content out — or null when
 * this run has nothing to put in it (e.g. no term sheet for an infeasible debt stack).
 */
export interface DocumentDescriptor<Output = unknown, Input = unknown> {
  /** URL-safe: `term-sheet`. */
  name: string;
  title: string;
  summary?: string;
  build(output: Output, input: Input): DocumentContent | null;
}

/** Reads a dotted path (`a.b.c`) from a value; undefined when any step is missing. */
export function valueAtPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** One bar of a gantt chart: its first and last period, and where it sits on the value axis. */
export interface GanttBar {
  first: number;
  last: number;
  /** Start on the axis: periods are cells centred on their number (months 3–5 cover 2.5–5.5). */
  offset: number;
  length: number;
}

/**
 * The bars of a `gantt` chart over its table's rows (null for a row without both periods) and
 * where its value axis starts; every renderer (web, PDF/Word exports) draws from these.
 */
export function ganttBars(
  rows: readonly Record<string, unknown>[],
  chart: Pick<ChartDescriptor, "y">,
): { bars: (GanttBar | null)[]; axisMin: number } {
  const [from, to] = [chart.y[0]!, chart.y[1]!];
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const bars = rows.map((r) => {
    const first = num(r[from]);
    const last = num(r[to]);
    return first === null || last === null
      ? null
      : { first, last, offset: first - 0.5, length: last - first + 1 };
  });
  const start = Math.min(...bars.map((b) => b?.offset ?? Number.POSITIVE_INFINITY));
  return { bars, axisMin: Number.isFinite(start) ? Math.floor(start) : 0 };
}

/**
 * How the platform lays out a model's input form: which of the input's fields go in which
 * section (a tab), in order. A layout only groups and orders the fields the input schema has
 * (the schema stays the single source); a field no section names lands in "Other", so a new
 * input field is never hidden.
 */
export interface FormLayout {
  /** Dotted path of the object the sections lay out: "" (default) = the whole input, "project" for a nested deal. */
  at?: string;
  /** Title of that object's block when it is nested. */
  title?: string;
  sections: FormSection[];
}

export interface FormSection {
  /** URL-safe, unique in the layout: `financing`. */
  id: string;
  title: string;
  /** Keys of the object at `at`, in the order shown. */
  fields: string[];
}

/**
 * The result view a platform client shows a run with: `generic` (KPIs, declared charts and
 * tables), `optimizer` (the same plus the optimizers' shared explanation: status, binding
 * constraints, shadow prices, infeasibility, what-ifs), or the name of a dedicated view the client
 * ships (e.g. `tif-deal`). A client that does not know the name shows the generic view.
 */
export const RESULT_VIEW_RE = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * What a succeeded run's answer was, as a badge beside the run's status: a run that succeeded may
 * still answer "no feasible plan" or "the best plan buys nothing" (issue 18 items 4 and 9). The
 * model names the output field holding its outcome code and how each code reads; clients show no
 * badge for a code it does not list.
 */
export interface OutcomeDescriptor {
  /** Dotted path of the output field holding the outcome code: "status". */
  path: string;
  /** How each code reads: `optimal` → "Optimal plan", good. */
  values: Record<string, OutcomeValue>;
  /**
   * A plan that holds nothing: when the list at `path` is empty and the code is `whenCode`, the
   * badge reads `label` instead (an optimal plan that buys no deal is not good news).
   */
  empty?: { path: string; whenCode: string } & OutcomeValue;
}

export interface OutcomeValue {
  label: string;
  tone: "good" | "caution" | "bad";
}

/** The outcome code, label and tone of an output, or null when the model declares none or the code is unknown. */
export function outcomeOf(
  declared: OutcomeDescriptor | null | undefined,
  output: unknown,
): ({ code: string } & OutcomeValue) | null {
  if (!declared) return null;
  const at = (path: string) =>
    path
      .split(".")
      .reduce<unknown>(
        (cur, k) => (cur && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined),
        output,
      );
  const code = at(declared.path);
  if (typeof code !== "string") return null;
  const e = declared.empty;
  if (e && code === e.whenCode) {
    const list = at(e.path);
    if (Array.isArray(list) && list.length === 0) return { code: "empty", label: e.label, tone: e.tone };
  }
  const v = declared.values[code];
  return v ? { code, ...v } : null;
}
