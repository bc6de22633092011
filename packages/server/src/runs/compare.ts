import { type TableDescriptor, valueAtPath } from "@modelworks/model-kit";
import { DomainError, unprocessable } from "../errors/domain-error.ts";

/**
 * Run comparison: pure functions (no I/O) behind `POST /api/v1/compare`.
 *
 * The first run is the baseline. For N runs of one model the result holds
 *  - `inputs`: every input field whose value is not the same in all runs (leaves: scalars, and
 *    empty arrays or objects; arrays are walked by index). A run that lacks the field shows null;
 *  - `outputs`: every numeric output field, however deep (arrays walked by index), except the
 *    arrays the model declares as tables, with each run's delta against the baseline;
 *  - `tables`: each declared table, rows **aligned by index** (row i of every run is compared with
 *    row i of the baseline; a run with fewer rows shows null), numeric columns only.
 *
 * Deltas: `absolute` = v − base, `relative` = (v − base) / |base|; `relative` is null when the
 * baseline is 0, and both are null when either value is missing. The baseline's own delta is
 * listed too (0, or relative null at base 0), so `values`, `deltas` and `runs` share indices.
 */

export interface ComparableRun {
  id: string;
  modelId: string;
  modelVersion: string;
  status: string;
  input: unknown;
  output: unknown;
}

export interface Delta {
  absolute: number | null;
  relative: number | null;
}

export interface InputDifference {
  path: string;
  values: unknown[];
  differs: true;
}

export interface OutputDifference {
  path: string;
  values: (number | null)[];
  deltas: Delta[];
}

export interface TableCellDifference {
  column: string;
  title: string;
  unit: string | null;
  values: (number | null)[];
  deltas: Delta[];
}

export interface TableRowDifference {
  index: number;
  /** The row's label: the first column's value when it is text (e.g. a date or a tranche name). */
  key?: string;
  cells: TableCellDifference[];
}

export interface TableDifference {
  name: string;
  title: string;
  rows: TableRowDifference[];
}

export interface Comparison {
  modelId: string;
  /** The baseline's version; table descriptors are that version's. */
  modelVersion: string;
  /** Each run's version, aligned with `runs`. */
  modelVersions: string[];
  mixedVersions: boolean;
  warnings: string[];
  baselineRunId: string;
  runs: string[];
  inputs: InputDifference[];
  outputs: OutputDifference[];
  tables: TableDifference[];
}

/** A value's delta against the baseline. */
export function delta(base: number | null, value: number | null): Delta {
  if (base === null || value === null) return { absolute: null, relative: null };
  const absolute = value - base;
  return { absolute, relative: base === 0 ? null : absolute / Math.abs(base) };
}

const deltasOf = (values: (number | null)[]): Delta[] => values.map((v) => delta(values[0] ?? null, v));

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const asNumber = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * Checks that the runs can be compared: one model (422 naming `body.runIds`) and all succeeded
 * (409 naming the first that has not). Mixed versions of the model are allowed.
 */
export function assertComparable(runs: readonly ComparableRun[]): void {
  const models = [...new Set(runs.map((r) => r.modelId))];
  if (models.length > 1) {
    throw unprocessable(
      [{ path: "body.runIds", message: `must all be runs of one model; got ${models.join(", ")}` }],
      "Only runs of the same model can be compared.",
    );
  }
  const unfinished = runs.find((r) => r.status !== "succeeded");
  if (unfinished) {
    throw new DomainError(
      "run_not_succeeded",
      `Run ${unfinished.id} has not succeeded (it is ${unfinished.status}); only succeeded runs can be compared.`,
    );
  }
}

