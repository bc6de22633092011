import { analyzeTables } from "../profile/analyze.ts";
import type { TableProfile } from "../profile/types.ts";

/** What the language-model planner is told about the data: roles and ranges, no rows. */
export interface PlanningContext {
  tables: {
    name: string;
    rowCount: number;
    grain: string[] | null;
    dateRange: { column: string; min: string; max: string } | null;
    columns: {
      name: string;
      type: string;
      role: string;
      detail?: string;
      distinct: number;
      missing: number;
      min?: number | string;
      max?: number | string;
      examples: (string | number | boolean)[];
    }[];
  }[];
  relationships: { from: string; to: string; cardinality: string }[];
}

const MAX_TEXT = 80;
const safe = (v: unknown): string | number | boolean | undefined => {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  if (v === null || v === undefined) return undefined;
  const s = String(v);
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
};

/**
 * The profile as the language-model planner receives it: plain JSON (finite numbers, no bigint,
 * text cut to 80 characters, at most 5 examples a column, no sample rows), the roles the rules
 * found, and the joins on offer. The prototype's planner died serializing numpy integers in its
 * profile (spec B.2); this one is JSON by construction.
 */
export function planningContext(tables: TableProfile[]): PlanningContext {
  const { tables: analyses, relationships } = analyzeTables(tables);
  return {
    tables: tables.map((t, i) => {
      const a = analyses[i]!;
      return {
        name: t.name,
        rowCount: t.rowCount,
        grain: a.grain?.columns ?? null,
        dateRange: a.dateRange
          ? { column: a.dateRange.column, min: a.dateRange.min, max: a.dateRange.max }
          : null,
        columns: t.columns.map((c, j) => {
          const r = a.columns[j]!;
          const detail = r.geo ?? r.grain ?? r.defaultAggregation;
          const min = safe(c.min);
          const max = safe(c.max);
          return {
            name: c.name,
            type: c.type,
            role: r.role,
            ...(detail ? { detail } : {}),
            distinct: c.distinct,
            missing: c.missing,
            ...(min !== undefined && typeof min !== "boolean" ? { min } : {}),
            ...(max !== undefined && typeof max !== "boolean" ? { max } : {}),
            examples: c.examples
              .slice(0, 5)
              .map(safe)
              .filter((x) => x !== undefined),
          };
        }),
      };
    }),
    relationships: relationships.map((r) => ({
      from: `${r.from.table}.${r.from.column}`,
      to: `${r.to.table}.${r.to.column}`,
      cardinality: r.cardinality,
    })),
  };
}
