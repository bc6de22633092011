/**
 * An independent evaluation of a plan's visual in plain JavaScript over the parsed rows: what the
 * compiled DuckDB query must return. Written from the plan's meaning, not from the SQL (no shared
 * code with src/query), so a wrong join, filter, top N or bin edge shows as a difference.
 */
import type { Aggregation, Binding, DashboardPlan, FieldRef, Filter } from "../src/plan/index.ts";
import type { CellValue } from "../src/profile/index.ts";
import type { QueryOptions } from "../src/query/index.ts";

type Row = Record<string, CellValue>;
/** Rows of each table by name. */
export type Data = Record<string, Row[]>;

const key = (f: FieldRef) => `${f.table}.${f.column}`;

function truncDate(v: CellValue, grain: string): CellValue {
  if (v === null) return null;
  const d = new Date(`${String(v).slice(0, 10)}T00:00:00Z`);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const iso = (yy: number, mm: number, dd: number) =>
    new Date(Date.UTC(yy, mm, dd)).toISOString().slice(0, 10);
  if (grain === "year") return iso(y, 0, 1);
  if (grain === "quarter") return iso(y, m - (m % 3), 1);
  if (grain === "month") return iso(y, m, 1);
  if (grain === "week") return iso(y, m, d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return iso(y, m, d.getUTCDate());
}

/** Rows of the visual's table with every related table's columns joined on (left join), keyed table.column. */
function joined(plan: DashboardPlan, table: string, data: Data): Row[] {
  return data[table]!.map((row) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) out[`${table}.${k}`] = v;
    for (const r of plan.relationships.filter((x) => x.from.table === table)) {
      const match = data[r.to.table]!.find(
        (o) => o[r.to.column] === row[r.from.column] && row[r.from.column] !== null,
      );
      for (const c of Object.keys(data[r.to.table]![0]!))
        out[`${r.to.table}.${c}`] = match ? match[c]! : null;
    }
    return out;
  });
}

const cmp = (a: CellValue, b: CellValue) => {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
};

function passes(row: Row, f: Filter): boolean {
  const v = row[key(f.field)] ?? null;
  const [a, b] = f.values as CellValue[];
  switch (f.op) {
    case "eq":
      return v !== null && v === a;
    case "neq":
      return v !== a;
    case "in":
      return v !== null && f.values.includes(v);
    case "notIn":
      return v !== null && !f.values.includes(v);
    case "gt":
      return v !== null && v > a!;
    case "gte":
      return v !== null && v >= a!;
    case "lt":
      return v !== null && v < a!;
    case "lte":
      return v !== null && v <= a!;
    case "between":
      return v !== null && v >= a! && v <= b!;
    case "isNull":
      return v === null;
    case "notNull":
      return v !== null;
  }
}

function aggregate(agg: Aggregation, values: CellValue[]): CellValue {
  const present = values.filter((v) => v !== null);
  const nums = present as number[];
  switch (agg) {
    case "count":
      return present.length;
    case "countDistinct":
      return new Set(present).size;
    case "sum":
      return nums.length ? nums.reduce((s, x) => s + x, 0) : null;
    case "avg":
      return nums.length ? nums.reduce((s, x) => s + x, 0) / nums.length : null;
    case "min":
      return present.length ? present.reduce((m, x) => (cmp(x, m) < 0 ? x : m)) : null;
    case "max":
      return present.length ? present.reduce((m, x) => (cmp(x, m) > 0 ? x : m)) : null;
    case "median": {
      if (!nums.length) return null;
      const s = [...nums].sort((x, y) => x - y);
      const mid = Math.floor(s.length / 2);
      return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
    }
  }
}

