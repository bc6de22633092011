/**
 * Case-insensitive lookups into a validated spec (Power BI compares names without case), giving
 * back each object's declared spelling so every file names it the same way.
 */
import type {
  ColumnRef,
  FieldRef,
  PowerBiColumn,
  PowerBiMeasure,
  PowerBiProjectSpec,
  PowerBiTable,
} from "./spec.ts";

export type ResolvedField =
  | { kind: "column"; table: PowerBiTable; column: PowerBiColumn }
  | { kind: "measure"; table: PowerBiTable; measure: PowerBiMeasure; column: PowerBiColumn };

export class ModelIndex {
  constructor(readonly spec: PowerBiProjectSpec) {}

  table(name: string): PowerBiTable {
    const table = this.spec.tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (!table) throw new Error(`no table "${name}" (the spec was not validated)`);
    return table;
  }

  column(ref: ColumnRef): { table: PowerBiTable; column: PowerBiColumn } {
    const table = this.table(ref.table);
    const column = table.columns.find((c) => c.name.toLowerCase() === ref.column.toLowerCase());
    if (!column) throw new Error(`no column "${ref.column}" in "${table.name}" (the spec was not validated)`);
    return { table, column };
  }

  field(ref: FieldRef): ResolvedField {
    if ("column" in ref) return { kind: "column", ...this.column(ref) };
    const measure = this.spec.measures.find((m) => m.name.toLowerCase() === ref.measure.toLowerCase());
    if (!measure) throw new Error(`no measure "${ref.measure}" (the spec was not validated)`);
    return { kind: "measure", measure, ...this.column({ table: measure.table, column: measure.column }) };
  }
}
