import type { CellValue, ColumnRole, Relationship, TableAnalysis, TableProfile } from "../profile/types.ts";
import type { GoalIntent } from "./goal.ts";
import type { FieldRef } from "./schema.ts";
import { omegaSquared, pearson } from "./stats.ts";

/** How the built-in planner chooses: which table, which measures and dimensions lead, which pair to scatter. */

/** Two measures this correlated say the same thing; a scatter of them shows a line. */
export const REDUNDANT_R = 0.98;
/** Dimensions up to this many categories are preferred for bars. */
export const FEW_CATEGORIES = 20;

export interface Dim {
  field: FieldRef;
  role: ColumnRole;
  /** Aligned with the primary table's sample rows (joined through a relationship for another table's column). */
  values: CellValue[];
  /** ω² of the primary measure by this dimension, 0 without samples. */
  score: number;
  order: number;
}

/** Rows read for choosing charts: evenly spaced, so a sorted file is still seen end to end. */
export const SAMPLE_MAX = 2000;

/** The sample's columns, each extracted once (the rules ask for the same column many times). */
export function sampleColumns(table: TableProfile): (name: string) => CellValue[] {
  const rows = table.sampleRows ?? [];
  const step = Math.max(1, rows.length / SAMPLE_MAX);
  const thinned =
    step === 1
      ? rows
      : Array.from({ length: Math.floor(rows.length / step) }, (_, i) => rows[Math.floor(i * step)]!);
  const cache = new Map<string, CellValue[]>();
  return (name) => {
    let values = cache.get(name);
    if (!values) {
      values = thinned.map((r) => r[name] ?? null);
      cache.set(name, values);
    }
    return values;
  };
}

/** Correlations between measures, each pair computed once. */
export function correlations(column: (c: string) => CellValue[]): (a: string, b: string) => number | null {
  const cache = new Map<string, number | null>();
  return (a, b) => {
    const k = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (!cache.has(k)) cache.set(k, pearson(column(a), column(b)));
    return cache.get(k)!;
  };
}

export function primaryIndex(analyses: TableAnalysis[], relationships: Relationship[]): number {
  const measuresOf = (a: TableAnalysis) => a.columns.filter((c) => c.role === "measure").length;
  let best = 0;
  let bestScore = -1;
  analyses.forEach((a, i) => {
    const fact = relationships.some((r) => r.from.table === a.name && r.cardinality === "many-to-one");
    const score = (fact ? 1000 : 0) + measuresOf(a) + a.rowCount / 1e9;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

/**
 * Measures in order of emphasis: the ones the goal names, then the most "central" one (largest
 * sum of absolute correlations with the others over the sample: the measure that says most about
 * the rest), then file order.
 */
export function rankMeasures(
  analysis: TableAnalysis,
  goal: GoalIntent,
  corr: (a: string, b: string) => number | null,
): ColumnRole[] {
  const measures = analysis.columns.filter((c) => c.role === "measure");
  const centrality = new Map<string, number>();
  for (const m of measures) {
    let s = 0;
    for (const o of measures) if (o !== m) s += Math.abs(corr(m.column, o.column) ?? 0);
    centrality.set(m.column, s);
  }
  const mention = (c: string) => (goal.mentioned.includes(c) ? goal.mentioned.indexOf(c) : 1e9);
  return [...measures].sort(
    (a, b) =>
      mention(a.column) - mention(b.column) ||
      centrality.get(b.column)! - centrality.get(a.column)! ||
      measures.indexOf(a) - measures.indexOf(b),
  );
}

/** Up to three measures for KPI cards, skipping one that only restates another (|r| ≥ 0.98). */
export function headlineMeasures(
  measures: ColumnRole[],
  corr: (a: string, b: string) => number | null,
): ColumnRole[] {
  const out: ColumnRole[] = [];
  for (const m of measures) {
    if (out.length === 3) break;
    if (out.some((o) => Math.abs(corr(o.column, m.column) ?? 0) >= REDUNDANT_R)) continue;
    out.push(m);
  }
  return out;
}

export function rankDimensions(
  analysis: TableAnalysis,
  related: Dim[],
  goal: GoalIntent,
  primary: ColumnRole | null,
  column: (c: string) => CellValue[],
): Dim[] {
  const target = primary ? column(primary.column) : [];
  const own: Dim[] = analysis.columns
    .filter(
      (c) =>
        (c.role === "dimension" ||
          (c.role === "geography" && c.geo !== "latitude" && c.geo !== "longitude")) &&
        c.cardinality >= 2,
    )
    .map((role, order) => ({
      field: { table: analysis.name, column: role.column },
      role,
      values: column(role.column),
      score: 0,
      order,
    }));
  const all = [...own, ...related.map((d, i) => ({ ...d, order: own.length + i }))];
  for (const d of all) d.score = primary ? omegaSquared(d.values, target) : 0;
  const emphasis = (c: string) =>
    goal.by === c ? -1 : goal.mentioned.includes(c) ? goal.mentioned.indexOf(c) : 1e9;
  // Few categories first: a 38-level grouping can explain more and still read worse than a 7-level one.
  const few = (d: Dim) => (d.role.cardinality <= FEW_CATEGORIES ? 0 : 1);
  return all.sort(
    (a, b) =>
      emphasis(a.field.column) - emphasis(b.field.column) ||
      few(a) - few(b) ||
      b.score - a.score ||
      a.order - b.order,
  );
}

/** Dimensions of tables the primary one looks up (many-to-one), with values joined onto its sample rows. */
export function relatedDimensions(
  table: TableProfile,
  tables: TableProfile[],
  analyses: TableAnalysis[],
  relationships: Relationship[],
): Dim[] {
  const out: Dim[] = [];
  for (const r of relationships) {
    if (r.from.table !== table.name || r.cardinality !== "many-to-one") continue;
    const i = tables.findIndex((t) => t.name === r.to.table);
    const other = tables[i]!;
    const lookup = new Map((other.sampleRows ?? []).map((row) => [String(row[r.to.column]), row]));
    for (const role of analyses[i]!.columns) {
      if (role.column === r.to.column || role.role !== "dimension" || role.cardinality < 2) continue;
      out.push({
        field: { table: other.name, column: role.column },
        role,
        values: (table.sampleRows ?? []).map(
          (row) => lookup.get(String(row[r.from.column]))?.[role.column] ?? null,
        ),
        score: 0,
        order: 0,
      });
    }
  }
  return out;
}

export function scatterPartner(
  primary: ColumnRole,
  measures: ColumnRole[],
  goal: GoalIntent,
  corr: (a: string, b: string) => number | null,
): { m: ColumnRole; r: number | null } | null {
  const others = measures.filter((m) => m !== primary);
  if (others.length === 0) return null;
  const named = others.find((m) => goal.mentioned.includes(m.column));
  const withR = others.map((m) => ({ m, r: corr(primary.column, m.column) }));
  if (named) return withR.find((x) => x.m === named)!;
  const candidates = withR.filter((x) => x.r !== null && Math.abs(x.r) < REDUNDANT_R);
  if (candidates.length === 0) return withR[0]!;
  return candidates.reduce((best, x) => (Math.abs(x.r!) > Math.abs(best.r!) ? x : best));
}