export function evaluate(
  plan: DashboardPlan,
  visualId: string,
  data: Data,
  options: QueryOptions = {},
): Row[] {
  const page = plan.pages.find((p) => p.visuals.some((v) => v.id === visualId))!;
  const v = page.visuals.find((x) => x.id === visualId)!;
  const reachable = (f: FieldRef) =>
    f.table === v.table || plan.relationships.some((r) => r.from.table === v.table && r.to.table === f.table);
  let rows = joined(plan, v.table, data).filter((row) =>
    [...page.filters, ...v.filters].every((f) => passes(row, f)),
  );
  for (const s of page.slicers) {
    const state = options.slicers?.[s.id];
    if (!state || !reachable(s.field)) continue;
    if ("values" in state) {
      if (state.values.length) rows = rows.filter((r) => state.values.includes(r[key(s.field)] ?? null));
    } else {
      const [lo, hi] = state.range;
      rows = rows.filter((r) => {
        const x = r[key(s.field)] ?? null;
        return x !== null && (lo === null || x >= lo) && (hi === null || x <= hi);
      });
    }
  }
  for (const sel of options.selections ?? []) {
    if (sel.sourceVisualId === v.id || !sel.values.length || !reachable(sel.field)) continue;
    rows = rows.filter((r) => {
      const x = r[key(sel.field)] ?? null;
      return sel.values.includes(sel.timeGrain ? truncDate(x, sel.timeGrain) : x);
    });
  }
  const cellOf = (row: Row, b: Binding): CellValue => {
    if (!b.field) return 1;
    const x = row[key(b.field)] ?? null;
    return b.timeGrain ? truncDate(x, b.timeGrain) : x;
  };

  if (v.kind === "histogram") {
    const bi = v.bindings.findIndex((b) => b.channel === "bin");
    const xs = rows.map((r) => cellOf(r, v.bindings[bi]!)).filter((x) => x !== null) as number[];
    const bins = v.bins ?? 20;
    const lo = xs.length ? Math.min(...xs) : null;
    const hi = xs.length ? Math.max(...xs) : null;
    const counts = new Array(bins).fill(0);
    for (const x of xs)
      counts[hi === lo ? 0 : Math.min(Math.floor((x - lo!) / ((hi! - lo!) / bins)), bins - 1)]++;
    const vi = v.bindings.findIndex((b) => b.aggregation);
    return counts.map((n, i) => ({
      bin: i,
      bin_start: lo === null ? null : lo + (i * (hi! - lo)) / bins,
      bin_end: lo === null ? null : lo + ((i + 1) * (hi! - lo)) / bins,
      [`c${vi >= 0 ? vi : bi}`]: n,
    }));
  }

  if (v.kind === "kpi" && v.comparison) {
    const i = v.bindings.findIndex((b) => b.aggregation);
    const b = v.bindings[i]!;
    const periodOf = (r: Row) => {
      const p = r[key(v.comparison!.field)] ?? null;
      return v.comparison!.timeGrain ? truncDate(p, v.comparison!.timeGrain) : p;
    };
    const periods = [...new Set(rows.map(periodOf).filter((p) => p !== null))].sort(cmp);
    const cur = periods.at(-1) ?? null;
    const prev = periods.at(-2) ?? null;
    const at = (p: CellValue) =>
      aggregate(
        b.aggregation!,
        rows.filter((r) => periodOf(r) === p).map((r) => cellOf(r, b)),
      );
    return [{ [`c${i}`]: at(cur), period: cur, previous: at(prev), previous_period: prev }];
  }

  const groups = v.bindings.map((b, i) => ({ b, i })).filter((x) => !x.b.aggregation);
  const values = v.bindings.map((b, i) => ({ b, i })).filter((x) => x.b.aggregation);

  if (values.length === 0) {
    const out = rows.map((r) => Object.fromEntries(v.bindings.map((b, i) => [`c${i}`, cellOf(r, b)])) as Row);
    const si = sortIndex(v);
    out.sort((a, b) => {
      if (si >= 0) {
        const d = cmp(a[`c${si}`]!, b[`c${si}`]!) * (v.sort!.direction === "asc" ? 1 : -1);
        if (d && a[`c${si}`] !== null && b[`c${si}`] !== null) return d;
        if (d) return a[`c${si}`] === null ? 1 : -1;
      }
      for (let i = 0; i < v.bindings.length; i++) {
        const d = cmp(a[`c${i}`]!, b[`c${i}`]!);
        if (d) return d;
      }
      return 0;
    });
    return out.slice(0, v.limit ?? 1000);
  }

  const cat = groups.find((g) => ["category", "x", "rows", "region"].includes(g.b.channel)) ?? groups[0];
  const si = sortIndex(v);
  const sortB = si >= 0 ? v.bindings[si]! : values[0]!.b;
  const desc = v.sort?.direction !== "asc";
  let keep: Set<CellValue> | null = null;
  if (v.topN && cat) {
    const byCat = new Map<CellValue, Row[]>();
    for (const r of rows) {
      const k = cellOf(r, cat.b);
      byCat.set(k, [...(byCat.get(k) ?? []), r]);
    }
    const ranked = [...byCat.entries()]
      .map(([k, rs]) => ({
        k,
        s: sortB.aggregation
          ? aggregate(
              sortB.aggregation,
              rs.map((r) => cellOf(r, sortB)),
            )
          : k,
      }))
      .sort((a, b) => {
        if (a.s === null || b.s === null) return a.s === b.s ? cmp(a.k, b.k) : a.s === null ? 1 : -1;
        return (desc ? -cmp(a.s, b.s) : cmp(a.s, b.s)) || cmp(a.k, b.k);
      });
    keep = new Set(ranked.slice(0, v.topN.n).map((x) => x.k));
    if (!v.topN.other) rows = rows.filter((r) => keep!.has(cellOf(r, cat.b)));
  }
  const other = v.topN?.other && cat ? (options.otherLabel ?? "Other") : null;
  const buckets = new Map<string, { keys: CellValue[]; isOther: boolean; rows: Row[] }>();
  for (const r of rows) {
    let isOther = false;
    const keys = groups.map((g) => {
      const x = cellOf(r, g.b);
      if (other !== null && g === cat) {
        isOther = x === null || !keep!.has(x);
        return isOther ? other : String(x);
      }
      return x;
    });
    const k = JSON.stringify([keys, isOther]);
    const bucket = buckets.get(k) ?? { keys, isOther, rows: [] };
    bucket.rows.push(r);
    buckets.set(k, bucket);
  }
  if (groups.length === 0) {
    buckets.clear();
    buckets.set("all", { keys: [], isOther: false, rows });
  }
  const out = [...buckets.values()].map((bk) => {
    const row: Row = {};
    v.bindings.forEach((b, i) => {
      row[`c${i}`] = b.aggregation
        ? aggregate(
            b.aggregation,
            bk.rows.map((r) => cellOf(r, b)),
          )
        : bk.keys[groups.findIndex((g) => g.i === i)]!;
    });
    if (other !== null) row.other = bk.isOther;
    return row;
  });
  out.sort((a, b) => {
    if (other !== null && a.other !== b.other) return a.other ? 1 : -1;
    const si2 = si >= 0 ? si : v.topN ? values[0]!.i : -1;
    if (si2 >= 0) {
      const x = a[`c${si2}`]!;
      const y = b[`c${si2}`]!;
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
      } else {
        const d = (si >= 0 ? !desc : false) ? cmp(x, y) : -cmp(x, y);
        if (d) return d;
      }
    }
    for (const g of groups) {
      const d = cmp(a[`c${g.i}`]!, b[`c${g.i}`]!);
      if (d) return d;
    }
    return 0;
  });
  return v.limit && groups.length ? out.slice(0, v.limit) : out;
}

function sortIndex(v: DashboardPlan["pages"][number]["visuals"][number]): number {
  const s = v.sort;
  if (!s) return -1;
  return v.bindings.findIndex((b) =>
    s.field
      ? b.field?.table === s.field.table &&
        b.field?.column === s.field.column &&
        b.aggregation === s.aggregation
      : !b.field && b.aggregation === "count",
  );
}
