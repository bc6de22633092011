import type { Binding, DashboardPlan, FieldRef, Filter, Page, Visual } from "../plan/schema.ts";
import type { ColumnType, TableProfile } from "../profile/types.ts";
import { aggregate, ident, Params, type SqlValue, truncate } from "./sql.ts";

/** A slicer's current state: chosen values, or a range with open ends as null. */
export type SlicerState = { values: SqlValue[] } | { range: [SqlValue, SqlValue] };

/** A selection made by clicking another visual (cross-filtering). */
export interface Selection {
  field: FieldRef;
  values: SqlValue[];
  /** The selection was made on a date grouped by this period. */
  timeGrain?: Binding["timeGrain"];
  /** The visual it was made in: that visual itself is not filtered by it. */
  sourceVisualId?: string;
}

export interface QueryOptions {
  /** By slicer id, for the visual's page. */
  slicers?: Record<string, SlicerState>;
  selections?: Selection[];
  /** The relation each plan table is read from (a view or table name; quoted). Default: the table's own name. */
  relations?: Record<string, string>;
  /** The label of the folded-away categories of a top N. */
  otherLabel?: string;
}

export type OutputRole =
  | "group"
  | "value"
  | "raw"
  | "other"
  | "period"
  | "previousPeriod"
  | "previousValue"
  | "bin"
  | "binStart"
  | "binEnd";

export interface CompiledQuery {
  /** A single read-only SELECT (WITH … SELECT), its values all in `params` as $1…$n. */
  sql: string;
  params: SqlValue[];
  /** The result's columns, in order: what each means and, where it has one, its binding's index. */
  columns: { name: string; role: OutputRole; binding?: number }[];
}

export class QueryCompileError extends Error {}

/**
 * Compiles one visual of a plan to a parameterized DuckDB SELECT. Everything in the SQL text comes
 * from the plan's closed vocabulary (aggregations, grains, operators) or is a quoted identifier of
 * a column the profile lists; every value — filter values, slicer and cross-filter selections,
 * top-N and bin counts, the "Other" label — is a parameter. The plan is expected to have passed
 * `checkPlan`; a field the profile does not know is a QueryCompileError.
 */
export function compileVisual(
  plan: DashboardPlan,
  visualId: string,
  tables: TableProfile[],
  options: QueryOptions = {},
): CompiledQuery {
  const page = plan.pages.find((p) => p.visuals.some((v) => v.id === visualId));
  const visual = page?.visuals.find((v) => v.id === visualId);
  if (!page || !visual) throw new QueryCompileError(`no visual "${visualId}" in the plan`);
  const q = new Builder(plan, page, visual, tables, options);
  switch (true) {
    case visual.kind === "histogram":
      return q.histogram();
    case visual.kind === "kpi" && visual.comparison !== undefined:
      return q.kpiComparison();
    case visual.bindings.some((b) => b.aggregation):
      return q.aggregated();
    default:
      return q.raw();
  }
}

/** How a slicer's distinct values are found and ordered. */
export interface SlicerValueOptions {
  /** At most this many values (default 1000). */
  limit?: number;
  /** Only values whose text starts with this, ignoring case (a search box). */
  prefix?: string;
  /** By value (ascending, missing last; the default) or by how many rows have it (most first, ties by value). */
  order?: "value" | "frequency";
}

/**
 * The choices a slicer offers: its field's distinct values with how many rows have each (list,
 * dropdown; at most `limit`, optionally those starting with `prefix`) or its range (min and max),
 * under the page's filters, the other slicers and the selections — never under itself, or
 * choosing one value would hide the rest.
 */
