import { valueAtPath } from "@modelworks/model-kit";

/**
 * What-if sweeps: pure helpers (no I/O) behind `POST /api/v1/models/:id/sweeps` and
 * `GET /api/v1/sweeps/:id` — expanding parameters into a grid, building each point's input,
 * deriving a sweep's status from its runs, and laying results out as a sensitivity table.
 */

export type SweepValue = number | string | boolean;

export interface SweepParameterSpec {
  path: string;
  values?: SweepValue[] | undefined;
  from?: number | undefined;
  to?: number | undefined;
  steps?: number | undefined;
}

export interface SweepParameter {
  path: string;
  values: SweepValue[];
}

/**
 * A parameter's values: as given, or `steps` evenly spaced values from `from` to `to`, both ends
 * included exactly. Interior values are rounded to 15 significant digits, so 0.1 → 0.3 in 3 steps
 * gives 0.2 rather than 0.20000000000000004.
 */
export function expandValues(p: SweepParameterSpec): SweepValue[] {
  if (p.values) return [...p.values];
  const { from, to, steps } = p as { from: number; to: number; steps: number };
  const n = steps - 1;
  return Array.from({ length: steps }, (_, i) =>
    i === 0 ? from : i === n ? to : Number((from + ((to - from) * i) / n).toPrecision(15)),
  );
}

/** Every combination of the parameters' values, first parameter outermost (row-major). */
export function expandGrid(parameters: readonly SweepParameter[]): Record<string, SweepValue>[] {
  let points: Record<string, SweepValue>[] = [{}];
  for (const p of parameters) {
    points = points.flatMap((point) => p.values.map((v) => ({ ...point, [p.path]: v })));
  }
  return points;
}

export const gridSize = (parameters: readonly { values: readonly unknown[] }[]) =>
  parameters.reduce((n, p) => n * p.values.length, 1);

/**
 * Why a path cannot be varied in this input, or null when it can: it must name an existing field
 * holding a single value (number, text, true/false or null), not an object or a list.
 */
export function pathProblem(input: unknown, path: string): string | null {
  const current = valueAtPath(input, path);
  if (current === undefined) return "is not a field of the base input";
  if (current !== null && typeof current === "object") {
    return `names ${Array.isArray(current) ? "a list" : "an object"}, not a single value`;
  }
  return null;
}

/** A deep copy of `input` with `value` at the dotted `path` (which must exist: see pathProblem). */
export function withValueAt<T>(input: T, path: string, value: unknown): T {
  const copy = structuredClone(input);
  const keys = path.split(".");
  let cur = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  cur[keys.at(-1)!] = value;
  return copy;
}

export const pointInput = <T>(base: T, point: Record<string, SweepValue>): T =>
  Object.entries(point).reduce((input, [path, value]) => withValueAt(input, path, value), base);

/** `terms.0.mean = 5, seed = 2`: a point as people read it. */
export const describePoint = (point: Record<string, SweepValue>) =>
  Object.entries(point)
    .map(([path, v]) => `${path} = ${JSON.stringify(v)}`)
    .join(", ");

export interface SweepCounts {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  canceled: number;
  deleted: number;
}

export type SweepStatus = "running" | "succeeded" | "partial" | "failed" | "canceled";

/** Counts by status of a sweep's points; a point whose run was deleted counts as `deleted`. */
export function countStatuses(total: number, statuses: Iterable<[string, number]>): SweepCounts {
  const c: SweepCounts = { total, queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0, deleted: 0 };
  let seen = 0;
  for (const [status, n] of statuses) {
    if (status in c && status !== "total" && status !== "deleted") c[status as "queued"] += n;
    seen += n;
  }
  c.deleted = Math.max(0, total - seen);
  return c;
}

/**
 * running: some runs are unfinished; succeeded: all succeeded; partial: some succeeded and some
 * did not; canceled: none succeeded and at least one was canceled; failed: the rest.
 */
