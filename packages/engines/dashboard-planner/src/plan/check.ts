import { analyzeTables } from "../profile/analyze.ts";
import { normalizedName } from "../profile/names.ts";
import type { ColumnRole, Relationship, TableAnalysis, TableProfile } from "../profile/types.ts";
import { type BuiltinPlannerInput, planDashboard } from "./builtin.ts";
import {
  type Aggregation,
  type Binding,
  DashboardPlan,
  type FieldRef,
  GRID_COLUMNS,
  type Page,
  type Tile,
  type Visual,
} from "./schema.ts";

/** Where in the plan (dot path, as zod reports it) and what. */
export interface PlanNote {
  path: string;
  message: string;
}

export interface CheckResult {
  /** True when no issue is left: the (repaired) plan can be drawn. */
  ok: boolean;
  /** The plan after repairs; null when the input is not JSON or not a plan at all. */
  plan: DashboardPlan | null;
  /** What was changed, and why. */
  repairs: PlanNote[];
  /** What could not be repaired. */
  issues: PlanNote[];
}

const COUNTS: readonly Aggregation[] = ["count", "countDistinct"];
const NUMERIC_ONLY: readonly Aggregation[] = ["sum", "avg", "median"];

/**
 * Checks a plan against the data and repairs what has one obvious fix: a column named in the
 * wrong case, a SUM of an identifier (→ COUNT DISTINCT), an average of a date (→ the latest), a map
 * over a column that is not a region (→ a bar), overlapping tiles (re-flowed). What has no safe fix
 * (a column that does not exist, a chart of free text, a line without an x axis) is an issue with
 * its path. Used for both planners; a language model's answer arrives as untrusted text, so
 * invalid JSON or a schema violation is an issue too, never a throw.
 */
export function checkPlan(candidate: unknown, tables: TableProfile[]): CheckResult {
  const repairs: PlanNote[] = [];
  const issues: PlanNote[] = [];
  let raw = candidate;
  if (typeof candidate === "string") {
    try {
      raw = JSON.parse(stripFences(candidate));
    } catch (err) {
      return {
        ok: false,
        plan: null,
        repairs,
        issues: [{ path: "", message: `not valid JSON: ${(err as Error).message}` }],
      };
    }
  }
  const parsed = DashboardPlan.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      plan: null,
      repairs,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    };
  }
  const plan = structuredClone(parsed.data);
  const { tables: analyses, relationships } = analyzeTables(tables);
  const ctx = new Context(analyses, relationships, plan, repairs, issues);

  const ids = new Set<string>();
  plan.pages.forEach((page, pi) => {
    for (const [fi, f] of page.filters.entries()) ctx.filter(f, `pages.${pi}.filters.${fi}`);
    page.slicers.forEach((s, si) => {
      const path = `pages.${pi}.slicers.${si}`;
      ctx.resolve(s.field, `${path}.field`);
      s.id = ctx.uniqueId(ids, s.id, `${path}.id`);
    });
    page.visuals.forEach((v, vi) => {
      const path = `pages.${pi}.visuals.${vi}`;
      v.id = ctx.uniqueId(ids, v.id, `${path}.id`);
      ctx.visual(v, path);
    });
    reflow(page, `pages.${pi}`, repairs);
  });
  if (issues.length > 0) return { ok: false, plan, repairs, issues };
  // Repairs stay inside the schema, except a re-flow past the grid's last row on a huge page.
  const final = DashboardPlan.safeParse(plan);
  if (!final.success)
    return {
      ok: false,
      plan,
      repairs,
      issues: final.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    };
  return { ok: true, plan: final.data, repairs, issues };
}

/**
 * The language-model planner's safety net: the candidate checked and repaired, or, when issues
 * remain, the built-in plan labelled as a fallback with the reason. Never silent: the result says
 * which happened.
 */
export function acceptOrFallBack(
  candidate: unknown,
  input: BuiltinPlannerInput,
): CheckResult & { fellBack: boolean } {
  if (input.tables.length === 0) {
    return {
      ok: false,
      plan: null,
      repairs: [],
      issues: [{ path: "", message: "no data to plan from" }],
      fellBack: false,
    };
  }
  const checked = checkPlan(candidate, input.tables);
  if (checked.ok) return { ...checked, fellBack: false };
  const first = checked.issues.slice(0, 3).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const plan = {
    ...planDashboard(input),
    fallback: {
      reason: `The language model's plan could not be used (${first.join("; ")}${checked.issues.length > 3 ? "; …" : ""}); this is the built-in plan.`,
    },
  };
  return { ok: true, plan, repairs: checked.repairs, issues: checked.issues, fellBack: true };
}