export function compileSlicer(
  plan: DashboardPlan,
  slicerId: string,
  tables: TableProfile[],
  options: QueryOptions & SlicerValueOptions = {},
): CompiledQuery {
  const page = plan.pages.find((p) => p.slicers.some((s) => s.id === slicerId));
  const slicer = page?.slicers.find((s) => s.id === slicerId);
  if (!page || !slicer) throw new QueryCompileError(`no slicer "${slicerId}" in the plan`);
  // The slicer reads its own table: a stand-in visual over that table, with no filters of its own.
  const host: Visual = {
    id: slicer.id,
    kind: "table",
    title: slicer.title ?? slicer.field.column,
    table: slicer.field.table,
    bindings: [{ channel: "rows", field: slicer.field }],
    filters: [],
    layout: slicer.layout,
  };
  const q = new Builder(plan, page, host, tables, options, slicer.id);
  return slicer.kind === "range" || slicer.kind === "dateRange"
    ? q.range()
    : q.distinct(options.limit ?? 1000, options.prefix, options.order ?? "value");
}

class Builder {
  private readonly params = new Params();
  private readonly joins = new Map<string, string>();

  constructor(
    private readonly plan: DashboardPlan,
    private readonly page: Page,
    private readonly visual: Visual,
    private readonly tables: TableProfile[],
    private readonly options: QueryOptions,
    /** A slicer whose own state does not filter this query (its options query). */
    private readonly ownSlicer?: string,
  ) {}

  distinct(limit: number, prefix: string | undefined, order: "value" | "frequency"): CompiledQuery {
    const col = this.column(this.visual.bindings[0]!.field!);
    // A search matches the value as text, whatever the column's type ("20" finds 2019–2025 years).
    const search = prefix
      ? [`starts_with(lower(CAST(${col} AS VARCHAR)), lower(${this.params.add(prefix, "string")}))`]
      : [];
    const where = this.where(search);
    const by = order === "frequency" ? `2 DESC, 1 ASC NULLS LAST` : `1 ASC NULLS LAST`;
    const sql = `SELECT ${col} AS "value", count(*) AS "count" ${this.from()} ${where} GROUP BY 1 ORDER BY ${by} LIMIT ${this.params.int(limit)}`;
    return {
      sql: tidy(sql),
      params: this.params.values,
      columns: [
        { name: "value", role: "group", binding: 0 },
        { name: "count", role: "value" },
      ],
    };
  }

  range(): CompiledQuery {
    const col = this.column(this.visual.bindings[0]!.field!);
    const where = this.where();
    const sql = `SELECT min(${col}) AS "min", max(${col}) AS "max" ${this.from()} ${where}`;
    return {
      sql: tidy(sql),
      params: this.params.values,
      columns: [
        { name: "min", role: "value", binding: 0 },
        { name: "max", role: "value", binding: 0 },
      ],
    };
  }

  private relation(table: string) {
    return ident(this.options.relations?.[table] ?? table);
  }

  private typeOf(f: FieldRef): ColumnType {
    const col = this.tables.find((t) => t.name === f.table)?.columns.find((c) => c.name === f.column);
    if (!col) throw new QueryCompileError(`no column "${f.column}" in table "${f.table}"`);
    return col.type;
  }

  /** `t0."col"` for the base table; another table is joined through the plan's relationship. */
  private column(f: FieldRef): string {
    this.typeOf(f);
    if (f.table === this.visual.table) return `t0.${ident(f.column)}`;
    let alias = this.joins.get(f.table);
    if (!alias) {
      const rel = this.plan.relationships.find(
        (r) => r.from.table === this.visual.table && r.to.table === f.table,
      );
      if (!rel) throw new QueryCompileError(`no relationship from ${this.visual.table} to ${f.table}`);
      alias = `t${this.joins.size + 1}`;
      this.joins.set(f.table, alias);
      this.joinSql.push(
        `LEFT JOIN ${this.relation(f.table)} AS ${alias} ON t0.${ident(rel.from.column)} = ${alias}.${ident(rel.to.column)}`,
      );
    }
    return `${alias}.${ident(f.column)}`;
  }

  private readonly joinSql: string[] = [];

  /** Slicers and selections on a table this visual cannot join to leave it alone. */
  private reachable(f: FieldRef): boolean {
    return (
      f.table === this.visual.table ||
      this.plan.relationships.some((r) => r.from.table === this.visual.table && r.to.table === f.table)
    );
  }

