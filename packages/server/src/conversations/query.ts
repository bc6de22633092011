import type { DuckDBConnection } from "@duckdb/node-api";
import {
  compileSlicer,
  compileVisual,
  type DashboardPlan,
  QueryCompileError,
  type Selection,
  type SlicerState,
  type TableProfile,
} from "@modelworks/engine-dashboard-planner";
import type { Db } from "../db/client.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { ident, jsonRows, withConnection } from "../files/duck.ts";
import type { FileStore } from "../files/store.ts";
import { cachedResult } from "./result-cache.ts";
import { filesByIds, type PlanRevisionRow, type RevisionTable } from "./store.ts";

type Value = string | number | boolean | null;
export interface DashboardQuery {
  visualIds?: string[] | undefined;
  slicers: Record<string, SlicerState>;
  selections: Selection[];
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Whether a slicer or selection value fits the column it filters (null matches missing values). */
function fits(type: string, v: Value): boolean {
  if (v === null) return true;
  switch (type) {
    case "integer":
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "date":
    case "datetime":
      return typeof v === "string" && ISO_DATE.test(v);
    default:
      return typeof v === "string";
  }
}

/**
 * Checks a query's slicer states and selections against the plan and the profiles: every slicer
 * is one of the plan's, every selected field a column of a plan table, every value of its
 * column's type. Field errors point into the request body.
 */
export function checkQuery(plan: DashboardPlan, tables: TableProfile[], q: DashboardQuery): void {
  const errors: { path: string; message: string }[] = [];
  const column = (table: string, name: string) =>
    tables.find((t) => t.name === table)?.columns.find((c) => c.name === name);
  const slicers = plan.pages.flatMap((p) => p.slicers);
  for (const [id, state] of Object.entries(q.slicers)) {
    const s = slicers.find((x) => x.id === id);
    if (!s) {
      errors.push({ path: `body.slicers.${id}`, message: "no such slicer in the plan" });
      continue;
    }
    const type = column(s.field.table, s.field.column)?.type ?? "string";
    const values = "values" in state ? state.values : state.range;
    if ("range" in state && s.kind !== "range" && s.kind !== "dateRange")
      errors.push({ path: `body.slicers.${id}`, message: `a ${s.kind} slicer takes values, not a range` });
    if ("values" in state && (s.kind === "range" || s.kind === "dateRange"))
      errors.push({ path: `body.slicers.${id}`, message: `a ${s.kind} slicer takes a range, not values` });
    values.forEach((v, i) => {
      if (!fits(type, v))
        errors.push({
          path: `body.slicers.${id}.${"values" in state ? "values" : "range"}.${i}`,
          message: `must be a ${type} value of ${s.field.table}.${s.field.column}`,
        });
    });
  }
  q.selections.forEach((sel, i) => {
    const c = column(sel.field.table, sel.field.column);
    if (!c) {
      errors.push({ path: `body.selections.${i}.field`, message: "no such column in the plan's tables" });
      return;
    }
    if (sel.sourceVisualId && !plan.pages.some((p) => p.visuals.some((v) => v.id === sel.sourceVisualId)))
      errors.push({ path: `body.selections.${i}.sourceVisualId`, message: "no such visual in the plan" });
    // A selection on a date grouped by a period names the period's start (or a year number).
    const type = sel.timeGrain ? "any" : c.type;
    sel.values.forEach((v, j) => {
      if (type !== "any" && !fits(type, v))
        errors.push({
          path: `body.selections.${i}.values.${j}`,
          message: `must be a ${c.type} value of ${sel.field.table}.${sel.field.column}`,
        });
    });
  });
  const visualIds = new Set(plan.pages.flatMap((p) => p.visuals.map((v) => v.id)));
  (q.visualIds ?? []).forEach((id, i) => {
    if (!visualIds.has(id))
      errors.push({ path: `body.visualIds.${i}`, message: "no such visual in the plan" });
  });
  if (errors.length) throw unprocessable(errors, "The query does not fit the plan.");
}

/**
 * Runs a plan revision's visuals over the conversation's stored files. Each visual's SQL is the
 * engine's compilation of the plan — one read-only SELECT from a closed vocabulary, every value a
 * parameter — never text a model or a user wrote. Each plan table is a temporary view over its
 * file's Parquet data on a connection of its own, closed afterwards.
 */
export async function queryRevision(
  db: Db,
  store: FileStore,
  orgId: string,
  rev: PlanRevisionRow,
  q: DashboardQuery,
) {
  const plan = rev.plan as DashboardPlan;
  const tables = (rev.tables as RevisionTable[]).map((t) => t.profile);
  checkQuery(plan, tables, q);
  const wanted = q.visualIds ?? plan.pages.flatMap((p) => p.visuals.map((v) => v.id));
  const key = ["visuals", wanted, q.slicers, q.selections];
  return withRevisionViews(db, store, orgId, rev, key, async (c, relations) => {
    const out = [];
    for (const visualId of wanted) out.push(await runVisual(c, plan, tables, visualId, q, relations));
    return out;
  });
}

export interface SlicerValuesQuery {
  prefix?: string | undefined;
  order: "value" | "frequency";
  limit: number;
  slicers: Record<string, SlicerState>;
  selections: Selection[];
}

/**
 * A list slicer's choices: the distinct values of its field with their row counts, under the
 * page's filters, the other slicers and the selections (never its own state), searched by prefix
 * and bounded. Compiled from the plan by the engine like every visual — a parameterized SELECT.
 * One value more than asked is read, to say whether the list was cut.
 */
export async function slicerValues(
  db: Db,
  store: FileStore,
  orgId: string,
  rev: PlanRevisionRow,
  slicerId: string,
  q: SlicerValuesQuery,
) {
  const plan = rev.plan as DashboardPlan;
  const tables = (rev.tables as RevisionTable[]).map((t) => t.profile);
  const slicer = plan.pages.flatMap((p) => p.slicers).find((s) => s.id === slicerId);
  if (!slicer) throw unprocessable([{ path: "params.slicerId", message: "no such slicer in the plan" }]);
  if (slicer.kind === "range" || slicer.kind === "dateRange")
    throw unprocessable([
      { path: "params.slicerId", message: `a ${slicer.kind} slicer has a range, not a list of values` },
    ]);
  checkQuery(plan, tables, { slicers: q.slicers, selections: q.selections });
  const key = ["slicer", slicerId, q.prefix ?? null, q.order, q.limit, q.slicers, q.selections];
  return withRevisionViews(db, store, orgId, rev, key, async (c, relations) => {
    let compiled: ReturnType<typeof compileSlicer>;
    try {
      compiled = compileSlicer(plan, slicerId, tables, {
        slicers: q.slicers,
        selections: q.selections,
        relations,
        ...(q.prefix ? { prefix: q.prefix } : {}),
        order: q.order,
        limit: q.limit + 1,
      });
    } catch (err) {
      if (err instanceof QueryCompileError)
        throw unprocessable([{ path: "params.slicerId", message: `slicer ${slicerId}: ${err.message}` }]);
      throw err;
    }
    const prepared = await c.prepare(compiled.sql);
    prepared.bind(compiled.params as never);
    const rows = jsonRows((await prepared.runAndReadAll()).getRowObjectsJS()) as {
      value: Value;
      count: number;
    }[];
    return {
      values: rows.slice(0, q.limit).map((r) => ({ value: r.value, count: Number(r.count) })),
      truncated: rows.length > q.limit,
    };
  });
}

/**
 * Runs `fn` on a connection of its own where each plan table of the revision is a temporary view
 * over its file's Parquet data (`relations`: plan table → view name); closed afterwards. 410 when
 * a file the plan reads is no longer stored. The answer is kept (result-cache.ts) under the
 * revision, its files' storage keys and `key` (what `fn` computes: the request, all of it).
 */
async function withRevisionViews<T>(
  db: Db,
  store: FileStore,
  orgId: string,
  rev: PlanRevisionRow,
  key: unknown[],
  fn: (c: DuckDBConnection, relations: Record<string, string>) => Promise<T>,
): Promise<T> {
  const revTables = rev.tables as RevisionTable[];
  const stored = await filesByIds(
    db,
    orgId,
    revTables.map((t) => t.fileId).filter((id) => id !== ""),
  );
  const relations: Record<string, string> = {};
  const views: { name: string; dataKey: string }[] = [];
  for (const [i, t] of revTables.entries()) {
    const f = stored.find((x) => x.id === t.fileId);
    if (!f)
      throw new DomainError(
        "gone",
        `The file behind table "${t.table}" is no longer stored (deleted, or past the retention period).`,
      );
    const name = `mw_t${i}`;
    views.push({ name, dataKey: f.dataKey });
    relations[t.table] = name; // the engine quotes it
  }
  const cacheKey = JSON.stringify([orgId, rev.id, views, key]);
  return cachedResult(cacheKey, async () => {
    const paths = await Promise.all(views.map((v) => store.localPath(v.dataKey)));
    return deepFreeze(
      await withConnection(async (c) => {
        for (const [i, v] of views.entries())
          await c.run(
            `create or replace temp view ${ident(v.name)} as select * from read_parquet(${lit(paths[i]!)})`,
          );
        return fn(c, relations);
      }),
    );
  });
}

/** A kept answer is shared by every later request: nothing may change it. */
function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object" && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

async function runVisual(
  c: DuckDBConnection,
  plan: DashboardPlan,
  tables: TableProfile[],
  visualId: string,
  q: DashboardQuery,
  relations: Record<string, string>,
) {
  let compiled: ReturnType<typeof compileVisual>;
  try {
    compiled = compileVisual(plan, visualId, tables, {
      slicers: q.slicers,
      selections: q.selections,
      relations,
    });
  } catch (err) {
    if (err instanceof QueryCompileError)
      throw unprocessable([{ path: "body", message: `visual ${visualId}: ${err.message}` }]);
    throw err;
  }
  // A prepared statement holds exactly one statement: a second one could not ride along.
  const prepared = await c.prepare(compiled.sql);
  prepared.bind(compiled.params as never);
  const res = await prepared.runAndReadAll();
  return { visualId, columns: compiled.columns, rows: jsonRows(res.getRowObjectsJS()) };
}
