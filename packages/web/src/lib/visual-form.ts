// The visual form's choices and values: pure, from the engine's plan schema as the server serves it.
import type { FieldRef, PlanBinding, PlanVisual } from "./dashboard.ts";
import type { JsonSchema } from "./schema.ts";

type Node = JsonSchema & {
  $ref?: string;
  $defs?: Record<string, Node>;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
};

/** What the form offers, each list and bound read from the schema (never written here twice). */
export interface VisualFormSpec {
  kinds: string[];
  channels: string[];
  aggregations: string[];
  timeGrains: string[];
  formatKinds: string[];
  decimals: { min: number; max: number };
  directions: string[];
  topN: { min: number; max: number };
  bindings: { min: number; max: number };
  titleMax: number;
}

const strings = (n: Node | undefined): string[] => (n?.enum ?? []).map(String);

/** The form's spec from GET /dashboard-plans/visual-edit-schema (a `$ref` into `$defs` resolved). */
export function visualFormSpec(root: Record<string, unknown>): VisualFormSpec {
  const r = root as Node;
  const ref = r.$ref?.replace(/^#\/\$defs\//, "");
  const edit = (ref ? r.$defs?.[ref] : r) as Node;
  const p = edit.properties ?? {};
  const bindings = p.bindings as Node;
  const b = (bindings.items?.properties ?? {}) as Record<string, Node>;
  const format = (b.format?.properties ?? {}) as Record<string, Node>;
  const sort = (p.sort?.properties ?? {}) as Record<string, Node>;
  const topN = ((p.topN?.properties ?? {}) as Record<string, Node>).n;
  return {
    kinds: strings(p.kind),
    channels: strings(b.channel),
    aggregations: strings(b.aggregation),
    timeGrains: strings(b.timeGrain),
    formatKinds: strings(format.kind),
    decimals: { min: format.decimals?.minimum ?? 0, max: format.decimals?.maximum ?? 6 },
    directions: strings(sort.direction),
    topN: { min: topN?.minimum ?? 1, max: topN?.maximum ?? 1000 },
    bindings: { min: bindings.minItems ?? 1, max: bindings.maxItems ?? 20 },
    titleMax: (p.title as Node | undefined)?.maxLength ?? 200,
  };
}

/** The form's state: the visual's editable part (the PUT body's `visual`). */
export interface VisualEditValue {
  kind: string;
  title: string;
  bindings: PlanBinding[];
  sort?: { field?: FieldRef; aggregation?: string; direction: "asc" | "desc" };
  topN?: { n: number; other?: boolean };
}

export function editOf(v: PlanVisual): VisualEditValue {
  return structuredClone({
    kind: v.kind,
    title: v.title,
    bindings: v.bindings,
    ...(v.sort ? { sort: v.sort } : {}),
    ...(v.topN ? { topN: v.topN } : {}),
  });
}

/** A field as one select value ("table\u0000column"), and back; "" is no field (a row count). */
export const fieldKey = (f: FieldRef | undefined) => (f ? `${f.table}\u0000${f.column}` : "");
export function fieldOf(key: string): FieldRef | undefined {
  if (!key) return undefined;
  const [table, column] = key.split("\u0000");
  return { table: table!, column: column! };
}

/** Sets or clears one optional property of a binding (an empty choice removes it). */
export function withBinding<K extends keyof PlanBinding>(
  b: PlanBinding,
  key: K,
  value: PlanBinding[K] | undefined,
): PlanBinding {
  const next = { ...b };
  if (value === undefined || value === "") delete next[key];
  else next[key] = value;
  return next;
}

/**
 * What the sort is by, as a select value: the index of the binding it names (field and
 * aggregation), "count" for the row count, "" for none.
 */
export function sortChoice(v: VisualEditValue): string {
  if (!v.sort) return "";
  const i = v.bindings.findIndex(
    (b) =>
      fieldKey(b.field) === fieldKey(v.sort!.field) && (b.aggregation ?? "") === (v.sort!.aggregation ?? ""),
  );
  if (i >= 0) return String(i);
  return v.sort.field ? "" : "count";
}

/** The sort for a choice of `sortChoice` and a direction. */
export function sortOf(
  v: VisualEditValue,
  choice: string,
  direction: "asc" | "desc",
): VisualEditValue["sort"] | undefined {
  if (choice === "") return undefined;
  if (choice === "count") return { aggregation: "count", direction };
  const b = v.bindings[Number(choice)];
  if (!b) return undefined;
  return {
    ...(b.field ? { field: b.field } : {}),
    ...(b.aggregation ? { aggregation: b.aggregation } : {}),
    direction,
  };
}