/** Compares runs of one model against the first. Throws as `assertComparable` does. */
export function compareRuns(
  model: { tables?: readonly TableDescriptor[] | undefined },
  runs: readonly ComparableRun[],
): Comparison {
  if (runs.length < 1) throw new Error("compareRuns needs at least one run");
  assertComparable(runs);
  const baseline = runs[0]!;
  const tables = model.tables ?? [];
  const versions = runs.map((r) => r.modelVersion);
  const distinct = [...new Set(versions)];
  const mixedVersions = distinct.length > 1;
  return {
    modelId: baseline.modelId,
    modelVersion: baseline.modelVersion,
    modelVersions: versions,
    mixedVersions,
    warnings: mixedVersions
      ? [
          `The runs used different versions of ${baseline.modelId} (${distinct.join(", ")}); ` +
            "differences may come from the model as well as the input.",
        ]
      : [],
    baselineRunId: baseline.id,
    runs: runs.map((r) => r.id),
    inputs: inputDifferences(runs.map((r) => r.input)),
    outputs: outputDifferences(
      runs.map((r) => r.output),
      tables.map((t) => t.rows),
    ),
    tables: tables.map((t) =>
      tableDifference(
        t,
        runs.map((r) => r.output),
      ),
    ),
  };
}

/** Input fields whose values are not all equal, in order of first appearance (baseline first). */
export function inputDifferences(inputs: readonly unknown[]): InputDifference[] {
  const paths = new Set<string>();
  for (const input of inputs) collectLeaves(input, "", paths);
  const out: InputDifference[] = [];
  for (const path of paths) {
    const values = inputs.map((i) => (path === "" ? i : valueAtPath(i, path)));
    const canonical = values.map((v) => (v === undefined ? "\u0000missing" : stableJson(v)));
    if (canonical.some((c) => c !== canonical[0])) {
      out.push({ path, values: values.map((v) => v ?? null), differs: true });
    }
  }
  return out;
}

function collectLeaves(value: unknown, path: string, into: Set<string>) {
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : isObject(value)
      ? Object.entries(value)
      : [];
  if (entries.length === 0) {
    into.add(path);
    return;
  }
  for (const [key, v] of entries) collectLeaves(v, path ? `${path}.${key}` : key, into);
}

/** JSON with object keys sorted, so `{a,b}` equals `{b,a}`. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Every numeric output leaf (tables' row arrays excluded), each run's value and delta. */
export function outputDifferences(
  outputs: readonly unknown[],
  tablePaths: readonly string[] = [],
): OutputDifference[] {
  const skip = new Set(tablePaths);
  const paths = new Set<string>();
  for (const output of outputs) collectNumericLeaves(output, "", skip, paths);
  return [...paths].map((path) => {
    const values = outputs.map((o) => asNumber(valueAtPath(o, path)));
    return { path, values, deltas: deltasOf(values) };
  });
}

function collectNumericLeaves(value: unknown, path: string, skip: Set<string>, into: Set<string>) {
  if (path && skip.has(path)) return;
  if (asNumber(value) !== null) {
    if (path) into.add(path);
    return;
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : isObject(value)
      ? Object.entries(value)
      : [];
  for (const [key, v] of entries) collectNumericLeaves(v, path ? `${path}.${key}` : key, skip, into);
}

/** One declared table compared row by row (aligned by index), numeric columns only. */
export function tableDifference(table: TableDescriptor, outputs: readonly unknown[]): TableDifference {
  const rowsPerRun = outputs.map((o) => {
    const rows = valueAtPath(o, table.rows);
    return Array.isArray(rows) ? rows : [];
  });
  const count = Math.max(0, ...rowsPerRun.map((r) => r.length));
  const firstKey = table.columns[0]?.key;
  const rows: TableRowDifference[] = [];
  for (let index = 0; index < count; index++) {
    const cellsOf = rowsPerRun.map((r) =>
      isObject(r[index]) ? (r[index] as Record<string, unknown>) : null,
    );
    const row: TableRowDifference = { index, cells: [] };
    const label = firstKey ? cellsOf.find((c) => c !== null)?.[firstKey] : undefined;
    if (typeof label === "string") row.key = label;
    for (const column of table.columns) {
      const values = cellsOf.map((c) => asNumber(c?.[column.key]));
      if (values.every((v) => v === null)) continue;
      row.cells.push({
        column: column.key,
        title: column.title,
        unit: column.unit ?? null,
        values,
        deltas: deltasOf(values),
      });
    }
    rows.push(row);
  }
  return { name: table.name, title: table.title, rows };
}
