/**
 * The checks across a spec's parts that a field's own schema cannot make: every reference names
 * an existing table, column or measure; aggregations fit column types; names are unique the way
 * Power BI compares them (case-insensitively); visuals bind the roles their kind has and stay on
 * their page. Each issue carries the path of the offending field.
 */
import type { z } from "zod";
import { DATA_FOLDER_PARAMETER } from "./m-query.ts";
import type {
  CategoricalFilter,
  ColumnRef,
  FieldRef,
  PowerBiColumn,
  PowerBiMeasure,
  PowerBiTable,
  ProjectShape,
} from "./spec.ts";
import { KIND_RULES, ROLES, type Role } from "./visual-kinds.ts";
import { binColumnName, NUMERIC_TYPES } from "./vocabulary.ts";

type Ctx = z.RefinementCtx;
type Path = (string | number)[];
const fold = (s: string) => s.toLowerCase();

export function checkReferences(s: z.output<typeof ProjectShape>, ctx: Ctx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: "custom", path, message });
  const tables = new Map<string, PowerBiTable>();
  const files = new Set<string>();
  s.tables.forEach((t, ti) => {
    if (tables.has(fold(t.name))) issue(["tables", ti, "name"], `duplicate table "${t.name}"`);
    else tables.set(fold(t.name), t);
    // Each table is a Power Query query of its own name, beside the DataFolder parameter query.
    if (fold(t.name) === fold(DATA_FOLDER_PARAMETER))
      issue(["tables", ti, "name"], `"${t.name}" is the name of the data folder parameter`);
    if (files.has(fold(t.fileName))) issue(["tables", ti, "fileName"], `file "${t.fileName}" is used twice`);
    files.add(fold(t.fileName));
    const names = new Set<string>();
    const sources = new Set<string>();
    t.columns.forEach((c, ci) => {
      const path = ["tables", ti, "columns", ci];
      if (names.has(fold(c.name))) issue([...path, "name"], `duplicate column "${c.name}" in "${t.name}"`);
      names.add(fold(c.name));
      const source = c.sourceColumn ?? c.name;
      if (sources.has(source)) issue([...path, "sourceColumn"], `file column "${source}" is read twice`);
      sources.add(source);
      const numeric = NUMERIC_TYPES.includes(c.dataType);
      const by = c.summarizeBy;
      if ((by === "sum" || by === "average") && !numeric)
        issue([...path, "summarizeBy"], `cannot ${by} a ${c.dataType} column`);
      if ((by === "min" || by === "max") && !numeric && c.dataType !== "dateTime")
        issue([...path, "summarizeBy"], `cannot take the ${by} of a ${c.dataType} column`);
    });
  });
  const columnOf = (ref: ColumnRef, path: Path) => {
    const table = tables.get(fold(ref.table));
    if (!table) return issue([...path, "table"], `no table "${ref.table}"`);
    const column = table.columns.find((c) => fold(c.name) === fold(ref.column));
    if (!column) issue([...path, "column"], `no column "${ref.column}" in "${table.name}"`);
    return column;
  };

  const measures = new Map<string, PowerBiMeasure>();
  s.measures.forEach((m, mi) => {
    const path = ["measures", mi];
    if (measures.has(fold(m.name))) issue([...path, "name"], `duplicate measure "${m.name}"`);
    else measures.set(fold(m.name), m);
    // DAX resolves [Name] to a measure or a column; a measure may share no name with any column.
    const clash = s.tables.find((t) => t.columns.some((c) => fold(c.name) === fold(m.name)));
    if (clash) issue([...path, "name"], `measure "${m.name}" has the name of a column of "${clash.name}"`);
    const column = columnOf({ table: m.table, column: m.column }, path);
    if (!column) return;
    const numeric = NUMERIC_TYPES.includes(column.dataType);
    if (["sum", "average", "median"].includes(m.aggregation) && !numeric)
      issue(
        [...path, "aggregation"],
        `cannot ${m.aggregation} the ${column.dataType} column "${column.name}"`,
      );
    if (["min", "max"].includes(m.aggregation) && !numeric && column.dataType !== "dateTime")
      issue(
        [...path, "aggregation"],
        `cannot take the ${m.aggregation} of the ${column.dataType} column "${column.name}"`,
      );
  });

  const pairs = new Set<string>();
  s.relationships.forEach((r, ri) => {
    const path = ["relationships", ri];
    const from = columnOf(r.from, [...path, "from"]);
    const to = columnOf(r.to, [...path, "to"]);
    if (fold(r.from.table) === fold(r.to.table)) issue(path, "a relationship joins two different tables");
    if (from && to && from.dataType !== to.dataType)
      issue(
        path,
        `key types differ: ${r.from.table}.${from.name} is ${from.dataType}, ${r.to.table}.${to.name} is ${to.dataType}`,
      );
    const pair = [fold(r.from.table), fold(r.to.table)].sort().join("\u0000");
    if (pairs.has(pair)) issue(path, `a second relationship between "${r.from.table}" and "${r.to.table}"`);
    pairs.add(pair);
  });

  const fieldOf = (
    ref: FieldRef,
    path: Path,
  ): { kind: "column"; column: PowerBiColumn } | { kind: "measure" } | undefined => {
    if ("measure" in ref) {
      if (measures.has(fold(ref.measure))) return { kind: "measure" };
      issue([...path, "measure"], `no measure "${ref.measure}"`);
      return undefined;
    }
    const column = columnOf(ref, path);
    return column ? { kind: "column", column } : undefined;
  };
  const checkFilter = (f: CategoricalFilter, path: Path) => {
    const column = columnOf(f.column, [...path, "column"]);
    if (!column) return;
    f.values.forEach((v, vi) => {
      const ok =
        column.dataType === "boolean"
          ? typeof v === "boolean"
          : NUMERIC_TYPES.includes(column.dataType)
            ? typeof v === "number" && (column.dataType !== "int64" || Number.isInteger(v))
            : column.dataType === "dateTime"
              ? typeof v === "string" && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(v)
              : typeof v === "string";
      if (!ok) issue([...path, "values", vi], `${JSON.stringify(v)} is not a ${column.dataType} value`);
    });
  };

  const pageNames = new Set<string>();
  s.pages.forEach((page, pi) => {
    const pagePath = ["pages", pi];
    if (pageNames.has(fold(page.name))) issue([...pagePath, "name"], `duplicate page "${page.name}"`);
    pageNames.add(fold(page.name));
    page.filters.forEach((f, fi) => {
      checkFilter(f, [...pagePath, "filters", fi]);
    });
    const visualIds = new Set<string>();
    page.visuals.forEach((v, vi) => {
      const path = [...pagePath, "visuals", vi];
      if (v.id !== undefined) {
        if (visualIds.has(v.id))
          issue([...path, "id"], `duplicate visual id "${v.id}" on page "${page.name}"`);
        visualIds.add(v.id);
      }
      if (v.xPx + v.widthPx > page.widthPx)
        issue([...path, "widthPx"], `the visual ends past the page's right edge (${page.widthPx} px)`);
      if (v.yPx + v.heightPx > page.heightPx)
        issue([...path, "heightPx"], `the visual ends below the page's bottom edge (${page.heightPx} px)`);
      const rule = KIND_RULES[v.kind];
      const bindings = v.bindings as Partial<Record<Role, FieldRef[]>>;
      const bound: FieldRef[] = [];
      for (const role of ROLES) {
        const fields = bindings[role] ?? [];
        const roleRule = rule.roles[role];
        if (!roleRule) {
          if (fields.length) issue([...path, "bindings", role], `a ${v.kind} has no ${role} role`);
          continue;
        }
        if (fields.length < roleRule.min)
          issue([...path, "bindings", role], `a ${v.kind} needs ${roleRule.min} ${role} field(s)`);
        if (fields.length > roleRule.max)
          issue([...path, "bindings", role], `a ${v.kind} takes at most ${roleRule.max} ${role} field(s)`);
        fields.forEach((ref, fi) => {
          const fieldPath = [...path, "bindings", role, fi];
          const field = fieldOf(ref, fieldPath);
          if (field && roleRule.accepts !== "any" && field.kind !== roleRule.accepts)
            issue(fieldPath, `${role} of a ${v.kind} takes a ${roleRule.accepts}`);
          bound.push(ref);
        });
      }
      if (rule.roles.Series && bindings.Series?.length && (bindings.Y?.length ?? 0) > 1)
        issue(
          [...path, "bindings", "Series"],
          "a legend (Series) splits one measure: bind a single Y measure",
        );
      if (v.kind === "histogram") {
        if (v.binWidth === undefined) issue([...path, "binWidth"], "a histogram needs a bin width");
        const x = bindings.X?.[0];
        const column =
          x && "column" in x
            ? tables.get(fold(x.table))?.columns.find((c) => fold(c.name) === fold(x.column))
            : undefined;
        if (column && !NUMERIC_TYPES.includes(column.dataType))
          issue([...path, "bindings", "X", 0], "a histogram bins a numeric column");
        const table = x && "column" in x ? tables.get(fold(x.table)) : undefined;
        if (table && column && v.binWidth !== undefined) {
          const binName = binColumnName(column.name, v.binWidth);
          if (table.columns.some((c) => fold(c.name) === fold(binName)))
            issue([...path, "binWidth"], `"${binName}" is already a column of "${table.name}"`);
        }
      } else if (v.binWidth !== undefined) issue([...path, "binWidth"], "only a histogram has a bin width");
      if (v.slicerMode !== undefined && v.kind !== "slicer")
        issue([...path, "slicerMode"], "only a slicer has a mode");
      if (v.kind === "slicer" && v.slicerMode === "between") {
        const ref = bindings.Values?.[0];
        const column =
          ref && "column" in ref
            ? tables.get(fold(ref.table))?.columns.find((c) => fold(c.name) === fold(ref.column))
            : undefined;
        if (column && !NUMERIC_TYPES.includes(column.dataType) && column.dataType !== "dateTime")
          issue([...path, "slicerMode"], "a between slicer needs a number or date column");
      }
      if (v.sort) {
        const same = (a: FieldRef, b: FieldRef) =>
          "measure" in a
            ? "measure" in b && fold(a.measure) === fold(b.measure)
            : "column" in b && fold(a.table) === fold(b.table) && fold(a.column) === fold(b.column);
        if (!bound.some((f) => same(f, v.sort!.by)))
          issue([...path, "sort", "by"], "a visual sorts by one of its own fields");
        if (v.kind === "histogram" || v.kind === "card" || v.kind === "slicer")
          issue([...path, "sort"], `a ${v.kind} keeps its own order`);
      }
      if (v.topN) {
        if (!rule.rankedRole) issue([...path, "topN"], `a ${v.kind} has no column to rank`);
        fieldOf(v.topN.by, [...path, "topN", "by"]);
      }
      v.filters.forEach((f, fi) => {
        checkFilter(f, [...path, "filters", fi]);
      });
    });
  });
}
