import path from "node:path";
import type { TableProfile } from "@modelworks/engine-dashboard-planner";
import type { ColumnProfile } from "../files/duck.ts";
import { sampleRows } from "../files/duck.ts";
import type { FileRow } from "../files/ingest.ts";
import type { FileStore } from "../files/store.ts";

/** Rows of each file handed to the planner: enough to prove grains and joins, small enough to store with the run. */
export const SAMPLE_ROWS = 2000;
/** The engine's bounds on a profile's text (model.ts `ColumnProfileInput`, `TableInput`). */
const MIN_MAX_CHARS = 200;
const CELL_CHARS = 200;

type Cell = string | number | boolean | null;

/** How a conversation names a file in plans: its name without the extension, made unique. */
export function tableNameFor(fileName: string, taken: ReadonlySet<string>): string {
  const stem = path.parse(fileName).name.trim().slice(0, 120) || "table";
  let name = stem;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem}_${n}`;
  return name;
}

const clip = (v: unknown, max: number): unknown =>
  typeof v === "string" && v.length > max ? v.slice(0, max) : v;

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "boolean") return v;
  return String(v).slice(0, CELL_CHARS);
}

/**
 * A stored file as the planner's table profile: the platform's column profile passed through (long
 * text bounds clipped to the engine's limits) and an evenly spread sample of rows — the profile
 * itself carries none, and without them the planner falls back to single-column keys and
 * name-only joins.
 */
export async function tableProfile(store: FileStore, file: FileRow, name: string): Promise<TableProfile> {
  const columns = (file.profile as ColumnProfile[]).map((c) => ({
    name: c.name,
    type: c.type,
    pattern: c.pattern,
    count: c.count,
    missing: c.missing,
    distinct: c.distinct,
    min: clip(c.min, MIN_MAX_CHARS) as number | string | null,
    max: clip(c.max, MIN_MAX_CHARS) as number | string | null,
    mean: c.mean,
    examples: c.examples.slice(0, 20).map((e) => clip(e, 10_000) as string | number | boolean),
  }));
  const rows = await sampleRows(await store.localPath(file.dataKey), file.rowCount, SAMPLE_ROWS);
  return {
    name,
    rowCount: file.rowCount,
    columns,
    sampleRows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)]))),
  };
}
