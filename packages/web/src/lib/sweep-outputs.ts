// What a what-if sweep can plot and how (issue 18 item 6): pure, so the choices are unit-tested.
import { humanize, unitFromName } from "../format.ts";
import { classify, type JsonSchema } from "./schema.ts";

/** A declared headline output (the model's KPIs), as the API lists them. */
export interface KpiLike {
  path: string;
  title: string;
  unit?: string | undefined;
  format?: string | undefined;
  decimals?: number | undefined;
}

/** One output a sweep can collect: its path, the label and unit people read. */
export interface SweepOutput {
  path: string;
  label: string;
  unit?: string | undefined;
  format?: string | undefined;
  decimals?: number | undefined;
}

const MAX_DEPTH = 4;

/**
 * Every scalar number of a model's output a sweep can collect — nested ones, nullable ones (an
 * IRR that may not exist), and the first element of number lists (`leveredIrrAnnualRoots.0`,
 * the IRR when it is unique) — the declared KPIs first, with their titles and units; the rest
 * labelled from their names.
 */
export function sweepOutputs(
  outputSchema: JsonSchema,
  kpis: readonly KpiLike[],
  currency = "USD",
): SweepOutput[] {
  const found: SweepOutput[] = [];
  const walk = (schema: JsonSchema, prefix: string, group: string, depth: number) => {
    for (const [key, node] of Object.entries(schema.properties ?? {})) {
      const f = classify(node);
      const path = `${prefix}${key}`;
      if (f.kind === "number") found.push(labelled(path, group, key, currency));
      else if (f.kind === "numbers") {
        const first = labelled(`${path}.0`, group, key, currency);
        found.push({ ...first, label: `${first.label} (first)` });
      } else if (f.kind === "object" && depth < MAX_DEPTH)
        walk(f.schema, `${path}.`, group ? `${group} · ${humanize(key)}` : humanize(key), depth + 1);
    }
  };
  walk(outputSchema, "", "", 0);
  const declared = kpis
    .filter((k) => k.format !== "text")
    .map((k) => ({ path: k.path, label: k.title, unit: k.unit, format: k.format, decimals: k.decimals }));
  const seen = new Set(declared.map((k) => k.path));
  return [...declared, ...found.filter((o) => !seen.has(o.path))];
}

function labelled(path: string, group: string, key: string, currency: string): SweepOutput {
  const label = humanize(key);
  return {
    path,
    label: group ? `${label} (${group.toLowerCase()})` : label,
    unit: unitFromName(key, currency),
  };
}

/** Most outputs a sweep collects when the user picks none (the server takes at most 20). */
export const DEFAULT_COLLECTED = 12;

/**
 * What a sweep collects when the user picks nothing: the model's declared key results (its
 * KPIs), else the outputs whose names say they are headline numbers. The view then plots those
 * that change across the sweep (`plottable`), never a constant.
 */
export function defaultSweepOutputs(outputs: readonly SweepOutput[], kpis: readonly KpiLike[]): string[] {
  const declared = new Set(kpis.filter((k) => k.format !== "text").map((k) => k.path));
  const headline =
    /(Irr|Mirr|npv|Npv|objective|Yield|yield|noi|Noi|ncf12|capitalUsed|Multiple|totalDebt|equity)/;
  const picked = declared.size
    ? outputs.filter((o) => declared.has(o.path))
    : outputs.filter((o) => headline.test(o.path));
  return (picked.length ? picked : outputs).slice(0, DEFAULT_COLLECTED).map((o) => o.path);
}

/**
 * Whether a column of a sweep's results stays the same: at least two points have it and they
 * agree (to a billionth of its size); nulls — unfinished points, an IRR that does not exist —
 * are not evidence either way.
 */
export function isConstant(cells: readonly (number | null)[]): boolean {
  const values = cells.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (values.length < 2) return false;
  const min = Math.min(...values);
  const max = Math.max(...values);
  return max - min <= 1e-9 * Math.max(1, Math.abs(min), Math.abs(max));
}

/**
 * Which collected outputs a sweep's chart shows: all the user picked; else the first `limit` that
 * change across the sweep — an output that stays the same is reported, not plotted.
 */
export function plottable(
  outputs: readonly string[],
  columns: readonly (readonly (number | null)[])[],
  picked: boolean,
  limit = 3,
): { plotted: string[]; constant: string[] } {
  const constant = outputs.filter((_, i) => isConstant(columns[i] ?? []));
  if (picked) return { plotted: [...outputs], constant };
  return { plotted: outputs.filter((o) => !constant.includes(o)).slice(0, limit), constant };
}