  private expr(b: Binding): string | null {
    if (!b.field) return null;
    const col = this.column(b.field);
    const type = this.typeOf(b.field);
    return b.timeGrain && (type === "date" || type === "datetime") ? truncate(b.timeGrain, col) : col;
  }

  private filterSql(f: Filter): string {
    const col = this.column(f.field);
    const type = this.typeOf(f.field);
    const p = (v: SqlValue) => this.params.add(v, type);
    const list = () => f.values.map(p).join(", ");
    switch (f.op) {
      case "eq":
        return `${col} = ${p(f.values[0] ?? null)}`;
      case "neq":
        return `${col} IS DISTINCT FROM ${p(f.values[0] ?? null)}`;
      case "in":
        return `${col} IN (${list()})`;
      case "notIn":
        return `${col} NOT IN (${list()})`;
      case "gt":
        return `${col} > ${p(f.values[0] ?? null)}`;
      case "gte":
        return `${col} >= ${p(f.values[0] ?? null)}`;
      case "lt":
        return `${col} < ${p(f.values[0] ?? null)}`;
      case "lte":
        return `${col} <= ${p(f.values[0] ?? null)}`;
      case "between":
        return `${col} BETWEEN ${p(f.values[0] ?? null)} AND ${p(f.values[1] ?? null)}`;
      case "isNull":
        return `${col} IS NULL`;
      case "notNull":
        return `${col} IS NOT NULL`;
    }
  }

  /** The visual's own filters, its page's, the page's slicers and other visuals' selections. */
  private where(extra: string[] = []): string {
    const parts: string[] = [];
    for (const f of [...this.page.filters, ...this.visual.filters]) parts.push(this.filterSql(f));
    for (const s of this.page.slicers) {
      const state = this.options.slicers?.[s.id];
      if (!state || s.id === this.ownSlicer || !this.reachable(s.field)) continue;
      const col = this.column(s.field);
      const type = this.typeOf(s.field);
      if ("values" in state) {
        if (state.values.length === 0) continue;
        parts.push(`${col} IN (${state.values.map((v) => this.params.add(v, type)).join(", ")})`);
      } else {
        const [lo, hi] = state.range;
        if (lo !== null) parts.push(`${col} >= ${this.params.add(lo, type)}`);
        if (hi !== null) parts.push(`${col} <= ${this.params.add(hi, type)}`);
      }
    }
    for (const sel of this.options.selections ?? []) {
      if (sel.sourceVisualId === this.visual.id || sel.values.length === 0 || !this.reachable(sel.field))
        continue;
      const type = this.typeOf(sel.field);
      const col = this.column(sel.field);
      const lhs =
        sel.timeGrain && (type === "date" || type === "datetime") ? truncate(sel.timeGrain, col) : col;
      const vtype = sel.timeGrain ? (type === "date" ? "date" : "datetime") : type;
      parts.push(`${lhs} IN (${sel.values.map((v) => this.params.add(v, vtype)).join(", ")})`);
    }
    parts.push(...extra);
    return parts.length ? `WHERE ${parts.map((p) => `(${p})`).join(" AND ")}` : "";
  }

  private from(): string {
    return [`FROM ${this.relation(this.visual.table)} AS t0`, ...this.joinSql].join(" ");
  }

  /** Index of the binding the sort names; -1 for none. */
  private sortIndex(): number {
    const s = this.visual.sort;
    if (!s) return -1;
    return this.visual.bindings.findIndex((b) =>
      s.field
        ? b.field?.table === s.field.table &&
          b.field?.column === s.field.column &&
          b.aggregation === s.aggregation
        : !b.field && b.aggregation === "count",
    );
  }