function stripFences(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  return m ? m[1]! : text;
}

class Context {
  private readonly byTable: Map<string, TableAnalysis>;

  constructor(
    analyses: TableAnalysis[],
    private readonly relationships: Relationship[],
    private readonly plan: DashboardPlan,
    private readonly repairs: PlanNote[],
    private readonly issues: PlanNote[],
  ) {
    this.byTable = new Map(analyses.map((a) => [a.name, a]));
  }

  repair(path: string, message: string) {
    this.repairs.push({ path, message });
  }

  issue(path: string, message: string) {
    this.issues.push({ path, message });
  }

  uniqueId(ids: Set<string>, id: string, path: string): string {
    let out = id;
    for (let n = 2; ids.has(out); n++) out = `${id}-${n}`;
    if (out !== id) this.repair(path, `id "${id}" was used twice: renamed "${out}"`);
    ids.add(out);
    return out;
  }

  /** The role of a field, fixing the spelling of its table and column when only case or separators differ. */
  resolve(field: FieldRef, path: string): ColumnRole | null {
    const table = this.findTable(field.table);
    if (!table) {
      this.issue(
        `${path}.table`,
        `no table "${field.table}"; tables: ${[...this.byTable.keys()].join(", ")}`,
      );
      return null;
    }
    if (table.name !== field.table) {
      this.repair(`${path}.table`, `table "${field.table}" read as "${table.name}"`);
      field.table = table.name;
    }
    const exact = table.columns.find((c) => c.column === field.column);
    if (exact) return exact;
    const loose = table.columns.filter((c) => normalizedName(c.column) === normalizedName(field.column));
    if (loose.length === 1) {
      this.repair(`${path}.column`, `column "${field.column}" read as "${loose[0]!.column}"`);
      field.column = loose[0]!.column;
      return loose[0]!;
    }
    const known = table.columns.map((c) => c.column);
    this.issue(
      `${path}.column`,
      `no column "${field.column}" in ${table.name}; columns: ${known.slice(0, 30).join(", ")}${known.length > 30 ? ", …" : ""}`,
    );
    return null;
  }

  private findTable(name: string): TableAnalysis | undefined {
    return (
      this.byTable.get(name) ??
      [...this.byTable.values()].find((t) => normalizedName(t.name) === normalizedName(name))
    );
  }

  filter(f: { field: FieldRef; op: string; values: unknown[] }, path: string) {
    this.resolve(f.field, `${path}.field`);
    const need: Record<string, [number, number]> = {
      eq: [1, 1],
      neq: [1, 1],
      gt: [1, 1],
      gte: [1, 1],
      lt: [1, 1],
      lte: [1, 1],
      between: [2, 2],
      in: [1, Infinity],
      notIn: [1, Infinity],
      isNull: [0, 0],
      notNull: [0, 0],
    };
    const [lo, hi] = need[f.op]!;
    if (f.values.length < lo || f.values.length > hi)
      this.issue(
        `${path}.values`,
        `${f.op} takes ${lo === hi ? lo : `at least ${lo}`} value${lo === 1 && hi === 1 ? "" : "s"}`,
      );
  }

  /** Joins from the visual's table to another: one the plan declares, or one the data offers (added). */
  private joinable(from: string, to: string, path: string): boolean {
    if (from === to) return true;
    const declared = this.plan.relationships.some((r) => r.from.table === from && r.to.table === to);
    if (declared) return true;
    const offered = this.relationships.find(
      (r) => r.from.table === from && r.to.table === to && r.cardinality !== "many-to-many",
    );
    if (offered) {
      this.plan.relationships.push({ from: offered.from, to: offered.to });
      this.repair(path, `joined ${from} to ${to} on ${offered.from.column} = ${offered.to.column}`);
      return true;
    }
    this.issue(path, `${to} cannot be reached from ${from}: no relationship between them`);
    return false;
  }