export function sweepStatus(c: SweepCounts): SweepStatus {
  if (c.queued + c.running > 0) return "running";
  if (c.succeeded === c.total) return "succeeded";
  if (c.succeeded > 0) return "partial";
  if (c.canceled > 0) return "canceled";
  return "failed";
}

/** A numeric output at a path, or null (missing, not a number, or no output yet). */
export function numberAt(output: unknown, path: string): number | null {
  const v = valueAtPath(output, path);
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export type SensitivityTable =
  | {
      kind: "one-way";
      parameter: string;
      outputs: string[];
      rows: { value: SweepValue; cells: (number | null)[] }[];
    }
  | {
      kind: "two-way";
      output: string;
      rowParameter: string;
      rowValues: SweepValue[];
      columnParameter: string;
      columnValues: SweepValue[];
      cells: (number | null)[][];
    };

/**
 * The sweep as a sensitivity table. One parameter: a row per value, a column per output. Two:
 * a matrix of one output (`output`, default the first), first parameter down, second across.
 * `pointOutputs[i]` holds point i's outputs, points in grid order.
 */
export function sensitivityTable(
  parameters: readonly SweepParameter[],
  outputs: readonly string[],
  pointOutputs: readonly Record<string, number | null>[],
  output: string | undefined = outputs[0],
): SensitivityTable {
  const [first, second] = parameters as [SweepParameter, SweepParameter | undefined];
  if (!second) {
    return {
      kind: "one-way",
      parameter: first.path,
      outputs: [...outputs],
      rows: first.values.map((value, i) => ({
        value,
        cells: outputs.map((o) => pointOutputs[i]?.[o] ?? null),
      })),
    };
  }
  const across = second.values.length;
  return {
    kind: "two-way",
    output: output ?? "",
    rowParameter: first.path,
    rowValues: [...first.values],
    columnParameter: second.path,
    columnValues: [...second.values],
    cells: first.values.map((_, i) =>
      second.values.map((_, j) => (output ? (pointOutputs[i * across + j]?.[output] ?? null) : null)),
    ),
  };
}

type JsonSchema = Record<string, unknown>;

/** The top-level numeric fields of an output JSON Schema: a sweep's default outputs. */
export function topLevelNumericFields(schema: JsonSchema): string[] {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(props)
    .filter(([, s]) => isNumericSchema(s))
    .map(([k]) => k);
}

const isNumericSchema = (s: JsonSchema) => {
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types.includes("number") || types.includes("integer");
};

/**
 * Whether a dotted path names a numeric field of an output JSON Schema: "yes", "no" (missing
 * or not a number) or "unknown" (the schema is too dynamic to tell: unions, references, maps),
 * which callers accept and resolve at run time.
 */
export function numericOutputPath(schema: JsonSchema, path: string): "yes" | "no" | "unknown" {
  let cur: JsonSchema = schema;
  for (const key of path.split(".")) {
    if (cur.anyOf || cur.oneOf || cur.allOf || cur.$ref) return "unknown";
    const props = cur.properties as Record<string, JsonSchema> | undefined;
    if (props && Object.hasOwn(props, key)) {
      cur = props[key]!;
      continue;
    }
    if (/^\d+$/.test(key) && (cur.type === "array" || cur.items || cur.prefixItems)) {
      const prefix = cur.prefixItems as JsonSchema[] | undefined;
      const item = prefix?.[Number(key)] ?? (cur.items as JsonSchema | undefined);
      if (!item || typeof item !== "object") return "unknown";
      cur = item;
      continue;
    }
    if (cur.additionalProperties && typeof cur.additionalProperties === "object") {
      cur = cur.additionalProperties as JsonSchema;
      continue;
    }
    if (cur.additionalProperties === true || (cur.type === undefined && !props)) return "unknown";
    return "no";
  }
  if (cur.anyOf || cur.oneOf || cur.allOf || cur.$ref) return "unknown";
  return isNumericSchema(cur) ? "yes" : "no";
}