  aggregated(): CompiledQuery {
    const v = this.visual;
    const groups = v.bindings.map((b, i) => ({ b, i })).filter((x) => !x.b.aggregation);
    const values = v.bindings.map((b, i) => ({ b, i })).filter((x) => x.b.aggregation);
    const cat = groups.find((g) => ["category", "x", "rows", "region"].includes(g.b.channel)) ?? groups[0];
    const dir = v.sort?.direction === "asc" ? "ASC" : "DESC";
    const si = this.sortIndex();
    const sortBinding = si >= 0 ? v.bindings[si]! : values[0]!.b;

    // Expressions first (they register joins), then the WHERE (its parameters follow in order).
    const exprs = v.bindings.map((b) => this.expr(b));
    const select: string[] = [];
    const columns: CompiledQuery["columns"] = [];
    let withSql = "";
    let otherFlag = "";
    const catExpr = cat ? exprs[cat.i]! : null;
    if (v.topN && cat && catExpr) {
      const sortExpr = sortBinding.aggregation
        ? aggregate(sortBinding.aggregation, this.expr(sortBinding))
        : this.expr(sortBinding)!;
      const topWhere = this.where();
      withSql = `WITH "top" AS (SELECT ${catExpr} AS k ${this.from()} ${topWhere} GROUP BY 1 ORDER BY ${sortExpr} ${dir} NULLS LAST, 1 ASC NULLS LAST LIMIT ${this.params.int(v.topN.n)}) `;
      if (v.topN.other) {
        const label = this.params.add(this.options.otherLabel ?? "Other");
        otherFlag = `(${catExpr} IS NULL OR ${catExpr} NOT IN (SELECT k FROM "top"))`;
        exprs[cat.i] = `CASE WHEN ${otherFlag} THEN ${label} ELSE CAST(${catExpr} AS VARCHAR) END`;
      }
    }
    v.bindings.forEach((b, i) => {
      const sql = b.aggregation ? aggregate(b.aggregation, exprs[i]!) : exprs[i]!;
      select.push(`${sql} AS ${ident(`c${i}`)}`);
      columns.push({ name: `c${i}`, role: b.aggregation ? "value" : "group", binding: i });
    });
    if (otherFlag) {
      select.push(`${otherFlag} AS "other"`);
      columns.push({ name: "other", role: "other" });
    }
    const extra = v.topN && !v.topN.other && catExpr ? [`${catExpr} IN (SELECT k FROM "top")`] : [];
    const where = this.where(extra);
    const groupCount = groups.length + (otherFlag ? 1 : 0);
    const groupBy = groupCount
      ? `GROUP BY ${Array.from({ length: select.length }, (_, i) => i + 1)
          .filter((i) => !v.bindings[i - 1]?.aggregation)
          .join(", ")}`
      : "";
    const order: string[] = [];
    if (otherFlag) order.push(`"other" ASC`);
    if (si >= 0) order.push(`${ident(`c${si}`)} ${dir} NULLS LAST`);
    else if (v.topN) order.push(`${ident(`c${values[0]!.i}`)} DESC NULLS LAST`);
    for (const g of groups) order.push(`${ident(`c${g.i}`)} ASC NULLS LAST`);
    const limit = !groups.length ? "" : v.limit ? ` LIMIT ${this.params.int(v.limit)}` : "";
    const sql = `${withSql}SELECT ${select.join(", ")} ${this.from()} ${where} ${groupBy}${order.length && groups.length ? ` ORDER BY ${order.join(", ")}` : ""}${limit}`;
    return { sql: tidy(sql), params: this.params.values, columns };
  }

  raw(): CompiledQuery {
    const v = this.visual;
    const exprs = v.bindings.map((b) => this.expr(b)!);
    const select = exprs.map((e, i) => `${e} AS ${ident(`c${i}`)}`);
    const where = this.where();
    const si = this.sortIndex();
    const order = [
      ...(si >= 0 ? [`${ident(`c${si}`)} ${v.sort!.direction === "asc" ? "ASC" : "DESC"} NULLS LAST`] : []),
      ...exprs.map((_, i) => `${ident(`c${i}`)} ASC NULLS LAST`),
    ];
    const sql = `SELECT ${select.join(", ")} ${this.from()} ${where} ORDER BY ${order.join(", ")} LIMIT ${this.params.int(v.limit ?? 1000)}`;
    return {
      sql: tidy(sql),
      params: this.params.values,
      columns: v.bindings.map((_, i) => ({ name: `c${i}`, role: "raw" as const, binding: i })),
    };
  }

