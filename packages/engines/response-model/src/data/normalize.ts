/**
 * Field names as the prototype normalises them (`normalize_column_names`): lowercase, every
 * non-alphanumeric character → `_`, runs of `_` collapsed, leading/trailing `_` trimmed. The
 * original ↔ normalised mapping is kept so reports and exports can show the client's own names.
 */
import type { RawTable } from "../types.ts";

export function normalizeFieldName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
}

export interface FieldNameMapping {
  /** Normalised names in input order, made unique. */
  names: string[];
  /** normalised → original. */
  originalOf: Record<string, string>;
  /** original → normalised. */
  normalizedOf: Record<string, string>;
}

/**
 * Normalises a header. Two originals that normalise alike ("Home Value", "home_value") would
 * silently merge in the prototype's DataFrame; here the later one gets `_2`, `_3`…, and a name with
 * no alphanumeric character becomes `field_<position>` (1-based).
 */
export function normalizeFieldNames(originals: string[]): FieldNameMapping {
  const names: string[] = [];
  const originalOf: Record<string, string> = {};
  const normalizedOf: Record<string, string> = {};
  const taken = new Set<string>();
  originals.forEach((original, i) => {
    const base = normalizeFieldName(original) || `field_${i + 1}`;
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    names.push(name);
    originalOf[name] = original;
    normalizedOf[original] = name;
  });
  return { names, originalOf, normalizedOf };
}

/** The same table under normalised names (columns shared, not copied). */
export function normalizeTable(table: RawTable): { table: RawTable; mapping: FieldNameMapping } {
  const mapping = normalizeFieldNames(table.names);
  const columns: RawTable["columns"] = {};
  mapping.names.forEach((name, i) => {
    columns[name] = table.columns[table.names[i] as string] ?? [];
  });
  return { table: { names: mapping.names, columns, rowCount: table.rowCount }, mapping };
}