  visual(v: Visual, path: string) {
    const table = this.findTable(v.table);
    if (!table) {
      this.issue(`${path}.table`, `no table "${v.table}"; tables: ${[...this.byTable.keys()].join(", ")}`);
      return;
    }
    v.table = table.name;
    const roles: (ColumnRole | null)[] = v.bindings.map((b, bi) =>
      this.binding(v, b, `${path}.bindings.${bi}`),
    );
    for (const [fi, f] of v.filters.entries()) this.filter(f, `${path}.filters.${fi}`);
    this.kindFits(v, roles, path);
    this.sortAndTop(v, path);
    if (v.comparison) {
      const role = this.resolve(v.comparison.field, `${path}.comparison.field`);
      if (v.kind !== "kpi") {
        delete v.comparison;
        this.repair(`${path}.comparison`, "period-over-period is for KPI cards: removed");
      } else if (role && role.role !== "time") {
        this.issue(`${path}.comparison.field`, `${role.column} is not a date or period`);
      }
    }
  }

  private binding(v: Visual, b: Binding, path: string): ColumnRole | null {
    if (!b.field) {
      if (b.aggregation !== "count")
        this.issue(path, `${b.aggregation ?? "a grouping"} needs a field; only count works without one`);
      return null;
    }
    const role = this.resolve(b.field, `${path}.field`);
    if (!role) return null;
    if (b.field.table !== v.table) this.joinable(v.table, b.field.table, `${path}.field`);
    const agg = b.aggregation;
    const fix = (to: Aggregation, why: string) => {
      this.repair(`${path}.aggregation`, `${agg} of ${role.column} ${why}: ${to} instead`);
      b.aggregation = to;
    };
    if (role.role === "text" && v.kind !== "table") {
      this.issue(`${path}.field`, `${role.column} is free text: it can be listed in a table, not charted`);
    } else if (agg && role.role === "identifier" && !COUNTS.includes(agg)) {
      fix("countDistinct", "is meaningless for an identifier");
    } else if (agg && role.role === "time" && NUMERIC_ONLY.includes(agg)) {
      fix("max", "is not a date; the latest is");
    } else if (agg && role.type !== "integer" && role.type !== "number" && NUMERIC_ONLY.includes(agg)) {
      fix("countDistinct", `needs numbers and ${role.column} holds ${role.type} values`);
    }
    if (b.timeGrain && role.type !== "date" && role.type !== "datetime") {
      this.repair(`${path}.timeGrain`, `${role.column} is not a date: grouped by its values`);
      delete b.timeGrain;
    }
    return role;
  }

  private kindFits(v: Visual, roles: (ColumnRole | null)[], path: string) {
    const aggregated = v.bindings.filter((b) => b.aggregation);
    const groups = v.bindings.map((b, i) => ({ b, role: roles[i] ?? null })).filter((x) => !x.b.aggregation);
    const numeric = (r: ColumnRole | null) => r !== null && (r.type === "integer" || r.type === "number");
    switch (v.kind) {
      case "kpi":
        if (aggregated.length === 0) this.issue(`${path}.bindings`, "a KPI card needs one aggregated value");
        else if (v.bindings.length > 1) {
          v.bindings = [aggregated[0]!];
          this.repair(`${path}.bindings`, "a KPI card shows one value: kept the first aggregated one");
        }
        return;
      case "line":
      case "area":
      case "bar":
      case "column":
      case "stackedBar":
      case "stackedColumn": {
        if (groups.length === 0)
          this.issue(`${path}.bindings`, `a ${v.kind} chart needs a field to group by (x or category)`);
        if (aggregated.length === 0)
          this.issue(`${path}.bindings`, `a ${v.kind} chart needs an aggregated value`);
        if (
          (v.kind === "stackedBar" || v.kind === "stackedColumn") &&
          groups.length < 2 &&
          aggregated.length < 2
        ) {
          const to = v.kind === "stackedBar" ? "bar" : "column";
          this.repair(`${path}.kind`, `nothing to stack (no series, one value): drawn as a ${to} chart`);
          v.kind = to;
        }
        return;
      }
      case "scatter": {
        const xy = v.bindings
          .map((b, i) => ({ b, role: roles[i] ?? null }))
          .filter((x) => x.b.channel === "x" || x.b.channel === "y");
        if (xy.length !== 2) this.issue(`${path}.bindings`, "a scatter needs one x and one y");
        for (const { b, role } of xy)
          if (role && !numeric(role) && !(b.aggregation && COUNTS.includes(b.aggregation)))
            this.issue(
              `${path}.bindings`,
              `a scatter's ${b.channel} must be numeric; ${role.column} is ${role.type}`,
            );
        const agg = xy.filter((x) => x.b.aggregation).length;
        if (agg === 1) this.issue(`${path}.bindings`, "a scatter's x and y are both aggregated or both raw");
        if (agg === 2 && groups.length === 0)
          this.issue(`${path}.bindings`, "an aggregated scatter needs a detail field to make points");
        return;
      }
      case "map": {
        const region = groups.find((g) => g.b.channel === "region") ?? groups[0];
        const geo = region?.role?.geo;
        if (!region || aggregated.length === 0) {
          this.issue(`${path}.bindings`, "a map needs a region field and an aggregated value");
        } else if (geo === "us-state" || geo === "country" || geo === "us-county") {
          if (v.geo !== geo) {
            this.repair(`${path}.geo`, `${region.role!.column} holds ${geo} regions`);
            v.geo = geo;
          }
        } else if (region.role) {
          this.repair(`${path}.kind`, `${region.role.column} is not a region list: drawn as a bar chart`);
          v.kind = "bar";
          region.b.channel = "category";
          delete v.geo;
        }
        return;
      }
      case "histogram": {
        const bin = v.bindings
          .map((b, i) => ({ b, role: roles[i] ?? null }))
          .find((x) => x.b.channel === "bin");
        if (!bin) this.issue(`${path}.bindings`, "a histogram needs a bin field");
        else if (bin.role && !numeric(bin.role))
          this.issue(`${path}.bindings`, `${bin.role.column} is not numeric: no histogram`);
        if (v.bins === undefined) {
          v.bins = 20;
          this.repair(`${path}.bins`, "no bin count: 20");
        }
        return;
      }
      case "pivot":
        if (!groups.some((g) => g.b.channel === "rows") || aggregated.length === 0)
          this.issue(`${path}.bindings`, "a pivot needs a rows field and an aggregated value");
        return;
      case "table":
        return;
    }
  }