  /** The latest period's value and the one before's, from the periods present in the data. */
  kpiComparison(): CompiledQuery {
    const v = this.visual;
    const c = v.comparison!;
    const i = v.bindings.findIndex((b) => b.aggregation);
    const b = v.bindings[i]!;
    const type = this.typeOf(c.field);
    const periodCol = this.column(c.field);
    const period =
      c.timeGrain && (type === "date" || type === "datetime") ? truncate(c.timeGrain, periodCol) : periodCol;
    const value = this.expr(b) ?? "1";
    const where = this.where();
    // One scan: the value per period, then the last two periods present (grouping first keeps
    // the 1M-row scan a plain aggregate instead of filtered re-scans).
    const sql = `WITH per AS (SELECT ${period} AS p, ${aggregate(b.aggregation!, value)} AS val ${this.from()} ${where} GROUP BY 1),
      ranked AS (SELECT p, val, row_number() OVER (ORDER BY p DESC) AS rn FROM per WHERE p IS NOT NULL)
      SELECT max(val) FILTER (WHERE rn = 1) AS ${ident(`c${i}`)}, max(p) FILTER (WHERE rn = 1) AS "period",
        max(val) FILTER (WHERE rn = 2) AS "previous", max(p) FILTER (WHERE rn = 2) AS "previous_period"
      FROM ranked`;
    return {
      sql: tidy(sql),
      params: this.params.values,
      columns: [
        { name: `c${i}`, role: "value", binding: i },
        { name: "period", role: "period" },
        { name: "previous", role: "previousValue", binding: i },
        { name: "previous_period", role: "previousPeriod" },
      ],
    };
  }

  /** Equal-width bins from the filtered data's own min and max; empty bins included, with 0. */
  histogram(): CompiledQuery {
    const v = this.visual;
    const i = v.bindings.findIndex((b) => b.channel === "bin");
    const b = v.bindings[i]!;
    const x = this.expr(b)!;
    const where = this.where([`${x} IS NOT NULL`]);
    const bins = this.params.int(v.bins ?? 20);
    const width = "(r.hi - r.lo) / n.bins";
    const binOf = `CASE WHEN r.hi = r.lo THEN 0 ELSE least(CAST(floor((s.x - r.lo) / (${width})) AS BIGINT), n.bins - 1) END`;
    const valueIndex = v.bindings.findIndex((x) => x.aggregation);
    // Bin each row with an equality join afterwards: a join on the bin expression itself would be
    // a nested loop over every row and every bin.
    const sql = `WITH n AS (SELECT ${bins} AS bins),
      s AS (SELECT CAST(${x} AS DOUBLE) AS x ${this.from()} ${where}),
      r AS (SELECT min(x) AS lo, max(x) AS hi FROM s),
      counts AS (SELECT ${binOf} AS i, count(*) AS k FROM s CROSS JOIN r CROSS JOIN n GROUP BY 1),
      b AS (SELECT unnest(range(0, (SELECT bins FROM n))) AS i)
      SELECT b.i AS "bin", r.lo + b.i * ${width} AS "bin_start", r.lo + (b.i + 1) * ${width} AS "bin_end",
        coalesce(counts.k, 0) AS ${ident(`c${valueIndex >= 0 ? valueIndex : i}`)}
      FROM b CROSS JOIN n CROSS JOIN r LEFT JOIN counts ON counts.i = b.i ORDER BY b.i`;
    return {
      sql: tidy(sql),
      params: this.params.values,
      columns: [
        { name: "bin", role: "bin" },
        { name: "bin_start", role: "binStart", binding: i },
        { name: "bin_end", role: "binEnd", binding: i },
        {
          name: `c${valueIndex >= 0 ? valueIndex : i}`,
          role: "value",
          ...(valueIndex >= 0 ? { binding: valueIndex } : {}),
        },
      ],
    };
  }
}

const tidy = (sql: string) => sql.replace(/\s+/g, " ").trim();
