import { normalizedName } from "./names.ts";
import { columnRole, columnValues } from "./roles.ts";
import type { ColumnRole, Relationship, TableAnalysis, TableProfile } from "./types.ts";

/** Roles of every column, the table's grain and its date range. */
export function analyzeTable(table: TableProfile): TableAnalysis {
  const columns = table.columns.map((c) => columnRole(c, table));
  const time = columns.find((c) => c.role === "time");
  const timeProfile = time && table.columns.find((c) => c.name === time.column);
  return {
    name: table.name,
    rowCount: table.rowCount,
    columns,
    grain: grainOf(table, columns),
    dateRange:
      time && timeProfile && timeProfile.min !== null && timeProfile.max !== null
        ? {
            column: time.column,
            min: String(timeProfile.min),
            max: String(timeProfile.max),
            grain: time.grain ?? "day",
          }
        : null,
  };
}

const KEY_ORDER: Record<string, number> = { identifier: 0, geography: 1, dimension: 2, time: 3 };

/**
 * Which columns make rows unique. One column is a key when its distinct count equals the row count
 * with nothing missing (the profile proves that). Two columns (an entity and a period, as in a state ×
 * year panel) need the sample rows: the pair must be unique in them, and the product of their
 * distinct counts must reach the row count. With every row sampled that is proof; with part of
 * them it is evidence, and `evidence` says which. Measures never form a key.
 */
export function grainOf(table: TableProfile, roles: ColumnRole[]): TableAnalysis["grain"] {
  const n = table.rowCount;
  if (n < 2) return null;
  const candidates = roles
    .filter((r) => r.role in KEY_ORDER)
    .sort((a, b) => KEY_ORDER[a.role]! - KEY_ORDER[b.role]!);
  const profileOf = (name: string) => table.columns.find((c) => c.name === name)!;
  for (const r of candidates) {
    const p = profileOf(r.column);
    if (p.distinct === n && p.missing === 0)
      return { columns: [r.column], evidence: `${n} distinct values in ${n} rows` };
  }
  const sample = table.sampleRows;
  if (!sample || sample.length < 2) return null;
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const a = profileOf(candidates[i]!.column);
      const b = profileOf(candidates[j]!.column);
      if (a.missing > 0 || b.missing > 0 || a.distinct * b.distinct < n) continue;
      const seen = new Set<string>();
      let unique = true;
      for (const row of sample) {
        const k = JSON.stringify([row[a.name], row[b.name]]);
        if (seen.has(k)) {
          unique = false;
          break;
        }
        seen.add(k);
      }
      if (!unique) continue;
      return {
        columns: [a.name, b.name],
        evidence:
          sample.length >= n
            ? `unique in all ${n} rows`
            : `unique in a sample of ${sample.length} of ${n} rows`,
      };
    }
  }
  return null;
}

/**
 * Joins offered between tables: columns with the same name (or `<table>_id` beside another table's
 * `id`), compatible types and overlapping values, neither a measure. The side whose values are
 * unique is the one side; a relationship with no unique side is still offered, flagged
 * many-to-many, since it cannot serve as a lookup.
 */
export function findRelationships(tables: TableProfile[], analyses: TableAnalysis[]): Relationship[] {
  const out: Relationship[] = [];
  for (let i = 0; i < tables.length; i++) {
    for (let j = i + 1; j < tables.length; j++) {
      for (const rel of pairRelationships(tables[i]!, analyses[i]!, tables[j]!, analyses[j]!)) out.push(rel);
    }
  }
  return out;
}

function pairRelationships(
  ta: TableProfile,
  aa: TableAnalysis,
  tb: TableProfile,
  ab: TableAnalysis,
): Relationship[] {
  const out: Relationship[] = [];
  for (const ca of ta.columns) {
    for (const cb of tb.columns) {
      const ra = aa.columns.find((r) => r.column === ca.name)!;
      const rb = ab.columns.find((r) => r.column === cb.name)!;
      if (ra.role === "measure" || rb.role === "measure" || ra.role === "text" || rb.role === "text")
        continue;
      const nameReason = matchingNames(ta.name, ca.name, tb.name, cb.name);
      if (!nameReason) continue;
      const numeric = (t: string) => t === "integer" || t === "number";
      if (numeric(ca.type) !== numeric(cb.type)) continue;
      const va = columnValues(ca, ta);
      const vb = new Set(columnValues(cb, tb));
      const overlapAb = va.length ? va.filter((v) => vb.has(v)).length / va.length : 0;
      const vaSet = new Set(va);
      const vbList = [...vb];
      const overlapBa = vbList.length ? vbList.filter((v) => vaSet.has(v)).length / vbList.length : 0;
      if (Math.max(overlapAb, overlapBa) < 0.5) continue;
      const uniqueA = ca.distinct === ta.rowCount && ca.missing === 0;
      const uniqueB = cb.distinct === tb.rowCount && cb.missing === 0;
      // The many side is `from`; the unique side is `to`.
      const flip = uniqueA && !uniqueB;
      const [from, to, overlap] = flip
        ? [{ table: tb.name, column: cb.name }, { table: ta.name, column: ca.name }, overlapBa]
        : [{ table: ta.name, column: ca.name }, { table: tb.name, column: cb.name }, overlapAb];
      out.push({
        from,
        to,
        cardinality: uniqueA && uniqueB ? "one-to-one" : uniqueA || uniqueB ? "many-to-one" : "many-to-many",
        overlap: Math.round(overlap * 1000) / 1000,
        reasons: [
          nameReason,
          `${Math.round(overlap * 100)} % of ${from.table}.${from.column}'s values are in ${to.table}.${to.column}`,
        ],
      });
    }
  }
  return out;
}

function matchingNames(tableA: string, colA: string, tableB: string, colB: string): string | null {
  const a = normalizedName(colA);
  const b = normalizedName(colB);
  if (a === b) return "same column name";
  const ta = normalizedName(tableA);
  const tb = normalizedName(tableB);
  const refers = (col: string, table: string, other: string) =>
    other === "id" &&
    (col === `${table}_id` || col === `${table}id` || col === `${table.replace(/s$/, "")}_id`);
  if (refers(a, tb, b) || refers(b, ta, a)) return "a table-named key beside that table's id";
  return null;
}

/** Every table's analysis and the joins between them. */
export function analyzeTables(tables: TableProfile[]): {
  tables: TableAnalysis[];
  relationships: Relationship[];
} {
  const analyses = tables.map(analyzeTable);
  return { tables: analyses, relationships: findRelationships(tables, analyses) };
}
