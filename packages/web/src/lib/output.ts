import { humanize, unitFromName } from "../format.ts";

type Obj = Record<string, unknown>;

export function valueAtPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Obj)[key];
  }
  return cur;
}

// Where models put their headline numbers; the optimizers call it kpis, TIF metrics/returns/totals.
export const KPI_GROUPS = ["kpis", "metrics", "returns", "objective", "totals", "summary"];

export interface Kpi {
  path: string;
  label: string;
  value: number;
  unit?: string;
}

/** The headline numbers of an output: the numeric fields of its KPI groups. */
export function kpisOf(output: unknown, currency: string): Kpi[] {
  if (!output || typeof output !== "object") return [];
  const out: Kpi[] = [];
  for (const group of KPI_GROUPS) {
    const g = (output as Obj)[group];
    if (!g || typeof g !== "object" || Array.isArray(g)) continue;
    for (const [k, v] of Object.entries(g)) {
      if (typeof v === "number" && !/RootCount$|Roots$/.test(k)) {
        out.push({ path: `${group}.${k}`, label: humanize(k), value: v, unit: unitFromName(k, currency) });
      }
    }
  }
  return out;
}

/** Sets a dotted path in a copy of the input; false when the path is not an input field. */
export function withChange(input: unknown, path: string, value: unknown): unknown | undefined {
  if (!input || typeof input !== "object") return undefined;
  const copy = structuredClone(input) as Obj;
  const keys = path.split(".");
  let cur: Obj = copy;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== "object") return undefined;
    cur = next as Obj;
  }
  const last = keys[keys.length - 1]!;
  if (!(last in cur)) return undefined;
  cur[last] = value;
  return copy;
}