  private sortAndTop(v: Visual, path: string) {
    if (v.sort?.field) {
      const s = v.sort;
      const match = v.bindings.some(
        (b) =>
          b.field &&
          b.field.table === s.field!.table &&
          b.field.column === s.field!.column &&
          b.aggregation === s.aggregation,
      );
      if (!match) {
        delete v.sort;
        this.repair(`${path}.sort`, "the sort names no field of the visual: removed");
      }
    }
    if (v.topN) {
      const firstValue = v.bindings.find((b) => b.aggregation);
      if (!v.bindings.some((b) => !b.aggregation) || !firstValue) {
        delete v.topN;
        this.repair(`${path}.topN`, "top N needs categories and a value: removed");
      } else if (!v.sort) {
        v.sort = {
          ...(firstValue.field ? { field: firstValue.field } : {}),
          aggregation: firstValue.aggregation!,
          direction: "desc",
        };
        this.repair(`${path}.sort`, "top N ranks by the first value, largest first");
      }
    }
  }
}

/**
 * Tiles wider than the grid are narrowed; overlapping tiles are moved down: in reading order
 * (y, then x), each keeps its place when free, else takes the first free place at or below it.
 */
function reflow(page: Page, path: string, repairs: PlanNote[]) {
  const tiles: { layout: Tile; path: string }[] = [
    ...page.slicers.map((s, i) => ({ layout: s.layout, path: `${path}.slicers.${i}.layout` })),
    ...page.visuals.map((v, i) => ({ layout: v.layout, path: `${path}.visuals.${i}.layout` })),
  ];
  for (const t of tiles) {
    if (t.layout.x + t.layout.w > GRID_COLUMNS) {
      const w = GRID_COLUMNS - t.layout.x;
      repairs.push({
        path: t.path,
        message: `${t.layout.w} wide at column ${t.layout.x} leaves the grid: ${w} wide`,
      });
      t.layout.w = w;
    }
  }
  const taken: Tile[] = [];
  const free = (c: Tile) =>
    taken.every((o) => !(c.x < o.x + o.w && o.x < c.x + c.w && c.y < o.y + o.h && o.y < c.y + c.h));
  const order = [...tiles].sort((a, b) => a.layout.y - b.layout.y || a.layout.x - b.layout.x);
  for (const t of order) {
    const l = t.layout;
    if (!free(l)) {
      const from = `(${l.x}, ${l.y})`;
      search: for (let y = l.y; ; y++) {
        for (const x of [l.x, ...Array.from({ length: GRID_COLUMNS - l.w + 1 }, (_, i) => i)]) {
          if (free({ ...l, x, y })) {
            l.x = x;
            l.y = y;
            break search;
          }
        }
      }
      repairs.push({
        path: t.path,
        message: `overlapped another tile at ${from}: moved to (${l.x}, ${l.y})`,
      });
    }
    taken.push(l);
  }
}
